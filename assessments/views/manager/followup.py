"""The first step of a new round's dialogue: the group rates what last round's actions did."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import agreements, followup, workflow
from ...forms_manager import ActionRatingForm
from .common import dialogue_url, managed


@login_required
@require_POST
def action_rate(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Record the group's rating of one of last round's actions; back to the dialogue."""
    assessment = managed(request, pk)
    action = followup.action_to_rate(assessment, action_pk)
    if action is None:  # not an action of this unit's previous round
        raise Http404
    back = dialogue_url(assessment, f"rate-{action.pk}")
    form = ActionRatingForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{action.title}: {error}")
        return redirect(back)
    try:
        rating = followup.rate_action(
            assessment,
            action,
            request.user,
            outcome=form.cleaned_data["outcome"],
            lock_version=form.cleaned_data["lock_version"],
        )
    except agreements.AgreementConflict as clash:
        messages.error(
            request,
            _(
                "Someone else rated “%(title)s” meanwhile: “%(outcome)s”. Nothing was "
                "overwritten; choose again if the group says otherwise."
            )
            % {"title": action.title, "outcome": clash.current.get_outcome_display()},
        )
    except (workflow.WorkflowError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(title)s”: %(outcome)s.")
            % {"title": action.title, "outcome": rating.get_outcome_display()},
        )
    return redirect(back)

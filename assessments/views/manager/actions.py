"""The group's actions: added and changed during the dialogue, followed up afterwards."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import agreements, workflow
from ...forms_manager import (
    ActionForm,
    ActionStatusForm,
)
from ...models import (
    Action,
)
from .common import (
    action_of,
    dialogue_url,
    managed,
    safe_next,
)
from .dialogue import dialogue_page

# --- actions -------------------------------------------------------------------------------


def _action_values(action: Action) -> list[tuple[str, Any]]:
    return [
        (_("What"), action.title),
        (_("Who"), action.responsible),
        (_("By when"), action.due_on or "–"),
        (_("Principle"), action.principle.name if action.principle_id else "–"),
        (_("Status"), action.get_status_display()),
    ]


@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = managed(request, pk)
    if not workflow.accepts_agreements(assessment):
        messages.error(request, _("Actions are added during the dialogue."))
        return redirect(dialogue_url(assessment, "actions"))
    form = ActionForm(request.POST if request.method == "POST" else None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.create_action(assessment, request.user, **form.service_values())
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect(dialogue_url(assessment, "actions"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action is added."))
            return redirect(dialogue_url(assessment, "actions"))
    if request.method == "POST":  # refused: back on the dialogue, the errors beside the fields
        return dialogue_page(request, assessment, action_form=form)
    return render(
        request,
        "assessments/manager/action_form.html",
        {"assessment": assessment, "form": form, "action": None},
    )


@login_required
def action_edit(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    assessment = managed(request, pk)
    action = action_of(assessment, action_pk)
    if not workflow.accepts_agreements(assessment):
        messages.error(
            request, _("Actions are changed during the dialogue; afterwards only their status.")
        )
        return redirect("manager_assessment", pk=assessment.pk)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        instance=action,
        assessment=assessment,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            agreements.update_action(
                assessment,
                action,
                request.user,
                lock_version=form.cleaned_data["lock_version"],
                **form.service_values(),
            )
        except agreements.AgreementConflict as clash:
            if clash.current is None:
                messages.error(request, _("Someone else deleted this action meanwhile."))
                return redirect(dialogue_url(assessment, "actions"))
            conflict = clash.current
            data = request.POST.copy()
            data["lock_version"] = str(conflict.lock_version)
            form = ActionForm(data, instance=conflict, assessment=assessment)
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect(dialogue_url(assessment, "actions"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action is saved."))
            return redirect(dialogue_url(assessment, "actions"))
    return render(
        request,
        "assessments/manager/action_form.html",
        {
            "assessment": assessment,
            "form": form,
            "action": action,
            "conflict": conflict,
            "conflict_values": _action_values(conflict) if conflict else [],
        },
    )


@login_required
def action_delete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    assessment = managed(request, pk)
    action = action_of(assessment, action_pk)
    if request.method == "POST":
        try:
            agreements.delete_action(assessment, action, request.user)
        except agreements.AgreementConflict:
            messages.info(request, _("The action was already deleted."))
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The action is deleted."))
        return redirect(dialogue_url(assessment, "actions"))
    return render(
        request,
        "assessments/manager/action_delete.html",
        {
            "assessment": assessment,
            "action": action,
            "editable": workflow.accepts_agreements(assessment),
        },
    )


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Follow an action up, in the dialogue and after completion (also from a later round)."""
    assessment = managed(request, pk)
    action = action_of(assessment, action_pk)
    back = safe_next(request, dialogue_url(assessment, "actions"))
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        updated = agreements.set_action_status(
            assessment,
            action,
            request.user,
            status=form.cleaned_data["status"],
            lock_version=form.cleaned_data["lock_version"],
        )
    except agreements.AgreementConflict as clash:
        if clash.current is None:
            messages.error(request, _("Someone else deleted this action meanwhile."))
        else:
            messages.error(
                request,
                _(
                    "Someone else changed “%(title)s” meanwhile; its status is now “%(status)s”. "
                    "Nothing was overwritten."
                )
                % {"title": clash.current.title, "status": clash.current.get_status_display()},
            )
    except (workflow.WorkflowError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” is now “%(status)s”.")
            % {"title": updated.title, "status": updated.get_status_display()},
        )
    return redirect(back)

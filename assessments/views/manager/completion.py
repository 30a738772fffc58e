"""Completion: what will be locked, exactly what quality developers will see, then a
confirmed step that locks the assessment."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ... import disclosure, group_results, workflow
from ...forms_manager import CompletionForm
from ...models import BalanceKind, UnitAssessment
from .common import framework_of, managed, person, steering_names

# --- completion ----------------------------------------------------------------------------


class ConfirmedCompletionForm(CompletionForm):
    """The group's choice on its notes, and the manager's confirmation that all is locked."""

    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that the answers and agreements are locked"),
        error_messages={
            "required": gettext_lazy(
                "Tick the box to confirm that the answers and agreements will be locked."
            )
        },
    )


@dataclass(frozen=True)
class Locked:
    """What completing locks: how much is agreed and what is not, by name."""

    kind: str  # "principles", "dimensions" or "balances"
    agreed: int
    total: int
    open: list[str]  # names of what is not (fully) agreed


def _what_is_locked(principle_rows, dimension_rows, balance_rows) -> list[Locked]:
    principles = [p.name for p, _r, a in principle_rows if a is None or a.score is None]
    dimensions = [
        d.name for d, _r, a in dimension_rows if a is None or a.now is None or a.desired is None
    ]
    balances = [str(label) for label, _r, a in balance_rows if a is None]
    return [
        Locked(
            "principles", len(principle_rows) - len(principles), len(principle_rows), principles
        ),
        Locked(
            "dimensions", len(dimension_rows) - len(dimensions), len(dimension_rows), dimensions
        ),
        Locked("balances", len(balance_rows) - len(balances), len(balance_rows), balances),
    ]


def _choice_from_query(request: HttpRequest, assessment: UnitAssessment) -> bool:
    """The share-notes choice of a GET: the preview form's tick box when it was sent (the
    hidden ``preview`` field says so), else what was stored (after a reopening)."""
    if assessment.is_completed:
        return assessment.share_notes
    if "preview" in request.GET or "share_notes" in request.GET:
        return request.GET.get("share_notes") in {"on", "1", "true"}
    return assessment.share_notes


def _already_completed(request: HttpRequest, assessment: UnitAssessment) -> HttpResponse:
    """A second POST (a double click, another tab): nothing happens, and the page says so."""
    assessment.refresh_from_db(fields=["state", "completed_at", "completed_by"])
    messages.info(
        request,
        _("The self-assessment was already completed on %(when)s by %(who)s; nothing was changed.")
        % {
            "when": date_format(timezone.localtime(assessment.completed_at), "DATETIME_FORMAT"),
            "who": person(assessment.completed_by),
        },
    )
    return redirect("manager_assessment", pk=assessment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """What will be locked and what quality developers will see; a confirmed POST locks."""
    assessment = managed(request, pk)
    if request.method == "POST":
        if assessment.is_completed:
            return _already_completed(request, assessment)
        form = ConfirmedCompletionForm(request.POST)
        valid = form.is_valid()
        if assessment.is_dialogue and not valid:
            share_notes = form.cleaned_data.get("share_notes", False)
            return _page(request, assessment, form, share_notes, status=400)
        # Outside the dialogue the workflow refuses, whatever the form says, and says why.
        try:
            workflow.complete(
                assessment,
                request.user,
                share_notes=valid and form.cleaned_data["share_notes"],
            )
        except workflow.WorkflowError as error:
            if error.code == "wrong_state":
                assessment.refresh_from_db(fields=["state"])
                if assessment.is_completed:  # completed meanwhile, by the first of two POSTs
                    return _already_completed(request, assessment)
            messages.error(request, error.message)
            return redirect("manager_complete", pk=assessment.pk)
        messages.success(request, _("The self-assessment is completed and locked."))
        return redirect("manager_assessment", pk=assessment.pk)

    share_notes = _choice_from_query(request, assessment)
    form = ConfirmedCompletionForm(initial={"share_notes": share_notes})
    return _page(request, assessment, form, share_notes)


def _page(
    request: HttpRequest,
    assessment: UnitAssessment,
    form: ConfirmedCompletionForm,
    share_notes: bool,
    *,
    status: int = 200,
) -> HttpResponse:
    principles, dimensions = framework_of(assessment)
    counted = disclosure.participation(assessment)
    figures = disclosure.shown(assessment)
    results = (
        group_results.group_results(figures, principles, dimensions, with_comments=False)
        if figures
        else None
    )
    agreed = group_results.agreed(assessment)
    principle_results = {r.principle.pk: r for r in results.principles} if results else {}
    dimension_results = {r.dimension.pk: r for r in results.dimensions} if results else {}
    balance_results = {r.kind: r for r in results.balances} if results else {}
    principle_rows = [
        (p, principle_results.get(p.pk), agreed.principles.get(p.pk)) for p in principles
    ]
    dimension_rows = [
        (d, dimension_results.get(d.pk), agreed.dimensions.get(d.pk)) for d in dimensions
    ]
    balance_rows = [
        (label, balance_results.get(kind), agreed.balances.get(kind))
        for kind, label in BalanceKind.choices
    ]
    actions = list(assessment.actions.select_related("principle"))
    can_complete = assessment.is_dialogue
    return render(
        request,
        "assessments/manager/complete.html",
        {
            "assessment": assessment,
            "participation": counted,
            "min_respondents": counted.threshold,
            "figures": figures,
            "results": results,
            "share_notes": share_notes,
            "form": form,
            "principle_rows": principle_rows,
            "dimension_rows": dimension_rows,
            "balance_rows": balance_rows,
            "noted_rows": [
                (p, a) for p, _r, a in principle_rows if a and (a.strengths or a.obstacles)
            ],
            "locked": _what_is_locked(principle_rows, dimension_rows, balance_rows)
            if can_complete
            else [],
            "steering": steering_names(assessment),
            "actions": actions,
            "can_complete": can_complete,
        },
        status=status,
    )

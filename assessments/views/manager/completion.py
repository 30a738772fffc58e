"""Completion: preview exactly what quality developers will see, then lock the assessment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ... import disclosure, group_results, workflow
from ...forms_manager import (
    CompletionForm,
)
from ...models import (
    BalanceKind,
)
from .common import framework_of, managed, steering_names

# --- completion ----------------------------------------------------------------------------


@login_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview exactly what quality developers will see, then lock the assessment."""
    assessment = managed(request, pk)
    if request.method == "POST":
        form = CompletionForm(request.POST)
        form.is_valid()  # a single optional tick box: always valid
        try:
            workflow.complete(
                assessment, request.user, share_notes=form.cleaned_data.get("share_notes", False)
            )
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect("manager_complete", pk=assessment.pk)
        messages.success(request, _("The self-assessment is completed and locked."))
        return redirect("manager_assessment", pk=assessment.pk)

    if assessment.is_completed:
        share_notes = assessment.share_notes
    else:
        share_notes = request.GET.get("share_notes") in {"on", "1", "true"}
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
            "form": CompletionForm(initial={"share_notes": share_notes}),
            "principle_rows": [
                (p, principle_results.get(p.pk), agreed.principles.get(p.pk)) for p in principles
            ],
            "dimension_rows": [
                (d, dimension_results.get(d.pk), agreed.dimensions.get(d.pk)) for d in dimensions
            ],
            "balance_rows": [
                (label, balance_results.get(kind), agreed.balances.get(kind))
                for kind, label in BalanceKind.choices
            ],
            "steering": steering_names(assessment),
            "actions": list(assessment.actions.select_related("principle")),
            "can_complete": assessment.is_dialogue,
        },
    )

"""The dialogue meeting on the projector: participation, the released results, the agreement
forms and the actions, and the live count it polls.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from principles.models import (
    Dimension,
    Principle,
)

from ... import disclosure, group_results, workflow
from ...forms_manager import (
    ActionForm,
    BalanceAgreementForm,
    DimensionAgreementForm,
    PrincipleAgreementForm,
)
from ...models import (
    ActionStatus,
    BalanceAgreement,
    BalanceKind,
    DimensionAgreement,
    PrincipleAgreement,
)
from .agreements import balance_form, dimension_form, principle_form
from .common import (
    framework_of,
    managed,
    steering_names,
)

# --- the dialogue --------------------------------------------------------------------------


@dataclass
class PrincipleSection:
    principle: Principle
    result: group_results.PrincipleResult | None
    agreement: PrincipleAgreement | None
    form: PrincipleAgreementForm


@dataclass
class DimensionSection:
    dimension: Dimension
    result: group_results.DimensionResult | None
    agreement: DimensionAgreement | None
    form: DimensionAgreementForm


@dataclass
class BalanceSection:
    kind: str
    label: str
    result: group_results.BalanceResult | None
    agreement: BalanceAgreement | None
    form: BalanceAgreementForm


@login_required
@require_GET
def dialogue(request: HttpRequest, pk: int) -> HttpResponse:
    """The projector view of the meeting: participation, results, agreements, actions."""
    assessment = managed(request, pk)
    principles, dimensions = framework_of(assessment)
    counted = disclosure.participation(assessment, sources=True)
    figures = disclosure.shown(assessment)
    results = group_results.group_results(figures, principles, dimensions) if figures else None
    agreed = group_results.agreed(assessment)
    principle_results = {r.principle.pk: r for r in results.principles} if results else {}
    dimension_results = {r.dimension.pk: r for r in results.dimensions} if results else {}
    balance_results = {r.kind: r for r in results.balances} if results else {}
    steering = steering_names(assessment)
    editable = workflow.accepts_agreements(assessment)
    context = {
        "assessment": assessment,
        "participation": counted,
        "min_respondents": counted.threshold,
        "figures": figures,
        "results": results,
        "editable": editable,
        "poll": assessment.is_individual or assessment.is_dialogue,
        "principle_sections": [
            PrincipleSection(
                principle=p,
                result=principle_results.get(p.pk),
                agreement=agreed.principles.get(p.pk),
                form=principle_form(p, agreed.principles.get(p.pk)),
            )
            for p in principles
        ],
        "dimension_sections": [
            DimensionSection(
                dimension=d,
                result=dimension_results.get(d.pk),
                agreement=agreed.dimensions.get(d.pk),
                form=dimension_form(d, agreed.dimensions.get(d.pk)),
            )
            for d in dimensions
        ],
        "balance_sections": [
            BalanceSection(
                kind=kind,
                label=label,
                result=balance_results.get(kind),
                agreement=agreed.balances.get(kind),
                form=balance_form(kind, agreed.balances.get(kind), steering),
            )
            for kind, label in BalanceKind.choices
        ],
        "steering": steering,
        "actions": list(assessment.actions.select_related("principle")),
        "action_form": ActionForm(assessment=assessment) if editable else None,
        "status_choices": ActionStatus.choices,
    }
    return render(request, "assessments/manager/dialogue.html", context)


@login_required
@require_GET
def dialogue_status(request: HttpRequest, pk: int) -> JsonResponse:
    """How many have answered, for the live count (polled every few seconds). Counts only."""
    assessment = managed(request, pk)
    payload = disclosure.participation(assessment).as_json()
    payload |= {"state": assessment.state, "results_shown": assessment.shows_figures}
    response = JsonResponse(payload)
    response["Cache-Control"] = "no-store"
    return response

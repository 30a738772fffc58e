"""Running the assessment: its page, the code for the projector and the steps from one state
to the next.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from governance import report as governance_report
from tillit.fields import sent_more_than_once, whole_number

from ... import disclosure, joincodes, scoping, workflow
from ...models import (
    CLOSED_ACTION_STATUSES,
    Action,
    ActionStatus,
    AssessmentState,
    StateChange,
    UnitAssessment,
)
from ...qr import qr_svg
from .common import (
    dialogue_url,
    join_url,
    managed,
    person,
)

# --- the assessment page -------------------------------------------------------------------


STEP_ORDER = [
    AssessmentState.PREPARING,
    AssessmentState.INDIVIDUAL,
    AssessmentState.DIALOGUE,
    AssessmentState.COMPLETED,
]


def _earlier_open_actions(request: HttpRequest, assessment: UnitAssessment):
    """Actions of this unit's earlier rounds still open: where a new round starts."""
    return (
        Action.objects.filter(
            assessment__in=scoping.managed_assessments(request.user),
            assessment__unit_id=assessment.unit_id,
            assessment__round__opens_on__lte=assessment.round.opens_on,
        )
        .exclude(assessment=assessment)
        .exclude(status__in=CLOSED_ACTION_STATUSES)
        .select_related("assessment__round", "principle")
        .order_by("due_on", "pk")
    )


@login_required
@require_GET
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = managed(request, pk)
    link = join_url(request, assessment)
    return render(
        request,
        "assessments/manager/assessment.html",
        {
            "assessment": assessment,
            "steps": [(state, label) for state, label in AssessmentState.choices],
            "step_index": STEP_ORDER.index(assessment.state),
            "join_url": link,
            "join_code": joincodes.display(assessment.join_code),
            "qr": qr_svg(link, label=_("QR code for the link to the self-assessment")),
            "participation": disclosure.participation(assessment, sources=True),
            "earlier_actions": list(_earlier_open_actions(request, assessment)),
            "actions": list(assessment.actions.select_related("principle")),
            # The unit's steering signals with the answers from the levels above.
            "raised": governance_report.raised_before(assessment, include_own=True),
            "completed_by": person(assessment.completed_by),
            "history": [
                (change, person(change.changed_by))
                for change in StateChange.objects.filter(assessment=assessment).select_related(
                    "changed_by"
                )
            ],
            "status_choices": ActionStatus.choices,
        },
    )


@login_required
@require_GET
def show_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The join code, link and QR code, big and in high contrast, for the projector."""
    assessment = managed(request, pk)
    link = join_url(request, assessment)
    return render(
        request,
        "assessments/manager/show_code.html",
        {
            "assessment": assessment,
            "join_url": link,
            "join_code": joincodes.display(assessment.join_code),
            "qr": qr_svg(link, label=_("QR code for the link to the self-assessment")),
            "min_respondents": disclosure.threshold(),
            "participation": disclosure.participation(assessment),
        },
    )


# --- steps ---------------------------------------------------------------------------------


def _expected(request: HttpRequest) -> int | None:
    """The number of participants typed on the assessment page (None when not a number)."""
    if sent_more_than_once(request.POST, "expected"):
        return None
    try:
        return whole_number(request.POST.get("expected", ""), max_digits=4)
    except ValueError:
        return None


@dataclass(frozen=True)
class Step:
    service: Any
    done: Any  # a lazily translated message, or None when the service's outcome says it
    goes_to: str  # "page" or "dialogue"


STEPS = {
    "oppna-individuellt": Step(
        lambda assessment, user, request: workflow.open_individual(
            assessment, user, expected=_expected(request)
        ),
        gettext_lazy("Individual reflection is open: share the link, the code or the QR code."),
        "page",
    ),
    "antal": Step(
        lambda assessment, user, request: workflow.set_expected(
            assessment, user, expected=_expected(request)
        ),
        gettext_lazy("The number of participants expected is saved."),
        "page",
    ),
    "stang-individuellt": Step(
        lambda assessment, user, request: workflow.close_individual(assessment, user),
        gettext_lazy("Individual reflection is closed. The dialogue can begin."),
        "dialogue",
    ),
    "oppna-igen": Step(
        lambda assessment, user, request: workflow.reopen_individual(assessment, user),
        gettext_lazy(
            "Individual reflection is open again; no results are shown until it is closed."
        ),
        "page",
    ),
    "visa-resultat": Step(
        lambda assessment, user, request: workflow.reveal_results(assessment, user),
        None,
        "dialogue",
    ),
}


@login_required
@require_POST
def take_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    assessment = managed(request, pk)
    chosen = STEPS.get(step)
    if chosen is None:
        raise Http404
    try:
        outcome = chosen.service(assessment, request.user, request)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(chosen.done or outcome.message))
    if chosen.goes_to == "dialogue":
        return redirect(dialogue_url(assessment, "results"))
    return redirect("manager_assessment", pk=assessment.pk)

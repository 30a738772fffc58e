"""The manager's side of a self-assessment: the assessment page, the code for the projector,
the steps from one state to the next, the dialogue meeting with its agreements and actions,
and completion.

Every view looks the assessment up through ``scoping.managed_assessments``: another unit's
assessment is a 404, for quality developers too (they see completed results elsewhere).
Rules live in ``workflow``, ``agreements`` and ``disclosure`` (the only road from answers to
figures); views only wire them up.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from principles.models import (
    Dimension,
    Principle,
    ReflectionQuestion,
    Statement,
    SteeringKey,
    SteeringPrinciple,
)

from .. import agreements, disclosure, group_results, joincodes, scoping, workflow
from ..forms_manager import (
    ActionForm,
    ActionStatusForm,
    BalanceAgreementForm,
    CompletionForm,
    DimensionAgreementForm,
    PrincipleAgreementForm,
)
from ..models import (
    Action,
    ActionStatus,
    AssessmentState,
    BalanceAgreement,
    BalanceKind,
    DimensionAgreement,
    PrincipleAgreement,
    StateChange,
    UnitAssessment,
)
from ..qr import qr_svg

# --- lookups -------------------------------------------------------------------------------


def _managed(request: HttpRequest, pk: int) -> UnitAssessment:
    queryset = scoping.managed_assessments(request.user).select_related(
        "round__framework_version", "unit", "completed_by", "release"
    )
    return scoping.get_or_404(queryset, pk=pk)


def _action(assessment: UnitAssessment, action_pk: int) -> Action:
    return get_object_or_404(assessment.actions.select_related("principle"), pk=action_pk)


def _framework(assessment: UnitAssessment) -> tuple[list[Principle], list[Dimension]]:
    """The principles (statements and questions prefetched) and dimensions: four queries."""
    version_id = assessment.round.framework_version_id
    principles = list(
        Principle.objects.filter(version_id=version_id)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("statements", queryset=Statement.objects.order_by("order", "pk")),
            Prefetch("questions", queryset=ReflectionQuestion.objects.order_by("order", "pk")),
        )
    )
    dimensions = list(Dimension.objects.filter(version_id=version_id).order_by("order", "pk"))
    return principles, dimensions


def _steering_names(assessment: UnitAssessment) -> dict[str, str]:
    names = {key: str(label) for key, label in SteeringKey.choices}
    for item in SteeringPrinciple.objects.filter(version_id=assessment.round.framework_version_id):
        names[item.key] = item.name
    return names


def person(user) -> str:
    """How a manager or administrator is named on the page (never a participant)."""
    if user is None:
        return "–"
    return user.get_full_name() or user.get_username()


def join_url(request: HttpRequest, assessment: UnitAssessment) -> str:
    """The absolute link participants open (served by the participants' views)."""
    return request.build_absolute_uri(reverse("join_link", kwargs={"code": assessment.join_code}))


def _dialogue_url(assessment: UnitAssessment, anchor: str = "") -> str:
    url = reverse("manager_dialogue", args=[assessment.pk])
    return f"{url}#{anchor}" if anchor else url


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- the assessment page -------------------------------------------------------------------


STEP_ORDER = [
    AssessmentState.PREPARING,
    AssessmentState.INDIVIDUAL,
    AssessmentState.DIALOGUE,
    AssessmentState.COMPLETED,
]


def _earlier_open_actions(request: HttpRequest, assessment: UnitAssessment):
    """Actions of this unit's earlier rounds that are not done yet: where a new round starts."""
    return (
        Action.objects.filter(
            assessment__in=scoping.managed_assessments(request.user),
            assessment__unit_id=assessment.unit_id,
            assessment__round__opens_on__lte=assessment.round.opens_on,
        )
        .exclude(assessment=assessment)
        .exclude(status=ActionStatus.DONE)
        .select_related("assessment__round", "principle")
        .order_by("due_on", "pk")
    )


@login_required
@require_GET
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _managed(request, pk)
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
    assessment = _managed(request, pk)
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
        },
    )


# --- steps ---------------------------------------------------------------------------------


def _expected(request: HttpRequest) -> int | None:
    """The number of participants typed on the assessment page (None when not a number)."""
    raw = request.POST.get("expected", "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None


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
    assessment = _managed(request, pk)
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
        return redirect(_dialogue_url(assessment, "results"))
    return redirect("manager_assessment", pk=assessment.pk)


# --- the dialogue --------------------------------------------------------------------------


def _principle_form(principle, agreement, data=None) -> PrincipleAgreementForm:
    initial = {"lock_version": agreement.lock_version if agreement else 0}
    if agreement:
        initial |= {
            "score": agreement.score,
            "strengths": agreement.strengths,
            "obstacles": agreement.obstacles,
        }
    return PrincipleAgreementForm(data, initial=initial, prefix=f"principle-{principle.pk}")


def _dimension_form(dimension, agreement, data=None) -> DimensionAgreementForm:
    initial = {"lock_version": agreement.lock_version if agreement else 0}
    if agreement:
        initial |= {"now": agreement.now, "desired": agreement.desired}
    return DimensionAgreementForm(data, initial=initial, prefix=f"dimension-{dimension.pk}")


def _balance_form(kind: str, agreement, steering: dict[str, str], data=None):
    initial = {"lock_version": agreement.lock_version if agreement else 0}
    if agreement:
        initial |= {
            "market": agreement.market,
            "hierarchy": agreement.hierarchy,
            "trust": agreement.trust,
        }
    form = BalanceAgreementForm(data, initial=initial, prefix=f"balance-{kind}")
    for key in ("market", "hierarchy", "trust"):
        form.fields[key].label = steering[key]
    return form


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
    assessment = _managed(request, pk)
    principles, dimensions = _framework(assessment)
    counted = disclosure.participation(assessment, sources=True)
    figures = disclosure.shown(assessment)
    results = group_results.group_results(figures, principles, dimensions) if figures else None
    agreed = group_results.agreed(assessment)
    principle_results = {r.principle.pk: r for r in results.principles} if results else {}
    dimension_results = {r.dimension.pk: r for r in results.dimensions} if results else {}
    balance_results = {r.kind: r for r in results.balances} if results else {}
    steering = _steering_names(assessment)
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
                form=_principle_form(p, agreed.principles.get(p.pk)),
            )
            for p in principles
        ],
        "dimension_sections": [
            DimensionSection(
                dimension=d,
                result=dimension_results.get(d.pk),
                agreement=agreed.dimensions.get(d.pk),
                form=_dimension_form(d, agreed.dimensions.get(d.pk)),
            )
            for d in dimensions
        ],
        "balance_sections": [
            BalanceSection(
                kind=kind,
                label=label,
                result=balance_results.get(kind),
                agreement=agreed.balances.get(kind),
                form=_balance_form(kind, agreed.balances.get(kind), steering),
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
    assessment = _managed(request, pk)
    payload = disclosure.participation(assessment).as_json()
    payload |= {"state": assessment.state, "results_shown": assessment.shows_figures}
    response = JsonResponse(payload)
    response["Cache-Control"] = "no-store"
    return response


# --- agreements ----------------------------------------------------------------------------


def _with_lock_version(form, version: int):
    """The same submitted values, now based on the version that won: saving again is a choice."""
    data = form.data.copy()
    data[form.add_prefix("lock_version")] = str(version)
    rebound = type(form)(data, initial=form.initial, prefix=form.prefix)
    rebound.fields = form.fields  # keep labels set by the view
    return rebound


def _agreement_view(
    request: HttpRequest,
    assessment: UnitAssessment,
    *,
    form,
    save,
    heading: str,
    anchor: str,
    describe,
    current,
    template_context: dict,
) -> HttpResponse:
    """Show one agreement form; on POST save it, or show why not (errors, conflict)."""
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except agreements.AgreementConflict as clash:
            conflict = clash.current
            form = _with_lock_version(form, clash.current.lock_version)
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect(_dialogue_url(assessment, anchor))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved: %(what)s.") % {"what": heading})
            return redirect(_dialogue_url(assessment, anchor))
    return render(
        request,
        "assessments/manager/agreement.html",
        {
            "assessment": assessment,
            "form": form,
            "heading": heading,
            "anchor": anchor,
            "editable": workflow.accepts_agreements(assessment),
            "conflict": conflict,
            "conflict_by": person(conflict.updated_by) if conflict else "",
            "conflict_values": describe(conflict) if conflict else [],
            "current_values": describe(current) if current else [],
            "action_url": request.path,
            **template_context,
        },
    )


def _principle_values(agreement: PrincipleAgreement) -> list[tuple[str, Any]]:
    return [
        (_("Agreed score"), agreement.score or _("not agreed yet")),
        (_("Strengths"), agreement.strengths or "–"),
        (_("Obstacles"), agreement.obstacles or "–"),
    ]


def _dimension_values(agreement: DimensionAgreement) -> list[tuple[str, Any]]:
    return [
        (_("Now"), agreement.now or _("not agreed yet")),
        (_("Desired"), agreement.desired or _("not agreed yet")),
    ]


@login_required
def agree_principle(request: HttpRequest, pk: int, principle_pk: int) -> HttpResponse:
    assessment = _managed(request, pk)
    principle = get_object_or_404(
        Principle.objects.prefetch_related("questions"),
        pk=principle_pk,
        version_id=assessment.round.framework_version_id,
    )
    current = PrincipleAgreement.objects.filter(assessment=assessment, principle=principle).first()
    form = _principle_form(principle, current, request.POST if request.method == "POST" else None)

    def save(data):
        return agreements.save_principle_agreement(
            assessment,
            principle,
            request.user,
            lock_version=data["lock_version"],
            score=data["score"],
            strengths=data["strengths"],
            obstacles=data["obstacles"],
        )

    return _agreement_view(
        request,
        assessment,
        form=form,
        save=save,
        heading=principle.name,
        anchor=f"principle-{principle.key}",
        describe=_principle_values,
        current=current,
        template_context={"kind": "principle", "principle": principle},
    )


@login_required
def agree_dimension(request: HttpRequest, pk: int, dimension_pk: int) -> HttpResponse:
    assessment = _managed(request, pk)
    dimension = get_object_or_404(
        Dimension, pk=dimension_pk, version_id=assessment.round.framework_version_id
    )
    current = DimensionAgreement.objects.filter(assessment=assessment, dimension=dimension).first()
    form = _dimension_form(dimension, current, request.POST if request.method == "POST" else None)

    def save(data):
        return agreements.save_dimension_agreement(
            assessment,
            dimension,
            request.user,
            lock_version=data["lock_version"],
            now=data["now"],
            desired=data["desired"],
        )

    return _agreement_view(
        request,
        assessment,
        form=form,
        save=save,
        heading=dimension.name,
        anchor=f"dimension-{dimension.key}",
        describe=_dimension_values,
        current=current,
        template_context={"kind": "dimension", "dimension": dimension},
    )


@login_required
def agree_balance(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    assessment = _managed(request, pk)
    labels = dict(BalanceKind.choices)
    if kind not in labels:
        raise Http404
    current = BalanceAgreement.objects.filter(assessment=assessment, kind=kind).first()
    steering = _steering_names(assessment)
    form = _balance_form(
        kind, current, steering, request.POST if request.method == "POST" else None
    )

    def describe(agreement: BalanceAgreement) -> list[tuple[str, Any]]:
        return [
            (steering[key], getattr(agreement, key)) for key in ("market", "hierarchy", "trust")
        ]

    def save(data):
        return agreements.save_balance_agreement(
            assessment,
            kind,
            request.user,
            lock_version=data["lock_version"],
            market=data["market"],
            hierarchy=data["hierarchy"],
            trust=data["trust"],
        )

    heading = _("Steering balance – %(kind)s") % {"kind": str(labels[kind]).lower()}
    return _agreement_view(
        request,
        assessment,
        form=form,
        save=save,
        heading=heading,
        anchor=f"balance-{kind}",
        describe=describe,
        current=current,
        template_context={"kind": "balance", "balance_kind": kind},
    )


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
    assessment = _managed(request, pk)
    if not workflow.accepts_agreements(assessment):
        messages.error(request, _("Actions are added during the dialogue."))
        return redirect(_dialogue_url(assessment, "actions"))
    form = ActionForm(request.POST if request.method == "POST" else None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.create_action(assessment, request.user, **form.service_values())
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect(_dialogue_url(assessment, "actions"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action is added."))
            return redirect(_dialogue_url(assessment, "actions"))
    return render(
        request,
        "assessments/manager/action_form.html",
        {"assessment": assessment, "form": form, "action": None},
    )


@login_required
def action_edit(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    assessment = _managed(request, pk)
    action = _action(assessment, action_pk)
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
                return redirect(_dialogue_url(assessment, "actions"))
            conflict = clash.current
            data = request.POST.copy()
            data["lock_version"] = str(conflict.lock_version)
            form = ActionForm(data, instance=conflict, assessment=assessment)
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect(_dialogue_url(assessment, "actions"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action is saved."))
            return redirect(_dialogue_url(assessment, "actions"))
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
    assessment = _managed(request, pk)
    action = _action(assessment, action_pk)
    if request.method == "POST":
        try:
            agreements.delete_action(assessment, action, request.user)
        except agreements.AgreementConflict:
            messages.info(request, _("The action was already deleted."))
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The action is deleted."))
        return redirect(_dialogue_url(assessment, "actions"))
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
    assessment = _managed(request, pk)
    action = _action(assessment, action_pk)
    back = _safe_next(request, _dialogue_url(assessment, "actions"))
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


# --- completion ----------------------------------------------------------------------------


@login_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview exactly what quality developers will see, then lock the assessment."""
    assessment = _managed(request, pk)
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
    principles, dimensions = _framework(assessment)
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
            "steering": _steering_names(assessment),
            "actions": list(assessment.actions.select_related("principle")),
            "can_complete": assessment.is_dialogue,
        },
    )


urlpatterns = [
    path("skattning/<int:pk>/", assessment_page, name="manager_assessment"),
    path("skattning/<int:pk>/kod/", show_code, name="manager_show_code"),
    path("skattning/<int:pk>/steg/<slug:step>/", take_step, name="manager_step"),
    path("skattning/<int:pk>/dialog/", dialogue, name="manager_dialogue"),
    path("skattning/<int:pk>/dialog/status/", dialogue_status, name="manager_dialogue_status"),
    path(
        "skattning/<int:pk>/overenskommelse/princip/<int:principle_pk>/",
        agree_principle,
        name="manager_agree_principle",
    ),
    path(
        "skattning/<int:pk>/overenskommelse/dimension/<int:dimension_pk>/",
        agree_dimension,
        name="manager_agree_dimension",
    ),
    path(
        "skattning/<int:pk>/overenskommelse/balans/<slug:kind>/",
        agree_balance,
        name="manager_agree_balance",
    ),
    path("skattning/<int:pk>/atgarder/ny/", action_create, name="manager_action_create"),
    path("skattning/<int:pk>/atgarder/<int:action_pk>/", action_edit, name="manager_action_edit"),
    path(
        "skattning/<int:pk>/atgarder/<int:action_pk>/ta-bort/",
        action_delete,
        name="manager_action_delete",
    ),
    path(
        "skattning/<int:pk>/atgarder/<int:action_pk>/status/",
        action_status,
        name="manager_action_status",
    ),
    path("skattning/<int:pk>/avsluta/", complete, name="manager_complete"),
]

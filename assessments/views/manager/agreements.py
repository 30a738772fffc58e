"""Recording what the group agrees: a principle's score and notes, a dimension's now and
desired, the steering balance – with optimistic locking against a second facilitator.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from principles.models import (
    Dimension,
    Principle,
)

from ... import agreements, workflow
from ...forms_manager import BalanceAgreementForm, DimensionAgreementForm, PrincipleAgreementForm
from ...models import (
    BalanceAgreement,
    BalanceKind,
    DimensionAgreement,
    PrincipleAgreement,
    UnitAssessment,
)
from .common import (
    dialogue_url,
    managed,
    person,
    steering_names,
)

# --- the forms, as the dialogue page and the agreement pages show them ----------------


def principle_form(principle, agreement, data=None) -> PrincipleAgreementForm:
    initial = {"lock_version": agreement.lock_version if agreement else 0}
    if agreement:
        initial |= {
            "score": agreement.score,
            "strengths": agreement.strengths,
            "obstacles": agreement.obstacles,
        }
    return PrincipleAgreementForm(data, initial=initial, prefix=f"principle-{principle.pk}")


def dimension_form(dimension, agreement, data=None) -> DimensionAgreementForm:
    initial = {"lock_version": agreement.lock_version if agreement else 0}
    if agreement:
        initial |= {"now": agreement.now, "desired": agreement.desired}
    return DimensionAgreementForm(data, initial=initial, prefix=f"dimension-{dimension.pk}")


def balance_form(kind: str, agreement, steering: dict[str, str], data=None):
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
            return redirect(dialogue_url(assessment, anchor))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved: %(what)s.") % {"what": heading})
            return redirect(dialogue_url(assessment, anchor))
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
    assessment = managed(request, pk)
    principle = get_object_or_404(
        Principle.objects.prefetch_related("questions"),
        pk=principle_pk,
        version_id=assessment.round.framework_version_id,
    )
    current = PrincipleAgreement.objects.filter(assessment=assessment, principle=principle).first()
    form = principle_form(principle, current, request.POST if request.method == "POST" else None)

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
    assessment = managed(request, pk)
    dimension = get_object_or_404(
        Dimension, pk=dimension_pk, version_id=assessment.round.framework_version_id
    )
    current = DimensionAgreement.objects.filter(assessment=assessment, dimension=dimension).first()
    form = dimension_form(dimension, current, request.POST if request.method == "POST" else None)

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
    assessment = managed(request, pk)
    labels = dict(BalanceKind.choices)
    if kind not in labels:
        raise Http404
    current = BalanceAgreement.objects.filter(assessment=assessment, kind=kind).first()
    steering = steering_names(assessment)
    form = balance_form(kind, current, steering, request.POST if request.method == "POST" else None)

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

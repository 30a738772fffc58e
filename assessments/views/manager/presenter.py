"""The dialogue meeting on the projector, one item at a time: a principle, a dimension or the
steering balance, in large type, with the reflection questions beside the figures and what the
group has agreed, which the page polls for while the facilitator records it in the dialogue.

Figures come only from the released snapshot (``disclosure.shown``) laid out by
``group_results``; comments are never shown here (a projector faces a room). The agenda puts
disagreement first once results are shown: principles by their widest statement spread, then
dimensions by their now–desired gap, then the balance; before that, the framework's order.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from principles.models import Dimension, Principle

from ... import disclosure, group_results
from ...models import (
    BalanceAgreement,
    BalanceKind,
    DimensionAgreement,
    PrincipleAgreement,
    UnitAssessment,
)
from .common import framework_of, managed, steering_names

PRINCIPLE = "principle"
DIMENSION = "dimension"
BALANCE = "balance"


@dataclass
class AgendaItem:
    """One stop of the meeting: its slug in the URL, what it is and its released result."""

    slug: str
    kind: str
    name: str
    principle: Principle | None = None
    dimension: Dimension | None = None
    principle_result: group_results.PrincipleResult | None = None
    dimension_result: group_results.DimensionResult | None = None
    number: int = 0  # its place on the agenda, from 1


def _widest_spread(item: AgendaItem) -> float | None:
    """The largest spread among the principle's statements shown, or None."""
    result = item.principle_result
    statements = result.statements if result else []
    return max((s.figure.spread for s in statements if s.figure.spread is not None), default=None)


def _gap_size(item: AgendaItem) -> float | None:
    result = item.dimension_result
    return abs(result.gap) if result and result.gap is not None else None


def _last_when_none(value: float | None) -> tuple[int, float]:
    """A sort key: largest first, items without a figure after all the others."""
    return (1, 0.0) if value is None else (0, -value)


def agenda(
    principles: list[Principle],
    dimensions: list[Dimension],
    results: group_results.GroupResults | None,
) -> list[AgendaItem]:
    """The meeting's items in the order they are talked about (no query).

    With released results, disagreement first: principles by their largest statement spread,
    dimensions by the size of their now–desired gap (ties keep the framework's order, as the
    sort is stable), then the balance. Without results, the framework's order.
    """
    by_principle = {r.principle.pk: r for r in results.principles} if results else {}
    by_dimension = {r.dimension.pk: r for r in results.dimensions} if results else {}
    principle_items = [
        AgendaItem(
            slug=f"{PRINCIPLE}-{p.key}",
            kind=PRINCIPLE,
            name=p.name,
            principle=p,
            principle_result=by_principle.get(p.pk),
        )
        for p in principles
    ]
    dimension_items = [
        AgendaItem(
            slug=f"{DIMENSION}-{d.key}",
            kind=DIMENSION,
            name=d.name,
            dimension=d,
            dimension_result=by_dimension.get(d.pk),
        )
        for d in dimensions
    ]
    if results:
        principle_items.sort(key=lambda item: _last_when_none(_widest_spread(item)))
        dimension_items.sort(key=lambda item: _last_when_none(_gap_size(item)))
    items = [
        *principle_items,
        *dimension_items,
        AgendaItem(slug=BALANCE, kind=BALANCE, name=_("Three steering principles in balance")),
    ]
    for number, item in enumerate(items, start=1):
        item.number = number
    return items


# --- what the group has agreed -------------------------------------------------------------


@dataclass
class Agreed:
    """The agreement of one item, by group ("principle", "dimension", or "now" and
    "desired" for the balance): the values shown, and a stamp that changes with every save."""

    groups: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    version: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "agreed": self.groups}


def _principle_values(a: PrincipleAgreement) -> dict[str, Any]:
    return {"score": a.score, "strengths": a.strengths, "obstacles": a.obstacles}


def _dimension_values(a: DimensionAgreement) -> dict[str, Any]:
    return {"now": a.now, "desired": a.desired}


def _balance_values(a: BalanceAgreement) -> dict[str, Any]:
    return {"market": a.market, "hierarchy": a.hierarchy, "trust": a.trust}


def agreed_for(assessment: UnitAssessment, kind: str, pk: int | None = None) -> Agreed:
    """What the group has agreed for one item: one query."""
    if kind == PRINCIPLE:
        found = PrincipleAgreement.objects.filter(assessment=assessment, principle_id=pk).first()
        stored = {PRINCIPLE: (found, _principle_values)}
    elif kind == DIMENSION:
        found = DimensionAgreement.objects.filter(assessment=assessment, dimension_id=pk).first()
        stored = {DIMENSION: (found, _dimension_values)}
    else:
        kinds = {a.kind: a for a in BalanceAgreement.objects.filter(assessment=assessment)}
        stored = {k: (kinds.get(k), _balance_values) for k in BalanceKind.values}
    return Agreed(
        groups={group: values(a) if a else None for group, (a, values) in stored.items()},
        version="-".join(_stamp(a) for a, _values in stored.values()),
    )


def _stamp(agreement) -> str:
    """Changes with every save, and when an agreement is removed and made again."""
    if agreement is None:
        return "0"
    return f"{agreement.lock_version}.{int(agreement.updated_at.timestamp() * 1_000_000)}"


# --- the views ---------------------------------------------------------------------------------


def _split(slug: str) -> tuple[str, str]:
    """An item's slug split: principle-tillit gives ("principle", "tillit")."""
    if slug == BALANCE:
        return BALANCE, ""
    kind, _dash, key = slug.partition("-")
    if kind not in (PRINCIPLE, DIMENSION) or not key:
        raise Http404
    return kind, key


@login_required
@require_GET
@never_cache  # what the group agreed changes during the meeting: never a stale copy
def presenter(request: HttpRequest, pk: int, item: str | None = None) -> HttpResponse:
    """One agenda item on the projector (the first one without ``item``)."""
    assessment = managed(request, pk)
    principles, dimensions = framework_of(assessment)
    figures = disclosure.shown(assessment)
    results = (
        group_results.group_results(figures, principles, dimensions, with_comments=False)
        if figures
        else None
    )
    items = agenda(principles, dimensions, results)
    if item is None:
        current = items[0]
    else:
        current = next((i for i in items if i.slug == item), None)
        if current is None:
            raise Http404
    index = current.number - 1
    target = current.principle or current.dimension
    balances = None
    steering = None
    if current.kind == BALANCE:
        steering = steering_names(assessment)
        if results:
            balances = results.balances
    agreed = agreed_for(assessment, current.kind, target.pk if target else None)
    context = {
        "assessment": assessment,
        "figures": figures,
        "min_respondents": figures.threshold if figures else disclosure.threshold(),
        "items": items,
        "item": current,
        "previous": items[index - 1] if index > 0 else None,
        "next": items[index + 1] if index + 1 < len(items) else None,
        "balances": balances,
        "steering": steering,
        "agreed": agreed,
        "balance_agreed": [
            (kind, label, agreed.groups.get(kind)) for kind, label in BalanceKind.choices
        ],
        "poll": not assessment.is_completed,
    }
    return render(request, "assessments/manager/presenter.html", context)


@login_required
@require_GET
def presenter_item_status(request: HttpRequest, pk: int, item: str) -> JsonResponse:
    """What the group has agreed for one item, with a stamp that changes on every save, and
    which release the page should show (it reloads when that changes). No figure."""
    assessment = managed(request, pk)
    kind, key = _split(item)
    version_id = assessment.round.framework_version_id
    target = None
    if kind == PRINCIPLE:
        target = get_object_or_404(Principle.objects.only("pk"), version_id=version_id, key=key)
    elif kind == DIMENSION:
        target = get_object_or_404(Dimension.objects.only("pk"), version_id=version_id, key=key)
    payload = agreed_for(assessment, kind, target.pk if target else None).as_json()
    payload |= {
        "item": item,
        "state": assessment.state,
        "release": assessment.release.number if assessment.shows_figures else None,
    }
    response = JsonResponse(payload)
    response["Cache-Control"] = "no-store"
    return response

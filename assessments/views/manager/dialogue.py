"""The facilitator's view of the dialogue meeting: participation, the released results, what
the group agrees, and the actions; the live count it polls.

Nothing typed is lost. Every agreement field on the page belongs to one form (the HTML
``form`` attribute), and each item's button saves every field that changed, so text typed in
one item survives saving another; errors and conflicts come back beside their fields on the
same page. With JavaScript (``static/js/facilitator.js``) each field also saves on its own as
it is typed, through ``save_field``. Every save names the value the field had when editing
began: a field someone else changed meanwhile is a conflict, never a silent overwrite.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import report as governance_report
from principles.models import Dimension, Principle
from tillit.fields import REPEATED, sent_more_than_once, whole_number

from ... import agreements, disclosure, followup, group_results, workflow
from ...forms_manager import ActionForm
from ...models import ActionOutcome, ActionStatus, BalanceKind, UnitAssessment
from .common import dialogue_url, framework_of, managed, person, steering_names

# --- one field of an agreement, as the page shows it ------------------------------------------


def serialise(kind: str, value: object) -> str:
    """A stored value as the page carries it in a hidden input or a data attribute."""
    if value is None:
        return ""
    if kind == "balance":
        return ",".join(str(part) for part in value)
    return str(value)


def parse_base(kind: str, field_name: str, raw: str) -> object:
    """The inverse of ``serialise`` for what the page sent back (never trusted as valid)."""
    raw = raw.replace("\r\n", "\n")
    if field_name in ("strengths", "obstacles"):
        return raw.strip()
    if raw == "":
        return None
    try:
        if kind == "balance":
            return tuple(whole_number(part) for part in raw.split(","))
        return whole_number(raw)
    except ValueError:
        return object()  # matches nothing stored: a conflict, never an overwrite


@dataclass
class FieldView:
    item: str
    name: str
    value: object  # what the input shows
    base: str  # the stored value the facilitator started from
    error: str = ""
    conflict: str = ""  # what someone else saved meanwhile, as text
    conflict_by: str = ""

    @property
    def html_name(self) -> str:
        return f"{self.item}-{self.name}"


@dataclass
class Item:
    key: str  # "principle-12", "dimension-3", "balance-now"
    kind: str
    agreement: object
    label: str = ""
    fields: dict[str, FieldView] = field(default_factory=dict)

    @property
    def has_problem(self) -> bool:
        return any(f.error or f.conflict for f in self.fields.values())


def _describe(kind: str, value: object, steering: dict[str, str]) -> str:
    if value is None or value == "":
        return _("nothing")
    if kind == "balance":
        return ", ".join(
            f"{steering[key]} {part}" for key, part in zip(agreements.POINTS, value, strict=True)
        )
    return str(value)


def _names(item: Item, name: str) -> list[str]:
    """The names a field's value and base are posted under."""
    base = f"{item.key}-{name}"
    if item.kind == "balance":
        return [f"{base}-{p}" for p in agreements.POINTS] + [f"{base}-base"]
    return [base, f"{base}-base"]


def _raw(data, item: Item, name: str) -> str | dict[str, str] | None:
    """What the page sent for a field; None when the page did not carry it."""
    if item.kind == "balance":
        parts = {p: data.get(f"{item.key}-{name}-{p}") for p in agreements.POINTS}
        return (
            None
            if all(v is None for v in parts.values())
            else {p: v or "" for p, v in parts.items()}
        )
    return data.get(f"{item.key}-{name}")


def _item(key: str, kind: str, label: str, agreement, data=None) -> Item:
    item = Item(key=key, kind=kind, agreement=agreement, label=label)
    for name in agreements.FIELDS_OF[kind]:
        stored = agreements.stored_value(agreement, kind, name)
        shown: object = stored
        if kind == "balance":
            shown = dict(zip(agreements.POINTS, stored or ("", "", ""), strict=True))
        # What the facilitator sent is kept on the page, whatever happens to it.
        sent = _raw(data, item, name) if data is not None else None
        item.fields[name] = FieldView(
            key, name, shown if sent is None else sent, serialise(kind, stored)
        )
    return item


def _save_page(request: HttpRequest, assessment: UnitAssessment, items: list[Item], steering):
    """Save every field the page changed; note errors and conflicts on the fields."""
    saved = 0
    for item in items:
        for name, view in item.fields.items():
            raw = _raw(request.POST, item, name)
            if raw is None:
                continue
            base_raw = request.POST.get(f"{item.key}-{name}-base", "")
            if sent_more_than_once(request.POST, *_names(item, name)):
                view.error, view.base = str(REPEATED), base_raw
                continue
            try:
                value = agreements.parse_field(item.kind, name, raw)
                base = parse_base(item.kind, name, base_raw)
                if value == base:
                    view.base = base_raw
                    continue
                stored = agreements.save_field(
                    assessment, request.user, item=item.key, field=name, value=value, base=base
                )
            except ValidationError as error:
                view.error = " ".join(_messages(error))
                view.base = base_raw
            except agreements.FieldConflict as clash:
                view.conflict = _describe(item.kind, clash.current, steering)
                view.conflict_by = person(clash.by)
                view.base = serialise(item.kind, clash.current)  # saving again is a choice
            else:
                saved += 1
                item.agreement = stored
                view.base = serialise(item.kind, agreements.stored_value(stored, item.kind, name))
    return saved


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for errors in error.message_dict.values() for m in errors]
    return list(error.messages)


# --- the page ------------------------------------------------------------------------------


@dataclass
class PrincipleSection:
    principle: Principle
    result: group_results.PrincipleResult | None
    item: Item
    followed_up: list[followup.RatedAction] = field(default_factory=list)  # last round's


@dataclass
class DimensionSection:
    dimension: Dimension
    result: group_results.DimensionResult | None
    item: Item


@dataclass
class BalanceSection:
    kind: str
    label: str
    result: group_results.BalanceResult | None
    item: Item


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def dialogue(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator's view of the meeting; a POST saves every changed agreement field."""
    return dialogue_page(request, managed(request, pk))


def dialogue_page(
    request: HttpRequest, assessment: UnitAssessment, *, action_form: ActionForm | None = None
) -> HttpResponse:
    """The page itself; ``action_form`` brings back a new action that was refused, so its
    errors show in place on the dialogue, not on a page of their own."""
    principles, dimensions = framework_of(assessment)
    agreed = group_results.agreed(assessment)
    data = request.POST if request.method == "POST" and action_form is None else None
    principle_items = [
        _item(f"principle-{p.pk}", "principle", p.name, agreed.principles.get(p.pk), data)
        for p in principles
    ]
    dimension_items = [
        _item(f"dimension-{d.pk}", "dimension", d.name, agreed.dimensions.get(d.pk), data)
        for d in dimensions
    ]
    balance_items = [
        _item(f"balance-{kind}", "balance", str(label), agreed.balances.get(kind), data)
        for kind, label in BalanceKind.choices
    ]
    steering = steering_names(assessment)
    items = principle_items + dimension_items + balance_items
    status = 200
    if data is not None:
        try:
            saved = _save_page(request, assessment, items, steering)
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect(dialogue_url(assessment))
        problems = [item for item in items if item.has_problem]
        if not problems:
            if saved:
                messages.success(request, _("Saved."))
            anchor = request.POST.get("save", "")
            known = anchor in {item.key for item in items}
            return redirect(dialogue_url(assessment, f"agree-{anchor}" if known else ""))
        status = 400

    counted = disclosure.participation(assessment, sources=True)
    figures = disclosure.shown(assessment)
    results = group_results.group_results(figures, principles, dimensions) if figures else None
    principle_results = {r.principle.pk: r for r in results.principles} if results else {}
    dimension_results = {r.dimension.pk: r for r in results.dimensions} if results else {}
    balance_results = {r.kind: r for r in results.balances} if results else {}
    editable = workflow.accepts_agreements(assessment)
    to_rate = followup.actions_to_rate(assessment)
    rated_by_key = followup.by_principle(to_rate)
    context = {
        "assessment": assessment,
        "participation": counted,
        "min_respondents": counted.threshold,
        "figures": figures,
        "results": results,
        "editable": editable,
        "poll": assessment.is_individual or assessment.is_dialogue,
        "principle_sections": [
            PrincipleSection(p, principle_results.get(p.pk), item, rated_by_key.get(p.key, []))
            for p, item in zip(principles, principle_items, strict=True)
        ],
        "dimension_sections": [
            DimensionSection(d, dimension_results.get(d.pk), item)
            for d, item in zip(dimensions, dimension_items, strict=True)
        ],
        "balance_sections": [
            BalanceSection(kind, label, balance_results.get(kind), item)
            for (kind, label), item in zip(BalanceKind.choices, balance_items, strict=True)
        ],
        "problems": [item for item in items if item.has_problem],
        "steering": steering,
        "points": [(key, steering[key]) for key in agreements.POINTS],
        "scale5": range(1, 6),
        "scale7": range(1, 8),
        "actions": list(assessment.actions.select_related("principle")),
        # The steering signals have their own page; the dialogue shows how many and links it.
        "signal_counts": governance_report.dialogue_counts(assessment),
        "action_form": action_form or (ActionForm(assessment=assessment) if editable else None),
        "status_choices": ActionStatus.choices,
        "to_rate": to_rate,
        "outcome_choices": ActionOutcome.choices,
    }
    if action_form is not None:
        status = 400
    return render(request, "assessments/manager/dialogue.html", context, status=status)


@never_cache
@login_required
@require_POST
def save_field(request: HttpRequest, pk: int) -> JsonResponse:
    """One field, saved as the facilitator types (the page's script): JSON in, JSON out."""
    assessment = managed(request, pk)
    item, name = request.POST.get("item", ""), request.POST.get("field", "")
    kind = item.partition("-")[0]
    if kind not in agreements.FIELDS_OF or name not in agreements.FIELDS_OF[kind]:
        return JsonResponse(
            {"ok": False, "error": _("This is not a field of the item.")}, status=400
        )
    if sent_more_than_once(request.POST, *request.POST.keys()):
        return JsonResponse({"ok": False, "error": str(REPEATED)}, status=400)
    raw: str | dict[str, str] = request.POST.get("value", "")
    if kind == "balance":
        raw = {p: request.POST.get(p, "") for p in agreements.POINTS}
    try:
        value = agreements.parse_field(kind, name, raw)
        stored = agreements.save_field(
            assessment,
            request.user,
            item=item,
            field=name,
            value=value,
            base=parse_base(kind, name, request.POST.get("base", "")),
        )
    except ValidationError as error:
        return JsonResponse({"ok": False, "error": " ".join(_messages(error))}, status=400)
    except agreements.FieldConflict as clash:
        return JsonResponse(
            {
                "ok": False,
                "conflict": True,
                "current": serialise(kind, clash.current),
                "error": _(
                    "%(who)s changed this meanwhile to “%(value)s”. Your text is still here; "
                    "press “Save the agreement” to replace theirs."
                )
                % {
                    "who": person(clash.by),
                    "value": _describe(kind, clash.current, steering_names(assessment)),
                },
            },
            status=409,
        )
    except workflow.WorkflowError as error:
        return JsonResponse({"ok": False, "error": error.message}, status=409)
    now = timezone.localtime()
    return JsonResponse(
        {
            "ok": True,
            "base": serialise(kind, agreements.stored_value(stored, kind, name)),
            "saved": _("Saved %(time)s") % {"time": time_format(now, "H:i")},
        }
    )


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

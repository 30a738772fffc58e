"""What the group agrees in the dialogue: scores, notes, the control–trust profile, the balance
and the actions. Each write is one atomic service function.

Optimistic locking. Every form carries the ``lock_version`` it was loaded with, and a save is
``UPDATE … SET lock_version = lock_version + 1 WHERE … AND lock_version = n``. When that
touches no row, someone else saved first: ``AgreementConflict`` carries what they saved and
nothing is overwritten. An agreement not yet stored has version 0; the first save creates it
(the unique constraint makes sure only one of two simultaneous first saves wins).

Every save also locks the assessment row (``workflow.lock``), so an agreement cannot slip in
while the assessment is being completed, and checks the state: agreements are written in the
dialogue only; actions' status can still be followed up after completion.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from principles.models import Dimension, Principle
from reports import stored as stored_reports
from tillit.fields import whole_number

from . import workflow
from .models import (
    Action,
    ActionStatus,
    AssessmentState,
    BalanceAgreement,
    BalanceKind,
    DimensionAgreement,
    PrincipleAgreement,
    UnitAssessment,
)


class AgreementConflict(Exception):
    """Someone else saved first. `current` is what they saved (None if it was deleted)."""

    def __init__(self, current: models.Model | None) -> None:
        super().__init__(_("Someone else saved this first; your changes were not saved."))
        self.current = current


# --- checks shared by forms and services -----------------------------------------------------


def check_score(value: int | None, field: str, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise ValidationError(
            {field: _("Choose a value from %(low)d to %(high)d.") % {"low": low, "high": high}}
        )


def balance_problem(market: int | None, hierarchy: int | None, trust: int | None) -> str | None:
    """Why three parts are not a balance, or None when they are."""
    parts = (market, hierarchy, trust)
    if any(part is None for part in parts):
        return _("Give points to all three steering principles (0 is allowed).")
    if any(part < 0 or part > 100 for part in parts):
        return _("Each part must be between 0 and 100 points.")
    total = sum(parts)
    if total != 100:
        return _("The points must add up to 100; now they add up to %(total)d.") % {"total": total}
    return None


NOTE_MAX_LENGTH = 4000  # as the model fields' max_length


def check_length(value: str, field: str, limit: int) -> None:
    if len(value) > limit:
        raise ValidationError(
            {field: _("At most %(limit)d characters, please.") % {"limit": limit}}
        )


def due_date_problem(due_on: date | None) -> str | None:
    if due_on is not None and due_on < timezone.localdate():
        return _("The date has already passed; choose today or a later date.")
    return None


# --- the optimistic save ---------------------------------------------------------------------


def _save_versioned(
    model: type[models.Model], lookup: dict, lock_version: int, values: dict, user
) -> models.Model:
    updated = model.objects.filter(**lookup, lock_version=lock_version).update(
        **values,
        lock_version=F("lock_version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if updated:
        return model.objects.get(**lookup)
    if lock_version == 0 and not model.objects.filter(**lookup).exists():
        try:
            with transaction.atomic():  # a savepoint: a lost race must not spoil the transaction
                return model.objects.create(**lookup, **values, lock_version=1, updated_by=user)
        except IntegrityError:
            pass  # created by someone else a moment ago: a conflict like any other
    raise AgreementConflict(model.objects.filter(**lookup).first())


def _open_for_agreements(assessment: UnitAssessment, user) -> UnitAssessment:
    locked = workflow.lock(assessment, user)
    workflow.ensure_accepts_agreements(locked)
    # Whatever is saved next is in the report (a failed save rolls this back with it).
    stored_reports.changed(locked)
    return locked


def _check_framework_item(assessment: UnitAssessment, item, label: str) -> None:
    if item.version_id != assessment.round.framework_version_id:
        raise ValidationError(
            _("The %(item)s does not belong to this assessment's framework.") % {"item": label}
        )


@transaction.atomic
def save_principle_agreement(
    assessment: UnitAssessment,
    principle: Principle,
    user,
    *,
    lock_version: int,
    score: int | None,
    strengths: str = "",
    obstacles: str = "",
) -> PrincipleAgreement:
    """The group's score (1–5) for a principle and its dialogue notes."""
    locked = _open_for_agreements(assessment, user)
    _check_framework_item(locked, principle, _("principle"))
    check_score(score, "score", 1, 5)
    check_length(strengths, "strengths", NOTE_MAX_LENGTH)
    check_length(obstacles, "obstacles", NOTE_MAX_LENGTH)
    return _save_versioned(
        PrincipleAgreement,
        {"assessment": locked, "principle": principle},
        lock_version,
        {"score": score, "strengths": strengths.strip(), "obstacles": obstacles.strip()},
        user,
    )


@transaction.atomic
def save_dimension_agreement(
    assessment: UnitAssessment,
    dimension: Dimension,
    user,
    *,
    lock_version: int,
    now: int | None,
    desired: int | None,
) -> DimensionAgreement:
    """Where the group agrees the unit stands now, and wants to be, on a dimension (1–7)."""
    locked = _open_for_agreements(assessment, user)
    _check_framework_item(locked, dimension, _("dimension"))
    check_score(now, "now", 1, 7)
    check_score(desired, "desired", 1, 7)
    return _save_versioned(
        DimensionAgreement,
        {"assessment": locked, "dimension": dimension},
        lock_version,
        {"now": now, "desired": desired},
        user,
    )


@transaction.atomic
def save_balance_agreement(
    assessment: UnitAssessment,
    kind: str,
    user,
    *,
    lock_version: int,
    market: int,
    hierarchy: int,
    trust: int,
) -> BalanceAgreement:
    """The agreed steering balance, now or desired: 100 points over the three principles."""
    locked = _open_for_agreements(assessment, user)
    if kind not in BalanceKind.values:
        raise ValidationError(_("Unknown kind of balance."))
    problem = balance_problem(market, hierarchy, trust)
    if problem:
        raise ValidationError(problem)
    return _save_versioned(
        BalanceAgreement,
        {"assessment": locked, "kind": kind},
        lock_version,
        {"market": market, "hierarchy": hierarchy, "trust": trust},
        user,
    )


# --- actions ---------------------------------------------------------------------------------


def _check_action(assessment: UnitAssessment, values: dict) -> None:
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Write what is to be done.")
    if not (values.get("responsible") or "").strip():
        errors["responsible"] = _("Write who is responsible.")
    for name in ("title", "responsible"):
        limit = Action._meta.get_field(name).max_length
        if len(values.get(name) or "") > limit:
            errors[name] = _("At most %(limit)d characters, please.") % {"limit": limit}
    if values.get("status", ActionStatus.PLANNED) not in ActionStatus.values:
        errors["status"] = _("Choose a status from the list.")
    principle = values.get("principle")
    if principle is not None and principle.version_id != assessment.round.framework_version_id:
        errors["principle"] = _("Choose one of this assessment's principles.")
    if errors:
        raise ValidationError(errors)


_ACTION_FIELDS = ("title", "responsible", "due_on", "principle", "status")


@transaction.atomic
def create_action(assessment: UnitAssessment, user, **values) -> Action:
    """A new action agreed in the dialogue. Its date may not lie in the past."""
    locked = _open_for_agreements(assessment, user)
    _check_action(locked, values)
    problem = due_date_problem(values.get("due_on"))
    if problem:
        raise ValidationError({"due_on": problem})
    fields = {name: values[name] for name in _ACTION_FIELDS if name in values}
    fields["title"] = fields["title"].strip()
    fields["responsible"] = fields["responsible"].strip()
    return Action.objects.create(assessment=locked, **fields)


def _action_of(assessment: UnitAssessment, action: Action | int) -> int:
    pk = action.pk if isinstance(action, Action) else action
    if not Action.objects.filter(pk=pk, assessment=assessment).exists():
        raise AgreementConflict(None)
    return pk


@transaction.atomic
def update_action(
    assessment: UnitAssessment, action: Action | int, user, *, lock_version: int, **values
) -> Action:
    """Change an action during the dialogue (optimistic lock as for agreements).

    A date already in the past may stay as it was, but a changed date must not lie in the past.
    """
    locked = _open_for_agreements(assessment, user)
    pk = _action_of(locked, action)
    stored = Action.objects.get(pk=pk)
    _check_action(locked, {**{n: getattr(stored, n) for n in _ACTION_FIELDS}, **values})
    if "due_on" in values and values["due_on"] != stored.due_on:
        problem = due_date_problem(values["due_on"])
        if problem:
            raise ValidationError({"due_on": problem})
    fields = {name: values[name] for name in _ACTION_FIELDS if name in values}
    for name in ("title", "responsible"):
        if name in fields:
            fields[name] = fields[name].strip()
    updated = Action.objects.filter(pk=pk, lock_version=lock_version).update(
        **fields, lock_version=F("lock_version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise AgreementConflict(Action.objects.filter(pk=pk).first())
    return Action.objects.get(pk=pk)


@transaction.atomic
def delete_action(assessment: UnitAssessment, action: Action | int, user) -> None:
    locked = _open_for_agreements(assessment, user)
    pk = _action_of(locked, action)
    Action.objects.filter(pk=pk).delete()


@transaction.atomic
def set_action_status(
    assessment: UnitAssessment, action: Action | int, user, *, status: str, lock_version: int
) -> Action:
    """Follow an action up: allowed in the dialogue and after completion, by the manager."""
    locked = workflow.lock(assessment, user)
    if locked.state not in (AssessmentState.DIALOGUE, AssessmentState.COMPLETED):
        raise workflow.WorkflowError(
            _("Actions are followed up once the dialogue has started."), code="not_dialogue"
        )
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    pk = _action_of(locked, action)
    updated = Action.objects.filter(pk=pk, lock_version=lock_version).update(
        status=status, lock_version=F("lock_version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise AgreementConflict(Action.objects.filter(pk=pk).first())
    # After completion too: the stored report is rendered again with the new status.
    stored_reports.changed(locked)
    return Action.objects.get(pk=pk)


# --- one field at a time: the facilitator's view saves each field as it is typed -------------
#
# Per-field optimistic locking: a save names the value the field had when the facilitator
# started editing (`base`). If the stored value is no longer that, someone else saved the field
# meanwhile: FieldConflict, nothing written. Two facilitators editing different fields of one
# item never get in each other's way; the same field never overwrites silently.

POINTS = ("market", "hierarchy", "trust")
FIELDS_OF = {
    "principle": ("score", "strengths", "obstacles"),
    "dimension": ("now", "desired"),
    "balance": ("points",),
}


class FieldConflict(Exception):
    """Someone else saved this field since the facilitator started editing it."""

    def __init__(self, current, by, at) -> None:
        super().__init__(_("Someone else changed this meanwhile; your text was not saved."))
        self.current, self.by, self.at = current, by, at


def _digits(raw: str) -> int | None:
    """None for "", else plain ASCII digits (no sign, spaces or decimals); ValueError if not."""
    if raw == "":
        return None
    return whole_number(raw)


def parse_field(kind: str, field: str, raw: str | dict[str, str]) -> object:
    """A field's value from what a form or the page's script sent; ValidationError if bad.

    Notes are text (stripped); scores and positions a whole number or None ("not agreed");
    the balance three whole numbers adding up to 100, or None when all three are empty.
    """
    if kind == "balance":
        raw = raw if isinstance(raw, dict) else {}
        try:
            parts = [_digits(str(raw.get(key, ""))) for key in POINTS]
        except ValueError:
            raise ValidationError({field: _("Write whole numbers of points.")}) from None
        if all(part is None for part in parts):
            return None
        problem = balance_problem(*parts)
        if problem:
            raise ValidationError({field: problem})
        return tuple(parts)
    text = (raw if isinstance(raw, str) else "").replace("\r\n", "\n")
    if "\x00" in text:
        raise ValidationError({field: _("The text contains a character that cannot be saved.")})
    if field in ("strengths", "obstacles"):
        check_length(text.strip(), field, NOTE_MAX_LENGTH)
        return text.strip()
    high = 5 if kind == "principle" else 7
    try:
        value = _digits(text)
    except ValueError:
        value = -1
    check_score(value, field, 1, high)
    return value


def _item(assessment: UnitAssessment, item: str, version_id: int):
    """(kind, model, lookup) of an item key such as "principle-12", "balance-now"."""
    kind, _sep, key = item.partition("-")
    if kind == "balance" and key in BalanceKind.values:
        return kind, BalanceAgreement, {"assessment": assessment, "kind": key}
    if kind in ("principle", "dimension") and key.isascii() and key.isdigit() and len(key) < 10:
        model = Principle if kind == "principle" else Dimension
        target = model.objects.filter(pk=int(key), version_id=version_id).first()
        if target is not None:
            agreement = PrincipleAgreement if kind == "principle" else DimensionAgreement
            return kind, agreement, {"assessment": assessment, kind: target}
    raise ValidationError(_("This is not an item of the assessment."))


def stored_value(agreement, kind: str, field: str) -> object:
    """A field's value as stored (None or "" when nothing is)."""
    if agreement is None:
        return "" if field in ("strengths", "obstacles") else None
    if kind == "balance":
        return tuple(getattr(agreement, key) for key in POINTS)
    return getattr(agreement, field)


@transaction.atomic
def save_field(
    assessment: UnitAssessment, user, *, item: str, field: str, value: object, base: object
):
    """Save one field of one item if it still holds `base`; returns the stored agreement.

    A value equal to what is stored writes nothing. Values come through ``parse_field``.
    """
    locked = _open_for_agreements(assessment, user)  # every save of the meeting queues here
    # The version from the caller's assessment (a round never changes it): one query less.
    kind, model, lookup = _item(locked, item, assessment.round.framework_version_id)
    if field not in FIELDS_OF[kind]:
        raise ValidationError(_("This is not a field of the item."))
    current = model.objects.filter(**lookup).select_related("updated_by").first()
    stored = stored_value(current, kind, field)
    if stored == value:
        return current
    if stored != base:
        # No agreement yet but a base: the item was emptied by someone else meanwhile.
        by, at = (current.updated_by, current.updated_at) if current else (None, None)
        raise FieldConflict(stored, by, at)
    if value is None and kind == "balance":  # all three emptied: no agreed balance
        current.delete()
        return None
    values = dict(zip(POINTS, value, strict=True)) if kind == "balance" else {field: value}
    if current is None:
        try:
            with transaction.atomic():  # a savepoint: a lost race must not spoil the transaction
                return model.objects.create(**lookup, **values, lock_version=1, updated_by=user)
        except IntegrityError:
            # Created a moment ago by someone else (databases without row locks, e.g. SQLite).
            current = model.objects.filter(**lookup).select_related("updated_by").first()
            if stored_value(current, kind, field) == value:
                return current  # the same text, saved twice at once
            raise FieldConflict(
                stored_value(current, kind, field),
                current.updated_by if current else None,
                current.updated_at if current else None,
            ) from None
    for name, new in values.items():
        setattr(current, name, new)
    current.lock_version += 1
    current.updated_by = user
    current.save(update_fields=[*values, "lock_version", "updated_by", "updated_at"])
    return current

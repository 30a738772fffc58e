"""Writing the group's steering signals and the answers to its proposals.

Signals are written like the group's agreements (see ``assessments.agreements``): every save
locks the assessment row, is allowed during the dialogue only (completion locks them) and
names the ``lock_version`` it started from, so that two facilitators never overwrite each
other silently. Answers are written by the people who oversee the unit (quality developers,
förvaltning management), only for completed assessments, with the same optimistic lock.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import scoping, workflow
from assessments.agreements import AgreementConflict, due_date_problem
from assessments.models import UnitAssessment

from .models import (
    ANSWER_MAX,
    MAX_HOURS,
    REASON_MAX,
    TITLE_MAX,
    AnswerStatus,
    Effect,
    Proposal,
    SignalAnswer,
    SignalKind,
    SignalLevel,
    SignalPurpose,
    SteeringSignal,
)


def open_for_agreements(assessment: UnitAssessment, user) -> UnitAssessment:
    """The assessment row locked, if the user runs it and it is in the dialogue."""
    locked = workflow.lock(assessment, user)
    workflow.ensure_accepts_agreements(locked)
    return locked


SIGNAL_FIELDS = ("title", "level", "kind", "purpose", "hours_per_month", "effect", "proposal")


def check_signal(assessment: UnitAssessment, values: dict) -> dict:
    """The values cleaned, or ValidationError with a message per field."""
    errors: dict[str, str] = {}
    title = (values.get("title") or "").strip()
    reason = (values.get("reason") or "").replace("\r\n", "\n").strip()
    if not title:
        errors["title"] = _("Write what the steering signal is.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(limit)d characters, please.") % {"limit": TITLE_MAX}
    if len(reason) > REASON_MAX:
        errors["reason"] = _("At most %(limit)d characters, please.") % {"limit": REASON_MAX}
    if "\x00" in title + reason:
        errors["title"] = _("The text contains a character that cannot be saved.")
    version_id = assessment.round.framework_version_id
    for name, model in (("level", SignalLevel), ("kind", SignalKind), ("purpose", SignalPurpose)):
        item = values.get(name)
        if not isinstance(item, model) or item.version_id != version_id:
            errors[name] = _("Choose one of the list.")
    hours = values.get("hours_per_month")
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= MAX_HOURS:
        errors["hours_per_month"] = _("Give the hours as a whole number from 0 to %(max)d.") % {
            "max": MAX_HOURS
        }
    if values.get("effect") not in Effect.values:
        errors["effect"] = _("Choose whether it helps or hinders the good meeting.")
    if values.get("proposal") not in Proposal.values:
        errors["proposal"] = _("Choose a proposal.")
    if errors:
        raise ValidationError(errors)
    return {**{name: values[name] for name in SIGNAL_FIELDS}, "title": title, "reason": reason}


@transaction.atomic
def create_signal(assessment: UnitAssessment, user, **values) -> SteeringSignal:
    """A steering signal the group names in the dialogue."""
    locked = open_for_agreements(assessment, user)
    cleaned = check_signal(locked, values)
    return SteeringSignal.objects.create(
        assessment=locked, lock_version=1, updated_by=user, **cleaned
    )


def _signal_of(assessment: UnitAssessment, signal: SteeringSignal | int) -> int:
    pk = signal.pk if isinstance(signal, SteeringSignal) else signal
    if not SteeringSignal.objects.filter(pk=pk, assessment=assessment).exists():
        raise AgreementConflict(None)
    return pk


@transaction.atomic
def update_signal(
    assessment: UnitAssessment,
    signal: SteeringSignal | int,
    user,
    *,
    lock_version: int,
    **values,
) -> SteeringSignal:
    """Change a signal during the dialogue if nobody saved it since `lock_version`."""
    locked = open_for_agreements(assessment, user)
    pk = _signal_of(locked, signal)
    cleaned = check_signal(locked, values)
    updated = SteeringSignal.objects.filter(pk=pk, lock_version=lock_version).update(
        **cleaned,
        lock_version=F("lock_version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if not updated:
        raise AgreementConflict(SteeringSignal.objects.filter(pk=pk).first())
    return SteeringSignal.objects.get(pk=pk)


@transaction.atomic
def delete_signal(assessment: UnitAssessment, signal: SteeringSignal | int, user) -> None:
    locked = open_for_agreements(assessment, user)
    SteeringSignal.objects.filter(pk=_signal_of(locked, signal)).delete()


# --- answers -----------------------------------------------------------------------------------


class AnswerRefused(Exception):
    """The person may not answer this signal, or not yet; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_answer(status: str, text: str, due_on: date | None, *, changed_date: bool) -> dict:
    errors: dict[str, str] = {}
    text = (text or "").replace("\r\n", "\n").strip()
    if status not in AnswerStatus.values:
        errors["status"] = _("Choose an answer.")
    if len(text) > ANSWER_MAX:
        errors["text"] = _("At most %(limit)d characters, please.") % {"limit": ANSWER_MAX}
    elif "\x00" in text:
        errors["text"] = _("The text contains a character that cannot be saved.")
    if status == AnswerStatus.ACCEPTED:
        if not text:
            errors["text"] = _("Say what will change.")
        if due_on is None:
            errors["due_on"] = _("Say by when it will change.")
        elif changed_date and (problem := due_date_problem(due_on)):
            errors["due_on"] = problem
    elif status == AnswerStatus.KEPT and not text:
        errors["text"] = _("Say why it is kept as it is.")
    if errors:
        raise ValidationError(errors)
    # A date belongs to an acceptance only; an old one would mislead once the answer changed.
    return {
        "status": status,
        "text": text,
        "due_on": due_on if status == AnswerStatus.ACCEPTED else None,
    }


@transaction.atomic
def answer_signal(
    signal: SteeringSignal | int,
    user,
    *,
    lock_version: int,
    status: str,
    text: str = "",
    due_on: date | None = None,
) -> SignalAnswer:
    """Answer (or change the answer to) a unit's proposal.

    Only for a completed assessment in the person's scope (``scoping.steered_assessments``);
    `lock_version` 0 means "no answer yet": a second first answer is a conflict.
    """
    pk = signal.pk if isinstance(signal, SteeringSignal) else signal
    # Lock the signal's row: two answers to one signal take turns.
    target = (
        SteeringSignal.objects.select_for_update(of=("self",))
        .filter(pk=pk, assessment__in=scoping.steered_assessments(user))
        .first()
    )
    if target is None:
        raise AnswerRefused(
            _("Only the people who oversee the unit may answer, once its assessment is completed.")
        )
    stored = SignalAnswer.objects.filter(signal=target).first()
    changed_date = stored is None or stored.due_on != due_on
    cleaned = check_answer(status, text, due_on, changed_date=changed_date)
    if stored is None:
        if lock_version != 0:
            raise AgreementConflict(None)
        try:
            with transaction.atomic():
                return SignalAnswer.objects.create(
                    signal=target, lock_version=1, answered_by=user, **cleaned
                )
        except IntegrityError:
            raise AgreementConflict(SignalAnswer.objects.filter(signal=target).first()) from None
    updated = SignalAnswer.objects.filter(pk=stored.pk, lock_version=lock_version).update(
        **cleaned,
        lock_version=F("lock_version") + 1,
        answered_by=user,
        answered_at=timezone.now(),
    )
    if not updated:
        raise AgreementConflict(SignalAnswer.objects.filter(pk=stored.pk).first())
    return SignalAnswer.objects.get(pk=stored.pk)

"""The life of a unit assessment: preparing → individual → dialogue → completed.

Every change is one ``@transaction.atomic`` function that locks the assessment row, checks
who is asking (the unit's manager, through scoping, or an administrator) and from which
state, and records a ``StateChange``. Anything else is refused with a ``WorkflowError`` whose
message can be shown as it is.

Showing the results to the group is not a change of state, but a release of figures through
``disclosure.release`` is recorded the same way (dialogue → dialogue), because who showed the
group's figures, and when, is worth keeping. Whether a release is allowed is decided there.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports import stored as stored_reports

from . import disclosure, scoping
from .models import MAX_EXPECTED, AssessmentState, StateChange, UnitAssessment


class WorkflowError(Exception):
    """A step that is not allowed now, or not for this person; the message says why."""

    def __init__(self, message: str, code: str = "workflow") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


STATE_LABELS = dict(AssessmentState.choices)


def lock(assessment: UnitAssessment | int, user) -> UnitAssessment:
    """The assessment's row, locked for this transaction, if `user` may run it.

    Must be called inside a transaction. A person who may not manage the assessment gets a
    WorkflowError (views never get this far: their scoped lookup already answered 404).
    """
    pk = assessment.pk if isinstance(assessment, UnitAssessment) else assessment
    # of=("self",): lock the assessment only, not the unit rows the scoping filter joins.
    locked = scoping.managed_assessments(user).select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise WorkflowError(
            _("Only the unit's manager or an administrator may do this."), code="forbidden"
        )
    return locked


def _require_state(assessment: UnitAssessment, *allowed: str, action: str) -> None:
    if assessment.state not in allowed:
        raise WorkflowError(
            _("%(action)s is not possible while the assessment is in the state “%(state)s”.")
            % {"action": action, "state": STATE_LABELS[assessment.state]},
            code="wrong_state",
        )


def _move(assessment: UnitAssessment, to_state: str, user, **fields) -> UnitAssessment:
    from_state = assessment.state
    assessment.state = to_state
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.save(update_fields=["state", *fields])
    StateChange.objects.create(
        assessment=assessment, from_state=from_state, to_state=to_state, changed_by=user
    )
    return assessment


def _check_expected(expected: int | None) -> int:
    whole = isinstance(expected, int) and not isinstance(expected, bool)
    if not whole or not 1 <= expected <= MAX_EXPECTED:
        raise WorkflowError(
            _("Say how many are expected to answer: a whole number from 1 to %(max)d.")
            % {"max": MAX_EXPECTED},
            code="expected",
        )
    return expected


@transaction.atomic
def open_individual(assessment: UnitAssessment, user, *, expected: int | None) -> UnitAssessment:
    """Preparing → individual: participants may now join and answer, at most `expected`."""
    locked = lock(assessment, user)
    _require_state(locked, AssessmentState.PREPARING, action=_("Opening individual reflection"))
    return _move(
        locked, AssessmentState.INDIVIDUAL, user, expected_respondents=_check_expected(expected)
    )


@transaction.atomic
def set_expected(assessment: UnitAssessment, user, *, expected: int | None) -> UnitAssessment:
    """Change how many are expected while people answer; never fewer than have joined."""
    locked = lock(assessment, user)
    _require_state(
        locked, AssessmentState.INDIVIDUAL, action=_("Changing the number of participants")
    )
    expected = _check_expected(expected)
    joined = locked.respondents.count()
    if expected < joined:
        raise WorkflowError(
            _("%(joined)d have already joined; the number expected cannot be lower.")
            % {"joined": joined},
            code="expected",
        )
    locked.expected_respondents = expected
    locked.save(update_fields=["expected_respondents"])
    return locked


@transaction.atomic
def close_individual(assessment: UnitAssessment, user) -> UnitAssessment:
    """Individual → dialogue: answers are closed and the meeting can look at them."""
    locked = lock(assessment, user)
    _require_state(locked, AssessmentState.INDIVIDUAL, action=_("Closing individual reflection"))
    return _move(locked, AssessmentState.DIALOGUE, user)


@transaction.atomic
def reopen_individual(assessment: UnitAssessment, user) -> UnitAssessment:
    """Dialogue → individual, e.g. when people arrived late. Never after completion.

    No figures are shown while the phase is open (``UnitAssessment.shows_figures``); what
    was released stays, and a new release must pass ``disclosure.release``'s rule.
    """
    locked = lock(assessment, user)
    _require_state(locked, AssessmentState.DIALOGUE, action=_("Reopening individual reflection"))
    return _move(locked, AssessmentState.INDIVIDUAL, user)


@transaction.atomic
def reveal_results(assessment: UnitAssessment, user) -> disclosure.Outcome:
    """Show the group's figures in the dialogue (hidden until now so no one anchors on them).

    A release that the rules refuse raises a WorkflowError saying why; the figures released
    earlier, if any, stay shown.
    """
    locked = lock(assessment, user)
    _require_state(locked, AssessmentState.DIALOGUE, action=_("Showing the results"))
    outcome = disclosure.release(locked, user)
    if outcome.status in (disclosure.TOO_FEW, disclosure.TOO_CLOSE):
        raise WorkflowError(outcome.message, code=outcome.status)
    if outcome.released:
        _record_release(locked, user)
        stored_reports.changed(locked)  # the preview shows the figures now
    return outcome


def _record_release(assessment: UnitAssessment, user) -> None:
    """A release is kept in the history as dialogue → dialogue."""
    StateChange.objects.create(
        assessment=assessment,
        from_state=assessment.state,
        to_state=assessment.state,
        changed_by=user,
    )


@transaction.atomic
def complete(assessment: UnitAssessment, user, *, share_notes: bool = False) -> UnitAssessment:
    """Dialogue → completed: answers and agreements are locked from now on.

    `share_notes` records whether the group lets quality developers read its dialogue notes.
    If the group's figures were never released, completion releases them into the report
    when the rules allow (a first release: the threshold alone); a later release is always
    the manager's own step, so completion never adds one.
    """
    locked = lock(assessment, user)
    _require_state(locked, AssessmentState.DIALOGUE, action=_("Completing the assessment"))
    if locked.release_id is None and disclosure.release(locked, user).released:
        _record_release(locked, user)
    completed = _move(
        locked,
        AssessmentState.COMPLETED,
        user,
        counted_respondents=disclosure.participation(locked).counted,
        completed_at=timezone.now(),
        completed_by=user,
        share_notes=bool(share_notes),
    )
    # The final reports are rendered in the background once this is committed, and again
    # the reports around it that show its scores (the department median).
    stored_reports.changed(completed)
    stored_reports.others_changed(completed)
    return completed


# A reopening's reason, as StateChange.reason stores it.
REASON_MIN = 10
REASON_MAX = 1000


def _check_reason(reason: str | None) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if "\x00" in text:
        raise WorkflowError(_("The reason may not contain a null character."), code="reason")
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise WorkflowError(
            _(
                "Give a reason for reopening of %(min)d to %(max)d characters; it is kept in "
                "the assessment's history."
            )
            % {"min": REASON_MIN, "max": REASON_MAX},
            code="reason",
        )
    return text


@transaction.atomic
def reopen_completed(assessment: UnitAssessment, user, *, reason: str) -> UnitAssessment:
    """Completed → dialogue, by an administrator only, with a reason kept in the history.

    Refused once the retention rule has deleted the individual answers (``retention``).

    For a mistake found after completion: the answers stay closed, while the agreements and
    actions can be edited again until the manager completes once more. What was agreed and
    the released figures stay as they are (completing again adds no release when one
    exists); the date and person of the completion are cleared.
    """
    if not (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_staff or user.is_superuser)
    ):
        raise WorkflowError(
            _("Only an administrator may reopen a completed assessment."), code="forbidden"
        )
    text = _check_reason(reason)
    pk = assessment.pk if isinstance(assessment, UnitAssessment) else assessment
    locked = UnitAssessment.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise WorkflowError(_("The assessment no longer exists."), code="missing")
    _require_state(
        locked, AssessmentState.COMPLETED, action=_("Reopening the completed assessment")
    )
    if locked.purged_at is not None:
        # The dialogue could not be taken up again: its answers are gone.
        raise WorkflowError(
            _(
                "This assessment cannot be reopened: its individual answers were deleted on "
                "%(date)s according to the retention rule. Its report, agreements and actions "
                "are kept as they are."
            )
            % {"date": date_format(timezone.localtime(locked.purged_at), "DATE_FORMAT")},
            code="purged",
        )
    locked.state = AssessmentState.DIALOGUE
    locked.completed_at = None
    locked.completed_by = None
    locked.save(update_fields=["state", "completed_at", "completed_by"])
    StateChange.objects.create(
        assessment=locked,
        from_state=AssessmentState.COMPLETED,
        to_state=AssessmentState.DIALOGUE,
        changed_by=user,
        reason=text,
    )
    stored_reports.changed(locked)  # its reports are previews again until completed anew
    stored_reports.others_changed(locked)  # the department median no longer counts it
    return locked


# --- what each state allows, for the other services to ask -----------------------------------


def accepts_agreements(assessment: UnitAssessment) -> bool:
    """The group's agreements, notes and actions are edited during the dialogue only."""
    return assessment.is_dialogue


def ensure_accepts_agreements(assessment: UnitAssessment) -> None:
    if assessment.state == AssessmentState.COMPLETED:
        raise WorkflowError(
            _("The assessment is completed; what the group agreed can no longer be changed."),
            code="completed",
        )
    if not accepts_agreements(assessment):
        raise WorkflowError(
            _("Agreements are recorded during the dialogue, once individual reflection is closed."),
            code="not_dialogue",
        )

"""Following actions up: e-mail reminders before and after an action falls due, and the
group's rating, in the unit's next round, of what last round's actions did.

Reminders. Every day (``send_reminders``, run by the background task ``tasks.send_action_
reminders``) each open action of a completed assessment whose date is near gets one e-mail
"due soon" (from ``ACTION_REMINDER_DAYS_BEFORE`` days before the date, up to the date itself)
and one "overdue" (the day after the date or later). What was sent is stored
(``ActionReminder``, unique per action, kind, date and person), so each goes once however
often the task runs; a new date brings new reminders. Done and cancelled actions get none.

Who gets them. An action's "who" is free text ("Arbetsgruppen", "Anna Svensson"), not an
account. When it names one of the unit's managers (their full name or user name) that
manager gets the reminder; otherwise the unit's managers do: those with a manager role on the
unit itself, or, when it has none, on the nearest unit above it that has.

Ratings. In the next round's dialogue the group goes through the actions of the unit's
previous completed assessment and says what came of each (``ActionOutcome``). The statement
is the group's, stored per action and rating assessment with the same optimistic lock as the
agreements, and locked when that assessment completes. It also sets the action's status, so
that the reminders stop when the group says the action is done or dropped.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import workflow
from .agreements import _save_versioned
from .models import (
    CLOSED_ACTION_STATUSES,
    EFFECT_OUTCOMES,
    Action,
    ActionOutcome,
    ActionRating,
    ActionReminder,
    ActionStatus,
    AssessmentState,
    ReminderKind,
    Role,
    RoleKind,
    Unit,
    UnitAssessment,
)

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------------------


def reminder_kind(due_on: date | None, today: date, days_before: int) -> str | None:
    """Which reminder an action due on ``due_on`` is in for today, if any.

    "Due soon" from ``days_before`` days before the date up to the date itself (a day the task
    missed is caught up the next day); "overdue" from the day after.
    """
    if due_on is None:
        return None
    if due_on < today:
        return ReminderKind.OVERDUE
    if (due_on - today).days <= days_before:
        return ReminderKind.DUE_SOON
    return None


@dataclass
class ReminderRun:
    """What one run did."""

    sent: int = 0
    failed: int = 0
    already_sent: int = 0
    without_recipient: list[int] = field(default_factory=list)  # action ids


def _ancestor_paths(path: str) -> list[str]:
    """The unit's own path and its ancestors', nearest first."""
    step = Unit.steplen
    return [path[:end] for end in range(len(path), 0, -step)]


def _managers_by_path(paths: set[str]) -> dict[str, list]:
    """Active managers with an e-mail address, per unit path (one query)."""
    found: dict[str, list] = defaultdict(list)
    roles = (
        Role.objects.filter(
            kind=RoleKind.MANAGER,
            unit__path__in=paths,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user__language_preference", "unit")
        .order_by("user_id")
    )
    for role in roles:
        found[role.unit.path].append(role.user)
    return found


def _named(responsible: str, managers: list) -> list:
    """The managers an action's free-text "who" names, by full name or user name."""
    wanted = " ".join(responsible.split()).casefold()
    return [
        user
        for user in managers
        if wanted in {user.get_full_name().casefold(), user.get_username().casefold()}
    ]


def recipients_for(action: Action, managers_by_path: dict[str, list]) -> list:
    """Who is reminded of ``action``: the manager its "who" names, else the unit's managers."""
    for path in _ancestor_paths(action.assessment.unit.path):
        managers = managers_by_path.get(path)
        if managers:
            return _named(action.responsible, managers) or managers
    return []


def due_actions(today: date, days_before: int) -> QuerySet[Action]:
    """Open actions of completed assessments whose date is near or past (one query)."""
    return (
        Action.objects.filter(
            assessment__state=AssessmentState.COMPLETED,
            assessment__unit__is_active=True,
            due_on__isnull=False,
            due_on__lte=today + timedelta(days=days_before),
        )
        .exclude(status__in=CLOSED_ACTION_STATUSES)
        .select_related("assessment__unit", "assessment__round", "principle")
        .order_by("due_on", "pk")
    )


def action_url(action: Action) -> str:
    """Where the e-mail links to: the action on its assessment's page."""
    path = reverse("manager_assessment", args=[action.assessment_id])
    return f"{settings.SITE_URL}{path}#action-{action.pk}"


def language_of(user) -> str:
    """The language the person chose, else Swedish (the app's default)."""
    preference = getattr(user, "language_preference", None)
    known = {code for code, _name in settings.LANGUAGES}
    if preference is not None and preference.language in known:
        return preference.language
    return settings.LANGUAGE_CODE


def reminder_message(action: Action, kind: str, user, today: date) -> EmailMessage:
    """The e-mail, plain text, in the recipient's language."""
    with translation.override(language_of(user)):
        context = {
            "action": action,
            "principle": action.principle.name if action.principle_id else "",
            "overdue": kind == ReminderKind.OVERDUE,
            "days_left": (action.due_on - today).days,
            "days_over": (today - action.due_on).days,
            "url": action_url(action),
            "name": user.get_full_name() or user.get_username(),
        }
        if kind == ReminderKind.OVERDUE:
            subject = _("Overdue action: %(title)s") % {"title": action.title}
        else:
            subject = _("Action due soon: %(title)s") % {"title": action.title}
        body = render_to_string("assessments/email/action_reminder.txt", context)
    # Header injection: a title is one line in the subject whatever was typed.
    subject = " ".join(subject.split())[:200]
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send_reminders(today: date | None = None, days_before: int | None = None) -> ReminderRun:
    """Send every reminder due today that has not gone yet; store each one sent.

    Each e-mail is stored and sent in one transaction: a message the backend refuses is not
    recorded, and goes on the next run. Two runs at once send each reminder once (the unique
    constraint lets only one of them record it).
    """
    today = today or timezone.localdate()
    days_before = settings.ACTION_REMINDER_DAYS_BEFORE if days_before is None else days_before
    actions = list(due_actions(today, days_before))
    run = ReminderRun()
    if not actions:
        return run
    paths = {p for a in actions for p in _ancestor_paths(a.assessment.unit.path)}
    managers = _managers_by_path(paths)
    sent_before = set(
        ActionReminder.objects.filter(action__in=actions).values_list(
            "action_id", "kind", "due_on", "recipient_id"
        )
    )
    connection = get_connection()
    for action in actions:
        kind = reminder_kind(action.due_on, today, days_before)
        recipients = recipients_for(action, managers)
        if not recipients:
            run.without_recipient.append(action.pk)
            continue
        for user in recipients:
            if (action.pk, kind, action.due_on, user.pk) in sent_before:
                run.already_sent += 1
                continue
            message = reminder_message(action, kind, user, today)
            message.connection = connection
            try:
                with transaction.atomic():
                    ActionReminder.objects.create(
                        action=action, kind=kind, due_on=action.due_on, recipient=user
                    )
                    message.send()
            except IntegrityError:
                run.already_sent += 1  # recorded by a run at the same moment
            except Exception:
                run.failed += 1
                logger.exception("Reminder of action %s to user %s failed", action.pk, user.pk)
            else:
                run.sent += 1
    if run.without_recipient:
        logger.warning(
            "No manager with an e-mail address for actions %s", run.without_recipient[:20]
        )
    return run


# ---------------------------------------------------------------------------------------
# Ratings in the next round
# ---------------------------------------------------------------------------------------


def previous_assessment(assessment: UnitAssessment) -> UnitAssessment | None:
    """The unit's latest completed assessment in a round that opened before this one."""
    return (
        UnitAssessment.objects.filter(
            unit_id=assessment.unit_id,
            state=AssessmentState.COMPLETED,
            round__opens_on__lt=assessment.round.opens_on,
        )
        .exclude(pk=assessment.pk)
        .select_related("round__framework_version")
        .order_by("-round__opens_on", "-completed_at", "-pk")
        .first()
    )


@dataclass
class RatedAction:
    """An action of the previous round and what the group said of it in this one."""

    action: Action
    rating: ActionRating | None

    @property
    def principle_key(self) -> str | None:
        return self.action.principle.key if self.action.principle_id else None

    @property
    def outcome(self) -> str:
        return self.rating.outcome if self.rating else ""

    @property
    def outcome_label(self) -> str:
        return self.rating.get_outcome_display() if self.rating else ""

    @property
    def lock_version(self) -> int:
        return self.rating.lock_version if self.rating else 0


def actions_to_rate(
    assessment: UnitAssessment, previous: UnitAssessment | None = None
) -> list[RatedAction]:
    """Last round's actions with this assessment's ratings (two queries; one more when
    ``previous`` is not given)."""
    if previous is None:
        previous = previous_assessment(assessment)
    if previous is None:
        return []
    actions = list(
        Action.objects.filter(assessment=previous)
        .select_related("principle", "assessment__round")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    ratings = {
        r.action_id: r
        for r in ActionRating.objects.filter(assessment=assessment, action__in=actions)
    }
    return [RatedAction(a, ratings.get(a.pk)) for a in actions]


def by_principle(rated: list[RatedAction]) -> dict[str, list[RatedAction]]:
    """The rated actions per principle key (keys are stable across framework versions)."""
    grouped: dict[str, list[RatedAction]] = defaultdict(list)
    for item in rated:
        if item.principle_key:
            grouped[item.principle_key].append(item)
    return dict(grouped)


# What the group's word does to the action's status: done, still going on, or dropped.
STATUS_AFTER = {
    **dict.fromkeys(EFFECT_OUTCOMES, ActionStatus.DONE),
    ActionOutcome.ONGOING: ActionStatus.IN_PROGRESS,
    ActionOutcome.NOT_DONE: ActionStatus.CANCELLED,
}


def action_to_rate(assessment: UnitAssessment, action_pk: int) -> Action | None:
    """One of last round's actions of the assessment's unit, or None."""
    previous = previous_assessment(assessment)
    if previous is None:
        return None
    return Action.objects.filter(assessment=previous, pk=action_pk).first()


@transaction.atomic
def rate_action(
    assessment: UnitAssessment, action: Action | int, user, *, outcome: str, lock_version: int
) -> ActionRating:
    """Record what the group says came of last round's action; in the dialogue only.

    A conflict (someone rated it meanwhile) raises ``agreements.AgreementConflict`` and
    writes nothing.
    """
    locked = workflow.lock(assessment, user)
    workflow.ensure_accepts_agreements(locked)
    if outcome not in ActionOutcome.values:
        raise ValidationError({"outcome": _("Choose one of the answers.")})
    pk = action.pk if isinstance(action, Action) else action
    target = action_to_rate(locked, pk)
    if target is None:
        raise ValidationError(_("This is not one of last round's actions."))
    rating = _save_versioned(
        ActionRating,
        {"action": target, "assessment": locked},
        lock_version,
        {"outcome": outcome},
        user,
    )
    status = STATUS_AFTER[outcome]
    Action.objects.filter(pk=target.pk).exclude(status=status).update(
        status=status, lock_version=F("lock_version") + 1, updated_at=timezone.now()
    )
    return rating


# ---------------------------------------------------------------------------------------
# Ratings across rounds, for the trends
# ---------------------------------------------------------------------------------------


@dataclass
class PrincipleRatings:
    """How the actions linked to a principle were rated: counts, and for one unit what."""

    counts: Counter = field(default_factory=Counter)
    items: list[tuple[str, str, str]] = field(default_factory=list)  # round, title, label

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(outcome, 0) for outcome in ActionOutcome.values]


def ratings_by_principle(completed: QuerySet[UnitAssessment]) -> dict[str, PrincipleRatings]:
    """Ratings recorded in the given completed assessments, per principle key (one query)."""
    labels = dict(ActionOutcome.choices)
    found: dict[str, PrincipleRatings] = defaultdict(PrincipleRatings)
    rows = (
        ActionRating.objects.filter(assessment__in=completed, action__principle__isnull=False)
        .order_by("assessment__round__opens_on", "action__due_on", "action_id")
        .values_list(
            "action__principle__key", "outcome", "assessment__round__name", "action__title"
        )
    )
    for key, outcome, round_name, title in rows:
        found[key].counts[outcome] += 1
        found[key].items.append((round_name, title, str(labels.get(outcome, outcome))))
    return dict(found)

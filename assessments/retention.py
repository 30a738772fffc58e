"""Retention (gallring): personal data is kept only as long as the settings allow.

Three kinds, each with its own period in days (settings, read from the environment):

* ``RETENTION_ANSWERS_DAYS``: a completed assessment's individual answers and comments, and
  the respondents they belong to (a token's hash, device and source hashes, times), counted
  from the completion. What the group was shown and agreed stays: the released figures
  (``Release.figures``), the counts of who joined, counted and finished, the agreements,
  notes and actions. Every report, comparison, export and trend reads those and nothing
  else (``disclosure``), so each renders the same after the purge. The release's per-person
  digests (``Release.members``) go too: they only serve a later release, and a purged
  assessment gets none, because it can no longer be reopened (``workflow``).
* ``RETENTION_LOGIN_LOG_DAYS``: django-axes' login attempts and logs, counted from the attempt.
* ``RETENTION_STATE_LOG_DAYS``: the assessments' state-change history (who moved an
  assessment on, and when), counted from the change.

A row is deleted once it is the full period old: with 90 days, an assessment completed at
14:00 on 1 March is purged by the first run from 14:00 on 30 May. ``plan`` says what is due
and changes nothing (``manage.py purge_expired --dry-run``); ``purge`` deletes exactly that,
in one transaction (the daily task and ``manage.py purge_expired``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import disclosure
from .models import (
    AssessmentState,
    BalanceAnswer,
    DimensionAnswer,
    PrincipleComment,
    Release,
    Respondent,
    StateChange,
    StatementAnswer,
    UnitAssessment,
)

# The answer tables, each deleted by its respondent's assessment. Comments are counted apart.
ANSWER_MODELS: tuple[type[models.Model], ...] = (StatementAnswer, DimensionAnswer, BalanceAnswer)
# django-axes' tables, by the name the command prints, each with the time its row was written.
LOGIN_LOG_MODELS: tuple[tuple[str, type[models.Model]], ...] = (
    ("access attempts", AccessAttempt),
    ("access logs", AccessLog),
    ("access failure logs", AccessFailureLog),
)


@dataclass(frozen=True)
class Periods:
    """How many days each kind is kept (the settings, unless a caller says otherwise)."""

    answers_days: int
    login_log_days: int
    state_log_days: int

    @classmethod
    def from_settings(cls) -> Periods:
        return cls(
            answers_days=settings.RETENTION_ANSWERS_DAYS,
            login_log_days=settings.RETENTION_LOGIN_LOG_DAYS,
            state_log_days=settings.RETENTION_STATE_LOG_DAYS,
        )


def cutoff(now: datetime.datetime, days: int) -> datetime.datetime:
    """Rows written at or before this moment are due: they are the full ``days`` old."""
    return now - datetime.timedelta(days=days)


@dataclass(frozen=True)
class AssessmentRows:
    """What one assessment holds of individual answers (counts only)."""

    assessment_id: int
    unit_code: str
    unit_name: str
    round_name: str
    completed_at: datetime.datetime
    respondents: int
    answers: int
    comments: int

    def as_json(self) -> dict[str, Any]:
        return {
            "assessment": self.assessment_id,
            "unit": self.unit_code,
            "round": self.round_name,
            "completed_at": self.completed_at.isoformat(),
            "respondents": self.respondents,
            "answers": self.answers,
            "comments": self.comments,
        }


@dataclass(frozen=True)
class Plan:
    """What is due at ``now`` (``plan``), or what was deleted (``purge``): counts per kind."""

    now: datetime.datetime
    periods: Periods
    assessments: tuple[AssessmentRows, ...] = ()
    login_logs: dict[str, int] = field(default_factory=dict)
    state_changes: int = 0

    @property
    def respondents(self) -> int:
        return sum(row.respondents for row in self.assessments)

    @property
    def answers(self) -> int:
        return sum(row.answers for row in self.assessments)

    @property
    def comments(self) -> int:
        return sum(row.comments for row in self.assessments)

    @property
    def login_log_rows(self) -> int:
        return sum(self.login_logs.values())

    @property
    def empty(self) -> bool:
        return not (self.assessments or self.login_log_rows or self.state_changes)

    def as_json(self) -> dict[str, Any]:
        """For the task's stored result."""
        return {
            "now": self.now.isoformat(),
            "assessments": [row.as_json() for row in self.assessments],
            "respondents": self.respondents,
            "answers": self.answers,
            "comments": self.comments,
            "login_logs": dict(self.login_logs),
            "state_changes": self.state_changes,
        }


# ---------------------------------------------------------------------------------------
# What is due
# ---------------------------------------------------------------------------------------


def due_assessments(
    now: datetime.datetime | None = None, periods: Periods | None = None
) -> QuerySet[UnitAssessment]:
    """Completed assessments whose completion is the full period old and which still hold
    respondents (an assessment nobody answered has nothing to delete and is left unmarked)."""
    now = now or timezone.now()
    periods = periods or Periods.from_settings()
    return UnitAssessment.objects.filter(
        Exists(Respondent.objects.filter(assessment=OuterRef("pk"))),
        state=AssessmentState.COMPLETED,
        completed_at__lte=cutoff(now, periods.answers_days),
        purged_at__isnull=True,
    )


def _per_assessment(rows: QuerySet, ids: list[int], path: str) -> dict[int, int]:
    """Rows per assessment, ``path`` leading from the row to its assessment: one query."""
    return dict(
        rows.filter(**{f"{path}__in": ids})
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values_list(path, "n")
    )


def _assessment_rows(assessments: Iterable[UnitAssessment]) -> tuple[AssessmentRows, ...]:
    """Counts per assessment and kind: five queries for any number of assessments."""
    assessments = list(assessments)
    ids = [a.pk for a in assessments]
    if not ids:
        return ()
    respondents = _per_assessment(Respondent.objects.all(), ids, "assessment_id")
    answers: dict[int, int] = {}
    for model in ANSWER_MODELS:
        for aid, n in _per_assessment(
            model.objects.all(), ids, "respondent__assessment_id"
        ).items():
            answers[aid] = answers.get(aid, 0) + n
    comments = _per_assessment(PrincipleComment.objects.all(), ids, "respondent__assessment_id")
    return tuple(
        AssessmentRows(
            assessment_id=a.pk,
            unit_code=a.unit.code,
            unit_name=a.unit.name,
            round_name=a.round.name,
            completed_at=a.completed_at,
            respondents=respondents.get(a.pk, 0),
            answers=answers.get(a.pk, 0),
            comments=comments.get(a.pk, 0),
        )
        for a in assessments
    )


def _login_logs_due(now: datetime.datetime, periods: Periods) -> dict[str, QuerySet]:
    before = cutoff(now, periods.login_log_days)
    return {
        name: model.objects.filter(attempt_time__lte=before) for name, model in LOGIN_LOG_MODELS
    }


def _state_changes_due(now: datetime.datetime, periods: Periods) -> QuerySet[StateChange]:
    return StateChange.objects.filter(changed_at__lte=cutoff(now, periods.state_log_days))


def _ordered(assessments: QuerySet[UnitAssessment]) -> QuerySet[UnitAssessment]:
    return assessments.select_related("unit", "round").order_by(
        "completed_at", "round_id", "unit__path"
    )


def plan(now: datetime.datetime | None = None, periods: Periods | None = None) -> Plan:
    """What ``purge`` would delete at ``now``: counts only, nothing changed."""
    now = now or timezone.now()
    periods = periods or Periods.from_settings()
    return Plan(
        now=now,
        periods=periods,
        assessments=_assessment_rows(_ordered(due_assessments(now, periods))),
        login_logs={name: rows.count() for name, rows in _login_logs_due(now, periods).items()},
        state_changes=_state_changes_due(now, periods).count(),
    )


# ---------------------------------------------------------------------------------------
# Deleting
# ---------------------------------------------------------------------------------------


def _kept_counts(ids: list[int]) -> dict[int, dict[str, int]]:
    """Per assessment, how many joined, counted and finished: one query, before deleting."""
    respondents = disclosure.with_share(Respondent.objects.filter(assessment_id__in=ids))
    return {
        row["assessment_id"]: row
        for row in respondents.order_by()
        .values("assessment_id")
        .annotate(
            joined=Count("pk"),
            counted=Count("pk", filter=disclosure.counts_toward_threshold()),
            finished=Count("pk", filter=Q(finished_at__isnull=False)),
        )
    }


@transaction.atomic
def purge_answers(
    now: datetime.datetime | None = None, periods: Periods | None = None
) -> tuple[AssessmentRows, ...]:
    """Delete the individual answers, comments and respondents of every assessment due.

    The assessments' rows are locked first, so an administrator reopening one at the same
    moment either goes first (and it is no longer due) or is refused afterwards.
    """
    now = now or timezone.now()
    periods = periods or Periods.from_settings()
    locked = list(_ordered(due_assessments(now, periods)).select_for_update(of=("self",)))
    if not locked:
        return ()
    ids = [a.pk for a in locked]
    rows = _assessment_rows(locked)
    kept = _kept_counts(ids)
    for assessment in locked:
        counts = kept.get(assessment.pk, {})
        assessment.purged_at = now
        assessment.joined_respondents = counts.get("joined", 0)
        assessment.finished_respondents = counts.get("finished", 0)
        if assessment.counted_respondents is None:  # completed before it was recorded
            assessment.counted_respondents = counts.get("counted", 0)
    # The digests let a later release be measured against this one; there will be none.
    Release.objects.filter(assessment_id__in=ids).update(members={})
    for model in (*ANSWER_MODELS, PrincipleComment):
        model.objects.filter(respondent__assessment_id__in=ids).delete()
    Respondent.objects.filter(assessment_id__in=ids).delete()
    UnitAssessment.objects.bulk_update(
        locked,
        ["purged_at", "joined_respondents", "finished_respondents", "counted_respondents"],
    )
    return rows


@transaction.atomic
def purge(now: datetime.datetime | None = None, periods: Periods | None = None) -> Plan:
    """Delete everything due at ``now``: answers, login logs and state changes. Returns what
    was deleted, in the same shape as ``plan``."""
    now = now or timezone.now()
    periods = periods or Periods.from_settings()
    assessments = purge_answers(now, periods)
    # Counted per table: an access attempt's cascaded expiry row is not a log row of its own.
    login_logs = {
        name: rows.delete()[1].get(rows.model._meta.label, 0)
        for name, rows in _login_logs_due(now, periods).items()
    }
    state_changes = _state_changes_due(now, periods).delete()[0]
    return Plan(
        now=now,
        periods=periods,
        assessments=assessments,
        login_logs=login_logs,
        state_changes=state_changes,
    )

"""A participant's individual answers: who they are (a token) and what they answered.

Every save validates *everything* it was given, reads what the page has stored together with
the assessment's phase, and writes (upserts) only when all of it is valid and the phase is
open, and only what changes: a page left empty, or saved again as it was, writes nothing.
Its writes are one transaction, which first locks the assessment row (see "Saving pages").
Each save runs a fixed number of queries however many respondents the assessment has: at
most four for a principle's page (read, claim, answers, comment), three for the others.

Errors are `ValidationError`s keyed by the same field names the participant forms use
(`statement_field`, `dimension_field`, `balance_field`, `balance_group`, "comment"), so a view
can put every message next to its field. A closed phase is a `PhaseClosedError`.

Nothing here is shown to anyone but the participant who gave the answers.
"""

import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from principles.cache import Framework, framework
from principles.models import FrameworkVersion, Principle, SteeringKey

from . import participant_sql as sql
from .models import (
    AssessmentState,
    BalanceAnswer,
    BalanceKind,
    DimensionAnswer,
    PrincipleComment,
    Respondent,
    Round,
    StatementAnswer,
    Unit,
    UnitAssessment,
)

DONT_KNOW = "dk"
STATEMENT_MIN, STATEMENT_MAX = 1, 5
DIMENSION_MIN, DIMENSION_MAX = 1, 7
BALANCE_TOTAL = 100
COMMENT_MAX_LENGTH = 2000
DIMENSION_SIDES = ("now", "desired")
STEERING_KEYS = tuple(SteeringKey.values)  # market, hierarchy, trust: the balance columns
_INTEGER = re.compile(r"-?[0-9]{1,9}")  # ASCII digits only: "³".isdigit() is True


def statement_field(statement_id: int) -> str:
    return f"statement_{statement_id}"


def dimension_field(dimension_id: int, side: str) -> str:
    return f"dimension_{dimension_id}_{side}"


def balance_field(kind: str, key: str) -> str:
    return f"balance_{kind}_{key}"


def balance_group(kind: str) -> str:
    """Errors about a whole balance (its sum) rather than one of its three numbers."""
    return f"balance_{kind}"


class PhaseClosedError(Exception):
    """The assessment is not in its individual phase: nothing may be answered."""

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__(str(self.message))

    @property
    def message(self):
        if self.state == AssessmentState.PREPARING:
            return gettext_lazy(
                "This self-assessment has not opened yet. Your manager will tell you when it "
                "does; then open the same link again."
            )
        if self.state == AssessmentState.COMPLETED:
            return gettext_lazy(
                "This self-assessment is completed, so answers can no longer be given or "
                "changed. Ask your manager for the group's balance report."
            )
        return gettext_lazy(
            "The individual part of this self-assessment is closed, so answers can no longer "
            "be given or changed. Your answers so far are kept. Next, in the meeting, your "
            "manager shows the group's results – summaries only, never anyone's own answers – "
            "and you talk them over together."
        )


# ---------------------------------------------------------------------------------------
# Respondents
# ---------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """SHA-256 of a respondent's secret token: all the database ever stores of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def respondent_for_token(assessment: UnitAssessment, token: str | None) -> Respondent | None:
    """The respondent whose token this is, within this assessment only; else None."""
    if not token:
        return None
    return Respondent.objects.filter(assessment=assessment, token_hash=hash_token(token)).first()


# The respondent of a token in the assessment of a code, with everything a participant page
# needs: the assessment, its unit, its round and the round's framework version.
_LOOKUP_MODELS = (Respondent, UnitAssessment, Unit, Round, FrameworkVersion)
_LOOKUP = (
    "SELECT "
    + ", ".join(sql.columns(model) for model in _LOOKUP_MODELS)
    + " FROM {assessments.Respondent} INNER JOIN {assessments.UnitAssessment}"
    " ON {assessments.UnitAssessment.id} = {assessments.Respondent.assessment}"
    " INNER JOIN {assessments.Unit} ON {assessments.Unit.id} = {assessments.UnitAssessment.unit}"
    " INNER JOIN {assessments.Round} ON {assessments.Round.id} = {assessments.UnitAssessment.round}"
    " INNER JOIN {principles.FrameworkVersion}"
    " ON {principles.FrameworkVersion.id} = {assessments.Round.framework_version}"
    " WHERE {assessments.UnitAssessment.join_code} = %s"
    " AND {assessments.Respondent.token_hash} = %s"
)


def respondent_for_code(code: str | None, token: str | None) -> Respondent | None:
    """The respondent of `token` in the assessment of the (normalised) `code`, else None.

    One query, which also loads what every participant page needs: the assessment, its unit,
    its round and the round's framework version. (The token's hash is unique: one row.)
    """
    if not code or not token:
        return None
    _count, rows = sql.execute(_LOOKUP, [code, hash_token(token)])
    if not rows:
        return None
    row, start, found = rows[0], 0, []
    for model in _LOOKUP_MODELS:
        end = start + sql.width(model)
        found.append(sql.instance(model, row[start:end]))
        start = end
    respondent, assessment, unit, round_, version = found
    round_.framework_version = version
    assessment.unit = unit
    assessment.round = round_
    respondent.assessment = assessment
    return respondent


class JoinRefused(Exception):
    """No respondent can be created: as many as the manager expected have joined."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        super().__init__(str(self.message))

    @property
    def message(self) -> str:
        return ngettext(
            "The %(n)d participant your manager expected has already joined. If you have not "
            "answered yet, ask your manager to let one more join.",
            "All %(n)d participants your manager expected have already joined. If you have "
            "not answered yet, ask your manager to let one more join.",
            self.expected,
        ) % {"n": self.expected}


def keyed_hash(purpose: str, value: str) -> str:
    """A keyed hash for a value that must not be stored as it is (device, address)."""
    return salted_hmac(f"tillit.answers.{purpose}", value, algorithm="sha256").hexdigest()[:32]


@transaction.atomic
def create_respondent(
    assessment: UnitAssessment, *, device: str = "", source: str = ""
) -> tuple[Respondent, str]:
    """A respondent and its secret token (to hand to the participant, never stored).

    One device, one respondent: a device (its cookie's keyed hash in `device`) that already
    has a respondent here gets that one back, with a new token. No more respondents than the
    manager expects are created (``JoinRefused``).
    """
    _lock_open_assessment(assessment.pk)
    token = secrets.token_urlsafe(32)
    if device:
        existing = Respondent.objects.filter(assessment=assessment, device=device).first()
        if existing is not None:
            existing.token_hash = hash_token(token)
            existing.save(update_fields=["token_hash", "updated_at"])
            return existing, token
    expected = UnitAssessment.objects.values_list("expected_respondents", flat=True).get(
        pk=assessment.pk
    )
    if expected is not None and assessment.respondents.count() >= expected:
        raise JoinRefused(expected)
    respondent = Respondent.objects.create(
        assessment=assessment, token_hash=hash_token(token), device=device, source=source
    )
    return respondent, token


def _lock_open_assessment(assessment_id: int) -> int:
    """Lock the assessment row until commit and check its phase; return its framework version.

    The lock makes the manager's closing of the individual phase (which updates this row) wait
    for answers being saved, and answers saved after it see the new state.
    """
    row = (
        UnitAssessment.objects.select_for_update(of=("self",))
        .filter(pk=assessment_id)
        .values_list("state", "round__framework_version_id")
        .first()
    )
    if row is None:
        raise PhaseClosedError(AssessmentState.COMPLETED)
    state, version_id = row
    if state != AssessmentState.INDIVIDUAL:
        raise PhaseClosedError(state)
    return version_id


def mark_finished(respondent: Respondent) -> None:
    """Note the first time the participant reached the end (for participation figures)."""
    if respondent.finished_at is None:
        now = timezone.now()
        Respondent.objects.filter(pk=respondent.pk, finished_at__isnull=True).update(
            finished_at=now
        )
        respondent.finished_at = now


# ---------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _whole_number(value: Any) -> int | None:
    """An int from an int or a string of digits; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _id(value: Any) -> int | None:
    number = _whole_number(value)
    return number if number is not None and number > 0 else None


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = defaultdict(list)

    def add(self, key: str, message: str) -> None:
        self.by_field[key].append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(dict(self.by_field))


# ---------------------------------------------------------------------------------------
# Saving pages
# ---------------------------------------------------------------------------------------
#
# A save reads what the page has stored, together with the assessment's phase and the
# respondent's last-changed time (one query), works out what the participant changed, and
# writes only that. The first write is the "claim": one UPDATE that marks the respondent
# changed only if the individual phase is still open and nothing changed the respondent since
# the read; its sub-select locks the assessment row until commit, so the manager's closing of
# the phase waits for the save, and a save after it finds the phase closed. A claim that
# finds the respondent changed (the same participant saving in two tabs at once) reads again.
# A page with nothing changed writes nothing and opens no transaction.

SAVE_ATTEMPTS = 3


class SaveInterrupted(Exception):
    """Other saves of the same respondent changed the answers each time this one tried."""


def framework_of(respondent: Respondent) -> Framework:
    """The framework the respondent answers (kept in memory once published)."""
    return framework(respondent.assessment.round.framework_version)


@dataclass
class _Stored:
    """What one page has stored, with the phase and the respondent's last-changed time."""

    state: str
    version_id: int
    # As the database gave it (SQLite: text), to be handed back unchanged to `_claim`.
    changed_at: Any
    rows: list[tuple]


_READ = (
    "SELECT {assessments.UnitAssessment.state}, {assessments.Round.framework_version},"
    " {assessments.Respondent.updated_at}<columns>"
    " FROM {assessments.Respondent} INNER JOIN {assessments.UnitAssessment}"
    " ON {assessments.UnitAssessment.id} = {assessments.Respondent.assessment}"
    " INNER JOIN {assessments.Round} ON {assessments.Round.id} = {assessments.UnitAssessment.round}"
    "<joins> WHERE {assessments.Respondent.id} = %s"
)


def _page_read(columns: str, joins: str) -> str:
    """`_READ` with a page's columns and joins."""
    return _READ.replace("<columns>", columns).replace("<joins>", joins)


def _read(respondent: Respondent, template: str, params: list) -> _Stored:
    """One query: the respondent's row with the page's answers joined on (one row each).

    `template` comes from `_page_read`; `params` are its joins' values.
    """
    _count, rows = sql.execute(template, [*params, respondent.pk])
    if not rows:  # the respondent is gone, with the answers: the assessment is completed
        raise PhaseClosedError(AssessmentState.COMPLETED)
    state, version_id, changed_at = rows[0][:3]
    return _Stored(state, version_id, changed_at, [row[3:] for row in rows])


# The sub-select locks the assessment row until commit (PostgreSQL; SQLite has one writer at a
# time anyway and no FOR UPDATE).
_CLAIM = (
    "UPDATE {assessments.Respondent} SET {assessments.Respondent:updated_at} = %s"
    " WHERE {assessments.Respondent.id} = %s AND {assessments.Respondent.updated_at} = %s"
    " AND {assessments.Respondent.assessment} IN (SELECT {assessments.UnitAssessment.id}"
    " FROM {assessments.UnitAssessment} WHERE {assessments.UnitAssessment.id} = %s"
    " AND {assessments.UnitAssessment.state} = %s<lock>)"
)
_CLAIMS = {True: _CLAIM.replace("<lock>", " FOR UPDATE"), False: _CLAIM.replace("<lock>", "")}


def _claim(respondent: Respondent, seen: Any) -> bool:
    """Mark the respondent changed if the phase is open and it is unchanged since `seen`."""
    now = timezone.now()
    claimed, _rows = sql.execute(
        _CLAIMS[connection.features.has_select_for_update],
        [
            connection.ops.adapt_datetimefield_value(now),
            respondent.pk,
            seen,
            respondent.assessment_id,
            AssessmentState.INDIVIDUAL.value,
        ],
    )
    if claimed:
        respondent.updated_at = now
    return bool(claimed)


def _save(
    respondent: Respondent,
    read: Callable[[], _Stored],
    plan: Callable[[_Stored], Callable[[], None] | None],
) -> None:
    """Read, plan the writes (None: nothing changes), and claim and write in one transaction.

    Nothing but database errors is raised inside the transaction, so it needs no savepoint of
    its own: a failed write rolls back everything of the save, and the caller's transaction
    with it when there is one.
    """
    for _attempt in range(SAVE_ATTEMPTS):
        stored = read()
        if stored.state != AssessmentState.INDIVIDUAL:
            raise PhaseClosedError(stored.state)
        write = plan(stored)
        if write is None:
            return  # nothing changes: nothing is written
        with transaction.atomic(savepoint=False):
            if _claim(respondent, stored.changed_at):
                write()
                return
        # Closed or changed since the read: read again and decide anew.
    raise SaveInterrupted


_NOT_IN_FRAMEWORK = gettext_lazy(
    "This principle is not part of the framework this self-assessment uses."
)
_STATEMENT_NOT_ON_PAGE = gettext_lazy(
    "An answer was sent for a statement that is not on this page. Nothing was saved; reload "
    "the page and answer again."
)
_DIMENSION_NOT_ON_PAGE = gettext_lazy(
    "An answer was sent for a dimension that is not on this page. Nothing was saved; reload "
    "the page and answer again."
)


_PRINCIPLE_PAGE = (
    ", {assessments.StatementAnswer.statement}, {assessments.StatementAnswer.value},"
    " {assessments.StatementAnswer.dont_know}, {assessments.PrincipleComment.text}",
    " LEFT OUTER JOIN {assessments.StatementAnswer}"
    " ON {assessments.StatementAnswer.respondent} = {assessments.Respondent.id}"
    " AND {assessments.StatementAnswer.statement} IN (<ids>)"
    " LEFT OUTER JOIN {assessments.PrincipleComment}"
    " ON {assessments.PrincipleComment.respondent} = {assessments.Respondent.id}"
    " AND {assessments.PrincipleComment.principle} = %s",
)


def _read_principle_page(
    respondent: Respondent, principle: Principle, statement_ids: list[int]
) -> _Stored:
    """Rows of (statement id, value, don't know, comment); Nones where nothing is stored."""
    ids = statement_ids or [0]  # no statement has id 0: a page without statements joins nothing
    columns, joins = _PRINCIPLE_PAGE
    template = _page_read(columns, joins.replace("<ids>", sql.placeholders(len(ids))))
    return _read(respondent, template, [*ids, principle.pk])


def _principle_page(stored: _Stored) -> tuple[dict[int, tuple[int | None, bool]], str | None]:
    saved = {
        statement_id: (value, bool(dont_know))
        for statement_id, value, dont_know, _text in stored.rows
        if statement_id is not None
    }
    return saved, stored.rows[0][3]


_REMOVE_COMMENT = (
    "DELETE FROM {assessments.PrincipleComment}"
    " WHERE {assessments.PrincipleComment.respondent} = %s"
    " AND {assessments.PrincipleComment.principle} = %s"
)


def save_principle_page(
    respondent: Respondent, principle: Principle, data: Mapping[str, Any]
) -> None:
    """Save one principle's page: its statements and the optional comment.

    `data["statements"]` maps statement ids to 1–5 or `DONT_KNOW`; a blank value leaves that
    statement unanswered (and an earlier answer as it was). `data["comment"]`: text to keep,
    "" to remove the comment, absent or None to leave it alone. Only what differs from what
    is stored is written.
    """
    the_framework = framework_of(respondent)
    in_framework = principle.pk in the_framework.principle_ids
    on_page = [s.pk for s in the_framework.statements_of(principle)] if in_framework else []
    errors = _Errors()
    given: dict[int, tuple[int | None, bool]] = {}
    for raw_id, raw_value in (data.get("statements") or {}).items():
        statement_id = _id(raw_id)
        if statement_id not in on_page:
            errors.add(NON_FIELD_ERRORS, str(_STATEMENT_NOT_ON_PAGE))
            continue
        if _blank(raw_value):
            continue
        if raw_value == DONT_KNOW:
            given[statement_id] = (None, True)
            continue
        value = _whole_number(raw_value)
        if value is None or not STATEMENT_MIN <= value <= STATEMENT_MAX:
            errors.add(
                statement_field(statement_id),
                _("Choose a value from 1 to 5, or “Don't know”."),
            )
            continue
        given[statement_id] = (value, False)
    comment = data.get("comment")
    if comment is not None:
        if not isinstance(comment, str):
            errors.add("comment", _("The comment must be text."))
        elif len(comment.strip()) > COMMENT_MAX_LENGTH:
            errors.add(
                "comment",
                _("Keep the comment to %(max)d characters (it has %(count)d).")
                % {"max": COMMENT_MAX_LENGTH, "count": len(comment.strip())},
            )
    text = comment.strip() if isinstance(comment, str) else None

    def plan(stored: _Stored) -> Callable[[], None] | None:
        if not in_framework or stored.version_id != the_framework.version_id:
            raise ValidationError({NON_FIELD_ERRORS: [str(_NOT_IN_FRAMEWORK)]})
        errors.raise_if_any()
        saved, saved_comment = _principle_page(stored)
        rows = [
            (respondent.pk, pk, value, dont_know)
            for pk, (value, dont_know) in given.items()
            if saved.get(pk) != (value, dont_know)
        ]
        # The empty comment box comes with every page: it removes only a comment stored.
        keep_comment = bool(text) and text != saved_comment
        remove_comment = text == "" and saved_comment is not None
        if not (rows or keep_comment or remove_comment):
            return None

        def write() -> None:
            if rows:
                sql.upsert(
                    StatementAnswer,
                    ("respondent", "statement", "value", "dont_know"),
                    ("respondent", "statement"),
                    rows,
                )
            if keep_comment:
                sql.upsert(
                    PrincipleComment,
                    ("respondent", "principle", "text"),
                    ("respondent", "principle"),
                    [(respondent.pk, principle.pk, text)],
                )
            elif remove_comment:
                sql.execute(_REMOVE_COMMENT, [respondent.pk, principle.pk])

        return write

    _save(respondent, lambda: _read_principle_page(respondent, principle, on_page), plan)


_DIMENSIONS_PAGE = _page_read(
    ", {assessments.DimensionAnswer.dimension}, {assessments.DimensionAnswer.now},"
    " {assessments.DimensionAnswer.desired}",
    " LEFT OUTER JOIN {assessments.DimensionAnswer}"
    " ON {assessments.DimensionAnswer.respondent} = {assessments.Respondent.id}",
)


def _read_dimensions(respondent: Respondent) -> _Stored:
    """Rows of (dimension id, now, desired); Nones where nothing is stored."""
    return _read(respondent, _DIMENSIONS_PAGE, [])


def save_dimensions(respondent: Respondent, data: Mapping[Any, Mapping[str, Any]]) -> None:
    """Save the control–trust page: `{dimension_id: {"now": 1–7, "desired": 1–7}}`.

    A blank side keeps what was saved for it before. Only a dimension that changes is written.
    """
    the_framework = framework_of(respondent)
    errors = _Errors()
    given: dict[int, dict[str, int]] = {}
    for raw_id, sides in (data or {}).items():
        dimension_id = _id(raw_id)
        if dimension_id not in the_framework.dimension_ids or not isinstance(sides, Mapping):
            errors.add(NON_FIELD_ERRORS, str(_DIMENSION_NOT_ON_PAGE))
            continue
        for side, raw_value in sides.items():
            if side not in DIMENSION_SIDES:
                errors.add(NON_FIELD_ERRORS, _("Only “now” and “desired” can be answered."))
                continue
            if _blank(raw_value):
                continue
            value = _whole_number(raw_value)
            if value is None or not DIMENSION_MIN <= value <= DIMENSION_MAX:
                errors.add(dimension_field(dimension_id, side), _("Choose a value from 1 to 7."))
                continue
            given.setdefault(dimension_id, {})[side] = value

    def plan(stored: _Stored) -> Callable[[], None] | None:
        if stored.version_id != the_framework.version_id:
            raise ValidationError({NON_FIELD_ERRORS: [str(_DIMENSION_NOT_ON_PAGE)]})
        errors.raise_if_any()
        saved = {pk: (now, desired) for pk, now, desired in stored.rows if pk is not None}
        rows = []
        for dimension_id, sides in given.items():
            before_now, before_desired = saved.get(dimension_id, (None, None))
            after = (sides.get("now", before_now), sides.get("desired", before_desired))
            if saved.get(dimension_id) != after:
                rows.append((respondent.pk, dimension_id, *after))
        if not rows:
            return None  # a page left empty, or as it was, writes nothing
        return lambda: sql.upsert(
            DimensionAnswer,
            ("respondent", "dimension", "now", "desired"),
            ("respondent", "dimension"),
            rows,
        )

    _save(respondent, lambda: _read_dimensions(respondent), plan)


def check_balance(kind: str, points: Mapping[str, Any]) -> tuple[dict[str, int] | None, dict]:
    """Validate one balance: (its points, or None when left blank or wrong; its errors).

    Errors are keyed by `balance_field` (one number) or `balance_group` (the sum). The
    balance form shows the same messages before anything is sent to `save_balance`.
    """
    errors = _Errors()
    if all(_blank(points.get(key)) for key in STEERING_KEYS):
        return None, {}
    values: dict[str, int] = {}
    for key in STEERING_KEYS:
        raw_value = points.get(key)
        if _blank(raw_value):
            errors.add(balance_field(kind, key), _("Give points to all three (0 is fine)."))
            continue
        value = _whole_number(raw_value)
        if value is None or not 0 <= value <= BALANCE_TOTAL:
            errors.add(balance_field(kind, key), _("Give a whole number of points from 0 to 100."))
            continue
        values[key] = value
    if len(values) == len(STEERING_KEYS):
        total = sum(values.values())
        if total != BALANCE_TOTAL:
            if total > BALANCE_TOTAL:
                difference = _("%(n)d too many") % {"n": total - BALANCE_TOTAL}
            else:
                difference = _("%(n)d left to give") % {"n": BALANCE_TOTAL - total}
            errors.add(
                balance_group(kind),
                _(
                    "The points add up to %(total)d. Spread exactly 100 points over the "
                    "three (%(difference)s)."
                )
                % {"total": total, "difference": difference},
            )
    if errors.by_field:
        return None, dict(errors.by_field)
    return values, {}


_BALANCE_PAGE = _page_read(
    "".join(f", {{assessments.BalanceAnswer.{name}}}" for name in ("kind", *STEERING_KEYS)),
    " LEFT OUTER JOIN {assessments.BalanceAnswer}"
    " ON {assessments.BalanceAnswer.respondent} = {assessments.Respondent.id}",
)


def _read_balance(respondent: Respondent) -> _Stored:
    """Rows of (kind, market, hierarchy, trust); Nones where nothing is stored."""
    return _read(respondent, _BALANCE_PAGE, [])


def save_balance(respondent: Respondent, data: Mapping[str, Mapping[str, Any]]) -> None:
    """Save the steering balance: `{"now": {"market": m, "hierarchy": h, "trust": t}, …}`.

    Each balance is whole points from 0 to 100 that add up to exactly 100. A balance left
    entirely blank is skipped (an earlier one stays); a half-filled one is an error. Only a
    balance that changes is written.
    """
    errors = _Errors()
    given: dict[str, dict[str, int]] = {}
    for kind, points in (data or {}).items():
        if kind not in BalanceKind.values or not isinstance(points, Mapping):
            errors.add(NON_FIELD_ERRORS, _("Only the balance now and desired can be answered."))
            continue
        if set(points) - set(STEERING_KEYS):
            errors.add(
                NON_FIELD_ERRORS,
                _("The balance has exactly three parts: competition, regulation and trust."),
            )
            continue
        values, problems = check_balance(kind, points)
        for key, messages in problems.items():
            for message in messages:
                errors.add(key, message)
        if values is not None:
            given[kind] = values

    def plan(stored: _Stored) -> Callable[[], None] | None:
        errors.raise_if_any()
        saved = {
            kind: dict(zip(STEERING_KEYS, points, strict=True))
            for kind, *points in stored.rows
            if kind is not None
        }
        rows = [
            (respondent.pk, kind, *(values[key] for key in STEERING_KEYS))
            for kind, values in given.items()
            if saved.get(kind) != values
        ]
        if not rows:
            return None  # a page left empty, or as it was, writes nothing
        return lambda: sql.upsert(
            BalanceAnswer, ("respondent", "kind", *STEERING_KEYS), ("respondent", "kind"), rows
        )

    _save(respondent, lambda: _read_balance(respondent), plan)


# ---------------------------------------------------------------------------------------
# Reading a participant's own answers back
# ---------------------------------------------------------------------------------------


def principle_answers(respondent: Respondent, principle: Principle) -> tuple[dict[int, str], str]:
    """The respondent's answers on one principle's page, as form values, and their comment."""
    ids = [s.pk for s in framework_of(respondent).statements_of(principle)]
    saved, comment = _principle_page(_read_principle_page(respondent, principle, ids))
    answers = {
        pk: DONT_KNOW if dont_know else str(value) for pk, (value, dont_know) in saved.items()
    }
    return answers, comment or ""


def dimension_answers(respondent: Respondent) -> dict[int, dict[str, int | None]]:
    return {
        row["dimension_id"]: {"now": row["now"], "desired": row["desired"]}
        for row in DimensionAnswer.objects.filter(respondent=respondent).values(
            "dimension_id", "now", "desired"
        )
    }


def balance_answers(respondent: Respondent) -> dict[str, dict[str, int]]:
    return {
        row["kind"]: {key: row[key] for key in STEERING_KEYS}
        for row in BalanceAnswer.objects.filter(respondent=respondent).values(
            "kind", *STEERING_KEYS
        )
    }


class PageState:
    """How much of one answer page is answered, for the summary's list of pages left."""

    UNANSWERED = "unanswered"  # nothing at all
    PARTLY = "partly"  # something, but not every question
    COMPLETE = "complete"


def _state(answered: int, total: int, started: bool) -> str:
    if answered >= total:
        return PageState.COMPLETE
    return PageState.PARTLY if started else PageState.UNANSWERED


@dataclass
class PrincipleProgress:
    principle: Principle
    answered: int
    total: int
    commented: bool

    @property
    def complete(self) -> bool:
        return self.answered >= self.total

    @property
    def state(self) -> str:
        """A comment alone is something answered: the page is then partly answered."""
        return _state(self.answered, self.total, self.answered > 0 or self.commented)


@dataclass
class Progress:
    """How far a respondent has come, page by page (four queries whatever the framework)."""

    principles: list[PrincipleProgress] = field(default_factory=list)
    dimensions_answered: int = 0  # dimensions with both "now" and "desired"
    dimensions_total: int = 0
    dimension_sides_answered: int = 0  # every "now" and "desired" given
    balances_answered: int = 0
    balances_total: int = len(BalanceKind.values)

    @property
    def dimensions_complete(self) -> bool:
        return self.dimensions_answered >= self.dimensions_total

    @property
    def balance_complete(self) -> bool:
        return self.balances_answered >= self.balances_total

    @property
    def dimension_sides_total(self) -> int:
        return len(DIMENSION_SIDES) * self.dimensions_total

    @property
    def dimensions_state(self) -> str:
        return _state(
            self.dimensions_answered, self.dimensions_total, self.dimension_sides_answered > 0
        )

    @property
    def balance_state(self) -> str:
        return _state(self.balances_answered, self.balances_total, self.balances_answered > 0)

    @property
    def complete(self) -> bool:
        return (
            all(p.complete for p in self.principles)
            and self.dimensions_complete
            and self.balance_complete
        )


def progress(respondent: Respondent, the_framework: Framework) -> Progress:
    """Four queries: the framework's pages and their questions come from `the_framework`."""
    answered = dict(
        StatementAnswer.objects.filter(respondent=respondent)
        .values("statement__principle_id")
        .annotate(n=Count("pk"))
        .values_list("statement__principle_id", "n")
    )
    commented = set(
        PrincipleComment.objects.filter(respondent=respondent).values_list(
            "principle_id", flat=True
        )
    )
    dimensions = DimensionAnswer.objects.filter(respondent=respondent).aggregate(
        complete=Count("pk", filter=Q(now__isnull=False, desired__isnull=False)),
        now=Count("now"),  # Count of a column counts the rows where it is not null
        desired=Count("desired"),
    )
    balances = BalanceAnswer.objects.filter(respondent=respondent).count()
    return Progress(
        principles=[
            PrincipleProgress(
                principle=p,
                answered=answered.get(p.pk, 0),
                total=len(the_framework.statements_of(p)),
                commented=p.pk in commented,
            )
            for p in the_framework.principles
        ],
        dimensions_answered=dimensions["complete"],
        dimensions_total=len(the_framework.dimensions),
        dimension_sides_answered=dimensions["now"] + dimensions["desired"],
        balances_answered=balances,
    )

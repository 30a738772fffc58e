"""The only road from individual answers to figures: who counts, what may be shown, and when.

Nothing else reads the answer tables to make a figure (``tests/assessments/
test_disclosure_boundary.py`` enforces it). The rules, as the report's method note states them:

* **Who counts.** A respondent counts toward the threshold only after answering a real share
  of the statements: at least half of them with a value other than "don't know"
  (``COUNTED_SHARE``). Only those respondents' answers go into any figure.
* **Released snapshots.** Figures exist only in a ``Release``: nothing is computed for a page
  before the manager reveals, previews included; until then only counts are shown. A reveal
  computes the figures once from the counted answer set and stores them with, per figure, a
  keyed digest of each member's contribution (never the answers). A later reveal is measured
  figure by figure against *every* earlier release: a figure takes a new value only when at
  least the threshold of respondents changed what it stands on (joined, left or changed an
  answer to it); otherwise it stays as shown, so no figure of two releases differs by fewer
  people than the threshold. A reveal that would change nothing visible is refused.
* **Each figure on its own.** A release needs the threshold of counted respondents, and each
  figure in it needs the threshold of answers of its own: a statement's distribution and
  median (answers with a value), a dimension's medians, a balance's mean, a cell of the
  balance triangle. A principle's index, median and interquartile range and its pooled
  distribution use only the statements shown, so a withheld statement's few answers can
  neither move a shown figure nor be worked out by subtraction.
* **No per-person values.** No dots, no minimum or maximum: the spread shown is the
  interquartile range, which from five values on involves neither extreme.
* **Comments** are kept in the release, shuffled once, with no times or order of arrival.

The threshold is ``settings.MIN_RESPONDENTS`` (default 5), read here and nowhere else.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from principles.models import Dimension, Principle, Statement

from . import scoring
from .models import (
    BalanceAnswer,
    BalanceKind,
    DimensionAnswer,
    PrincipleComment,
    Release,
    Respondent,
    StatementAnswer,
    UnitAssessment,
)

# A respondent counts once at least this share of the statements has a value.
COUNTED_SHARE = 0.5
# The balance triangle's density cells: 20 points a side, the chart's own grid.
CELL_POINTS = 20
# How many items lead the conversation, per kind.
STARTERS = 3
DIGEST_SALT = "tillit.disclosure.member"


def threshold() -> int:
    """The anonymity threshold: the fewest people any figure may stand on."""
    return settings.MIN_RESPONDENTS


# ---------------------------------------------------------------------------------------
# The framework's shape, as far as figures need it
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Principles with their statement ids, and dimension ids, in the framework's order."""

    principles: tuple[tuple[int, tuple[int, ...]], ...]
    dimensions: tuple[int, ...]

    @property
    def statement_count(self) -> int:
        return sum(len(statements) for _pid, statements in self.principles)

    @property
    def needed(self) -> int:
        """Statements with a value a respondent needs to count (at least one)."""
        return max(1, math.ceil(self.statement_count * COUNTED_SHARE))

    @classmethod
    def of(cls, principles: Iterable[Principle], dimensions: Iterable[Dimension]) -> Layout:
        """From principles with their statements prefetched: no query."""
        return cls(
            principles=tuple((p.pk, tuple(s.pk for s in p.statements.all())) for p in principles),
            dimensions=tuple(d.pk for d in dimensions),
        )

    @classmethod
    def for_version(cls, version_id: int) -> Layout:
        """Read from the database: two queries."""
        by_principle: dict[int, list[int]] = {
            pid: []
            for pid in Principle.objects.filter(version_id=version_id)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        }
        for sid, pid in (
            Statement.objects.filter(principle__version_id=version_id)
            .order_by("order", "pk")
            .values_list("pk", "principle_id")
        ):
            by_principle[pid].append(sid)
        dimensions = tuple(
            Dimension.objects.filter(version_id=version_id)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        )
        return cls(tuple((pid, tuple(s)) for pid, s in by_principle.items()), dimensions)


# ---------------------------------------------------------------------------------------
# Participation: counts only, never a figure
# ---------------------------------------------------------------------------------------


def _known_answers() -> Coalesce:
    """Per respondent, how many statements they answered with a value (a subquery)."""
    per_respondent = (
        StatementAnswer.objects.filter(respondent=OuterRef("pk"), value__isnull=False)
        .order_by()
        .values("respondent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_respondent, output_field=IntegerField()), Value(0))


def _statements_in_version() -> Coalesce:
    """Per respondent, how many statements its assessment's framework version has."""
    per_version = (
        Statement.objects.filter(
            principle__version_id=OuterRef("assessment__round__framework_version_id")
        )
        .order_by()
        .values("principle__version_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_version, output_field=IntegerField()), Value(0))


def counts_toward_threshold() -> Q:
    """Respondents (annotated with ``with_share``) who answered a real share: the rule of
    ``Layout.needed`` in SQL."""
    return Q(known__gte=1) & Q(known__gte=F("statements") * COUNTED_SHARE)


def with_share(respondents: QuerySet[Respondent]) -> QuerySet[Respondent]:
    return respondents.annotate(known=_known_answers(), statements=_statements_in_version())


@dataclass(frozen=True)
class Participation:
    joined: int  # respondents created (pressed Start)
    counted: int  # respondents who answered a real share: they count toward the threshold
    finished: int  # respondents who reached the end
    expected: int | None  # as the manager said when opening the individual phase
    threshold: int
    shared_source: int = 0  # respondents who joined from a source another one joined from

    @property
    def enough(self) -> bool:
        return self.counted >= self.threshold

    def as_json(self) -> dict[str, Any]:
        return {
            "joined": self.joined,
            "answered": self.counted,
            "finished": self.finished,
            "expected": self.expected,
            "min_respondents": self.threshold,
            "enough": self.enough,
        }


def participation(assessment: UnitAssessment, *, sources: bool = False) -> Participation:
    """How many joined, count and finished: one query (two with ``sources``).

    Once the retention rule has deleted the respondents, the counts kept at that moment (no
    query); no source is known any more.
    """
    if assessment.purged_at is not None:
        return Participation(
            joined=assessment.joined_respondents or 0,
            counted=assessment.counted_respondents or 0,
            finished=assessment.finished_respondents or 0,
            expected=assessment.expected_respondents,
            threshold=threshold(),
        )
    counts = with_share(Respondent.objects.filter(assessment=assessment)).aggregate(
        joined=Count("pk"),
        counted=Count("pk", filter=counts_toward_threshold()),
        finished=Count("pk", filter=Q(finished_at__isnull=False)),
    )
    shared = 0
    if sources:
        shared = sum(
            n
            for n in Respondent.objects.filter(assessment=assessment)
            .exclude(source="")
            .values("source")
            .annotate(n=Count("pk"))
            .filter(n__gte=2)
            .values_list("n", flat=True)
        )
    return Participation(
        joined=counts["joined"] or 0,
        counted=counts["counted"] or 0,
        finished=counts["finished"] or 0,
        expected=assessment.expected_respondents,
        threshold=threshold(),
        shared_source=shared,
    )


# ---------------------------------------------------------------------------------------
# Loading one answer set
# ---------------------------------------------------------------------------------------


@dataclass
class Answers:
    """One counted respondent's answers (in memory only, never shown)."""

    statements: dict[int, int | None] = field(default_factory=dict)
    dimensions: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    balances: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)


AnswerSet = dict[int, Answers]  # respondent id -> answers


def load(assessment_ids: Sequence[int], layout: Layout) -> dict[int, AnswerSet]:
    """The counted respondents' answers per assessment: four queries for any number.

    Every assessment must share ``layout`` (one round, one framework version).
    """
    sets: dict[int, AnswerSet] = {aid: {} for aid in assessment_ids}
    if not assessment_ids:
        return sets
    raw: dict[tuple[int, int], Answers] = defaultdict(Answers)
    known: dict[tuple[int, int], int] = defaultdict(int)
    for aid, rid, sid, value in StatementAnswer.objects.filter(
        respondent__assessment_id__in=assessment_ids
    ).values_list("respondent__assessment_id", "respondent_id", "statement_id", "value"):
        raw[(aid, rid)].statements[sid] = value
        known[(aid, rid)] += value is not None
    counted = {key for key, n in known.items() if n >= layout.needed}
    for aid, rid, did, now, desired in DimensionAnswer.objects.filter(
        respondent__assessment_id__in=assessment_ids
    ).values_list("respondent__assessment_id", "respondent_id", "dimension_id", "now", "desired"):
        if (aid, rid) in counted:
            raw[(aid, rid)].dimensions[did] = (now, desired)
    for aid, rid, kind, market, hierarchy, trust in BalanceAnswer.objects.filter(
        respondent__assessment_id__in=assessment_ids
    ).values_list(
        "respondent__assessment_id", "respondent_id", "kind", "market", "hierarchy", "trust"
    ):
        if (aid, rid) in counted:
            raw[(aid, rid)].balances[kind] = (market, hierarchy, trust)
    for aid, rid, pid, text in PrincipleComment.objects.filter(
        respondent__assessment_id__in=assessment_ids
    ).values_list("respondent__assessment_id", "respondent_id", "principle_id", "text"):
        if (aid, rid) in counted:
            raw[(aid, rid)].comments[pid] = text
    for aid, rid in counted:
        sets[aid][rid] = raw[(aid, rid)]
    return sets


# ---------------------------------------------------------------------------------------
# Figures: computed once per release, stored, and read by every view
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementFigure:
    answered: int  # answers, "don't know" included
    known: int  # answers with a value
    distribution: scoring.Distribution | None  # None: fewer than the threshold with a value
    median: float | None
    spread: float | None

    @property
    def shown(self) -> bool:
        return self.distribution is not None

    @property
    def bars(self) -> list[tuple[str, int, float]]:
        """(label, count, height in %) per column: the most common answer fills its column."""
        if self.distribution is None:
            return []
        columns = [(str(value), count) for value, count in self.distribution.counts]
        columns.append(("dont_know", self.distribution.dont_know))
        largest = max(count for _label, count in columns) or 1
        return [(label, count, round(100 * count / largest, 1)) for label, count in columns]


@dataclass(frozen=True)
class PrincipleFigure:
    index_count: int  # respondents with an index for the principle
    median: float | None
    quartiles: scoring.Quartiles | None
    distribution: scoring.Distribution | None  # the shown statements' answers pooled
    comments: tuple[str, ...]
    hidden_statements: int  # statements withheld: too few answered them with a value


@dataclass(frozen=True)
class DimensionFigure:
    now_count: int
    desired_count: int
    now_median: float | None
    desired_median: float | None

    @property
    def gap(self) -> float | None:
        if self.now_median is None or self.desired_median is None:
            return None
        return self.desired_median - self.now_median

    @staticmethod
    def _percent(value: float | None) -> float | None:
        """Where a value of 1–7 lies along the scale, 0–100 %, for drawing it."""
        return None if value is None else (value - 1) / 6 * 100

    @property
    def now_percent(self) -> float | None:
        return self._percent(self.now_median)

    @property
    def desired_percent(self) -> float | None:
        return self._percent(self.desired_median)


@dataclass(frozen=True)
class Cell:
    """A region of the balance triangle: market and hierarchy from their lows, 20 points up."""

    market: int
    hierarchy: int
    count: int


@dataclass(frozen=True)
class BalanceFigure:
    count: int
    mean: scoring.Balance | None
    cells: tuple[Cell, ...]  # only cells holding at least the threshold of people


@dataclass(frozen=True)
class Figures:
    """A release's figures, as every view shows them."""

    respondents: int
    threshold: int
    statements: dict[int, StatementFigure]
    principles: dict[int, PrincipleFigure]
    dimensions: dict[int, DimensionFigure]
    balances: dict[str, BalanceFigure]
    number: int = 0
    released_at: Any = None

    def most_disagreement(self, limit: int = STARTERS) -> list[int]:
        """Statement ids with the largest spread (above none), in the framework's order on
        ties: what leads the conversation."""
        ranked = scoring.rank_by_disagreement(
            {
                sid: f.distribution.values()
                for sid, f in self.statements.items()
                if f.distribution is not None
            }
        )
        return [item.key for item in ranked if item.score > 0][:limit]

    def largest_gaps(self, limit: int = STARTERS) -> list[int]:
        ranked = scoring.rank_by_gap(
            {
                did: ((f.now_median,), (f.desired_median,))
                for did, f in self.dimensions.items()
                if f.gap is not None
            }
        )
        return [item.key for item in ranked if item.score != 0][:limit]


def _cell_of(balance: tuple[int, int, int]) -> tuple[int, int]:
    """The low corner (market, hierarchy) of the cell a balance falls in."""
    market, hierarchy, _trust = balance
    last = 100 // CELL_POINTS - 1
    i, j = min(market // CELL_POINTS, last), min(hierarchy // CELL_POINTS, last)
    if i + j > last:  # on the outer edge (no trust) at a grid line: the cell just inside
        i, j = (i - 1, j) if i > 0 else (i, j - 1)
    return i * CELL_POINTS, j * CELL_POINTS


def _index(person: Answers, statements: Sequence[int]) -> float | None:
    """A respondent's index over the statements shown: a withheld statement's few answers
    must not move a median that is shown."""
    return scoring.principle_index(
        person.statements[s] for s in statements if s in person.statements
    )


def contributions(
    layout: Layout, answer_set: Mapping[int, Answers], figures: Figures
) -> dict[str, dict[str, str]]:
    """Per figure, each respondent's keyed digest of what they put into it.

    Two answer sets give a figure the same value when its contributions are equal; the number
    of respondents whose contribution differs is what a later release is measured by, figure
    by figure (see ``release``). Keys: ``s<statement>``, ``i<principle>`` (index),
    ``c<principle>`` (comment), ``n<dimension>``/``d<dimension>`` (now, desired), ``b<kind>``.
    """
    # The index stands on the statements the figures show (``compute`` decides which).
    shown = {sid for sid, figure in figures.statements.items() if figure.shown}
    made: dict[str, dict[str, str]] = defaultdict(dict)

    def put(key: str, rid: int, value: object) -> None:
        made[key][str(rid)] = salted_hmac(
            DIGEST_SALT, f"{key}:{value!r}", algorithm="sha256"
        ).hexdigest()[:16]

    for rid, person in answer_set.items():
        for pid, sids in layout.principles:
            for sid in sids:
                if sid in person.statements:
                    put(f"s{sid}", rid, person.statements[sid])
            index = _index(person, [sid for sid in sids if sid in shown])
            if index is not None:
                put(f"i{pid}", rid, round(index, 9))
            if text := person.comments.get(pid, "").strip():
                put(f"c{pid}", rid, text)
        for did, (now, desired) in person.dimensions.items():
            if now is not None:
                put(f"n{did}", rid, now)
            if desired is not None:
                put(f"d{did}", rid, desired)
        for kind, points in person.balances.items():
            put(f"b{kind}", rid, tuple(points))
    return dict(made)


def compute(layout: Layout, answer_set: Mapping[int, Answers], limit: int) -> Figures:
    """Every figure of one answer set, each withheld below ``limit`` answers of its own."""
    people = list(answer_set.values())
    statements: dict[int, StatementFigure] = {}
    principles: dict[int, PrincipleFigure] = {}
    shuffle = random.SystemRandom().shuffle
    for pid, sids in layout.principles:
        pooled: dict[int | None, int] = defaultdict(int)
        hidden = 0
        for sid in sids:
            answers = [p.statements[sid] for p in people if sid in p.statements]
            numbers = scoring.known(answers)
            if len(numbers) >= limit:
                figure = StatementFigure(
                    answered=len(answers),
                    known=len(numbers),
                    distribution=scoring.distribution(answers),
                    median=scoring.median(numbers),
                    spread=scoring.spread(numbers),
                )
                for value in answers:
                    pooled[value] += 1
            else:
                figure = StatementFigure(len(answers), len(numbers), None, None, None)
                hidden += 1
            statements[sid] = figure
        shown = [sid for sid in sids if statements[sid].shown]
        indices = [index for p in people if (index := _index(p, shown)) is not None]
        # Over shown statements only: any shown statement has the threshold of values, so the
        # index stands on at least that many people exactly when one is shown.
        enough = bool(shown)
        comments = [text for p in people if (text := p.comments.get(pid, "").strip())]
        shuffle(comments)  # unattributed, in no order that could point at anyone
        principles[pid] = PrincipleFigure(
            index_count=len(indices),
            median=scoring.median(indices) if enough else None,
            quartiles=scoring.quartiles(indices) if enough else None,
            distribution=scoring.distribution_from_counts(pooled) if pooled else None,
            comments=tuple(comments) if len(people) >= limit else (),
            hidden_statements=hidden,
        )
    dimensions: dict[int, DimensionFigure] = {}
    for did in layout.dimensions:
        now = [p.dimensions[did][0] for p in people if did in p.dimensions]
        desired = [p.dimensions[did][1] for p in people if did in p.dimensions]
        now, desired = scoring.known(now), scoring.known(desired)
        dimensions[did] = DimensionFigure(
            now_count=len(now),
            desired_count=len(desired),
            now_median=scoring.median(now) if len(now) >= limit else None,
            desired_median=scoring.median(desired) if len(desired) >= limit else None,
        )
    balances: dict[str, BalanceFigure] = {}
    for kind in BalanceKind.values:
        rows = [p.balances[kind] for p in people if kind in p.balances]
        cells: dict[tuple[int, int], int] = defaultdict(int)
        for row in rows:
            cells[_cell_of(row)] += 1
        balances[kind] = BalanceFigure(
            count=len(rows),
            mean=scoring.mean_balance(rows) if len(rows) >= limit else None,
            cells=tuple(
                Cell(market, hierarchy, n)
                for (market, hierarchy), n in sorted(cells.items())
                if n >= limit
            ),
        )
    return Figures(
        respondents=len(people),
        threshold=limit,
        statements=statements,
        principles=principles,
        dimensions=dimensions,
        balances=balances,
    )


# --- stored as JSON --------------------------------------------------------------------


def _distribution_json(d: scoring.Distribution | None) -> dict | None:
    return None if d is None else {"counts": [c for _v, c in d.counts], "dont_know": d.dont_know}


def _distribution_from(data: dict | None, scale: range = scoring.STATEMENT_SCALE):
    if data is None:
        return None
    counts: dict[int | None, int] = dict(zip(scale, data["counts"], strict=True))
    counts[None] = data["dont_know"]
    return scoring.distribution_from_counts(counts, scale)


def to_json(figures: Figures) -> dict[str, Any]:
    return {
        "respondents": figures.respondents,
        "threshold": figures.threshold,
        "statements": {
            str(sid): [f.answered, f.known, _distribution_json(f.distribution), f.median, f.spread]
            for sid, f in figures.statements.items()
        },
        "principles": {
            str(pid): {
                "n": f.index_count,
                "median": f.median,
                "quartiles": [f.quartiles.low, f.quartiles.high] if f.quartiles else None,
                "distribution": _distribution_json(f.distribution),
                "comments": list(f.comments),
                "hidden": f.hidden_statements,
            }
            for pid, f in figures.principles.items()
        },
        "dimensions": {
            str(did): [f.now_count, f.desired_count, f.now_median, f.desired_median]
            for did, f in figures.dimensions.items()
        },
        "balances": {
            kind: {
                "n": f.count,
                "mean": list(f.mean.as_tuple()) if f.mean else None,
                "cells": [[c.market, c.hierarchy, c.count] for c in f.cells],
            }
            for kind, f in figures.balances.items()
        },
    }


def from_json(data: Mapping[str, Any], *, number: int = 0, released_at: Any = None) -> Figures:
    return Figures(
        respondents=data["respondents"],
        threshold=data["threshold"],
        statements={
            int(sid): StatementFigure(answered, known, _distribution_from(dist), median, spread)
            for sid, (answered, known, dist, median, spread) in data["statements"].items()
        },
        principles={
            int(pid): PrincipleFigure(
                index_count=f["n"],
                median=f["median"],
                quartiles=scoring.Quartiles(*f["quartiles"]) if f["quartiles"] else None,
                distribution=_distribution_from(f["distribution"]),
                comments=tuple(f["comments"]),
                hidden_statements=f["hidden"],
            )
            for pid, f in data["principles"].items()
        },
        dimensions={
            int(did): DimensionFigure(*values) for did, values in data["dimensions"].items()
        },
        balances={
            kind: BalanceFigure(
                count=f["n"],
                mean=scoring.Balance(*f["mean"]) if f["mean"] else None,
                cells=tuple(Cell(*c) for c in f["cells"]),
            )
            for kind, f in data["balances"].items()
        },
        number=number,
        released_at=released_at,
    )


# ---------------------------------------------------------------------------------------
# Releasing, and reading what was released
# ---------------------------------------------------------------------------------------


RELEASED = "released"
UNCHANGED = "unchanged"
TOO_FEW = "too_few"
TOO_CLOSE = "too_close"


@dataclass(frozen=True)
class Outcome:
    status: str
    release: Release | None
    counted: int
    kept: int = 0  # figures carried forward unchanged: too few changed them

    @property
    def released(self) -> bool:
        return self.status == RELEASED

    @property
    def message(self) -> str:
        limit = threshold()
        if self.status == RELEASED and self.kept:
            return _(
                "The results are shown. Some figures are as they were shown before: fewer than "
                "%(min)d people have changed what they stand on since."
            ) % {"min": limit}
        if self.status == RELEASED:
            return _("The results are shown.")
        if self.status == UNCHANGED:
            return _("The results are shown; no answers have changed since they were released.")
        if self.status == TOO_FEW:
            return ngettext(
                "Only %(counted)d person has answered enough to count. To protect everyone's "
                "anonymity, results are shown only when at least %(min)d have.",
                "Only %(counted)d people have answered enough to count. To protect everyone's "
                "anonymity, results are shown only when at least %(min)d have.",
                self.counted,
            ) % {"counted": self.counted, "min": limit}
        # Not how many: an exact number would tell whether one person changed their answers.
        return _(
            "Since the results were last shown, fewer than %(min)d people have joined or changed "
            "any one answer. New results are shown only when at least %(min)d have, so that no "
            "one's answers can be worked out from the difference. The results shown earlier stay."
        ) % {"min": limit}


def difference(earlier: Mapping[str, str], current: Mapping[str, str]) -> int:
    """Respondents in one set but not the other, or in both with different contributions."""
    return sum(1 for rid in earlier.keys() | current.keys() if earlier.get(rid) != current.get(rid))


def _carry_forward(new: dict, old: dict, keys: set[str]) -> dict:
    """``new`` figures with the figures named in ``keys`` as ``old`` had them; the pooled
    distributions and hidden counts then follow the statements as finally shown."""
    for key in keys:
        kind, ident = key[0], key[1:]
        if kind == "s":
            new["statements"][ident] = old["statements"][ident]
        elif kind == "i":
            for part in ("n", "median", "quartiles"):
                new["principles"][ident][part] = old["principles"][ident][part]
        elif kind == "c":
            new["principles"][ident]["comments"] = old["principles"][ident]["comments"]
        elif kind in "nd":
            a, b = (0, 2) if kind == "n" else (1, 3)
            new["dimensions"][ident][a] = old["dimensions"][ident][a]
            new["dimensions"][ident][b] = old["dimensions"][ident][b]
        elif kind == "b":
            new["balances"][ident] = old["balances"][ident]
    return new


def _pool(figures: dict, layout: Layout) -> dict:
    for pid, sids in layout.principles:
        shown = [figures["statements"][str(sid)][2] for sid in sids]
        counts = [d for d in shown if d is not None]
        principle = figures["principles"][str(pid)]
        principle["hidden"] = len(shown) - len(counts)
        principle["distribution"] = (
            {
                "counts": [sum(c) for c in zip(*(d["counts"] for d in counts), strict=True)],
                "dont_know": sum(d["dont_know"] for d in counts),
            }
            if counts
            else None
        )
    return figures


def release(assessment: UnitAssessment, user=None, *, layout: Layout | None = None) -> Outcome:
    """Release the current answer set's figures, as far as the rules allow.

    A first release needs the threshold of counted respondents. A later one is measured figure
    by figure against every earlier release: a figure takes its new value only if the
    respondents whose contribution to it differs number none (the value was shown before) or
    at least the threshold for every earlier release; otherwise it stays as last shown. So two
    releases never differ in a figure by fewer people than the threshold, however the changes
    are spread. Runs inside the caller's transaction with the assessment's row locked
    (``workflow`` locks it and checks who asks and in which state).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("release() must run inside a transaction with the row locked.")
    layout = layout or Layout.for_version(assessment.round.framework_version_id)
    limit = threshold()
    answer_set = load([assessment.pk], layout)[assessment.pk]
    if len(answer_set) < limit:
        return Outcome(TOO_FEW, None, counted=len(answer_set))
    computed = compute(layout, answer_set, limit)
    members = contributions(layout, answer_set, computed)
    earlier = list(
        Release.objects.filter(assessment=assessment)
        .order_by("number")
        .only("pk", "number", "members", "figures", "assessment_id")
    )
    figures = to_json(computed)
    kept: set[str] = set()
    if earlier:
        latest = earlier[-1]
        keys = set(members).union(*(r.members for r in earlier))

        def moved(key: str, past: Release) -> int:
            return difference(past.members.get(key, {}), members.get(key, {}))

        changed = {key for key in keys if moved(key, latest)}
        for key in changed:
            differences = [moved(key, past) for past in earlier]
            if 0 not in differences and min(differences) < limit:
                kept.add(key)
        if not changed or changed == kept:
            status = UNCHANGED if not changed else TOO_CLOSE
            if status == UNCHANGED and assessment.release_id != latest.pk:
                UnitAssessment.objects.filter(pk=assessment.pk).update(release=latest)
                assessment.release = latest
            return Outcome(status, latest if not changed else None, counted=len(answer_set))
        figures = _pool(_carry_forward(figures, latest.figures, kept), layout)
        for key in kept:  # what a kept figure stands on is what it stood on when shown
            if key in latest.members:
                members[key] = latest.members[key]
            else:
                members.pop(key, None)
    made = Release.objects.create(
        assessment=assessment,
        number=(earlier[-1].number + 1) if earlier else 1,
        released_at=timezone.now(),
        released_by=user,
        respondents=len(answer_set),
        threshold=limit,
        figures=figures,
        index_medians={
            pid: f["median"] for pid, f in figures["principles"].items() if f["median"] is not None
        },
        members=members,
    )
    UnitAssessment.objects.filter(pk=assessment.pk).update(release=made)
    assessment.release = made
    return Outcome(RELEASED, made, counted=len(answer_set), kept=len(kept))


def release_many(assessments: Sequence[UnitAssessment], layout: Layout) -> int:
    """First releases for many assessments of one round at once (data generators): five
    queries and a bulk insert, whatever their number. Returns how many were released."""
    limit = threshold()
    sets = load([a.pk for a in assessments], layout)
    made = []
    for assessment in assessments:
        answer_set = sets[assessment.pk]
        if len(answer_set) < limit:
            continue
        figures = compute(layout, answer_set, limit)
        made.append(
            Release(
                assessment=assessment,
                number=1,
                released_at=assessment.completed_at or timezone.now(),
                respondents=figures.respondents,
                threshold=limit,
                figures=to_json(figures),
                index_medians={
                    str(pid): f.median
                    for pid, f in figures.principles.items()
                    if f.median is not None
                },
                members=contributions(layout, answer_set, figures),
            )
        )
    Release.objects.bulk_create(made, batch_size=500)
    by_assessment = dict(
        Release.objects.filter(
            assessment__in=[r.assessment_id for r in made], number=1
        ).values_list("assessment_id", "pk")
    )
    for assessment in assessments:
        if assessment.pk in by_assessment:
            assessment.release_id = by_assessment[assessment.pk]
    UnitAssessment.objects.bulk_update(
        [a for a in assessments if a.pk in by_assessment], ["release"], batch_size=500
    )
    return len(made)


def shown(assessment: UnitAssessment) -> Figures | None:
    """The figures this assessment's pages may show now, or None.

    None before the manager reveals and while the individual phase is open again; else the
    last released snapshot. One query (none when ``release`` is already loaded).
    """
    if not assessment.shows_figures:
        return None
    made = assessment.release
    return from_json(made.figures, number=made.number, released_at=made.released_at)


@dataclass(frozen=True)
class Summary:
    respondents: int  # behind the released figures, or counted at completion
    index_medians: dict[int, float] | None  # None: no figures were released


def summaries(assessments: QuerySet[UnitAssessment]) -> dict[int, Summary]:
    """Per assessment, what the comparison shows: one plain read of stored figures."""
    return {
        aid: Summary(
            respondents=released if released is not None else (counted or 0),
            index_medians=(
                {int(pid): m for pid, m in medians.items()} if medians is not None else None
            ),
        )
        for aid, counted, released, medians in assessments.values_list(
            "pk", "counted_respondents", "release__respondents", "release__index_medians"
        )
    }

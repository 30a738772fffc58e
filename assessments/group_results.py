"""The group's results for the dialogue, read from the database in a fixed number of queries.

One query per answer table (never one per respondent), then the pure functions in
``scoring`` do the arithmetic. The anonymity rule is applied here, before anything reaches a
template: below ``settings.MIN_RESPONDENTS`` no answer is even read, and every single figure
(a statement's distribution, a median, a mean balance) is also left out when fewer than that
many people stand behind it.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from principles.models import Dimension, Principle, Statement

from . import scoring
from .models import (
    BalanceAgreement,
    BalanceAnswer,
    BalanceKind,
    DimensionAgreement,
    DimensionAnswer,
    PrincipleAgreement,
    PrincipleComment,
    Respondent,
    StatementAnswer,
    UnitAssessment,
)

# How many items lead the conversation, per kind.
STARTERS = 3


def min_respondents() -> int:
    return settings.MIN_RESPONDENTS


@dataclass(frozen=True)
class Participation:
    answered: int  # respondents with at least one answer of any kind
    finished: int  # respondents who said they were done

    @property
    def enough(self) -> bool:
        return self.answered >= min_respondents()

    def as_json(self) -> dict:
        return {
            "answered": self.answered,
            "finished": self.finished,
            "min_respondents": min_respondents(),
            "enough": self.enough,
        }


def has_answered() -> Q:
    """A respondent with at least one answer of any kind: who counts as having answered."""

    def has(model):
        return Exists(model.objects.filter(respondent=OuterRef("pk")))

    return Q(has(StatementAnswer)) | Q(has(DimensionAnswer)) | Q(has(BalanceAnswer))


def participation(assessment: UnitAssessment) -> Participation:
    """How many have answered, in one query."""
    counts = Respondent.objects.filter(assessment=assessment).aggregate(
        answered=Count("pk", filter=has_answered()),
        finished=Count("pk", filter=Q(finished_at__isnull=False)),
    )
    return Participation(answered=counts["answered"] or 0, finished=counts["finished"] or 0)


# --- figures -----------------------------------------------------------------------------------


@dataclass
class StatementResult:
    statement: Statement
    principle: Principle
    distribution: scoring.Distribution
    median: float | None
    range: scoring.Range | None
    spread: float | None

    @property
    def bars(self) -> list[tuple[str, int, float]]:
        """(label, count, height in %) per column: the most common answer fills its column.

        Scaled to the row's largest count so the shape of the answers shows even in a small
        group; every count is also written out, so nothing is read off the heights alone.
        """
        columns = [(str(value), count) for value, count in self.distribution.counts]
        columns.append(("dont_know", self.distribution.dont_know))
        largest = max(count for _label, count in columns) or 1
        return [(label, count, round(100 * count / largest, 1)) for label, count in columns]


@dataclass
class PrincipleResult:
    principle: Principle
    statements: list[StatementResult]
    index_count: int
    index_median: float | None
    index_range: scoring.Range | None
    comments: list[str] = field(default_factory=list)
    hidden_statements: int = 0  # statements left out: too few answered them


@dataclass
class DimensionResult:
    dimension: Dimension
    now_median: float | None
    desired_median: float | None
    now_count: int
    desired_count: int

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


@dataclass
class BalanceResult:
    kind: str
    label: str
    count: int
    mean: scoring.Balance | None


@dataclass
class GroupResults:
    participation: Participation
    principles: list[PrincipleResult]
    dimensions: list[DimensionResult]
    balances: list[BalanceResult]
    most_disagreement: list[StatementResult]
    largest_gaps: list[DimensionResult]


def group_results(
    assessment: UnitAssessment,
    principles: list[Principle],
    dimensions: list[Dimension],
    counted: Participation,
    *,
    with_comments: bool = True,
) -> GroupResults | None:
    """Everything the group may see, or None below the anonymity threshold.

    `principles` must come with their statements prefetched. Four queries when there are
    enough answers (statements, dimensions, balances, comments), none otherwise.
    """
    threshold = min_respondents()
    if counted.answered < threshold:
        return None

    # 1. Statement answers: one row per answer, no names, no respondent objects.
    by_statement: dict[int, list[int | None]] = defaultdict(list)
    by_respondent: dict[tuple[int, int], list[int | None]] = defaultdict(list)
    principle_of = {s.pk: p.pk for p in principles for s in p.statements.all()}
    for respondent_id, statement_id, value in StatementAnswer.objects.filter(
        respondent__assessment=assessment
    ).values_list("respondent_id", "statement_id", "value"):
        by_statement[statement_id].append(value)
        if statement_id in principle_of:
            by_respondent[(respondent_id, principle_of[statement_id])].append(value)

    indices: dict[int, list[float]] = defaultdict(list)
    for (_respondent, principle_id), values in by_respondent.items():
        index = scoring.principle_index(values)
        if index is not None:
            indices[principle_id].append(index)

    comments: dict[int, list[str]] = defaultdict(list)
    if with_comments:
        for principle_id, text in PrincipleComment.objects.filter(
            respondent__assessment=assessment
        ).values_list("principle_id", "text"):
            if text.strip():
                comments[principle_id].append(text.strip())
    shuffle = random.SystemRandom().shuffle

    principle_results = []
    shown_statements: list[StatementResult] = []
    for principle in principles:
        statement_results = []
        for statement in principle.statements.all():
            answers = by_statement.get(statement.pk, [])
            if len(answers) < threshold:
                continue  # too few behind this one item: leave it out entirely
            numbers = scoring.known(answers)
            result = StatementResult(
                statement=statement,
                principle=principle,
                distribution=scoring.distribution(answers),
                median=scoring.median(numbers),
                range=scoring.value_range(numbers),
                spread=scoring.spread(numbers) if len(numbers) >= threshold else None,
            )
            statement_results.append(result)
            shown_statements.append(result)
        principle_indices = indices.get(principle.pk, [])
        enough_indices = len(principle_indices) >= threshold
        principle_comments = comments.get(principle.pk, [])
        shuffle(principle_comments)  # unattributed, and in no order that could point at anyone
        principle_results.append(
            PrincipleResult(
                principle=principle,
                statements=statement_results,
                index_count=len(principle_indices),
                index_median=scoring.median(principle_indices) if enough_indices else None,
                index_range=scoring.value_range(principle_indices) if enough_indices else None,
                comments=principle_comments,
                hidden_statements=len(principle.statements.all()) - len(statement_results),
            )
        )

    # 2. Dimension answers.
    now_values: dict[int, list[int]] = defaultdict(list)
    desired_values: dict[int, list[int]] = defaultdict(list)
    for dimension_id, now, desired in DimensionAnswer.objects.filter(
        respondent__assessment=assessment
    ).values_list("dimension_id", "now", "desired"):
        if now is not None:
            now_values[dimension_id].append(now)
        if desired is not None:
            desired_values[dimension_id].append(desired)
    dimension_results = []
    for dimension in dimensions:
        now, desired = now_values.get(dimension.pk, []), desired_values.get(dimension.pk, [])
        dimension_results.append(
            DimensionResult(
                dimension=dimension,
                now_median=scoring.median(now) if len(now) >= threshold else None,
                desired_median=scoring.median(desired) if len(desired) >= threshold else None,
                now_count=len(now),
                desired_count=len(desired),
            )
        )

    # 3. Balances.
    balances: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for kind, market, hierarchy, trust in BalanceAnswer.objects.filter(
        respondent__assessment=assessment
    ).values_list("kind", "market", "hierarchy", "trust"):
        balances[kind].append((market, hierarchy, trust))
    balance_results = [
        BalanceResult(
            kind=kind,
            label=label,
            count=len(balances.get(kind, [])),
            mean=(
                scoring.mean_balance(balances[kind])
                if len(balances.get(kind, [])) >= threshold
                else None
            ),
        )
        for kind, label in BalanceKind.choices
    ]

    # What leads the conversation: most disagreement, largest now–desired gaps.
    disagreement = scoring.rank_by_disagreement(
        {
            i: result.distribution.values()
            for i, result in enumerate(shown_statements)
            if result.spread is not None
        }
    )
    most_disagreement = [shown_statements[item.key] for item in disagreement if item.score > 0]
    most_disagreement = most_disagreement[:STARTERS]
    gaps = scoring.rank_by_gap(
        {
            d.dimension.pk: (now_values[d.dimension.pk], desired_values[d.dimension.pk])
            for d in dimension_results
            if d.gap is not None
        }
    )
    result_of = {d.dimension.pk: d for d in dimension_results}
    largest_gaps = [result_of[item.key] for item in gaps if item.score != 0][:STARTERS]

    return GroupResults(
        participation=counted,
        principles=principle_results,
        dimensions=dimension_results,
        balances=balance_results,
        most_disagreement=most_disagreement,
        largest_gaps=largest_gaps,
    )


# --- what the group has agreed -----------------------------------------------------------------


@dataclass
class Agreed:
    principles: dict[int, PrincipleAgreement]
    dimensions: dict[int, DimensionAgreement]
    balances: dict[str, BalanceAgreement]


def agreed(assessment: UnitAssessment) -> Agreed:
    """The stored agreements by principle, dimension and balance kind (three queries)."""
    return Agreed(
        principles={a.principle_id: a for a in assessment.principle_agreements.all()},
        dimensions={a.dimension_id: a for a in assessment.dimension_agreements.all()},
        balances={a.kind: a for a in assessment.balance_agreements.all()},
    )

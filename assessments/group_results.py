"""The group's results for the dialogue and the completion page, as they were released.

No query and no answer: it lays out a ``disclosure.Figures`` (a released snapshot) beside the
framework's texts for the templates. Everything withheld by the disclosure rules is simply
absent here (``None`` or left out), with the counts that say why.
"""

from dataclasses import dataclass, field

from principles.models import Dimension, Principle, Statement

from . import disclosure, scoring
from .models import BalanceKind, UnitAssessment


@dataclass
class StatementResult:
    statement: Statement
    principle: Principle
    figure: disclosure.StatementFigure

    @property
    def distribution(self) -> scoring.Distribution | None:
        return self.figure.distribution

    @property
    def median(self) -> float | None:
        return self.figure.median

    @property
    def bars(self) -> list[tuple[str, int, float]]:
        return self.figure.bars


@dataclass
class PrincipleResult:
    principle: Principle
    statements: list[StatementResult]  # the statements shown
    index_count: int
    index_median: float | None
    index_quartiles: scoring.Quartiles | None
    comments: tuple[str, ...] = ()
    hidden_statements: int = 0  # statements withheld: too few answered them


@dataclass
class DimensionResult:
    dimension: Dimension
    figure: disclosure.DimensionFigure

    def __getattr__(self, name: str):
        # now_median, gap, now_percent … come from the released figure.
        return getattr(self.figure, name)


@dataclass
class BalanceResult:
    kind: str
    label: str
    count: int
    mean: scoring.Balance | None


@dataclass
class GroupResults:
    figures: disclosure.Figures
    principles: list[PrincipleResult]
    dimensions: list[DimensionResult]
    balances: list[BalanceResult]
    most_disagreement: list[StatementResult] = field(default_factory=list)
    largest_gaps: list[DimensionResult] = field(default_factory=list)


def group_results(
    figures: disclosure.Figures,
    principles: list[Principle],
    dimensions: list[Dimension],
    *,
    with_comments: bool = True,
) -> GroupResults:
    """The released figures beside the framework's texts (principles with statements
    prefetched). Only what the release holds is shown; nothing is computed from answers."""
    by_statement: dict[int, StatementResult] = {}
    principle_results = []
    for principle in principles:
        shown = []
        for statement in principle.statements.all():
            figure = figures.statements.get(statement.pk)
            if figure is not None and figure.shown:
                result = StatementResult(statement, principle, figure)
                by_statement[statement.pk] = result
                shown.append(result)
        figure = figures.principles.get(principle.pk)
        principle_results.append(
            PrincipleResult(
                principle=principle,
                statements=shown,
                index_count=figure.index_count if figure else 0,
                index_median=figure.median if figure else None,
                index_quartiles=figure.quartiles if figure else None,
                comments=figure.comments if figure and with_comments else (),
                hidden_statements=len(principle.statements.all()) - len(shown),
            )
        )
    empty = disclosure.DimensionFigure(0, 0, None, None)
    dimension_results = [
        DimensionResult(d, figures.dimensions.get(d.pk, empty)) for d in dimensions
    ]
    by_dimension = {r.dimension.pk: r for r in dimension_results}
    balances = []
    for kind, label in BalanceKind.choices:
        figure = figures.balances.get(kind) or disclosure.BalanceFigure(0, None, ())
        balances.append(BalanceResult(kind, label, figure.count, figure.mean))
    return GroupResults(
        figures=figures,
        principles=principle_results,
        dimensions=dimension_results,
        balances=balances,
        most_disagreement=[
            by_statement[sid] for sid in figures.most_disagreement() if sid in by_statement
        ],
        largest_gaps=[by_dimension[did] for did in figures.largest_gaps() if did in by_dimension],
    )


# --- what the group has agreed -----------------------------------------------------------------


@dataclass
class Agreed:
    principles: dict
    dimensions: dict
    balances: dict


def agreed(assessment: UnitAssessment) -> Agreed:
    """The stored agreements by principle, dimension and balance kind (three queries)."""
    return Agreed(
        principles={a.principle_id: a for a in assessment.principle_agreements.all()},
        dimensions={a.dimension_id: a for a in assessment.dimension_agreements.all()},
        balances={a.kind: a for a in assessment.balance_agreements.all()},
    )

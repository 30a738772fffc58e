"""Group figures for the dialogue and the reports: pure functions on plain values, no database.

Conventions:

* A statement answer is an ``int`` 1–5, or ``None`` for "don't know". Functions that work on
  numbers take only the numbers; callers drop ``None`` first (``known``), so "don't know" is
  never counted as a low or middle score.
* Empty input gives ``None`` rather than an exception: a figure with no answers behind it is
  "not known", and the templates say so.

Disagreement is measured as the **population standard deviation**. The interquartile range
was the alternative, but in the small groups a unit meeting has (5–15 people) it is often 0
even when two people answer 1 and three answer 5 on a 1–5 scale; the standard deviation sees
every answer, is 0 exactly when all answers are equal, and is the spread measure survey
practitioners read without explanation. Population (divide by n), not sample (n − 1): the
group describes itself, it is not a sample estimating a larger population.
"""

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Number = int | float
K = TypeVar("K", bound=Hashable)

STATEMENT_SCALE = range(1, 6)
DIMENSION_SCALE = range(1, 8)
BALANCE_TOTAL = 100


def known(values: Iterable[int | None]) -> list[int]:
    """The answers that carry a value: "don't know" (None) dropped."""
    return [value for value in values if value is not None]


def median(values: Sequence[Number]) -> float | None:
    """The middle value (mean of the two middle ones for an even count); None when empty."""
    if not values:
        return None
    return float(statistics.median(values))


@dataclass(frozen=True)
class Range:
    low: Number
    high: Number


def value_range(values: Sequence[Number]) -> Range | None:
    """Lowest and highest value; None when empty."""
    if not values:
        return None
    return Range(min(values), max(values))


@dataclass(frozen=True)
class Quartiles:
    low: float  # first quartile
    high: float  # third quartile


def quartiles(values: Sequence[Number]) -> Quartiles | None:
    """The interquartile range: where the middle half of the values lie.

    Linear interpolation between order statistics (``method="inclusive"``, as R's type 7 and
    numpy's default): from five values on, neither quartile involves the lowest or the
    highest value, so no single extreme answer sets the band the way a min–max range does.
    None for fewer than two values.
    """
    if len(values) < 2:
        return None
    low, _median, high = statistics.quantiles(values, n=4, method="inclusive")
    return Quartiles(float(low), float(high))


def spread(values: Sequence[Number]) -> float | None:
    """Disagreement: population standard deviation (see the module docstring for why).

    0 exactly when all values are equal; None when empty. ``statistics.pstdev`` sums with
    exact fractions, so the result does not depend on the order of the values.
    """
    if not values:
        return None
    return float(statistics.pstdev(values))


@dataclass(frozen=True)
class Distribution:
    """How many answered each step of a scale, and how many answered "don't know"."""

    counts: tuple[tuple[int, int], ...]  # (scale value, count), in scale order
    dont_know: int

    @property
    def answered(self) -> int:
        """Everyone who gave an answer, "don't know" included."""
        return sum(count for _value, count in self.counts) + self.dont_know

    @property
    def with_value(self) -> int:
        return sum(count for _value, count in self.counts)

    def values(self) -> list[int]:
        """The answers with a value, expanded back into a list (sorted)."""
        return [value for value, count in self.counts for _ in range(count)]


def distribution(values: Iterable[int | None], scale: range = STATEMENT_SCALE) -> Distribution:
    """Counts per scale step (every step listed, zeros included) plus "don't know" (None)."""
    counts = dict.fromkeys(scale, 0)
    dont_know = 0
    for value in values:
        if value is None:
            dont_know += 1
        elif value in counts:
            counts[value] += 1
        else:
            raise ValueError(f"{value!r} is not on the scale {scale.start}–{scale.stop - 1}.")
    return Distribution(counts=tuple(counts.items()), dont_know=dont_know)


def distribution_from_counts(
    counts: Mapping[int | None, int], scale: range = STATEMENT_SCALE
) -> Distribution:
    """The same as ``distribution`` from counts already made (e.g. by the database)."""
    for value, count in counts.items():
        if count < 0:
            raise ValueError("Counts must not be negative.")
        if value is not None and value not in scale:
            raise ValueError(f"{value!r} is not on the scale {scale.start}–{scale.stop - 1}.")
    return Distribution(
        counts=tuple((step, counts.get(step, 0)) for step in scale),
        dont_know=counts.get(None, 0),
    )


def principle_index(values: Iterable[int | None]) -> float | None:
    """One respondent's index for a principle: the mean of their statement answers.

    "Don't know" is ignored; None when they answered no statement with a value.
    """
    numbers = known(values)
    if not numbers:
        return None
    return math.fsum(numbers) / len(numbers)


def gap(now: Sequence[Number], desired: Sequence[Number]) -> float | None:
    """How far the group wants to move on a dimension: median(desired) − median(now).

    Signed: positive means towards trust. Medians, not means, so that the gap matches the two
    medians shown beside it and one extreme answer does not make a gap on its own.
    """
    now_median, desired_median = median(now), median(desired)
    if now_median is None or desired_median is None:
        return None
    return desired_median - now_median


@dataclass(frozen=True)
class Balance:
    """100 points over the three steering principles."""

    market: int
    hierarchy: int
    trust: int

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.market, self.hierarchy, self.trust)


def largest_remainder(sums: Sequence[int], count: int, total: int = BALANCE_TOTAL) -> list[int]:
    """Divide integer ``sums`` by ``count`` and round so that the parts add up to ``total``.

    Hamilton's largest-remainder method: every part is its quotient rounded down, and the
    points still missing go to the parts with the largest remainders (ties to the earlier
    part, so the result is deterministic). Integer arithmetic only: no float error.
    """
    if count <= 0:
        raise ValueError("count must be positive.")
    if sum(sums) != total * count:
        raise ValueError(f"The sums must add up to {total} × {count}.")
    floors = [part // count for part in sums]
    remainders = [part % count for part in sums]
    missing = total - sum(floors)
    order = sorted(range(len(sums)), key=lambda i: (-remainders[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return floors


def mean_balance(balances: Sequence[Balance | tuple[int, int, int]]) -> Balance | None:
    """The group's mean balance, in whole points that still add up to 100; None when empty."""
    if not balances:
        return None
    rows = [b.as_tuple() if isinstance(b, Balance) else tuple(b) for b in balances]
    for row in rows:
        if len(row) != 3 or sum(row) != BALANCE_TOTAL or min(row) < 0:
            raise ValueError(f"A balance must be three parts adding up to 100, got {row!r}.")
    sums = [sum(row[i] for row in rows) for i in range(3)]
    return Balance(*largest_remainder(sums, len(rows)))


@dataclass(frozen=True)
class Ranked(Generic[K]):
    key: K
    score: float


def rank_by_disagreement(
    items: Mapping[K, Sequence[Number]], *, limit: int | None = None
) -> list[Ranked[K]]:
    """Items ordered by spread, most disagreement first; items without answers left out.

    Ties keep the mapping's order (e.g. the framework's order), so the ranking is stable.
    """
    scored = [(key, spread(values)) for key, values in items.items()]
    ranked = [Ranked(key, score) for key, score in scored if score is not None]
    ranked.sort(key=lambda item: -item.score)
    return ranked[:limit] if limit is not None else ranked


def rank_by_gap(
    items: Mapping[K, tuple[Sequence[Number], Sequence[Number]]], *, limit: int | None = None
) -> list[Ranked[K]]:
    """Items ordered by the size of their now–desired gap (either direction), largest first."""
    scored = [(key, gap(now, desired)) for key, (now, desired) in items.items()]
    ranked = [Ranked(key, score) for key, score in scored if score is not None]
    ranked.sort(key=lambda item: -abs(item.score))
    return ranked[:limit] if limit is not None else ranked

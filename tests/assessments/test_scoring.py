"""The arithmetic of the group's figures, checked by example and by property."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assessments import scoring

answers = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=60)
answers_or_dont_know = st.lists(st.one_of(st.none(), st.integers(1, 5)), max_size=60)
numbers = st.lists(
    st.floats(min_value=1, max_value=7, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=40,
)


@st.composite
def balances(draw):
    """Three whole non-negative parts adding up to 100."""
    market = draw(st.integers(0, 100))
    hierarchy = draw(st.integers(0, 100 - market))
    return (market, hierarchy, 100 - market - hierarchy)


# --- by example -----------------------------------------------------------------------------


def test_it_takes_the_median_of_odd_and_even_counts():
    assert scoring.median([3, 1, 2]) == 2
    assert scoring.median([4, 1, 3, 2]) == 2.5
    assert scoring.median([]) is None


def test_it_gives_the_range():
    assert scoring.value_range([3, 1, 5, 2]) == scoring.Range(1, 5)
    assert scoring.value_range([]) is None


def test_it_gives_the_interquartile_range():
    assert scoring.quartiles([1, 2, 3, 4, 5]) == scoring.Quartiles(2.0, 4.0)
    assert scoring.quartiles([5, 1, 4, 2, 3]) == scoring.Quartiles(2.0, 4.0)
    assert scoring.quartiles([1, 5]) == scoring.Quartiles(2.0, 4.0)  # interpolated
    assert scoring.quartiles([3, 3, 3, 3, 3]) == scoring.Quartiles(3.0, 3.0)
    assert scoring.quartiles([1, 1, 1, 1, 5]) == scoring.Quartiles(1.0, 1.0)
    assert scoring.quartiles([7]) is None
    assert scoring.quartiles([]) is None


def test_it_keeps_a_single_extreme_answer_out_of_the_quartiles():
    # The min–max range the band replaced would stretch from 1 to 5 for the same answers.
    assert scoring.quartiles([3, 3, 4, 4, 4, 3, 1]) == scoring.quartiles([3, 3, 4, 4, 4, 3, 3])
    assert scoring.quartiles([3, 3, 4, 4, 5]).high == 4.0


def test_it_measures_disagreement_as_the_population_standard_deviation():
    assert scoring.spread([1, 5]) == 2.0
    assert scoring.spread([3, 3, 3]) == 0.0
    assert scoring.spread([]) is None
    # The interquartile range would call this group unanimous; the spread does not.
    assert scoring.spread([1, 3, 3, 3, 5]) > 1


def test_it_counts_every_step_of_the_scale_and_dont_know():
    result = scoring.distribution([1, 1, None, 5, 3, None])
    assert result.counts == ((1, 2), (2, 0), (3, 1), (4, 0), (5, 1))
    assert result.dont_know == 2
    assert result.answered == 6
    assert result.values() == [1, 1, 3, 5]


def test_it_refuses_a_value_off_the_scale():
    with pytest.raises(ValueError, match="not on the scale"):
        scoring.distribution([6])
    with pytest.raises(ValueError, match="not on the scale"):
        scoring.distribution_from_counts({0: 1})
    with pytest.raises(ValueError, match="negative"):
        scoring.distribution_from_counts({2: -1})


def test_it_builds_the_same_distribution_from_counts():
    assert scoring.distribution_from_counts({1: 2, 3: 1, None: 4}) == scoring.distribution(
        [1, 1, 3, None, None, None, None]
    )


def test_it_ignores_dont_know_in_a_principle_index():
    assert scoring.principle_index([2, None, 4]) == 3.0
    assert scoring.principle_index([None, None]) is None
    assert scoring.principle_index([]) is None


def test_it_measures_the_gap_from_now_to_desired():
    assert scoring.gap([2, 3, 4], [5, 6, 7]) == 3.0
    assert scoring.gap([5], [3]) == -2.0
    assert scoring.gap([], [3]) is None


def test_it_rounds_the_mean_balance_by_largest_remainder():
    # Means 33⅓ / 33⅓ / 33⅓: plain rounding would give 99.
    assert scoring.mean_balance([(100, 0, 0), (0, 100, 0), (0, 0, 100)]) == scoring.Balance(
        34, 33, 33
    )
    # Means 16.5 / 16.5 / 67: plain rounding would give 101 (or 100 by luck of banker's rounding).
    assert scoring.mean_balance([(33, 0, 67), (0, 33, 67)]).as_tuple() == (17, 16, 67)
    assert scoring.mean_balance([]) is None


def test_it_refuses_a_balance_that_is_not_100_points():
    with pytest.raises(ValueError, match="adding up to 100"):
        scoring.mean_balance([(50, 50, 1)])
    with pytest.raises(ValueError, match="adding up to 100"):
        scoring.mean_balance([(150, -50, 0)])


def test_it_ranks_by_disagreement_and_keeps_ties_in_order():
    ranked = scoring.rank_by_disagreement(
        {"calm": [3, 3, 3], "split": [1, 5, 1, 5], "first": [2, 4], "second": [4, 2], "none": []}
    )
    assert [item.key for item in ranked] == ["split", "first", "second", "calm"]
    assert scoring.rank_by_disagreement({"a": [1, 5], "b": [2]}, limit=1)[0].key == "a"


def test_it_ranks_by_the_size_of_the_gap_in_either_direction():
    ranked = scoring.rank_by_gap(
        {"up": ([2], [5]), "down": ([6], [2]), "flat": ([4], [4]), "unknown": ([], [4])}
    )
    assert [(item.key, item.score) for item in ranked] == [
        ("down", -4.0),
        ("up", 3.0),
        ("flat", 0.0),
    ]


# --- by property ----------------------------------------------------------------------------


@given(numbers)
def test_it_keeps_the_median_within_the_range(values):
    span = scoring.value_range(values)
    assert span.low <= scoring.median(values) <= span.high


@given(answers, st.randoms())
def test_it_gives_the_same_figures_in_any_order(values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert scoring.median(shuffled) == scoring.median(values)
    assert scoring.value_range(shuffled) == scoring.value_range(values)
    assert scoring.spread(shuffled) == scoring.spread(values)
    assert scoring.distribution(shuffled) == scoring.distribution(values)
    assert scoring.principle_index(shuffled) == scoring.principle_index(values)
    assert scoring.quartiles(shuffled) == scoring.quartiles(values)


@given(answers)
def test_it_finds_no_disagreement_exactly_when_all_answers_are_equal(values):
    assert (scoring.spread(values) == 0) == (len(set(values)) == 1)


@given(numbers)
def test_it_never_measures_negative_disagreement(values):
    assert scoring.spread(values) >= 0


@given(answers_or_dont_know)
def test_it_counts_every_answer_once(values):
    result = scoring.distribution(values)
    assert result.answered == len(values)
    assert result.dont_know == values.count(None)
    assert [step for step, _count in result.counts] == [1, 2, 3, 4, 5]


@given(answers_or_dont_know)
def test_it_keeps_a_principle_index_on_the_scale(values):
    index = scoring.principle_index(values)
    if all(value is None for value in values):
        assert index is None
    else:
        assert 1 <= index <= 5


@given(st.lists(balances(), min_size=1, max_size=50), st.randoms())
def test_it_keeps_the_mean_balance_at_100_points_in_any_order(rows, rnd):
    mean = scoring.mean_balance(rows)
    assert sum(mean.as_tuple()) == 100
    assert min(mean.as_tuple()) >= 0
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert scoring.mean_balance(shuffled) == mean


@given(st.lists(balances(), min_size=1, max_size=50))
def test_it_rounds_each_part_of_the_balance_by_less_than_one_point(rows):
    mean = scoring.mean_balance(rows)
    for part, exact in zip(
        mean.as_tuple(), (sum(row[i] for row in rows) / len(rows) for i in range(3)), strict=True
    ):
        assert math.floor(exact) <= part <= math.ceil(exact)


@given(balances())
def test_it_leaves_a_single_balance_as_it_is(row):
    assert scoring.mean_balance([row]).as_tuple() == row


@given(st.lists(answers, min_size=1, max_size=10))
def test_it_ranks_every_item_and_puts_the_widest_spread_first(lists):
    items = dict(enumerate(lists))
    ranked = scoring.rank_by_disagreement(items)
    assert sorted(item.key for item in ranked) == sorted(items)
    scores = [item.score for item in ranked]
    assert scores == sorted(scores, reverse=True)


@given(st.lists(st.tuples(answers, answers), min_size=1, max_size=10))
def test_it_puts_the_largest_gap_first(pairs):
    ranked = scoring.rank_by_gap(dict(enumerate(pairs)))
    sizes = [abs(item.score) for item in ranked]
    assert sizes == sorted(sizes, reverse=True)


@given(answers, answers)
def test_it_measures_the_gap_as_the_difference_of_the_medians(now, desired):
    assume(now and desired)
    assert scoring.gap(now, desired) == scoring.median(desired) - scoring.median(now)
    assert scoring.gap(desired, now) == -scoring.gap(now, desired)


@given(numbers)
def test_it_keeps_the_quartiles_in_order_within_the_range(values):
    result = scoring.quartiles(values)
    if len(values) < 2:
        assert result is None
        return
    span = scoring.value_range(values)
    assert span.low <= result.low <= scoring.median(values) <= result.high <= span.high


@given(
    st.lists(
        st.floats(min_value=1, max_value=7, allow_nan=False, allow_infinity=False),
        min_size=5,
        max_size=40,
    ),
    st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False),
    st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False),
)
def test_it_lets_no_single_extreme_set_the_quartiles(values, lower_by, raise_by):
    """From five values on, pushing the lowest value further down or the highest further up
    moves neither quartile: one outlying answer cannot stretch the band."""
    ordered = sorted(values)
    result = scoring.quartiles(ordered)
    assert scoring.quartiles([ordered[0] - lower_by, *ordered[1:]]) == result
    assert scoring.quartiles([*ordered[:-1], ordered[-1] + raise_by]) == result
    assert scoring.quartiles([ordered[0] - lower_by, *ordered[1:-1], ordered[-1] + raise_by]) == (
        result
    )

"""The rules behind the report's summary of findings: plain values in, findings out."""

import pytest
from django.utils import translation

from assessments.scoring import Balance
from reports import findings
from reports.findings import (
    DimensionPosition,
    PrincipleScore,
    StatementAnswers,
    format_number,
    largest_disagreement,
    largest_gaps,
    principle_extremes,
    summarise,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def names(extreme):
    return [p.label for p in extreme.principles]


# --- strongest and weakest ----------------------------------------------------------------


def test_it_names_the_strongest_and_weakest_principle_by_agreed_score():
    result = principle_extremes(
        [
            PrincipleScore("a", "Trust", 4),
            PrincipleScore("b", "Support", 2),
            PrincipleScore("c", "Openness", 3),
        ]
    )
    assert names(result.strongest) == ["Trust"] and result.strongest.score == 4
    assert names(result.weakest) == ["Support"] and result.weakest.score == 2


def test_it_reports_ties_as_ties_in_framework_order():
    result = principle_extremes(
        [
            PrincipleScore("a", "Trust", 4),
            PrincipleScore("b", "Support", 2),
            PrincipleScore("c", "Openness", 4),
            PrincipleScore("d", "Knowledge", 2),
        ]
    )
    assert names(result.strongest) == ["Trust", "Openness"]
    assert names(result.weakest) == ["Support", "Knowledge"]


def test_it_says_nothing_stands_out_when_all_scores_are_equal():
    result = principle_extremes([PrincipleScore("a", "A", 3), PrincipleScore("b", "B", 3)])
    assert result.all_equal and result.strongest is None and result.weakest is None
    assert result.score == 3


def test_it_falls_back_to_the_median_where_nothing_was_agreed():
    result = principle_extremes(
        [
            PrincipleScore("a", "Trust", None, median=4.5),
            PrincipleScore("b", "Support", 2, median=4.8),  # the agreement wins
            PrincipleScore("c", "Openness", None, median=None),  # no score at all: left out
        ]
    )
    assert names(result.strongest) == ["Trust"]
    assert result.strongest.principles[0].source == findings.MEDIAN
    assert names(result.weakest) == ["Support"]


def test_it_needs_two_scored_principles():
    assert principle_extremes([PrincipleScore("a", "A", 4), PrincipleScore("b", "B")]) is None
    assert principle_extremes([]) is None


# --- gaps ---------------------------------------------------------------------------------


def test_it_ranks_gaps_by_size_in_either_direction():
    gaps = largest_gaps(
        [
            DimensionPosition("a", "Design", 2, 5),
            DimensionPosition("b", "Focus", 6, 2),  # towards control: a gap too
            DimensionPosition("c", "Means", 3, 4),
            DimensionPosition("d", "Follow-up", 4, 4),
        ]
    )
    assert [(g.dimension.key, g.gap) for g in gaps] == [("b", -4), ("a", 3), ("c", 1)]


def test_it_leaves_out_gaps_under_a_whole_step_and_missing_positions():
    gaps = largest_gaps(
        [
            DimensionPosition("a", "A", 3, 3.5, findings.MEDIAN),
            DimensionPosition("b", "B", None, 6),
            DimensionPosition("c", "C", 2, None),
        ]
    )
    assert gaps == []


def test_it_keeps_every_gap_tied_with_the_last_one_shown():
    dimensions = [DimensionPosition(k, k, 2, 4) for k in "abcde"]
    dimensions.insert(0, DimensionPosition("big", "Big", 1, 7))
    gaps = largest_gaps(dimensions, limit=3)
    assert [g.dimension.key for g in gaps] == ["big", "a", "b", "c", "d", "e"]


# --- disagreement -------------------------------------------------------------------------


def test_it_finds_the_statement_the_group_disagreed_most_about():
    statements = [
        StatementAnswers("s1", "We trust each other", "Trust", (4, 4, 4, 5, 4)),
        StatementAnswers("s2", "We decide ourselves", "Room", (1, 5, 1, 5, 3)),
        StatementAnswers("s3", "We learn", "Knowledge", (1, 4, 2, 5, 3)),
    ]
    result = largest_disagreement(statements)
    assert [d.statement.key for d in result] == ["s2", "s3"]  # s1's spread is under 1
    assert result[0].spread == pytest.approx(1.7889, abs=1e-3)


def test_it_ignores_statements_without_values():
    # The anonymity threshold is disclosure's: callers pass only released statements, and a
    # released statement may still have no answer with a value (all "don't know").
    statements = [
        StatementAnswers("empty", "Empty", "P", ()),
        StatementAnswers("many", "Many", "P", (1, 3, 5, 3, 1)),
    ]
    assert [d.statement.key for d in largest_disagreement(statements)] == ["many"]
    assert largest_disagreement([StatementAnswers("empty", "Empty", "P", ())]) == []


def test_it_adds_no_threshold_of_its_own():
    # Four answers: below MIN_RESPONDENTS, but disclosure released them, so they count here.
    statements = [StatementAnswers("few", "Few", "P", (1, 5, 1, 5))]
    assert [d.statement.key for d in largest_disagreement(statements)] == ["few"]


def test_it_keeps_ties_in_disagreement_at_the_cut():
    statements = [StatementAnswers(f"s{i}", f"S{i}", "P", (1, 5, 1, 5, 3)) for i in range(5)]
    assert len(largest_disagreement(statements, limit=2)) == 5


def test_it_finds_no_disagreement_when_everyone_agrees():
    statements = [StatementAnswers("s", "S", "P", (3, 3, 3, 3, 3))]
    assert largest_disagreement(statements) == []


# --- sentences ----------------------------------------------------------------------------


def _summary(**overrides):
    arguments = {
        "principles": [PrincipleScore("a", "Trust", 4), PrincipleScore("b", "Support", 2)],
        "dimensions": [DimensionPosition("d", "Design", 2, 5)],
        "statements": [StatementAnswers("s", "We decide", "Room", (1, 5, 1, 5, 3))],
        "balance_now": Balance(20, 60, 20),
        "balance_desired": Balance(10, 40, 50),
        "balance_agreed": True,
        "enough": True,
        "threshold": 5,
    }
    arguments.update(overrides)
    return {f.kind: f for f in summarise(**arguments)}


def test_it_writes_every_finding_as_a_sentence():
    found = _summary()
    assert list(found) == ["strongest", "weakest", "gaps", "disagreement", "balance"]
    assert "Trust is the unit's strongest principle (agreed score 4)" in found["strongest"].text
    assert found["weakest"].subjects == ("Support",)
    assert found["gaps"].items == ("Design: from 2 to 5, 3 steps towards trust",)
    assert "“We decide” (Room): spread 1.8" in found["disagreement"].items[0]
    assert "20 of 100 points now and 50 desired (agreed)" in found["balance"].text
    assert "more governance through trust" in found["balance"].text


def test_it_rests_on_agreements_alone_below_the_threshold():
    found = _summary(enough=False, statements=[])
    assert "disagreement" not in found
    assert found["disagreement_hidden"].text == (
        "No figures from individual answers were released (that needs at least 5 people who "
        "answered, shown to the group by the manager), so the findings rest on what the group "
        "agreed."
    )
    assert "strongest" in found  # agreed scores still count


def test_it_names_no_disagreement_without_a_release_even_if_given_answers():
    found = _summary(enough=False, threshold=7)
    assert "disagreement" not in found
    assert "at least 7 people who answered" in found["disagreement_hidden"].text
    assert "We decide" not in " ".join(f.text + " ".join(f.items) for f in found.values())


def test_it_explains_missing_agreements():
    found = _summary(
        principles=[PrincipleScore("a", "Trust"), PrincipleScore("b", "Support")],
        dimensions=[DimensionPosition("d", "Design")],
        balance_now=None,
        balance_desired=None,
    )
    assert "Too few principles have an agreed score" in found["extremes_missing"].text
    assert "neither agreed nor answered by enough people" in found["gaps_none"].text
    assert "balance" not in found


def test_it_names_a_tie_in_the_title_and_the_text():
    found = _summary(
        principles=[
            PrincipleScore("a", "Trust", 4),
            PrincipleScore("b", "Openness", 4),
            PrincipleScore("c", "Support", 2),
        ]
    )
    assert found["strongest"].title == "Strongest principles"
    assert found["strongest"].text.startswith("Trust and Openness share the highest score")


def test_it_marks_scores_that_are_medians():
    found = _summary(
        principles=[PrincipleScore("a", "Trust", None, 4.5), PrincipleScore("b", "Support", 2)]
    )
    assert "median of individual answers" in found["strongest"].text
    assert "4.5" in found["strongest"].text


def test_it_prints_figures_in_the_reports_language():
    assert format_number(3.0) == "3"
    assert format_number(2.25) == "2.2" or format_number(2.25) == "2.3"
    assert format_number(None) == "–"
    with translation.override("sv"):
        assert format_number(3.5) == "3,5"

"""The disclosure module's rules, each at its boundary (MIN_RESPONDENTS - 1 and MIN_RESPONDENTS).

``compute`` is tested on plain answer sets (no database); ``release`` and ``participation``
on stored answers. Lowering any threshold check in ``assessments/disclosure.py`` by one makes
one of these tests fail (``scripts/mutate_disclosure.py`` proves it).
"""

import pytest
from django.utils import translation

from assessments import disclosure
from assessments.disclosure import Answers, Layout
from assessments.models import AssessmentState, Release
from tests.factories import make_version, release
from tests.factories_dialogue import add_respondents, make_unit_assessment

LIMIT = 5
# One principle with three statements, one dimension.
LAYOUT = Layout(principles=((1, (11, 12, 13)),), dimensions=(21,))


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.MIN_RESPONDENTS = LIMIT


def people(n: int, **overrides) -> dict[int, Answers]:
    """`n` respondents answering everything (statement 3, dimension 3→5, balance 20/50/30)."""
    made = {}
    for i in range(n):
        answers = Answers(
            statements={11: 3, 12: 4, 13: 2},
            dimensions={21: (3, 5)},
            balances={"now": (20, 50, 30), "desired": (10, 40, 50)},
            comments={1: f"kommentar {i}"},
        )
        for name, value in overrides.items():
            setattr(answers, name, value(i) if callable(value) else value)
        made[i + 1] = answers
    return made


# --- each figure at its own threshold ----------------------------------------------------------


@pytest.mark.parametrize("known, shown", [(LIMIT - 1, False), (LIMIT, True)])
def test_it_shows_a_statement_only_with_the_threshold_of_values(known, shown):
    answer_set = people(8, statements=lambda i: {11: 3 if i < known else None, 12: 4, 13: 2})
    figure = disclosure.compute(LAYOUT, answer_set, LIMIT).statements[11]
    assert (figure.answered, figure.known) == (8, known)
    assert (figure.distribution is not None, figure.median is not None) == (shown, shown)
    assert (figure.spread is not None) == shown


@pytest.mark.parametrize("with_index, shown", [(LIMIT - 1, False), (LIMIT, True)])
def test_it_shows_a_principle_median_only_with_the_threshold_of_indices(with_index, shown):
    # The index is taken over the statements shown, so it stands on at least the threshold of
    # people exactly when one of its statements does.
    answer_set = people(
        8,
        statements=lambda i: {11: 4, 12: 2, 13: 5} if i < with_index else {11: None, 12: None},
    )
    figure = disclosure.compute(LAYOUT, answer_set, LIMIT).principles[1]
    assert figure.index_count == (with_index if shown else 0)
    assert (figure.median is not None, figure.quartiles is not None) == (shown, shown)


def test_it_gives_the_middle_half_and_never_the_extremes():
    def figure_for(indices):
        answer_set = people(5, statements=lambda i: dict.fromkeys((11, 12, 13), indices[i]))
        return disclosure.compute(LAYOUT, answer_set, LIMIT).principles[1]

    figure = figure_for([2, 2, 3, 4, 4])
    assert figure.median == 3.0
    assert (figure.quartiles.low, figure.quartiles.high) == (2.0, 4.0)
    # The most extreme people moving further out changes nothing that is shown.
    moved = figure_for([1, 2, 3, 4, 5])
    assert (moved.median, moved.quartiles) == (figure.median, figure.quartiles)


@pytest.mark.parametrize("answered, shown", [(LIMIT - 1, False), (LIMIT, True)])
@pytest.mark.parametrize("side", ["now", "desired"])
def test_it_shows_a_dimension_median_only_with_the_threshold_of_answers(side, answered, shown):
    def position(i):
        value = 4 if i < answered else None
        return {21: (value, 6) if side == "now" else (2, value)}

    figure = disclosure.compute(LAYOUT, people(8, dimensions=position), LIMIT).dimensions[21]
    median = figure.now_median if side == "now" else figure.desired_median
    count = figure.now_count if side == "now" else figure.desired_count
    assert count == answered
    assert (median is not None) == shown


@pytest.mark.parametrize("answered, shown", [(LIMIT - 1, False), (LIMIT, True)])
@pytest.mark.parametrize("kind", ["now", "desired"])
def test_it_shows_a_mean_balance_only_with_the_threshold_of_answers(kind, answered, shown):
    other = "desired" if kind == "now" else "now"
    answer_set = people(
        8,
        balances=lambda i: {other: (10, 40, 50)} | ({kind: (20, 50, 30)} if i < answered else {}),
    )
    figure = disclosure.compute(LAYOUT, answer_set, LIMIT).balances[kind]
    assert figure.count == answered
    assert (figure.mean is not None) == shown


@pytest.mark.parametrize("together, shown", [(LIMIT - 1, False), (LIMIT, True)])
def test_it_shades_a_triangle_cell_only_with_the_threshold_of_people(together, shown):
    # `together` people in the cell market 20–40, hierarchy 40–60; the rest spread out alone.
    spread = [(90, 5, 5), (5, 90, 5), (5, 5, 90), (45, 5, 50)]
    answer_set = people(
        together + len(spread),
        balances=lambda i: {
            "now": (25, 45, 30) if i < together else spread[i - together],
            "desired": (10, 40, 50),
        },
    )
    cells = disclosure.compute(LAYOUT, answer_set, LIMIT).balances["now"].cells
    assert cells == ((disclosure.Cell(20, 40, together),) if shown else ())


@pytest.mark.parametrize(
    "balance, cell",
    [
        ((100, 0, 0), (80, 0)),
        ((0, 100, 0), (0, 80)),
        ((0, 0, 100), (0, 0)),
        ((40, 60, 0), (20, 60)),  # on the outer edge at a grid line: the cell inside
        ((39, 41, 20), (20, 40)),
    ],
)
def test_it_puts_every_balance_in_a_cell_inside_the_triangle(balance, cell):
    assert disclosure._cell_of(balance) == cell
    market, hierarchy = cell
    assert market + hierarchy <= 80


@pytest.mark.parametrize("n, shown", [(LIMIT - 1, False), (LIMIT, True)])
def test_it_keeps_comments_only_in_a_set_of_the_threshold(n, shown):
    figure = disclosure.compute(LAYOUT, people(n), LIMIT).principles[1]
    assert (len(figure.comments) == n) == shown
    assert (figure.comments == ()) == (not shown)


def test_it_pools_only_the_statements_it_shows():
    # Statement 13 has four values (withheld): the pooled distribution must not hold them, or
    # subtracting the shown statements would give statement 13's answers.
    answer_set = people(6, statements=lambda i: {11: 3, 12: 4, 13: 1 if i < 4 else None})
    figure = disclosure.compute(LAYOUT, answer_set, LIMIT).principles[1]
    assert figure.hidden_statements == 1
    assert dict(figure.distribution.counts) == {1: 0, 2: 0, 3: 6, 4: 6, 5: 0}


def test_it_stores_and_reads_back_the_same_figures():
    answer_set = people(7, statements=lambda i: {11: 1 + i % 5, 12: None if i == 3 else 4, 13: 2})
    figures = disclosure.compute(LAYOUT, answer_set, LIMIT)
    back = disclosure.from_json(disclosure.to_json(figures))
    assert back.statements == figures.statements
    assert back.principles[1].median == figures.principles[1].median
    assert back.principles[1].quartiles == figures.principles[1].quartiles
    assert sorted(back.principles[1].comments) == sorted(figures.principles[1].comments)
    assert back.dimensions == figures.dimensions
    assert back.balances == figures.balances


# --- who counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("known, counts", [(2, False), (3, True)])
def test_it_counts_a_respondent_from_half_the_statements_with_a_value(org, known, counts):
    # make_version: 2 principles × 3 statements = 6; half is 3.
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_respondents(assessment, 1, statement_value=lambda i, pos: 3 if pos < known else None)
    counted = disclosure.participation(assessment)
    assert (counted.joined, counted.counted) == (1, 1 if counts else 0)
    layout = Layout.for_version(assessment.round.framework_version_id)
    assert len(disclosure.load([assessment.pk], layout)[assessment.pk]) == (1 if counts else 0)


def test_it_counts_the_same_in_sql_and_in_python(org):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    for known in range(7):
        add_respondents(
            assessment, 1, statement_value=lambda i, pos, k=known: 2 if pos < k else None
        )
    layout = Layout.for_version(assessment.round.framework_version_id)
    in_python = len(disclosure.load([assessment.pk], layout)[assessment.pk])
    in_sql = disclosure.participation(assessment).counted
    assert in_python == in_sql == 4  # those with 3, 4, 5 and 6 of 6 known


# --- releasing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, status", [(LIMIT - 1, disclosure.TOO_FEW), (LIMIT, disclosure.RELEASED)]
)
def test_it_releases_only_from_the_threshold_of_counted_respondents(org, n, status):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_respondents(assessment, n)
    add_respondents(assessment, 3, statement_value=None)  # joined, never counted
    outcome = release(assessment)
    assert outcome.status == status
    assert Release.objects.filter(assessment=assessment).count() == (1 if n == LIMIT else 0)
    assert (assessment.release_id is not None) == (n == LIMIT)


@pytest.mark.parametrize(
    "late, status", [(LIMIT - 1, disclosure.TOO_CLOSE), (LIMIT, disclosure.RELEASED)]
)
def test_it_releases_again_only_after_the_threshold_of_new_answers(org, late, status):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_respondents(assessment, 6)
    first = release(assessment).release
    add_respondents(assessment, late, statement_value=lambda i, pos: 1)
    outcome = release(assessment)
    assert outcome.status == status
    assessment.refresh_from_db()
    if status == disclosure.TOO_CLOSE:
        assert assessment.release_id == first.pk  # the earlier figures stay
        # "fewer than 5", never how many: that would say whether one person changed answers
        with translation.override("en"):
            assert f"fewer than {LIMIT}" in outcome.message and str(late) not in outcome.message
    else:
        assert assessment.release.number == 2 and assessment.release.respondents == 6 + late


def test_it_counts_changed_answers_as_a_difference(org):
    from assessments.models import StatementAnswer

    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    people_ = add_respondents(assessment, 9, statement_value=lambda i, pos: 3)
    release(assessment)
    changed = StatementAnswer.objects.filter(respondent__in=people_[: LIMIT - 1])
    changed.filter(statement__order=1).update(value=1)
    assert release(assessment).status == disclosure.TOO_CLOSE
    StatementAnswer.objects.filter(respondent=people_[LIMIT - 1], statement__order=1).update(
        value=1
    )
    assert release(assessment).status == disclosure.RELEASED


def test_it_compares_with_every_earlier_release_not_only_the_last(org):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_respondents(assessment, 5)
    release(assessment)  # R1: 5 people
    late = add_respondents(assessment, 5, statement_value=lambda i, pos: 2)
    assert release(assessment).status == disclosure.RELEASED  # R2: 10 people
    # Five leave again (their answers deleted) and one more joins: back within one person of
    # R1, which would let R1 and this release be told apart by that one person.
    for respondent in late:
        respondent.delete()
    add_respondents(assessment, 1, statement_value=lambda i, pos: 5)
    outcome = release(assessment)
    assert outcome.status == disclosure.TOO_CLOSE


def test_it_keeps_the_same_release_when_nothing_changed(org):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_respondents(assessment, 5)
    first = release(assessment).release
    again = release(assessment)
    assert again.status == disclosure.UNCHANGED and again.release.pk == first.pk
    assert Release.objects.filter(assessment=assessment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_release_outside_a_transaction(org):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    with pytest.raises(RuntimeError):
        disclosure.release(assessment)


def test_it_stores_digests_not_answers(org):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    people_ = add_respondents(
        assessment,
        5,
        statement_value=lambda i, pos: 3,
        dimension=lambda i, pos: (3, 5),
        balance=lambda i, kind: (20, 50, 30),
    )
    made = release(assessment).release
    first_statement = min(made.members, key=lambda key: (key[0] != "s", len(key), key))
    digests = made.members[first_statement]
    assert set(digests) == {str(p.pk) for p in people_}
    assert all(len(digest) == 16 for digest in digests.values())
    assert len(set(digests.values())) == 1  # equal answers, equal digests: no answer stored
    assert "3" not in digests.values()


def test_it_shows_nothing_while_reflection_is_open_again(org):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_respondents(assessment, 5)
    release(assessment)
    assert disclosure.shown(assessment) is not None
    assessment.state = AssessmentState.INDIVIDUAL
    assert disclosure.shown(assessment) is None


@pytest.mark.parametrize("n, enough", [(LIMIT - 1, False), (LIMIT, True)])
def test_it_says_enough_have_answered_from_the_threshold(org, n, enough):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_respondents(assessment, n)
    counted = disclosure.participation(assessment)
    assert (counted.counted, counted.enough) == (n, enough)


@pytest.mark.parametrize("n, released", [(LIMIT - 1, False), (LIMIT, True)])
def test_it_releases_many_only_from_the_threshold(org, n, released):
    assessment = make_unit_assessment(org, state=AssessmentState.COMPLETED)
    add_respondents(assessment, n)
    layout = Layout.for_version(assessment.round.framework_version_id)
    assert disclosure.release_many([assessment], layout) == (1 if released else 0)
    assessment.refresh_from_db()
    assert (assessment.release_id is not None) == released
    if released:
        assert assessment.release.respondents == n and assessment.release.number == 1


@pytest.mark.parametrize("statements, needed", [(1, 1), (2, 1), (5, 3), (6, 3), (7, 4)])
def test_it_needs_half_the_statements_rounded_up(statements, needed):
    layout = Layout(principles=((1, tuple(range(statements))),), dimensions=())
    assert layout.needed == needed


def test_it_counts_no_one_without_a_single_statement_answered(org):
    # A framework without statements (a draft's state): answering only the dimensions and the
    # balance never makes anyone count, in SQL as in Python.
    version = make_version(statements=0, published=True)
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE, version=version)
    add_respondents(assessment, LIMIT, statement_value=None)
    assert disclosure.participation(assessment).counted == 0
    layout = Layout.for_version(version.pk)
    assert layout.needed == 1
    assert disclosure.load([assessment.pk], layout)[assessment.pk] == {}


def test_it_keeps_figures_that_fewer_than_the_threshold_changed(org):
    """Four colleagues edit a comment while one person joins late: the statements differ by one
    person only, so they stay as shown; the comments differ by five and are updated."""
    from assessments.models import PrincipleComment

    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    people_ = add_respondents(
        assessment, 5, comment=lambda i, pos: f"Första {i}" if pos == 0 else ""
    )
    first = release(assessment)
    before = disclosure.from_json(first.release.figures)
    for person in people_[:4]:
        PrincipleComment.objects.filter(respondent=person).update(text="Ändrad")
    add_respondents(
        assessment,
        1,
        statement_value=lambda i, pos: 1,
        comment=lambda i, pos: "Sen" if pos == 0 else "",
    )
    outcome = release(assessment)
    assert outcome.status == disclosure.RELEASED and outcome.kept > 0
    after = disclosure.from_json(outcome.release.figures)
    assert after.statements == before.statements  # the latecomer's answers cannot be subtracted
    assert {pid: f.median for pid, f in after.principles.items()} == {
        pid: f.median for pid, f in before.principles.items()
    }
    first_principle = next(iter(after.principles))
    assert "Sen" in after.principles[first_principle].comments
    # The next release is measured against what was shown, not against the unshown answers.
    add_respondents(assessment, 4, statement_value=lambda i, pos: 1)
    third = release(assessment)
    assert third.status == disclosure.RELEASED
    assert disclosure.from_json(third.release.figures).statements != before.statements


def test_it_keeps_a_withheld_statement_out_of_the_index(org):
    """One person's value on a statement nobody else answered must not move the median."""
    from assessments.models import StatementAnswer

    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    people_ = add_respondents(
        assessment, 5, statement_value=lambda i, pos: [1, 2, 3, 4, 5][i] if pos != 1 else None
    )
    StatementAnswer.objects.filter(
        respondent=people_[0], statement__order=2, statement__principle__order=1
    ).update(value=5, dont_know=False)
    figures = disclosure.from_json(release(assessment).release.figures)
    first_principle = min(figures.principles)
    # Statements 1 and 3 shown (five values); statement 2 withheld (one value).
    assert figures.principles[first_principle].hidden_statements == 1
    assert figures.principles[first_principle].median == 3.0

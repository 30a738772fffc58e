"""The dialogue on the projector: live count, hidden-until-shown results, anonymity threshold."""

import json
import re
import statistics

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import AssessmentState, Respondent, StatementAnswer
from principles.models import Dimension, Statement
from tests.factories import make_version, release
from tests.factories_dialogue import add_respondents, make_unit_assessment

pytestmark = pytest.mark.django_db

S = AssessmentState
FEWER = (
    "Fewer than 5 have answered. To protect everyone's anonymity no results are shown; "
    "agree directly in the dialogue."
)
# Everything that would be a figure from individual answers carries data-figure.
FIGURE = re.compile(r'data-figure="|class="table distribution-table|class="bar')
STATUS_KEYS = {
    "joined",
    "answered",
    "finished",
    "expected",
    "min_respondents",
    "enough",
    "state",
    "results_shown",
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5
    with translation.override("en"):  # assertions read the English msgids
        yield


@pytest.fixture
def manager(persona):
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"
    return client


def _page(client, assessment) -> str:
    response = client.get(reverse("manager_dialogue", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _status(client, assessment) -> dict:
    response = client.get(reverse("manager_dialogue_status", args=[assessment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return json.loads(response.content)


def _live_count(html) -> str:
    """The live region's sentence (the data-text-* templates hold every wording)."""
    return re.search(r"<span data-answered-text>(.*?)</span>", html, re.S).group(1)


def _released_note(assessment) -> str:
    """The line that says which release the page shows, as the template writes it."""
    assessment.refresh_from_db()
    made = assessment.release
    when = date_filter(timezone.localtime(made.released_at), "DATETIME_FORMAT")
    return f"Results as shown on {when}, from the answers of {made.respondents} people."


def _too_little(i, position):
    """Two of the six statements with a value, the rest "don't know": does not count."""
    return 4 if position < 2 else None


# --- participation ----------------------------------------------------------------------------


def test_it_counts_who_has_answered_for_the_live_region(org, manager):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL, expected_respondents=8)
    add_respondents(assessment, 3, finished=False)
    add_respondents(assessment, 2)
    # Opened the link but answered nothing yet: joined, but not counted as having answered.
    add_respondents(assessment, 1, statement_value=None, dimension=None, balance=None)

    assert _status(manager, assessment) == {
        "joined": 6,
        "answered": 5,
        "finished": 3,
        "expected": 8,
        "min_respondents": 5,
        "enough": True,
        "state": "individual",
        "results_shown": False,
    }
    html = _page(manager, assessment)
    assert 'aria-live="polite"' in html
    assert f'data-status-url="{reverse("manager_dialogue_status", args=[assessment.pk])}"' in html
    assert _live_count(html) == "5 people have answered."
    assert "(8 expected.)" in html
    assert "3 of them have finished." in html
    assert "dialogue.js" in html and "dialogue.css" in html


def test_it_does_not_count_someone_who_answered_only_the_balance(org, manager):
    # The rule changed: a respondent counts only after answering at least half of the
    # statements with a value, so the balance alone (or the dimensions) is not enough.
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL)
    add_respondents(assessment, 1, statement_value=None, dimension=None)
    status = _status(manager, assessment)
    assert (status["joined"], status["answered"]) == (1, 0)
    html = _page(manager, assessment)
    assert _live_count(html) == "No one has answered yet."
    assert "data-answered>0</span>" in html


def test_it_counts_someone_from_half_the_statements_with_a_value(org, manager):
    version = make_version(published=True, principles=2, statements=3)
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL, version=version)
    assert Statement.objects.filter(principle__version=version).count() == 6

    # Every statement answered, but only two with a value ("don't know" for the other four).
    add_respondents(assessment, 1, statement_value=_too_little)
    status = _status(manager, assessment)
    assert (status["joined"], status["answered"]) == (1, 0)
    assert _live_count(_page(manager, assessment)) == "No one has answered yet."

    # Three of six with a value: exactly half, and that counts.
    add_respondents(assessment, 1, statement_value=lambda i, position: 4 if position < 3 else None)
    status = _status(manager, assessment)
    assert (status["joined"], status["answered"]) == (2, 1)
    assert _live_count(_page(manager, assessment)) == "1 person has answered."


def test_it_stops_polling_once_completed(org, manager):
    assessment = make_unit_assessment(org, state=S.COMPLETED)
    assert "data-status-url" not in _page(manager, assessment)


def test_it_warns_when_two_answers_came_from_one_source(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    first, second, third, *_rest = add_respondents(assessment, 6)
    # Different sources, and several without one, are nothing to warn about.
    Respondent.objects.filter(pk=first.pk).update(source="a" * 32)
    Respondent.objects.filter(pk=second.pk).update(source="b" * 32)
    html = _page(manager, assessment)
    assert 'data-warning="shared-source"' not in html
    assert "network and browser" not in html

    Respondent.objects.filter(pk=third.pk).update(source="a" * 32)
    html = _page(manager, assessment)
    assert 'data-warning="shared-source"' in html
    warning = html[html.index('data-warning="shared-source"') :]
    assert "2 answers came from a network and browser that another answer also came from." in (
        warning
    )
    assert "do not show the results" in warning
    # The warning says how many, never which answers or what they were.
    assert "a" * 32 not in html and first.token_hash not in html


# --- hidden until shown -------------------------------------------------------------------------


def test_it_hides_the_results_until_the_manager_shows_them(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 6)
    add_respondents(assessment, 1, statement_value=_too_little)  # joined, does not count
    # Statement 1.1 is answered 1, 2, 3, 4, 5, 1: its median is 2.5 once shown.
    median_cell = '<td class="num median">2.5</td>'

    html = _page(manager, assessment)
    assert "The results are hidden until you show them" in html
    assert "6 people have answered." in html
    assert not FIGURE.search(html)
    assert 'data-figure="distribution"' not in html and median_cell not in html
    assert "Results as shown on" not in html
    assert "Show results" in html
    assert _status(manager, assessment)["results_shown"] is False

    manager.post(reverse("manager_step", args=[assessment.pk, "visa-resultat"]))
    html = _page(manager, assessment)
    assert FIGURE.search(html)
    assert 'data-figure="distribution"' in html and median_cell in html
    assert "Start the conversation here" in html
    assert "The results are hidden until you show them" not in html
    # From the six who count, not the seven who joined.
    assert _released_note(assessment) in html
    assert "from the answers of 6 people." in html
    assert "Show results" not in html
    assert "Show updated results" in html
    assert _status(manager, assessment)["results_shown"] is True


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL])
def test_it_shows_no_results_before_the_dialogue(org, manager, state):
    # Released in the dialogue, then the individual phase opened again: nothing is shown
    # while people answer, though the release is kept.
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 6)
    assert release(assessment).released
    assessment.state = state
    assessment.save(update_fields=["state"])

    html = _page(manager, assessment)
    assert not FIGURE.search(html)
    assert "Results as shown on" not in html
    assert "can be shown once individual reflection is closed" in html
    assert _status(manager, assessment)["results_shown"] is False


# --- the anonymity threshold ----------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DIALOGUE, S.COMPLETED])
def test_it_shows_nothing_but_the_count_from_four_answers(org, manager, state):
    assessment = make_unit_assessment(org, state=state)
    add_respondents(assessment, 4, comment=lambda i, p: f"Hemlig kommentar {i}")
    # A fifth who answered too little to count does not lift it over the threshold.
    add_respondents(assessment, 1, statement_value=_too_little)
    assert release(assessment).status == "too_few"
    assert assessment.release_id is None

    html = _page(manager, assessment)
    assert FEWER in html
    assert "4 people have answered." in html
    assert not FIGURE.search(html)
    assert "Median" not in html
    assert "Results as shown on" not in html
    assert "Start the conversation here" not in html
    assert "Hemlig kommentar" not in html
    assert "Show results" not in html
    payload = _status(manager, assessment)
    assert payload["answered"] == 4 and payload["joined"] == 5 and payload["enough"] is False
    assert set(payload) == STATUS_KEYS
    # The group still records its agreement directly.
    if state == S.DIALOGUE:
        assert "Save the agreement" in html


def test_it_shows_the_figures_from_five_answers(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5, comment=lambda i, p: f"Kommentar {i}-{p}")
    release(assessment)

    html = _page(manager, assessment)
    assert FEWER not in html
    assert "5 people have answered." in html
    assert _released_note(assessment) in html
    assert html.count('class="table distribution-table"') == 1 + 2  # starters + two principles
    assert 'data-figure="index"' in html
    assert 'data-figure="dimension"' in html
    assert html.count('data-figure="balance"') == 2
    assert "Kommentar 0-0" in html
    assert _status(manager, assessment)["enough"] is True


def test_it_leaves_out_a_statement_that_fewer_than_five_answered(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5)
    statement = Statement.objects.get(
        key="p1-2", principle__version=assessment.round.framework_version
    )
    StatementAnswer.objects.filter(statement=statement).first().delete()
    release(assessment)

    html = _page(manager, assessment)
    assert "Statement 1.1" in html
    assert "Statement 1.2" not in html
    assert "1 statement is not shown: fewer than 5 answered it." in html


def test_it_shows_no_median_for_a_dimension_fewer_than_five_answered(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5)
    add_respondents(assessment, 1, dimension=None)
    dimension = Dimension.objects.get(key="d1", version=assessment.round.framework_version)
    from assessments.models import DimensionAnswer

    DimensionAnswer.objects.filter(dimension=dimension).order_by("pk")[:1].get().delete()
    release(assessment)
    html = _page(manager, assessment)
    assert "Fewer than 5 answered this dimension: no figures are shown." in html
    assert html.count('data-figure="dimension"') == 1


# --- what the figures say -------------------------------------------------------------------


def test_it_starts_the_conversation_where_the_group_disagrees_and_wants_to_move(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)

    def statements(i, position):
        # Statement 2.3 (position 5) splits the group 1 against 5; the rest nearly agree.
        if position == 5:
            return 1 if i % 2 else 5
        return 3 if i else 4

    def dimensions(i, position):
        # Dimension 2 wants to move far (2 -> 7), dimension 1 barely (4 -> 5).
        return (2, 7) if position == 1 else (4, 5)

    add_respondents(assessment, 6, statement_value=statements, dimension=dimensions)
    release(assessment)
    html = _page(manager, assessment)
    starters = html[html.index("Start the conversation here") : html.index("principles-heading")]
    first_row = starters[starters.index("<tbody>") :]
    assert first_row.index("Statement 2.3") < first_row.index("Statement 1.1")
    gaps = starters[starters.index("gap-list") :]
    assert gaps.index("Dimension 2") < gaps.index("Dimension 1")
    assert "now 2, desired 7" in gaps and "+5" in gaps


# Per respondent, the six statements (principle 1: positions 0-2, principle 2: 3-5).
# Respondent 0's "don't know" must be ignored: their index for principle 1 is 1.5, not 1.0.
INDEX_ANSWERS = [
    (None, 1, 2, 1, 1, 2),
    (2, 2, 3, 2, 2, 3),
    (3, 3, 3, 3, 3, 3),
    (3, 4, 3, 3, 4, 3),
    (4, 4, 5, 4, 4, 5),
    (5, 5, 5, 5, 5, 5),
    (1, 1, 1, 1, 1, 1),
]


def _index(values) -> float:
    known = [v for v in values if v is not None]
    return sum(known) / len(known)


def test_it_writes_medians_and_interquartile_ranges_of_the_principle_indices(org, manager):
    # The rule changed from lowest–highest to the middle half (interquartile range).
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(
        assessment,
        len(INDEX_ANSWERS),
        statement_value=lambda i, position: INDEX_ANSWERS[i][position],
        balance=lambda i, kind: (0, 0, 100) if i < 4 else (70, 0, 30),
    )
    release(assessment)
    html = _page(manager, assessment)
    summaries = re.findall(r'<p class="index-summary" data-figure="index">(.*?)</p>', html, re.S)
    assert len(summaries) == 2

    for summary, positions, (low, high) in zip(
        summaries, [(0, 1, 2), (3, 4, 5)], [("1.9", "3.8"), ("1.8", "3.8")], strict=True
    ):
        indices = [_index([row[p] for p in positions]) for row in INDEX_ANSWERS]
        q1, median, q3 = statistics.quantiles(indices, n=4, method="inclusive")
        assert (f"{q1:.1f}", f"{median:.1f}", f"{q3:.1f}") == (low, "3.0", high)
        assert (
            f"Median of everyone's mean score: <strong>3.0</strong> "
            f"(the middle half from {low} to {high}; 7 people)."
        ) in summary
        # Neither the lowest nor the highest index is shown.
        assert f"{min(indices):.1f}" == "1.0" and f"{max(indices):.1f}" == "5.0"
        assert "1.0" not in summary and "5.0" not in summary
    assert "from 1.0" not in html and "to 5.0" not in html
    # Balance now: mean of 4×(0,0,100) and 3×(70,0,30) = 30 / 0 / 70.
    balance = html[html.index('id="balance-now"') :]
    assert '<span class="count">30</span>' in balance and '<span class="count">70</span>' in balance


def test_it_never_shows_who_answered_what(org, manager, monkeypatch):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    respondents = add_respondents(
        assessment, 5, comment=lambda i, p: f"Kommentar nummer {i}" if p == 0 else ""
    )

    # Comments are shuffled once, when released: make the shuffle visible by sorting them
    # backwards instead, so the page must show the release's order, not the arrival order.
    import random

    monkeypatch.setattr(
        random.SystemRandom, "shuffle", lambda self, items: items.sort(reverse=True)
    )
    release(assessment)
    monkeypatch.undo()
    html = _page(manager, assessment)
    positions = [html.index(f"Kommentar nummer {i}") for i in range(5)]
    assert positions == sorted(positions, reverse=True)
    for respondent in respondents:
        assert respondent.token_hash not in html
    assert "Respondent" not in html


def test_it_shows_the_reflection_questions_beside_each_principle(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    html = _page(manager, assessment)
    principle_2 = html[html.index('id="principle-p2"') : html.index('id="dimensions-heading"')]
    assert "Question 2.1?" in principle_2 and "Question 2.2?" in principle_2


def test_it_shows_agreements_read_only_after_completion(org, manager):
    from assessments.models import PrincipleAgreement
    from principles.models import Principle

    assessment = make_unit_assessment(org, state=S.COMPLETED)
    principle = Principle.objects.get(key="p1", version=assessment.round.framework_version)
    PrincipleAgreement.objects.create(
        assessment=assessment, principle=principle, score=4, strengths="Vi litar på varandra"
    )
    html = _page(manager, assessment)
    assert "Vi litar på varandra" in html
    assert "Save the agreement" not in html
    assert "<form" not in html.split('id="main"')[1].split('id="actions"')[0]


# --- a constant number of queries -----------------------------------------------------------


@pytest.mark.parametrize("count", [5, 200])
def test_it_renders_the_dialogue_in_the_same_number_of_queries(
    org, manager, django_assert_num_queries, count
):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, count, comment=lambda i, p: f"Kommentar {i}")
    release(assessment)
    # session, user, roles, assessment with its release, principles + statements + questions,
    # dimensions, participation + shared sources, steering principles, three kinds of
    # agreement, actions, the action form's principles, the previous assessment (whose actions
    # the group rates first), the steering signals' counts. No answer is read: the figures come
    # from the release.
    with django_assert_num_queries(18):
        html = _page(manager, assessment)
    assert f"{count} people have answered." in html
    assert f"from the answers of {count} people." in html


@pytest.mark.parametrize("count", [5, 200])
def test_it_polls_the_count_in_the_same_number_of_queries(
    org, manager, django_assert_num_queries, count
):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL)
    add_respondents(assessment, count)
    with django_assert_num_queries(5):  # session, user, roles, assessment, one count
        assert _status(manager, assessment)["answered"] == count

"""The dialogue on the projector: live count, hidden-until-shown results, anonymity threshold."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.models import AssessmentState, StatementAnswer
from principles.models import Dimension, Statement
from tests.factories_dialogue import add_respondents, make_unit_assessment

pytestmark = pytest.mark.django_db

S = AssessmentState
FEWER = (
    "Fewer than 5 have answered. To protect everyone's anonymity no results are shown; "
    "agree directly in the dialogue."
)
# Everything that would be a figure from individual answers carries data-figure.
FIGURE = re.compile(r'data-figure="|class="table distribution-table|class="bar')


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


# --- participation ----------------------------------------------------------------------------


def test_it_counts_who_has_answered_for_the_live_region(org, manager):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL)
    add_respondents(assessment, 3, finished=False)
    add_respondents(assessment, 2)
    # Opened the link but answered nothing yet: not counted as having answered.
    add_respondents(assessment, 1, statement_value=None, dimension=None, balance=None)

    assert _status(manager, assessment) == {
        "answered": 5,
        "finished": 3,
        "min_respondents": 5,
        "enough": True,
        "state": "individual",
        "results_revealed": False,
    }
    html = _page(manager, assessment)
    assert 'aria-live="polite"' in html
    assert f'data-status-url="{reverse("manager_dialogue_status", args=[assessment.pk])}"' in html
    assert "5 people have answered." in html
    assert "3 of them have finished." in html
    assert "dialogue.js" in html and "dialogue.css" in html


def test_it_counts_someone_who_answered_only_the_balance(org, manager):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL)
    add_respondents(assessment, 1, statement_value=None, dimension=None)
    assert _status(manager, assessment)["answered"] == 1
    assert "1 person has answered." in _page(manager, assessment)


def test_it_stops_polling_once_completed(org, manager):
    assessment = make_unit_assessment(org, state=S.COMPLETED)
    assert "data-status-url" not in _page(manager, assessment)


# --- hidden until shown -------------------------------------------------------------------------


def test_it_hides_the_results_until_the_manager_shows_them(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 6)

    html = _page(manager, assessment)
    assert "The results are hidden until you show them" in html
    assert not FIGURE.search(html)
    assert "Show results" in html

    manager.post(reverse("manager_step", args=[assessment.pk, "visa-resultat"]))
    html = _page(manager, assessment)
    assert FIGURE.search(html)
    assert "Start the conversation here" in html
    assert "Show results" not in html


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL])
def test_it_shows_no_results_before_the_dialogue(org, manager, state):
    assessment = make_unit_assessment(org, state=state, results_revealed=True)
    add_respondents(assessment, 6)
    html = _page(manager, assessment)
    assert not FIGURE.search(html)
    assert "can be shown once individual reflection is closed" in html


# --- the anonymity threshold ----------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DIALOGUE, S.COMPLETED])
def test_it_shows_nothing_but_the_count_from_four_answers(org, manager, state):
    assessment = make_unit_assessment(org, state=state, results_revealed=True)
    add_respondents(assessment, 4, comment=lambda i, p: f"Hemlig kommentar {i}")

    html = _page(manager, assessment)
    assert FEWER in html
    assert "4 people have answered." in html
    assert not FIGURE.search(html)
    assert "Median" not in html
    assert "Start the conversation here" not in html
    assert "Hemlig kommentar" not in html
    assert "Show results" not in html
    payload = _status(manager, assessment)
    assert payload["answered"] == 4 and payload["enough"] is False
    assert set(payload) == {
        "answered",
        "finished",
        "min_respondents",
        "enough",
        "state",
        "results_revealed",
    }
    # The group still records its agreement directly.
    if state == S.DIALOGUE:
        assert "Save the agreement" in html


def test_it_shows_the_figures_from_five_answers(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)
    add_respondents(assessment, 5, comment=lambda i, p: f"Kommentar {i}-{p}")

    html = _page(manager, assessment)
    assert FEWER not in html
    assert "5 people have answered." in html
    assert html.count('class="table distribution-table"') == 1 + 2  # starters + two principles
    assert 'data-figure="index"' in html
    assert 'data-figure="dimension"' in html
    assert html.count('data-figure="balance"') == 2
    assert "Kommentar 0-0" in html
    assert _status(manager, assessment)["enough"] is True


def test_it_leaves_out_a_statement_that_fewer_than_five_answered(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)
    add_respondents(assessment, 5)
    statement = Statement.objects.get(
        key="p1-2", principle__version=assessment.round.framework_version
    )
    StatementAnswer.objects.filter(statement=statement).first().delete()

    html = _page(manager, assessment)
    assert "Statement 1.1" in html
    assert "Statement 1.2" not in html
    assert "1 statement is not shown: fewer than 5 answered it." in html


def test_it_shows_no_median_for_a_dimension_fewer_than_five_answered(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)
    add_respondents(assessment, 5)
    add_respondents(assessment, 1, dimension=None)
    dimension = Dimension.objects.get(key="d1", version=assessment.round.framework_version)
    from assessments.models import DimensionAnswer

    DimensionAnswer.objects.filter(dimension=dimension).order_by("pk")[:1].get().delete()
    html = _page(manager, assessment)
    assert "Fewer than 5 answered this dimension: no figures are shown." in html
    assert html.count('data-figure="dimension"') == 1


# --- what the figures say -------------------------------------------------------------------


def test_it_starts_the_conversation_where_the_group_disagrees_and_wants_to_move(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)

    def statements(i, position):
        # Statement 2.3 (position 5) splits the group 1 against 5; the rest nearly agree.
        if position == 5:
            return 1 if i % 2 else 5
        return 3 if i else 4

    def dimensions(i, position):
        # Dimension 2 wants to move far (2 -> 7), dimension 1 barely (4 -> 5).
        return (2, 7) if position == 1 else (4, 5)

    add_respondents(assessment, 6, statement_value=statements, dimension=dimensions)
    html = _page(manager, assessment)
    starters = html[html.index("Start the conversation here") : html.index("principles-heading")]
    first_row = starters[starters.index("<tbody>") :]
    assert first_row.index("Statement 2.3") < first_row.index("Statement 1.1")
    gaps = starters[starters.index("gap-list") :]
    assert gaps.index("Dimension 2") < gaps.index("Dimension 1")
    assert "now 2, desired 7" in gaps and "+5" in gaps


def test_it_writes_medians_and_ranges_of_the_principle_indices(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)
    # Respondent i answers i+1 everywhere, except one "don't know" that must be ignored.
    add_respondents(
        assessment,
        5,
        statement_value=lambda i, position: None if (i, position) == (0, 0) else i + 1,
        balance=lambda i, kind: (0, 0, 100) if i < 3 else (50, 50, 0),
    )
    html = _page(manager, assessment)
    assert (
        "Median of everyone's mean score: <strong>3.0</strong> (from 1.0 to 5.0; 5 people)." in html
    )
    # Balance now: mean of 3×(0,0,100) and 2×(50,50,0) = 20 / 20 / 60.
    balance = html[html.index('id="balance-now"') :]
    assert '<span class="count">20</span>' in balance and '<span class="count">60</span>' in balance


def test_it_never_shows_who_answered_what(org, manager, monkeypatch):
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)
    respondents = add_respondents(
        assessment, 5, comment=lambda i, p: f"Kommentar nummer {i}" if p == 0 else ""
    )

    # Comments come in random order: make the shuffle visible by reversing instead.
    import random

    monkeypatch.setattr(random.SystemRandom, "shuffle", lambda self, items: items.reverse())
    html = _page(manager, assessment)
    positions = [html.index(f"Kommentar nummer {i}") for i in range(5)]
    assert positions == sorted(positions, reverse=True)
    for respondent in respondents:
        assert respondent.token_hash not in html
    assert "Respondent" not in html


def test_it_shows_the_reflection_questions_beside_each_principle(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)
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
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)
    add_respondents(assessment, count, comment=lambda i, p: f"Kommentar {i}")
    # session, user, roles, assessment, principles + statements + questions, dimensions,
    # participation, statement answers, comments, dimension answers, balance answers,
    # steering principles, three kinds of agreement, actions, the action form's principles
    with django_assert_num_queries(19):
        html = _page(manager, assessment)
    assert f"{count} people have answered." in html


@pytest.mark.parametrize("count", [5, 200])
def test_it_polls_the_count_in_the_same_number_of_queries(
    org, manager, django_assert_num_queries, count
):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL)
    add_respondents(assessment, count)
    with django_assert_num_queries(5):  # session, user, roles, assessment, one count
        assert _status(manager, assessment)["answered"] == count

"""The presenter view: one agenda item on the projector, disagreement first, figures only from
the released snapshot, never a comment, and the agreement as the facilitator records it."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assessments import agreements
from assessments.models import AssessmentState
from principles.models import Dimension, Principle
from tests.factories import make_version, release
from tests.factories_dialogue import add_respondents, make_unit_assessment

pytestmark = pytest.mark.django_db

S = AssessmentState
# Everything that would be a figure from individual answers (as in test_dialogue.py).
FIGURE = re.compile(r'data-figure="|class="table distribution-table|class="bar')
COMMENT = "HEMLIG-KOMMENTAR"
NOT_YET = "The results are not shown yet."
FRAMEWORK_ORDER = [
    "principle-p1",
    "principle-p2",
    "principle-p3",
    "dimension-d1",
    "dimension-d2",
    "balance",
]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5
    with translation.override("en"):  # assertions read the English msgids
        yield


@pytest.fixture
def manager(persona):
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"
    return client


def _statement_value(i: int, position: int) -> int:
    """Nine statements, three per principle (positions 0–2, 3–5, 6–8): principle 2 has the
    widest spread (1s and 5s on its second statement), principle 3 a middling one."""
    if position == 4:
        return 1 if i % 2 else 5
    if 6 <= position <= 8:
        return 2 if i % 2 else 4
    return 3 + (i % 3 == 0)


def _dimension(i: int, position: int) -> tuple[int, int]:
    """Dimension 1: now 4, desired 5 (gap 1); dimension 2: now 2, desired 6 (gap 4)."""
    return (4, 5) if position == 0 else (2, 6)


def _assessment(org, *, respondents: int = 6, released: bool = False, **fields):
    version = make_version(published=True, principles=3, statements=3, dimensions=2)
    assessment = make_unit_assessment(org, state=S.DIALOGUE, version=version, **fields)
    add_respondents(
        assessment,
        respondents,
        statement_value=_statement_value,
        dimension=_dimension,
        comment=lambda i, position: f"{COMMENT}-{i}-{position}",
    )
    if released:
        assert release(assessment).released
    return assessment


def _url(assessment, item: str | None = None) -> str:
    if item is None:
        return reverse("manager_presenter", args=[assessment.pk])
    return reverse("manager_presenter_item", args=[assessment.pk, item])


def _status_url(assessment, item: str) -> str:
    return reverse("manager_presenter_item_status", args=[assessment.pk, item])


def _page(client, assessment, item: str | None = None) -> str:
    response = client.get(_url(assessment, item))
    assert response.status_code == 200
    return response.content.decode()


def _status(client, assessment, item: str) -> dict:
    response = client.get(_status_url(assessment, item))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return json.loads(response.content)


def _agenda(html: str) -> list[str]:
    """The items' slugs in the agenda's order."""
    agenda = html[html.index('<ol class="agenda">') : html.index("</ol>", html.index("agenda"))]
    return re.findall(r'href="/skattning/\d+/dialog/visning/([\w-]+)/"', agenda)


def _current(html: str) -> str:
    return re.search(r'visning/([\w-]+)/" aria-current="page"', html).group(1)


def _every_page(client, assessment) -> list[str]:
    return [_page(client, assessment, item) for item in FRAMEWORK_ORDER]


# --- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona_name",
    ["quality_developer", "quality_developer_elsewhere", "manager_of_b", "outsider"],
)
def test_it_is_a_404_for_everyone_but_the_manager(org, persona, persona_name):
    assessment = _assessment(org, released=True)
    client = persona(persona_name)
    for url in (
        _url(assessment),
        _url(assessment, "principle-p1"),
        _url(assessment, "balance"),
        _status_url(assessment, "principle-p1"),
        _status_url(assessment, "balance"),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Principle 1" not in response.content.decode()


@pytest.mark.parametrize("persona_name", ["manager_of_a", "administrator"])
def test_it_shows_the_manager_and_administrators_the_item(org, persona, persona_name):
    assessment = _assessment(org, released=True)
    client = persona(persona_name)
    client.cookies["django_language"] = "en"
    html = client.get(_url(assessment, "principle-p1")).content.decode()
    assert '<h1 id="item-heading">Principle 1</h1>' in html
    assert client.get(_status_url(assessment, "principle-p1")).status_code == 200


def test_it_sends_anonymous_visitors_to_the_login(org, persona):
    assessment = _assessment(org, released=True)
    client = persona("anonymous")
    for url in (_url(assessment), _status_url(assessment, "balance")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_is_a_404_for_an_item_that_is_not_on_the_agenda(org, manager):
    assessment = _assessment(org)
    other = make_version(name="Annan", published=True, principles=4)
    assert Principle.objects.filter(version=other, key="p4").exists()
    for item in ("principle-p4", "dimension-d9", "balances", "principle-", "steering-p1"):
        assert manager.get(_url(assessment, item)).status_code == 404, item
        assert manager.get(_status_url(assessment, item)).status_code == 404, item


# --- no figure before the release -------------------------------------------------------------


@pytest.mark.parametrize("state", [S.INDIVIDUAL, S.DIALOGUE])
def test_it_shows_texts_and_questions_but_no_figure_before_the_release(org, manager, state):
    assessment = _assessment(org)
    assessment.state = state
    assessment.save(update_fields=["state"])

    pages = _every_page(manager, assessment)
    for html in pages:
        assert not FIGURE.search(html)
        assert NOT_YET in html
        assert "Median" not in html
        assert 'data-release=""' in html
    principle, dimension, balance = pages[0], pages[3], pages[5]
    assert "Definition 1." in principle
    assert "Question 1.1?" in principle and "Question 1.2?" in principle
    assert "Control" in dimension and "Trust" in dimension
    assert "Where do we want to be" in dimension
    assert "Why do we steer the way we do?" in balance
    assert "Nothing agreed yet." in principle
    # Without figures, the framework's order.
    assert _agenda(principle) == FRAMEWORK_ORDER


def test_it_shows_no_figure_when_the_release_was_refused(org, manager):
    assessment = _assessment(org, respondents=4)
    assert release(assessment).status == "too_few"
    for html in _every_page(manager, assessment):
        assert not FIGURE.search(html)
        assert NOT_YET in html


def test_it_hides_the_figures_again_while_people_answer_once_more(org, manager):
    assessment = _assessment(org, released=True)
    assert FIGURE.search(_page(manager, assessment, "principle-p1"))
    assessment.state = S.INDIVIDUAL
    assessment.save(update_fields=["state"])
    for html in _every_page(manager, assessment):
        assert not FIGURE.search(html)
    assert _status(manager, assessment, "principle-p1")["release"] is None


# --- figures after it -----------------------------------------------------------------------------


def test_it_shows_the_released_figures_beside_the_questions(org, manager):
    assessment = _assessment(org, released=True)
    principle = _page(manager, assessment, "principle-p2")
    assert 'data-figure="distribution"' in principle
    assert 'data-figure="index"' in principle
    # Statement 2.2 was answered 5, 1, 5, 1, 5, 1: three of each, median 3.
    row = principle[principle.index("Statement 2.2") :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'<span class="count">(\d+)</span>', row) == ["3", "0", "0", "0", "3", "0"]
    assert '<td class="num median">3</td>' in row
    assert "Question 2.1?" in principle
    assert NOT_YET not in principle
    assert f'data-release="{assessment.release.number}"' in principle

    dimension = _page(manager, assessment, "dimension-d2")
    assert 'data-figure="dimension"' in dimension
    medians = re.findall(r"</dt><dd>([^<]+)</dd>", dimension)
    assert medians == ["2", "6", "+4"]

    balance = _page(manager, assessment, "balance")
    assert balance.count('data-figure="balance"') == 2
    assert "Mean of 6 people's points" in balance


def test_it_puts_disagreement_first_once_results_are_shown(org, manager):
    assessment = _assessment(org)
    assert _agenda(_page(manager, assessment)) == FRAMEWORK_ORDER

    release(assessment)
    html = _page(manager, assessment)
    assert _agenda(html) == [
        "principle-p2",  # its widest statement spread is the largest (1s and 5s)
        "principle-p3",  # 2s and 4s
        "principle-p1",  # 3s and 4s
        "dimension-d2",  # gap 4
        "dimension-d1",  # gap 1
        "balance",
    ]
    # The presenter opens at the first item; previous and next follow the agenda.
    assert _current(html) == "principle-p2"
    assert 'data-go="prev"' not in html
    assert re.search(r'data-go="next" rel="next" href="[^"]*/principle-p3/"', html)
    middle = _page(manager, assessment, "principle-p1")
    assert _current(middle) == "principle-p1"
    assert re.search(r'data-go="prev" rel="prev" href="[^"]*/principle-p3/"', middle)
    assert re.search(r'data-go="next" rel="next" href="[^"]*/dimension-d2/"', middle)
    last = _page(manager, assessment, "balance")
    assert 'data-go="next"' not in last
    assert "3 of 6" in middle and "6 of 6" in last


def test_it_keeps_the_framework_order_on_ties(org, manager):
    version = make_version(published=True, principles=3, statements=2, dimensions=3)
    assessment = make_unit_assessment(org, state=S.DIALOGUE, version=version)
    add_respondents(
        assessment, 6, statement_value=lambda i, p: 1 + i % 5, dimension=lambda i, p: (3, 5)
    )
    release(assessment)
    assert _agenda(_page(manager, assessment)) == [
        "principle-p1",
        "principle-p2",
        "principle-p3",
        "dimension-d1",
        "dimension-d2",
        "dimension-d3",
        "balance",
    ]


# --- never a comment ---------------------------------------------------------------------------


def test_it_never_shows_a_comment(org, manager):
    assessment = _assessment(org, released=True)
    # The comments are real: the facilitator's dialogue page shows them.
    dialogue = manager.get(reverse("manager_dialogue", args=[assessment.pk])).content.decode()
    assert COMMENT in dialogue
    for html in [*_every_page(manager, assessment), _page(manager, assessment)]:
        assert COMMENT not in html
        assert "comment" not in html.lower()
    for item in FRAMEWORK_ORDER:
        assert COMMENT not in manager.get(_status_url(assessment, item)).content.decode()


# --- the agreement as it is recorded -----------------------------------------------------------


def test_it_reports_the_agreement_and_a_new_stamp_when_it_is_saved(org, manager):
    assessment = _assessment(org, released=True)
    principle = Principle.objects.get(version=assessment.round.framework_version, key="p2")

    before = _status(manager, assessment, "principle-p2")
    assert before["agreed"] == {"principle": None}
    assert before["release"] == assessment.release.number
    assert before["item"] == "principle-p2"
    html = _page(manager, assessment, "principle-p2")
    assert f'data-version="{before["version"]}"' in html
    assert "data-agreed-absent>" in html and "data-agreed-absent hidden" not in html

    agreements.save_principle_agreement(
        assessment,
        principle,
        org.manager_of_a,
        lock_version=0,
        score=4,
        strengths="Vi hjälper varandra.",
    )
    after = _status(manager, assessment, "principle-p2")
    assert after["agreed"] == {
        "principle": {"score": 4, "strengths": "Vi hjälper varandra.", "obstacles": ""}
    }
    assert after["version"] != before["version"]
    assert _status(manager, assessment, "principle-p2")["version"] == after["version"]
    # A reload shows the same agreement, written out.
    html = _page(manager, assessment, "principle-p2")
    assert 'data-agreed-field="score">4</dd>' in html
    assert "Vi hjälper varandra." in html
    assert f'data-version="{after["version"]}"' in html

    agreements.save_principle_agreement(
        assessment, principle, org.manager_of_a, lock_version=1, score=3, obstacles="Tid."
    )
    again = _status(manager, assessment, "principle-p2")
    assert again["agreed"]["principle"]["score"] == 3
    assert again["version"] not in (before["version"], after["version"])
    # Another item's agreement is its own.
    assert _status(manager, assessment, "principle-p1")["agreed"] == {"principle": None}


def test_it_reports_dimension_and_balance_agreements(org, manager):
    assessment = _assessment(org)
    dimension = Dimension.objects.get(version=assessment.round.framework_version, key="d1")
    agreements.save_dimension_agreement(
        assessment, dimension, org.manager_of_a, lock_version=0, now=3, desired=6
    )
    agreements.save_balance_agreement(
        assessment, "desired", org.manager_of_a, lock_version=0, market=10, hierarchy=30, trust=60
    )
    assert _status(manager, assessment, "dimension-d1")["agreed"] == {
        "dimension": {"now": 3, "desired": 6}
    }
    assert _status(manager, assessment, "balance")["agreed"] == {
        "now": None,
        "desired": {"market": 10, "hierarchy": 30, "trust": 60},
    }
    # Shown before any release too: the agreement is the group's, not a figure.
    html = _page(manager, assessment, "balance")
    assert 'data-agreed-field="trust">60</dd>' in html
    assert not FIGURE.search(html)


def test_it_stops_polling_once_completed(org, manager):
    assessment = _assessment(org, released=True)
    assert "data-status-url=" in _page(manager, assessment)
    assessment.state = S.COMPLETED
    assessment.completed_at = timezone.now()
    assessment.save(update_fields=["state", "completed_at"])
    html = _page(manager, assessment)
    assert "data-status-url=" not in html
    assert FIGURE.search(html)  # the released figures stay


def test_it_is_linked_from_the_dialogue_in_a_new_window(org, manager):
    assessment = _assessment(org)
    html = manager.get(reverse("manager_dialogue", args=[assessment.pk])).content.decode()
    link = re.search(rf'<a [^>]*href="{_url(assessment)}"[^>]*>', html).group(0)
    assert 'target="_blank"' in link and 'rel="noopener"' in link


# --- queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("respondents", [5, 50])
def test_it_needs_the_same_queries_for_any_number_of_respondents(
    org, manager, django_assert_num_queries, respondents
):
    assessment = _assessment(org, respondents=respondents, released=True)
    # session, user, roles, assessment (with its release), principles, statements,
    # questions, dimensions, the item's agreement: never an answer, whatever the number.
    with django_assert_num_queries(9):
        html = _page(manager, assessment)
    assert 'data-figure="distribution"' in html
    with django_assert_num_queries(9):
        _page(manager, assessment, "dimension-d2")
    with django_assert_num_queries(10):  # and the steering principles' names
        html = _page(manager, assessment, "balance")
    assert f"Mean of {respondents} people's points" in html
    # session, user, roles, assessment, the principle, its agreement
    with django_assert_num_queries(6):
        _status(manager, assessment, "principle-p1")
    with django_assert_num_queries(5):
        _status(manager, assessment, "balance")

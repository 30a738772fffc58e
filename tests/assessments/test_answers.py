"""A participant's individual answers: the pages, the service, and everything they refuse."""

import html
import re
import secrets

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import answers, joincodes
from assessments.models import (
    AssessmentState,
    BalanceAnswer,
    DimensionAnswer,
    PrincipleComment,
    Respondent,
    StatementAnswer,
)
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    cache.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def version(db):
    return make_version(published=True, principles=2, statements=3, dimensions=2)


@pytest.fixture
def assessment(version):
    unit = make_unit("U1", "Enhet Ett")
    return make_assessment(
        make_round(unit, version),
        unit,
        join_code=joincodes.generate(),
        state=AssessmentState.INDIVIDUAL,
    )


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def respondent(client, assessment) -> Respondent:
    """The participant behind `client`, joined through the link."""
    client.post(reverse("join_link", kwargs={"code": assessment.join_code}))
    return Respondent.objects.get(assessment=assessment)


def principles(version):
    return list(version.principles.order_by("order"))


def statements(principle):
    return list(principle.statements.order_by("order"))


def url(assessment, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"code": assessment.join_code, **kwargs})


def principle_url(assessment, number: int = 1) -> str:
    return url(assessment, "participant_principle", number=number)


def stored(respondent) -> dict:
    """Everything stored for the respondent, to show that a refused write changed nothing."""
    return {
        "statements": sorted(
            StatementAnswer.objects.filter(respondent=respondent).values_list(
                "statement_id", "value", "dont_know"
            )
        ),
        "comments": sorted(
            PrincipleComment.objects.filter(respondent=respondent).values_list(
                "principle_id", "text"
            )
        ),
        "dimensions": sorted(
            DimensionAnswer.objects.filter(respondent=respondent).values_list(
                "dimension_id", "now", "desired"
            )
        ),
        "balance": sorted(
            BalanceAnswer.objects.filter(respondent=respondent).values_list(
                "kind", "market", "hierarchy", "trust"
            )
        ),
    }


def error_next_to(response, field_name: str) -> str:
    """The message shown right next to a field (its `…-error` element)."""
    match = re.search(rf'id="{re.escape(field_name)}-error">([^<]*)<', response.content.decode())
    assert match, f"no message next to {field_name}"
    return html.unescape(match.group(1)).strip()


@pytest.fixture
def answered(respondent, version):
    """A respondent who has answered something on every page already."""
    first = principles(version)[0]
    answers.save_principle_page(
        respondent,
        first,
        {"statements": {s.pk: 4 for s in statements(first)}, "comment": "Bra stämning."},
    )
    answers.save_dimensions(
        respondent, {d.pk: {"now": 3, "desired": 6} for d in version.dimensions.all()}
    )
    answers.save_balance(
        respondent,
        {
            "now": {"market": 20, "hierarchy": 60, "trust": 20},
            "desired": {"market": 10, "hierarchy": 30, "trust": 60},
        },
    )
    return stored(respondent)


# ---------------------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------------------


def test_it_shows_one_principle_per_page_with_progress_and_labelled_radio_groups(
    client, respondent, assessment, version
):
    response = client.get(principle_url(assessment, 2))
    assert response.status_code == 200
    html = response.content.decode()
    principle = principles(version)[1]
    assert "Principle 2 of 2" in html
    assert principle.name in html
    assert 'role="progressbar"' in html
    assert "Step 2 of 5" in html  # 2 principles, control–trust, balance, done
    for statement in statements(principle):
        name = answers.statement_field(statement.pk)
        assert f'<legend id="{name}-legend"' in html
        assert html.count(f'name="{name}"') == 6  # 1–5 and "don't know"
    for label in ("not true at all", "slightly true", "partly true", "largely true"):
        assert f"– {label}</span>" in html
    assert "Don&#x27;t know" in html
    assert 'for="id_comment"' in html


def test_it_saves_the_page_when_the_participant_moves_on_and_shows_it_again(
    client, respondent, assessment, version
):
    first = principles(version)[0]
    s1, s2, _s3 = statements(first)
    data = {
        answers.statement_field(s1.pk): "5",
        answers.statement_field(s2.pk): answers.DONT_KNOW,
        "comment": "  Vi litar på varandra.  ",
        "nav": "next",
    }
    response = client.post(principle_url(assessment), data)
    assert response.status_code == 302
    assert response["Location"] == principle_url(assessment, 2)
    assert stored(respondent)["statements"] == [(s1.pk, 5, False), (s2.pk, None, True)]
    assert stored(respondent)["comments"] == [(first.pk, "Vi litar på varandra.")]

    # Back on the page the answers are there; a change replaces them.
    html = client.get(principle_url(assessment)).content.decode()
    assert re.search(rf'name="{answers.statement_field(s1.pk)}" value="5"[^>]*checked', html)
    data.update({answers.statement_field(s1.pk): "2", "comment": "", "nav": "back"})
    response = client.post(principle_url(assessment), data)
    assert response["Location"] == principle_url(assessment, 1)  # first page: Back stays
    assert stored(respondent)["statements"] == [(s1.pk, 2, False), (s2.pk, None, True)]
    assert stored(respondent)["comments"] == []


def test_it_saves_when_jumping_in_the_list_of_pages(client, respondent, assessment, version):
    first = principles(version)[0]
    statement = statements(first)[0]
    response = client.post(
        principle_url(assessment),
        {answers.statement_field(statement.pk): "3", "nav": "go-balance"},
    )
    assert response["Location"] == url(assessment, "participant_balance")
    assert stored(respondent)["statements"] == [(statement.pk, 3, False)]


def test_it_leaves_a_saved_comment_alone_when_a_post_carries_no_comment_field(
    client, respondent, assessment, answered
):
    response = client.post(principle_url(assessment), {"nav": "go-summary"})
    assert response.status_code == 302
    assert stored(respondent) == answered


def test_it_shows_both_poles_and_radio_groups_for_now_and_desired(
    client, respondent, assessment, version
):
    html = client.get(url(assessment, "participant_dimensions")).content.decode()
    assert 'type="range"' not in html
    for dimension in version.dimensions.all():
        assert dimension.control_pole in html and dimension.trust_pole in html
        for side in answers.DIMENSION_SIDES:
            name = answers.dimension_field(dimension.pk, side)
            assert html.count(f'type="radio" name="{name}"') == 7


def test_it_saves_the_dimensions_and_keeps_a_side_left_blank(
    client, respondent, assessment, version
):
    d1, d2 = version.dimensions.order_by("order")
    data = {
        answers.dimension_field(d1.pk, "now"): "2",
        answers.dimension_field(d1.pk, "desired"): "6",
        answers.dimension_field(d2.pk, "now"): "4",
        "nav": "next",
    }
    response = client.post(url(assessment, "participant_dimensions"), data)
    assert response["Location"] == url(assessment, "participant_balance")
    assert stored(respondent)["dimensions"] == [(d1.pk, 2, 6), (d2.pk, 4, None)]
    response = client.post(
        url(assessment, "participant_dimensions"),
        {answers.dimension_field(d2.pk, "desired"): "7", "nav": "next"},
    )
    assert stored(respondent)["dimensions"] == [(d1.pk, 2, 6), (d2.pk, 4, 7)]


def test_it_shows_the_running_sum_and_saves_a_balance_of_100(client, respondent, assessment):
    html = client.get(url(assessment, "participant_balance")).content.decode()
    assert 'aria-live="polite"' in html
    assert "js/balance.js" in html
    assert "Sum: 0 of 100" in html
    data = {
        "balance_now_market": "25",
        "balance_now_hierarchy": "50",
        "balance_now_trust": "25",
        "balance_desired_market": "10",
        "balance_desired_hierarchy": "20",
        "balance_desired_trust": "70",
        "nav": "next",
    }
    response = client.post(url(assessment, "participant_balance"), data)
    assert response["Location"] == url(assessment, "participant_summary")
    assert stored(respondent)["balance"] == [("desired", 10, 20, 70), ("now", 25, 50, 25)]
    assert "Sum: 100 of 100" in client.get(url(assessment, "participant_balance")).content.decode()


def test_it_thanks_the_participant_and_notes_that_they_reached_the_end(
    client, respondent, assessment
):
    assert respondent.finished_at is None
    response = client.get(url(assessment, "participant_summary"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thank you!" in html
    assert "You can change your answers until your manager closes the individual part." in html
    respondent.refresh_from_db()
    assert respondent.finished_at is not None


def test_it_shows_a_participant_only_their_own_answers(assessment, version):
    first = principles(version)[0]
    statement = statements(first)[0]
    field = answers.statement_field(statement.pk)
    mine, theirs = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    for client in (mine, theirs):
        client.post(reverse("join_link", kwargs={"code": assessment.join_code}))
    mine.post(principle_url(assessment), {field: "1", "comment": "Min hemlighet"})
    html = theirs.get(principle_url(assessment)).content.decode()
    assert "Min hemlighet" not in html
    assert not re.search(rf'name="{field}" value="1"[^>]*checked', html)


# ---------------------------------------------------------------------------------------
# Pages left empty: told on the next page, listed on the summary, and nothing stored
# ---------------------------------------------------------------------------------------

EMPTY_PRINCIPLE_PAGE = {"comment": "", "nav": "next"}  # what a page with no answer sends
EMPTY_BALANCE_PAGE = {
    f"balance_{kind}_{key}": "" for kind in ("now", "desired") for key in answers.STEERING_KEYS
}


def notice(response) -> str:
    """The note about a page left unanswered, as text; "" when there is none."""
    match = re.search(
        r'<div class="unanswered-notice"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split()) if match else ""


def writes(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_it_tells_the_next_page_that_the_page_was_left_with_nothing_answered(
    client, respondent, assessment, version
):
    first = principles(version)[0]
    response = client.post(principle_url(assessment), EMPTY_PRINCIPLE_PAGE)
    assert response["Location"] == principle_url(assessment, 2) + "?unanswered=principle-1"
    page = client.get(response["Location"])
    assert notice(page).startswith(f"Nothing was answered on “{first.name}”.")
    assert f'<a href="{principle_url(assessment, 1)}">Go back to “{first.name}”</a>' in (
        page.content.decode()
    )
    # Only once: the same page without the note in its address says nothing.
    assert notice(client.get(principle_url(assessment, 2))) == ""


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param("one statement", id="one-statement"),
        pytest.param("don't know", id="dont-know"),
        pytest.param("a comment", id="comment-only"),
    ],
)
def test_it_says_nothing_when_something_on_the_page_was_answered(
    client, respondent, assessment, version, sent
):
    s1 = statements(principles(version)[0])[0]
    data = dict(EMPTY_PRINCIPLE_PAGE)
    if sent == "one statement":
        data[answers.statement_field(s1.pk)] = "1"
    elif sent == "don't know":
        data[answers.statement_field(s1.pk)] = answers.DONT_KNOW
    else:
        data["comment"] = "Bara en tanke."
    response = client.post(principle_url(assessment), data)
    assert response["Location"] == principle_url(assessment, 2)
    assert notice(client.get(response["Location"])) == ""


@pytest.mark.parametrize("nav", ["back", "go-balance"])
def test_it_says_nothing_when_the_participant_goes_back_or_jumps(
    client, respondent, assessment, nav
):
    response = client.post(principle_url(assessment, 2), {"comment": "", "nav": nav})
    assert "unanswered" not in response["Location"]


def test_it_tells_of_the_empty_control_trust_page_but_leaves_the_last_page_to_the_summary(
    client, respondent, assessment
):
    response = client.post(url(assessment, "participant_dimensions"), {"nav": "next"})
    assert response["Location"] == url(assessment, "participant_balance") + "?unanswered=dimensions"
    assert notice(client.get(response["Location"])).startswith(
        "Nothing was answered on “Control or trust”."
    )
    response = client.post(
        url(assessment, "participant_balance"), {**EMPTY_BALANCE_PAGE, "nav": "next"}
    )
    assert response["Location"] == url(assessment, "participant_summary")


@pytest.mark.parametrize("named", ["principle-2", "summary", "nowhere", "principle-9"])
def test_it_names_no_page_that_is_this_one_the_summary_or_not_there(
    client, respondent, assessment, named
):
    assert notice(client.get(principle_url(assessment, 2) + f"?unanswered={named}")) == ""


def test_it_stores_and_writes_nothing_for_pages_left_empty(client, respondent, assessment, version):
    before = Respondent.objects.values_list("updated_at", flat=True).get(pk=respondent.pk)
    posts = [
        (principle_url(assessment, 1), EMPTY_PRINCIPLE_PAGE),
        (principle_url(assessment, 2), {"comment": "   ", "nav": "next"}),
        (url(assessment, "participant_dimensions"), {"nav": "next"}),
        (url(assessment, "participant_balance"), {**EMPTY_BALANCE_PAGE, "nav": "next"}),
    ]
    for address, data in posts:
        with CaptureQueriesContext(connection) as captured:
            assert client.post(address, data).status_code == 302
        assert writes(captured) == [], address
    assert StatementAnswer.objects.count() == 0
    assert PrincipleComment.objects.count() == 0
    assert DimensionAnswer.objects.count() == 0
    assert BalanceAnswer.objects.count() == 0
    assert Respondent.objects.values_list("updated_at", flat=True).get(pk=respondent.pk) == before


def test_it_removes_a_saved_comment_emptied_on_a_page_with_nothing_else(
    client, respondent, assessment, version
):
    _first, second = principles(version)
    client.post(principle_url(assessment), {"comment": "Tas bort", "nav": "next"})
    client.post(principle_url(assessment, 2), {"comment": "Blir kvar", "nav": "next"})
    assert PrincipleComment.objects.count() == 2
    response = client.post(principle_url(assessment), EMPTY_PRINCIPLE_PAGE)
    assert response["Location"].endswith("?unanswered=principle-1")
    assert stored(respondent)["comments"] == [(second.pk, "Blir kvar")]
    assert StatementAnswer.objects.count() == 0


def pages_left(response) -> list[tuple[str, str]]:
    """The summary's list of pages left: (link, text) for each."""
    page = response.content.decode()
    match = re.search(r'<ul class="pages-left-list">(.*?)</ul>', page, re.S)
    if match is None:
        return []
    return [
        (link, " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()))
        for link, text in re.findall(r'<li><a href="([^"]+)">(.*?)</li>', match.group(1), re.S)
    ]


def test_it_lists_on_the_summary_the_pages_with_nothing_or_part_answered(
    client, respondent, assessment, version
):
    first, second = principles(version)
    d1, _d2 = version.dimensions.order_by("order")
    answers.save_principle_page(
        respondent, second, {"statements": {statements(second)[0].pk: 3}, "comment": ""}
    )
    answers.save_dimensions(respondent, {d1.pk: {"now": 2}})  # one side of one dimension
    answers.save_balance(respondent, {"now": {"market": 20, "hierarchy": 60, "trust": 20}})
    summary = client.get(url(assessment, "participant_summary"))
    assert "Pages left to answer" in summary.content.decode()
    assert pages_left(summary) == [
        (principle_url(assessment, 1), f"{first.name}: nothing answered yet"),
        (principle_url(assessment, 2), f"{second.name}: partly answered"),
        (url(assessment, "participant_dimensions"), "Control or trust: partly answered"),
        (url(assessment, "participant_balance"), "Steering balance: partly answered"),
    ]
    assert "1 of 4" in summary.content.decode()  # one side of the two dimensions' four


def test_it_counts_a_comment_alone_as_a_page_partly_answered(
    client, respondent, assessment, version
):
    first = principles(version)[0]
    answers.save_principle_page(respondent, first, {"statements": {}, "comment": "Tanke"})
    assert pages_left(client.get(url(assessment, "participant_summary")))[0] == (
        principle_url(assessment, 1),
        f"{first.name}: partly answered",
    )


def test_it_lists_no_pages_left_once_everything_is_answered(
    client, respondent, assessment, version
):
    for principle in principles(version):
        answers.save_principle_page(
            respondent,
            principle,
            {"statements": {s.pk: answers.DONT_KNOW for s in statements(principle)}},
        )
    dimensions = list(version.dimensions.all())
    answers.save_dimensions(respondent, {d.pk: {"now": 1, "desired": 7} for d in dimensions})
    answers.save_balance(
        respondent,
        {
            "now": {"market": 0, "hierarchy": 100, "trust": 0},
            "desired": {"market": 0, "hierarchy": 0, "trust": 100},
        },
    )
    # The boundary: one side of one dimension missing still leaves that page on the list.
    DimensionAnswer.objects.filter(dimension=dimensions[0]).update(desired=None)
    summary = client.get(url(assessment, "participant_summary"))
    assert [text for _link, text in pages_left(summary)] == ["Control or trust: partly answered"]
    DimensionAnswer.objects.filter(dimension=dimensions[0]).update(desired=7)
    summary = client.get(url(assessment, "participant_summary"))
    assert pages_left(summary) == []
    assert "Pages left to answer" not in summary.content.decode()
    assert "Some questions are still unanswered" not in summary.content.decode()


def test_it_shows_the_steering_keywords_as_running_text(client, respondent, assessment):
    # The factory's three principles have the keywords "a, b, c", in both balances.
    page = client.get(url(assessment, "participant_balance")).content.decode()
    assert page.count('<span class="balance-keywords">a, b and c</span>') == 6
    assert "a, b, c" not in page


# ---------------------------------------------------------------------------------------
# Bad input: a clear message, and nothing stored changes
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["0", "6", "abc", "-1", "3.5", "³"])
def test_it_refuses_a_statement_value_off_the_scale(
    client, respondent, assessment, version, answered, bad
):
    first = principles(version)[0]
    s1, s2, _s3 = statements(first)
    data = {
        answers.statement_field(s1.pk): bad,
        answers.statement_field(s2.pk): "1",  # valid, but the page is refused as a whole
        "comment": "Ändrad",
        "nav": "next",
    }
    response = client.post(principle_url(assessment), data)
    assert response.status_code == 400
    assert error_next_to(response, answers.statement_field(s1.pk)) == (
        "Choose a value from 1 to 5, or “Don't know”."
    )
    assert "Nothing on this page was saved" in response.content.decode()
    assert stored(respondent) == answered


def test_it_refuses_a_statement_of_another_principle_on_this_page(
    client, respondent, assessment, version, answered
):
    first, second = principles(version)
    data = {
        answers.statement_field(statements(first)[0].pk): "1",
        answers.statement_field(statements(second)[0].pk): "5",
        "nav": "next",
    }
    response = client.post(principle_url(assessment, 1), data)
    assert response.status_code == 400
    assert "An answer was sent for a statement that is not on this page" in (
        response.content.decode()
    )
    assert stored(respondent) == answered


def test_it_refuses_in_the_service_a_statement_or_principle_of_another_version(
    respondent, version, answered
):
    other = make_version("Annat ramverk", published=True, principles=1, statements=1)
    foreign_principle = principles(other)[0]
    foreign_statement = statements(foreign_principle)[0]
    mine = principles(version)[0]
    with pytest.raises(ValidationError) as refused:
        answers.save_principle_page(
            respondent,
            mine,
            {"statements": {statements(mine)[0].pk: 1, foreign_statement.pk: 5}},
        )
    assert "not on this page" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        answers.save_principle_page(
            respondent, foreign_principle, {"statements": {foreign_statement.pk: 5}}
        )
    assert "not part of the framework this self-assessment uses" in str(refused.value)
    # Another principle's statement, same version, through the service.
    second = principles(version)[1]
    with pytest.raises(ValidationError):
        answers.save_principle_page(respondent, mine, {"statements": {statements(second)[0].pk: 2}})
    assert stored(respondent) == answered


def test_it_refuses_a_comment_that_is_too_long(client, respondent, assessment, answered):
    response = client.post(principle_url(assessment), {"comment": "x" * 2001, "nav": "next"})
    assert response.status_code == 400
    assert "at most 2000 characters" in error_next_to(response, "comment")
    assert stored(respondent) == answered
    with pytest.raises(ValidationError):
        answers.save_principle_page(
            respondent,
            respondent.assessment.round.framework_version.principles.first(),
            {"comment": "x" * 2001},
        )
    assert stored(respondent) == answered


@pytest.mark.parametrize("bad", ["0", "8", "abc", "-3", ""])
def test_it_refuses_a_dimension_value_off_the_scale(
    client, respondent, assessment, version, answered, bad
):
    d1, d2 = version.dimensions.order_by("order")
    data = {
        answers.dimension_field(d1.pk, "now"): bad,
        answers.dimension_field(d2.pk, "now"): "1",
        "nav": "next",
    }
    response = client.post(url(assessment, "participant_dimensions"), data)
    if bad == "":
        # Blank is "not answered": the rest is saved, and d1 keeps what it had.
        assert response.status_code == 302
        assert {d: (n, w) for d, n, w in stored(respondent)["dimensions"]} == {
            d1.pk: (3, 6),
            d2.pk: (1, 6),
        }
        return
    assert response.status_code == 400
    assert error_next_to(response, answers.dimension_field(d1.pk, "now")) == (
        "Choose a value from 1 to 7."
    )
    assert stored(respondent) == answered
    with pytest.raises(ValidationError):
        answers.save_dimensions(respondent, {d1.pk: {"now": bad}, d2.pk: {"now": 1}})
    assert stored(respondent) == answered


def test_it_refuses_a_dimension_of_another_version(respondent, answered):
    other = make_version("Annat ramverk", published=True, dimensions=1)
    with pytest.raises(ValidationError) as refused:
        answers.save_dimensions(respondent, {other.dimensions.get().pk: {"now": 3}})
    assert "not on this page" in str(refused.value)
    assert stored(respondent) == answered


BALANCE = {
    "balance_now_market": "30",
    "balance_now_hierarchy": "30",
    "balance_now_trust": "30",
    "balance_desired_market": "0",
    "balance_desired_hierarchy": "0",
    "balance_desired_trust": "100",
}


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({}, "balance_now", "The points add up to 90. Spread exactly 100 points over the three"),
        (
            {"balance_now_trust": "50"},
            "balance_now",
            "The points add up to 110. Spread exactly 100 points over the three (10 too many).",
        ),
        (
            {"balance_now_trust": "40", "balance_now_market": "-10", "balance_now_hierarchy": "70"},
            "balance_now_market",
            "Give a whole number of points from 0 to 100.",
        ),
        (
            {"balance_now_trust": "abc"},
            "balance_now_trust",
            "Give a whole number of points from 0 to 100.",
        ),
        (
            {"balance_now_trust": "101"},
            "balance_now_trust",
            "Give a whole number of points from 0 to 100.",
        ),
        (
            {"balance_now_trust": ""},
            "balance_now_trust",
            "Give points to all three (0 is fine).",
        ),
    ],
)
def test_it_refuses_a_balance_that_is_not_100_whole_points(
    client, respondent, assessment, answered, change, where, message
):
    response = client.post(url(assessment, "participant_balance"), {**BALANCE, **change})
    assert response.status_code == 400
    assert error_next_to(response, where).startswith(message)
    assert stored(respondent) == answered


@pytest.mark.parametrize(
    "points",
    [
        {"market": 30, "hierarchy": 30, "trust": 30},
        {"market": -10, "hierarchy": 60, "trust": 50},
        {"market": "abc", "hierarchy": 50, "trust": 50},
        {"market": 50, "hierarchy": 50},
        {"market": 50, "hierarchy": 50, "trust": 0, "other": 0},
        {"market": True, "hierarchy": 49, "trust": 50},
    ],
)
def test_it_refuses_a_bad_balance_in_the_service(respondent, answered, points):
    with pytest.raises(ValidationError):
        answers.save_balance(
            respondent, {"now": points, "desired": {"market": 0, "hierarchy": 0, "trust": 100}}
        )
    assert stored(respondent) == answered


def test_it_refuses_answers_once_the_individual_phase_is_closed(
    client, respondent, assessment, version, answered
):
    assessment.state = AssessmentState.DIALOGUE
    assessment.save()
    first = principles(version)[0]
    for page, data in (
        (principle_url(assessment), {answers.statement_field(statements(first)[0].pk): "1"}),
        (url(assessment, "participant_dimensions"), {}),
        (url(assessment, "participant_balance"), BALANCE),
    ):
        response = client.post(page, {**data, "nav": "next"})
        assert response.status_code == 409
        assert "The individual part of this self-assessment is closed" in (
            response.content.decode()
        )
    with pytest.raises(answers.PhaseClosedError):
        answers.save_principle_page(respondent, first, {"statements": {}})
    with pytest.raises(answers.PhaseClosedError):
        answers.save_dimensions(respondent, {})
    with pytest.raises(answers.PhaseClosedError):
        answers.save_balance(respondent, {})
    assert stored(respondent) == answered


def test_it_refuses_a_save_that_races_with_the_manager_closing_the_phase(
    client, respondent, assessment, version, answered, monkeypatch
):
    """The page was loaded while open; the phase closes before the service locks the row."""
    from assessments.views import participant

    original = participant.answers.save_principle_page

    def close_first(*args, **kwargs):
        type(assessment).objects.filter(pk=assessment.pk).update(state=AssessmentState.DIALOGUE)
        return original(*args, **kwargs)

    monkeypatch.setattr(participant.answers, "save_principle_page", close_first)
    first = principles(version)[0]
    response = client.post(
        principle_url(assessment), {answers.statement_field(statements(first)[0].pk): "1"}
    )
    assert response.status_code == 409
    assert stored(respondent) == answered


def test_it_refuses_a_forged_token_with_a_page_message(client, respondent, assessment, answered):
    intruder = Client(HTTP_ACCEPT_LANGUAGE="en")
    intruder.cookies[f"tillit_r_{assessment.join_code}"] = "forged:" + secrets.token_urlsafe(32)
    response = intruder.post(url(assessment, "participant_balance"), BALANCE)
    assert response.status_code == 403
    assert "We do not recognise this device" in response.content.decode()
    assert stored(respondent) == answered
    assert Respondent.objects.count() == 1


# ---------------------------------------------------------------------------------------
# The database refuses the same things on its own
# ---------------------------------------------------------------------------------------


def _refused_by_database(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_it_has_the_database_refuse_impossible_answers(respondent, version):
    statement = statements(principles(version)[0])[0]
    dimension = version.dimensions.first()
    for value, dont_know in ((0, False), (6, False), (3, True)):
        _refused_by_database(
            lambda v=value, d=dont_know: StatementAnswer.objects.create(
                respondent=respondent, statement=statement, value=v, dont_know=d
            )
        )
    for now, desired in ((0, 4), (8, 4), (4, 8)):
        _refused_by_database(
            lambda n=now, d=desired: DimensionAnswer.objects.create(
                respondent=respondent, dimension=dimension, now=n, desired=d
            )
        )
    for market, hierarchy, trust in ((30, 30, 30), (50, 50, 50), (-10, 60, 50)):
        _refused_by_database(
            lambda m=market, h=hierarchy, t=trust: BalanceAnswer.objects.create(
                respondent=respondent, kind="now", market=m, hierarchy=h, trust=t
            )
        )
    _refused_by_database(
        lambda: BalanceAnswer.objects.create(
            respondent=respondent, kind="later", market=0, hierarchy=0, trust=100
        )
    )
    _refused_by_database(
        lambda: Respondent.objects.create(
            assessment=respondent.assessment, token_hash=respondent.token_hash
        )
    )
    assert stored(respondent) == {"statements": [], "comments": [], "dimensions": [], "balance": []}


def test_it_has_the_database_refuse_an_answer_with_neither_value_nor_dont_know(respondent, version):
    statement = statements(principles(version)[0])[0]
    _refused_by_database(
        lambda: StatementAnswer.objects.create(
            respondent=respondent, statement=statement, value=None, dont_know=False
        )
    )


def test_it_has_the_database_refuse_a_comment_over_2000_characters(respondent, version):
    _refused_by_database(
        lambda: PrincipleComment.objects.create(
            respondent=respondent, principle=principles(version)[0], text="x" * 2001
        )
    )


# ---------------------------------------------------------------------------------------
# A constant number of queries, however many have answered
# ---------------------------------------------------------------------------------------


def _crowd(assessment, version, size: int) -> list[Respondent]:
    """`size` respondents who have answered everything."""
    crowd = Respondent.objects.bulk_create(
        [
            Respondent(assessment=assessment, token_hash=answers.hash_token(secrets.token_hex()))
            for _ in range(size)
        ]
    )
    crowd = list(Respondent.objects.filter(assessment=assessment))
    all_statements = [s for p in principles(version) for s in statements(p)]
    StatementAnswer.objects.bulk_create(
        StatementAnswer(respondent=r, statement=s, value=3) for r in crowd for s in all_statements
    )
    DimensionAnswer.objects.bulk_create(
        DimensionAnswer(respondent=r, dimension=d, now=3, desired=5)
        for r in crowd
        for d in version.dimensions.all()
    )
    BalanceAnswer.objects.bulk_create(
        BalanceAnswer(respondent=r, kind=kind, market=20, hierarchy=40, trust=40)
        for r in crowd
        for kind in ("now", "desired")
    )
    return crowd


def _queries_to_save_each_page(respondent, version) -> dict[str, int]:
    first = principles(version)[0]
    page = {"statements": {s.pk: 2 for s in statements(first)}, "comment": "Ny kommentar"}
    dimensions = {d.pk: {"now": 2, "desired": 7} for d in version.dimensions.all()}
    balance = {
        "now": {"market": 10, "hierarchy": 80, "trust": 10},
        "desired": {"market": 10, "hierarchy": 10, "trust": 80},
    }
    calls = {
        "principle": lambda: answers.save_principle_page(respondent, first, page),
        "dimensions": lambda: answers.save_dimensions(respondent, dimensions),
        "balance": lambda: answers.save_balance(respondent, balance),
    }
    counts = {}
    for name, call in calls.items():
        with CaptureQueriesContext(connection) as captured:
            call()
        counts[name] = len(captured)
    return counts


def test_it_saves_a_page_in_the_same_number_of_queries_with_5_or_200_respondents(
    assessment, version
):
    version_id = version.pk
    measured = {}
    for size in (5, 200):
        crowd = _crowd(assessment, version, size)
        # As the pages have it: loaded with its assessment, round and framework version.
        respondent = Respondent.objects.select_related("assessment__round__framework_version").get(
            pk=crowd[len(crowd) // 2].pk
        )
        version = type(version).objects.get(pk=version_id)
        answers.framework_of(respondent)  # a published framework is read once per process
        measured[size] = _queries_to_save_each_page(respondent, version)
        Respondent.objects.filter(assessment=assessment).delete()
    assert measured[5] == measured[200]
    # Read (answers, phase, last change), claim (phase check, lock, last change), upsert
    # [, comment]: no savepoint, since nothing but a database error is raised inside.
    assert measured[5] == {"principle": 4, "dimensions": 3, "balance": 3}


def test_it_shows_a_page_in_a_fixed_number_of_queries(client, respondent, assessment, version):
    _crowd(assessment, version, 30)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(principle_url(assessment)).status_code == 200
    # respondent with its assessment; answers with the comment (the framework is kept)
    assert len(captured) == 2
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(assessment, "participant_summary")).status_code == 200
    # respondent with its assessment, finished_at, progress (4)
    assert len(captured) == 6


def test_it_announces_errors_and_links_them_to_their_fields(
    client, respondent, assessment, version, answered
):
    first = principles(version)[0]
    s1, _s2, _s3 = statements(first)
    field = answers.statement_field(s1.pk)
    response = client.post(principle_url(assessment), {field: "9", "nav": "next"})
    page = response.content.decode()

    summary = re.search(r'<div class="[^"]*error-summary"([^>]*)>(.*?)</div>', page, re.S)
    assert summary and 'role="alert"' in summary.group(1)
    anchors = re.findall(r'<a href="#([^"]+)">', summary.group(2))
    assert anchors, "the summary links to the fields"
    for anchor in anchors:
        assert f'id="{anchor}"' in page, f"#{anchor} is not on the page"
    described = set(re.findall(rf'name="{field}"[^>]*aria-describedby="([^"]+)"', page))
    described |= set(re.findall(rf'aria-describedby="([^"]+)"[^>]*name="{field}"', page))
    assert described, "the radio group points to its error message"
    for ids in described:
        for error_id in ids.split():
            assert f'id="{error_id}"' in page


def test_it_tells_the_participant_who_will_see_a_comment_before_it_is_written(client, settings):
    """Comments are shown to the group (unnamed, above the threshold): never "only you"."""
    from assessments.models import AssessmentState
    from principles.models import Principle
    from tests.factories import make_assessment, make_round, make_unit, make_version

    settings.MIN_RESPONDENTS = 6
    unit = make_unit("X1", "Enhet X1")
    version = make_version(principles=1, statements=1, published=True)
    assessment = make_assessment(
        make_round(unit, version), unit, state=AssessmentState.INDIVIDUAL, expected_respondents=9
    )
    client.cookies["django_language"] = "en"
    client.post(reverse("join_link", args=[assessment.join_code]))
    assert Principle.objects.filter(version=version).count() == 1
    page = client.get(reverse("participant_principle", args=[assessment.join_code, 1]))
    text = page.content.decode()
    assert "the group sees the comments on this principle without names" in text
    assert "at least 6 people" in text
    assert "Only you see it" not in text

"""Numbers and ids are read strictly, and a field sent twice is refused: each with a clear
message, and nothing stored.

Plain ASCII digits only: no sign, no decimals, no spaces, no other scripts' digits. A number a
person types (points) may have leading zeros; an id never does (see tillit.fields).
"""

import html
import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation

from assessments import answers, joincodes
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAgreement,
    DimensionAgreement,
    PrincipleAgreement,
    Respondent,
    Round,
    UnitAssessment,
)
from principles.models import Principle
from tests.factories import make_assessment, make_round, make_unit, make_version
from tests.factories_dialogue import make_unit_assessment

pytestmark = pytest.mark.django_db

BIGGEST_ID = 2**63 - 1
TOO_BIG = 2**63
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
REPEATED = (
    "This field was sent more than once, so it is not clear which value was meant. Nothing "
    "was saved; reload the page and try again."
)
INCOMPLETE = "The form was incomplete. Reload the page and try again."


def not_plain_digits(number: int) -> list[str]:
    """The ways of writing `number` that Python's int() reads but a form here refuses."""
    digits = str(number)
    return [
        f"+{digits}",
        f"{digits}.0",
        f" {digits} ",
        f"{digits}\n",
        digits.translate(ARABIC_INDIC),
        digits.translate(FULL_WIDTH),
        f"{digits[0]}_{digits[1:]}" if len(digits) > 1 else f"0_{digits}",
    ]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    return client


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def error_next_to(response, field_name: str) -> str:
    """The message the participant pages show right next to a field (its `…-error`)."""
    match = re.search(rf'id="{re.escape(field_name)}-error">([^<]*)<', response.content.decode())
    assert match, f"no message next to {field_name}"
    return html.unescape(match.group(1)).strip()


# --- the participant's pages -------------------------------------------------------------------


@pytest.fixture
def version(db):
    return make_version(published=True, principles=1, statements=2, dimensions=1)


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
def respondent(client, assessment) -> Respondent:
    client.post(reverse("join_link", kwargs={"code": assessment.join_code}))
    return Respondent.objects.get(assessment=assessment)


@pytest.fixture
def answered(respondent, version) -> dict:
    """Something saved on every page already, so that "nothing changed" means something."""
    principle = version.principles.get()
    s1, s2 = principle.statements.order_by("order")
    answers.save_principle_page(
        respondent, principle, {"statements": {s1.pk: 3, s2.pk: 3}, "comment": ""}
    )
    answers.save_dimensions(respondent, {version.dimensions.get().pk: {"now": 4, "desired": 4}})
    answers.save_balance(
        respondent,
        {
            "now": {"market": 20, "hierarchy": 40, "trust": 40},
            "desired": {"market": 10, "hierarchy": 20, "trust": 70},
        },
    )
    return stored_answers(respondent)


def stored_answers(respondent) -> dict:
    return {
        "statements": sorted(
            respondent.statement_answers.values_list("statement_id", "value", "dont_know")
        ),
        "dimensions": sorted(
            respondent.dimension_answers.values_list("dimension_id", "now", "desired")
        ),
        "balance": sorted(
            respondent.balance_answers.values_list("kind", "market", "hierarchy", "trust")
        ),
    }


def url(assessment, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"code": assessment.join_code, **kwargs})


def balance(now=("30", "30", "40"), desired=("0", "0", "100")) -> dict:
    data = {}
    for kind, points in (("now", now), ("desired", desired)):
        for key, value in zip(answers.STEERING_KEYS, points, strict=True):
            data[answers.balance_field(kind, key)] = value
    return data


@pytest.mark.parametrize("bad", not_plain_digits(40))
def test_it_refuses_points_that_are_not_plain_ascii_digits(
    client, assessment, answered, respondent, bad
):
    response = client.post(url(assessment, "participant_balance"), balance(now=(bad, "30", "30")))
    assert response.status_code == 400
    assert error_next_to(response, "balance_now_market") == (
        "Give a whole number of points from 0 to 100."
    )
    assert stored_answers(respondent) == answered


@pytest.mark.parametrize(
    ("now", "saved"),
    [
        (("34", "33", "33"), (34, 33, 33)),
        (("040", "030", "030"), (40, 30, 30)),  # leading zeros: a person may type them
        (("0100", "00000", "00"), (100, 0, 0)),  # four and five digits, still 100 at most
    ],
)
def test_it_saves_points_in_plain_digits_with_or_without_leading_zeros(
    client, assessment, answered, respondent, now, saved
):
    response = client.post(url(assessment, "participant_balance"), balance(now=now))
    assert response.status_code == 302
    assert (
        respondent.balance_answers.values_list("market", "hierarchy", "trust").get(kind="now")
        == saved
    )


@pytest.mark.parametrize(
    ("now", "where", "message"),
    [
        (("33", "33", "33"), "balance_now", "The points add up to 99."),
        (("35", "33", "33"), "balance_now", "The points add up to 101."),
        (("101", "0", "0"), "balance_now_market", "Give a whole number of points from 0 to 100."),
        (("1000", "0", "0"), "balance_now_market", "Give a whole number of points from 0 to 100."),
        (("10000", "0", "0"), "balance_now_market", "Give a whole number of points from 0 to 100."),
        (("-0", "50", "50"), "balance_now_market", "Give a whole number of points from 0 to 100."),
    ],
)
def test_it_refuses_points_beyond_their_bounds(
    client, assessment, answered, respondent, now, where, message
):
    response = client.post(url(assessment, "participant_balance"), balance(now=now))
    assert response.status_code == 400
    assert error_next_to(response, where).startswith(message)
    assert stored_answers(respondent) == answered


def test_it_refuses_points_sent_twice(client, assessment, answered, respondent):
    data = balance()
    data["balance_now_market"] = ["30", "30"]  # even the same value twice
    response = client.post(url(assessment, "participant_balance"), data)
    assert response.status_code == 400
    assert error_next_to(response, "balance_now_market") == REPEATED
    assert stored_answers(respondent) == answered


def _statement_data(version, first_value, second_value="5") -> dict:
    s1, s2 = version.principles.get().statements.order_by("order")
    return {
        answers.statement_field(s1.pk): first_value,
        answers.statement_field(s2.pk): second_value,
        "nav": "next",
    }


@pytest.mark.parametrize("bad", [*not_plain_digits(4), "04", "0", "6"])
def test_it_refuses_a_statement_score_that_is_not_one_of_the_plain_choices(
    client, assessment, version, answered, respondent, bad
):
    data = _statement_data(version, bad)
    response = client.post(url(assessment, "participant_principle", number=1), data)
    assert response.status_code == 400
    first = next(iter(data))
    assert error_next_to(response, first) == "Choose a value from 1 to 5, or “Don't know”."
    assert stored_answers(respondent) == answered


def test_it_saves_statement_scores_at_both_ends_of_the_scale(
    client, assessment, version, answered, respondent
):
    response = client.post(
        url(assessment, "participant_principle", number=1), _statement_data(version, "1", "5")
    )
    assert response.status_code == 302
    assert sorted(respondent.statement_answers.values_list("value", flat=True)) == [1, 5]


def test_it_refuses_a_statement_score_sent_twice(client, assessment, version, answered, respondent):
    data = _statement_data(version, ["2", "4"])
    response = client.post(url(assessment, "participant_principle", number=1), data)
    assert response.status_code == 400
    assert error_next_to(response, next(iter(data))) == REPEATED
    assert stored_answers(respondent) == answered  # not even the other statement


@pytest.mark.parametrize("bad", [*not_plain_digits(7), "07", "0", "8"])
def test_it_refuses_a_dimension_position_that_is_not_one_of_the_plain_choices(
    client, assessment, version, answered, respondent, bad
):
    name = answers.dimension_field(version.dimensions.get().pk, "now")
    response = client.post(url(assessment, "participant_dimensions"), {name: bad, "nav": "next"})
    assert response.status_code == 400
    assert error_next_to(response, name) == "Choose a value from 1 to 7."
    assert stored_answers(respondent) == answered


def test_it_saves_dimension_positions_at_both_ends_and_refuses_one_sent_twice(
    client, assessment, version, answered, respondent
):
    dimension = version.dimensions.get()
    now, desired = (answers.dimension_field(dimension.pk, side) for side in ("now", "desired"))
    response = client.post(url(assessment, "participant_dimensions"), {now: ["1", "7"]})
    assert response.status_code == 400
    assert error_next_to(response, now) == REPEATED
    assert stored_answers(respondent) == answered
    response = client.post(url(assessment, "participant_dimensions"), {now: "1", desired: "7"})
    assert response.status_code == 302
    assert respondent.dimension_answers.values_list("now", "desired").get() == (1, 7)


# --- the round form -----------------------------------------------------------------------------


@pytest.fixture
def planner(org, client):
    client.force_login(org.quality_developer)
    return client


def round_data(org, version, **changes) -> dict:
    data = {
        "name": "Tillitsskattning HT 2026",
        "framework_version": str(version.pk),
        "opens_on": "2026-09-01",
        "closes_on": "2026-12-15",
        "root": str(org.dep_a.pk),
        "units": [str(org.a1.pk), str(org.a2.pk)],
    }
    data.update(changes)
    return data


def nothing_opened() -> bool:
    return not Round.objects.exists() and not UnitAssessment.objects.exists()


def test_it_refuses_a_unit_id_of_2_to_the_63_in_the_round_form_without_a_server_error(
    org, planner, version
):
    planner.raise_request_exception = False
    response = planner.post(
        reverse("round_create"), round_data(org, version, units=[str(org.a1.pk), str(TOO_BIG)])
    )
    assert response.status_code == 400
    assert "Only units within the chosen part of the organisation can take part." in (
        page_text(response)
    )
    assert nothing_opened()


@pytest.mark.parametrize("field", ["root", "units", "framework_version"])
@pytest.mark.parametrize("bad", [BIGGEST_ID, TOO_BIG, 10**30, 0])
def test_it_refuses_ids_out_of_reach_in_the_round_form(org, planner, version, field, bad):
    planner.raise_request_exception = False
    value = [str(bad)] if field == "units" else str(bad)
    response = planner.post(reverse("round_create"), round_data(org, version, **{field: value}))
    assert response.status_code == 400
    message = {
        "root": "Choose a part of the organisation you are responsible for.",
        "units": "Only units within the chosen part of the organisation can take part.",
        "framework_version": "Select a valid choice.",
    }[field]
    assert message in page_text(response)
    assert nothing_opened()


@pytest.mark.parametrize("field", ["root", "units"])
def test_it_refuses_a_unit_id_that_is_not_written_as_our_pages_write_it(
    org, planner, version, field
):
    for spelling in [*not_plain_digits(org.dep_a.pk), f"0{org.dep_a.pk}"]:
        value = [str(org.a1.pk), spelling] if field == "units" else spelling
        response = planner.post(reverse("round_create"), round_data(org, version, **{field: value}))
        assert response.status_code == 400, spelling
        message = {
            "root": "Choose a part of the organisation you are responsible for.",
            "units": "Only units within the chosen part of the organisation can take part.",
        }[field]
        assert message in page_text(response), spelling
    assert nothing_opened()


@pytest.mark.parametrize("field", ["root", "name", "framework_version", "creation_token"])
def test_it_refuses_a_round_form_field_sent_twice(org, planner, version, field):
    data = round_data(org, version, creation_token="t" * 32)
    data[field] = [data[field], data[field]]
    response = planner.post(reverse("round_create"), data)
    assert response.status_code == 400
    assert REPEATED in page_text(response)
    assert nothing_opened()


# --- the manager's agreements and actions --------------------------------------------------------


@pytest.fixture
def dialogue(org):
    return make_unit_assessment(org, state=AssessmentState.DIALOGUE)


@pytest.fixture
def manager(org, client):
    client.force_login(org.manager_of_a)
    return client


def _agree_balance(manager, dialogue, market, hierarchy="30", trust="30", lock="0"):
    return manager.post(
        reverse("manager_agree_balance", args=[dialogue.pk, "now"]),
        {
            "balance-now-lock_version": lock,
            "balance-now-market": market,
            "balance-now-hierarchy": hierarchy,
            "balance-now-trust": trust,
        },
    )


@pytest.mark.parametrize("bad", not_plain_digits(40))
def test_it_refuses_agreed_points_that_are_not_plain_ascii_digits(manager, dialogue, bad):
    response = _agree_balance(manager, dialogue, bad)
    text = page_text(response)
    error = text[text.index('id="id_balance-now-market_error"') :]
    assert "Write a whole number of points." in error[:200]
    assert not BalanceAgreement.objects.exists()


@pytest.mark.parametrize(("market", "ok"), [("39", False), ("40", True), ("41", False)])
def test_it_agrees_a_balance_of_exactly_100_points(manager, dialogue, market, ok):
    response = _agree_balance(manager, dialogue, market)
    assert BalanceAgreement.objects.exists() == ok
    if not ok:
        total = int(market) + 60
        assert f"The points must add up to 100; now they add up to {total}." in (
            page_text(response)
        )


@pytest.mark.parametrize("bad", ["", "abc", "+0", "-1", "٠", str(TOO_BIG), ["0", "0"]])
def test_it_refuses_an_agreement_with_a_bad_lock_version(manager, dialogue, bad):
    response = _agree_balance(manager, dialogue, "40", lock=bad)
    assert (INCOMPLETE if not isinstance(bad, list) else REPEATED) in page_text(response)
    assert not BalanceAgreement.objects.exists()


@pytest.mark.parametrize("bad", [*not_plain_digits(4), "04"])
def test_it_refuses_an_agreed_score_or_position_that_is_not_one_of_the_plain_choices(
    manager, dialogue, bad
):
    version = dialogue.round.framework_version
    principle, dimension = version.principles.first(), version.dimensions.first()
    response = manager.post(
        reverse("manager_agree_principle", args=[dialogue.pk, principle.pk]),
        {f"principle-{principle.pk}-lock_version": "0", f"principle-{principle.pk}-score": bad},
    )
    assert "Choose a score from 1 to 5." in page_text(response)
    response = manager.post(
        reverse("manager_agree_dimension", args=[dialogue.pk, dimension.pk]),
        {
            f"dimension-{dimension.pk}-lock_version": "0",
            f"dimension-{dimension.pk}-now": bad,
            f"dimension-{dimension.pk}-desired": "4",
        },
    )
    assert "Choose a value from 1 to 7." in page_text(response)
    assert not PrincipleAgreement.objects.exists()
    assert not DimensionAgreement.objects.exists()


@pytest.fixture
def action(dialogue):
    return Action.objects.create(assessment=dialogue, title="Fika ihop", responsible="Maja")


def _action_data(**changes) -> dict:
    return {
        "title": "Ses varje vecka",
        "responsible": "Bo",
        "due_on": "",
        "principle": "",
        "status": "planned",
        **changes,
    }


def _stored_actions() -> list[tuple]:
    return list(Action.objects.order_by("pk").values_list())


@pytest.mark.parametrize(
    "lock_version", [None, "", "abc", "+0", " 0 ", "0.0", "-1", "٠", str(TOO_BIG)]
)
def test_it_says_why_an_action_edit_without_a_valid_lock_version_was_not_saved(
    manager, dialogue, action, lock_version
):
    before = _stored_actions()
    data = _action_data() if lock_version is None else _action_data(lock_version=lock_version)
    response = manager.post(reverse("manager_action_edit", args=[dialogue.pk, action.pk]), data)
    text = page_text(response)
    # Visible, at the top of the form: not only on the hidden field.
    top = re.search(r'<div class="alert alert-danger" role="alert">(.*?)</div>', text, re.S)
    assert top and INCOMPLETE in top.group(1)
    assert 'value="Ses varje vecka"' in text  # what was typed is still there
    assert _stored_actions() == before


def test_it_refuses_an_action_field_sent_twice(manager, dialogue, action):
    before = _stored_actions()
    response = manager.post(
        reverse("manager_action_edit", args=[dialogue.pk, action.pk]),
        _action_data(lock_version="0", title=["Ett", "Två"]),
    )
    assert REPEATED in page_text(response)
    response = manager.post(
        reverse("manager_action_edit", args=[dialogue.pk, action.pk]),
        _action_data(lock_version=["0", "0"]),
    )
    top = re.search(
        r'<div class="alert alert-danger" role="alert">(.*?)</div>', page_text(response), re.S
    )
    assert top and REPEATED in top.group(1)
    assert _stored_actions() == before


def test_it_refuses_an_action_principle_id_out_of_reach(manager, dialogue):
    for bad in (str(TOO_BIG), f"+{Principle.objects.first().pk}"):
        response = manager.post(
            reverse("manager_action_create", args=[dialogue.pk]), _action_data(principle=bad)
        )
        assert response.status_code == 400
        assert "Choose one of this assessment's principles." in page_text(response)
    assert not Action.objects.exists()


# --- the facilitator's fields, saved one at a time -----------------------------------------------


def _save_field(manager, dialogue, **data):
    return manager.post(reverse("manager_save_field", args=[dialogue.pk]), {"base": "", **data})


@pytest.mark.parametrize("bad", [*not_plain_digits(4), "0", "6", " "])
def test_it_refuses_an_agreed_score_that_is_not_plain_digits(manager, dialogue, bad):
    principle = Principle.objects.filter(version=dialogue.round.framework_version).first()
    response = _save_field(
        manager, dialogue, item=f"principle-{principle.pk}", field="score", value=bad
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Choose a value from 1 to 5."
    assert not PrincipleAgreement.objects.exists()


@pytest.mark.parametrize("value", ["1", "5", "05"])
def test_it_saves_an_agreed_score_at_both_ends_of_the_scale(manager, dialogue, value):
    principle = Principle.objects.filter(version=dialogue.round.framework_version).first()
    response = _save_field(
        manager, dialogue, item=f"principle-{principle.pk}", field="score", value=value
    )
    assert response.status_code == 200
    assert PrincipleAgreement.objects.get().score == int(value)


@pytest.mark.parametrize("bad", not_plain_digits(40))
def test_it_refuses_agreed_points_typed_in_the_facilitator_view_that_are_not_plain_digits(
    manager, dialogue, bad
):
    response = _save_field(
        manager,
        dialogue,
        item="balance-now",
        field="points",
        market=bad,
        hierarchy="30",
        trust="30",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Write whole numbers of points."
    assert not BalanceAgreement.objects.exists()


# --- ids in addresses ----------------------------------------------------------------------------


def _int_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _int_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif "<int:" in prefix + str(pattern.pattern):
            yield prefix + str(pattern.pattern)


def test_it_has_routes_with_integers_to_check():
    assert len(list(_int_routes())) > 30  # the walk below reaches the project's routes


@pytest.mark.parametrize("persona_name", ["administrator", "quality_developer", "manager_of_a"])
@pytest.mark.parametrize("state", [AssessmentState.INDIVIDUAL, AssessmentState.DIALOGUE])
def test_it_answers_ids_beyond_the_primary_key_range_in_every_address_without_a_server_error(
    org, client, persona_name, state
):
    """Every <int:…> in the project, one at a time set to 2^63 − 1 or 2^63, the others real."""
    client.raise_request_exception = False
    assessment = make_unit_assessment(org, state=state)
    client.force_login(getattr(org, persona_name))
    real = {
        "pk": assessment.pk,
        "round_pk": assessment.round_id,
        "unit_pk": org.a1.pk,
        "number": 1,
    }
    for route in _int_routes():
        names = re.findall(r"<int:(\w+)>", route)
        for out_of_reach in names:
            for big in (BIGGEST_ID, TOO_BIG):
                path = route
                for name in names:
                    value = big if name == out_of_reach else real.get(name, 1)
                    path = path.replace(f"<int:{name}>", str(value), 1)
                path = re.sub(r"<slug:\w+>", "now", path)
                path = "/" + re.sub(r"<str:\w+>", assessment.join_code, path)
                for method in (client.get, client.post):
                    response = method(path)
                    assert response.status_code < 500, (method.__name__, path)
                    if method is client.get and out_of_reach == "pk":
                        # The first id is the object itself: there is none (or no GET there).
                        assert response.status_code in (403, 404, 405), path

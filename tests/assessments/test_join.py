"""Joining a self-assessment by typing its code or opening its link, and coming back."""

import hashlib

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from assessments import joincodes
from assessments.models import AssessmentState, Respondent, StatementAnswer
from assessments.views.participant import COOKIE_MAX_AGE, COOKIE_SALT, cookie_name
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # the rate limiter's counters live in the (process-wide) LocMem cache
    yield
    cache.clear()


@pytest.fixture
def client():
    # English UI strings, so the assertions hold once the Swedish catalogue exists.
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def unit(db):
    return make_unit("U1", "Enhet Ett")


@pytest.fixture
def version(db):
    return make_version(published=True, principles=2, statements=2, dimensions=2)


@pytest.fixture
def assessment(unit, version):
    round_ = make_round(unit, version)
    return make_assessment(
        round_, unit, join_code=joincodes.generate(), state=AssessmentState.INDIVIDUAL
    )


def link(assessment, code=None) -> str:
    return reverse("join_link", kwargs={"code": code or assessment.join_code})


def start(client, assessment) -> Respondent:
    response = client.post(link(assessment))
    assert response.status_code == 302, response.content
    return Respondent.objects.filter(assessment=assessment).latest("pk")


def text(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------------------


def test_it_draws_codes_of_fifty_random_bits_from_an_unambiguous_alphabet():
    codes = {joincodes.generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert joincodes.BITS >= 40
    for code in codes:
        assert len(code) == 10
        assert not set(code) & set("ILOU")
    # Every symbol turns up: the draw uses the whole alphabet.
    assert set("".join(codes)) == set(joincodes.ALPHABET)


def test_it_shows_codes_in_two_groups_and_reads_them_back_however_typed():
    assert joincodes.display("K7QM2XHP9R") == "K7QM2-XHP9R"
    for typed in ("K7QM2-XHP9R", "k7qm2-xhp9r", " k7qm2 xhp9r ", "K7QM2XHP9R", "k7-qm2-xh p9r"):
        assert joincodes.normalize(typed) == "K7QM2XHP9R"
    # Crockford's readings of letters the alphabet leaves out.
    assert joincodes.normalize("O1234-5678I") == "0123456781"
    assert joincodes.normalize("L0000-00000") == "1000000000"
    for bad in ("", None, "K7QM2", "K7QM2-XHP9R1", "K7QM2-XHP9U", "K7QM2-XHP9!"):
        assert joincodes.normalize(bad) is None


# ---------------------------------------------------------------------------------------
# Typing the code
# ---------------------------------------------------------------------------------------


def test_it_shows_a_labelled_field_for_the_code(client):
    response = client.get(reverse("join"))
    assert response.status_code == 200
    assert 'for="id_code"' in text(response)
    assert "Join a self-assessment" in text(response)


def test_it_leads_a_typed_code_to_its_join_page_whatever_the_case_and_dashes(client, assessment):
    typed = joincodes.display(assessment.join_code).lower().replace("-", " - ")
    response = client.post(reverse("join"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == link(assessment)
    assert not Respondent.objects.exists()


def test_it_explains_a_code_of_the_wrong_shape_without_counting_it_as_a_guess(client, assessment):
    for _ in range(15):
        response = client.post(reverse("join"), {"code": "ABC"})
        assert response.status_code == 400
    assert "A code has ten letters and digits" in text(response)
    assert client.post(reverse("join"), {"code": assessment.join_code}).status_code == 302


def test_it_says_so_when_no_assessment_has_the_code(client, assessment):
    response = client.post(reverse("join"), {"code": "ZZZZZ-ZZZZZ"})
    assert response.status_code == 400
    assert "No self-assessment has this code" in text(response)


# ---------------------------------------------------------------------------------------
# The link, the respondent and the cookie
# ---------------------------------------------------------------------------------------


def test_it_welcomes_without_creating_a_respondent_until_start_is_pressed(client, assessment):
    response = client.get(link(assessment))
    assert response.status_code == 200
    assert "Welcome to the self-assessment" in text(response)
    assert "Enhet Ett" in text(response)
    assert joincodes.display(assessment.join_code) in text(response)
    assert not Respondent.objects.exists()


def test_it_gives_a_new_participant_a_secret_token_in_a_signed_httponly_cookie(client, assessment):
    response = client.post(link(assessment))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "participant_principle", kwargs={"code": assessment.join_code, "number": 1}
    )
    morsel = response.cookies[cookie_name(assessment.join_code)]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == link(assessment)
    assert int(morsel["max-age"]) == COOKIE_MAX_AGE >= 100 * 24 * 3600
    # The cookie is signed; the token in it is long and random, and the database holds only
    # its SHA-256.
    value = _unsigned(assessment, morsel.value)
    code, token = value.split(":", 1)
    assert code == assessment.join_code
    assert len(token) >= 43
    respondent = Respondent.objects.get()
    assert respondent.assessment == assessment
    assert respondent.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in respondent.token_hash


def test_it_resumes_on_the_same_device_without_a_second_respondent(client, assessment):
    respondent = start(client, assessment)
    statements = list(
        assessment.round.framework_version.principles.order_by("order")[0].statements.all()
    )
    for statement in statements:
        StatementAnswer.objects.create(respondent=respondent, statement=statement, value=4)

    response = client.get(link(assessment))
    # The first page is fully answered, so it resumes on the second.
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "participant_principle", kwargs={"code": assessment.join_code, "number": 2}
    )
    assert client.post(link(assessment)).status_code == 302
    assert Respondent.objects.count() == 1


def test_it_gives_each_device_its_own_respondent(assessment):
    first, second = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    one = start(first, assessment)
    two = start(second, assessment)
    assert one != two
    assert one.token_hash != two.token_hash


def test_it_sends_a_differently_written_link_to_the_one_spelling(client, assessment):
    messy = joincodes.display(assessment.join_code).lower()
    response = client.get(link(assessment, messy))
    assert response.status_code == 302
    assert response["Location"] == link(assessment)


def test_it_answers_404_with_a_message_for_a_link_whose_code_does_not_exist(client, assessment):
    response = client.get(link(assessment, "ZZZZZZZZZZ"))
    assert response.status_code == 404
    assert "No self-assessment has this code" in text(response)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (AssessmentState.PREPARING, "has not opened yet"),
        (AssessmentState.DIALOGUE, "The individual part of this self-assessment is closed"),
        (AssessmentState.COMPLETED, "This self-assessment is completed"),
    ],
)
def test_it_lets_no_one_join_outside_the_individual_phase(client, assessment, state, message):
    assessment.state = state
    assessment.completed_at = "2026-10-01T10:00:00+00:00"
    assessment.save()
    response = client.get(link(assessment))
    assert response.status_code == 200
    assert message in text(response)
    response = client.post(link(assessment))
    assert response.status_code == 409
    assert message in text(response)
    assert not Respondent.objects.exists()
    assert cookie_name(assessment.join_code) not in response.cookies


def test_it_refuses_a_returning_participant_once_the_phase_is_closed(client, assessment):
    start(client, assessment)
    assessment.state = AssessmentState.DIALOGUE
    assessment.save()
    page = reverse("participant_principle", kwargs={"code": assessment.join_code, "number": 1})
    response = client.get(page)
    assert "The individual part of this self-assessment is closed" in text(response)
    # What happens next: the meeting, and that no one's own answers are shown there.
    assert "in the meeting, your manager shows the group" in text(response)
    assert 'name="statement_' not in text(response)


# ---------------------------------------------------------------------------------------
# Forged and tampered cookies
# ---------------------------------------------------------------------------------------


def _page(assessment) -> str:
    return reverse("participant_principle", kwargs={"code": assessment.join_code, "number": 1})


def _signed(assessment, value: str, salt: str = COOKIE_SALT) -> str:
    """Sign as the app does (with the server's key), via the public response API."""
    name = cookie_name(assessment.join_code)
    response = HttpResponse()
    response.set_signed_cookie(name, value, salt=salt)
    return response.cookies[name].value


def _unsigned(assessment, signed: str) -> str:
    name = cookie_name(assessment.join_code)
    request = RequestFactory().get("/")
    request.COOKIES[name] = signed
    return request.get_signed_cookie(name, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)


def test_it_refuses_a_forged_cookie_and_never_matches_another_respondent(assessment):
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    start(owner, assessment)
    name = cookie_name(assessment.join_code)
    genuine = owner.cookies[name].value

    forged_values = [
        "made-up",  # not signed at all
        genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),  # signature altered
        genuine.replace(":", ";", 1),  # payload altered
        _signed(assessment, f"{assessment.join_code}:not-the-token"),  # unknown token
        _signed(assessment, f"{assessment.join_code}:x", salt="another.purpose"),  # other salt
    ]
    for value in forged_values:
        intruder = Client(HTTP_ACCEPT_LANGUAGE="en")
        intruder.cookies[name] = value
        response = intruder.get(_page(assessment))
        assert response.status_code == 403, value
        assert "We do not recognise this device" in text(response)
        # On the link it is a newcomer, not the owner resumed.
        assert intruder.get(link(assessment)).status_code == 200
    assert Respondent.objects.count() == 1


def test_it_refuses_a_cookie_carried_over_from_another_assessment(client, assessment, version):
    other_unit = make_unit("U2", "Enhet Två")
    other = make_assessment(
        make_round(other_unit, version, name="Annan"),
        other_unit,
        join_code=joincodes.generate(),
        state=AssessmentState.INDIVIDUAL,
    )
    start(client, other)
    value = client.cookies[cookie_name(other.join_code)].value
    raw = _unsigned(other, value)
    intruder = Client(HTTP_ACCEPT_LANGUAGE="en")
    # The same token, re-signed under this assessment's name, still names the other code.
    intruder.cookies[cookie_name(assessment.join_code)] = _signed(assessment, raw)
    assert intruder.get(_page(assessment)).status_code == 403
    # And with the code swapped, the token belongs to a respondent of another assessment.
    swapped = raw.replace(other.join_code, assessment.join_code)
    intruder.cookies[cookie_name(assessment.join_code)] = _signed(assessment, swapped)
    assert intruder.get(_page(assessment)).status_code == 403


# ---------------------------------------------------------------------------------------
# Rate limiting
# ---------------------------------------------------------------------------------------


def _guess(client, n: int = 1, ip: str = "10.0.0.1"):
    response = None
    for i in range(n):
        response = client.post(reverse("join"), {"code": f"ZZZZZZZZ{i % 10}Z"}, REMOTE_ADDR=ip)
    return response


@pytest.fixture
def limits(settings):
    """Ten wrong codes per address; the network limit out of the way unless a test sets it."""
    settings.JOIN_FAILURES_PER_CLIENT = 10
    settings.JOIN_FAILURES_PER_NETWORK = 1000
    return settings


BLOCKED = "Too many codes that do not exist have been tried from your network"


def test_it_stops_an_address_after_ten_wrong_codes_with_a_clear_429(client, assessment, limits):
    for _ in range(9):
        assert _guess(client).status_code == 400
    response = _guess(client)
    assert response.status_code == 429
    assert BLOCKED in text(response)
    assert "mobile data" in text(response)
    # Now even a right code is refused from that address, typed or linked…
    blocked = client.post(reverse("join"), {"code": assessment.join_code}, REMOTE_ADDR="10.0.0.1")
    assert blocked.status_code == 429
    assert client.get(link(assessment), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert not Respondent.objects.exists()
    # …while another address, even next door, is not affected.
    other = client.post(reverse("join"), {"code": assessment.join_code}, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


def test_it_counts_wrong_codes_in_links_too(client, assessment, limits):
    for i in range(10):
        client.get(link(assessment, f"ZZZZZZZZZ{i}"), REMOTE_ADDR="10.0.0.9")
    assert client.get(link(assessment), REMOTE_ADDR="10.0.0.9").status_code == 429


def test_it_lets_a_device_that_already_joined_go_on_while_its_network_is_blocked(
    client, assessment, limits
):
    client.post(link(assessment), REMOTE_ADDR="10.0.0.1")
    _guess(Client(), 10, ip="10.0.0.1")  # a colleague on the same network mistypes
    response = client.get(_page(assessment), REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    newcomer = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert newcomer.get(link(assessment), REMOTE_ADDR="10.0.0.1").status_code == 429


def test_it_has_no_overall_limit_that_guessing_from_many_networks_could_trip(
    client, assessment, limits
):
    # Five wrong codes from each of 100 networks: what used to lock out everyone.
    for network in range(100):
        _guess(client, 5, ip=f"10.{network}.0.1")
    response = client.post(
        reverse("join"), {"code": assessment.join_code}, REMOTE_ADDR="10.200.0.1"
    )
    assert response.status_code == 302

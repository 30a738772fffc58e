"""Hostile user names at the login: a clear message, no server error, and nothing logged that
the database cannot hold (django-axes keeps user names in a varchar(255)).

SQLite does not enforce varchar lengths, so these tests check what is stored: nothing for
a refused name, at most 255 characters for a name django-axes logs.
"""

import html
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_user
from tillit.accounts import axes_username

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PASSWORD = "pw-test-1234"  # what tests.factories.make_user gives everyone
TOO_LONG = "A user name has at most 150 characters. Check what you typed."
REPEATED = (
    "This field was sent more than once, so it is not clear which value was meant. Nothing "
    "was saved; reload the page and try again."
)


@pytest.fixture(autouse=True)
def _known_limit(settings, client):
    settings.AXES_FAILURE_LIMIT = 5
    client.cookies["django_language"] = "en"


def log_in(client, username, password=PASSWORD, url: str | None = None):
    client.raise_request_exception = False
    return client.post(url or reverse("login"), {"username": username, "password": password}, **EN)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def message_next_to_username(response) -> str:
    """crispy-forms puts a field's message in an element with id `error_1_id_<field>`."""
    match = re.search(
        r'id="error_1_id_username"[^>]*>\s*<strong>([^<]*)<', response.content.decode()
    )
    assert match, "no message next to the user name"
    return html.unescape(match.group(1))


def nothing_logged() -> bool:
    return not (
        AccessAttempt.objects.exists()
        or AccessFailureLog.objects.exists()
        or AccessLog.objects.exists()
    )


@pytest.mark.parametrize("length", [256, 300, 10_000])
def test_it_refuses_a_login_name_longer_than_255_characters_without_a_server_error(client, length):
    response = log_in(client, "x" * length)
    assert response.status_code == 200
    assert message_next_to_username(response) == TOO_LONG
    assert not logged_in(client)
    assert nothing_logged()


def test_it_takes_a_name_of_150_characters_and_refuses_one_of_151(client):
    person = make_user("p" * 150)
    response = log_in(client, "q" * 151)
    assert message_next_to_username(response) == TOO_LONG
    assert nothing_logged()

    wrong = log_in(client, "q" * 150)  # no such account: an ordinary failed login
    assert "Please enter a correct username and password" in wrong.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["q" * 150]

    assert log_in(client, person.username).status_code == 302
    assert logged_in(client)


def test_it_refuses_a_login_name_with_a_nul_character(client):
    make_user("anna")
    response = log_in(client, "anna\x00")
    assert response.status_code == 200
    assert message_next_to_username(response) == "Null characters are not allowed."
    assert not logged_in(client)
    assert nothing_logged()


def test_it_refuses_a_login_name_sent_twice_even_with_the_right_password(client):
    make_user("anna")
    response = client.post(
        reverse("login"), {"username": ["anna", "anna"], "password": PASSWORD}, **EN
    )
    assert response.status_code == 200
    assert message_next_to_username(response) == REPEATED
    assert not logged_in(client)
    assert nothing_logged()


def test_it_logs_a_long_name_at_the_admin_login_cut_to_255_characters(client):
    # The admin's own login form has no length check: django-axes gets the name as it is.
    response = log_in(client, "y" * 300, url=reverse("admin:login"))
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["y" * 255]


def test_it_gives_django_axes_a_name_without_nul_and_at_most_255_characters():
    assert axes_username(None, {"username": "an\x00na"}) == "anna"
    assert axes_username(None, {"username": "z" * 400}) == "z" * 255
    assert axes_username(None, {"password": "********"}) is None
    request = RequestFactory().post("/", {"username": "\x00" + "w" * 300})
    assert axes_username(request) == "w" * 255
    assert axes_username(RequestFactory().post("/", {})) is None


def test_it_still_locks_a_name_out_after_five_failures(client):
    make_user("maja")
    for attempt in range(5):
        response = log_in(client, "maja", f"gissning-{attempt}")
    assert response.status_code == 429
    assert log_in(client, "maja").status_code == 429
    assert not logged_in(client)

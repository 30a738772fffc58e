"""LOCAL_LOGIN: local passwords for everyone (the default), or with `breakglass` only for the
user names in BREAK_GLASS_USERNAMES, on our login page and the admin's alike; one message for
every refusal; people who sign in with the identity provider are not affected."""

import pytest
from django.urls import reverse

from tests.factories import make_unit, make_user
from tests.idp import fixtures
from tests.idp.fixtures import NILS
from tests.idp.flows import oidc_sign_in

pytestmark = pytest.mark.django_db
oidc_idp = fixtures.oidc_idp
use_oidc = fixtures.use_oidc
PASSWORD = "pw-test-1234"  # what tests.factories.make_user gives everyone
REFUSED = "Logging in with a password is open only to the emergency administrator accounts"


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies["django_language"] = "en"
    settings.AXES_FAILURE_LIMIT = 50  # these tests refuse on purpose; no lockouts


@pytest.fixture
def people(db):
    # The start page (where logged_in_as looks) needs a unit to show administrators.
    make_unit("ORG", "Kommunen", kind="organisation")
    return {
        "manager": make_user("manager-maja"),
        "admin": make_user("admin-anna", is_staff=True, is_superuser=True),
        "breakglass": make_user("nodkonto", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def breakglass(settings):
    settings.LOCAL_LOGIN = "breakglass"
    settings.BREAK_GLASS_USERNAMES = ["nodkonto"]


def log_in(client, username: str, password: str = PASSWORD, *, admin: bool = False):
    url = reverse("admin:login") if admin else reverse("login")
    return client.post(url, {"username": username, "password": password})


def logged_in_as(client) -> str | None:
    response = client.get(reverse("home"))
    user = response.wsgi_request.user
    return user.get_username() if user.is_authenticated else None


def test_it_lets_everyone_log_in_with_a_password_by_default(client, people):
    response = log_in(client, "manager-maja")

    assert response.status_code == 302
    assert logged_in_as(client) == "manager-maja"


def test_it_refuses_the_right_password_of_anyone_but_the_break_glass_accounts(
    client, people, breakglass
):
    response = log_in(client, "manager-maja")

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert logged_in_as(client) is None


def test_it_refuses_an_administrator_who_is_not_a_break_glass_account(client, people, breakglass):
    log_in(client, "admin-anna")
    assert logged_in_as(client) is None

    response = log_in(client, "admin-anna", admin=True)

    assert response.status_code == 200  # the admin's login form, again
    assert logged_in_as(client) is None


def test_it_lets_the_break_glass_account_in_on_both_login_pages(client, people, breakglass):
    log_in(client, "nodkonto")
    assert logged_in_as(client) == "nodkonto"
    client.logout()

    log_in(client, "nodkonto", admin=True)
    assert logged_in_as(client) == "nodkonto"


def test_it_gives_the_same_message_whatever_the_name_so_none_is_revealed(
    client, people, breakglass
):
    def message(username: str, password: str) -> str:
        content = log_in(client, username, password).content.decode()
        start = content.index('class="alert alert-danger"')
        return content[start : content.index("</div>", start)]

    wrong_password_of_breakglass = message("nodkonto", "wrong")
    right_password_of_manager = message("manager-maja", PASSWORD)
    unknown = message("no-such-person", "wrong")

    assert REFUSED in wrong_password_of_breakglass
    assert wrong_password_of_breakglass == right_password_of_manager == unknown


def test_it_ends_local_sessions_of_those_who_may_no_longer_use_a_password(client, people, settings):
    log_in(client, "manager-maja")
    assert logged_in_as(client) == "manager-maja"

    settings.LOCAL_LOGIN = "breakglass"
    settings.BREAK_GLASS_USERNAMES = ["nodkonto"]

    assert logged_in_as(client) is None


def test_it_still_signs_people_in_with_the_identity_provider(client, use_oidc, breakglass):
    oidc_sign_in(client, NILS)

    assert logged_in_as(client) == NILS.email


def test_it_folds_the_password_form_away_and_offers_no_password_reset(client, use_oidc, breakglass):
    content = client.get(reverse("login")).content.decode()

    assert "Sign in with Kommunens konto" in content
    details = content[content.index("<details") : content.index("</details>")]
    assert "Emergency access for administrators" in details
    assert 'name="password"' in details
    assert "Forgotten your password?" not in content
    assert "autofocus" not in content  # focus would skip the identity provider's button


def test_it_opens_the_folded_form_to_show_why_a_login_was_refused(client, people, breakglass):
    content = log_in(client, "manager-maja").content.decode()

    assert "<details" in content and " open>" in content[content.index("<details") :][:80]

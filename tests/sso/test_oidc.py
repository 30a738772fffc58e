"""Signing in with OpenID Connect against a real provider running locally (django-oidc-provider
in a second process): PKCE on the authorisation redirect, people matched by the configured
claim, new people created without roles, and refusals that say why and store nothing.
"""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from assessments.models import Role, RoleKind
from tests.factories import give_role, make_unit, make_user
from tests.idp import fixtures
from tests.idp.fixtures import ANNA, NILS, OLLE
from tests.idp.flows import oidc_sign_in

pytestmark = pytest.mark.django_db
oidc_idp = fixtures.oidc_idp
use_oidc = fixtures.use_oidc
User = get_user_model()


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def messages_on(response) -> str:
    """The messages as an English reader sees them, whichever language the thread has left."""
    with translation.override("en"):
        return " ".join(str(m) for m in response.wsgi_request._messages)


def test_it_sends_a_pkce_challenge_with_the_authorisation_redirect(client, use_oidc):
    response = client.get(reverse("oidc_authentication_init"))

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == use_oidc.endpoint("authorize")
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == use_oidc.client_id
    assert query["redirect_uri"] == "http://testserver/konto/oidc/callback/"
    assert query["code_challenge_method"] == "S256"
    # The verifier stays in our session; only its SHA-256 goes to the provider.
    verifier = client.session["oidc_states"][query["state"]]["code_verifier"]
    assert 43 <= len(verifier) <= 128
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert query["code_challenge"] == expected.decode().rstrip("=")
    assert verifier not in response["Location"]
    assert query["nonce"] and query["state"]


def test_it_signs_in_the_person_with_the_same_e_mail_address_whatever_its_case(client, use_oidc):
    anna = make_user("anna.a", email="Anna.Andersson@Kommun.Example")
    give_role(anna, make_unit("A1", "Enhet A1"), RoleKind.MANAGER)

    response = oidc_sign_in(client, ANNA)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == anna
    assert User.objects.count() == 1
    assert list(Role.objects.filter(user=anna).values_list("kind", flat=True)) == ["manager"]


def test_it_creates_someone_new_without_roles_who_sees_only_the_start_page(client, use_oidc):
    response = oidc_sign_in(client, NILS)

    nils = signed_in_user(client)
    assert response["Location"] == reverse("home")
    assert nils.username == "nils.nilsson@kommun.example"
    assert nils.email == "nils.nilsson@kommun.example"
    assert (nils.first_name, nils.last_name) == ("Nils", "Nilsson")
    assert not nils.has_usable_password()
    assert not (nils.is_staff or nils.is_superuser)
    assert not Role.objects.filter(user=nils).exists()
    home = client.get(reverse("home")).content.decode()
    assert "Welcome, Nils" in home
    assert "You have no role on a unit yet" in home
    assert client.get(reverse("round_list")).status_code in (302, 403, 404)


def test_it_signs_in_the_same_person_again_instead_of_creating_another(client, use_oidc):
    oidc_sign_in(client, NILS)
    first = signed_in_user(client)
    client.logout()

    oidc_sign_in(client, NILS)

    assert signed_in_user(client) == first
    assert User.objects.count() == 1


def test_it_matches_by_another_claim_when_configured(client, use_oidc, settings):
    settings.OIDC_MATCH_CLAIM = "preferred_username"
    settings.OIDC_MATCH_FIELD = "username"
    anna = make_user("ANNA", email="anna.private@example.org")
    make_user("anna.andersson@kommun.example")  # would match by e-mail, must not

    oidc_sign_in(client, ANNA)

    assert signed_in_user(client) == anna


def test_it_refuses_when_two_people_have_the_address_and_creates_no_one(client, use_oidc):
    make_user("anna1", email="anna.andersson@kommun.example")
    make_user("anna2", email="ANNA.ANDERSSON@kommun.example")

    response = oidc_sign_in(client, ANNA)

    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert "Several people in Tillit have the identifier" in messages_on(response)
    assert User.objects.count() == 2


def test_it_refuses_an_e_mail_address_the_provider_has_not_verified(client, use_oidc):
    make_user("olle", email=OLLE.email)

    response = oidc_sign_in(client, OLLE)

    assert signed_in_user(client) is None
    assert "has not verified your e-mail address" in messages_on(response)


def test_it_refuses_an_id_token_from_another_issuer(client, use_oidc, settings):
    settings.OIDC_OP_ISSUER = "https://login.elsewhere.example/v2.0"

    response = oidc_sign_in(client, NILS)

    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_it_refuses_an_inactive_account(client, use_oidc):
    make_user("anna", email="anna.andersson@kommun.example", is_active=False)

    response = oidc_sign_in(client, ANNA)

    assert signed_in_user(client) is None
    assert "turned off" in messages_on(response)


def test_it_locks_no_one_out_after_refused_sign_ins_from_one_address(client, use_oidc, settings):
    """django-axes counts password guesses; a refused sign-in has no user name, and counting it
    by address alone would lock out everyone in the same office."""
    settings.AXES_FAILURE_LIMIT = 2
    make_user("anna1", email=ANNA.email)
    make_user("anna2", email=ANNA.email)
    for _ in range(3):
        assert oidc_sign_in(client, ANNA)["Location"] == reverse("login")

    response = oidc_sign_in(client, NILS)

    assert response["Location"] == reverse("home")
    assert signed_in_user(client).email == NILS.email
    assert not AccessAttempt.objects.exists()


def test_it_is_refused_by_the_provider_without_the_right_code_verifier(client, use_oidc):
    """PKCE is in force: with another verifier the provider will not hand out tokens."""

    def replace_verifier(client) -> None:
        session = client.session
        for state in session["oidc_states"].values():
            state["code_verifier"] = "x" * 64
        session.save()

    response = oidc_sign_in(client, ANNA, before_callback=replace_verifier)

    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert "did not succeed" in messages_on(response)
    assert not User.objects.exists()


def test_it_answers_a_callback_with_a_state_it_never_sent_with_400(client, use_oidc):
    client.get(reverse("oidc_authentication_init"))

    response = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"})

    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_it_tells_the_person_who_cancelled_at_the_provider(client, use_oidc):
    client.get(reverse("oidc_authentication_init"))
    state = next(iter(client.session["oidc_states"]))

    response = client.get(
        reverse("oidc_authentication_callback"), {"error": "access_denied", "state": state}
    )

    assert response["Location"] == reverse("login")
    assert "did not succeed" in messages_on(response)


def test_it_offers_the_provider_on_the_login_page_keeping_where_to_go_next(client, use_oidc):
    content = client.get(reverse("login"), {"next": "/rundor/"}).content.decode()

    assert 'href="/konto/oidc/start/?next=%2Frundor%2F"' in content
    assert "Sign in with Kommunens konto" in content
    assert 'name="password"' in content  # local passwords are still open to all


def test_it_offers_no_provider_and_no_sign_in_pages_when_none_is_configured(client):
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404

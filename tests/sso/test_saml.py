"""Signing in with SAML 2 against a real identity provider running locally (pysaml2's
saml2.server.Server in a second process, signing with xmlsec1 and encrypting the assertion
for us): our SP metadata, the signed AuthnRequest by redirect, people matched by the
configured attribute, new people created without roles, and responses that must be refused.
"""

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments.models import Role, RoleKind
from tests.factories import give_role, make_unit, make_user
from tests.idp import fixtures
from tests.idp.fixtures import ANNA, NILS
from tests.idp.flows import saml_sign_in

pytestmark = pytest.mark.django_db
saml_idp = fixtures.saml_idp
use_saml = fixtures.use_saml
User = get_user_model()


@pytest.fixture
def client():
    """A browser as strict as a real one about CSRF: the IdP's post carries no token."""
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["django_language"] = "en"
    return browser


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def messages_on(response) -> str:
    """The messages as an English reader sees them, whichever language the thread has left."""
    with translation.override("en"):
        return " ".join(str(m) for m in response.wsgi_request._messages)


def test_it_serves_its_metadata_with_where_to_answer_and_its_certificate(client, use_saml):
    response = client.get(reverse("saml2_metadata"))

    xml = response.content.decode()
    assert response["Content-Type"].startswith("text/xml")
    assert 'entityID="http://testserver/konto/saml/metadata/"' in xml
    assert re.search(
        r'AssertionConsumerService[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"'
        r'[^>]*Location="http://testserver/konto/saml/acs/"',
        xml,
    )
    with open(use_saml.settings()["SAML_CERT_FILE"]) as file:
        certificate = "".join(line for line in file.read().splitlines() if "-----" not in line)
    assert certificate in xml
    assert 'AuthnRequestsSigned="true"' in xml


def test_it_starts_with_a_signed_request_by_redirect_to_the_configured_idp(client, use_saml):
    response = client.get(
        reverse("saml2_login"), {"next": "/omgangar/", "idp": "https://x.example/"}
    )

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{use_saml.url}/sso/redirect"
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert query["RelayState"] == "/omgangar/"
    assert query["SigAlg"] and query["Signature"] and query["SAMLRequest"]


def test_it_signs_in_the_person_with_the_same_mail_address(client, use_saml):
    anna = make_user("anna.a", email="Anna.Andersson@kommun.example")
    give_role(anna, make_unit("A1", "Enhet A1"), RoleKind.QUALITY_DEVELOPER)

    response = saml_sign_in(client, ANNA)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == anna
    assert User.objects.count() == 1


def test_it_creates_someone_new_without_roles_who_sees_only_the_start_page(client, use_saml):
    response = saml_sign_in(client, NILS)

    nils = signed_in_user(client)
    assert response["Location"] == reverse("home")
    assert (nils.username, nils.email) == ("nils.nilsson@kommun.example",) * 2
    assert (nils.first_name, nils.last_name) == ("Nils", "Nilsson")
    assert not nils.has_usable_password() and not nils.is_staff
    assert not Role.objects.filter(user=nils).exists()
    home = client.get(reverse("home")).content.decode()
    assert "You have no role on a unit yet" in home
    assert "Your units" not in home


def test_it_matches_by_edu_person_principal_name_when_configured(client, use_saml, settings):
    settings.SAML_MATCH_ATTRIBUTE = "eduPersonPrincipalName"
    settings.SAML_MATCH_FIELD = "username"
    anna = make_user("Anna@Kommun.Example", email="anna.private@example.org")
    make_user("other", email="anna.andersson@kommun.example")  # would match by mail

    saml_sign_in(client, ANNA)

    assert signed_in_user(client) == anna


def test_it_refuses_the_same_response_a_second_time(client, use_saml, caplog):
    captured = {}

    def keep(data: dict) -> None:
        captured.update(data)

    saml_sign_in(client, NILS, before_acs=keep)
    client.logout()

    replayed = client.post(reverse("saml2_acs"), captured, HTTP_ACCEPT_LANGUAGE="en")

    assert "no request has been made" in caplog.text  # its request was answered already
    assert replayed["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert "did not succeed" in messages_on(replayed)


def test_it_refuses_a_response_changed_on_the_way(client, use_saml, caplog):
    def tamper(data: dict) -> None:
        # One character of the encrypted assertion, which the IdP's signature covers.
        xml = base64.b64decode(data["SAMLResponse"]).decode()
        start = xml.index("CipherValue>", xml.index("EncryptedData")) + len("CipherValue>")
        changed = "B" if xml[start + 10] != "B" else "C"
        xml = xml[: start + 10] + changed + xml[start + 11 :]
        data["SAMLResponse"] = base64.b64encode(xml.encode()).decode()

    response = saml_sign_in(client, NILS, before_acs=tamper)

    assert "SignatureError" in caplog.text
    assert response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_it_believes_no_identity_provider_but_the_configured_one(client, use_saml, settings):
    def another_idp_is_configured(data: dict) -> None:
        settings.SAML_IDP_ENTITY_ID = "https://idp.another-municipality.example/"

    response = saml_sign_in(client, NILS, before_acs=another_idp_is_configured)

    assert signed_in_user(client) is None
    assert "only from the municipality's own identity provider" in messages_on(response)
    assert not User.objects.exists()


def test_it_locks_no_one_out_after_refused_sign_ins_from_one_address(client, use_saml, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user("anna1", email=ANNA.email)
    make_user("anna2", email=ANNA.email)
    for _ in range(3):
        assert saml_sign_in(client, ANNA)["Location"] == reverse("login")

    saml_sign_in(client, NILS)

    assert signed_in_user(client).email == NILS.email
    assert not AccessAttempt.objects.exists()


def test_it_offers_the_identity_provider_on_the_login_page(client, use_saml):
    content = client.get(reverse("login"), {"next": "/omgangar/"}).content.decode()

    assert 'href="/konto/saml/login/?next=%2Fomgangar%2F"' in content
    assert "Sign in with Skolfederation" in content


def test_it_has_no_saml_pages_when_it_is_not_configured(client):
    assert client.get(reverse("saml2_metadata")).status_code == 404
    assert client.get(reverse("saml2_login")).status_code == 404
    assert client.post(reverse("saml2_acs"), {"SAMLResponse": "x"}).status_code == 404

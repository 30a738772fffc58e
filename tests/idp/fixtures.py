"""pytest fixtures that run the local identity providers for a test module.

Use them by assigning them in the test module (`oidc_idp = fixtures.oidc_idp`).
"""

import pytest

from tests.idp.processes import (
    OIDCProvider,
    Person,
    SAMLIdentityProvider,
    oidc_provider,
    saml_identity_provider,
)

# People the identity providers know. Their e-mail addresses are what Tillit matches by
# default; Tillit knows none of them until a test makes them.
ANNA = Person("anna", "idp-pw-anna", "anna.andersson@kommun.example", "Anna", "Andersson")
NILS = Person("nils", "idp-pw-nils", "nils.nilsson@kommun.example", "Nils", "Nilsson")
# The OIDC provider says it has not verified this one's e-mail address.
OLLE = Person("unverified-olle", "idp-pw-olle", "olle@kommun.example", "Olle", "Olsson")
PEOPLE = [ANNA, NILS, OLLE]
TEST_CLIENT_CALLBACK = "http://testserver/konto/oidc/callback/"


@pytest.fixture(scope="module")
def oidc_idp(tmp_path_factory) -> OIDCProvider:
    """django-oidc-provider in a second process, with Tillit's test client as its client."""
    with oidc_provider(tmp_path_factory.mktemp("oidc"), [TEST_CLIENT_CALLBACK], PEOPLE) as provider:
        yield provider


@pytest.fixture(scope="module")
def oidc_idp_for_browser(tmp_path_factory, live_server) -> OIDCProvider:
    """The same provider, sending browsers back to the live server."""
    with oidc_provider(
        tmp_path_factory.mktemp("oidc"), [f"{live_server.url}/konto/oidc/callback/"], PEOPLE
    ) as provider:
        yield provider


@pytest.fixture
def use_oidc(settings, oidc_idp) -> OIDCProvider:
    """Tillit configured for the test provider, as the environment would configure it."""
    for name, value in oidc_idp.settings().items():
        setattr(settings, name, value)
    settings.OIDC_DISPLAY_NAME = "Kommunens konto"
    return oidc_idp


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory) -> SAMLIdentityProvider:
    """The pysaml2 identity provider in a second process, for Tillit's test client."""
    with saml_identity_provider(
        tmp_path_factory.mktemp("saml"), "http://testserver", PEOPLE
    ) as provider:
        yield provider


@pytest.fixture(scope="module")
def saml_idp_for_browser(tmp_path_factory, live_server) -> SAMLIdentityProvider:
    """The same identity provider, knowing the live server as its service provider."""
    with saml_identity_provider(
        tmp_path_factory.mktemp("saml"), live_server.url, PEOPLE
    ) as provider:
        yield provider


@pytest.fixture
def use_saml(settings, saml_idp) -> SAMLIdentityProvider:
    """Tillit configured for the test identity provider, as the environment would."""
    for name, value in saml_idp.settings().items():
        setattr(settings, name, value)
    settings.SAML_DISPLAY_NAME = "Skolfederation"
    return saml_idp

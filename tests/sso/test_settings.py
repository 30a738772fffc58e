"""The single sign-on settings as the environment gives them, and the ones refused at start."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({name: getattr(s, name) for name in %r}))"
)
OIDC_ENV = {
    "OIDC_RP_CLIENT_ID": "tillit",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example/keys",
}


def run(names: list[str], **env: str) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "TILLIT_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", *OIDC_ENV}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(
        DJANGO_SETTINGS_MODULE="tillit.settings", SECRET_KEY=secrets.token_urlsafe(50), **env
    )
    return subprocess.run(
        [sys.executable, "-c", PRINT % (names,)],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_reads_the_sign_in_settings_from_the_environment():
    names = [
        "LOCAL_LOGIN",
        "BREAK_GLASS_USERNAMES",
        "OIDC_RP_CLIENT_ID",
        "OIDC_USE_PKCE",
        "OIDC_PKCE_CODE_CHALLENGE_METHOD",
        "OIDC_MATCH_CLAIM",
        "SAML_IDP_METADATA_FILE",
        "SAML_MATCH_ATTRIBUTE",
        "SAML_SESSION_COOKIE_SAMESITE",
    ]
    result = run(
        names,
        LOCAL_LOGIN="breakglass",
        BREAK_GLASS_USERNAMES="nodkonto, reserv",
        OIDC_MATCH_CLAIM="preferred_username",
        SAML_IDP_METADATA_FILE="/etc/tillit/idp.xml",
        SAML_MATCH_ATTRIBUTE="eduPersonPrincipalName",
        **OIDC_ENV,
    )

    assert json.loads(result.stdout) == {
        "LOCAL_LOGIN": "breakglass",
        "BREAK_GLASS_USERNAMES": ["nodkonto", "reserv"],
        "OIDC_RP_CLIENT_ID": "tillit",
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_MATCH_CLAIM": "preferred_username",
        "SAML_IDP_METADATA_FILE": "/etc/tillit/idp.xml",
        "SAML_MATCH_ATTRIBUTE": "eduPersonPrincipalName",
        # Production cookies are secure, so the IdP's cross-site post may carry this one.
        "SAML_SESSION_COOKIE_SAMESITE": "None",
    }, result.stderr


def test_it_falls_back_to_a_lax_saml_cookie_without_secure_cookies():
    result = run(["SAML_SESSION_COOKIE_SAMESITE"], SECURE_COOKIES="0")

    assert json.loads(result.stdout) == {"SAML_SESSION_COOKIE_SAMESITE": "Lax"}, result.stderr


def test_it_refuses_to_start_with_an_unknown_local_login_choice():
    result = run(["LOCAL_LOGIN"], LOCAL_LOGIN="sometimes")

    assert result.returncode != 0
    assert "LOCAL_LOGIN must be 'all' or 'breakglass'." in result.stderr


def test_it_refuses_to_start_with_a_client_id_but_no_endpoints():
    result = run(["OIDC_RP_CLIENT_ID"], OIDC_RP_CLIENT_ID="tillit")

    assert result.returncode != 0
    assert (
        "OIDC_RP_CLIENT_ID is set, so also set OIDC_RP_CLIENT_SECRET, "
        "OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT, "
        "OIDC_OP_JWKS_ENDPOINT"
    ) in result.stderr


def test_it_refuses_to_start_with_a_saml_key_but_no_certificate():
    result = run(["SAML_KEY_FILE"], SAML_KEY_FILE="/etc/tillit/sp.key")

    assert result.returncode != 0
    assert "Set both SAML_KEY_FILE and SAML_CERT_FILE, or neither." in result.stderr

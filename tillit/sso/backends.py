"""Authentication backends: local passwords (possibly break-glass only), OIDC and SAML."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from djangosaml2.backends import Saml2Backend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from tillit.sso import conf
from tillit.sso.users import Identity, SignInRefused, user_for_identity

# The OIDC settings mozilla-django-oidc reads into the backend when it is made.
OIDC_BACKEND_SETTINGS = (
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_RP_SIGN_ALGO",
    "OIDC_RP_IDP_SIGN_KEY",
)

UNVERIFIED_EMAIL = _(
    "The identity provider has not verified your e-mail address, which Tillit matches people "
    "by. Ask your administrator."
)
OTHER_IDP = _(
    "Tillit accepts sign-ins only from the municipality's own identity provider. Choose it "
    "and try again."
)


def refuse(request: HttpRequest | None, refusal: SignInRefused) -> None:
    """Keep why a sign-in was refused, for the view to tell the person."""
    if request is not None:
        request.sso_refusal = refusal.message


def axes_ignores(request: HttpRequest | None, credentials: dict | None = None) -> bool:
    """AXES_WHITELIST_CALLABLE: a sign-in through an identity provider is no password guess.

    It carries no user name, so django-axes would count each refused one against the client
    address alone and, after a few, lock everyone behind that address (a whole office) out of
    signing in. Throttling guesses is the identity provider's business.
    """
    if not credentials or credentials.get("username") is not None:
        return False
    return "code_verifier" in credentials or "session_info" in credentials


class LocalPasswordBackend(ModelBackend):
    """Django's password check, for everyone or only for the break-glass administrators.

    Refusing in `user_can_authenticate` covers every password form (ours and the admin's)
    and also ends local sessions of people who may no longer use a password.
    """

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and conf.local_login_allowed(user.get_username())


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, matching people by OIDC_MATCH_CLAIM."""

    def __init__(self, *args, **kwargs) -> None:
        # The base class reads its settings here and refuses missing ones; read them when
        # signing in instead, so the backend costs nothing while OIDC is not configured.
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs):
        # Only the callback view passes the code verifier (None without PKCE): a password
        # form posted to a URL with ?code=…&state=… must not reach the token endpoint.
        if request is None or "code_verifier" not in kwargs or not conf.oidc_enabled():
            return None
        for name in OIDC_BACKEND_SETTINGS:
            setattr(self, name, getattr(settings, name, None))
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs) -> dict:
        """Also check that the token was issued to us, and by our provider if its issuer is set.

        mozilla-django-oidc checks the signature and the nonce only.
        """
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud", [])
        if isinstance(audience, str):
            audience = [audience]
        if self.OIDC_RP_CLIENT_ID not in audience:
            raise SuspiciousOperation("The ID token was issued to another client.")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict):
        claims = self.get_userinfo(access_token, id_token, payload)
        claim = settings.OIDC_MATCH_CLAIM
        try:
            if claim == "email" and claims.get("email_verified") is False:
                raise SignInRefused(UNVERIFIED_EMAIL)
            return user_for_identity(
                Identity(
                    value=str(claims.get(claim) or ""),
                    field=settings.OIDC_MATCH_FIELD,
                    email=str(claims.get("email") or ""),
                    first_name=str(claims.get("given_name") or ""),
                    last_name=str(claims.get("family_name") or ""),
                )
            )
        except SignInRefused as refusal:
            refuse(self.request, refusal)
            return None


def _first(attributes: dict, name: str) -> str:
    """The first value of a SAML attribute, found by its name in any case."""
    values = attributes.get(name)
    if values is None:
        values = next((v for k, v in attributes.items() if k.lower() == name.lower()), None)
    if isinstance(values, list | tuple):
        values = values[0] if values else None
    return str(values or "")


class SAMLBackend(Saml2Backend):
    """djangosaml2's backend, matching people by SAML_MATCH_ATTRIBUTE from our IdP only."""

    def authenticate(
        self,
        request: HttpRequest | None,
        session_info: dict | None = None,
        attribute_mapping: dict | None = None,
        create_unknown_user: bool = True,
        assertion_info: dict | None = None,
        **kwargs,
    ):
        if session_info is None or not conf.saml_enabled():
            return None
        try:
            # Federation metadata lists every member's IdP: only ours may vouch for people.
            expected = settings.SAML_IDP_ENTITY_ID
            if expected and session_info.get("issuer") != expected:
                raise SignInRefused(OTHER_IDP)
            attributes = session_info.get("ava") or {}
            return user_for_identity(
                Identity(
                    value=_first(attributes, settings.SAML_MATCH_ATTRIBUTE),
                    field=settings.SAML_MATCH_FIELD,
                    email=_first(attributes, "mail"),
                    first_name=_first(attributes, "givenName"),
                    last_name=_first(attributes, "sn"),
                )
            )
        except SignInRefused as refusal:
            refuse(request, refusal)
            return None

"""Which ways of signing in are open, read from the settings at each request.

Read at each request rather than once, so that a test (or a changed environment after a
restart) sees exactly what the settings say now.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def saml_enabled() -> bool:
    return bool(
        getattr(settings, "SAML_IDP_METADATA_FILE", "")
        or getattr(settings, "SAML_IDP_METADATA_URL", "")
    )


def local_login_for_everyone() -> bool:
    return getattr(settings, "LOCAL_LOGIN", "all") == "all"


def local_login_allowed(username: str) -> bool:
    """Whether this user name may log in with a local password (LOCAL_LOGIN)."""
    if local_login_for_everyone():
        return True
    return username in getattr(settings, "BREAK_GLASS_USERNAMES", [])


@dataclass(frozen=True)
class Provider:
    """A sign-in button: the provider's name and where the sign-in starts."""

    name: str
    url: str


def providers(next_url: str = "") -> list[Provider]:
    """The identity providers configured, each with a link that starts signing in (GET)."""
    query = {"next": next_url} if next_url else {}
    found = []
    if oidc_enabled():
        found.append(
            Provider(
                name=settings.OIDC_DISPLAY_NAME,
                url=_with_query(reverse("oidc_authentication_init"), query),
            )
        )
    if saml_enabled():
        found.append(
            Provider(
                name=settings.SAML_DISPLAY_NAME,
                url=_with_query(reverse("saml2_login"), query),
            )
        )
    return found


def _with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query)}" if query else url

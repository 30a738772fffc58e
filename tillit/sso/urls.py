"""Sign-in routes for the identity providers (under /konto/).

The providers' views are imported on their first request, not when the URLconf loads (see
`tillit.sso.views`).
"""

from collections.abc import Callable
from functools import cache
from importlib import import_module

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tillit.sso import conf


def lazy_view(module: str, name: str, *, csrf_exempt: bool = False) -> Callable[..., HttpResponse]:
    """A view that imports `module` and builds `name.as_view()` when it is first called."""

    @cache
    def real() -> Callable[..., HttpResponse]:
        return getattr(import_module(module), name).as_view()

    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return real()(request, *args, **kwargs)

    # The CSRF middleware reads this from the resolved view, before the real one is imported.
    view.csrf_exempt = csrf_exempt
    view.load = real  # so a server can import it ahead of the first request
    view.module = module
    return view


OIDC = "tillit.sso.oidc_views"
SAML = "tillit.sso.saml_views"

urlpatterns = [
    path("oidc/start/", lazy_view(OIDC, "OIDCStartView"), name="oidc_authentication_init"),
    path(
        "oidc/callback/",
        lazy_view(OIDC, "OIDCCallbackView"),
        name="oidc_authentication_callback",
    ),
    path("saml/login/", lazy_view(SAML, "SAMLLoginView"), name="saml2_login"),
    # The IdP posts its signed response from its own site: no CSRF token, the signature guards.
    path(
        "saml/acs/",
        lazy_view(SAML, "SAMLAssertionConsumerView", csrf_exempt=True),
        name="saml2_acs",
    ),
    path("saml/metadata/", lazy_view(SAML, "SAMLMetadataView"), name="saml2_metadata"),
]


def load_provider_views() -> None:
    """Import the views of the configured providers now (a web worker starting), not later."""
    enabled = {OIDC: conf.oidc_enabled(), SAML: conf.saml_enabled()}
    for pattern in urlpatterns:
        if enabled[pattern.callback.module]:
            pattern.callback.load()

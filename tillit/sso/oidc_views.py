"""The OpenID Connect ends: start (redirect to the provider) and callback."""

import logging

import requests
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from mozilla_django_oidc import views as oidc_views

from tillit.sso import conf
from tillit.sso.views import PROVIDER_UNREACHABLE, failed, only_when

logger = logging.getLogger("tillit.sso.views")


@method_decorator(only_when(conf.oidc_enabled), name="dispatch")
class OIDCStartView(oidc_views.OIDCAuthenticationRequestView):
    """Redirects to the provider with state, nonce and a PKCE code challenge (GET)."""


@method_decorator(only_when(conf.oidc_enabled), name="dispatch")
class OIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code, which is exchanged for tokens."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except requests.HTTPError:
            # The provider answered, and refused (a used or tampered code, a wrong verifier).
            logger.warning("The OpenID Connect provider refused the sign-in.", exc_info=True)
            return failed(request)
        except requests.RequestException:
            logger.exception("The OpenID Connect provider could not be reached.")
            return failed(request, PROVIDER_UNREACHABLE)

    def login_failure(self) -> HttpResponse:
        return failed(self.request)

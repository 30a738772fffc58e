"""Sign-in pages: the login page with the identity providers, and the OIDC and SAML ends."""

import logging
from functools import wraps

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from djangosaml2 import views as saml_views
from mozilla_django_oidc import views as oidc_views

from tillit.accounts import LoginForm
from tillit.sso import conf

logger = logging.getLogger(__name__)

SIGN_IN_FAILED = _(
    "Signing in with the identity provider did not succeed, so you are not logged in. Try "
    "again; if it keeps failing, ask your administrator."
)
PROVIDER_UNREACHABLE = _(
    "Tillit could not reach the identity provider, so you are not logged in. Try again in a while."
)


class BreakGlassLoginForm(LoginForm):
    """The login form; when only break-glass administrators may use a password, it says so.

    One message for every refusal, whatever the user name, so the form does not tell which
    names are break-glass accounts.
    """

    def get_invalid_login_error(self) -> ValidationError:
        if conf.local_login_for_everyone():
            return super().get_invalid_login_error()
        return ValidationError(
            _(
                "Logging in with a password is open only to the emergency administrator "
                "accounts, and then only with the right user name and password. Everyone else "
                "signs in with the identity provider above."
            ),
            code="invalid_login",
        )


class SignInView(LoginView):
    form_class = BreakGlassLoginForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if conf.providers():
            # Focus would skip the identity provider's button, which most people want.
            form.fields["username"].widget.attrs.pop("autofocus", None)
        return form

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["providers"] = conf.providers(self.get_redirect_url())
        context["local_login_for_everyone"] = conf.local_login_for_everyone()
        return context


def _failed(request: HttpRequest, message: str = "") -> HttpResponse:
    """Back to the login page, saying why signing in failed."""
    messages.error(request, getattr(request, "sso_refusal", None) or message or SIGN_IN_FAILED)
    return HttpResponseRedirect(reverse("login"))


def _only_when(enabled):
    """A view that is not found unless its identity provider is configured."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not enabled():
                raise Http404("This identity provider is not configured.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@method_decorator(_only_when(conf.oidc_enabled), name="dispatch")
class OIDCStartView(oidc_views.OIDCAuthenticationRequestView):
    """Redirects to the provider with state, nonce and a PKCE code challenge (GET)."""


@method_decorator(_only_when(conf.oidc_enabled), name="dispatch")
class OIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code, which is exchanged for tokens."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except requests.HTTPError:
            # The provider answered, and refused (a used or tampered code, a wrong verifier).
            logger.warning("The OpenID Connect provider refused the sign-in.", exc_info=True)
            return _failed(request)
        except requests.RequestException:
            logger.exception("The OpenID Connect provider could not be reached.")
            return _failed(request, PROVIDER_UNREACHABLE)

    def login_failure(self) -> HttpResponse:
        return _failed(self.request)


@method_decorator(_only_when(conf.saml_enabled), name="dispatch")
class SAMLLoginView(saml_views.LoginView):
    """Redirects to the IdP with an AuthnRequest (HTTP-Redirect binding, so no form posts)."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if settings.SAML_IDP_ENTITY_ID:
            # Always our IdP, whatever the link says (federation metadata lists many).
            request.GET = request.GET.copy()
            request.GET["idp"] = settings.SAML_IDP_ENTITY_ID
        return super().get(request, *args, **kwargs)


@method_decorator(_only_when(conf.saml_enabled), name="dispatch")
class SAMLAssertionConsumerView(saml_views.AssertionConsumerServiceView):
    """The IdP posts its signed response here (cross-site, so no CSRF token: it is signed)."""

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        return _failed(request)


@method_decorator(_only_when(conf.saml_enabled), name="dispatch")
class SAMLMetadataView(saml_views.MetadataView):
    """Our SP metadata, for the IdP or the federation operator."""


login = SignInView.as_view()

"""The login page with the identity providers, and what the OIDC and SAML ends share.

The providers' own views are in `oidc_views` and `saml_views`, imported on their first
request: pysaml2 alone takes about a second to import, which every `manage.py` call would
otherwise pay when it loads the URLconf.
"""

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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


def failed(request: HttpRequest, message: str = "") -> HttpResponse:
    """Back to the login page, saying why signing in failed."""
    messages.error(request, getattr(request, "sso_refusal", None) or message or SIGN_IN_FAILED)
    return HttpResponseRedirect(reverse("login"))


def only_when(enabled):
    """A view that is not found unless its identity provider is configured."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not enabled():
                raise Http404("This identity provider is not configured.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


login = SignInView.as_view()

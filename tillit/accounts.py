"""Account pages that differ from Django's defaults."""

from collections.abc import Iterator

from axes.conf import settings as axes_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.views import LoginView, PasswordResetView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from assessments import ratelimit
from tillit import clientip
from tillit.fields import SingleValueFormMixin

# django-axes logs failed logins with the user name in a varchar(255).
AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The user name django-axes logs and locks out by (``AXES_USERNAME_CALLABLE``).

    As django-axes 8 reads it (the credentials, else the posted form), but without NUL
    characters and cut to the column's 255 characters: a longer name, or a NUL, must not
    turn a failed login into a server error on PostgreSQL. The login form refuses names
    over 150 characters before this is reached; the admin's login form does not.
    """
    field = axes_settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    elif request is not None:
        username = getattr(request, "data", request.POST).get(field)
    else:
        username = None
    if username is None:
        return None
    return str(username).replace("\x00", "")[:AXES_USERNAME_MAX_LENGTH]


class LoginForm(SingleValueFormMixin, AuthenticationForm):
    """Django's login form, refusing a user name no account can have before anyone looks it up.

    Django sets the field's max_length for the browser only; a longer name would still be
    looked up and logged as a failed attempt.
    """

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        limit = self.username_field.max_length
        if limit and len(username) > limit:
            raise ValidationError(
                _("A user name has at most %(limit)d characters. Check what you typed."),
                code="max_length",
                params={"limit": limit},
            )
        return username


class FirstPasswordResetForm(PasswordResetForm):
    """Also mails people who have never had a password.

    People created by the role import have an unusable password; Django's form skips them,
    which would leave them no way in. Inactive accounts are still skipped.
    """

    def get_users(self, email: str) -> Iterator:
        email_field = get_user_model().get_email_field_name()
        users = get_user_model()._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        return (u for u in users if getattr(u, email_field, "").lower() == email.lower())


# Each reset request sends a mail to whoever owns the address: without a limit, anyone could
# flood a colleague's inbox, or our mail server's reputation, from the anonymous form.
RESETS_PER_CLIENT = ratelimit.Limit("password-reset-client", 5, 3600)
RESETS_PER_ADDRESS = ratelimit.Limit("password-reset-address", 3, 3600)


class ThrottledPasswordResetView(PasswordResetView):
    form_class = FirstPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        limits = [
            (RESETS_PER_CLIENT, clientip.client_ip(self.request) or "unknown"),
            (RESETS_PER_ADDRESS, form.cleaned_data["email"].lower()),
        ]
        if any(ratelimit.is_blocked(limit, identity) for limit, identity in limits):
            form.add_error(
                None,
                _(
                    "Too many password reset mails have been asked for from here or for this "
                    "address in the last hour. Nothing was sent; try again in an hour."
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        for limit, identity in limits:
            ratelimit.record(limit, identity)
        return super().form_valid(form)


login = LoginView.as_view(form_class=LoginForm)
password_reset = ThrottledPasswordResetView.as_view()

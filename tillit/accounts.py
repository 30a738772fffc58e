"""Account pages that differ from Django's defaults."""

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView


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


password_reset = PasswordResetView.as_view(form_class=FirstPasswordResetForm)

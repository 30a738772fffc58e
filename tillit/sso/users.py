"""Finding, or creating, the person an identity provider vouches for."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

# The user fields a claim or attribute may be compared with.
MATCH_FIELDS = ("email", "username")


class SignInRefused(Exception):
    """The identity provider vouched for someone Tillit cannot let in; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Identity:
    """What an identity provider told us about the person signing in.

    `value` is the configured claim or attribute, compared with the user field `field`
    (e-mail address or user name) without regard to case.
    """

    value: str
    field: str = "email"
    email: str = ""
    first_name: str = ""
    last_name: str = ""


def _field_length(name: str) -> int:
    return get_user_model()._meta.get_field(name).max_length


def _clean_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value if len(value) <= _field_length("email") else ""


def _check(identity: Identity) -> str:
    if identity.field not in MATCH_FIELDS:
        raise ValueError(f"cannot match people by {identity.field!r}")
    value = identity.value.strip()
    if not value:
        raise SignInRefused(
            _(
                "The identity provider did not say who you are (the attribute Tillit matches "
                "people by was missing). Ask your administrator."
            )
        )
    if "\x00" in value or len(value) > _field_length("username"):
        raise SignInRefused(
            _("The identity provider gave an identifier Tillit cannot use. Ask your administrator.")
        )
    if identity.field == "email" and not _clean_email(value):
        raise SignInRefused(
            _(
                "The identity provider did not give a valid e-mail address, which Tillit "
                "matches people by. Ask your administrator."
            )
        )
    return value


@transaction.atomic
def user_for_identity(identity: Identity) -> AbstractBaseUser:
    """The one person whose e-mail address or user name is the identity's value, or a new one.

    A new person gets the value as user name (as the role import does), no password and no
    role: until an administrator or the role import gives them one they see only the start
    page. Several matching people, or an inactive account, refuse the sign-in rather than
    guess.
    """
    value = _check(identity)
    user_model = get_user_model()
    lookup = {f"{identity.field}__iexact": value}
    matches = list(user_model._default_manager.filter(**lookup)[:2])
    if len(matches) > 1:
        raise SignInRefused(
            _(
                "Several people in Tillit have the identifier %(value)s, so Tillit cannot tell "
                "which one you are. Ask your administrator to remove the duplicate."
            )
            % {"value": value}
        )
    if matches:
        user = matches[0]
        if not user.is_active:
            raise SignInRefused(_("Your account in Tillit is turned off. Ask your administrator."))
        return user
    if user_model._default_manager.filter(username__iexact=value).exists():
        raise SignInRefused(
            _(
                "Tillit cannot create an account for %(value)s: another person already has "
                "that user name. Ask your administrator."
            )
            % {"value": value}
        )
    email = value if identity.field == "email" else _clean_email(identity.email.strip())
    user = user_model(
        username=value,
        email=email,
        first_name=identity.first_name.strip()[: _field_length("first_name")],
        last_name=identity.last_name.strip()[: _field_length("last_name")],
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # The same person signed in twice at once and the other request created them.
        return user_model._default_manager.get(**lookup)
    return user

"""Finding or creating the person an identity provider vouches for (tillit.sso.users), at
the boundaries: case, length, duplicates, inactive accounts and taken user names."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from assessments.models import Role
from tests.factories import make_user
from tillit.sso.users import Identity, SignInRefused, user_for_identity

pytestmark = pytest.mark.django_db
User = get_user_model()


def refusal(identity: Identity) -> str:
    with pytest.raises(SignInRefused) as caught, translation.override("en"):
        user_for_identity(identity)
    return str(caught.value.message)


def test_it_finds_the_person_by_e_mail_whatever_its_case():
    anna = make_user("anna", email="Anna@Kommun.Example")

    assert user_for_identity(Identity("anna@kommun.example")) == anna
    assert user_for_identity(Identity("ANNA@KOMMUN.EXAMPLE")) == anna
    assert User.objects.count() == 1


def test_it_finds_the_person_by_user_name_when_told_to():
    anna = make_user("anna.a", email="other@example.org")
    make_user("someone", email="anna.a@example.org")

    assert user_for_identity(Identity("Anna.A", field="username")) == anna


def test_it_creates_a_new_person_with_no_password_and_no_role():
    user = user_for_identity(
        Identity("nils@kommun.example", first_name=" Nils ", last_name="Nilsson")
    )

    user.refresh_from_db()
    assert (user.username, user.email) == ("nils@kommun.example", "nils@kommun.example")
    assert (user.first_name, user.last_name) == ("Nils", "Nilsson")
    assert not user.has_usable_password()
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert not Role.objects.filter(user=user).exists()
    assert not user.groups.exists() and not user.user_permissions.exists()


def test_it_takes_the_e_mail_address_from_its_own_claim_when_matching_by_user_name():
    user = user_for_identity(Identity("nils", field="username", email="nils@kommun.example"))
    assert (user.username, user.email) == ("nils", "nils@kommun.example")

    other = user_for_identity(Identity("olle", field="username", email="not an address"))
    assert other.email == ""


def test_it_accepts_an_identifier_of_150_characters_and_refuses_151():
    local = "a" * (150 - len("@kommun.example"))
    assert user_for_identity(Identity(f"{local}@kommun.example")).username == (
        f"{local}@kommun.example"
    )

    message = refusal(Identity(f"{local}a@kommun.example"))

    assert "cannot use" in message
    assert User.objects.count() == 1


@pytest.mark.parametrize("value", ["", "   ", "not-an-address", "a\x00@kommun.example"])
def test_it_refuses_a_missing_or_unusable_e_mail_address_and_creates_no_one(value):
    refusal(Identity(value))

    assert not User.objects.exists()


def test_it_refuses_when_several_people_match():
    make_user("a1", email="anna@kommun.example")
    make_user("a2", email="ANNA@kommun.example")

    assert "Several people" in refusal(Identity("anna@kommun.example"))
    assert User.objects.count() == 2


def test_it_refuses_an_inactive_account():
    make_user("anna", email="anna@kommun.example", is_active=False)

    assert "turned off" in refusal(Identity("anna@kommun.example"))


def test_it_creates_no_one_whose_user_name_another_person_has():
    make_user("anna@kommun.example", email="anna.private@example.org")

    assert "already has that user name" in refusal(Identity("anna@kommun.example"))
    assert User.objects.count() == 1

import pytest

from assessments.models import RoleKind
from tests.factories import give_role, make_user


@pytest.fixture
def owners(org):
    """Förvaltning management of A (steering owner of Förvaltning A) and of B."""
    org.steering_owner = make_user("ledning-a", first_name="Lea")
    org.steering_owner_elsewhere = make_user("ledning-b", first_name="Leo")
    give_role(org.steering_owner, org.dep_a, RoleKind.STEERING_OWNER)
    give_role(org.steering_owner_elsewhere, org.dep_b, RoleKind.STEERING_OWNER)
    return org


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English (the msgids); Swedish is checked in the browser test."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield

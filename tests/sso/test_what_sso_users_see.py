"""What a person may see does not depend on how they signed in: someone created at their first
sign-in (no role) gets, on every view of the permission matrix, exactly the answer the
outsider persona (logged in, no role) gets, and none of the planted markers."""

import pytest
from django.urls import reverse

from tests.assessments.matrix import LOGIN
from tests.assessments.test_permission_matrix import CASES, MARKERS, _plant, _text_of
from tillit.sso.users import Identity, user_for_identity

pytestmark = pytest.mark.django_db
BACKENDS = ["tillit.sso.backends.OIDCBackend", "tillit.sso.backends.SAMLBackend"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_it_answers_someone_created_at_sign_in_as_it_answers_the_outsider(case, org, client):
    _plant(org)
    data = case.setup(org) if case.setup else None
    newcomer = user_for_identity(Identity("ny.person@kommun.example", first_name="Ny"))
    # Logged in as the identity provider backends log people in (alternating the two).
    client.force_login(newcomer, backend=BACKENDS[CASES.index(case) % len(BACKENDS)])

    payload = case.data(org, data) if case.data else {}
    response = getattr(client, case.method)(case.url(org, data), payload)

    expected = case.expect["outsider"]
    if expected == LOGIN:
        assert response.status_code == 302, f"{case.id}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, f"{case.id}: {response.status_code}"
    text = _text_of(response)
    for marker, allowed in MARKERS.items():
        if "outsider" not in allowed:
            assert marker not in text, f"{case.id} shows {marker} to a newcomer"

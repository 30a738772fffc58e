import importlib
import pkgutil

import pytest
from django.urls import reverse

from tests.assessments import matrix
from tests.assessments.matrix import LOGIN, PERSONAS

pytestmark = pytest.mark.django_db


def _all_cases():
    for module_info in pkgutil.iter_modules(matrix.__path__):
        if module_info.name.startswith("cases_"):
            module = importlib.import_module(f"{matrix.__name__}.{module_info.name}")
            yield from module.CASES


CASES = list(_all_cases())


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_it_answers_each_persona_as_expected(case, persona_name, org, persona):
    data = case.setup(org) if case.setup else None
    client = persona(persona_name)
    url = case.url(org, data)
    payload = case.data(org, data) if case.data else {}
    response = getattr(client, case.method)(url, payload)
    expected = case.expect[persona_name]
    if expected == LOGIN:
        assert response.status_code == 302, f"{case.id}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, (
            f"{case.id} as {persona_name}: {response.status_code}, expected {expected}"
        )


def test_it_covers_at_least_one_view():
    assert CASES

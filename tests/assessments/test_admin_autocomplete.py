"""A posted autocomplete value that cannot be a key gets the form back with an error, not a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["abc", "40.0", "9223372036854775808", "-1", " "])
def test_it_answers_a_role_with_an_impossible_person_or_unit_with_the_form(org, value):
    client = Client()
    client.force_login(org.administrator)
    roles = Role.objects.count()
    for field in ("user", "unit"):
        data = {"user": str(org.manager_of_a.pk), "unit": str(org.a1.pk), "kind": "manager"}
        data[field] = value
        with translation.override("en"):
            response = client.post(reverse("admin:assessments_role_add"), data)
        assert response.status_code == 200, (field, value)
        assert "errornote" in response.content.decode()
    assert Role.objects.count() == roles


def test_it_still_shows_the_chosen_person_when_another_field_is_wrong(org):
    client = Client()
    client.force_login(org.administrator)
    data = {"user": str(org.manager_of_a.pk), "unit": "abc", "kind": "manager"}
    response = client.post(reverse("admin:assessments_role_add"), data)
    html = response.content.decode()
    assert f'<option value="{org.manager_of_a.pk}" selected>' in html

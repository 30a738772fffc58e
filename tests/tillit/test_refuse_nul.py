"""A NUL character in an address is refused with a page that says why, never a server error."""

import pytest
from django.test import Client
from django.utils import translation

from assessments.models import Unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/assessments/unit/?q=a%00b",
        "/admin/assessments/unit/?kind=%00",
        "/admin/assessments/unit/?a%00=1",
        "/admin/autocomplete/?app_label=assessments&model_name=role&field_name=unit&term=%00",
    ],
)
def test_it_refuses_a_nul_in_an_admin_list_filter_or_autocomplete_term(org, url):
    client = Client()
    client.force_login(org.administrator)
    client.cookies["django_language"] = "en"
    units = Unit.objects.count()
    response = client.get(url)
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()
    assert Unit.objects.count() == units


def test_it_answers_the_same_search_without_the_nul(org):
    client = Client()
    client.force_login(org.administrator)
    response = client.get("/admin/assessments/unit/?q=Enhet")
    assert response.status_code == 200
    assert "Enhet A1" in response.content.decode()


def test_it_says_why_in_swedish_by_default(client):
    with translation.override("sv"):
        response = client.get("/ramverk/?x=%00")
    assert response.status_code == 400
    assert "tecken" in response.content.decode()

"""Pages that show answers, comments, agreements or figures are never kept in a cache."""

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import AssessmentState
from tests.factories_reports import get_rendered, make_report_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialogue(org):
    return make_report_scenario(org, state=AssessmentState.DIALOGUE, neighbours=1).assessment


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_it_forbids_caching_the_dialogue_completion_and_assessment_pages(org, dialogue):
    client = Client()
    client.force_login(org.manager_of_a)
    for name in ("manager_dialogue", "manager_complete", "manager_assessment", "unit_report"):
        response = client.get(reverse(name, args=[dialogue.pk]), follow=True)
        assert response.status_code == 200, name
        assert _no_store(response), name
        assert "private" in response["Cache-Control"], name


def test_it_forbids_caching_the_report_pdf_and_the_comparison_exports(org):
    scenario = make_report_scenario(org, neighbours=1)
    client = Client()
    client.force_login(org.quality_developer)
    pdf = get_rendered(client, reverse("unit_report_pdf", args=[scenario.assessment.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert _no_store(pdf)
    csv = client.get(reverse("compare_csv", args=[scenario.round_now.pk, org.dep_a.pk]))
    assert csv.status_code == 200
    assert _no_store(csv)


def test_it_forbids_caching_the_participant_pages(org, dialogue):
    dialogue.state = AssessmentState.INDIVIDUAL
    dialogue.save(update_fields=["state"])
    client = Client()
    page = client.get(reverse("join_link", args=[dialogue.join_code]))
    assert page.status_code == 200
    assert _no_store(page)


def test_it_leaves_static_files_cacheable(client):
    response = client.get("/static/css/tillit.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")

"""The meeting's own posts (facilitator page, field saves, expected count) take one plain value
per field: a field sent twice or a number written any other way is refused, nothing stored."""

import pytest
from django.urls import reverse

from assessments.models import AssessmentState, PrincipleAgreement, UnitAssessment
from principles.models import Principle
from tests.factories_dialogue import make_unit_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, org):
    client.cookies["django_language"] = "en"
    client.force_login(org.manager_of_a)
    return client


@pytest.fixture
def dialogue(org):
    return make_unit_assessment(org, state=AssessmentState.DIALOGUE)


def principle_key(assessment) -> str:
    version_id = assessment.round.framework_version_id
    return f"principle-{Principle.objects.filter(version_id=version_id).first().pk}"


def test_it_refuses_a_facilitator_field_sent_twice_and_keeps_the_others(manager, dialogue):
    key = principle_key(dialogue)
    response = manager.post(
        reverse("manager_dialogue", args=[dialogue.pk]),
        {
            f"{key}-score": ["3", "4"],
            f"{key}-score-base": "",
            f"{key}-strengths": "Vi litar på varandra.",
            f"{key}-strengths-base": "",
            "save": key,
        },
    )
    assert response.status_code == 400
    assert "sent more than once" in response.content.decode()
    agreement = PrincipleAgreement.objects.get()
    assert agreement.score is None
    assert agreement.strengths == "Vi litar på varandra."


def test_it_refuses_a_field_save_with_a_repeated_field(manager, dialogue):
    key = principle_key(dialogue)
    response = manager.post(
        reverse("manager_save_field", args=[dialogue.pk]),
        {"item": key, "field": "score", "value": ["3", "5"], "base": ""},
    )
    assert response.status_code == 400
    assert "sent more than once" in response.json()["error"]
    assert not PrincipleAgreement.objects.exists()


@pytest.mark.parametrize("sent", [" 12 ", "+12", "12.0", "١٢", ["12", "13"]])
def test_it_refuses_an_expected_count_written_any_other_way(manager, org, sent):
    assessment = make_unit_assessment(
        org, state=AssessmentState.INDIVIDUAL, expected_respondents=20
    )
    manager.post(reverse("manager_step", args=[assessment.pk, "antal"]), {"expected": sent})
    assessment.refresh_from_db()
    assert assessment.expected_respondents == 20


def test_it_takes_an_expected_count_in_plain_digits(manager, org):
    assessment = make_unit_assessment(
        org, state=AssessmentState.INDIVIDUAL, expected_respondents=20
    )
    manager.post(reverse("manager_step", args=[assessment.pk, "antal"]), {"expected": "12"})
    assert UnitAssessment.objects.get(pk=assessment.pk).expected_respondents == 12

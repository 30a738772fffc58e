"""Recording the group's steering signals in the dialogue: stored, checked, conflict-safe,
locked at completion, and only ever the unit's own."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import workflow
from assessments.agreements import AgreementConflict
from assessments.models import AssessmentState
from governance import services
from governance.models import SteeringSignal
from tests.factories_dialogue import make_unit_assessment
from tests.factories_governance import add_chain, make_signal, signal_post, signal_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(org):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_chain(assessment.round.framework_version)
    return assessment


def test_it_records_a_signal_as_the_groups_statement(org, assessment):
    version = assessment.round.framework_version
    signal = services.create_signal(assessment, org.manager_of_a, **signal_values(version))
    stored = SteeringSignal.objects.get(pk=signal.pk)
    assert stored.title == "Veckovis statistikrapport"
    assert stored.level.key == "forvaltningsledning"
    assert stored.hours_per_month == 20
    assert stored.proposal == "together"
    assert stored.lock_version == 1
    assert stored.updated_by == org.manager_of_a


@pytest.mark.parametrize("state", [AssessmentState.PREPARING, AssessmentState.INDIVIDUAL])
def test_it_refuses_signals_before_the_dialogue(org, state):
    assessment = make_unit_assessment(org, state=state)
    version = add_chain(assessment.round.framework_version)
    with pytest.raises(workflow.WorkflowError):
        services.create_signal(assessment, org.manager_of_a, **signal_values(version))
    assert not SteeringSignal.objects.exists()


def test_it_locks_the_signals_at_completion(org, assessment):
    signal = make_signal(assessment)
    workflow.complete(assessment, org.manager_of_a)
    version = assessment.round.framework_version
    with pytest.raises(workflow.WorkflowError, match="completed"):
        services.update_signal(
            assessment, signal, org.manager_of_a, lock_version=1, **signal_values(version)
        )
    with pytest.raises(workflow.WorkflowError):
        services.delete_signal(assessment, signal, org.manager_of_a)
    with pytest.raises(workflow.WorkflowError):
        services.create_signal(assessment, org.manager_of_a, **signal_values(version))
    assert SteeringSignal.objects.get().title == "Veckovis statistikrapport"


def test_it_refuses_a_save_from_a_stale_version_and_keeps_the_other(org, assessment):
    version = assessment.round.framework_version
    signal = make_signal(assessment)
    services.update_signal(
        assessment,
        signal,
        org.manager_of_a,
        lock_version=1,
        **signal_values(version, hours_per_month=12),
    )
    with pytest.raises(AgreementConflict) as clash:
        services.update_signal(
            assessment,
            signal,
            org.manager_of_a,
            lock_version=1,
            **signal_values(version, hours_per_month=40),
        )
    assert clash.value.current.hours_per_month == 12
    assert SteeringSignal.objects.get().hours_per_month == 12


def test_it_refuses_the_manager_of_another_unit(org, assessment):
    version = assessment.round.framework_version
    with pytest.raises(workflow.WorkflowError):
        services.create_signal(assessment, org.manager_of_b, **signal_values(version))
    assert not SteeringSignal.objects.exists()


def test_it_refuses_an_item_of_another_framework_version(org, assessment):
    from tests.factories import make_version

    other = add_chain(make_version("Annan", published=True))
    with pytest.raises(ValidationError) as error:
        services.create_signal(
            assessment,
            org.manager_of_a,
            **signal_values(
                assessment.round.framework_version,
                level=other.signal_levels.first(),
            ),
        )
    assert "level" in error.value.message_dict
    assert not SteeringSignal.objects.exists()


@pytest.mark.parametrize(
    "hours", ["+5", " 5", "5.0", "٥", "-1", "5001", "", "12345678901234567890"]
)
def test_it_refuses_hours_that_are_not_plain_digits_in_range(org, persona, assessment, hours):
    client = persona("manager_of_a")
    version = assessment.round.framework_version
    response = client.post(
        reverse("governance_signals", args=[assessment.pk]),
        signal_post(version, hours_per_month=hours),
    )
    assert response.status_code == 200
    assert "Give the hours as a whole number from 0 to 5000." in response.content.decode()
    assert not SteeringSignal.objects.exists()


def test_it_refuses_a_field_sent_twice(org, persona, assessment):
    client = persona("manager_of_a")
    data = signal_post(assessment.round.framework_version)
    body = "&".join(f"{k}={v}" for k, v in data.items()) + "&hours_per_month=40"
    response = client.post(
        reverse("governance_signals", args=[assessment.pk]),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not SteeringSignal.objects.exists()


def test_it_adds_a_signal_from_the_page_and_lists_it(org, persona, assessment):
    client = persona("manager_of_a")
    url = reverse("governance_signals", args=[assessment.pk])
    response = client.post(url, signal_post(assessment.round.framework_version))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Veckovis statistikrapport" in page
    assert "Ersätt med en dialog varje kvartal." in page
    assert SteeringSignal.objects.get().assessment == assessment


def test_it_shows_a_conflict_instead_of_overwriting(org, persona, assessment):
    client = persona("manager_of_a")
    signal = make_signal(assessment)
    SteeringSignal.objects.filter(pk=signal.pk).update(
        title="Ändrad av någon annan", lock_version=2
    )
    data = signal_post(assessment.round.framework_version, title="Min version", lock_version="1")
    response = client.post(reverse("governance_signal_edit", args=[assessment.pk, signal.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ändrad av någon annan" in page
    assert SteeringSignal.objects.get().title == "Ändrad av någon annan"


def test_it_links_the_signals_from_the_dialogue(org, persona, assessment):
    make_signal(assessment)
    page = persona("manager_of_a").get(reverse("manager_dialogue", args=[assessment.pk]))
    text = page.content.decode()
    assert reverse("governance_signals", args=[assessment.pk]) in text


def test_it_deletes_a_signal_in_the_dialogue(org, persona, assessment):
    signal = make_signal(assessment)
    client = persona("manager_of_a")
    response = client.post(reverse("governance_signal_delete", args=[assessment.pk, signal.pk]))
    assert response.status_code == 302
    assert not SteeringSignal.objects.exists()

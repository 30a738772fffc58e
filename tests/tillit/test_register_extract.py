"""A staff member's register extract (everything stored about them, as JSON) and deleting a
person while the units' results stay."""

import json
import re

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments import agreements, answers
from assessments.models import AssessmentState, Respondent, Role, Round, UnitAssessment
from principles.models import Statement
from tests.factories import make_user
from tests.factories_dialogue import add_respondents, make_unit_assessment

pytestmark = pytest.mark.django_db

COMMENT = "Hemlig tanke från en deltagare om chefen"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.MIN_RESPONDENTS = 5
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(org) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.administrator)
    return client


@pytest.fixture
def history(org):
    """The manager of A signs in (once wrongly), opens nothing but completes an assessment
    that participants answered, one with a comment, and records an action in their name."""
    manager_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in = manager_client.post(
        reverse("login"), {"username": "manager-a", "password": "pw-test-1234"}
    )
    assert signed_in.status_code == 302
    # Then someone tries the name with a wrong password (a successful login would clear it).
    wrong = Client().post(
        reverse("login"), {"username": "manager-a", "password": "not-the-password"}
    )
    assert wrong.status_code == 200

    assessment = make_unit_assessment(org, state=AssessmentState.INDIVIDUAL, expected_respondents=9)
    Round.objects.filter(pk=assessment.round_id).update(created_by=org.manager_of_a)
    add_respondents(assessment, 5)
    respondent, _token = answers.create_respondent(assessment)
    statement = Statement.objects.filter(
        principle__version=assessment.round.framework_version
    ).select_related("principle")[0]
    answers.save_principle_page(
        respondent, statement.principle, {"statements": {statement.pk: 2}, "comment": COMMENT}
    )
    answers.mark_finished(respondent)
    step = reverse("manager_step", args=[assessment.pk, "stang-individuellt"])
    assert manager_client.post(step).status_code == 302
    agreements.create_action(
        assessment, org.manager_of_a, title="Färre rapporter uppåt", responsible="Maja"
    )
    done = manager_client.post(reverse("manager_complete", args=[assessment.pk]), {"confirm": "on"})
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert assessment.is_completed and assessment.release_id is not None
    return assessment


def _extract(client: Client, user) -> dict:
    response = client.get(reverse("admin:auth_user_extract", args=[user.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    return json.loads(response.content)


def test_it_exports_the_persons_roles_logins_and_changes(org, history, admin_client):
    data = _extract(admin_client, org.manager_of_a)
    assert data["person"]["username"] == "manager-a"
    assert data["person"]["email"] == "manager-a@example.org"
    assert data["roles"] == [{"unit": "Enhet A1", "unit_code": "A1", "role": "manager"}]
    assert len(data["logins"]) == 1
    assert len(data["failed_logins"]) + len(data["login_attempts_being_counted"]) == 1
    assert data["logins"][0]["path_info"] == reverse("login")
    completion = [
        change
        for change in data["changes_made"]
        if change["changes"].get("state") == ["dialogue", "completed"]
    ]
    assert len(completion) == 1
    assert completion[0]["object"] == str(history)
    assert data["rounds_created"][0]["round"] == history.round.name
    assert data["assessments_completed"][0]["unit_code"] == "A1"
    assert {c["to"] for c in data["state_changes"]} >= {"dialogue", "completed"}
    assert data["actions_naming_the_person"][0]["action"] == "Färre rapporter uppåt"
    # The role given to them is among the changes to the person.
    assert any(
        c["changes"].get("kind") == ["None", "manager"] for c in data["changes_to_the_person"]
    )


def test_it_exports_nothing_of_any_participant(org, history, admin_client):
    text = json.dumps(_extract(admin_client, org.manager_of_a), ensure_ascii=False)
    assert COMMENT not in text
    assert history.join_code not in text
    for token_hash in Respondent.objects.values_list("token_hash", flat=True):
        assert token_hash not in text
    assert "statement_answer" not in text and "respondent" not in text
    stored = type(org.manager_of_a).objects.get(pk=org.manager_of_a.pk)
    assert stored.password not in text  # no password hash


@pytest.mark.parametrize("who", ["manager_of_a", "staff_without_superuser"])
def test_it_lets_only_administrators_export_or_delete(org, who):
    if who == "staff_without_superuser":
        user = make_user("staff-sam", is_staff=True)
    else:
        user = getattr(org, who)
    client = Client()
    client.force_login(user)
    for name in ("admin:auth_user_extract", "admin:auth_user_delete_person"):
        response = client.post(reverse(name, args=[org.manager_of_b.pk]))
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("admin:login"))
    assert type(org.manager_of_b).objects.filter(pk=org.manager_of_b.pk).exists()


def _report(client: Client, assessment) -> str:
    response = client.get(reverse("unit_report", args=[assessment.pk]))
    assert response.status_code == 200
    # The form tokens differ from one page to the next; nothing else may.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_it_deletes_a_person_and_keeps_the_units_results(org, history, admin_client):
    manager = org.manager_of_a
    report_before = _report(admin_client, history)
    page = admin_client.get(reverse("admin:auth_user_delete_person", args=[manager.pk]))
    assert "Enhet A1" in page.content.decode()  # the role that goes is named

    response = admin_client.post(
        reverse("admin:auth_user_delete_person", args=[manager.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("admin:auth_user_changelist")
    assert "is deleted" in response.content.decode()

    assert not type(manager).objects.filter(pk=manager.pk).exists()
    assert not Role.objects.filter(user_id=manager.pk).exists()
    assert not AccessLog.objects.filter(username="manager-a").exists()
    assert not AccessFailureLog.objects.filter(username="manager-a").exists()
    assert not AccessAttempt.objects.filter(username="manager-a").exists()
    # The results stay, unlinked.
    assessment = UnitAssessment.objects.get(pk=history.pk)
    assert assessment.is_completed and assessment.completed_by_id is None
    assert assessment.release_id == history.release_id
    assert Round.objects.get(pk=history.round_id).created_by_id is None
    assert assessment.actions.get().responsible == "Maja"
    assert _report(admin_client, assessment) == report_before
    # The audit log keeps what happened, without the person's name or e-mail address.
    log = json.dumps(
        list(LogEntry.objects.values("object_repr", "changes", "actor_email", "additional_data")),
        ensure_ascii=False,
    )
    assert "manager-a" not in log
    assert f"person #{manager.pk}" in log
    completion = LogEntry.objects.get(changes__state__1="completed")
    assert completion.actor is None
    assert completion.additional_data == {"actor": f"person #{manager.pk}"}
    erasure = LogEntry.objects.filter(object_repr=f"person #{manager.pk}").latest("pk")
    assert erasure.actor == org.administrator


def test_it_keeps_an_administrator_from_deleting_themselves(org, admin_client):
    response = admin_client.post(
        reverse("admin:auth_user_delete_person", args=[org.administrator.pk])
    )
    assert response.status_code == 302
    assert type(org.administrator).objects.filter(pk=org.administrator.pk).exists()


def test_it_offers_the_extract_and_the_deletion_on_the_persons_admin_page(org, admin_client):
    page = admin_client.get(reverse("admin:auth_user_change", args=[org.manager_of_a.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("admin:auth_user_extract", args=[org.manager_of_a.pk]) in text
    assert reverse("admin:auth_user_delete_person", args=[org.manager_of_a.pk]) in text
    own = admin_client.get(reverse("admin:auth_user_change", args=[org.administrator.pk]))
    assert reverse("admin:auth_user_delete_person", args=[org.administrator.pk]) not in (
        own.content.decode()
    )

"""The audit log: every kind of change administrators and managers make is recorded with who
made it and which fields changed; only those allowed may read it; nothing a participant gave
lands in it; and it is kept only AUDIT_RETENTION_DAYS days."""

import datetime
import json

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from assessments import answers
from assessments.models import AssessmentState, Role, RoleKind, Round, Unit, UnitAssessment
from principles.models import Statement
from tests.factories import make_user, make_version
from tests.factories_dialogue import add_respondents, make_unit_assessment
from tests.principles.admin_forms import change_form
from tillit import audit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.MIN_RESPONDENTS = 5
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(org) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.administrator)
    return client


def entries_for(obj) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(obj).order_by("pk"))


def last_entry(model) -> LogEntry:
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
        .order_by("-pk")
        .first()
    )


# ---------------------------------------------------------------------------------------
# One entry per kind of change, with the actor and the changed fields
# ---------------------------------------------------------------------------------------


def test_it_logs_a_framework_text_edited_in_admin(org, admin_client):
    version = make_version("Utkast 2027")
    statement = Statement.objects.filter(principle__version=version).first()
    url = reverse("admin:principles_statement_change", args=[statement.pk])
    data = change_form(admin_client, url)
    data["text_sv"] = "Vi litar på varandras omdöme."
    response = admin_client.post(url, data)
    assert response.status_code == 302
    entry = entries_for(statement)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == org.administrator
    assert entry.changes_dict == {"text_sv": [f"{statement.text_sv}", data["text_sv"]]}


def test_it_logs_a_unit_created_and_renamed_in_admin(org, admin_client):
    add_url = reverse("admin:assessments_unit_add")
    data = change_form(admin_client, add_url)
    data.update(
        code="A3",
        name="Enhet A3",
        kind="unit",
        treebeard_position="sorted-child",
        treebeard_ref_node=org.dep_a.pk,
    )
    response = admin_client.post(add_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit = Unit.objects.get(code="A3")
    created = entries_for(unit)[0]
    assert created.action == LogEntry.Action.CREATE
    assert created.actor == org.administrator
    assert created.changes_dict["name"] == ["None", "Enhet A3"]

    url = reverse("admin:assessments_unit_change", args=[org.a1.pk])
    data = change_form(admin_client, url)
    data["name"] = "Enhet A1 Norr"
    assert admin_client.post(url, data).status_code == 302
    renamed = entries_for(org.a1)[-1]
    assert renamed.action == LogEntry.Action.UPDATE
    assert renamed.actor == org.administrator
    assert renamed.changes_dict == {"name": ["Enhet A1", "Enhet A1 Norr"]}


def test_it_logs_a_role_given_and_removed_in_admin(org, admin_client):
    response = admin_client.post(
        reverse("admin:assessments_role_add"),
        {"user": org.outsider.pk, "unit": org.b1.pk, "kind": RoleKind.MANAGER},
    )
    assert response.status_code == 302
    role = Role.objects.get(user=org.outsider)
    given = entries_for(role)[0]
    assert given.action == LogEntry.Action.CREATE
    assert given.actor == org.administrator
    assert given.changes_dict["kind"] == ["None", RoleKind.MANAGER]
    assert given.changes_dict["user"] == ["None", str(org.outsider.pk)]
    assert given.changes_dict["unit"] == ["None", str(org.b1.pk)]

    role_pk = role.pk
    response = admin_client.post(
        reverse("admin:assessments_role_delete", args=[role_pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role_pk).exists()
    removed = last_entry(Role)
    assert removed.action == LogEntry.Action.DELETE
    assert removed.object_pk == str(role_pk)
    assert removed.actor == org.administrator
    assert removed.changes_dict["kind"] == [RoleKind.MANAGER, "None"]


def test_it_logs_a_round_opened_by_a_quality_developer(org, persona):
    version = make_version(published=True, principles=1, statements=1, dimensions=1)
    client = persona("quality_developer")
    response = client.post(
        reverse("round_create"),
        {
            "name": "Tillitsskattning VT 2027",
            "framework_version": version.pk,
            "opens_on": "2027-02-01",
            "closes_on": "2027-04-30",
            "root": org.dep_a.pk,
            "units": [org.a1.pk, org.a2.pk],
        },
    )
    assert response.status_code == 302
    round_ = Round.objects.get()
    created = entries_for(round_)[0]
    assert created.action == LogEntry.Action.CREATE
    assert created.actor == org.quality_developer
    assert created.changes_dict["name"] == ["None", "Tillitsskattning VT 2027"]
    assert created.changes_dict["opens_on"] == ["None", "2027-02-01"]
    assert "creation_token" not in created.changes_dict


def test_it_logs_the_completion_of_an_assessment_by_its_manager(org, persona):
    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    add_respondents(assessment, 5)
    response = persona("manager_of_a").post(
        reverse("manager_complete", args=[assessment.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.is_completed
    completed = [
        e
        for e in entries_for(assessment)
        if e.changes_dict.get("state", [None, None])[1] == AssessmentState.COMPLETED
    ]
    assert len(completed) == 1
    entry = completed[0]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == org.manager_of_a
    assert entry.changes_dict["state"] == [AssessmentState.DIALOGUE, AssessmentState.COMPLETED]
    assert entry.changes_dict["completed_by"] == ["None", str(org.manager_of_a.pk)]
    assert "completed_at" in entry.changes_dict


def test_it_logs_who_is_made_an_administrator(org, admin_client):
    url = reverse("admin:auth_user_change", args=[org.outsider.pk])
    data = change_form(admin_client, url)
    data["is_staff"] = "on"
    data["groups"] = data["user_permissions"] = []  # empty multiple selects send nothing
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = entries_for(org.outsider)[-1]
    assert entry.actor == org.administrator
    assert entry.changes_dict == {"is_staff": ["False", "True"]}


# ---------------------------------------------------------------------------------------
# Nothing of any participant
# ---------------------------------------------------------------------------------------


def test_it_never_registers_what_participants_give():
    registered = {model._meta.label for model in auditlog.get_models()}
    assert registered.isdisjoint(audit.NEVER_AUDITED)
    for label in audit.NEVER_AUDITED:
        assert not auditlog.contains(apps.get_model(label))


def test_it_keeps_no_answer_comment_or_join_code_in_the_log(org, persona):
    assessment = make_unit_assessment(org, state=AssessmentState.INDIVIDUAL, expected_respondents=9)
    respondent, _token = answers.create_respondent(assessment, source="x", device="y")
    statements = Statement.objects.filter(
        principle__version=assessment.round.framework_version
    ).select_related("principle")
    first = statements[0]
    answers.save_principle_page(
        respondent,
        first.principle,
        {"statements": {first.pk: 4}, "comment": "Chefen lyssnar aldrig på oss"},
    )
    answers.mark_finished(respondent)
    # The manager then moves it on; its log entry must not carry the join code.
    persona("manager_of_a").post(
        reverse("manager_step", args=[assessment.pk, "stang-individuellt"])
    )
    assessment.refresh_from_db()
    everything = json.dumps(
        list(
            LogEntry.objects.values(
                "object_repr", "changes", "changes_text", "serialized_data", "additional_data"
            )
        ),
        default=str,
    )
    assert "Chefen lyssnar aldrig" not in everything
    assert assessment.join_code not in everything
    assert not LogEntry.objects.filter(remote_addr__isnull=False).exists()
    assert UnitAssessment.objects.get(pk=assessment.pk).state == AssessmentState.DIALOGUE
    assert LogEntry.objects.get_for_object(assessment).exists()


# ---------------------------------------------------------------------------------------
# Who may read it
# ---------------------------------------------------------------------------------------


def test_it_shows_the_log_to_administrators_in_swedish(org, admin_client):
    org.a1.name = "Enhet A1 Norr"
    org.a1.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    client.force_login(org.administrator)
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enhet A1 Norr" in page
    entry = entries_for(org.a1)[-1]
    detail = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    assert detail.status_code == 200
    # Read-only: no save or delete buttons, and a delete is refused.
    assert 'name="_save"' not in detail.content.decode()
    delete = client.post(
        reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_it_hides_the_log_from_a_manager(org, persona):
    org.a1.name = "Enhet A1 Norr"
    org.a1.save()
    client = persona("manager_of_a")
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_hides_the_log_from_staff_without_the_permission(org):
    staff = make_user("staff-sam", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 403
    staff.user_permissions.add(
        Permission.objects.get(codename="view_logentry", content_type__app_label="auditlog")
    )
    client.force_login(make_user_fresh(staff))
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200


def make_user_fresh(user):
    """The same user without its cached permissions."""
    return type(user).objects.get(pk=user.pk)


# ---------------------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------------------


def _entry_at(org, when: datetime.datetime, name: str) -> LogEntry:
    org.b1.name = name
    org.b1.save()
    entry = entries_for(org.b1)[-1]
    LogEntry.objects.filter(pk=entry.pk).update(timestamp=when)
    return entry


def test_it_deletes_entries_older_than_the_retention_and_keeps_the_one_at_the_cut_off(
    org, settings
):
    settings.AUDIT_RETENTION_DAYS = 730
    now = timezone.make_aware(datetime.datetime(2028, 6, 1, 12, 0))
    cutoff = now - datetime.timedelta(days=730)
    LogEntry.objects.all().delete()
    older = _entry_at(org, cutoff - datetime.timedelta(microseconds=1), "Äldre")
    at_cutoff = _entry_at(org, cutoff, "Precis")
    newer = _entry_at(org, now - datetime.timedelta(days=1), "Nyare")

    assert audit.purge(dry_run=True, now=now) == 1
    assert LogEntry.objects.count() == 3
    assert audit.purge(now=now) == 1
    assert set(LogEntry.objects.values_list("pk", flat=True)) == {at_cutoff.pk, newer.pk}
    assert not LogEntry.objects.filter(pk=older.pk).exists()


def test_it_purges_with_the_command_and_shows_first_with_dry_run(org, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 30
    LogEntry.objects.all().delete()
    old = _entry_at(org, timezone.now() - datetime.timedelta(days=400), "Gammal")
    recent = _entry_at(org, timezone.now() - datetime.timedelta(days=2), "Ny")

    call_command("purge_audit_log", "--dry-run")
    out = capsys.readouterr().out
    assert "1" in out and "30" in out
    assert LogEntry.objects.filter(pk=old.pk).exists()

    call_command("purge_audit_log")
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=recent.pk).exists()

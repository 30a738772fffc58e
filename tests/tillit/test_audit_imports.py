"""The CSV imports of units and roles leave audit entries like every other change: one per unit,
person or role written, with the administrator who imported it (or, from the command line, the
command's name) and the changed fields; a dry run, a preview and a refused import leave none,
and the queries of an import do not grow with its rows."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments.importing import import_roles, import_units
from assessments.models import Role, RoleKind, Unit

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # previewed uploads wait here
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(org) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.administrator)
    return client


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def entries(model) -> list[LogEntry]:
    """The entries about `model` objects, oldest first."""
    return list(
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
        .select_related("actor")
        .order_by("pk")
    )


def import_in_admin(client: Client, model, data: bytes):
    url = reverse(f"admin:assessments_{model._meta.model_name}_import")
    preview = client.post(url, {"file": SimpleUploadedFile("fil.csv", data, "text/csv")})
    assert preview.status_code == 200 and preview.context["token"], preview.context["result"]
    return client.post(url, {"token": preview.context["token"], "confirm": "1"})


# ---------------------------------------------------------------------------------------
# In admin: the importing administrator and the changed fields
# ---------------------------------------------------------------------------------------


def test_it_logs_each_unit_an_administrator_creates_renames_and_moves_by_import(org, admin_client):
    LogEntry.objects.all().delete()
    data = csv_file(
        "code,name,parent_code",
        "A3,Enhet A3,DEP-A",  # new
        "A1,Enhet A1 Norr,DEP-A",  # renamed
        "B1,Enhet B1,DEP-A",  # moved from DEP-B
    )

    response = import_in_admin(admin_client, Unit, data)

    assert response.status_code == 302
    a3 = Unit.objects.get(code="A3")
    by_pk = {entry.object_pk: entry for entry in entries(Unit)}
    # Förvaltning A and B change only their child count, which auditlog never records.
    assert set(by_pk) == {str(a3.pk), str(org.a1.pk), str(org.b1.pk)}
    assert {entry.actor for entry in by_pk.values()} == {org.administrator}
    assert {entry.additional_data["source"] for entry in by_pk.values()} == {"admin import"}

    created = by_pk[str(a3.pk)]
    assert created.action == LogEntry.Action.CREATE
    assert created.object_repr == "Enhet A3"
    assert created.changes_dict["name"] == ["None", "Enhet A3"]
    assert created.changes_dict["code"] == ["None", "A3"]
    assert created.changes_dict["kind"] == ["None", "unit"]
    assert created.changes_dict["parent"] == ["None", "DEP-A"]
    assert "numchild" not in created.changes_dict

    renamed = by_pk[str(org.a1.pk)]
    assert renamed.action == LogEntry.Action.UPDATE
    assert renamed.changes_dict == {"name": ["Enhet A1", "Enhet A1 Norr"]}

    moved = by_pk[str(org.b1.pk)]
    assert moved.action == LogEntry.Action.UPDATE
    org.b1.refresh_from_db()
    assert moved.changes_dict["path"][1] == org.b1.path
    assert moved.changes_dict["parent"] == ["DEP-B", "DEP-A"]
    assert moved.additional_data == {"source": "admin import"}


def test_it_logs_the_units_an_import_moves_not_those_carried_along_or_renumbered(org, tmp_path):
    LogEntry.objects.all().delete()
    paths = dict(Unit.objects.values_list("code", "path"))
    data = csv_file(
        "code,name,parent_code",
        "DEP-B,Förvaltning B,DEP-A",  # moves, and B1 beneath it with it
        "A0,Enhet A0,DEP-A",  # new, sorts first: A1 and A2 are renumbered
    )

    run("import_units", tmp_path, data)

    after = dict(Unit.objects.values_list("code", "path"))
    # Their paths changed, but nothing a person sees: their parents are the same.
    assert {code for code in ("A1", "A2", "B1") if after[code] != paths[code]} == {"A1", "A2", "B1"}
    logged = {entry.object_repr: entry for entry in entries(Unit)}
    assert set(logged) == {"Förvaltning B", "Enhet A0"}
    moved = logged["Förvaltning B"]
    assert moved.action == LogEntry.Action.UPDATE
    assert moved.changes_dict == {
        "path": [paths["DEP-B"], after["DEP-B"]],
        "depth": ["2", "3"],
        "parent": ["ORG", "DEP-A"],
    }
    assert logged["Enhet A0"].action == LogEntry.Action.CREATE


def test_it_shows_the_old_and_new_parent_of_a_moved_unit_in_admin(org, admin_client):
    LogEntry.objects.all().delete()
    import_in_admin(admin_client, Unit, csv_file("code,name,parent_code", "B1,Enhet B1,DEP-A"))
    (entry,) = entries(Unit)

    page = admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))

    text = page.content.decode()
    assert "<td>Parent</td><td>DEP-B</td><td>DEP-A</td>" in text


def test_it_logs_each_role_and_new_person_an_administrator_imports(org, admin_client):
    LogEntry.objects.all().delete()
    data = csv_file(
        "email,unit_code,role",
        "ny.chef@example.org,A1,manager",
        f"{org.outsider.email},B1,quality_developer",
    )

    response = import_in_admin(admin_client, Role, data)

    assert response.status_code == 302
    newcomer = User.objects.get(email="ny.chef@example.org")
    (person,) = entries(User)
    assert person.action == LogEntry.Action.CREATE
    assert person.object_pk == str(newcomer.pk)
    assert person.actor == org.administrator
    assert person.changes_dict["username"] == ["None", "ny.chef@example.org"]
    assert person.changes_dict["email"] == ["None", "ny.chef@example.org"]
    assert "password" not in person.changes_dict

    roles = {entry.object_pk: entry for entry in entries(Role)}
    given = Role.objects.get(user=org.outsider)
    assert set(roles) == {str(given.pk), str(Role.objects.get(user=newcomer).pk)}
    entry = roles[str(given.pk)]
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == org.administrator
    assert entry.object_repr == str(given)  # "outsider-olle – Quality developer – Enhet B1"
    assert entry.changes_dict["kind"] == ["None", RoleKind.QUALITY_DEVELOPER]
    assert entry.changes_dict["user"] == ["None", str(org.outsider.pk)]
    assert entry.changes_dict["unit"] == ["None", str(org.b1.pk)]


def test_it_shows_imported_changes_in_the_audit_log_like_the_others(org, admin_client):
    import_in_admin(admin_client, Unit, csv_file("code,name,parent_code", "A3,Enhet A3,DEP-A"))
    entry = entries(Unit)[-1]

    page = admin_client.get(reverse("admin:auditlog_logentry_changelist")).content.decode()
    detail = admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))

    assert "Enhet A3" in page
    assert org.administrator.username in page
    assert detail.status_code == 200
    assert "Enhet A3" in detail.content.decode()


# ---------------------------------------------------------------------------------------
# From the command line: no actor, the command's name instead
# ---------------------------------------------------------------------------------------


def run(command: str, tmp_path, data: bytes, *args: str) -> None:
    path = tmp_path / "fil.csv"
    path.write_bytes(data)
    call_command(command, str(path), *args, stdout=StringIO())


def test_it_logs_the_import_commands_by_name(org, tmp_path, admin_client):
    LogEntry.objects.all().delete()

    run("import_units", tmp_path, csv_file("code,name,parent_code", "A3,Enhet A3,DEP-A"))
    run("import_roles", tmp_path, csv_file("email,unit_code,role", "ny@example.org,A3,manager"))

    (unit,) = entries(Unit)
    (person,) = entries(User)
    (role,) = entries(Role)
    assert unit.object_pk == str(Unit.objects.get(code="A3").pk)
    assert unit.changes_dict["name"] == ["None", "Enhet A3"]
    assert unit.actor is None
    assert unit.additional_data == {"source": "import_units command"}
    assert person.actor is None and role.actor is None
    assert person.additional_data == role.additional_data == {"source": "import_roles command"}
    page = admin_client.get(reverse("admin:auditlog_logentry_changelist")).content.decode()
    assert "no one signed in (import_units command)" in page


# ---------------------------------------------------------------------------------------
# Nothing for what is not stored
# ---------------------------------------------------------------------------------------


def test_it_logs_nothing_for_a_dry_run_a_preview_or_an_unchanged_file(org, tmp_path, admin_client):
    LogEntry.objects.all().delete()
    units = csv_file("code,name,parent_code", "A3,Enhet A3,DEP-A")
    roles = csv_file("email,unit_code,role", f"{org.outsider.email},A1,manager")

    run("import_units", tmp_path, units, "--dry-run")
    run("import_roles", tmp_path, roles, "--dry-run")
    preview = admin_client.post(
        reverse("admin:assessments_unit_import"),
        {"file": SimpleUploadedFile("fil.csv", units, "text/csv")},
    )
    assert preview.context["result"].created  # it would create A3 …
    assert not Unit.objects.filter(code="A3").exists()  # … but did not
    existing = csv_file("code,name,parent_code", "A1,Enhet A1,DEP-A", "A2,Enhet A2,DEP-A")
    assert not import_units(existing).has_changes

    assert LogEntry.objects.count() == 0


def test_it_logs_nothing_for_a_refused_import(org, tmp_path):
    LogEntry.objects.all().delete()
    before = list(Unit.objects.values_list("pk", "code", "name", "path"))

    with pytest.raises(CommandError):
        run("import_units", tmp_path, csv_file("code,name,parent_code", "A3,Enhet A3,NOPE"))
    with pytest.raises(CommandError):
        run("import_roles", tmp_path, csv_file("email,unit_code,role", "ny@example.org,NOPE,chef"))

    assert LogEntry.objects.count() == 0
    assert list(Unit.objects.values_list("pk", "code", "name", "path")) == before


@pytest.fixture
def failing_log_insert(db):
    """The database refuses to store the audit entry of "Enhet A5", as a full disk would."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TEMP TRIGGER refuse_entry BEFORE INSERT ON auditlog_logentry "
                "WHEN NEW.object_repr = 'Enhet A5' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION pg_temp.refuse_entry() RETURNS trigger AS $$ BEGIN "
                "IF NEW.object_repr = 'Enhet A5' THEN RAISE unique_violation USING "
                "MESSAGE = 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_entry BEFORE INSERT ON auditlog_logentry FOR EACH ROW "
                "EXECUTE FUNCTION pg_temp.refuse_entry()"
            )


def test_it_stores_neither_units_nor_entries_when_an_entry_cannot_be_written(
    org, failing_log_insert
):
    LogEntry.objects.all().delete()
    before = list(Unit.objects.values_list("pk", "code", "name", "path"))

    result = import_units(
        csv_file("code,name,parent_code", "A4,Enhet A4,DEP-A", "A5,Enhet A5,DEP-A")
    )

    assert not result.ok
    assert list(Unit.objects.values_list("pk", "code", "name", "path")) == before
    assert LogEntry.objects.count() == 0


# ---------------------------------------------------------------------------------------
# Queries: as many for 5 rows as for 50
# ---------------------------------------------------------------------------------------


# Whatever the number of rows up to the batch size (500): the savepoints, the reads, the
# writes of the units or people and roles, and one insert of all their entries. New units'
# keys take one query more: from the sequence before the insert on PostgreSQL, read back by
# code after it elsewhere.
UNIT_IMPORT_QUERIES = 9
ROLE_IMPORT_QUERIES = 11


def unit_file(count: int) -> bytes:
    return csv_file(
        "code,name,parent_code", *(f"N{i},Ny enhet {i:03d},DEP-B" for i in range(count))
    )


def role_file(count: int) -> bytes:
    return csv_file(
        "email,unit_code,role", *(f"person{i}@example.org,B1,manager" for i in range(count))
    )


@pytest.mark.parametrize("rows", [5, 50])
def test_it_imports_units_in_as_many_queries_for_few_rows_as_for_many(
    org, rows, django_assert_num_queries
):
    ContentType.objects.get_for_model(Unit)  # cached for the process, as in a running server
    LogEntry.objects.all().delete()
    with django_assert_num_queries(UNIT_IMPORT_QUERIES):
        result = import_units(unit_file(rows))
    assert len(result.created) == rows
    assert len(entries(Unit)) == rows  # Förvaltning B's child count is not recorded


@pytest.mark.parametrize("rows", [5, 50])
def test_it_imports_roles_in_as_many_queries_for_few_rows_as_for_many(
    org, rows, django_assert_num_queries
):
    ContentType.objects.get_for_model(Role)
    ContentType.objects.get_for_model(User)
    LogEntry.objects.all().delete()
    with django_assert_num_queries(ROLE_IMPORT_QUERIES):
        result = import_roles(role_file(rows))
    assert len(result.created) == len(result.created_people) == rows
    assert len(entries(Role)) == len(entries(User)) == rows

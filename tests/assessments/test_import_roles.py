"""People and roles: the CSV import (`email,unit_code,role`) and the admin pages for roles."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from assessments import scoping
from assessments.importing import import_roles, import_units
from assessments.models import Role, RoleKind, Unit
from tests.factories import give_role, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The default hasher costs seconds per persona; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Previewed uploads wait in the default storage: a fresh folder for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids); pages ask for it with Accept-Language."""
    with translation.override("en"):
        yield


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


@pytest.fixture
def tree(db):
    import_units(
        csv_file(
            "code;name;parent_code;kind",
            "ORG;Exempelkommun;;organisation",
            "SOC;Socialförvaltningen;ORG;department",
            "HTN;Hemtjänst Norr;SOC;unit",
            "HTS;Hemtjänst Söder;SOC;unit",
        )
    )
    return {unit.code: unit for unit in Unit.objects.all()}


def state() -> tuple:
    return (
        sorted(User.objects.values_list("username", "email")),
        sorted(Role.objects.values_list("user__username", "unit__code", "kind")),
    )


ROLES = csv_file(
    "email,unit_code,role",
    "maja.svensson@exempelkommun.se,HTN,manager",
    "Kim.Berg@Exempelkommun.se,SOC,quality_developer",
    "maja.svensson@exempelkommun.se,HTS,chef",
)


def test_it_creates_people_without_passwords_and_gives_them_roles(tree):
    result = import_roles(ROLES)

    assert result.ok, result.errors
    assert result.created_people == ["kim.berg@exempelkommun.se", "maja.svensson@exempelkommun.se"]
    assert len(result.created) == 3
    maja = User.objects.get(email="maja.svensson@exempelkommun.se")
    assert maja.username == "maja.svensson@exempelkommun.se"
    assert not maja.has_usable_password()
    assert maja.is_active and not maja.is_staff
    assert sorted(maja.roles.values_list("unit__code", "kind")) == [
        ("HTN", "manager"),
        ("HTS", "manager"),
    ]
    kim = User.objects.get(email="kim.berg@exempelkommun.se")
    assert list(scoping.overseen_units(kim).order_by("path").values_list("code", flat=True)) == [
        "SOC",
        "HTN",
        "HTS",
    ]


def test_it_finds_existing_people_by_e_mail_whatever_the_case(tree):
    maja = make_user("maja", email="Maja.Svensson@Exempelkommun.se")

    result = import_roles(ROLES)

    assert result.created_people == ["kim.berg@exempelkommun.se"]
    assert Role.objects.filter(user=maja).count() == 2
    assert User.objects.count() == 2


def test_it_is_idempotent(tree):
    import_roles(ROLES)
    before = state()

    again = import_roles(ROLES)

    assert again.ok and not again.has_changes
    assert len(again.unchanged) == 3
    assert state() == before


def test_it_leaves_roles_missing_from_the_file_alone(tree):
    other = make_user("olle", email="olle@exempelkommun.se")
    give_role(other, tree["HTS"], RoleKind.MANAGER)

    result = import_roles(ROLES)

    assert result.ok
    assert Role.objects.filter(user=other).exists()
    assert any("left as they are" in line for line in result.summary())


def test_it_writes_nothing_on_a_dry_run(tree):
    before = state()

    result = import_roles(ROLES, dry_run=True)

    assert result.ok and result.has_changes
    assert len(result.created) == 3
    assert result.summary()[0].startswith("Dry run")
    assert state() == before


BAD_FILES = {
    "unknown unit": (
        csv_file("email,unit_code,role", "a@example.org,HTN,manager", "b@example.org,NOPE,manager"),
        "Line 3: unknown unit code “NOPE”",
    ),
    "invalid e-mail": (
        csv_file("email,unit_code,role", "inte-en-adress,HTN,manager"),
        "Line 2: “inte-en-adress” is not a valid e-mail address.",
    ),
    "empty e-mail": (
        csv_file("email;unit_code;role", ";HTN;manager"),
        "Line 2: the e-mail address is empty.",
    ),
    "empty unit code": (
        csv_file("email,unit_code,role", "a@example.org,,manager"),
        "Line 2: the unit code is empty.",
    ),
    "unknown role": (
        csv_file("email,unit_code,role", "a@example.org,HTN,boss"),
        "Line 2: unknown role “boss”; use manager, quality_developer, steering_owner.",
    ),
    "duplicate line": (
        csv_file("email,unit_code,role", "a@example.org,HTN,manager", "A@example.org,HTN,chef"),
        "Line 3: the same role is already on line 2.",
    ),
    "wrong columns": (
        csv_file("e-post,enhet,roll", "a@example.org,HTN,manager"),
        "Line 1: the first line must name the columns email,unit_code,role",
    ),
    "Windows-1252 file": (
        csv_file("email,unit_code,role", "åsa@example.org,HTN,manager", encoding="cp1252"),
        "Line 2: the file is not saved as UTF-8",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_it_reports_bad_input_with_its_line_and_imports_nothing(tree, case):
    data, expected = BAD_FILES[case]
    make_user("someone")
    before = state()

    result = import_roles(data)

    assert not result.ok
    assert any(str(problem).startswith(expected) for problem in result.errors), result.errors
    assert state() == before


def test_it_refuses_an_address_that_several_people_share(tree):
    make_user("maja1", email="maja.svensson@exempelkommun.se")
    make_user("maja2", email="MAJA.SVENSSON@exempelkommun.se")
    before = state()

    result = import_roles(ROLES)

    assert [str(p) for p in result.errors] == [
        "Line 2: several people in Tillit have the e-mail address "
        "maja.svensson@exempelkommun.se; give them their roles in admin instead."
    ]
    assert state() == before


def test_it_refuses_to_create_a_person_whose_user_name_is_taken(tree):
    make_user("kim.berg@exempelkommun.se", email="kim@privat.example")
    before = state()

    result = import_roles(ROLES)

    assert "Line 3: a person with the user name kim.berg@exempelkommun.se" in str(result.errors[0])
    assert state() == before


def test_it_imports_roles_from_the_command_line(tree, tmp_path):
    path = tmp_path / "roller.csv"
    path.write_bytes(ROLES)
    out = StringIO()

    call_command("import_roles", str(path), "--dry-run", stdout=out)
    assert Role.objects.count() == 0
    assert "+ maja.svensson@exempelkommun.se: Manager of HTN “Hemtjänst Norr” (new person)" in (
        out.getvalue()
    )

    call_command("import_roles", str(path), stdout=out)
    assert Role.objects.count() == 3
    assert "3 new roles" in out.getvalue()


def test_it_fails_the_command_with_the_lines_of_the_problems(tree, tmp_path):
    path = tmp_path / "roller.csv"
    path.write_bytes(csv_file("email,unit_code,role", "a@example.org,NOPE,manager"))

    with pytest.raises(CommandError, match="Line 2: unknown unit code “NOPE”"):
        call_command("import_roles", str(path), stdout=StringIO())
    assert Role.objects.count() == 0


# ---------------------------------------------------------------------------------------
# Admin
# ---------------------------------------------------------------------------------------


def test_it_imports_roles_through_the_admin_with_a_preview(client, administrator, tree):
    client.force_login(administrator)
    url = reverse("admin:assessments_role_import")
    changelist = client.get(reverse("admin:assessments_role_changelist"), **EN)
    assert url in changelist.content.decode()

    preview = client.post(url, {"file": SimpleUploadedFile("roller.csv", ROLES, "text/csv")}, **EN)
    assert "3 new roles" in preview.content.decode()
    assert Role.objects.count() == 0

    confirmed = client.post(url, {"token": preview.context["token"], "confirm": "1"})
    assert confirmed.status_code == 302
    assert Role.objects.count() == 3


def test_it_lists_and_searches_roles_in_admin(client, administrator, tree):
    import_roles(ROLES)
    client.force_login(administrator)
    url = reverse("admin:assessments_role_changelist")

    everyone = client.get(url).content.decode()
    by_unit = client.get(url, {"q": "Hemtjänst Söder"}).content.decode()
    managers = client.get(url, {"kind__exact": "quality_developer"}).content.decode()

    assert "kim.berg@exempelkommun.se" in everyone
    assert "maja.svensson" in by_unit and "kim.berg" not in by_unit
    assert "kim.berg" in managers and "maja.svensson" not in managers


def test_it_gives_a_person_roles_on_the_user_page_in_admin(client, administrator, tree):
    person = make_user("kim", email="kim@example.org")
    client.force_login(administrator)
    url = reverse("admin:auth_user_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="roles-TOTAL_FORMS"' in page.content.decode()

    data = {
        "username": "kim",
        "email": "kim@example.org",
        "first_name": "Kim",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "roles-TOTAL_FORMS": 1,
        "roles-INITIAL_FORMS": 0,
        "roles-0-unit": tree["SOC"].pk,
        "roles-0-kind": "quality_developer",
    }
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(person.roles.values_list("unit__code", "kind")) == [("SOC", "quality_developer")]


def test_it_finds_units_and_people_with_autocomplete_in_admin(client, administrator, tree):
    client.force_login(administrator)
    units = client.get(
        reverse("admin:autocomplete"),
        {"term": "Norr", "app_label": "assessments", "model_name": "role", "field_name": "unit"},
    ).json()
    people = client.get(
        reverse("admin:autocomplete"),
        {"term": "admin", "app_label": "assessments", "model_name": "role", "field_name": "user"},
    ).json()

    assert [r["text"] for r in units["results"]] == ["Hemtjänst Norr"]
    assert people["results"]

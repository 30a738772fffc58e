"""The demo organisation that `setup_demo` creates: Exempelkommun and its accounts."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments import scoping
from assessments.demo import create_demo_organisation
from assessments.models import Role, RoleKind, Unit, UnitKind

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_creates_exempelkommun_with_departments_and_units():
    create_demo_organisation(StringIO())

    root = Unit.objects.get(code="EK")
    departments = Unit.objects.get_children(root)
    assert root.name == "Exempelkommun" and root.kind == UnitKind.ORGANISATION
    assert [d.name for d in departments] == [
        "Barn- och utbildningsförvaltningen",
        "Kultur- och fritidsförvaltningen",
        "Samhällsbyggnadsförvaltningen",
        "Socialförvaltningen",
    ]
    assert {d.kind for d in departments} == {UnitKind.DEPARTMENT}
    beneath = Unit.objects.filter(depth__gte=3)
    assert 12 <= beneath.count() <= 20
    names = set(beneath.values_list("name", flat=True))
    assert {"Hemtjänst Norr", "Individ- och familjeomsorg", "Förskolan Solrosen"} <= names
    assert "Rektorsområde Öster" in names
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_it_gives_every_unit_a_manager_and_every_department_a_quality_developer():
    result = create_demo_organisation(StringIO())

    for unit in Unit.objects.filter(kind=UnitKind.UNIT):
        assert unit.roles.filter(kind=RoleKind.MANAGER).count() == 1, unit
    for unit in Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.ORGANISATION]):
        assert unit.roles.filter(kind=RoleKind.QUALITY_DEVELOPER).count() == 1, unit
    assert "chef.hemtjanst-norr" in result["users"]
    assert "kvalitet.soc" in result["users"]
    assert "kvalitet.kommun" in result["users"]


def test_it_scopes_the_demo_accounts_like_real_ones():
    result = create_demo_organisation(StringIO())
    users = result["users"]

    manager = User.objects.get(pk=users["chef.hemtjanst-norr"].pk)
    social = User.objects.get(pk=users["kvalitet.soc"].pk)
    everyone = User.objects.get(pk=users["kvalitet.kommun"].pk)

    assert list(scoping.managed_units(manager).values_list("name", flat=True)) == ["Hemtjänst Norr"]
    overseen = set(scoping.overseen_units(social).values_list("name", flat=True))
    assert "Hemtjänst Söder" in overseen and "Förskolan Solrosen" not in overseen
    assert scoping.overseen_units(everyone).count() == Unit.objects.count()


def test_it_prints_each_new_password_once_and_it_works():
    out = StringIO()
    result = create_demo_organisation(out)
    printed = dict(re.findall(r"^\s+(\S+) / (\S+)", out.getvalue(), re.MULTILINE))

    assert printed == result["passwords"]
    assert set(printed) == set(result["users"])
    user = User.objects.get(username="chef.forskolan-solrosen")
    assert user.check_password(printed["chef.forskolan-solrosen"])
    assert user.email == "chef.forskolan-solrosen@exempelkommun.example"


def test_it_changes_nothing_and_shows_no_passwords_when_run_again():
    create_demo_organisation(StringIO())
    before = (
        sorted(Unit.objects.values_list("code", "name", "path")),
        sorted(Role.objects.values_list("user__username", "unit__code", "kind")),
        sorted(User.objects.values_list("username", "password")),
    )
    out = StringIO()

    result = create_demo_organisation(out)

    assert result["passwords"] == {}
    assert " / " not in out.getvalue()
    assert "demo accounts exist already (passwords kept" in out.getvalue()
    assert "0 units created" in out.getvalue()
    after = (
        sorted(Unit.objects.values_list("code", "name", "path")),
        sorted(Role.objects.values_list("user__username", "unit__code", "kind")),
        sorted(User.objects.values_list("username", "password")),
    )
    assert after == before


def test_it_creates_only_the_accounts_that_are_missing():
    create_demo_organisation(StringIO())
    User.objects.filter(username="chef.kulturskolan").delete()
    out = StringIO()

    result = create_demo_organisation(out)

    assert list(result["passwords"]) == ["chef.kulturskolan"]
    assert Role.objects.filter(user__username="chef.kulturskolan").count() == 1


def test_it_is_part_of_setup_demo():
    out = StringIO()
    call_command("setup_demo", force=True, stdout=out)
    call_command("setup_demo", force=True, stdout=out)

    output = out.getvalue()
    assert "Framework loaded." in output
    assert "chef.hemtjanst-norr / " in output
    assert "demo accounts exist already" in output
    assert Unit.objects.filter(code="EK").exists()

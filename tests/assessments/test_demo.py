"""The demo organisation that `setup_demo` creates: Exempelkommun and its accounts."""

import re
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments import scoping
from assessments.demo import create_demo_organisation, demo_accounts
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
    assert "Framework kept as it is" in output  # the second time
    assert "chef.hemtjanst-norr / " in output
    assert "demo accounts exist already" in output
    assert Unit.objects.filter(code="EK").exists()


def setup_demo(**options) -> str:
    out = StringIO()
    call_command("setup_demo", force=True, stdout=out, **options)
    return out.getvalue()


def password_block(output: str) -> dict[str, str]:
    """The passwords listed in the block that closes the output, by username."""
    rule = "-" * 72
    lines = output.rstrip("\n").splitlines()
    assert lines[-1] == rule, "the output does not end with the block"
    start = len(lines) - 2 - lines[-2::-1].index(rule)
    block = lines[start + 1 : -1]
    return dict(re.findall(r"^  (\S+) / (\S+)  \(", "\n".join(block), re.MULTILINE))


ALL_ACCOUNTS = {"admin"} | {username for username, _unit, _kind in demo_accounts()}


def test_it_lists_the_new_passwords_in_one_block_at_the_end_of_setup_demo():
    output = setup_demo()

    printed = password_block(output)
    assert set(printed) == ALL_ACCOUNTS
    assert output.index("Demo round") < output.index("Accounts created")
    assert re.search(r"^  chef\.hemtjanst-norr / \S+  \(\w+, Hemtjänst Norr\)$", output, re.M)
    for username in ("admin", "kvalitet.kommun", "chef.kulturskolan"):
        assert User.objects.get(username=username).check_password(printed[username])


def test_it_says_how_to_get_new_passwords_when_it_made_none():
    setup_demo()

    output = setup_demo()

    assert password_block(output) == {}
    assert "setup_demo --reset-passwords" in output.split("-" * 72)[-2]


def test_it_gives_every_demo_account_a_new_password_on_request():
    first = password_block(setup_demo())
    AccessAttempt.objects.create(
        username="chef.hemtjanst-norr",
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/konto/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )

    output = setup_demo(reset_passwords=True)

    fresh = password_block(output)
    assert set(fresh) == ALL_ACCOUNTS
    assert output.index("Demo rounds exist already") < output.index("New passwords")
    for username, password in fresh.items():
        user = User.objects.get(username=username)
        assert password != first[username]
        assert user.check_password(password) and not user.check_password(first[username])
    # A lockout from earlier attempts would keep the new password from working.
    assert not AccessAttempt.objects.filter(username="chef.hemtjanst-norr").exists()


def test_it_resets_only_the_demo_accounts_and_the_administrator():
    setup_demo()
    someone = User.objects.create_user("someone.else", password="own-password-1234")

    setup_demo(reset_passwords=True)

    someone.refresh_from_db()
    assert someone.check_password("own-password-1234")

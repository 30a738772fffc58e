"""Scoping: who sees which units, assessments and rounds. Each function × each persona.

The org of the personas (tests/conftest.py):

    ORG Exempelkommun
    ├── DEP-A Förvaltning A   (quality_developer)
    │   ├── A1 Enhet A1        (manager_of_a)
    │   └── A2 Enhet A2        (manager_of_b)
    └── DEP-B Förvaltning B   (quality_developer_elsewhere)
        └── B1 Enhet B1
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone

from assessments import scoping
from assessments.importing import import_units
from assessments.models import AssessmentState, RoleKind, Unit, UnitAssessment
from tests.assessments.matrix import PERSONAS
from tests.factories import give_role, make_assessment, make_round, make_unit, make_user

pytestmark = pytest.mark.django_db

ALL_UNITS = {"ORG", "DEP-A", "DEP-B", "A1", "A2", "B1"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The default hasher costs seconds per persona; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def person(org, name):
    """A fresh user object (no cached roles), or an anonymous visitor."""
    if name == "anonymous":
        return AnonymousUser()
    return get_user_model().objects.get(pk=getattr(org, name).pk)


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


@pytest.fixture
def data(org):
    """Assessments on A1 (completed), A2 (individual phase) and B1 (completed); three rounds."""
    version = None
    whole = make_round(org.root, name="Hela kommunen")
    version = whole.framework_version
    dep_a_round = make_round(org.dep_a, version, name="Förvaltning A")
    b1_round = make_round(org.b1, version, name="Enhet B1")
    completed = {"state": AssessmentState.COMPLETED, "completed_at": timezone.now()}
    return {
        "rounds": {"whole": whole, "dep_a": dep_a_round, "b1": b1_round},
        "A1": make_assessment(whole, org.a1, **completed),
        "A2": make_assessment(whole, org.a2, state=AssessmentState.INDIVIDUAL),
        "B1": make_assessment(whole, org.b1, **completed),
    }


# ---------------------------------------------------------------------------------------
# Each function × each persona
# ---------------------------------------------------------------------------------------

MANAGED_UNITS = {
    "administrator": ALL_UNITS,
    "quality_developer": set(),
    "quality_developer_elsewhere": set(),
    "manager_of_a": {"A1"},
    "manager_of_b": {"A2"},
    "outsider": set(),
    "anonymous": set(),
}
OVERSEEN_UNITS = {
    "administrator": ALL_UNITS,
    "quality_developer": {"DEP-A", "A1", "A2"},
    "quality_developer_elsewhere": {"DEP-B", "B1"},
    "manager_of_a": set(),
    "manager_of_b": set(),
    "outsider": set(),
    "anonymous": set(),
}
VISIBLE_UNITS = {name: MANAGED_UNITS[name] | OVERSEEN_UNITS[name] for name in PERSONAS}
MANAGED_ASSESSMENTS = {
    "administrator": {"A1", "A2", "B1"},
    "quality_developer": set(),
    "quality_developer_elsewhere": set(),
    "manager_of_a": {"A1"},
    "manager_of_b": {"A2"},
    "outsider": set(),
    "anonymous": set(),
}
# Completed ones only: A2 is still in its individual phase.
OVERSEEN_ASSESSMENTS = {
    "administrator": {"A1", "B1"},
    "quality_developer": {"A1"},
    "quality_developer_elsewhere": {"B1"},
    "manager_of_a": set(),
    "manager_of_b": set(),
    "outsider": set(),
    "anonymous": set(),
}
PLANNED_ROUNDS = {
    "administrator": {"whole", "dep_a", "b1"},
    "quality_developer": {"dep_a"},
    "quality_developer_elsewhere": {"b1"},
    "manager_of_a": set(),
    "manager_of_b": set(),
    "outsider": set(),
    "anonymous": set(),
}
CAN_PLAN = {"administrator", "quality_developer", "quality_developer_elsewhere"}


@pytest.mark.parametrize("name", PERSONAS)
def test_it_scopes_units_for_each_persona(org, name):
    assert codes(scoping.managed_units(person(org, name))) == MANAGED_UNITS[name]
    assert codes(scoping.overseen_units(person(org, name))) == OVERSEEN_UNITS[name]
    assert codes(scoping.visible_units(person(org, name))) == VISIBLE_UNITS[name]


@pytest.mark.parametrize("name", PERSONAS)
def test_it_scopes_assessments_for_each_persona(org, data, name):
    managed = scoping.managed_assessments(person(org, name))
    overseen = scoping.overseen_assessments(person(org, name))
    assert set(managed.values_list("unit__code", flat=True)) == MANAGED_ASSESSMENTS[name]
    assert set(overseen.values_list("unit__code", flat=True)) == OVERSEEN_ASSESSMENTS[name]


@pytest.mark.parametrize("name", PERSONAS)
def test_it_scopes_rounds_for_each_persona(org, data, name):
    by_pk = {r.pk: key for key, r in data["rounds"].items()}
    rounds = scoping.planned_rounds(person(org, name))
    assert {by_pk[pk] for pk in rounds.values_list("pk", flat=True)} == PLANNED_ROUNDS[name]
    assert scoping.can_plan_rounds(person(org, name)) == (name in CAN_PLAN)


@pytest.mark.parametrize("name", PERSONAS)
def test_it_knows_who_is_an_administrator(org, name):
    assert scoping.is_administrator(person(org, name)) == (name == "administrator")


@pytest.mark.parametrize("name", PERSONAS)
def test_it_gives_404_for_every_unit_outside_the_scope(org, name):
    user = person(org, name)
    for unit in Unit.objects.all():
        if unit.code in VISIBLE_UNITS[name]:
            assert scoping.get_or_404(scoping.visible_units(user), pk=unit.pk) == unit
        else:
            with pytest.raises(Http404):
                scoping.get_or_404(scoping.visible_units(user), pk=unit.pk)


@pytest.mark.parametrize("name", PERSONAS)
def test_it_gives_404_for_every_assessment_outside_the_scope(org, data, name):
    user = person(org, name)
    for code in ("A1", "A2", "B1"):
        assessment = data[code]
        if code in MANAGED_ASSESSMENTS[name]:
            found = scoping.get_or_404(scoping.managed_assessments(user), pk=assessment.pk)
            assert found == assessment
        else:
            with pytest.raises(Http404):
                scoping.get_or_404(scoping.managed_assessments(user), pk=assessment.pk)


def test_it_gives_404_for_a_malformed_or_missing_key(org):
    user = person(org, "administrator")
    for bad in ("abc", "1.5", "", 10**9):
        with pytest.raises(Http404):
            scoping.get_or_404(scoping.visible_units(user), pk=bad)


# A view written the way every view must be, to show the whole path from URL to 404.
def unit_page(request, pk):
    unit = scoping.get_or_404(scoping.visible_units(request.user), pk=pk)
    return HttpResponse(unit.name)


urlpatterns = [path("unit/<str:pk>/", unit_page)]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("name", ["manager_of_a", "quality_developer_elsewhere", "outsider"])
def test_it_answers_404_to_someone_guessing_another_units_url(org, persona, name):
    client = persona(name)
    own = {"manager_of_a": org.a1, "quality_developer_elsewhere": org.b1, "outsider": None}[name]
    for unit in (org.a1, org.a2, org.b1, org.dep_a):
        expected = 200 if unit == own or (own == org.b1 and unit == org.dep_b) else 404
        assert client.get(f"/unit/{unit.pk}/").status_code == expected
    assert client.get("/unit/not-a-number/").status_code == 404


# ---------------------------------------------------------------------------------------
# Nested roles, staff, inactive units and people
# ---------------------------------------------------------------------------------------


def test_it_counts_nested_roles_once(org):
    give_role(org.manager_of_a, org.dep_a, RoleKind.MANAGER)  # A1 lies beneath DEP-A
    user = person(org, "manager_of_a")

    units = list(scoping.managed_units(user))

    assert sorted(u.code for u in units) == ["A1", "A2", "DEP-A"]
    assert len(units) == len(set(units))


def test_it_combines_roles_of_both_kinds_and_on_separate_subtrees(org):
    give_role(org.manager_of_a, org.b1, RoleKind.QUALITY_DEVELOPER)
    user = person(org, "manager_of_a")

    assert codes(scoping.managed_units(user)) == {"A1"}
    assert codes(scoping.overseen_units(user)) == {"B1"}
    assert codes(scoping.visible_units(user)) == {"A1", "B1"}
    assert scoping.can_plan_rounds(user)


def test_it_covers_units_added_beneath_a_role_later(org):
    new = make_unit("A1-X", "Arbetslag X", parent=org.a1)
    assert new in scoping.managed_units(person(org, "manager_of_a"))
    assert new in scoping.overseen_units(person(org, "quality_developer"))
    assert new not in scoping.visible_units(person(org, "quality_developer_elsewhere"))


def test_it_follows_a_unit_that_moves_to_another_department(org):
    Unit.objects.move(
        Unit.objects.get(pk=org.a2.pk), Unit.objects.get(pk=org.dep_b.pk), "sorted-child"
    )

    assert "A2" not in codes(scoping.overseen_units(person(org, "quality_developer")))
    assert "A2" in codes(scoping.overseen_units(person(org, "quality_developer_elsewhere")))
    assert codes(scoping.managed_units(person(org, "manager_of_b"))) == {"A2"}


def test_it_ignores_roles_on_inactive_units(org, data):
    Unit.objects.filter(pk=org.a1.pk).update(is_active=False)

    assert codes(scoping.managed_units(person(org, "manager_of_a"))) == set()
    assert scoping.managed_assessments(person(org, "manager_of_a")).count() == 0
    Unit.objects.filter(pk=org.dep_a.pk).update(is_active=False)
    assert codes(scoping.overseen_units(person(org, "quality_developer"))) == set()
    assert not scoping.can_plan_rounds(person(org, "quality_developer"))


def test_it_keeps_inactive_units_beneath_an_active_role_visible_for_their_history(org, data):
    """A closed-down unit's completed assessments stay in its department's figures."""
    Unit.objects.filter(pk=org.a1.pk).update(is_active=False)

    qd = person(org, "quality_developer")
    assert "A1" in codes(scoping.overseen_units(qd))
    assert set(scoping.overseen_assessments(qd).values_list("unit__code", flat=True)) == {"A1"}


def test_it_gives_inactive_people_nothing(org, data):
    for name in ("manager_of_a", "quality_developer", "administrator"):
        get_user_model().objects.filter(pk=getattr(org, name).pk).update(is_active=False)
        user = person(org, name)
        assert not scoping.is_administrator(user)
        assert codes(scoping.visible_units(user)) == set()
        assert scoping.managed_assessments(user).count() == 0
        assert scoping.planned_rounds(user).count() == 0


def test_it_treats_staff_without_superuser_rights_as_administrators(org):
    staff = make_user("staff-sam", is_staff=True)
    assert scoping.is_administrator(staff)
    assert codes(scoping.visible_units(staff)) == ALL_UNITS


# ---------------------------------------------------------------------------------------
# A constant number of queries, whatever the size of the tree
# ---------------------------------------------------------------------------------------


def build_tree(units: int):
    """ORG with five departments and `units` in all; returns a manager and a quality developer.

    The manager has roles on two units (one nested in the other's department) and the quality
    developer on two departments, so that several OR terms are in play.
    """
    lines = ["code,name,parent_code", "ORG,Kommunen,"]
    lines += [f"D{d},Förvaltning {d},ORG" for d in range(5)]
    lines += [f"U{i},Enhet {i},D{i % 5}" for i in range(units - 6)]
    assert import_units(("\n".join(lines) + "\n").encode()).ok
    manager, developer = make_user(), make_user()
    unit = {u.code: u for u in Unit.objects.filter(code__in=["U0", "U1", "D0", "D1"])}
    give_role(manager, unit["U0"], RoleKind.MANAGER)
    give_role(manager, unit["U1"], RoleKind.MANAGER)
    give_role(developer, unit["D0"], RoleKind.QUALITY_DEVELOPER)
    give_role(developer, unit["D1"], RoleKind.QUALITY_DEVELOPER)
    round_ = make_round(Unit.objects.get(code="ORG"))
    for i in range(0, units - 6, max(1, (units - 6) // 8)):
        make_assessment(round_, Unit.objects.get(code=f"U{i}"))
    return manager, developer


# Each function and the kinds of role that give it rows.
MANAGER, DEVELOPER = RoleKind.MANAGER, RoleKind.QUALITY_DEVELOPER
FUNCTIONS = {
    scoping.managed_units: {MANAGER},
    scoping.overseen_units: {DEVELOPER},
    scoping.visible_units: {MANAGER, DEVELOPER},
    scoping.managed_assessments: {MANAGER},
    scoping.overseen_assessments: {DEVELOPER},
    scoping.planned_rounds: {DEVELOPER},
    scoping.steered_units: {DEVELOPER},
    scoping.steered_assessments: {DEVELOPER},
}


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("function", FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_it_takes_two_queries_whatever_the_size_of_the_tree(
    size, function, django_assert_num_queries
):
    manager, developer = build_tree(size)
    for user, kind in ((manager, MANAGER), (developer, DEVELOPER)):
        fresh = get_user_model().objects.get(pk=user.pk)
        # One for the roles, one for the rows, whatever the size; without a role of the kind
        # the function needs, the rows are known to be none and cost no query.
        with django_assert_num_queries(2 if kind in FUNCTIONS[function] else 1):
            rows = list(function(fresh))
        if function in (scoping.managed_units, scoping.visible_units) and user is manager:
            assert len(rows) == 2
        if function is scoping.overseen_units and user is developer:
            assert len(rows) == 2 + sum(1 for i in range(size - 6) if i % 5 < 2)


@pytest.mark.parametrize("size", [10, 500])
def test_it_reads_the_roles_once_per_user_object(size, django_assert_num_queries):
    manager, _developer = build_tree(size)
    fresh = get_user_model().objects.get(pk=manager.pk)

    with django_assert_num_queries(1 + 3):  # the roles, then the three manager scopes
        for function in FUNCTIONS:
            list(function(fresh))
        scoping.can_plan_rounds(fresh)


@pytest.mark.parametrize("size", [10, 500])
def test_it_needs_no_role_query_for_administrators(size, django_assert_num_queries):
    build_tree(size)
    admin = make_user(is_staff=True)
    with django_assert_num_queries(1):
        units = list(scoping.visible_units(admin))
    assert len(units) == size


def test_it_finds_assessments_by_date_too(org, data):
    """Scoped querysets stay ordinary querysets: filter, order and count as usual."""
    qs = scoping.managed_assessments(person(org, "administrator"))
    assert qs.filter(round__opens_on__lte=datetime.date(2026, 9, 1)).count() == 3
    assert isinstance(qs.first(), UnitAssessment)

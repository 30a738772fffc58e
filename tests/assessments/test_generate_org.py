"""The generated organisation for benchmarks: complete, a valid tree, and made only once."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from assessments import generate
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAgreement,
    BalanceAnswer,
    DimensionAgreement,
    DimensionAnswer,
    PrincipleAgreement,
    Respondent,
    RoleKind,
    StatementAnswer,
    Unit,
    UnitAssessment,
)
from principles.models import Statement
from tests.factories import make_unit, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    return make_version(principles=3, statements=2, dimensions=2, published=True)


def test_it_generates_departments_units_and_one_completed_round(version):
    result = generate.generate_org(units=12, respondents=5, departments=3, seed=1)
    root = Unit.objects.get(code=generate.ROOT_CODE)
    assert result.root == root and result.units == 12 and result.departments == 3
    departments = list(root.get_children())
    assert [d.code for d in departments] == ["GEN-D01", "GEN-D02", "GEN-D03"]
    assert [d.get_children().count() for d in departments] == [4, 4, 4]
    assert all(u.code.startswith(generate.CODE_PREFIX) for u in root.get_descendants())

    assessments = UnitAssessment.objects.filter(round=result.round)
    assert assessments.count() == 12
    assert set(assessments.values_list("state", flat=True)) == {AssessmentState.COMPLETED}
    assert result.round.framework_version == version
    assert Respondent.objects.filter(assessment__round=result.round).count() == 60


def test_it_gives_every_respondent_full_answers_and_every_unit_agreements(version):
    result = generate.generate_org(units=4, respondents=5, seed=1)
    respondents = Respondent.objects.filter(assessment__round=result.round).count()
    statements = Statement.objects.filter(principle__version=version).count()
    assert StatementAnswer.objects.count() == respondents * statements
    assert DimensionAnswer.objects.count() == respondents * 2
    assert BalanceAnswer.objects.count() == respondents * 2
    assert PrincipleAgreement.objects.count() == 4 * 3
    assert DimensionAgreement.objects.count() == 4 * 2
    assert BalanceAgreement.objects.count() == 4 * 2
    assert Action.objects.count() <= 4 * 4


def test_it_builds_a_tree_treebeard_accepts(version):
    make_unit("ORG", "Exempelkommun", kind="organisation")
    generate.generate_org(units=7, respondents=1, departments=2)
    assert Unit.find_problems() == ([], [], [], [], [])
    # Adding to the generated tree later works as if treebeard had built it.
    department = Unit.objects.get(code="GEN-D01")
    Unit.objects.add_child(department, {"code": "GEN-NEW", "name": "Enhet 01-9999"})
    department.refresh_from_db()
    assert department.numchild == 5
    assert Unit.find_problems() == ([], [], [], [], [])


def test_it_puts_some_units_below_the_threshold_when_asked(version):
    result = generate.generate_org(units=6, respondents=5, small_units=2, seed=4)
    per_unit = Counter(
        Respondent.objects.filter(assessment__round=result.round).values_list(
            "assessment_id", flat=True
        )
    )
    assert sorted(per_unit.values()) == [3, 3, 5, 5, 5, 5]


def test_it_gives_the_generated_quality_developer_the_whole_tree(version):
    result = generate.generate_org(units=3, respondents=1)
    role = result.root.roles.get(kind=RoleKind.QUALITY_DEVELOPER)
    assert role.user.username == generate.QUALITY_DEVELOPER
    assert not role.user.has_usable_password()


def test_it_gives_generated_forvaltning_management_the_whole_tree(version):
    result = generate.generate_org(units=3, respondents=1)
    role = result.root.roles.get(kind=RoleKind.STEERING_OWNER)
    assert role.user.username == generate.STEERING_OWNER
    assert not role.user.has_usable_password()


def test_it_refuses_to_run_twice_with_a_clear_message(version):
    call_command("generate_org", units=3, respondents=1, stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"already exists.*--delete"):
        call_command("generate_org", units=3, respondents=1, stdout=io.StringIO())
    assert Unit.objects.filter(code__startswith=generate.CODE_PREFIX).count() == 1 + 1 + 3


def test_it_removes_the_generated_organisation_and_nothing_else(version, org):
    call_command("generate_org", units=5, respondents=2, stdout=io.StringIO())
    out = io.StringIO()
    call_command("generate_org", delete=True, stdout=out)
    assert "removed" in out.getvalue()
    assert not Unit.objects.filter(code__startswith=generate.CODE_PREFIX).exists()
    assert not Respondent.objects.exists()
    assert Unit.objects.filter(code__in=["ORG", "DEP-A", "A1"]).count() == 3
    assert Unit.find_problems() == ([], [], [], [], [])
    # And it can be generated again.
    call_command("generate_org", units=2, respondents=1, stdout=io.StringIO())


def test_it_needs_a_published_framework():
    with pytest.raises(CommandError, match="no published framework"):
        call_command("generate_org", units=2, respondents=1, stdout=io.StringIO())


def test_it_reports_what_it_made(version):
    out = io.StringIO()
    call_command("generate_org", units=4, respondents=2, departments=2, stdout=out)
    assert "Generated 4 units in 2 departments with 8 respondents" in out.getvalue()

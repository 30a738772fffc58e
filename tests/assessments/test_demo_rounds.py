"""The demo rounds: a completed earlier round and a current one in progress, dated from the
day the demo is made (passed in as `today`, never read from the clock here)."""

import datetime
import io
import statistics
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models import Count

from assessments.demo import create_demo_organisation
from assessments.demo_rounds import (
    DEMO_PROFILES,
    PROFILES,
    SMALL_DEMO_UNITS,
    create_demo_rounds,
    demo_plans,
    round_name,
)
from assessments.models import (
    Action,
    ActionStatus,
    AssessmentState,
    BalanceAgreement,
    BalanceAnswer,
    DimensionAgreement,
    PrincipleAgreement,
    Respondent,
    Round,
    StateChange,
    StatementAnswer,
    UnitAssessment,
)
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)
VT, HT = demo_plans(TODAY)  # Tillitsskattning VT 2026 (completed) and HT 2026 (under way)


@pytest.fixture
def framework(db):
    call_command("loaddata", "framework", verbosity=0)


@pytest.fixture
def exempelkommun(framework, settings):
    # The demo accounts' passwords need no slow hashing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create_demo_organisation(io.StringIO())


def _signature(round_name: str) -> list:
    """Every statement answer of a round, in a stable order."""
    return list(
        StatementAnswer.objects.filter(respondent__assessment__round__name=round_name)
        .order_by("respondent__assessment__unit__code", "respondent__pk", "statement__key")
        .values_list("respondent__assessment__unit__code", "statement__key", "value", "dont_know")
    )


def _mean(unit_code: str, round_name: str, principle_key: str) -> float:
    return statistics.mean(
        StatementAnswer.objects.filter(
            respondent__assessment__unit__code=unit_code,
            respondent__assessment__round__name=round_name,
            statement__principle__key=principle_key,
            dont_know=False,
        ).values_list("value", flat=True)
    )


def test_it_completes_the_spring_round_in_every_unit_with_agreements_and_actions(
    exempelkommun,
):
    out = io.StringIO()
    create_demo_rounds(out, today=TODAY)
    assert f"“{VT.name}” created with 16 units" in out.getvalue()
    spring = Round.objects.get(name=VT.name)
    assessments = list(spring.assessments.select_related("unit").annotate(n=Count("respondents")))
    assert len(assessments) == 16
    for assessment in assessments:
        assert assessment.state == AssessmentState.COMPLETED
        assert assessment.completed_at is not None
        assert PrincipleAgreement.objects.filter(assessment=assessment).count() == 7
        assert DimensionAgreement.objects.filter(assessment=assessment).count() == 6
        balances = BalanceAgreement.objects.filter(assessment=assessment)
        assert sorted(b.kind for b in balances) == ["desired", "now"]
        assert all(b.market + b.hierarchy + b.trust == 100 for b in balances)
        assert 2 <= Action.objects.filter(assessment=assessment).count() <= 4
        if assessment.unit.code in SMALL_DEMO_UNITS:
            assert assessment.n < django_settings.MIN_RESPONDENTS
        else:
            assert 6 <= assessment.n <= 14
    # Everyone in a completed unit answered every statement (some with "don't know").
    per_respondent = Counter(
        StatementAnswer.objects.filter(respondent__assessment__round=spring).values_list(
            "respondent_id", flat=True
        )
    )
    assert set(per_respondent.values()) == {28}
    assert StatementAnswer.objects.filter(dont_know=True).exists()


def test_it_draws_varied_answers_around_each_units_profile(exempelkommun):
    create_demo_rounds(io.StringIO(), today=TODAY)
    # Hemtjänst Norr trusts each other but lacks support; Förskolan Solrosen is a learning place.
    assert _mean("EK-SOC-HTN", VT.name, "tillit") - _mean("EK-SOC-HTN", VT.name, "stod") > 1.0
    assert _mean("EK-BOU-SOL", VT.name, "kunskap") > _mean("EK-SOC-HTS", VT.name, "kunskap") + 1
    values = [v for _u, _k, v, dk in _signature(VT.name) if not dk]
    assert set(values) == {1, 2, 3, 4, 5}
    assert statistics.pstdev(values) > 0.7
    # The balance answers add up, and not everyone answers alike.
    balances = BalanceAnswer.objects.values_list("market", "hierarchy", "trust")
    assert all(sum(b) == 100 for b in balances)
    assert len(set(balances)) > 20


def test_it_leaves_the_autumn_round_in_progress_at_every_step(exempelkommun):
    create_demo_rounds(io.StringIO(), today=TODAY)
    autumn = UnitAssessment.objects.filter(round__name=HT.name)
    states = Counter(autumn.values_list("state", flat=True))
    assert set(states) == set(AssessmentState.values)
    assert not Respondent.objects.filter(
        assessment__in=autumn.filter(state=AssessmentState.PREPARING)
    ).exists()
    answering = Respondent.objects.filter(
        assessment__in=autumn.filter(state=AssessmentState.INDIVIDUAL)
    )
    assert answering.filter(finished_at__isnull=True).exists()  # some are part of the way
    assert answering.filter(finished_at__isnull=False).exists()
    completed = autumn.filter(state=AssessmentState.COMPLETED)
    assert all(a.completed_at for a in completed)
    assert Action.objects.filter(assessment__in=completed).exists()
    # The spring's actions show in the autumn: the units' weakest principles rose.
    rises = [
        _mean(code, HT.name, key) - _mean(code, VT.name, key)
        for code, profile in DEMO_PROFILES.items()
        if autumn.get(unit__code=code).state != AssessmentState.PREPARING
        for key in PROFILES[profile].weakest
    ]
    assert statistics.mean(rises) > 0.3
    assert sum(rise > 0 for rise in rises) >= 0.9 * len(rises)


def test_it_is_idempotent_and_the_same_every_time(exempelkommun):
    create_demo_rounds(io.StringIO(), today=TODAY)
    before = (
        Round.objects.count(),
        UnitAssessment.objects.count(),
        Respondent.objects.count(),
        Action.objects.count(),
    )
    signature = _signature(VT.name)
    out = io.StringIO()
    create_demo_rounds(out, today=TODAY + datetime.timedelta(days=120))  # months later
    assert f"Demo rounds exist already under Exempelkommun: “{VT.name}”, “{HT.name}”" in (
        out.getvalue()
    )
    after = (
        Round.objects.count(),
        UnitAssessment.objects.count(),
        Respondent.objects.count(),
        Action.objects.count(),
    )
    assert after == before
    # Seeded: drawn again from scratch, the answers are the same.
    Round.objects.all().delete()
    create_demo_rounds(io.StringIO(), today=TODAY)
    assert _signature(VT.name) == signature


def test_it_works_on_any_tree(framework):
    root = make_unit("KOM", "Annan kommun", kind="organisation")
    department = make_unit("KOM-D", "Förvaltningen", parent=root, kind="department")
    for code in ("KOM-1", "KOM-2", "KOM-3"):
        make_unit(code, parent=department)
    make_unit("KOM-4", parent=root)
    root.refresh_from_db()
    create_demo_rounds(io.StringIO(), root=root, today=TODAY)
    for name in (VT.name, HT.name):
        units = set(
            UnitAssessment.objects.filter(round__name=name).values_list("unit__code", flat=True)
        )
        assert units == {"KOM-1", "KOM-2", "KOM-3", "KOM-4"}


def test_it_skips_quietly_without_a_framework_or_units(db):
    out = io.StringIO()
    create_demo_rounds(out, today=TODAY)
    assert "skipped" in out.getvalue()
    assert not Round.objects.exists()


def test_it_names_the_rounds_by_the_term_they_open_in():
    assert (VT.name, HT.name) == ("Tillitsskattning VT 2026", "Tillitsskattning HT 2026")
    assert round_name(datetime.date(2027, 6, 30)) == "Tillitsskattning VT 2027"
    assert round_name(datetime.date(2027, 7, 1)) == "Tillitsskattning HT 2027"


# Days across the year, a leap day and both ends of the terms among them.
SOME_DAYS = [
    datetime.date(2026, 1, 1),
    datetime.date(2027, 2, 10),
    datetime.date(2028, 2, 29),
    datetime.date(2029, 7, 1),
    datetime.date(2030, 8, 5),
    datetime.date(2031, 12, 31),
]


@pytest.mark.parametrize("today", SOME_DAYS)
def test_it_dates_the_rounds_from_today_with_distinct_names(today):
    earlier, current = demo_plans(today)
    assert earlier.name != current.name
    assert earlier.opens_on < earlier.completed_on <= earlier.closes_on < current.opens_on
    assert current.opens_on < current.completed_on < today < current.closes_on
    assert today - earlier.opens_on < datetime.timedelta(days=270)  # the picture is recent


@pytest.mark.parametrize("today", [SOME_DAYS[1], SOME_DAYS[3]])
def test_it_leaves_some_actions_done_most_ahead_and_a_few_overdue(exempelkommun, today):
    create_demo_rounds(io.StringIO(), today=today)
    actions = list(Action.objects.all())
    open_actions = [a for a in actions if a.status != ActionStatus.DONE]
    overdue = [a for a in open_actions if a.due_on < today]

    assert len(open_actions) < len(actions)  # some are done
    assert 0 < len(overdue) <= len(open_actions) // 3  # a few overdue, not all
    ahead = [a for a in open_actions if a.due_on >= today]
    assert len(ahead) > len(overdue)
    # The current round's completed units have just planned theirs: none overdue.
    current = [a for a in open_actions if a.assessment.round.name == demo_plans(today)[1].name]
    assert current and all(a.due_on > today for a in current)


def test_it_dates_nothing_that_happened_after_today(exempelkommun):
    create_demo_rounds(io.StringIO(), today=TODAY)
    moments = [
        *UnitAssessment.objects.exclude(completed_at=None).values_list("completed_at", flat=True),
        *Respondent.objects.exclude(finished_at=None).values_list("finished_at", flat=True),
        *StateChange.objects.values_list("changed_at", flat=True),
    ]
    assert moments and max(moment.date() for moment in moments) < TODAY
    current = Round.objects.get(name=HT.name)
    assert current.opens_on < TODAY < current.closes_on

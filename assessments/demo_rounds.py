"""Two demo rounds with realistic answers, for `manage.py setup_demo`.

The dates follow the day the demo is created, so that it always looks like a tool in use:
the earlier round (about seven months ago, e.g. "Tillitsskattning VT 2026") is completed in
every unit, with answers, what the group agreed, and two to four actions each – some done,
most of the rest due in the coming months, a few overdue. The current round (opened five
weeks ago, e.g. "Tillitsskattning HT 2026") is in progress: its units are at different
steps, from preparing to completed, and the completed ones have actions planned ahead. The
groups of the current round that have reached the dialogue have rated what came of the
earlier round's actions (``_rate_earlier_actions``).

Answers are drawn with a seeded random generator around a profile per unit (one strong on
Tillit but weak on Stöd, one pressed on all fronts, …), so the demo looks the same on every
machine and the reports have something to show: differences between units, disagreement
within a group, and a change between the rounds where the spring's actions took effect. Two
small units get fewer answers than the anonymity threshold, so the empty-report case shows too.

Idempotent: when the root has rounds already, no demo rounds are added (the names follow the
date, so they cannot tell whether the demo ran before).
"""

from __future__ import annotations

import datetime
import itertools
import random
import secrets
import statistics
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils import timezone

from principles.models import FrameworkVersion

from . import answers, disclosure, followup, joincodes
from .models import (
    Action,
    ActionOutcome,
    ActionRating,
    ActionStatus,
    AssessmentState,
    BalanceAgreement,
    BalanceAnswer,
    DimensionAgreement,
    DimensionAnswer,
    PrincipleAgreement,
    PrincipleComment,
    Release,
    Respondent,
    Role,
    RoleKind,
    Round,
    StateChange,
    StatementAnswer,
    Unit,
    UnitAssessment,
)

DEMO_ROOT_CODE = "EK"  # Exempelkommun, from assessments.demo
SEED = "tillit-demo-2026"
DEFAULT_MEAN = 3.3


@dataclass(frozen=True)
class Profile:
    """How a unit tends to answer: a mean per principle key, where it stands on control–trust
    now (1–7), and its steering balance now as (market, hierarchy, trust)."""

    name: str
    principles: dict[str, float]
    dimension_now: float
    balance_now: tuple[int, int, int]

    def mean(self, key: str) -> float:
        return self.principles.get(key, DEFAULT_MEAN)

    @property
    def weakest(self) -> list[str]:
        return sorted(self.principles, key=self.principles.get)[:2]


PROFILES = [
    Profile(
        "Stark tillit, svagt stöd",
        {"tillit": 4.3, "medborgarfokus": 3.8, "helhetssyn": 3.3, "handlingsutrymme": 3.6,
         "stod": 2.2, "kunskap": 3.0, "oppenhet": 3.9},
        4.3, (15, 45, 40),
    ),
    Profile(
        "Pressad verksamhet",
        {"tillit": 2.5, "medborgarfokus": 3.4, "helhetssyn": 2.6, "handlingsutrymme": 2.2,
         "stod": 2.7, "kunskap": 2.5, "oppenhet": 2.8},
        2.4, (20, 65, 15),
    ),
    Profile(
        "Medborgarnära men detaljstyrd",
        {"tillit": 3.2, "medborgarfokus": 4.4, "helhetssyn": 3.5, "handlingsutrymme": 2.3,
         "stod": 3.4, "kunskap": 2.9, "oppenhet": 3.0},
        3.0, (25, 55, 20),
    ),
    Profile(
        "Lärande arbetsplats",
        {"tillit": 3.9, "medborgarfokus": 3.6, "helhetssyn": 3.9, "handlingsutrymme": 3.7,
         "stod": 3.6, "kunskap": 4.4, "oppenhet": 3.8},
        4.7, (10, 40, 50),
    ),
    Profile(
        "Öppen men splittrad",
        {"tillit": 3.5, "medborgarfokus": 3.1, "helhetssyn": 2.3, "handlingsutrymme": 3.9,
         "stod": 3.1, "kunskap": 3.2, "oppenhet": 4.2},
        3.8, (15, 45, 40),
    ),
    Profile(
        "Stabil mitt",
        {"tillit": 3.5, "medborgarfokus": 3.4, "helhetssyn": 3.3, "handlingsutrymme": 3.2,
         "stod": 3.5, "kunskap": 3.3, "oppenhet": 3.4},
        3.5, (20, 50, 30),
    ),
]  # fmt: skip

# Exempelkommun's units get the profile that suits them; any other tree goes round-robin.
DEMO_PROFILES = {
    "EK-SOC-HTN": 0, "EK-SOC-HTS": 1, "EK-SOC-LIN": 2, "EK-SOC-IFO": 2, "EK-SOC-LSS": 3,
    "EK-BOU-SOL": 3, "EK-BOU-HAR": 5, "EK-BOU-OST": 1, "EK-BOU-VAS": 4, "EK-BOU-ELH": 0,
    "EK-SBF-BYG": 2, "EK-SBF-MIL": 5, "EK-SBF-GAT": 4, "EK-KOF-BIB": 3, "EK-KOF-FRI": 0,
    "EK-KOF-KUL": 4,
}  # fmt: skip
SMALL_DEMO_UNITS = {"EK-SOC-LSS": 4, "EK-BOU-ELH": 3}  # fewer than the anonymity threshold

COMMENTS = {
    "tillit": [
        "Chefen litar på oss, men uppifrån kommer fler och fler kontroller.",
        "Vi litar på varandra i gruppen – det märks när det blir stressigt.",
        "Det finns fortfarande en rädsla för att göra fel.",
    ],
    "medborgarfokus": [
        "Vi frågar sällan brukarna vad de tycker, vi tror att vi vet.",
        "Dokumentationen tar tid från mötet med medborgaren.",
        "Synpunkter tas om hand men det går långsamt.",
    ],
    "helhetssyn": [
        "Svårt att få tag på rätt person i andra förvaltningar.",
        "Vi jobbar i stuprör, särskilt mot regionen.",
    ],
    "handlingsutrymme": [
        "Det är oklart vad jag själv får bestämma.",
        "Schemat styr allt, det finns inget utrymme att anpassa.",
        "Vi får pröva nya sätt att jobba, det uppskattas.",
    ],
    "stod": [
        "IT-systemen krånglar och stjäl tid varje dag.",
        "Handledningen har försvunnit, den behövs.",
        "Kollegorna är det bästa stödet vi har.",
    ],
    "kunskap": [
        "Vi hinner aldrig reflektera tillsammans.",
        "APT handlar mest om information, inte om lärande.",
    ],
    "oppenhet": [
        "Beslut kommer utan förklaring.",
        "Högt i tak i gruppen, lägre uppåt i organisationen.",
    ],
}
GENERIC_COMMENTS = ["Svårt att svara på, det varierar mycket.", "Bra att vi tar upp det här."]

STRENGTHS = {
    "tillit": "Vi litar på varandra och på att alla gör sitt bästa.",
    "medborgarfokus": "Vi känner brukarna väl och anpassar oss efter dem.",
    "helhetssyn": "Samarbetet med grannenheterna fungerar bra.",
    "handlingsutrymme": "Medarbetarna får fatta beslut nära brukaren.",
    "stod": "Kollegorna ställer upp när det är tungt.",
    "kunskap": "Vi har fasta tider för reflektion och lär av varandra.",
    "oppenhet": "Högt i tak – vi säger vad vi tycker.",
}
OBSTACLES = {
    "tillit": "Kontroller uppifrån signalerar misstro; rädsla för att göra fel.",
    "medborgarfokus": "Dokumentation och administration tar tid från brukarna.",
    "helhetssyn": "Stuprör mellan förvaltningarna; oklart vem som äger gemensamma problem.",
    "handlingsutrymme": "Oklart mandat och scheman som inte går att rubba.",
    "stod": "IT-system som inte stöder arbetet och för lite handledning.",
    "kunskap": "Ingen tid avsatt för gemensam reflektion.",
    "oppenhet": "Beslut kommer utan förklaring och återkoppling.",
}
ACTIONS = {
    "tillit": ["Gå igenom vilka kontroller vi kan ta bort", "Gemensam dag om felkultur"],
    "medborgarfokus": [
        "Fråga tio brukare vad som är viktigast för dem",
        "Korta dokumentationsmallen",
    ],
    "helhetssyn": [
        "Träff med grannenheten varje kvartal",
        "Lista kontaktpersoner i andra förvaltningar",
    ],
    "handlingsutrymme": [
        "Skriv ner vilka beslut medarbetarna själva fattar",
        "Pröva självschemaläggning",
    ],
    "stod": [
        "Samla IT-problemen och ta dem till IT-rådet",
        "Återinför handledning en gång i månaden",
    ],
    "kunskap": ["Avsätt 30 minuter reflektion på varje APT", "Bjud in forskare från högskolan"],
    "oppenhet": [
        "Chefen återkopplar beslut från ledningsgruppen varje vecka",
        "Anonym frågelåda på APT",
    ],
}
RESPONSIBLE = ["Enhetschef", "Arbetsgrupp", "Skyddsombud", "Alla medarbetare", "Samordnare"]


@dataclass(frozen=True)
class RoundPlan:
    key: str  # seeds the random draws, so the answers are the same whatever the date
    name: str
    opens_on: datetime.date
    closes_on: datetime.date
    completed_on: datetime.date
    improvement: float  # how much the earlier round's weakest principles rose since
    all_completed: bool  # the earlier round is completed in every unit


# Days before (or after) the day the demo is created. The rounds lie 27 weeks apart, so
# their names always fall in different terms.
CURRENT_OPENED_DAYS_AGO = 35
CURRENT_CLOSES_IN_DAYS = 40
CURRENT_COMPLETED_DAYS_AGO = 10
ROUNDS_APART_DAYS = 189
# When the groups set their actions to be due. The earlier round's open actions are mostly
# still ahead (longer undertakings), and a few (one draw in nine) are overdue; the current round's
# completed units have just planned theirs.
EARLIER_DONE_DUE_AFTER = [30, 45, 60, 90]
EARLIER_OPEN_DUE_FROM_TODAY = [-14, 14, 21, 30, 45, 60, 75, 90, 120]
CURRENT_DUE_AFTER = [30, 45, 60, 90, 120]


def round_name(opens_on: datetime.date) -> str:
    """The round named by its term: "Tillitsskattning VT 2027" (spring) or "… HT 2026"."""
    term = "VT" if opens_on.month <= 6 else "HT"
    return f"Tillitsskattning {term} {opens_on.year}"


def demo_plans(today: datetime.date) -> tuple[RoundPlan, RoundPlan]:
    """The earlier, completed round and the current one, dated from `today`."""
    days = datetime.timedelta
    current_opens = today - days(CURRENT_OPENED_DAYS_AGO)
    earlier_opens = current_opens - days(ROUNDS_APART_DAYS)
    # The seed keys are those of the first demo (a spring and an autumn round).
    earlier = RoundPlan(
        "vt", round_name(earlier_opens), earlier_opens, earlier_opens + days(87),
        earlier_opens + days(46), 0.0, all_completed=True,
    )  # fmt: skip
    current = RoundPlan(
        "ht", round_name(current_opens), current_opens, today + days(CURRENT_CLOSES_IN_DAYS),
        today - days(CURRENT_COMPLETED_DAYS_AGO), 0.5, all_completed=False,
    )  # fmt: skip
    return earlier, current


# The current round is under way: its units are spread over the four steps.
CURRENT_STATES = [
    AssessmentState.COMPLETED,
    AssessmentState.DIALOGUE,
    AssessmentState.INDIVIDUAL,
    AssessmentState.INDIVIDUAL,
    AssessmentState.PREPARING,
]


def _root() -> Unit | None:
    return (
        Unit.objects.filter(code=DEMO_ROOT_CODE).first()
        or Unit.objects.get_root_nodes().order_by("path").first()
    )


def _leaves(root: Unit) -> list[Unit]:
    units = list(Unit.objects.get_tree(root).filter(is_active=True).order_by("path"))
    parents = {unit.path[: -Unit.steplen] for unit in units}
    return [unit for unit in units if unit.path not in parents]


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def create_demo_rounds(
    stdout: IO[str], root: Unit | None = None, today: datetime.date | None = None
) -> None:
    """Create the two demo rounds under `root` (default: Exempelkommun, or the first tree),
    dated from `today` (default: the local date)."""
    root = root or _root()
    version = FrameworkVersion.objects.current()
    if root is None or version is None:
        stdout.write("Demo rounds skipped: load the framework and create units first.\n")
        return
    leaves = _leaves(root)
    if not leaves:
        stdout.write("Demo rounds skipped: no units to take part.\n")
        return
    framework = _Framework(version)
    managers = dict(
        Role.objects.filter(kind=RoleKind.MANAGER, unit__in=leaves).values_list(
            "unit_id", "user_id"
        )
    )
    existing = list(Round.objects.filter(root=root).order_by("opens_on").values_list("name"))
    if existing:
        names = ", ".join(f"“{name}”" for (name,) in existing)
        stdout.write(f"Demo rounds exist already under {root.name}: {names} (kept as they are).\n")
        return
    today = today or timezone.localdate()
    for plan in demo_plans(today):
        _create_round(plan, root, leaves, framework, managers, today)
        stdout.write(f"Demo round “{plan.name}” created with {len(leaves)} units.\n")
    earlier, current = demo_plans(today)
    rated = _rate_earlier_actions(root, earlier, current, managers)
    stdout.write(f"{rated} of the earlier round's actions rated in the current round.\n")


def _outcome(action: Action, before: int | None, after: int | None, rng: random.Random) -> str:
    """What a group would say came of an action, given how its principle's score moved."""
    if action.status == ActionStatus.IN_PROGRESS:
        return ActionOutcome.ONGOING
    if action.status == ActionStatus.PLANNED:
        # Most planned actions are still to come; now and then one was let go.
        return ActionOutcome.NOT_DONE if rng.random() < 0.3 else ActionOutcome.ONGOING
    if before is None or after is None or after == before:
        return ActionOutcome.NO_DIFFERENCE if rng.random() < 0.6 else ActionOutcome.HELPED
    return ActionOutcome.HELPED if after > before else ActionOutcome.WORSE


@transaction.atomic
def _rate_earlier_actions(
    root: Unit, earlier: RoundPlan, current: RoundPlan, managers: dict
) -> int:
    """The current round's groups that have reached the dialogue rate the earlier round's
    actions: a done action whose principle's agreed score rose "helped", one whose score
    stayed mostly "no difference", one whose score fell "made things worse"; actions under
    way "still under way". A group still in the dialogue has rated the first two so far."""
    assessments = {
        (a.round.name, a.unit_id): a
        for a in UnitAssessment.objects.filter(round__root=root).select_related("round")
    }
    scores = {
        (aid, key): score
        for aid, key, score in PrincipleAgreement.objects.filter(
            assessment__round__root=root
        ).values_list("assessment_id", "principle__key", "score")
    }
    actions = Action.objects.filter(
        assessment__round__name=earlier.name, assessment__round__root=root
    )
    by_unit: dict[int, list[Action]] = {}
    for action in actions.select_related("principle", "assessment").order_by("due_on", "pk"):
        by_unit.setdefault(action.assessment.unit_id, []).append(action)
    ratings, changed = [], []
    for unit_id, unit_actions in by_unit.items():
        later = assessments.get((current.name, unit_id))
        if later is None or later.state not in (
            AssessmentState.DIALOGUE,
            AssessmentState.COMPLETED,
        ):
            continue
        rng = random.Random(f"{SEED}:rating:{unit_id}")
        if later.state == AssessmentState.DIALOGUE:
            unit_actions = unit_actions[:2]
        for action in unit_actions:
            key = action.principle.key if action.principle_id else None
            outcome = _outcome(
                action,
                scores.get((action.assessment_id, key)),
                scores.get((later.pk, key)),
                rng,
            )
            ratings.append(
                ActionRating(
                    action=action,
                    assessment=later,
                    outcome=outcome,
                    lock_version=1,
                    updated_by_id=managers.get(unit_id),
                )
            )
            status = followup.STATUS_AFTER[outcome]
            if action.status != status:
                action.status = status
                changed.append(action)
    ActionRating.objects.bulk_create(ratings)
    Action.objects.bulk_update(changed, ["status"])
    return len(ratings)


class _Framework:
    """The version's items, read once."""

    def __init__(self, version: FrameworkVersion) -> None:
        self.version = version
        self.principles = list(
            version.principles.prefetch_related("statements").order_by("order", "pk")
        )
        self.statements = {
            p.pk: sorted(p.statements.all(), key=lambda s: (s.order, s.pk)) for p in self.principles
        }
        self.dimensions = list(version.dimensions.order_by("order", "pk"))
        self.layout = disclosure.Layout.of(self.principles, self.dimensions)


@transaction.atomic
def _create_round(
    plan: RoundPlan,
    root: Unit,
    leaves: list[Unit],
    framework: _Framework,
    managers: dict,
    today: datetime.date,
) -> None:
    round_ = Round.objects.create(
        name=plan.name,
        framework_version=framework.version,
        root=root,
        opens_on=plan.opens_on,
        closes_on=plan.closes_on,
    )
    codes = joincodes.unused_codes(len(leaves))
    for index, (unit, code) in enumerate(zip(leaves, codes, strict=True)):
        profile = PROFILES[DEMO_PROFILES.get(unit.code, index) % len(PROFILES)]
        if plan.all_completed:
            state = AssessmentState.COMPLETED
        else:
            state = CURRENT_STATES[index % len(CURRENT_STATES)]
        rng = random.Random(f"{SEED}:{plan.key}:{unit.code}")
        _create_assessment(
            plan, round_, unit, code, state, profile, rng, framework, managers, today
        )


def _create_assessment(
    plan: RoundPlan,
    round_: Round,
    unit: Unit,
    code: str,
    state: str,
    profile: Profile,
    rng: random.Random,
    framework: _Framework,
    managers: dict,
    today: datetime.date,
) -> None:
    completed_at = _moment(plan.completed_on, rng) if state == AssessmentState.COMPLETED else None
    manager_id = managers.get(unit.pk)
    assessment = UnitAssessment.objects.create(
        round=round_,
        unit=unit,
        join_code=code,
        state=state,
        completed_at=completed_at,
        completed_by_id=manager_id if completed_at else None,
    )
    _record_steps(assessment, state, plan, manager_id, rng)
    if state == AssessmentState.PREPARING:
        return

    count = SMALL_DEMO_UNITS.get(unit.code) or rng.randint(6, 14)
    # A meeting expects a few more than turn up.
    UnitAssessment.objects.filter(pk=assessment.pk).update(
        expected_respondents=count + rng.randint(0, 3)
    )
    total = len(framework.principles)
    # In a unit still answering, some are only part of the way through.
    how_far = [
        total
        if state != AssessmentState.INDIVIDUAL or rng.random() < 0.6
        else rng.randint(1, max(total - 1, 1))
        for _ in range(count)
    ]
    respondents = Respondent.objects.bulk_create(
        Respondent(
            assessment=assessment,
            token_hash=answers.hash_token(secrets.token_urlsafe(32)),
            finished_at=(
                _moment(plan.opens_on + datetime.timedelta(days=rng.randint(3, 20)), rng)
                if done == total
                else None
            ),
        )
        for done in how_far
    )

    # What is particular to the unit stays from one round to the next (its own seed); only
    # the people's answers and the effect of the spring's actions differ.
    unit_rng = random.Random(f"{SEED}:{unit.code}")
    means = {
        p.key: profile.mean(p.key)
        + unit_rng.uniform(-0.15, 0.15)
        + (plan.improvement if p.key in profile.weakest else 0.0)
        for p in framework.principles
    }
    offsets = {
        s.key: unit_rng.gauss(0, 0.3)
        for statements in framework.statements.values()
        for s in statements
    }
    statement_rows, comment_rows, dimension_rows, balance_rows = [], [], [], []
    for respondent, done in zip(respondents, how_far, strict=True):
        bias = rng.gauss(0, 0.45)
        for principle in framework.principles[:done]:
            for statement in framework.statements[principle.pk]:
                if rng.random() < 0.04:
                    statement_rows.append(
                        StatementAnswer(
                            respondent=respondent, statement=statement, value=None, dont_know=True
                        )
                    )
                    continue
                mean = means[principle.key] + bias + offsets[statement.key]
                statement_rows.append(
                    StatementAnswer(
                        respondent=respondent,
                        statement=statement,
                        value=_clamp(rng.gauss(mean, 0.75), 1, 5),
                        dont_know=False,
                    )
                )
            if rng.random() < 0.15:
                comment_rows.append(
                    PrincipleComment(
                        respondent=respondent,
                        principle=principle,
                        text=rng.choice(COMMENTS.get(principle.key, GENERIC_COMMENTS)),
                    )
                )
        if done < total:
            continue
        for dimension in framework.dimensions:
            now = _clamp(rng.gauss(profile.dimension_now + bias + plan.improvement / 2, 0.9), 1, 7)
            desired = _clamp(rng.gauss(5.6 + bias / 2, 0.7), now, 7)
            dimension_rows.append(
                DimensionAnswer(
                    respondent=respondent, dimension=dimension, now=now, desired=desired
                )
            )
        market, hierarchy, trust = profile.balance_now
        shift = round(plan.improvement * 10)
        now_points = _points(rng, market, hierarchy - shift, trust + shift)
        desired_points = _points(rng, max(market - 5, 0), hierarchy - 15, trust + 20)
        for kind, (m, h, t) in (("now", now_points), ("desired", desired_points)):
            balance_rows.append(
                BalanceAnswer(respondent=respondent, kind=kind, market=m, hierarchy=h, trust=t)
            )
    StatementAnswer.objects.bulk_create(statement_rows)
    PrincipleComment.objects.bulk_create(comment_rows)
    DimensionAnswer.objects.bulk_create(dimension_rows)
    BalanceAnswer.objects.bulk_create(balance_rows)

    if state in (AssessmentState.DIALOGUE, AssessmentState.COMPLETED):
        # The manager showed the group its results in the meeting (when enough answered).
        outcome = disclosure.release(assessment, layout=framework.layout)
        if outcome.release is not None and completed_at is not None:
            Release.objects.filter(pk=outcome.release.pk).update(released_at=completed_at)
        if completed_at is not None:
            UnitAssessment.objects.filter(pk=assessment.pk).update(
                counted_respondents=disclosure.participation(assessment).counted
            )

    if state == AssessmentState.COMPLETED:
        _agree(assessment, plan, profile, rng, framework, statement_rows, dimension_rows,
               balance_rows, manager_id, today)  # fmt: skip


def _points(rng: random.Random, market: float, hierarchy: float, trust: float) -> tuple:
    """100 whole points spread around (market, hierarchy, trust), none below zero."""
    raw = [max(0.0, rng.gauss(value, 8)) for value in (market, hierarchy, trust)]
    total = sum(raw) or 1.0
    points = [round(value * 100 / total / 5) * 5 for value in raw]  # people think in fives
    # Rounding may miss 100 by a few points: the largest share absorbs the difference.
    points[points.index(max(points))] += 100 - sum(points)
    return tuple(points)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(8, 15), rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _record_steps(
    assessment: UnitAssessment, state: str, plan: RoundPlan, manager_id, rng: random.Random
) -> None:
    order = [
        AssessmentState.PREPARING,
        AssessmentState.INDIVIDUAL,
        AssessmentState.DIALOGUE,
        AssessmentState.COMPLETED,
    ]
    steps = order[: order.index(state) + 1]
    for number, (before, after) in enumerate(itertools.pairwise(steps)):
        change = StateChange.objects.create(
            assessment=assessment, from_state=before, to_state=after, changed_by_id=manager_id
        )
        day = plan.opens_on + datetime.timedelta(days=2 + 12 * number)
        if after == AssessmentState.COMPLETED:
            day = plan.completed_on
        # changed_at is set on insert; the demo dates it back to when the step was taken.
        StateChange.objects.filter(pk=change.pk).update(changed_at=_moment(day, rng))


def _agree(
    assessment: UnitAssessment,
    plan: RoundPlan,
    profile: Profile,
    rng: random.Random,
    framework: _Framework,
    statement_rows: list[StatementAnswer],
    dimension_rows: list[DimensionAnswer],
    balance_rows: list[BalanceAnswer],
    manager_id,
    today: datetime.date,
) -> None:
    """What the group agreed in the dialogue, and its actions."""
    by_principle: dict[int, list[int]] = {}
    principle_of = {s.pk: p for p in framework.principles for s in framework.statements[p.pk]}
    for row in statement_rows:
        if not row.dont_know:
            by_principle.setdefault(principle_of[row.statement_id].pk, []).append(row.value)
    scores = {
        p.pk: _clamp(statistics.median(by_principle[p.pk]), 1, 5)
        for p in framework.principles
        if by_principle.get(p.pk)
    }
    ranked = sorted(scores, key=scores.get)
    weakest = set(ranked[:2])
    strongest = set(ranked[-2:])
    PrincipleAgreement.objects.bulk_create(
        PrincipleAgreement(
            assessment=assessment,
            principle=principle,
            score=scores.get(principle.pk),
            strengths=STRENGTHS.get(principle.key, "") if principle.pk in strongest else "",
            obstacles=OBSTACLES.get(principle.key, "") if principle.pk in weakest else "",
            updated_by_id=manager_id,
        )
        for principle in framework.principles
    )
    DimensionAgreement.objects.bulk_create(
        DimensionAgreement(
            assessment=assessment,
            dimension=dimension,
            now=_clamp(statistics.median(r.now for r in rows), 1, 7) if rows else None,
            desired=_clamp(statistics.median(r.desired for r in rows), 1, 7) if rows else None,
            updated_by_id=manager_id,
        )
        for dimension in framework.dimensions
        for rows in [[r for r in dimension_rows if r.dimension_id == dimension.pk]]
    )
    agreements = []
    for kind in ("now", "desired"):
        rows = [r for r in balance_rows if r.kind == kind]
        if not rows:
            continue
        shares = [
            round(statistics.mean(getattr(r, key) for r in rows) / 5) * 5
            for key in ("market", "hierarchy", "trust")
        ]
        shares[shares.index(max(shares))] += 100 - sum(shares)
        market, hierarchy, trust = shares
        agreements.append(
            BalanceAgreement(
                assessment=assessment,
                kind=kind,
                market=market,
                hierarchy=hierarchy,
                trust=trust,
                updated_by_id=manager_id,
            )
        )
    BalanceAgreement.objects.bulk_create(agreements)

    by_pk = {p.pk: p for p in framework.principles}
    focus = [by_pk[pk] for pk in ranked[:2]] or framework.principles[:2]
    titles = [
        (principle, title)
        for principle in focus
        for title in ACTIONS.get(principle.key, ["Följ upp i nästa arbetsplatsträff"])
    ]
    rng.shuffle(titles)
    completed = assessment.completed_at.date()
    actions = []
    for principle, title in titles[: rng.randint(2, 4)]:
        if plan.all_completed:  # the earlier round's actions have been followed up since
            status = rng.choice(
                [
                    ActionStatus.DONE,
                    ActionStatus.DONE,
                    ActionStatus.IN_PROGRESS,
                    ActionStatus.PLANNED,
                ]
            )
            if status == ActionStatus.DONE:
                due = completed + datetime.timedelta(days=rng.choice(EARLIER_DONE_DUE_AFTER))
            else:
                due = today + datetime.timedelta(days=rng.choice(EARLIER_OPEN_DUE_FROM_TODAY))
        else:
            status = ActionStatus.PLANNED
            due = completed + datetime.timedelta(days=rng.choice(CURRENT_DUE_AFTER))
        actions.append(
            Action(
                assessment=assessment,
                principle=principle,
                title=title,
                responsible=rng.choice(RESPONSIBLE),
                due_on=due,
                status=status,
            )
        )
    Action.objects.bulk_create(actions)

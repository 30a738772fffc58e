"""Realistic data for the balance report: the real framework, varied answers, two rounds.

``make_framework`` builds a framework version from ``fixtures/framework.json`` (seven
principles, six dimensions, three steering principles, the supporting texts) without fixed
primary keys, so a test can have several versions. ``make_next_framework`` copies one into a
newer version in which a principle is renamed and the order changed — keys stay, as the
framework editor keeps them — so comparisons across versions can be tested.

``make_report_scenario`` gives Enhet A1 of the ``org`` fixture a completed assessment in the
autumn round (newer framework) with varied answers, agreements, dialogue notes and actions,
an earlier completed assessment in the spring round (older framework), and three more units
in Förvaltning A completed in the autumn round, so the department median can be shown.
"""

import datetime
import json
import random
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from assessments import disclosure
from assessments.models import (
    Action,
    ActionStatus,
    AssessmentState,
    BalanceAgreement,
    BalanceAnswer,
    BalanceKind,
    DimensionAgreement,
    DimensionAnswer,
    PrincipleAgreement,
    Respondent,
    StatementAnswer,
    UnitAssessment,
)
from principles.models import (
    Dimension,
    FrameworkVersion,
    Principle,
    ReflectionQuestion,
    Statement,
    SteeringPrinciple,
    SupportingText,
    VersionStatus,
)
from principles.services import copy_to_draft
from tests.factories import make_assessment, make_round, make_unit, release

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "framework.json"


@cache
def _fixture_rows() -> tuple[dict, ...]:
    return tuple(json.loads(FIXTURE.read_text(encoding="utf-8")))


def _publish(version: FrameworkVersion, when: datetime.datetime | None = None) -> None:
    FrameworkVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED, published_at=when or timezone.now()
    )
    version.refresh_from_db()


def make_framework(
    name: str = "Tillitsbaserad styrning och ledning 2026", *, published: bool = True
) -> FrameworkVersion:
    """The real framework from the fixture, as a new version (no fixed primary keys)."""
    rows = _fixture_rows()
    meta = next(r["fields"] for r in rows if r["model"] == "principles.frameworkversion")
    version = FrameworkVersion.objects.create(name=name, source=meta["source"])
    principle_by_old_pk = {}
    models = {
        "principles.dimension": Dimension,
        "principles.steeringprinciple": SteeringPrinciple,
        "principles.supportingtext": SupportingText,
    }
    for row in rows:
        fields = dict(row["fields"])
        if row["model"] == "principles.principle":
            fields["version"] = version
            principle_by_old_pk[row["pk"]] = Principle.objects.create(**fields)
        elif row["model"] in models:
            fields["version"] = version
            models[row["model"]].objects.create(**fields)
    for row in rows:
        fields = dict(row["fields"])
        if row["model"] == "principles.statement":
            fields["principle"] = principle_by_old_pk[fields["principle"]]
            Statement.objects.create(**fields)
        elif row["model"] == "principles.reflectionquestion":
            fields["principle"] = principle_by_old_pk[fields["principle"]]
            ReflectionQuestion.objects.create(**fields)
    if published:
        _publish(version)
    return version


def make_next_framework(
    version: FrameworkVersion, name: str = "Tillitsbaserad styrning och ledning 2027"
) -> FrameworkVersion:
    """A newer version: "Stöd" renamed and moved first, "Tillit" moved last; keys unchanged."""
    draft = copy_to_draft(version, name=name)
    principles = {p.key: p for p in draft.principles.all()}
    support = principles["stod"]
    support.name_sv = "Stöd och förutsättningar"
    support.name_en = "Support and resources"
    support.order = 0
    support.save()
    trust = principles["tillit"]
    trust.order = 99
    trust.save()
    _publish(draft)
    return draft


# ---------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------

# How the unit tends to see each principle (mean on 1–5) and how much people differ on it.
TENDENCY = {
    "tillit": (3.9, 0.6),
    "medborgarfokus": (4.2, 0.5),
    "helhetssyn": (3.0, 0.9),
    "handlingsutrymme": (2.6, 1.3),
    "stod": (2.3, 0.8),
    "kunskap": (3.5, 0.7),
    "oppenhet": (3.3, 1.1),
}


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _balance(rng: random.Random, market: float, hierarchy: float) -> tuple[int, int, int]:
    m = _clamp(rng.gauss(market, 6), 0, 60)
    h = _clamp(rng.gauss(hierarchy, 10), 0, 100 - m)
    return m, h, 100 - m - h


def add_answers(assessment: UnitAssessment, count: int, *, seed: int = 7) -> list[Respondent]:
    """``count`` respondents with varied, plausible answers to everything (bulk inserts)."""
    rng = random.Random(seed)
    version_id = assessment.round.framework_version_id
    statements = list(
        Statement.objects.filter(principle__version_id=version_id).select_related("principle")
    )
    dimensions = list(Dimension.objects.filter(version_id=version_id))
    respondents = Respondent.objects.bulk_create(
        Respondent(
            assessment=assessment, token_hash=secrets.token_hex(32), finished_at=timezone.now()
        )
        for _ in range(count)
    )
    statement_rows, dimension_rows, balance_rows = [], [], []
    for respondent in respondents:
        mood = rng.gauss(0, 0.4)  # some people see everything a little brighter
        for statement in statements:
            mean, spread = TENDENCY.get(statement.principle.key, (3.2, 0.9))
            if rng.random() < 0.06:
                statement_rows.append(
                    StatementAnswer(
                        respondent=respondent, statement=statement, value=None, dont_know=True
                    )
                )
                continue
            value = _clamp(rng.gauss(mean + mood, spread), 1, 5)
            statement_rows.append(
                StatementAnswer(respondent=respondent, statement=statement, value=value)
            )
        for position, dimension in enumerate(dimensions):
            now = _clamp(rng.gauss(2.6 + position * 0.3, 1.0), 1, 7)
            desired = _clamp(rng.gauss(5.4, 0.8), now, 7)
            dimension_rows.append(
                DimensionAnswer(
                    respondent=respondent, dimension=dimension, now=now, desired=desired
                )
            )
        for kind, (market, hierarchy) in (
            (BalanceKind.NOW, (18, 56)),
            (BalanceKind.DESIRED, (10, 35)),
        ):
            m, h, t = _balance(rng, market, hierarchy)
            balance_rows.append(
                BalanceAnswer(respondent=respondent, kind=kind, market=m, hierarchy=h, trust=t)
            )
    StatementAnswer.objects.bulk_create(statement_rows)
    DimensionAnswer.objects.bulk_create(dimension_rows)
    BalanceAnswer.objects.bulk_create(balance_rows)
    return respondents


# ---------------------------------------------------------------------------------------
# Agreements and actions
# ---------------------------------------------------------------------------------------

NOTES = {
    "tillit": (
        "Vi litar på varandra i arbetsgruppen och hjälps åt när det blir mycket.",
        "Nya kollegor får inte alltid samma förtroende från början.",
    ),
    "medborgarfokus": (
        "Brukarnas synpunkter tas upp på varje arbetsplatsträff.",
        "",
    ),
    "helhetssyn": (
        "",
        "Samarbetet med biståndshandläggarna stannar ofta vid gränsen mellan "
        "förvaltningarna. Ärenden bollas fram och tillbaka.",
    ),
    "handlingsutrymme": (
        "Erfarna medarbetare vet var gränserna går.",
        "Oklart vad vi får besluta själva om inköp under 5 000 kr; allt går via chefen.",
    ),
    "stod": (
        "",
        "IT-stödet för dokumentation kräver dubbelregistrering och tar tid från brukarna.",
    ),
}

ACTIONS = [
    (
        "handlingsutrymme",
        "Skriv ner vilka beslut arbetslaget får fatta själva, och sätt en beloppsgräns",
        "Enhetschef Maja Lind",
        datetime.date(2026, 12, 1),
        ActionStatus.IN_PROGRESS,
    ),
    (
        "stod",
        "Ta upp dubbelregistreringen i verksamhetssystemet med IT-förvaltningen",
        "Samordnare Ali Hassan",
        datetime.date(2027, 1, 31),
        ActionStatus.PLANNED,
    ),
    (
        "helhetssyn",
        "Bjud in biståndshandläggarna till ett gemensamt möte om tre svåra ärenden",
        "Arbetslag Norr",
        datetime.date(2027, 2, 15),
        ActionStatus.PLANNED,
    ),
    (
        None,
        "Följ upp handlingsplanen på arbetsplatsträffen varje månad",
        "Alla",
        None,
        ActionStatus.DONE,
    ),
]


def agree(
    assessment: UnitAssessment,
    *,
    scores: dict[str, int | None],
    positions: dict[str, tuple[int | None, int | None]] | None = None,
    balance: dict[str, tuple[int, int, int]] | None = None,
    notes: dict[str, tuple[str, str]] | None = None,
) -> None:
    """Store what the group agreed: scores (and notes) by principle key, dimensions, balance."""
    version_id = assessment.round.framework_version_id
    for principle in Principle.objects.filter(version_id=version_id):
        if principle.key not in scores and principle.key not in (notes or {}):
            continue
        strengths, obstacles = (notes or {}).get(principle.key, ("", ""))
        PrincipleAgreement.objects.create(
            assessment=assessment,
            principle=principle,
            score=scores.get(principle.key),
            strengths=strengths,
            obstacles=obstacles,
        )
    for dimension in Dimension.objects.filter(version_id=version_id):
        if positions and dimension.key in positions:
            now, desired = positions[dimension.key]
            DimensionAgreement.objects.create(
                assessment=assessment, dimension=dimension, now=now, desired=desired
            )
    for kind, (market, hierarchy, trust) in (balance or {}).items():
        BalanceAgreement.objects.create(
            assessment=assessment, kind=kind, market=market, hierarchy=hierarchy, trust=trust
        )


def add_actions(assessment: UnitAssessment, actions=ACTIONS) -> list[Action]:
    principles = {
        p.key: p for p in Principle.objects.filter(version_id=assessment.round.framework_version_id)
    }
    return [
        Action.objects.create(
            assessment=assessment,
            principle=principles.get(key) if key else None,
            title=title,
            responsible=who,
            due_on=due,
            status=status,
        )
        for key, title, who, due, status in actions
    ]


def complete(assessment: UnitAssessment, when: datetime.datetime | None = None) -> None:
    release(assessment)  # as the dialogue did, or completion does when it was not shown
    assessment.state = AssessmentState.COMPLETED
    assessment.completed_at = when or timezone.now()
    assessment.counted_respondents = disclosure.participation(assessment).counted
    assessment.save(update_fields=["state", "completed_at", "counted_respondents"])


# ---------------------------------------------------------------------------------------
# The whole scenario
# ---------------------------------------------------------------------------------------

SCORES_NOW = {
    "tillit": 4,
    "medborgarfokus": 4,
    "helhetssyn": 3,
    "handlingsutrymme": 2,
    "stod": 2,
    "kunskap": 4,
    "oppenhet": 3,
}
SCORES_BEFORE = {
    "tillit": 3,
    "medborgarfokus": 4,
    "helhetssyn": 3,
    "handlingsutrymme": 2,
    "stod": 3,
    "kunskap": 3,
    "oppenhet": 2,
}
POSITIONS_NOW = {
    "design": (2, 5),
    "responsibility": (3, 5),
    "focus": (3, 6),
    "instruments": (2, 5),
    # "follow_up" not agreed: the report falls back to the medians
    "means": (4, 6),
}
POSITIONS_BEFORE = {
    "design": (2, 4),
    "responsibility": (2, 5),
    "focus": (3, 5),
    "instruments": (2, 4),
    "follow_up": (3, 5),
    "means": (3, 6),
}


@dataclass
class ReportScenario:
    version_before: FrameworkVersion
    version_now: FrameworkVersion
    round_before: object
    round_now: object
    before: UnitAssessment  # Enhet A1, spring round, completed
    assessment: UnitAssessment  # Enhet A1, autumn round, completed
    neighbours: list[UnitAssessment]  # other units of Förvaltning A, autumn round


def make_report_scenario(
    org,
    *,
    respondents: int = 8,
    state: str = AssessmentState.COMPLETED,
    share_notes: bool = False,
    neighbours: int = 3,
    seed: int = 7,
) -> ReportScenario:
    version_before = make_framework("Tillitsbaserad styrning och ledning 2026")
    version_now = make_next_framework(version_before)
    round_before = make_round(
        org.root,
        version_before,
        name="Tillitsskattning VT 2026",
        opens_on=datetime.date(2026, 2, 1),
        closes_on=datetime.date(2026, 5, 31),
    )
    round_now = make_round(org.root, version_now, name="Tillitsskattning HT 2026")

    before = make_assessment(round_before, org.a1, share_notes=True)
    add_answers(before, 7, seed=seed + 1)
    agree(
        before,
        scores=SCORES_BEFORE,
        positions=POSITIONS_BEFORE,
        balance={"now": (20, 60, 20), "desired": (10, 40, 50)},
    )
    complete(before, timezone.make_aware(datetime.datetime(2026, 4, 20, 14, 0)))

    assessment = make_assessment(round_now, org.a1, share_notes=share_notes)
    add_answers(assessment, respondents, seed=seed)
    agree(
        assessment,
        scores=SCORES_NOW,
        positions=POSITIONS_NOW,
        balance={"now": (15, 60, 25), "desired": (10, 35, 55)},
        notes=NOTES,
    )
    add_actions(assessment)
    if state == AssessmentState.COMPLETED:
        complete(assessment, timezone.make_aware(datetime.datetime(2026, 10, 14, 15, 30)))
    else:
        assessment.state = state
        assessment.save(update_fields=["state"])
        if state == AssessmentState.DIALOGUE:
            release(assessment)  # the manager has shown the results

    others = [org.a2]
    for number in range(3, neighbours + 2):
        others.append(make_unit(f"{org.dep_a.code}-{number}", f"Enhet A{number}", parent=org.dep_a))
    neighbour_assessments = []
    for offset, unit in enumerate(others[:neighbours]):
        other = make_assessment(round_now, unit)
        agree(
            other,
            scores={
                key: max(1, min(5, score + (offset % 3) - 1)) for key, score in SCORES_NOW.items()
            },
        )
        complete(other)
        neighbour_assessments.append(other)
    assessment.refresh_from_db()
    return ReportScenario(
        version_before=version_before,
        version_now=version_now,
        round_before=round_before,
        round_now=round_now,
        before=before,
        assessment=assessment,
        neighbours=neighbour_assessments,
    )


def fetch_pdf(client, assessment: UnitAssessment, name: str = "unit_report_pdf", **params):
    """Ask for a stored report's PDF as a browser does, and return the response with the file.

    The first request never renders: it queues the report and points at the status page. The
    render runs once that request's transaction is committed (at once, with the tests' task
    backend); the second request is served the stored file.
    """
    from django.test import TestCase
    from django.urls import reverse

    url = reverse(name, args=[assessment.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.get(url, params)
    if first.status_code != 302 or "/status/" not in first["Location"]:
        return first  # the stored file already, or a redirect elsewhere, or a 404
    return client.get(url, params)


def render_waiting_reports() -> int:
    """Render every stored report and comparison not ready yet, as the background worker
    would; how many."""
    from reports import stored, stored_comparisons
    from reports.models import ReportState, StoredComparison, StoredReport

    waiting = list(
        StoredReport.objects.exclude(state=ReportState.READY).values_list("pk", flat=True)
    )
    for pk in waiting:
        stored.render(pk)
    comparisons = list(
        StoredComparison.objects.exclude(state=ReportState.READY).values_list("pk", flat=True)
    )
    for pk in comparisons:
        stored_comparisons.render(pk)
    return len(waiting) + len(comparisons)


def get_rendered(client, url: str, data=None, **extra):
    """GET a PDF the way a person waits for it: if sent to the status page, let the background
    render finish (here: in this thread) and ask again."""
    response = client.get(url, data or {}, **extra)
    if response.status_code == 302 and "/status/" in response["Location"]:
        render_waiting_reports()
        response = client.get(url, data or {}, **extra)
    return response


def body(response) -> bytes:
    """A response's bytes, streamed (a stored file) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content

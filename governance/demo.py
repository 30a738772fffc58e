"""Steering signals, proposals and answers for the demo rounds (``manage.py setup_demo``).

The story: in the earlier round Hemtjänst Norr, Hemtjänst Söder and Särskilt boende
Lindgården each name the weekly statistics report to the förvaltning (20 hours a month) and
propose to replace it with a quarterly dialogue. The förvaltning's management accepts it for
Hemtjänst Norr, looks into it for Hemtjänst Söder and has not answered Lindgården yet. Other
units name a rule kept for good reasons, a budget follow-up that helps, and a key figure the
political board asks for. In the current round Lindgården, still without an answer, raises
the weekly report again, and Individ- och familjeomsorgen, in its dialogue, names the
processing times reported to the board. Hemtjänst Norr sees the acceptance on its page
("what happened to what we raised") as its new round begins.

Idempotent: nothing is added when the demo's assessments have signals already.
"""

from __future__ import annotations

import datetime
from typing import IO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments.models import AssessmentState, Round, Unit, UnitAssessment

from .models import SignalAnswer, SignalKind, SignalLevel, SignalPurpose, SteeringSignal

WEEKLY = "Veckovis statistikrapport till förvaltningen"
QUARTERLY = (
    "Ersätt veckorapporten med en dialog varje kvartal om vad siffrorna betyder för "
    "brukarna. Rapporten tar tid från mötet med dem och ingen har återkopplat på den."
)

# (unit code, what, level, kind, purpose, hours, effect, proposal, why, answer)
# answer: (username, status, text, days from today to the date) or None
EARLIER = [
    ("EK-SOC-HTN", WEEKLY, "forvaltningsledning", "mal-och-resultatstyrning", "kontrollerande",
     20, "hinders", "together", QUARTERLY,
     ("ledning.soc", "accepted",
      "Från nästa kvartal ersätts veckorapporten av en uppföljningsdialog varje kvartal med "
      "enheten. Statistiken hämtar vi själva ur verksamhetssystemet.", 45)),
    ("EK-SOC-HTS", WEEKLY, "forvaltningsledning", "mal-och-resultatstyrning", "kontrollerande",
     20, "hinders", "together", QUARTERLY,
     ("ledning.soc", "looking_into",
      "Vi prövar kvartalsdialogen med Hemtjänst Norr först och återkommer till er efter "
      "första kvartalet.", None)),
    ("EK-SOC-LIN", WEEKLY, "forvaltningsledning", "mal-och-resultatstyrning", "kontrollerande",
     20, "neither", "together", QUARTERLY, None),
    ("EK-SOC-IFO", "Dokumentation av utredningar i verksamhetssystemet", "lag",
     "regelstyrning", "forebyggande", 60, "neither", "change",
     "Mallarna gör att samma uppgift skrivs in två gånger.",
     ("ledning.soc", "kept",
      "Dokumentationen krävs av socialtjänstlagen och granskas vid IVO:s tillsyn. Mallarna "
      "ses över när verksamhetssystemet uppgraderas nästa år.", None)),
    ("EK-SOC-LSS", "Månatlig budgetuppföljning med ekonomen", "politisk-namnd",
     "ekonomisk-styrning", "larande", 4, "helps", "keep",
     "Samtalet med ekonomen ger oss överblick och handlingsutrymme.", None),
    ("EK-SBF-BYG", "Handläggningstid som nyckeltal i månadsrapporten", "politisk-namnd",
     "prestationsstyrning", "kontrollerande", 10, "hinders", "change",
     "Följ också upp kvaliteten i besluten och vad de sökande tycker, inte bara tiden.",
     ("ledning.sbf", "looking_into",
      "Vi tar med förslaget till nämndens arbete med nästa års internbudget.", None)),
    ("EK-BOU-OST", "Centralt upphandlad lärplattform", "central-funktion", "regelstyrning",
     "kontrollerande", 15, "hinders", "change",
     "Låt skolorna välja verktyg inom ramavtalet.", None),
    ("EK-KOF-BIB", "Gemensam värdegrund och bemötandeutbildning", "forvaltningsledning",
     "normstyrning", "larande", 3, "helps", "keep", "", None),
]  # fmt: skip
CURRENT = [
    ("EK-SOC-LIN", WEEKLY, "forvaltningsledning", "mal-och-resultatstyrning", "kontrollerande",
     20, "hinders", "together",
     "Samma förslag som i våras, som vi inte har fått svar på. Hemtjänst Norr har fått pröva "
     "en dialog varje kvartal; vi vill också."),
    ("EK-SOC-IFO", "Handläggningstider i rapporten till nämnden", "politisk-namnd",
     "prestationsstyrning", "kontrollerande", 8, "hinders", "change",
     "Redovisa också vad som kom ut av utredningarna, inte bara hur lång tid de tog."),
]  # fmt: skip


def _items(model, version) -> dict:
    return {item.key: item for item in model.objects.filter(version=version)}


def _signal(assessment: UnitAssessment, row: tuple, items: tuple) -> SteeringSignal:
    _unit, title, level, kind, purpose, hours, effect, proposal, reason = row[:9]
    levels, kinds, purposes = items
    return SteeringSignal.objects.create(
        assessment=assessment,
        title=title,
        level=levels[level],
        kind=kinds[kind],
        purpose=purposes[purpose],
        hours_per_month=hours,
        effect=effect,
        proposal=proposal,
        reason=reason,
        lock_version=1,
        updated_by_id=None,
    )


@transaction.atomic
def create_demo_signals(stdout: IO[str], root: Unit | None = None) -> int:
    """The story above in the two demo rounds under `root` (default: Exempelkommun)."""
    root = root or Unit.objects.filter(code="EK").first()
    if root is None:
        return 0
    rounds = list(Round.objects.filter(root=root).order_by("opens_on"))
    if len(rounds) < 2:
        return 0
    if SteeringSignal.objects.filter(assessment__round__in=rounds).exists():
        stdout.write("Demo steering signals exist already (kept as they are).\n")
        return 0
    earlier, current = rounds[0], rounds[-1]
    users = {
        u.username: u for u in get_user_model().objects.filter(username__startswith="ledning.")
    }
    today = timezone.localdate()
    created = 0
    for round_, rows, states in (
        (earlier, EARLIER, (AssessmentState.COMPLETED,)),
        (current, CURRENT, (AssessmentState.DIALOGUE, AssessmentState.COMPLETED)),
    ):
        version = round_.framework_version
        items = tuple(_items(model, version) for model in (SignalLevel, SignalKind, SignalPurpose))
        if not all(items):
            stdout.write(f"No steering signals in “{round_.name}”: its framework lacks them.\n")
            continue
        assessments = {
            a.unit.code: a
            for a in round_.assessments.filter(state__in=states).select_related("unit")
        }
        for row in rows:
            assessment = assessments.get(row[0])
            if assessment is None:
                continue
            signal = _signal(assessment, row, items)
            created += 1
            answer = row[9] if len(row) > 9 else None
            if answer is not None:
                username, status, text, days = answer
                SignalAnswer.objects.create(
                    signal=signal,
                    status=status,
                    text=text,
                    due_on=today + datetime.timedelta(days=days) if days is not None else None,
                    answered_by=users.get(username),
                    lock_version=1,
                )
    stdout.write(f"{created} demo steering signals created.\n")
    return created

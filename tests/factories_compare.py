"""Factories for the comparison tests: completed assessments with answers and agreements."""

import datetime
import hashlib
import secrets
from collections.abc import Callable

from django.utils import timezone

from assessments import disclosure
from assessments.models import (
    Action,
    ActionStatus,
    AssessmentState,
    BalanceAgreement,
    BalanceAnswer,
    DimensionAgreement,
    DimensionAnswer,
    PrincipleAgreement,
    Respondent,
    StatementAnswer,
)
from tests.factories import make_assessment, make_round, make_unit, make_version, release

Answer = Callable[[int, object], int | None]  # (respondent index, statement) -> value


def add_respondents(assessment, count: int, answer: Answer | int | None = 3) -> list[Respondent]:
    """`count` respondents who answered every statement, dimension and balance."""
    version = assessment.round.framework_version
    statements = [s for p in version.principles.all() for s in p.statements.all()]
    dimensions = list(version.dimensions.all())
    people = []
    for index in range(count):
        respondent = Respondent.objects.create(
            assessment=assessment,
            token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            finished_at=timezone.now(),
        )
        people.append(respondent)
        for statement in statements:
            value = answer(index, statement) if callable(answer) else answer
            StatementAnswer.objects.create(
                respondent=respondent, statement=statement, value=value, dont_know=value is None
            )
        for dimension in dimensions:
            DimensionAnswer.objects.create(
                respondent=respondent, dimension=dimension, now=3, desired=5
            )
        BalanceAnswer.objects.create(
            respondent=respondent, kind="now", market=20, hierarchy=50, trust=30
        )
        BalanceAnswer.objects.create(
            respondent=respondent, kind="desired", market=10, hierarchy=40, trust=50
        )
    return people


def complete(
    round_,
    unit,
    *,
    respondents: int = 5,
    answer: Answer | int | None = 3,
    scores: dict[str, int | None] | int | None = 3,
    dimensions: tuple[int, int] = (3, 5),
    balance_now: tuple[int, int, int] = (20, 50, 30),
    balance_desired: tuple[int, int, int] = (10, 40, 50),
    actions: list[dict] | None = None,
    state: str = AssessmentState.COMPLETED,
):
    """A unit's assessment in `round_`, completed (unless `state` says otherwise).

    `scores` is the agreed score per principle key, or one score for all of them.
    """
    assessment = make_assessment(
        round_,
        unit,
        state=state,
        completed_at=timezone.now() if state == AssessmentState.COMPLETED else None,
    )
    add_respondents(assessment, respondents, answer)
    release(assessment)
    if state == AssessmentState.COMPLETED:
        assessment.counted_respondents = disclosure.participation(assessment).counted
        assessment.save(update_fields=["counted_respondents"])
    version = round_.framework_version
    for principle in version.principles.all():
        score = scores.get(principle.key) if isinstance(scores, dict) else scores
        PrincipleAgreement.objects.create(assessment=assessment, principle=principle, score=score)
    for dimension in version.dimensions.all():
        DimensionAgreement.objects.create(
            assessment=assessment, dimension=dimension, now=dimensions[0], desired=dimensions[1]
        )
    for kind, (market, hierarchy, trust) in (("now", balance_now), ("desired", balance_desired)):
        BalanceAgreement.objects.create(
            assessment=assessment, kind=kind, market=market, hierarchy=hierarchy, trust=trust
        )
    for values in actions or []:
        values = {"responsible": "Arbetsgruppen", "status": ActionStatus.PLANNED, **values}
        Action.objects.create(assessment=assessment, **values)
    return assessment


class Compared:
    """The personas' org with one round over the whole tree:

    A1 completed (5 respondents), A2 completed with only 3 respondents (below the threshold),
    B1 completed, and A3 in Förvaltning A still in dialogue (counts for participation only).
    """


def compared_org(org, *, version=None) -> Compared:
    c = Compared()
    c.version = version or make_version(principles=3, statements=2, dimensions=2, published=True)
    c.round = make_round(org.root, c.version)
    c.a3 = make_unit("A3", "Enhet A3", parent=org.dep_a)
    today = timezone.localdate()
    c.a1 = complete(
        c.round,
        org.a1,
        respondents=5,
        answer=lambda i, s: [1, 2, 4, 5, 5][i],
        scores={"p1": 4, "p2": 2, "p3": None},
        actions=[
            {"title": "Försenad åtgärd", "due_on": today - datetime.timedelta(days=3)},
            {"title": "Kommande åtgärd", "due_on": today + datetime.timedelta(days=30)},
            {"title": "Klar åtgärd", "status": ActionStatus.DONE},
        ],
    )
    c.a2 = complete(c.round, org.a2, respondents=3, answer=5, scores=5, dimensions=(5, 7))
    c.b1 = complete(c.round, org.b1, respondents=6, answer=2, scores=1)
    c.a3_assessment = complete(
        c.round, c.a3, respondents=2, scores=3, state=AssessmentState.DIALOGUE
    )
    return c

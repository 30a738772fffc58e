"""Factories for the dialogue tests: assessments in a given state with anonymous answers."""

import secrets
from collections.abc import Callable

from assessments.models import (
    AssessmentState,
    BalanceAnswer,
    BalanceKind,
    DimensionAnswer,
    PrincipleComment,
    Respondent,
    StatementAnswer,
)
from principles.models import Dimension, Principle, Statement
from tests.factories import make_assessment, make_round, make_version


def make_unit_assessment(org, *, unit=None, state=AssessmentState.DIALOGUE, version=None, **fields):
    """An assessment of Enhet A1 (or `unit`) in a round over the whole organisation."""
    version = version or make_version(published=True)
    round_ = fields.pop("round", None) or make_round(org.root, version)
    if state == AssessmentState.COMPLETED:
        from django.utils import timezone

        fields.setdefault("completed_at", timezone.now())
    return make_assessment(round_, unit or org.a1, state=state, **fields)


def _default_statement_value(i: int, position: int) -> int | None:
    return 1 + (i + position) % 5


def add_respondents(
    assessment,
    count: int,
    *,
    statement_value: Callable[[int, int], int | None] | None = _default_statement_value,
    dimension: Callable[[int, int], tuple[int | None, int | None]] | None = (
        lambda i, position: (1 + (i + position) % 4, 4 + (i % 4))
    ),
    balance: Callable[[int, str], tuple[int, int, int]] | None = (
        lambda i, kind: (20 + i % 3, 50 - i % 3, 30) if kind == "now" else (10, 30, 60)
    ),
    comment: Callable[[int, int], str] | None = None,
    finished: bool = True,
) -> list[Respondent]:
    """`count` respondents answering everything, in bulk (a handful of queries, not per person).

    The callables get the respondent's number and the item's position (or the balance kind);
    None for `statement_value` answers "don't know".
    """
    from django.utils import timezone

    version_id = assessment.round.framework_version_id
    statements = list(Statement.objects.filter(principle__version_id=version_id).order_by("pk"))
    dimensions = list(Dimension.objects.filter(version_id=version_id).order_by("pk"))
    principles = list(Principle.objects.filter(version_id=version_id).order_by("pk"))
    respondents = Respondent.objects.bulk_create(
        Respondent(
            assessment=assessment,
            token_hash=secrets.token_hex(32),
            finished_at=timezone.now() if finished else None,
        )
        for _ in range(count)
    )
    if statement_value:
        rows = []
        for i, respondent in enumerate(respondents):
            for position, statement in enumerate(statements):
                value = statement_value(i, position)
                rows.append(
                    StatementAnswer(
                        respondent=respondent,
                        statement=statement,
                        value=value,
                        dont_know=value is None,
                    )
                )
        StatementAnswer.objects.bulk_create(rows)
    if dimension:
        DimensionAnswer.objects.bulk_create(
            DimensionAnswer(
                respondent=respondent,
                dimension=d,
                now=dimension(i, position)[0],
                desired=dimension(i, position)[1],
            )
            for i, respondent in enumerate(respondents)
            for position, d in enumerate(dimensions)
        )
    if balance:
        BalanceAnswer.objects.bulk_create(
            BalanceAnswer(
                respondent=respondent, kind=kind, **dict(zip(KEYS, balance(i, kind), strict=True))
            )
            for i, respondent in enumerate(respondents)
            for kind in BalanceKind.values
        )
    if comment:
        PrincipleComment.objects.bulk_create(
            PrincipleComment(respondent=respondent, principle=p, text=comment(i, position))
            for i, respondent in enumerate(respondents)
            for position, p in enumerate(principles)
            if comment(i, position)
        )
    return respondents


KEYS = ("market", "hierarchy", "trust")

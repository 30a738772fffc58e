"""Small factories for tests: plain functions with sensible defaults."""

from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone

from principles.models import (
    Dimension,
    FrameworkVersion,
    Principle,
    ReflectionQuestion,
    Statement,
    SteeringKey,
    SteeringPrinciple,
    VersionStatus,
)

_seq = count(1)


def make_user(username: str | None = None, **fields):
    username = username or f"user{next(_seq)}"
    fields.setdefault("email", f"{username}@example.org")
    user = get_user_model().objects.create_user(
        username=username, password="pw-test-1234", **fields
    )
    return user


def make_version(
    name: str = "Testramverk",
    *,
    principles: int = 2,
    statements: int = 3,
    questions: int = 2,
    dimensions: int = 2,
    published: bool = False,
) -> FrameworkVersion:
    """A complete framework version (publishable), as a draft unless `published`."""
    version = FrameworkVersion.objects.create(name=name, source="SOU 2018:47")
    for p in range(1, principles + 1):
        principle = Principle.objects.create(
            version=version,
            key=f"p{p}",
            order=p,
            name_sv=f"Princip {p}",
            name_en=f"Principle {p}",
            definition_sv=f"Definition {p}.",
            definition_en=f"Definition {p}.",
        )
        for s in range(1, statements + 1):
            Statement.objects.create(
                principle=principle,
                key=f"p{p}-{s}",
                order=s,
                text_sv=f"Påstående {p}.{s}",
                text_en=f"Statement {p}.{s}",
            )
        for q in range(1, questions + 1):
            ReflectionQuestion.objects.create(
                principle=principle,
                key=f"p{p}-q{q}",
                order=q,
                text_sv=f"Fråga {p}.{q}?",
                text_en=f"Question {p}.{q}?",
            )
    for d in range(1, dimensions + 1):
        Dimension.objects.create(
            version=version,
            key=f"d{d}",
            order=d,
            name_sv=f"Dimension {d}",
            name_en=f"Dimension {d}",
            control_pole_sv="Kontroll",
            control_pole_en="Control",
            trust_pole_sv="Tillit",
            trust_pole_en="Trust",
        )
    for order, key in enumerate(SteeringKey.values, start=1):
        SteeringPrinciple.objects.create(
            version=version,
            key=key,
            order=order,
            name_sv=key.title(),
            name_en=key.title(),
            keywords_sv="a, b, c",
            keywords_en="a, b, c",
        )
    if published:
        FrameworkVersion.objects.filter(pk=version.pk).update(
            status=VersionStatus.PUBLISHED, published_at=timezone.now()
        )
        version.refresh_from_db()
    return version


# ---------------------------------------------------------------------------------------
# Organisation
# ---------------------------------------------------------------------------------------


def make_unit(code: str, name: str | None = None, *, parent=None, kind: str = "unit"):
    from assessments.models import Unit

    fields = {"code": code, "name": name or code, "kind": kind}
    if parent is None:
        return Unit.objects.add_root(fields)
    parent.refresh_from_db()  # treebeard needs the parent's current numchild
    return Unit.objects.add_child(parent, fields)


def give_role(user, unit, kind: str):
    from assessments.models import Role

    return Role.objects.create(user=user, unit=unit, kind=kind)


def make_round(root, version=None, *, name: str = "Tillitsskattning HT 2026", **fields):
    import datetime

    from assessments.models import Round

    version = version or make_version(published=True)
    fields.setdefault("opens_on", datetime.date(2026, 9, 1))
    fields.setdefault("closes_on", datetime.date(2026, 12, 15))
    return Round.objects.create(name=name, framework_version=version, root=root, **fields)


def make_assessment(round_, unit, **fields):
    import secrets

    from assessments.models import UnitAssessment

    fields.setdefault("join_code", secrets.token_hex(5).upper())
    return UnitAssessment.objects.create(round=round_, unit=unit, **fields)


def release(assessment):
    """Release the assessment's figures as the manager's "show results" does (the rules
    apply: the outcome says whether anything was released)."""
    from django.db import transaction

    from assessments import disclosure

    with transaction.atomic():
        outcome = disclosure.release(assessment)
    assessment.refresh_from_db()
    return outcome

"""A framework version's structure, read once per process while it cannot change.

A published or retired version never changes: its items refuse `save()`, `delete()` and bulk
writes (`principles.models`), its name and source refuse changes, and official quotations
can be corrected only in a draft (`principles.quotations`). Only its status moves on
(published → retired), which changes nothing a participant sees. So its principles,
statements, dimensions and steering principles are read once and kept in this process's
memory, keyed by the version's id and its publication time: a participant's page then
reads no framework at all. A draft can change at any moment: it is read afresh for each
version object (each request loads its own), and kept on that object for the request.

What is kept is shared by every request this process serves: treat it as read-only.

Why memory rather than Django's cache: the cache may be Redis (one network round trip and an
unpickling per read), and a framework is a few kilobytes that no other process needs to share.
A version id a test database hands out again after a rollback is handled too: saving or
deleting any version or item empties what is kept (`post_save` / `post_delete` below).
"""

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

from django.db.models.signals import post_delete, post_save

from .models import (
    Dimension,
    FrameworkVersion,
    Principle,
    ReflectionQuestion,
    Statement,
    SteeringPrinciple,
    SupportingText,
    VersionStatus,
)

# Versions kept at most (a deployment has a handful; this bounds a long-lived process).
MAX_VERSIONS = 16


@dataclass(frozen=True)
class Framework:
    """What the participant's pages need of a version: its items in page order."""

    version_id: int
    principles: tuple[Principle, ...]
    statements: dict[int, tuple[Statement, ...]]  # by principle id, in order
    dimensions: tuple[Dimension, ...]
    steering: tuple[SteeringPrinciple, ...]
    principle_ids: frozenset[int] = field(init=False)
    dimension_ids: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "principle_ids", frozenset(p.pk for p in self.principles))
        object.__setattr__(self, "dimension_ids", frozenset(d.pk for d in self.dimensions))

    def statements_of(self, principle: Principle | int) -> tuple[Statement, ...]:
        """The statements of one of this version's principles (none for any other)."""
        return self.statements.get(getattr(principle, "pk", principle), ())


_kept: "OrderedDict[tuple[int, datetime.datetime], Framework]" = OrderedDict()
_lock = Lock()


def _key(version: FrameworkVersion) -> tuple[int, datetime.datetime] | None:
    """What identifies the version's fixed content; None for a version that may change."""
    if version.status == VersionStatus.DRAFT or version.published_at is None:
        return None
    return (version.pk, version.published_at)


def _read(version_id: int) -> Framework:
    """The framework from the database: four queries."""
    principles = tuple(Principle.objects.filter(version_id=version_id).order_by("order", "pk"))
    statements: dict[int, list[Statement]] = {p.pk: [] for p in principles}
    for statement in Statement.objects.filter(principle__version_id=version_id).order_by(
        "order", "pk"
    ):
        statements[statement.principle_id].append(statement)
    return Framework(
        version_id=version_id,
        principles=principles,
        statements={pk: tuple(items) for pk, items in statements.items()},
        dimensions=tuple(Dimension.objects.filter(version_id=version_id).order_by("order", "pk")),
        steering=tuple(
            SteeringPrinciple.objects.filter(version_id=version_id).order_by("order", "pk")
        ),
    )


def framework(version: FrameworkVersion) -> Framework:
    """The framework of `version`: kept in memory once published; a draft's once per request."""
    key = _key(version)
    if key is None:
        # Read once per request at most: the version object is the request's own.
        read = getattr(version, "_draft_framework", None)
        if read is None:
            read = version._draft_framework = _read(version.pk)
        return read
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            return kept
    read = _read(version.pk)
    with _lock:
        _kept[key] = read
        while len(_kept) > MAX_VERSIONS:
            _kept.popitem(last=False)
    return read


def clear() -> None:
    with _lock:
        _kept.clear()


def _changed(sender, **kwargs) -> None:
    # A kept version cannot change, but ids may be handed out again (a test database rolled
    # back, a version deleted and created anew): any write to the framework forgets all.
    clear()


for _model in (
    FrameworkVersion,
    Principle,
    Statement,
    ReflectionQuestion,
    Dimension,
    SteeringPrinciple,
    SupportingText,
):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"framework-cache-{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"framework-del-{_model.__name__}")

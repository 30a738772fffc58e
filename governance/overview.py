"""The steering signals of a part of the tree, for the people above the units: quality
developers and förvaltning management.

Same rules as the comparison: completed assessments only (``scoping.steered_assessments``),
the groups' statements only (signals carry no individual's answer, so no threshold applies
and nothing goes through ``disclosure``), and no league tables: the signals are grouped by
where they come from and what kind of steering they are, the units listed by name in the
order of their titles, never ranked by what they raised. Built with a fixed number of
queries whatever the number of units.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from assessments import scoping
from assessments.models import Round, Unit

from .models import AnswerStatus, Effect, Proposal, SteeringSignal


def rounds_for(user) -> QuerySet[Round]:
    """Rounds in which a unit whose signals the user sees has completed its assessment."""
    steered = scoping.steered_assessments(user)
    return Round.objects.filter(Exists(steered.filter(round=OuterRef("pk")))).select_related(
        "framework_version", "root"
    )


def top_units(user) -> list[Unit]:
    """The highest units of the user's part of the tree: where an overview starts."""
    if scoping.is_administrator(user):
        return list(Unit.get_root_nodes())
    units = list(
        scoping.steered_units(user)
        .filter(roles__user=user, roles__kind__in=["quality_developer", "steering_owner"])
        .distinct()
        .order_by("path")
    )
    return [u for u in units if not any(u.path.startswith(o.path) and u != o for o in units)]


def get_round_and_node(user, round_pk: int, node_pk: int) -> tuple[Round, Unit]:
    """The round and the part of the tree, both scoped: anything outside is a 404."""
    node = scoping.get_or_404(scoping.steered_units(user), pk=node_pk)
    round_ = scoping.get_or_404(rounds_for(user), pk=round_pk)
    return round_, node


@dataclass(frozen=True, slots=True)
class Answer:
    status: str
    status_label: str
    text: str
    due_on: date | None
    lock_version: int

    @property
    def is_accepted(self) -> bool:
        return self.status == AnswerStatus.ACCEPTED


@dataclass(frozen=True, slots=True)
class SignalRow:
    pk: int
    title: str
    unit_pk: int
    unit_code: str
    unit_name: str
    level: str
    kind: str
    purpose: str
    hours: int
    effect: str
    effect_label: str
    proposal: str
    proposal_label: str
    reason: str
    answer: Answer | None

    @property
    def hinders(self) -> bool:
        return self.effect == Effect.HINDERS


@dataclass
class Group:
    """Signals of one level (or one kind within a level) and what they add up to."""

    key: str
    name: str
    description: str = ""
    signals: list[SignalRow] = field(default_factory=list)
    kinds: list["Group"] = field(default_factory=list)

    @property
    def hours(self) -> int:
        return sum(s.hours for s in self.signals)

    @property
    def units(self) -> int:
        return len({s.unit_pk for s in self.signals})

    @property
    def hindering_units(self) -> int:
        """Units that find at least one of the group's signals hindering the good meeting."""
        return len({s.unit_pk for s in self.signals if s.hinders})

    @property
    def proposals(self) -> list[tuple[str, str, int]]:
        """(value, label, how many) for each kind of proposal, in the list's order."""
        counts = defaultdict(int)
        for signal in self.signals:
            counts[signal.proposal] += 1
        return [(value, label, counts[value]) for value, label in Proposal.choices]

    @property
    def unanswered(self) -> int:
        return sum(1 for s in self.signals if s.answer is None)


@dataclass
class Overview:
    round: Round
    node: Unit
    completed_units: int
    levels: list[Group]

    @property
    def signals(self) -> list[SignalRow]:
        return [s for level in self.levels for s in level.signals]

    @property
    def hours(self) -> int:
        return sum(level.hours for level in self.levels)

    @property
    def units(self) -> int:
        return len({s.unit_pk for s in self.signals})

    @property
    def hindering_units(self) -> int:
        return len({s.unit_pk for s in self.signals if s.hinders})

    @property
    def unanswered(self) -> int:
        return sum(level.unanswered for level in self.levels)


def answer_of(signal: SteeringSignal) -> Answer | None:
    """The answer, read from a signal fetched with ``select_related("answer")``."""
    try:
        stored = signal.answer
    except SteeringSignal.answer.RelatedObjectDoesNotExist:
        return None
    return Answer(
        status=stored.status,
        status_label=stored.get_status_display(),
        text=stored.text,
        due_on=stored.due_on,
        lock_version=stored.lock_version,
    )


# What a row shows, joined into the signals' one query.
SIGNAL_RELATED = ("assessment__unit", "level", "kind", "purpose", "answer")


def signal_rows(signals: Iterable[SteeringSignal]) -> list[SignalRow]:
    """Rows of signals fetched with ``select_related(*SIGNAL_RELATED)``."""
    effects, proposals = dict(Effect.choices), dict(Proposal.choices)
    rows = []
    for s in signals:
        unit = s.assessment.unit
        rows.append(
            SignalRow(
                pk=s.pk,
                title=s.title,
                unit_pk=unit.pk,
                unit_code=unit.code,
                unit_name=unit.name,
                level=s.level.name,
                kind=s.kind.name,
                purpose=s.purpose.name,
                hours=s.hours_per_month,
                effect=s.effect,
                effect_label=str(effects.get(s.effect, s.effect)),
                proposal=s.proposal,
                proposal_label=str(proposals.get(s.proposal, s.proposal)),
                reason=s.reason,
                answer=answer_of(s),
            )
        )
    return rows


def build_overview(user, round_: Round, node: Unit) -> Overview:
    """The signals of `node`'s completed assessments in `round_`, grouped by level and kind.

    Two queries besides the person's roles: the number of completed units, and the signals
    with everything they show (unit, level, kind, purpose and answer joined).
    """
    assessments = scoping.steered_assessments(user).filter(
        round=round_, unit__path__startswith=node.path
    )
    completed = assessments.count()
    signals = SteeringSignal.objects.filter(assessment__in=assessments).order_by(
        "level__order",
        "level__pk",
        "kind__order",
        "kind__pk",
        "title",
        "assessment__unit__path",
        "pk",
    )
    rows = signal_rows(signals.select_related(*SIGNAL_RELATED))
    levels: dict[str, Group] = {}
    kinds: dict[tuple[str, str], Group] = {}
    for row in rows:
        level = levels.get(row.level)
        if level is None:
            level = levels[row.level] = Group(key=f"level-{len(levels) + 1}", name=row.level)
        level.signals.append(row)
        kind = kinds.get((row.level, row.kind))
        if kind is None:
            kind = kinds[(row.level, row.kind)] = Group(
                key=f"{level.key}-kind-{len(level.kinds) + 1}", name=row.kind
            )
            level.kinds.append(kind)
        kind.signals.append(row)
    return Overview(
        round=round_, node=node, completed_units=completed, levels=list(levels.values())
    )

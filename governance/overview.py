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
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from assessments import scoping
from assessments.models import Round, Unit
from principles.i18n import LANGUAGE_CODES, PRIMARY, current_language

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
        return list(Unit.objects.get_root_nodes())
    units = list(
        scoping.steered_units(user)
        .filter(roles__user=user, roles__kind__in=["quality_developer", "steering_owner"])
        .distinct()
        .order_by("path")
    )
    return scoping.topmost(units)


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
    assessment_pk: int
    round_name: str
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
    items_html: str = ""  # the signals as list items, built by the view for speed

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
    def proposals_made(self) -> list[tuple[str, str, int]]:
        """The kinds of proposal made at least once."""
        return [entry for entry in self.proposals if entry[2]]

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


def _translated(row: dict, prefix: str, language: str) -> str:
    return row[f"{prefix}_{language}"] or row[f"{prefix}_{PRIMARY}"]


_VALUES = [
    "pk",
    "title",
    "hours_per_month",
    "effect",
    "proposal",
    "reason",
    "assessment_id",
    "assessment__round__name",
    "assessment__unit_id",
    "assessment__unit__code",
    "assessment__unit__name",
    *(f"{item}__name_{code}" for item in ("level", "kind", "purpose") for code in LANGUAGE_CODES),
    "answer__pk",
    "answer__status",
    "answer__text",
    "answer__due_on",
    "answer__lock_version",
]


def signal_rows(signals: QuerySet[SteeringSignal]) -> list[SignalRow]:
    """Rows of the signals, in one query of plain values (a thousand units name some two
    thousand signals: model instances with their joined rows would take seconds)."""
    language = current_language()
    effects = {value: str(label) for value, label in Effect.choices}
    proposals = {value: str(label) for value, label in Proposal.choices}
    statuses = {value: str(label) for value, label in AnswerStatus.choices}
    rows = []
    for r in signals.values(*_VALUES):
        answer = None
        if r["answer__pk"] is not None:
            answer = Answer(
                status=r["answer__status"],
                status_label=statuses.get(r["answer__status"], r["answer__status"]),
                text=r["answer__text"],
                due_on=r["answer__due_on"],
                lock_version=r["answer__lock_version"],
            )
        rows.append(
            SignalRow(
                pk=r["pk"],
                title=r["title"],
                assessment_pk=r["assessment_id"],
                round_name=r["assessment__round__name"],
                unit_pk=r["assessment__unit_id"],
                unit_code=r["assessment__unit__code"],
                unit_name=r["assessment__unit__name"],
                level=_translated(r, "level__name", language),
                kind=_translated(r, "kind__name", language),
                purpose=_translated(r, "purpose__name", language),
                hours=r["hours_per_month"],
                effect=r["effect"],
                effect_label=effects.get(r["effect"], r["effect"]),
                proposal=r["proposal"],
                proposal_label=proposals.get(r["proposal"], r["proposal"]),
                reason=r["reason"],
                answer=answer,
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
    rows = signal_rows(signals)
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

"""Comparing units for quality developers: one round, one part of the tree.

Quality developers compare to learn, not to rank. So the comparison keeps the tree's order
(groups under their department, units in tree order) and never sorts units by a score, and it
shows what each group *agreed* in its dialogue. Figures drawn from individual answers (the
median of the respondents' principle indices) come only from each unit's released snapshot
(``disclosure.summaries``): a plain read of stored figures, never of answers, and
nothing for a unit whose figures were not released. Comments never appear here.

Everything is read in a fixed number of queries, whatever the size of the tree: see
``build_comparison``. Only completed assessments are compared; the others count only towards
participation (how many units are done).
"""

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assessments import disclosure, followup, scoping, scoring
from assessments.models import (
    CLOSED_ACTION_STATUSES,
    Action,
    ActionStatus,
    AssessmentState,
    BalanceAgreement,
    BalanceKind,
    DimensionAgreement,
    PrincipleAgreement,
    Round,
    Unit,
    UnitAssessment,
)
from principles.i18n import current_language
from principles.models import Dimension, Principle, SteeringPrinciple

# The page lists at most this many open actions; the counts always cover them all.
ACTION_LIST_LIMIT = 100


# ---------------------------------------------------------------------------------------
# What a person may compare
# ---------------------------------------------------------------------------------------


def rounds_for(user) -> QuerySet[Round]:
    """Rounds in which at least one unit the user oversees takes part, whoever planned them."""
    overseen = scoping.overseen_units(user)
    return Round.objects.filter(
        Exists(UnitAssessment.objects.filter(round=OuterRef("pk"), unit__in=overseen))
    ).select_related("framework_version", "root")


def top_units(user) -> list[Unit]:
    """The highest units of the user's part of the tree: where a comparison starts."""
    if scoping.is_administrator(user):
        return list(Unit.get_root_nodes())
    units = list(
        scoping.overseen_units(user)
        .filter(roles__user=user, roles__kind="quality_developer")
        .distinct()
        .order_by("path")
    )
    return scoping.topmost(units)


def get_round_and_node(user, round_pk: int, node_pk: int) -> tuple[Round, Unit]:
    """The round and the part of the tree, both scoped: anything outside is a 404."""
    node = scoping.get_or_404(scoping.overseen_units(user), pk=node_pk)
    round_ = scoping.get_or_404(rounds_for(user), pk=round_pk)
    return round_, node


# ---------------------------------------------------------------------------------------
# The comparison, as plain data
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A principle or a dimension of the round's framework version."""

    pk: int
    key: str
    name: str
    control_pole: str = ""
    trust_pole: str = ""


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A compared unit: what the comparison shows of it (cheaper than a model instance)."""

    pk: int
    code: str
    name: str
    path: str

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True)
class Cell:
    """One unit × one principle: the agreed score and the median of the respondents' indices."""

    agreed: int | None
    median: float | None = None

    @property
    def band(self) -> str:
        """The heat map's colour class (compare.css): hm1 … hm5, hm0 when not agreed."""
        return f"hm{self.agreed}" if self.agreed is not None else "hm0"


@dataclass(slots=True)
class DimensionValue:
    now: int | None
    desired: int | None


@dataclass
class UnitRow:
    unit: UnitRef
    assessment_id: int
    respondents: int  # counted respondents: behind the release, or recorded at completion
    enough: bool  # figures were released: medians may be shown
    cells: list[Cell]
    dimensions: list[DimensionValue]
    balance_now: scoring.Balance | None = None
    balance_desired: scoring.Balance | None = None
    open_actions: int = 0
    overdue_actions: int = 0
    url: str = ""  # the unit's own comparison (drill-down)


@dataclass(frozen=True)
class ProfileLine:
    """A dimension across a group: the median of the units' agreed now and desired."""

    column: Column
    now: float | None
    desired: float | None
    units: int


@dataclass
class Group:
    """A heading of the comparison: the node itself, or one of its children (a department)."""

    unit: Unit
    is_node: bool
    rows: list[UnitRow] = field(default_factory=list)
    units_in_round: int = 0
    units_done: int = 0
    respondents: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    summary: list[float | None] = field(default_factory=list)  # median agreed per principle
    profile: list[ProfileLine] = field(default_factory=list)
    url: str = ""  # the group's own comparison (empty for the node's own heading)
    rows_url: str = ""  # its unit rows alone, for opening it in place (``compare_rows``)
    balance_now: scoring.Balance | None = None  # mean of its units' agreed balances
    balance_desired: scoring.Balance | None = None


@dataclass(frozen=True)
class ActionItem:
    unit: UnitRef
    title: str
    responsible: str
    due_on: datetime.date | None
    status: str
    status_label: str
    principle: str
    overdue: bool


@dataclass
class Comparison:
    round: Round
    node: Unit
    trail: list[Unit]  # the node's ancestors the user oversees, highest first
    principles: list[Column]
    dimensions: list[Column]
    groups: list[Group]
    units_in_round: int
    units_done: int
    respondents: int
    open_actions: int
    overdue_actions: int
    actions: list[ActionItem]  # open actions, overdue first, at most ACTION_LIST_LIMIT
    min_respondents: int
    today: datetime.date
    steering: dict[str, str] = field(default_factory=dict)  # market/hierarchy/trust -> name
    report_url: str = ""  # the unit's balance report, when the node is one compared unit
    balance_now: scoring.Balance | None = None  # mean of the units' agreed balances
    balance_desired: scoring.Balance | None = None
    profile: list[ProfileLine] = field(default_factory=list)  # over every compared unit

    @property
    def rows(self) -> list[UnitRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def folds(self) -> bool:
        """Several groups have compared units: the page shows each department as one row
        (its medians) and draws its units only when asked, so that the page stays the same
        size however many units a department has. The node's own units are never folded."""
        return sum(1 for group in self.groups if group.rows) > 1

    @property
    def is_unit(self) -> bool:
        """The node is one compared unit: the end of the drill-down."""
        rows = self.rows
        return len(rows) == 1 and rows[0].unit.pk == self.node.pk

    @property
    def below_threshold(self) -> int:
        return sum(1 for row in self.rows if not row.enough)


def url_maker(name: str, *args: int) -> Callable[[int], str]:
    """``reverse`` once with a stand-in for the last argument, then fill it in per row.

    A thousand rows need a thousand links; reversing each one would cost more than the rest
    of the page. A missing URL name (a page not built yet) gives empty links, not a crash.
    """
    stand_in = 987654321
    try:
        pattern = reverse(name, args=[*args, stand_in])
    except NoReverseMatch:
        return lambda pk: ""
    head, _sep, tail = pattern.rpartition(str(stand_in))
    return lambda pk: f"{head}{pk}{tail}"


def build_comparison(
    user, round_: Round, node: Unit, *, today: datetime.date | None = None
) -> Comparison:
    """Compare the units under ``node`` in ``round_`` as ``user`` may see them.

    ``node`` must come from ``scoping.overseen_units(user)`` and ``round_`` from
    ``rounds_for(user)`` (``get_round_and_node`` gives both). A fixed number of queries,
    whatever the number of units: roles, scope check, trail, participation, assessments,
    headings, principles, dimensions, steering principles, the stored figures and counts,
    principle, dimension and balance agreements, actions. No answer is read.
    """
    if not scoping.overseen_units(user).filter(pk=node.pk).exists():
        raise Http404  # a caller that skipped the scoped lookup still gets nothing
    today = today or timezone.localdate()
    threshold = disclosure.threshold()
    steplen = Unit.steplen
    head_depth = node.depth + 1

    def heading_path(path: str) -> str:
        # Units straight under the node (and the node itself) go under the node's heading.
        return path[: head_depth * steplen] if len(path) > head_depth * steplen else node.path

    trail = list(
        scoping.overseen_units(user)
        .filter(path__in=[node.path[: d * steplen] for d in range(1, node.depth)])
        .order_by("depth")
    )

    # Participation: every unit of the round under the node, completed or not (counts only).
    in_round = list(
        UnitAssessment.objects.filter(round=round_, unit__path__startswith=node.path).values_list(
            "unit__path", "state"
        )
    )
    # The compared units: completed assessments only, through the scoping function. The
    # queries below filter on this subquery rather than on a list of a thousand ids.
    scoped = scoping.overseen_assessments(user).filter(
        round=round_, unit__path__startswith=node.path
    )
    compared = scoped.values("pk")
    # Plain tuples: a thousand model instances would cost more than the query.
    assessments = [
        (aid, UnitRef(pk=unit_id, code=code, name=name, path=path))
        for aid, unit_id, code, name, path in scoped.order_by("unit__path").values_list(
            "pk", "unit_id", "unit__code", "unit__name", "unit__path"
        )
    ]
    heading_paths = sorted({heading_path(path) for path, _state in in_round} | {node.path})
    headings = {
        unit.path: unit
        for unit in Unit.objects.filter(path__in=[p for p in heading_paths if p != node.path])
    }
    headings[node.path] = node

    version_id = round_.framework_version_id
    principles = [
        Column(pk=p.pk, key=p.key, name=p.name)
        for p in Principle.objects.filter(version_id=version_id).order_by("order", "pk")
    ]
    dimensions = [
        Column(
            pk=d.pk, key=d.key, name=d.name, control_pole=d.control_pole, trust_pole=d.trust_pole
        )
        for d in Dimension.objects.filter(version_id=version_id).order_by("order", "pk")
    ]
    steering = {sp.key: sp.name for sp in SteeringPrinciple.objects.filter(version_id=version_id)}

    # Released figures and counts as stored at completion: a plain read, never of answers.
    stored = disclosure.summaries(scoped)

    # Per assessment, one slot per principle in the framework's order.
    slot = {p.pk: i for i, p in enumerate(principles)}
    agreed_scores: dict[int, list[int | None]] = defaultdict(lambda: [None] * len(principles))
    for aid, pid, score in PrincipleAgreement.objects.filter(assessment__in=compared).values_list(
        "assessment_id", "principle_id", "score"
    ):
        if pid in slot:
            agreed_scores[aid][slot[pid]] = score
    agreed_dimensions: dict[tuple[int, int], DimensionValue] = {
        (aid, did): DimensionValue(now, desired)
        for aid, did, now, desired in DimensionAgreement.objects.filter(
            assessment__in=compared
        ).values_list("assessment_id", "dimension_id", "now", "desired")
    }
    agreed_balances: dict[tuple[int, str], scoring.Balance] = {
        (aid, kind): scoring.Balance(market, hierarchy, trust)
        for aid, kind, market, hierarchy, trust in BalanceAgreement.objects.filter(
            assessment__in=compared
        ).values_list("assessment_id", "kind", "market", "hierarchy", "trust")
    }

    open_actions = list(
        Action.objects.filter(assessment__in=compared)
        .exclude(status__in=CLOSED_ACTION_STATUSES)
        .values_list(
            "assessment_id",
            "title",
            "responsible",
            "due_on",
            "status",
            "principle__name_sv",
            "principle__name_en",
        )
    )
    action_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for aid, _title, _who, due_on, *_rest in open_actions:
        action_counts[aid][0] += 1
        if due_on is not None and due_on < today:
            action_counts[aid][1] += 1

    groups: dict[str, Group] = {
        path: Group(unit=headings[path], is_node=path == node.path) for path in heading_paths
    }
    for path, state in in_round:
        group = groups[heading_path(path)]
        group.units_in_round += 1
        group.units_done += state == AssessmentState.COMPLETED
    drill = url_maker("compare", round_.pk)
    unit_rows = url_maker("compare_rows", round_.pk)
    unit_of: dict[int, UnitRef] = {}
    principle_ids = [p.pk for p in principles]
    nothing = disclosure.Summary(0, None)
    for aid, unit in assessments:
        unit_of[aid] = unit
        summary = stored.get(aid, nothing)
        enough = summary.index_medians is not None
        median_of = summary.index_medians or {}
        counts = action_counts.get(aid, [0, 0])
        row = UnitRow(
            unit=unit,
            assessment_id=aid,
            respondents=summary.respondents,
            enough=enough,
            cells=[
                Cell(score, median_of.get(pid))
                for score, pid in zip(agreed_scores[aid], principle_ids, strict=True)
            ],
            dimensions=[
                agreed_dimensions.get((aid, d.pk)) or DimensionValue(None, None) for d in dimensions
            ],
            balance_now=agreed_balances.get((aid, BalanceKind.NOW)),
            balance_desired=agreed_balances.get((aid, BalanceKind.DESIRED)),
            open_actions=counts[0],
            overdue_actions=counts[1],
            url=drill(unit.pk),
        )
        group = groups[heading_path(unit.path)]
        group.rows.append(row)
        group.respondents += row.respondents
        group.open_actions += row.open_actions
        group.overdue_actions += row.overdue_actions

    for group in groups.values():
        group.url = "" if group.is_node else drill(group.unit.pk)
        group.rows_url = "" if group.is_node else unit_rows(group.unit.pk)
        group.summary = [
            scoring.median(scoring.known([row.cells[i].agreed for row in group.rows]))
            for i in range(len(principles))
        ]
        group.profile = _profile(group.rows, dimensions)
        group.balance_now = _mean_balance([row.balance_now for row in group.rows])
        group.balance_desired = _mean_balance([row.balance_desired for row in group.rows])
    # A heading without any unit in the round says nothing (the node's own stays if alone).
    ordered = [groups[p] for p in heading_paths if groups[p].units_in_round] or [groups[node.path]]

    rows = [row for group in ordered for row in group.rows]
    # Sort the plain rows and make items only of those listed: there may be thousands.
    never = datetime.date.max
    listed = sorted(
        open_actions,
        key=lambda a: (a[3] is None or a[3] >= today, a[3] or never, unit_of[a[0]].path, a[1]),
    )[:ACTION_LIST_LIMIT]
    labels = {status: str(label) for status, label in ActionStatus.choices}
    actions = [
        ActionItem(
            unit=unit_of[aid],
            title=title,
            responsible=responsible,
            due_on=due_on,
            status=status,
            status_label=labels.get(status, status),
            principle=_translated(name_sv, name_en),
            overdue=due_on is not None and due_on < today,
        )
        for aid, title, responsible, due_on, status, name_sv, name_en in listed
    ]
    comparison = Comparison(
        round=round_,
        node=node,
        trail=trail,
        principles=principles,
        dimensions=dimensions,
        groups=ordered,
        units_in_round=len(in_round),
        units_done=sum(1 for _path, state in in_round if state == AssessmentState.COMPLETED),
        respondents=sum(row.respondents for row in rows),
        open_actions=len(open_actions),
        overdue_actions=sum(counts[1] for counts in action_counts.values()),
        actions=actions,
        min_respondents=threshold,
        today=today,
        steering=steering,
        balance_now=_mean_balance([row.balance_now for row in rows]),
        balance_desired=_mean_balance([row.balance_desired for row in rows]),
        profile=_profile(rows, dimensions),
    )
    if comparison.is_unit:
        comparison.report_url = url_maker("unit_report")(rows[0].assessment_id)
    return comparison


def _profile(rows: list[UnitRow], dimensions: list[Column]) -> list[ProfileLine]:
    """Per dimension, the median of the units' agreed now and desired."""
    return [
        ProfileLine(
            column=column,
            now=scoring.median(scoring.known([row.dimensions[i].now for row in rows])),
            desired=scoring.median(scoring.known([row.dimensions[i].desired for row in rows])),
            units=sum(1 for row in rows if row.dimensions[i].now is not None),
        )
        for i, column in enumerate(dimensions)
    ]


def _translated(name_sv: str | None, name_en: str | None) -> str:
    """A name read with ``values_list``, in the current language (as ``Translated`` does)."""
    if current_language() == "en" and name_en:
        return name_en
    return name_sv or ""


def _mean_balance(balances: list[scoring.Balance | None]) -> scoring.Balance | None:
    return scoring.mean_balance([b for b in balances if b is not None])


# ---------------------------------------------------------------------------------------
# Trends across rounds
# ---------------------------------------------------------------------------------------

# A department's change between two rounds is shown only when at least this many of its
# units completed both. Agreed scores are whole numbers from 1 to 5 and most units keep
# theirs from one round to the next: with fewer units, one or two of them moving a step
# would read as the whole department moving.
TREND_MIN_UNITS = 5


@dataclass(frozen=True)
class TrendRound:
    round: Round
    units: int  # completed units under the node in this round


@dataclass(frozen=True)
class TrendStep:
    """Two neighbouring rounds, compared through the units that completed both."""

    earlier: Round
    later: Round
    units: int  # units that completed both rounds
    shown: bool  # enough of them to show a change (always, for one unit's own trend)
    same_units: bool  # every unit of either round completed both: the medians compare alike


@dataclass(frozen=True)
class Change:
    """A principle's change over one step, among the units that agreed a score in both.

    ``before`` and ``after`` are those units' medians and ``value`` their difference (later
    minus earlier): for one unit, simply its two agreed scores and their difference.
    ``higher``, ``same`` and ``lower`` count the units whose own agreed score went up, stayed
    or went down.
    """

    value: float | None
    before: float | None
    after: float | None
    units: int
    higher: int
    same: int
    lower: int


@dataclass(frozen=True)
class TrendRow:
    """A principle across rounds, matched by its ``key`` across framework versions."""

    key: str
    name: str  # as the newest version that has it calls it
    values: list[float | None]  # the agreed score (one unit) or the units' median, per round
    changes: list[Change | None]  # per step; None where the step is not shown


@dataclass
class Trend:
    node: Unit
    trail: list[Unit]
    rounds: list[TrendRound]
    steps: list[TrendStep]  # one fewer than the rounds
    rows: list[TrendRow]
    is_unit: bool  # one unit's own agreed scores, not a median over units
    min_units: int = TREND_MIN_UNITS
    # Per principle (in the rows' order), how the group(s) rated the actions linked to it in
    # the completed rounds shown: group statements, so no threshold applies.
    ratings: list[tuple[TrendRow, "followup.PrincipleRatings"]] = field(default_factory=list)


def build_trend(user, node: Unit) -> Trend:
    """Agreed scores per principle per round for ``node`` (a unit or a whole department).

    For a single unit the values are its agreed scores; for a department, per round, the
    median of the agreed scores of the units that completed that round. Those are different
    units from round to round, so a change is worked out only from the units that completed
    both of two neighbouring rounds, and only when there are at least ``TREND_MIN_UNITS`` of
    them (one unit's own trend always shows its changes). Principles are matched across
    framework versions by ``key``, so a principle renamed in a new version still lines up.
    Six queries, whatever the number of rounds and units.
    """
    if not scoping.overseen_units(user).filter(pk=node.pk).exists():
        raise Http404
    steplen = Unit.steplen
    trail = list(
        scoping.overseen_units(user)
        .filter(path__in=[node.path[: d * steplen] for d in range(1, node.depth)])
        .order_by("depth")
    )
    completed = scoping.overseen_assessments(user).filter(unit__path__startswith=node.path)
    units_in: dict[int, set[int]] = defaultdict(set)
    for round_id, unit_id in completed.values_list("round_id", "unit_id"):
        units_in[round_id].add(unit_id)
    rounds = list(Round.objects.filter(pk__in=units_in).order_by("opens_on", "pk"))
    # (round, principle key) -> unit -> agreed score
    scores: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for round_id, unit_id, key, score in PrincipleAgreement.objects.filter(
        assessment__in=completed, score__isnull=False
    ).values_list("assessment__round_id", "assessment__unit_id", "principle__key", "score"):
        scores[(round_id, key)][unit_id] = score

    # Names and order from the newest version that has each key.
    version_rank = {r.framework_version_id: i for i, r in enumerate(rounds)}
    names: dict[str, tuple[int, int, str]] = {}
    for key, order, version_id, name_sv, name_en in Principle.objects.filter(
        version_id__in=version_rank
    ).values_list("key", "order", "version_id", "name_sv", "name_en"):
        rank = version_rank[version_id]
        if key not in names or names[key][0] < rank:
            names[key] = (rank, order, _translated(name_sv, name_en))
    newest = max(version_rank.values(), default=0)
    keys = sorted(names, key=lambda k: (names[k][0] != newest, names[k][1], k))

    all_units = set().union(*units_in.values()) if units_in else set()
    is_unit = all_units <= {node.pk}
    steps = []
    for earlier, later in itertools.pairwise(rounds):
        both = units_in[earlier.pk] & units_in[later.pk]
        steps.append(
            TrendStep(
                earlier=earlier,
                later=later,
                units=len(both),
                shown=bool(both) and (is_unit or len(both) >= TREND_MIN_UNITS),
                same_units=units_in[earlier.pk] == units_in[later.pk],
            )
        )

    rows = []
    for key in keys:
        values = [scoring.median(list(scores.get((r.pk, key), {}).values())) for r in rounds]
        changes = [
            _change(scores.get((step.earlier.pk, key), {}), scores.get((step.later.pk, key), {}))
            if step.shown
            else None
            for step in steps
        ]
        rows.append(TrendRow(key=key, name=names[key][2], values=values, changes=changes))
    rated = followup.ratings_by_principle(completed)
    return Trend(
        node=node,
        trail=trail,
        rounds=[TrendRound(round=r, units=len(units_in[r.pk])) for r in rounds],
        steps=steps,
        rows=rows,
        is_unit=is_unit,
        ratings=[(row, rated[row.key]) for row in rows if row.key in rated],
    )


def _change(earlier: dict[int, int], later: dict[int, int]) -> Change:
    """One principle over one step: only the units with an agreed score in both rounds."""
    both = earlier.keys() & later.keys()
    before = [earlier[u] for u in both]
    after = [later[u] for u in both]
    median_before, median_after = scoring.median(before), scoring.median(after)
    return Change(
        value=None if median_before is None else median_after - median_before,
        before=median_before,
        after=median_after,
        units=len(both),
        higher=sum(1 for u in both if later[u] > earlier[u]),
        same=sum(1 for u in both if later[u] == earlier[u]),
        lower=sum(1 for u in both if later[u] < earlier[u]),
    )

"""The unit's balance report, its data: what the report shows, as a frozen dataclass tree.

One service assembles everything the report shows into a frozen dataclass tree
(:func:`build_unit_report`); ``report_charts`` draws its charts and ``report_render`` turns
it into HTML and PDF, where the templates in ``templates/reports/unit/`` only present it.
Texts from the framework come out in the current language, so build and render inside
``translation.override`` (as ``report_render.render_unit_report_pdf`` does).

Queries: a fixed number whatever the number of respondents: the released figures come with
the assessment, then one query per agreement table, the framework, the actions, the previous
round and the department comparison; no query in a loop, and no answer is read.

Anonymity: every figure built from answers comes from the released snapshot
(``disclosure.shown``), which applies the threshold to each figure; without a release the
report carries the agreements and actions and says why the rest is missing. The report adds
no threshold of its own. Besides:

* The department median needs at least ``DEPARTMENT_MIN_OTHERS`` other completed units of
  the department in the same round, so no single unit's scores can be read from it.

Audience: ``"unit"`` is the unit's own manager and participants (everything);
``"overseer"`` is a quality developer, who sees the dialogue notes only where the unit chose
to share them (``assessment.share_notes``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments import disclosure, followup, scoring
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAgreement,
    BalanceKind,
    DimensionAgreement,
    PrincipleAgreement,
    Unit,
    UnitAssessment,
    UnitKind,
)
from governance.report import report_section as governance_section
from principles.models import (
    Dimension,
    Principle,
    Statement,
    SteeringKey,
    SteeringPrinciple,
    SupportingText,
    TextKind,
)

from . import findings as rules

AUDIENCE_UNIT = "unit"
AUDIENCE_OVERSEER = "overseer"
AUDIENCES = (AUDIENCE_UNIT, AUDIENCE_OVERSEER)

# Other completed units of the department needed before its median is shown.
DEPARTMENT_MIN_OTHERS = 3

STATEMENT_SCALE = scoring.STATEMENT_SCALE
DIMENSION_SCALE = scoring.DIMENSION_SCALE


# --- the data tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementRow:
    key: str
    text: str
    answered: int  # answers including "don't know"
    distribution: scoring.Distribution | None  # None: too few answered this statement
    median: float | None


@dataclass(frozen=True)
class ActionRow:
    title: str
    responsible: str
    due_on: datetime.date | None
    status: str
    status_label: str
    principle_key: str | None
    principle_name: str


@dataclass(frozen=True)
class FollowedUpRow:
    """One of the previous round's actions and what the group said came of it."""

    title: str
    principle_name: str
    outcome: str  # empty when not rated
    outcome_label: str


@dataclass(frozen=True)
class PrincipleSection:
    key: str
    number: int
    name: str
    definition: str
    definition_source: str
    description: str
    agreed: int | None
    strengths: str  # empty when not agreed or not shown to this audience
    obstacles: str
    index_count: int  # respondents with an index for this principle
    index_median: float | None
    index_low: float | None
    index_high: float | None
    distribution: scoring.Distribution | None  # every statement answer of the principle
    statements: tuple[StatementRow, ...]
    actions: tuple[ActionRow, ...]
    previous_agreed: int | None
    department_median: float | None

    @property
    def change(self) -> int | None:
        if self.agreed is None or self.previous_agreed is None:
            return None
        return self.agreed - self.previous_agreed

    @property
    def change_display(self) -> str:
        """The change since the previous round as printed: "+1", "−2", "±0" or "–"."""
        if self.change is None:
            return "–"
        return "±0" if self.change == 0 else rules.format_signed(self.change)

    @property
    def has_notes(self) -> bool:
        return bool(self.strengths or self.obstacles)


@dataclass(frozen=True)
class DimensionRow:
    key: str
    name: str
    control_pole: str
    trust_pole: str
    agreed_now: int | None
    agreed_desired: int | None
    median_now: float | None
    median_desired: float | None
    previous_now: int | None
    previous_desired: int | None

    @property
    def now(self) -> float | None:
        return self.agreed_now if self.agreed_now is not None else self.median_now

    @property
    def desired(self) -> float | None:
        return self.agreed_desired if self.agreed_desired is not None else self.median_desired

    @property
    def now_is_median(self) -> bool:
        return self.agreed_now is None and self.median_now is not None

    @property
    def desired_is_median(self) -> bool:
        return self.agreed_desired is None and self.median_desired is not None

    @property
    def gap(self) -> float | None:
        if self.now is None or self.desired is None:
            return None
        return self.desired - self.now


@dataclass(frozen=True)
class SteeringLabel:
    key: str
    name: str
    keywords: str


@dataclass(frozen=True)
class BalanceRow:
    """One steering principle's points in each balance the report shows."""

    key: str
    name: str
    keywords: str
    now: int | None
    desired: int | None
    mean_now: int | None
    mean_desired: int | None
    previous_now: int | None
    previous_desired: int | None


def _points(balance: scoring.Balance | None, key: str) -> int | None:
    return getattr(balance, key) if balance is not None else None


@dataclass(frozen=True)
class BalanceSection:
    steering: tuple[SteeringLabel, ...]  # market, hierarchy, trust
    agreed_now: scoring.Balance | None
    agreed_desired: scoring.Balance | None
    mean_now: scoring.Balance | None  # group means, only above the threshold
    mean_desired: scoring.Balance | None
    previous_now: scoring.Balance | None
    previous_desired: scoring.Balance | None
    cells_now: tuple[disclosure.Cell, ...]  # regions holding at least the threshold of people
    answered_now: int
    answered_desired: int

    @property
    def now(self) -> scoring.Balance | None:
        return self.agreed_now or self.mean_now

    @property
    def desired(self) -> scoring.Balance | None:
        return self.agreed_desired or self.mean_desired

    @property
    def is_agreed(self) -> bool:
        return self.agreed_now is not None and self.agreed_desired is not None

    @property
    def has_agreement(self) -> bool:
        return self.agreed_now is not None or self.agreed_desired is not None

    @property
    def has_means(self) -> bool:
        return self.mean_now is not None or self.mean_desired is not None

    @property
    def rows(self) -> list[BalanceRow]:
        return [
            BalanceRow(
                key=s.key,
                name=s.name,
                keywords=s.keywords,
                now=_points(self.agreed_now, s.key),
                desired=_points(self.agreed_desired, s.key),
                mean_now=_points(self.mean_now, s.key),
                mean_desired=_points(self.mean_desired, s.key),
                previous_now=_points(self.previous_now, s.key),
                previous_desired=_points(self.previous_desired, s.key),
            )
            for s in self.steering
        ]


@dataclass(frozen=True)
class PreviousRound:
    round_name: str
    completed_at: datetime.datetime | None
    framework_name: str
    same_framework: bool
    matched_principles: int


@dataclass(frozen=True)
class DepartmentComparison:
    name: str
    other_units: int  # other completed units of the department in this round
    shown: bool


@dataclass(frozen=True)
class SupportingQuote:
    title: str
    body: str
    source: str


@dataclass(frozen=True)
class UnitReport:
    audience: str
    language: str
    is_preview: bool
    assessment_id: int
    state: str
    unit_name: str
    unit_code: str
    round_name: str
    round_id: int
    round_opens_on: datetime.date
    round_closes_on: datetime.date
    framework_name: str
    framework_source: str
    report_date: datetime.date  # completed on, or today for a preview
    generated_on: datetime.date
    respondents: int
    min_respondents: int
    enough: bool  # figures were released: the report shows them
    released_at: datetime.datetime | None
    notes_shown: bool
    notes_withheld: bool  # notes exist but this audience may not see them
    principles: tuple[PrincipleSection, ...]
    dimensions: tuple[DimensionRow, ...]
    balance: BalanceSection
    findings: tuple[rules.Finding, ...]
    actions: tuple[ActionRow, ...]
    previous: PreviousRound | None
    department: DepartmentComparison | None
    definition: SupportingQuote | None
    statement_count: int
    # The previous round's actions as rated in this round's dialogue (``followup``).
    followed_up: tuple[FollowedUpRow, ...] = ()
    # The group's steering signals and the chain's answers (``governance.report``).
    governance: dict | None = None

    @property
    def title(self) -> str:
        return _("Balance report")

    @property
    def any_median_in_profile(self) -> bool:
        return any(d.now_is_median or d.desired_is_median for d in self.dimensions)

    @property
    def has_department_medians(self) -> bool:
        return any(p.department_median is not None for p in self.principles)


# --- building it ---------------------------------------------------------------------------


def _ancestor_paths(unit: Unit) -> list[str]:
    step = Unit.steplen
    return [unit.path[:end] for end in range(step, len(unit.path), step)]


def _balance(row: Any) -> scoring.Balance:
    return scoring.Balance(row.market, row.hierarchy, row.trust)


def _action_row(action: Action) -> ActionRow:
    return ActionRow(
        title=action.title,
        responsible=action.responsible,
        due_on=action.due_on,
        status=action.status,
        status_label=action.get_status_display(),
        principle_key=action.principle.key if action.principle else None,
        principle_name=action.principle.name if action.principle else "",
    )


def _previous_assessment(assessment: UnitAssessment) -> UnitAssessment | None:
    """The unit's latest completed assessment in a round that opened before this one."""
    return (
        UnitAssessment.objects.filter(
            unit_id=assessment.unit_id,
            state=AssessmentState.COMPLETED,
            round__opens_on__lt=assessment.round.opens_on,
        )
        .exclude(pk=assessment.pk)
        .select_related("round__framework_version")
        .order_by("-round__opens_on", "-completed_at", "-pk")
        .first()
    )


def _department_scores(
    assessment: UnitAssessment,
) -> tuple[Unit | None, dict[str, list[int]], int]:
    """The nearest department above the unit, other units' agreed scores by principle key,
    and how many other completed units of it took part in the round (two queries)."""
    department = (
        Unit.objects.filter(path__in=_ancestor_paths(assessment.unit), kind=UnitKind.DEPARTMENT)
        .order_by("-depth")
        .first()
    )
    if department is None:
        return None, {}, 0
    scores: dict[str, list[int]] = defaultdict(list)
    units: set[int] = set()
    for assessment_id, key, score in (
        PrincipleAgreement.objects.filter(
            assessment__round_id=assessment.round_id,
            assessment__state=AssessmentState.COMPLETED,
            assessment__unit__path__startswith=department.path,
        )
        .exclude(assessment_id=assessment.pk)
        .values_list("assessment_id", "principle__key", "score")
    ):
        units.add(assessment_id)
        if score is not None:
            scores[key].append(score)
    return department, scores, len(units)


def build_unit_report(assessment: UnitAssessment, *, audience: str = AUDIENCE_UNIT) -> UnitReport:
    """Everything the balance report shows, in the current language.

    The caller has already decided, through ``scoping``, that the person may see this
    assessment and with which ``audience``. The department median reads other units'
    agreed scores, but only as a median of enough units (see the module docstring).
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}.")
    assessment = UnitAssessment.objects.select_related(
        "round__framework_version", "unit", "release"
    ).get(pk=assessment.pk)
    threshold = disclosure.threshold()
    version = assessment.round.framework_version

    principles = list(
        Principle.objects.filter(version=version)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("statements", queryset=Statement.objects.order_by("order", "pk"))
        )
    )
    dimensions = list(Dimension.objects.filter(version=version).order_by("order", "pk"))
    steering_by_key = {
        s.key: s for s in SteeringPrinciple.objects.filter(version=version).order_by("order")
    }
    definition_text = (
        SupportingText.objects.filter(version=version, kind=TextKind.DEFINITION)
        .order_by("order", "pk")
        .first()
    )

    # --- the released figures: nothing is computed from answers here ------------------------
    figures = disclosure.shown(assessment)
    if figures is not None:
        respondents = figures.respondents
    elif assessment.is_completed and assessment.counted_respondents is not None:
        respondents = assessment.counted_respondents
    else:
        respondents = disclosure.participation(assessment).counted
    enough = figures is not None

    # --- agreements, actions --------------------------------------------------------------
    principle_agreements = {
        a.principle_id: a for a in PrincipleAgreement.objects.filter(assessment=assessment)
    }
    dimension_agreements = {
        a.dimension_id: a for a in DimensionAgreement.objects.filter(assessment=assessment)
    }
    balance_agreements = {
        a.kind: _balance(a) for a in BalanceAgreement.objects.filter(assessment=assessment)
    }
    actions = tuple(
        _action_row(a)
        for a in Action.objects.filter(assessment=assessment)
        .select_related("principle")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    notes_shown = audience == AUDIENCE_UNIT or assessment.share_notes
    notes_exist = any(
        a.strengths.strip() or a.obstacles.strip() for a in principle_agreements.values()
    )

    # --- the previous round, matched by key across framework versions ---------------------
    previous = _previous_assessment(assessment)
    previous_scores: dict[str, int | None] = {}
    previous_positions: dict[str, tuple[int | None, int | None]] = {}
    previous_balances: dict[str, scoring.Balance] = {}
    if previous is not None:
        previous_scores = dict(
            PrincipleAgreement.objects.filter(assessment=previous).values_list(
                "principle__key", "score"
            )
        )
        previous_positions = {
            key: (now, desired)
            for key, now, desired in DimensionAgreement.objects.filter(
                assessment=previous
            ).values_list("dimension__key", "now", "desired")
        }
        previous_balances = {
            a.kind: _balance(a) for a in BalanceAgreement.objects.filter(assessment=previous)
        }

    followed_up = tuple(
        FollowedUpRow(
            title=item.action.title,
            principle_name=item.action.principle.name if item.action.principle_id else "",
            outcome=item.outcome,
            outcome_label=item.outcome_label,
        )
        for item in (followup.actions_to_rate(assessment, previous) if previous else ())
    )

    # --- the department ------------------------------------------------------------------
    department, department_scores, other_units = _department_scores(assessment)
    department_shown = department is not None and other_units >= DEPARTMENT_MIN_OTHERS

    # --- principles -----------------------------------------------------------------------
    sections = []
    for number, principle in enumerate(principles, start=1):
        statement_rows = []
        for statement in principle.statements.all():
            figure = figures.statements.get(statement.pk) if figures else None
            statement_rows.append(
                StatementRow(
                    key=statement.key,
                    text=statement.text,
                    answered=figure.answered if figure else 0,
                    distribution=figure.distribution if figure else None,
                    median=figure.median if figure else None,
                )
            )
        released = figures.principles.get(principle.pk) if figures else None
        agreement = principle_agreements.get(principle.pk)
        agreed = agreement.score if agreement else None
        department_median = None
        if department_shown:
            others = department_scores.get(principle.key, [])
            if len(others) >= DEPARTMENT_MIN_OTHERS:
                department_median = scoring.median(
                    others + ([agreed] if agreed is not None else [])
                )
        quartiles = released.quartiles if released else None
        sections.append(
            PrincipleSection(
                key=principle.key,
                number=number,
                name=principle.name,
                definition=principle.definition,
                definition_source=principle.definition_source,
                description=principle.description,
                agreed=agreed,
                strengths=agreement.strengths.strip() if agreement and notes_shown else "",
                obstacles=agreement.obstacles.strip() if agreement and notes_shown else "",
                index_count=released.index_count if released else 0,
                index_median=released.median if released else None,
                index_low=quartiles.low if quartiles else None,
                index_high=quartiles.high if quartiles else None,
                distribution=released.distribution if released else None,
                statements=tuple(statement_rows),
                actions=tuple(a for a in actions if a.principle_key == principle.key),
                previous_agreed=previous_scores.get(principle.key),
                department_median=department_median,
            )
        )

    # --- control–trust dimensions ---------------------------------------------------------
    dimension_rows = []
    for dimension in dimensions:
        agreement = dimension_agreements.get(dimension.pk)
        released_dimension = figures.dimensions.get(dimension.pk) if figures else None
        previous_now, previous_desired = previous_positions.get(dimension.key, (None, None))
        dimension_rows.append(
            DimensionRow(
                key=dimension.key,
                name=dimension.name,
                control_pole=dimension.control_pole,
                trust_pole=dimension.trust_pole,
                agreed_now=agreement.now if agreement else None,
                agreed_desired=agreement.desired if agreement else None,
                median_now=released_dimension.now_median if released_dimension else None,
                median_desired=released_dimension.desired_median if released_dimension else None,
                previous_now=previous_now,
                previous_desired=previous_desired,
            )
        )

    # --- steering balance -----------------------------------------------------------------
    released_now = figures.balances.get(BalanceKind.NOW) if figures else None
    released_desired = figures.balances.get(BalanceKind.DESIRED) if figures else None
    balance = BalanceSection(
        steering=tuple(
            SteeringLabel(key, s.name, s.keywords_in_text)
            for key in SteeringKey.values
            if (s := steering_by_key.get(key)) is not None
        ),
        agreed_now=balance_agreements.get(BalanceKind.NOW),
        agreed_desired=balance_agreements.get(BalanceKind.DESIRED),
        mean_now=released_now.mean if released_now else None,
        mean_desired=released_desired.mean if released_desired else None,
        previous_now=previous_balances.get(BalanceKind.NOW),
        previous_desired=previous_balances.get(BalanceKind.DESIRED),
        cells_now=released_now.cells if released_now else (),
        answered_now=released_now.count if released_now else 0,
        answered_desired=released_desired.count if released_desired else 0,
    )

    # --- findings -------------------------------------------------------------------------
    summary = rules.summarise(
        principles=[
            rules.PrincipleScore(s.key, s.name, s.agreed, s.index_median) for s in sections
        ],
        dimensions=[
            rules.DimensionPosition(
                d.key,
                d.name,
                d.now,
                d.desired,
                rules.MEDIAN if (d.now_is_median or d.desired_is_median) else rules.AGREED,
            )
            for d in dimension_rows
        ],
        # Only the statements the release shows, with the answers their distribution holds.
        statements=[
            rules.StatementAnswers(
                statement.key,
                statement.text,
                principle.name,
                tuple(figures.statements[statement.pk].distribution.values()),
            )
            for principle in principles
            for statement in principle.statements.all()
            if figures is not None
            and statement.pk in figures.statements
            and figures.statements[statement.pk].shown
        ],
        balance_now=balance.now,
        balance_desired=balance.desired,
        balance_agreed=balance.is_agreed,
        enough=enough,
        threshold=threshold,
    )

    completed = assessment.state == AssessmentState.COMPLETED
    report_date = (
        timezone.localdate(assessment.completed_at)
        if completed and assessment.completed_at
        else timezone.localdate()
    )
    return UnitReport(
        audience=audience,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        is_preview=not completed,
        assessment_id=assessment.pk,
        state=assessment.state,
        unit_name=assessment.unit.name,
        unit_code=assessment.unit.code,
        round_name=assessment.round.name,
        round_id=assessment.round_id,
        round_opens_on=assessment.round.opens_on,
        round_closes_on=assessment.round.closes_on,
        framework_name=version.display_name,
        framework_source=version.source,
        report_date=report_date,
        generated_on=timezone.localdate(),
        respondents=respondents,
        # The threshold the figures were released under, which the texts then state.
        min_respondents=figures.threshold if figures else threshold,
        enough=enough,
        released_at=figures.released_at if figures else None,
        notes_shown=notes_shown,
        notes_withheld=notes_exist and not notes_shown,
        principles=tuple(sections),
        dimensions=tuple(dimension_rows),
        balance=balance,
        findings=summary,
        actions=actions,
        previous=(
            PreviousRound(
                round_name=previous.round.name,
                completed_at=previous.completed_at,
                framework_name=previous.round.framework_version.display_name,
                same_framework=previous.round.framework_version_id == version.pk,
                matched_principles=sum(1 for s in sections if s.key in previous_scores),
            )
            if previous is not None
            else None
        ),
        department=(
            DepartmentComparison(department.name, other_units, department_shown)
            if department is not None
            else None
        ),
        definition=(
            SupportingQuote(definition_text.title, definition_text.body, definition_text.source)
            if definition_text
            else None
        ),
        statement_count=sum(len(s.statements) for s in sections),
        followed_up=followed_up,
        governance=governance_section(assessment),
    )

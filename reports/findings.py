"""The summary of findings at the top of the balance report: rules as plain functions.

Each rule takes plain values (no database) and returns what it found, or nothing when the
data do not support a finding. ``summarise`` turns the results into sentences in the current
language, so call it inside ``translation.override``.

The rules, so that a reader of the report can be told exactly how a finding came about:

* **Strongest and weakest principle.** A principle's score is the group's agreed score; where
  the group agreed none, the median of the participants' principle indices stands in (only
  when enough people answered to show it). At least two principles must have a score. Every
  principle sharing the top (or bottom) score is named: a tie is reported as a tie, never
  broken by the order of the framework. When all scores are equal there is no strongest or
  weakest, and the finding says so.
* **Largest now–desired gaps.** Per control–trust dimension, desired minus now, from the
  agreed positions, or from the medians where nothing was agreed. Gaps smaller than
  ``MIN_GAP`` steps are no finding. Up to ``GAP_LIMIT`` dimensions, largest first; a
  dimension tied with the last one shown is shown too, so the cut is never arbitrary.
* **Largest disagreement.** Per statement, the spread (population standard deviation, see
  ``scoring``) of the answers with a value. Only statements whose figures were released count
  (``disclosure`` decides), and only spreads of at least ``NOTABLE_SPREAD`` are
  disagreement worth naming; ties at the cut are shown as for gaps.
* **Steering balance.** Points of trust now and desired, agreed (or the group's mean).
* Below the anonymity threshold only agreed figures are used, and a finding says why the
  individual answers are not part of the summary.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments import scoring

MIN_GAP = 1.0  # one step of the 1–7 scale
GAP_LIMIT = 3
NOTABLE_SPREAD = 1.0  # on a 1–5 scale: answers typically a whole step or more apart
DISAGREEMENT_LIMIT = 3

AGREED = "agreed"
MEDIAN = "median"


def format_number(value: float | None) -> str:
    """A figure as the report prints it: whole numbers bare, others with one decimal."""
    if value is None:
        return "–"
    rounded = round(float(value), 1)
    if rounded == int(rounded):
        return number_format(int(rounded))
    return number_format(rounded, decimal_pos=1)


def format_signed(value: float) -> str:
    text = format_number(abs(value))
    if round(value, 1) > 0:
        return f"+{text}"
    if round(value, 1) < 0:
        return f"−{text}"
    return text


# --- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrincipleScore:
    key: str
    label: str
    agreed: float | None = None
    median: float | None = None  # of the participants' indices; None below the threshold

    @property
    def score(self) -> float | None:
        return self.agreed if self.agreed is not None else self.median

    @property
    def source(self) -> str | None:
        if self.agreed is not None:
            return AGREED
        return MEDIAN if self.median is not None else None


@dataclass(frozen=True)
class DimensionPosition:
    key: str
    label: str
    now: float | None = None
    desired: float | None = None
    source: str = AGREED  # AGREED, or MEDIAN when the figures are the group's medians

    @property
    def gap(self) -> float | None:
        if self.now is None or self.desired is None:
            return None
        return self.desired - self.now


@dataclass(frozen=True)
class StatementAnswers:
    key: str
    label: str
    principle_label: str
    values: tuple[int, ...]  # answers with a value ("don't know" left out)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extreme:
    """The principle(s) sharing the highest or lowest score."""

    principles: tuple[PrincipleScore, ...]
    score: float


@dataclass(frozen=True)
class Extremes:
    strongest: Extreme | None
    weakest: Extreme | None
    all_equal: bool = False
    score: float | None = None  # the common score when all_equal


@dataclass(frozen=True)
class Gap:
    dimension: DimensionPosition
    gap: float


@dataclass(frozen=True)
class Disagreement:
    statement: StatementAnswers
    spread: float


@dataclass(frozen=True)
class Finding:
    """One finding as the report shows it: a short title and a sentence or two."""

    kind: str
    title: str
    text: str
    items: tuple[str, ...] = ()  # listed under the text
    subjects: tuple[str, ...] = ()  # what the finding is about, e.g. the principles named


# --- rules ---------------------------------------------------------------------------------


def _ties_at_cut(ranked: list, key, limit: int) -> list:
    """The first ``limit`` items, plus any further items tied with the last one kept."""
    if len(ranked) <= limit:
        return ranked
    last = key(ranked[limit - 1])
    kept = ranked[:limit]
    kept.extend(item for item in ranked[limit:] if key(item) == last)
    return kept


def principle_extremes(principles: Sequence[PrincipleScore]) -> Extremes | None:
    """Strongest and weakest principle (see the module docstring); None without two scores."""
    scored = [p for p in principles if p.score is not None]
    if len(scored) < 2:
        return None
    high = max(p.score for p in scored)
    low = min(p.score for p in scored)
    if high == low:
        return Extremes(strongest=None, weakest=None, all_equal=True, score=high)
    return Extremes(
        strongest=Extreme(tuple(p for p in scored if p.score == high), high),
        weakest=Extreme(tuple(p for p in scored if p.score == low), low),
    )


def largest_gaps(
    dimensions: Sequence[DimensionPosition], *, limit: int = GAP_LIMIT, min_gap: float = MIN_GAP
) -> list[Gap]:
    """Dimensions with the largest now–desired gap, either direction, largest first."""
    pairs = {
        index: ((d.now,), (d.desired,))
        for index, d in enumerate(dimensions)
        if d.gap is not None and abs(d.gap) >= min_gap
    }
    ranked = [Gap(dimensions[item.key], item.score) for item in scoring.rank_by_gap(pairs)]
    return _ties_at_cut(ranked, lambda g: abs(g.gap), limit)


def largest_disagreement(
    statements: Sequence[StatementAnswers],
    *,
    limit: int = DISAGREEMENT_LIMIT,
    notable: float = NOTABLE_SPREAD,
) -> list[Disagreement]:
    """Statements the group disagreed most about.

    The caller passes only statements whose distribution was released
    (``disclosure`` applies the anonymity threshold; this module adds none of its own).
    """
    eligible = {index: s.values for index, s in enumerate(statements) if s.values}
    ranked = [
        Disagreement(statements[item.key], item.score)
        for item in scoring.rank_by_disagreement(eligible)
        if item.score >= notable
    ]
    # Spreads are compared as printed, so that two statements shown as "1.2" count as a tie.
    return _ties_at_cut(ranked, lambda d: round(d.spread, 2), limit)


# --- sentences -----------------------------------------------------------------------------


def _names(principles: Sequence[PrincipleScore]) -> str:
    names = [p.label for p in principles]
    if len(names) == 1:
        return names[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _score_note(extreme: Extreme) -> str:
    if all(p.source == AGREED for p in extreme.principles):
        return _("agreed score %(score)s") % {"score": format_number(extreme.score)}
    return _("score %(score)s, partly the median of individual answers where none was agreed") % {
        "score": format_number(extreme.score)
    }


def _extreme_findings(extremes: Extremes | None) -> list[Finding]:
    if extremes is None:
        return [
            Finding(
                "extremes_missing",
                _("Strongest and weakest principle"),
                _(
                    "Too few principles have an agreed score (or a median of enough answers) "
                    "to compare them."
                ),
            )
        ]
    if extremes.all_equal:
        return [
            Finding(
                "extremes_equal",
                _("Strongest and weakest principle"),
                _("All principles have the same score, %(score)s: none stands out.")
                % {"score": format_number(extremes.score)},
            )
        ]
    found = []
    strongest, weakest = extremes.strongest, extremes.weakest
    for kind, title, extreme, one, several in (
        (
            "strongest",
            ngettext("Strongest principle", "Strongest principles", len(strongest.principles)),
            strongest,
            _("%(names)s is the unit's strongest principle (%(note)s)."),
            _("%(names)s share the highest score (%(note)s)."),
        ),
        (
            "weakest",
            ngettext("Weakest principle", "Weakest principles", len(weakest.principles)),
            weakest,
            _("%(names)s is where the unit sees the most room to grow (%(note)s)."),
            _("%(names)s share the lowest score (%(note)s)."),
        ),
    ):
        template = one if len(extreme.principles) == 1 else several
        text = template % {"names": _names(extreme.principles), "note": _score_note(extreme)}
        found.append(
            Finding(kind, title, text, subjects=tuple(p.label for p in extreme.principles))
        )
    return found


def _gap_finding(gaps: list[Gap], any_positions: bool) -> Finding:
    title = _("Largest gaps between now and desired")
    if not gaps:
        text = (
            _("No dimension has a gap of a whole step or more between now and desired.")
            if any_positions
            else _("Now and desired were neither agreed nor answered by enough people.")
        )
        return Finding("gaps_none", title, text)
    items = []
    for item in gaps:
        d = item.dimension
        direction = _("towards trust") if item.gap > 0 else _("towards control")
        median_note = _(" (medians)") if d.source == MEDIAN else ""
        items.append(
            ngettext(
                "%(dimension)s: from %(now)s to %(desired)s, %(gap)s step %(direction)s%(note)s",
                "%(dimension)s: from %(now)s to %(desired)s, %(gap)s steps %(direction)s%(note)s",
                1 if abs(item.gap) == 1 else 2,
            )
            % {
                "dimension": d.label,
                "now": format_number(d.now),
                "desired": format_number(d.desired),
                "gap": format_number(abs(item.gap)),
                "direction": direction,
                "note": median_note,
            }
        )
    text = ngettext(
        "The group wants to move most on this dimension of control and trust:",
        "The group wants to move most on these dimensions of control and trust:",
        len(items),
    )
    return Finding(
        "gaps", title, text, items=tuple(items), subjects=tuple(g.dimension.label for g in gaps)
    )


def _disagreement_finding(
    disagreements: list[Disagreement], enough: bool, threshold: int
) -> Finding:
    title = _("Largest disagreement")
    if not enough:
        return Finding(
            "disagreement_hidden",
            title,
            _(
                "No figures from individual answers were released (that needs at least "
                "%(threshold)s people who answered, shown to the group by the manager), so the "
                "findings rest on what the group agreed."
            )
            % {"threshold": threshold},
        )
    if not disagreements:
        return Finding(
            "disagreement_none",
            title,
            _(
                "The group largely agreed: no statement had a spread of %(spread)s or more "
                "on the 1–5 scale."
            )
            % {"spread": format_number(NOTABLE_SPREAD)},
        )
    items = tuple(
        _("“%(statement)s” (%(principle)s): spread %(spread)s")
        % {
            "statement": d.statement.label,
            "principle": d.statement.principle_label,
            "spread": format_number(d.spread),
        }
        for d in disagreements
    )
    text = ngettext(
        "Answers differed most on this statement – worth returning to:",
        "Answers differed most on these statements – worth returning to:",
        len(items),
    )
    return Finding(
        "disagreement",
        title,
        text,
        items=items,
        subjects=tuple(d.statement.label for d in disagreements),
    )


def balance_finding(
    now: scoring.Balance | None, desired: scoring.Balance | None, *, agreed: bool
) -> Finding | None:
    """How far the group wants the steering balance to move towards (or from) trust."""
    if now is None or desired is None:
        return None
    values = {
        "now": now.trust,
        "desired": desired.trust,
        "source": _("agreed") if agreed else _("the group's mean"),
    }
    if desired.trust > now.trust:
        text = _(
            "Trust has %(now)s of 100 points now and %(desired)s desired (%(source)s): "
            "the group wants more governance through trust."
        )
    elif desired.trust < now.trust:
        text = _(
            "Trust has %(now)s of 100 points now and %(desired)s desired (%(source)s): "
            "the group wants less governance through trust."
        )
    else:
        text = _(
            "Trust has %(now)s of 100 points both now and desired (%(source)s): the group is "
            "content with its share."
        )
    return Finding("balance", _("Steering balance"), text % values)


def summarise(
    *,
    principles: Sequence[PrincipleScore],
    dimensions: Sequence[DimensionPosition],
    statements: Sequence[StatementAnswers],
    balance_now: scoring.Balance | None,
    balance_desired: scoring.Balance | None,
    balance_agreed: bool,
    enough: bool,
    threshold: int,
) -> tuple[Finding, ...]:
    """Every finding in report order, as sentences in the current language.

    Below the threshold (``enough`` false) the caller passes no medians and no statement
    answers; the rules then rest on the agreements alone.
    """
    found = _extreme_findings(principle_extremes(principles))
    gaps = largest_gaps(dimensions)
    any_positions = any(d.gap is not None for d in dimensions)
    found.append(_gap_finding(gaps, any_positions))
    disagreements = largest_disagreement(statements) if enough else []
    found.append(_disagreement_finding(disagreements, enough, threshold))
    balance = balance_finding(balance_now, balance_desired, agreed=balance_agreed)
    if balance is not None:
        found.append(balance)
    return tuple(found)

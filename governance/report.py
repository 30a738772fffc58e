"""What a unit sees of its own signals and of the answers to them: on its assessment page,
in the next round's dialogue ("what happened to what we raised") and, for the lead to
include, in the balance report (``report_section`` with ``templates/governance/
_report_section.html``).

Every function takes an assessment the caller has already looked up through ``scoping``,
and reads only that unit's own signals: one query each.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from assessments.models import AssessmentState, UnitAssessment

from .models import AnswerStatus, SteeringSignal
from .overview import SignalRow, signal_rows


@dataclass
class RoundSignals:
    """One round's signals of the unit, with the answers they got."""

    round_name: str
    assessment_pk: int
    signals: list[SignalRow]

    @property
    def answered(self) -> int:
        return sum(1 for s in self.signals if s.answer is not None)


def _grouped(rows: list[SignalRow]) -> list[RoundSignals]:
    groups: dict[int, RoundSignals] = {}
    for row in rows:
        group = groups.get(row.assessment_pk)
        if group is None:
            group = groups[row.assessment_pk] = RoundSignals(
                round_name=row.round_name, assessment_pk=row.assessment_pk, signals=[]
            )
        group.signals.append(row)
    return list(groups.values())


def raised_before(assessment: UnitAssessment, *, include_own: bool = False) -> list[RoundSignals]:
    """The unit's signals of earlier completed rounds (and of this one with `include_own`,
    once completed), newest round first, with their answers: one query."""
    earlier = Q(
        assessment__unit_id=assessment.unit_id,
        assessment__state=AssessmentState.COMPLETED,
        assessment__round__opens_on__lte=assessment.round.opens_on,
    ) & ~Q(assessment_id=assessment.pk)
    if include_own and assessment.is_completed:
        earlier |= Q(assessment_id=assessment.pk)
    signals = SteeringSignal.objects.filter(earlier).order_by(
        "-assessment__round__opens_on", "-assessment__round__pk", "created_at", "pk"
    )
    return _grouped(signal_rows(signals))


def dialogue_counts(assessment: UnitAssessment) -> dict[str, int]:
    """For the dialogue page: this assessment's signals, and the earlier ones answered."""
    return SteeringSignal.objects.filter(
        assessment__unit_id=assessment.unit_id,
        assessment__round__opens_on__lte=assessment.round.opens_on,
    ).aggregate(
        own=Count("pk", filter=Q(assessment_id=assessment.pk)),
        earlier_answered=Count(
            "pk",
            filter=~Q(assessment_id=assessment.pk)
            & Q(assessment__state=AssessmentState.COMPLETED, answer__isnull=False),
        ),
    )


def report_section(assessment: UnitAssessment) -> dict:
    """The data of ``templates/governance/_report_section.html`` for a unit's balance report:
    the signals the group named in this round with their answers so far, and the answers to
    what it raised in earlier rounds. One query. Pass the result as ``governance`` in the
    report's context and ``{% include "governance/_report_section.html" %}``."""
    groups = raised_before(assessment, include_own=True)
    own = [g for g in groups if g.assessment_pk == assessment.pk]
    earlier = [g for g in groups if g.assessment_pk != assessment.pk]
    own_signals = own[0].signals if own else []
    return {
        "signals": own_signals,
        "hours": sum(s.hours for s in own_signals),
        "hindering": sum(1 for s in own_signals if s.hinders),
        "earlier": earlier,
        "accepted_earlier": sum(
            1
            for g in earlier
            for s in g.signals
            if s.answer is not None and s.answer.status == AnswerStatus.ACCEPTED
        ),
    }

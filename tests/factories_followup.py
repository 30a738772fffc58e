"""Factories for following actions up: a unit's earlier, completed round with actions, and
its next round in the dialogue, where the group rates them."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from assessments.models import Action, ActionStatus, AssessmentState
from principles.models import Principle
from tests.factories import make_assessment, make_round, make_version


def make_two_rounds(
    org, *, unit=None, later_state=AssessmentState.DIALOGUE, actions=2, version=None
):
    """Round VT (completed) with `actions` actions of `unit` (default Enhet A1), each linked to a
    principle, and round HT with the unit's next assessment in `later_state`."""
    unit = unit or org.a1
    version = version or make_version(published=True)
    spring = make_round(
        org.root,
        version,
        name="Tillitsskattning VT 2026",
        opens_on=datetime.date(2026, 2, 1),
        closes_on=datetime.date(2026, 5, 31),
    )
    autumn = make_round(org.root, version, name="Tillitsskattning HT 2026")
    earlier = make_assessment(
        spring, unit, state=AssessmentState.COMPLETED, completed_at=timezone.now()
    )
    later_fields = (
        {"completed_at": timezone.now()} if later_state == AssessmentState.COMPLETED else {}
    )
    later = make_assessment(autumn, unit, state=later_state, **later_fields)
    principles = list(Principle.objects.filter(version=version).order_by("order", "pk"))
    made = [
        Action.objects.create(
            assessment=earlier,
            principle=principles[i % len(principles)],
            title=f"Åtgärd {i + 1} i {unit.code}",
            responsible="Arbetsgruppen",
            due_on=datetime.date(2026, 6, 1),
            status=ActionStatus.IN_PROGRESS,
        )
        for i in range(actions)
    ]
    return SimpleNamespace(
        version=version,
        earlier=earlier,
        later=later,
        actions=made,
        action=made[0] if made else None,
        principles=principles,
    )

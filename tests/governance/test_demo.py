"""The demo tells the weekly report's story: three units propose a quarterly dialogue, the
förvaltning's management accepts one; setup_demo makes it once."""

from io import StringIO

import pytest
from django.core.management import call_command

from assessments.demo import create_demo_organisation
from assessments.demo_rounds import create_demo_rounds
from governance.demo import WEEKLY, create_demo_signals
from governance.models import SteeringSignal

pytestmark = pytest.mark.django_db


def test_it_tells_the_weekly_reports_story_once():
    call_command("loaddata", "framework", verbosity=0)
    create_demo_organisation(StringIO(), show_passwords=False)
    create_demo_rounds(StringIO())
    assert create_demo_signals(StringIO()) >= 8
    earlier = SteeringSignal.objects.filter(
        title=WEEKLY, assessment__round__name__contains="VT"
    ).select_related("assessment__unit")
    assert earlier.count() == 3
    assert {s.hours_per_month for s in earlier} == {20}
    assert {s.proposal for s in earlier} == {"together"}
    answered = [s for s in earlier if hasattr(s, "answer")]
    assert [a.answer.status for a in answered if a.answer.status == "accepted"] == ["accepted"]
    accepted = next(s for s in answered if s.answer.status == "accepted")
    assert accepted.assessment.unit.code == "EK-SOC-HTN"
    assert accepted.answer.answered_by.username == "ledning.soc"
    before = SteeringSignal.objects.count()
    assert create_demo_signals(StringIO()) == 0
    assert SteeringSignal.objects.count() == before

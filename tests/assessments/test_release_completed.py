"""`release_completed`: figures for assessments completed before releases were kept."""

import io

import pytest
from django.core.management import call_command

from assessments.models import AssessmentState, Release, UnitAssessment
from tests.factories_dialogue import add_respondents, make_unit_assessment


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.MIN_RESPONDENTS = 5


def run(*args) -> str:
    out = io.StringIO()
    call_command("release_completed", *args, stdout=out)
    return out.getvalue()


def test_it_releases_old_completed_assessments_once_and_says_so(org):
    enough = make_unit_assessment(org, state=AssessmentState.COMPLETED)
    add_respondents(enough, 5)
    few = make_unit_assessment(
        org, unit=org.a2, state=AssessmentState.COMPLETED, round=enough.round
    )
    add_respondents(few, 4)

    dry = run("--dry-run")
    assert "A1: would release (5 counted)" in dry and "A2: too few to release (4 counted)" in dry
    assert not Release.objects.exists()

    out = run()
    assert "1 of 2 completed assessments released." in out
    enough.refresh_from_db()
    few.refresh_from_db()
    assert enough.release.respondents == 5 and enough.counted_respondents == 5
    assert few.release is None and few.counted_respondents == 4

    again = run()
    assert Release.objects.count() == 1
    assert "0 of 1 completed assessments released." in again
    assert UnitAssessment.objects.get(pk=few.pk).counted_respondents == 4

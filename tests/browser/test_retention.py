"""The manager's page of an assessment whose individual answers the retention rule deleted."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import retention
from assessments.models import AssessmentState, UnitAssessment
from principles.models import FrameworkVersion
from tests.browser.helpers import DESKTOP, PHONE, check_widths
from tests.factories import make_assessment, make_round, release
from tests.factories_dialogue import add_respondents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLETED = timezone.make_aware(datetime.datetime(2026, 3, 2, 14, 0))
PURGED = COMPLETED + datetime.timedelta(days=90)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5
    settings.RETENTION_ANSWERS_DAYS = 90


@pytest.fixture
def purged(transactional_db, org):
    call_command("loaddata", "framework", verbosity=0)
    made = make_assessment(
        make_round(org.root, FrameworkVersion.objects.current()),
        org.a1,
        state=AssessmentState.DIALOGUE,
    )
    add_respondents(made, 6)
    release(made)
    UnitAssessment.objects.filter(pk=made.pk).update(
        state=AssessmentState.COMPLETED, completed_at=COMPLETED, counted_respondents=6
    )
    retention.purge(now=PURGED)
    return made


def test_it_says_on_the_managers_page_when_the_answers_were_deleted(live_server, browser, purged):
    context = browser.new_context(viewport=PHONE, locale="en-GB", reduced_motion="reduce")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/konto/login/")
    page.fill("input[name=username]", "manager-a")
    page.fill("input[name=password]", "pw-test-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/skattning/{purged.pk}/")
    notice = page.locator("[data-purged]")
    assert notice.inner_text() == (
        "The individual answers were deleted on 31 May 2026 according to the retention rule. "
        "The report, the figures shown to the group, the agreements and the actions are kept."
    )
    # On a phone and a desktop: the same load, the window resized.
    check_widths(page, "manager-assessment-purged", PHONE, DESKTOP)
    context.close()

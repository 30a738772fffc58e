"""The manager runs a whole meeting in the browser: code, live count, dialogue, completion."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import (
    Action,
    AssessmentState,
    PrincipleAgreement,
    UnitAssessment,
)
from principles.models import FrameworkVersion
from tests.browser.helpers import PHONE, check_widths
from tests.browser.helpers import check_page as _check
from tests.factories import make_assessment, make_round, release
from tests.factories_dialogue import add_respondents

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pdfs_left_queued"),  # no PDF is opened here
]

PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def assessment(transactional_db, org):
    call_command("loaddata", "framework", verbosity=0)
    version = FrameworkVersion.objects.current()
    return make_assessment(make_round(org.root, version), org.a1, join_code="K7QM2XHP9R")


def _log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/konto/login/")
    page.fill("input[name=username]", "manager-a")
    page.fill("input[name=password]", "pw-test-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_it_runs_the_meeting_from_code_to_completion(live_server, browser, assessment):
    context = browser.new_context(viewport=PROJECTOR, locale="en-GB", reduced_motion="reduce")
    # The page's timers run on a clock the test can move on: the live count's next poll comes
    # when the test says, not five seconds later.
    context.clock.install()
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    _log_in(page, live_server.url)
    page_url = f"{live_server.url}/skattning/{assessment.pk}/"

    # The assessment page: join link, code and QR code; the next step is to open.
    page.goto(page_url)
    assert page.get_by_role("heading", name="Enhet A1").is_visible()
    assert page.locator(".join-code").inner_text() == "K7QM2-XHP9R"
    assert page.locator(".qr-box svg[role=img]").count() == 1
    assert f"{live_server.url}/delta/K7QM2XHP9R/" in page.locator(".join-url").inner_text()
    _check(page, "manager-assessment-1280")
    check_widths(page, "manager-assessment", PHONE)

    page.get_by_label("How many will answer?").fill("6")
    page.get_by_role("button", name="Open individual reflection").click()
    page.wait_for_load_state()
    opened = UnitAssessment.objects.get(pk=assessment.pk)
    assert (opened.state, opened.expected_respondents) == (AssessmentState.INDIVIDUAL, 6)

    # The code on the projector.
    page.get_by_role("link", name="Show the code on the projector").first.click()
    page.wait_for_load_state()
    assert page.locator(".join-code-huge").inner_text() == "K7QM2-XHP9R"
    assert page.locator(".code-screen-qr svg[role=img]").is_visible()
    _check(page, "manager-show-code-1280")
    check_widths(page, "manager-show-code", PHONE)

    # Participants answer on their phones; the count follows without a reload.
    page.goto(page_url)
    assert "No one has answered yet." in page.locator(".participation-count").inner_text()
    add_respondents(
        assessment,
        6,
        comment=lambda i, p: "Vi behöver mer tid för varandra." if (i, p) == (0, 0) else "",
    )
    page.clock.fast_forward(5_000)  # dialogue.js polls every five seconds
    page.wait_for_function(
        "() => document.querySelector('.participation-count').innerText.includes('6 people')",
        timeout=12_000,
    )

    # The dialogue: results hidden until shown, then the conversation starters first.
    page.get_by_role("button", name="Close individual reflection and start the dialogue").click()
    page.wait_for_load_state()
    assert "The results are hidden until you show them" in page.content()
    page.get_by_role("button", name="Show results").click()
    page.wait_for_load_state()
    starters = page.locator(".starters")
    assert starters.get_by_role("heading", name="Start the conversation here").is_visible()
    assert page.locator("table.distribution-table").count() == 8  # starters + 7 principles
    dialogue_url = page.url.split("#")[0]
    _check(page, "manager-dialogue-1280")
    check_widths(page, "manager-dialogue", PHONE)

    # The group agrees on the first principle.
    first = page.locator("article.principle-block").first
    first.get_by_label("4", exact=True).check()
    first.get_by_label("Strengths").fill("Vi hjälper varandra.")
    first.get_by_role("button", name="Save the agreement").click()
    page.wait_for_load_state()
    agreement = PrincipleAgreement.objects.get(assessment=assessment)
    # Each field saved on its own (as it was chosen or left) or with the button: both stored.
    assert (agreement.score, agreement.strengths) == (4, "Vi hjälper varandra.")
    assert agreement.lock_version >= 1

    # …and on an action.
    due = timezone.localdate() + datetime.timedelta(days=30)
    actions = page.locator("#actions")
    actions.get_by_label("What").fill("Ses en timme varje vecka")
    actions.get_by_label("Who").fill("Maja")
    actions.get_by_label("By when").fill(due.isoformat())
    actions.get_by_role("button", name="Add the action").click()
    page.wait_for_load_state()
    assert actions.get_by_role("rowheader", name="Ses en timme varje vecka").is_visible()
    assert Action.objects.get(assessment=assessment).due_on == due

    # Completion: preview with the notes shared, then lock.
    page.get_by_role("link", name="Preview and complete").first.click()
    page.wait_for_load_state()
    assert "Vi hjälper varandra." not in page.locator(".preview").inner_text()
    page.get_by_label("Share our dialogue notes with the quality developers").check()
    # The preview follows the choice at once, without a reload.
    page.locator(".preview").get_by_text("Vi hjälper varandra.").wait_for()
    _check(page, "manager-complete-1280")
    page.get_by_label("I understand that the answers and agreements are locked").check()
    page.get_by_role("button", name="Complete and lock the self-assessment").click()
    page.wait_for_load_state()
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert stored.state == AssessmentState.COMPLETED
    assert stored.share_notes is True
    assert page.get_by_text("The self-assessment is completed and locked.").is_visible()

    # Afterwards the dialogue is read-only, and still accessible.
    page.goto(dialogue_url)
    assert page.get_by_role("button", name="Save the agreement").count() == 0
    _check(page, "manager-dialogue-completed-1280")
    context.close()


def test_it_shows_the_threshold_explanation_accessibly(live_server, browser, assessment):
    UnitAssessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.DIALOGUE)
    add_respondents(assessment, 4)
    assert release(assessment).status == "too_few"
    context = browser.new_context(viewport=PROJECTOR, locale="en-GB", reduced_motion="reduce")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/skattning/{assessment.pk}/dialog/")
    assert page.get_by_text("Fewer than 5 have answered.").is_visible()
    assert page.locator("table.distribution-table").count() == 0
    _check(page, "manager-dialogue-few-1280")

    # A balance that does not add up is refused next to the fields, nothing stored.
    form = page.locator("#agree-balance-now")
    form.get_by_label("Competition").fill("50")
    form.get_by_label("Regulation").fill("30")
    form.get_by_label("Trust").fill("10")
    assert "90" in form.locator("[data-balance-sum]").inner_text()
    form.get_by_role("button", name="Save the agreement").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "The points must add up to 100; now they add up to 90."
    ).first.is_visible()
    assert page.url.split("#")[0].endswith("/dialog/")  # in place, not on a separate page
    _check(page, "manager-agreement-error-1280")
    context.close()

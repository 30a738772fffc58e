"""Completing in the browser: the share-notes choice applied live, a confirmation that must be
ticked, and an administrator reopening the assessment with a reason."""

import pytest
from django.core.management import call_command

from assessments import agreements, workflow
from assessments.models import AssessmentState, StateChange, UnitAssessment
from principles.models import FrameworkVersion
from tests.browser.helpers import DESKTOP, check_page
from tests.factories import make_assessment, make_round, release
from tests.factories_dialogue import add_respondents

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pdfs_left_queued"),  # no PDF is opened here
]

NOTE = "Vi hjälper varandra när det är mycket."
SHARE = "Share our dialogue notes with the quality developers"
CONFIRM = "I understand that the answers and agreements are locked"
COMPLETE = "Complete and lock the self-assessment"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5


@pytest.fixture
def assessment(transactional_db, org):
    """Enhet A1 in the dialogue: figures shown, one principle agreed with notes, one action."""
    call_command("loaddata", "framework", verbosity=0)
    version = FrameworkVersion.objects.current()
    made = make_assessment(make_round(org.root, version), org.a1, state=AssessmentState.DIALOGUE)
    add_respondents(made, 6)
    release(made)
    principle = version.principles.order_by("order").first()
    agreements.save_principle_agreement(
        made, principle, org.manager_of_a, lock_version=0, score=4, strengths=NOTE
    )
    agreements.create_action(made, org.manager_of_a, title="Färre möten", responsible="Maja")
    return made


def _page(browser, live_server, username: str, *, javascript: bool = True):
    context = browser.new_context(
        viewport=DESKTOP, locale="en-GB", java_script_enabled=javascript, reduced_motion="reduce"
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/konto/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return context, page


def test_it_shows_the_notes_live_and_completes_only_when_confirmed(
    live_server, browser, assessment
):
    context, page = _page(browser, live_server, "manager-a")
    page.goto(f"{live_server.url}/skattning/{assessment.pk}/avsluta/")

    # What will be locked, with what is not agreed yet named.
    locks = page.locator("[data-locks]")
    assert "Guiding principles with an agreed score: 1 of 7." in locks.inner_text()
    assert "Not agreed yet:" in locks.inner_text()
    # The notes are not in the preview; with the script, no reload button is needed.
    notes = page.locator("#dialogue-notes")
    assert notes.is_hidden()
    assert page.get_by_role("button", name="Update the preview").is_hidden()
    check_page(page, "manager-complete-confirm-1280")

    # Ticking the box shows the notes at once, without a reload.
    page.evaluate("window.notReloaded = true")
    page.get_by_label(SHARE).check()
    assert notes.is_visible() and NOTE in notes.inner_text()
    assert page.get_by_role("heading", name="Preview – with your dialogue notes").is_visible()
    assert (
        page.get_by_role("status")
        .filter(has_text="The preview below now includes your dialogue notes.")
        .is_visible()
    )
    assert page.get_by_text("Your dialogue notes will be shared with the quality developers.")
    assert page.evaluate("window.notReloaded === true")
    check_page(page, "manager-complete-notes-shared-1280")

    # Completing without the confirmation is refused beside the box; nothing is stored.
    page.get_by_role("button", name=COMPLETE).click()
    page.wait_for_load_state()
    assert UnitAssessment.objects.get(pk=assessment.pk).state == AssessmentState.DIALOGUE
    error = page.locator("#confirm-error")
    assert error.is_visible()
    assert "Tick the box to confirm" in error.inner_text()
    box = page.get_by_label(CONFIRM)
    assert box.get_attribute("aria-describedby") == "confirm-error"
    assert page.get_by_label(SHARE).is_checked() and notes.is_visible()  # the choice is kept
    box.scroll_into_view_if_needed()
    check_page(page, "manager-complete-unconfirmed-1280")

    # Confirmed, it completes with the notes shared.
    box.check()
    page.get_by_role("button", name=COMPLETE).click()
    page.wait_for_load_state()
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert (stored.state, stored.share_notes) == (AssessmentState.COMPLETED, True)
    assert page.get_by_text("The self-assessment is completed and locked.").is_visible()
    context.close()


def test_it_updates_the_preview_without_the_script(live_server, browser, assessment):
    context, page = _page(browser, live_server, "manager-a", javascript=False)
    page.goto(f"{live_server.url}/skattning/{assessment.pk}/avsluta/")
    assert page.locator("#dialogue-notes").is_hidden()
    page.get_by_label(SHARE).check()
    page.get_by_role("button", name="Update the preview").click()
    page.wait_for_load_state()
    assert page.locator("#dialogue-notes").is_visible()
    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name=COMPLETE).click()
    page.wait_for_load_state()
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert (stored.state, stored.share_notes) == (AssessmentState.COMPLETED, True)
    context.close()


def test_it_lets_an_administrator_reopen_with_a_reason(live_server, browser, assessment, org):
    workflow.complete(assessment, org.manager_of_a, share_notes=True)
    context, page = _page(browser, live_server, "administrator")
    page.goto(f"{live_server.url}/admin/assessments/unitassessment/{assessment.pk}/change/")
    page.get_by_role("link", name="Reopen with a reason").click()
    page.wait_for_load_state()
    check_page(page, "admin-reopen-1280")

    page.get_by_label("Reason").fill("Kort")
    page.get_by_role("button", name="Reopen the assessment").click()
    page.wait_for_load_state()
    assert "at least 10 characters" in page.locator(".errorlist").inner_text()
    assert UnitAssessment.objects.get(pk=assessment.pk).state == AssessmentState.COMPLETED

    reason = "Fel poäng registrerades för princip 1."
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Reopen the assessment").click()
    page.wait_for_load_state()
    assert "is reopened for the dialogue" in page.locator(".messagelist").inner_text()
    assert reason in page.content()
    check_page(page, "admin-reopened-1280")
    assert UnitAssessment.objects.get(pk=assessment.pk).state == AssessmentState.DIALOGUE
    assert StateChange.objects.filter(assessment=assessment).last().reason == reason
    context.close()

"""A newcomer's whole journey in Chromium, as the people who use Tillit would walk it.

An administrator edits a principle in admin and publishes a new framework version; a quality
developer opens a round; a manager runs the assessment with five participants on phones;
the group agrees and completes; the manager downloads the PDF; the quality developer compares
and exports. Every page visited is checked with axe (WCAG 2.1 AA); each step leaves a
screenshot in artifacts/screenshots/journey-*.png.
"""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import AssessmentState, Round, UnitAssessment
from principles.models import FrameworkVersion, VersionStatus
from reports.models import StoredReport
from tests.browser.helpers import DESKTOP, PHONE, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-1234"
EDITED_DESCRIPTION = "Vi litar på varandras omdöme i det dagliga arbetet."


class Journey:
    """Counts the steps so that the screenshots sort in the order they were taken."""

    def __init__(self, live_server, browser) -> None:
        self.url = live_server.url
        self.browser = browser
        self.step = 0  # also how many pages have been checked

    def context(self, viewport=DESKTOP):
        # Reduced motion: no smooth scrolling, which keeps an element moving for a while after
        # each answer and makes every click wait for it to stop.
        context = self.browser.new_context(
            viewport=viewport, locale="en-GB", accept_downloads=True, reduced_motion="reduce"
        )
        context.add_cookies([{"name": "django_language", "value": "en", "url": self.url}])
        return context

    def check(self, page, name: str) -> None:
        self.step += 1
        check_page(page, f"journey-{self.step:02d}-{name}")

    def log_in(self, page, username: str, *, admin: bool = False) -> None:
        page.goto(f"{self.url}/{'admin/login/' if admin else 'konto/login/'}")
        self.check(page, f"login-{username}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form:has(input[name=password]) [type=submit]").click()


@pytest.fixture
def journey(live_server, browser, transactional_db, org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    call_command("loaddata", "framework", verbosity=0)
    return Journey(live_server, browser)


def answer_every_page(page) -> None:
    """Answer each page a participant meets with varied values, until the thank-you page."""
    for _ in range(20):
        if page.get_by_role("heading", name="Thank you!").count():
            return
        groups = page.evaluate(
            "() => [...new Set([...document.querySelectorAll('input[type=radio]')]"
            ".map(i => i.name))]"
        )
        for index, name in enumerate(groups):
            values = page.evaluate(
                "(n) => [...document.querySelectorAll(`input[name='${n}']`)].map(i => i.value)",
                name,
            )
            numeric = [v for v in values if v.isdigit()]
            choice = numeric[(index * 3 + len(name)) % len(numeric)]
            page.locator(f'input[name="{name}"][value="{choice}"] + label').click()
        balance = page.locator("input[type=number]")
        if balance.count():
            for i in range(balance.count()):
                balance.nth(i).fill(["20", "30", "50"][i % 3])
        with page.expect_navigation():
            page.get_by_role("button", name="Save and continue").click()
    raise AssertionError("the participant never reached the end")


def test_it_walks_the_whole_journey(journey, org, settings):
    # --- 1. The administrator edits a principle and publishes a new version -------------
    admin_context = journey.context()
    page = admin_context.new_page()
    journey.log_in(page, "administrator", admin=True)
    journey.check(page, "admin-index")
    page.goto(f"{journey.url}/admin/principles/frameworkversion/")
    journey.check(page, "admin-versions")
    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", "copy_to_draft")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    draft = FrameworkVersion.objects.get(status=VersionStatus.DRAFT)
    journey.check(page, "admin-draft")
    tillit = draft.principles.get(key="tillit")
    page.goto(f"{journey.url}/admin/principles/principle/{tillit.pk}/change/")
    journey.check(page, "admin-principle")
    page.fill("textarea[name=description_sv]", EDITED_DESCRIPTION)
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    page.goto(f"{journey.url}/admin/principles/frameworkversion/")
    page.locator(f"input[name=_selected_action][value='{draft.pk}']").check()
    page.select_option("select[name=action]", "publish")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    page.get_by_label("Name of the published version").fill(
        "Tillitsbaserad styrning och ledning 2027"
    )
    journey.check(page, "admin-publish")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the version").click()
    assert page.get_by_text("is published and is the default for new rounds").is_visible()
    journey.check(page, "admin-published")
    version = FrameworkVersion.objects.current()
    assert version.pk == draft.pk
    assert version.principles.get(key="tillit").description_sv == EDITED_DESCRIPTION
    admin_context.close()

    # --- 2. The quality developer opens a round for the department -----------------------
    qd_context = journey.context()
    page = qd_context.new_page()
    journey.log_in(page, "quality-a")
    journey.check(page, "quality-developer-home")
    page.goto(f"{journey.url}/omgangar/ny/")
    journey.check(page, "round-choose-part")
    with page.expect_navigation():
        page.get_by_role("button", name="Show its units").click()
    today = timezone.localdate()
    page.get_by_label("Name of the round").fill("Tillitsskattning HT 2026")
    page.get_by_label("Opens").fill(today.isoformat())
    page.get_by_label("Closes").fill((today + datetime.timedelta(days=30)).isoformat())
    journey.check(page, "round-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the round").click()
    round_ = Round.objects.get()
    assert round_.framework_version == version
    assessment = UnitAssessment.objects.get(round=round_, unit=org.a1)
    journey.check(page, "round-detail")

    # --- 3. The manager opens the individual phase; five participants answer on phones ---
    manager_context = journey.context()
    manager = manager_context.new_page()
    journey.log_in(manager, "manager-a")
    journey.check(manager, "manager-home")
    with manager.expect_navigation():
        manager.get_by_role("link", name="Tillitsskattning HT 2026").click()
    journey.check(manager, "manager-assessment")
    manager.get_by_label("How many will answer?").fill("5")
    with manager.expect_navigation():
        manager.get_by_role("button", name="Open individual reflection").click()
    code = manager.locator(".join-code").inner_text()

    for number in range(1, 6):
        phone = journey.context(PHONE)
        page = phone.new_page()
        page.goto(f"{journey.url}/delta/")
        if number == 1:
            journey.check(page, "participant-join")
        page.get_by_label("Code").fill(code)
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Start").click()
        if number == 1:
            journey.check(page, "participant-first-principle")
        answer_every_page(page)
        if number == 1:
            journey.check(page, "participant-thanks")
        phone.close()

    # --- 4. The dialogue: reveal, agree, act, complete -----------------------------------
    manager.reload()
    assert "5 people" in manager.locator(".participation-count").inner_text()
    with manager.expect_navigation():
        manager.get_by_role(
            "button", name="Close individual reflection and start the dialogue"
        ).click()
    with manager.expect_navigation():
        manager.get_by_role("button", name="Show results").click()
    journey.check(manager, "dialogue-revealed")
    for index in range(version.principles.count()):
        block = manager.locator("article.principle-block").nth(index)
        block.get_by_label(str(3 + index % 2), exact=True).check()
        if index == 0:
            block.get_by_label("Strengths").fill("Vi hjälper varandra.")
        with manager.expect_navigation():
            block.get_by_role("button", name="Save the agreement").click()
    actions = manager.locator("#actions")
    actions.get_by_label("What").fill("Ses en timme varje vecka")
    actions.get_by_label("Who").fill("Maja")
    actions.get_by_label("By when").fill((today + datetime.timedelta(days=45)).isoformat())
    with manager.expect_navigation():
        actions.get_by_role("button", name="Add the action").click()
    journey.check(manager, "dialogue-agreed")
    with manager.expect_navigation():
        manager.get_by_role("link", name="Preview and complete").first.click()
    journey.check(manager, "complete-preview")
    manager.get_by_label("I understand that the answers and agreements are locked").check()
    # Completion queues the Swedish reports to have them ready; the tests' task backend would
    # render them (seconds each) inside this request. No one here opens them: they stay queued.
    tasks = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with manager.expect_navigation():
        manager.get_by_role("button", name="Complete and lock the self-assessment").click()
    settings.TASKS = tasks
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.COMPLETED

    # --- 5. The manager reads the balance report and downloads the PDF -------------------
    manager.goto(f"{journey.url}/skattning/{assessment.pk}/rapport/")
    journey.check(manager, "balance-report")
    # The PDF is never rendered in the request: the link leads to a page that follows the
    # background render (here the tests' task backend runs it at once) and then downloads.
    # Followed by address: the report page's link still carries a `download` attribute, with
    # which the browser would save that page itself as the file.
    href = manager.get_by_role("link", name=re.compile("PDF")).first.get_attribute("href")
    with manager.expect_download(timeout=120_000) as download:
        manager.goto(f"{journey.url}{href}")
    assert "/rapport/pdf/status/" in manager.url
    pdf = download.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    stored_en = StoredReport.objects.get(assessment=assessment, language="en", audience="unit")
    assert stored_en.is_current  # what was downloaded is the stored file
    assert pdf.startswith(b"%PDF")
    assert "Enhet A1" in text and "Ses en timme varje vecka" in text
    manager_context.close()

    # --- 6. The quality developer compares and exports -----------------------------------
    page = qd_context.new_page()
    page.goto(f"{journey.url}/jamforelse/")
    journey.check(page, "compare-index")
    page.goto(f"{journey.url}/jamforelse/{round_.pk}/{org.dep_a.pk}/")
    assert page.get_by_text("Enhet A1").first.is_visible()
    journey.check(page, "compare-department")
    for suffix in ("csv", "xlsx"):
        with page.expect_download() as download:
            page.locator(f"a[href$='export.{suffix}']").first.click()
        content = download.value.path().read_bytes()
        assert content, suffix
        if suffix == "csv":
            assert "Enhet A1" in content.decode("utf-8-sig")
    qd_context.close()
    assert journey.step >= 20

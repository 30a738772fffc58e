"""The stored report in the browser: while it is prepared a page says so and follows it, then
the download starts by itself. Screenshots at 360 and 1280 px, checked with axe."""

import pytest

from assessments.models import AssessmentState
from reports import stored
from reports.models import ReportState, StoredReport
from tests.browser.helpers import DESKTOP, PHONE, check_page
from tests.factories_reports import make_report_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # A queue no one works yet, as while the worker is busy with other reports.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _page(browser, live_server, username: str, viewport):
    context = browser.new_context(
        viewport=viewport, locale="en-GB", accept_downloads=True, reduced_motion="reduce"
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(90_000)  # the shared test machine can be slow
    page.goto(f"{live_server.url}/konto/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return context, page


def test_it_follows_the_report_while_it_is_prepared_and_then_downloads_it(
    live_server, browser, org
):
    scenario = make_report_scenario(org, respondents=5, state=AssessmentState.COMPLETED)
    assessment = scenario.assessment
    # Asked for on a phone, and again on a desktop (queued already), in one window resized.
    context, page = _page(browser, live_server, "quality-a", PHONE)
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/skattning/{assessment.pk}/rapport/pdf/?lang=en")
        assert "/rapport/pdf/status/" in page.url
        status = page.get_by_role("status")
        assert "The PDF is being prepared" in status.inner_text()
        check_page(page, f"report-status-waiting-{name}")

    # The status page, opened on its own, follows the report until it is ready.
    page.goto(f"{live_server.url}/skattning/{assessment.pk}/rapport/pdf/status/?lang=en")
    row = StoredReport.objects.get(assessment=assessment, language="en")
    assert row.state == ReportState.PENDING
    with page.expect_download(timeout=120_000) as download:
        stored.render(row.pk)  # the worker gets to it; the page notices and downloads
    assert download.value.path().read_bytes().startswith(b"%PDF")
    assert page.locator("#report-ready").is_visible()
    check_page(page, "report-status-ready-desktop")
    context.close()


def test_it_follows_the_comparison_pdf_while_it_is_prepared_and_then_downloads_it(
    live_server, browser, org
):
    from reports import stored_comparisons
    from reports.models import StoredComparison
    from tests.factories_compare import compared_org

    compared = compared_org(org)
    pdf_path = f"/jamforelse/{compared.round.pk}/{org.dep_a.pk}/rapport.pdf"
    # Asked for on a phone, and again on a desktop (queued already), in one window resized.
    context, page = _page(browser, live_server, "quality-a", PHONE)
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}{pdf_path}?lang=en")
        assert "/rapport/status/" in page.url
        assert page.get_by_role("heading", level=1).inner_text() == "Comparison of units as PDF"
        assert "The PDF is being prepared" in page.get_by_role("status").inner_text()
        check_page(page, f"compare-status-waiting-{name}")

    # The status page, opened on its own, follows the comparison until it is ready.
    page.goto(f"{live_server.url}/jamforelse/{compared.round.pk}/{org.dep_a.pk}/rapport/status/")
    row = StoredComparison.objects.get(language="en")
    assert row.state == ReportState.PENDING
    with page.expect_download(timeout=120_000) as download:
        stored_comparisons.render(row.pk)  # the worker gets to it; the page downloads it
    assert download.value.suggested_filename.startswith("comparison-forvaltning-a-")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    assert page.locator("#report-ready").is_visible()
    check_page(page, "compare-status-ready-desktop")
    context.close()

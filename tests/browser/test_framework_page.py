import pytest
from django.core.management import call_command

from tests.browser.helpers import DESKTOP, PHONE, axe_violations, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def framework(transactional_db):
    call_command("loaddata", "framework", verbosity=0)


def test_it_shows_the_framework_accessibly_on_phone_and_desktop(live_server, browser, framework):
    # One load, the window resized from a phone's width to a desktop's.
    context = browser.new_context(viewport=PHONE, locale="sv-SE", reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{live_server.url}/ramverk/")
    assert page.locator("html").get_attribute("lang") == "sv"
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        assert page.locator("#principles article").count() == 7
        assert page.locator("#contrast tbody tr").count() == 6
        assert page.locator("#balance article").count() == 3
        check_page(page, f"framework-{label}")
    context.close()


def test_it_switches_the_framework_page_to_english(live_server, browser, framework):
    context = browser.new_context(viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{live_server.url}/ramverk/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Trust-based governance and management").is_visible()
    assert axe_violations(page) == []
    context.close()

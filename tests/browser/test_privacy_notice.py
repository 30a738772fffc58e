"""The participants' privacy notice on a 360 px phone and a 1280 px desktop: short, opened by
keyboard, WCAG 2.1 AA, nothing spilling sideways."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.browser import helpers
from tests.browser.helpers import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assessment(transactional_db, settings):
    from assessments import joincodes
    from assessments.models import AssessmentState
    from principles.models import FrameworkVersion
    from tests.factories import make_assessment, make_round, make_unit

    settings.ORGANISATION_NAME = "Exempelkommun"
    settings.ORGANISATION_CONTACT = "dataskydd@exempelkommun.se, Storgatan 1, 123 45 Exempelstad"
    settings.DATA_PROTECTION_OFFICER = "dataskyddsombud@exempelkommun.se"
    cache.clear()
    call_command("loaddata", "framework", verbosity=0)
    unit = make_unit("HTN", "Hemtjänst Norr")
    round_ = make_round(unit, FrameworkVersion.objects.current())
    return make_assessment(
        round_, unit, join_code=joincodes.generate(), state=AssessmentState.INDIVIDUAL
    )


@pytest.mark.parametrize("language", ["sv", "en"])
def test_it_shows_the_notice_folded_and_opens_it_by_keyboard(
    browser, live_server, assessment, language
):
    # One load, both sizes: the window is resized (the notice's layout is the style sheets').
    sizes = (("360", PHONE), ("1280", DESKTOP))
    context = browser.new_context(viewport=PHONE, locale=language, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/delta/{assessment.join_code}/")
        details = page.locator("details.privacy-details")
        for size, viewport in sizes:
            page.set_viewport_size(viewport)
            assert page.locator("#privacy-heading").is_visible()
            assert details.get_attribute("open") is None
            helpers.check_page(page, f"privacy-notice-{language}-{size}-folded")
        page.locator("details.privacy-details summary").focus()
        page.keyboard.press("Enter")
        assert details.get_attribute("open") is not None
        for size, viewport in reversed(sizes):
            page.set_viewport_size(viewport)
            assert page.get_by_text("Exempelkommun", exact=False).first.is_visible()
            helpers.check_page(page, f"privacy-notice-{language}-{size}-open")
    finally:
        context.close()

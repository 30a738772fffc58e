"""The presenter view on a 1920×1080 projector: moved with the keyboard alone, large type,
accessible, and the agreement appearing as the facilitator records it."""

import pytest
from django.core.management import call_command

from assessments import agreements
from assessments.models import AssessmentState, UnitAssessment
from principles.models import FrameworkVersion, Principle
from tests.browser.helpers import PHONE, check_page
from tests.factories import make_assessment, make_round, release
from tests.factories_dialogue import add_respondents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def assessment(transactional_db, org):
    call_command("loaddata", "framework", verbosity=0)
    version = FrameworkVersion.objects.current()
    made = make_assessment(make_round(org.root, version), org.a1, state=AssessmentState.DIALOGUE)
    add_respondents(
        made,
        8,
        statement_value=lambda i, position: 1 + (i * (position % 4)) % 5,
        comment=lambda i, position: "En kommentar som aldrig visas på projektorn.",
    )
    assert release(made).released
    return UnitAssessment.objects.get(pk=made.pk)


def _open(browser, live_server, language: str):
    context = browser.new_context(viewport=PROJECTOR, locale="en-GB", reduced_motion="reduce")
    # The page's timers run on a clock the test can move on (the next poll when it says).
    context.clock.install()
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/konto/login/")
    page.fill("input[name=username]", "manager-a")
    page.fill("input[name=password]", "pw-test-1234")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return context, page


def _where(page) -> tuple[str, str]:
    """The item's heading, and the agenda entry marked as current."""
    return (
        page.locator("h1").inner_text(),
        page.locator('.agenda a[aria-current="page"]').inner_text(),
    )


def test_it_moves_through_the_agenda_with_the_keyboard(live_server, browser, assessment, org):
    context, page = _open(browser, live_server, "en")
    page.goto(f"{live_server.url}/skattning/{assessment.pk}/dialog/visning/")
    assert page.locator(".agenda a").count() == 7 + 6 + 1
    # Readable from the back of the room: at least 28px at 1920 wide, headings larger.
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert size >= 28
    cell = "getComputedStyle(document.querySelector('.distribution-table td')).fontSize"
    assert page.evaluate(f"parseFloat({cell})") >= 28
    assert page.locator("text=aldrig visas").count() == 0

    seen = [_where(page)]
    for _step in range(2):
        with page.expect_navigation():
            page.keyboard.press("ArrowRight")
        seen.append(_where(page))
        heading, current = seen[-1]
        assert heading in current
    assert len({heading for heading, _current in seen}) == 3, seen
    # The clicker's key goes back.
    with page.expect_navigation():
        page.keyboard.press("PageUp")
    assert _where(page) == seen[1]
    with page.expect_navigation():
        page.keyboard.press("PageDown")
    assert _where(page) == seen[2]

    # The agreement appears as the facilitator records it in the dialogue, without a reload.
    first = page.goto(f"{live_server.url}/skattning/{assessment.pk}/dialog/visning/")
    assert first.ok
    slug = page.locator('.agenda a[aria-current="page"]').get_attribute("href").split("/")[-2]
    principle = Principle.objects.get(
        version=assessment.round.framework_version, key=slug.removeprefix("principle-")
    )
    assert page.get_by_text("Nothing agreed yet.").is_visible()
    agreements.save_principle_agreement(
        assessment,
        principle,
        org.manager_of_a,
        lock_version=0,
        score=4,
        strengths="Vi hjälper varandra när det krisar.",
        obstacles="Tiden räcker inte till för att ses.",
    )
    page.clock.fast_forward(4_000)  # presenter.js polls every four seconds
    page.wait_for_function(
        "() => document.querySelector('[data-agreed-field=score]').textContent === '4'",
        timeout=12_000,
    )
    assert page.get_by_text("Vi hjälper varandra när det krisar.").is_visible()
    assert not page.get_by_text("Nothing agreed yet.").is_visible()
    check_page(page, "presenter-1920")
    context.close()


def test_it_reads_well_in_swedish_on_every_kind_of_item(live_server, browser, assessment):
    context, page = _open(browser, live_server, "sv")
    base = f"{live_server.url}/skattning/{assessment.pk}/dialog/visning"
    page.goto(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "sv"
    check_page(page, "presenter-1920-sv")
    # Previewed on a phone before the meeting: stacked, nothing spilling sideways.
    page.set_viewport_size(PHONE)
    check_page(page, "presenter-360-sv")
    page.set_viewport_size(PROJECTOR)
    dimension = page.locator(".agenda-dimension a").first.get_attribute("href")
    page.goto(f"{live_server.url}{dimension}")
    assert page.locator("[data-figure=dimension]").is_visible()
    check_page(page, "presenter-1920-sv-dimension")
    page.goto(f"{base}/balance/")
    assert page.locator("[data-figure=balance]").count() == 2
    check_page(page, "presenter-1920-sv-balance")
    context.close()

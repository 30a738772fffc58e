"""The rating step at the start of the next round's dialogue, in the browser: the group rates
last round's actions on a phone and a laptop; axe finds nothing, nothing spills sideways.

One window is both: it is resized rather than opened twice, so the data is built once."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Action, ActionRating, ActionStatus, AssessmentState
from principles.models import FrameworkVersion
from tests.browser.helpers import DESKTOP, PHONE, check_widths
from tests.factories import make_assessment, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def later(transactional_db, org):
    """Enhet A1: spring completed with three actions; autumn in the dialogue."""
    call_command("loaddata", "framework", verbosity=0)
    version = FrameworkVersion.objects.current()
    spring = make_round(
        org.root,
        version,
        name="Tillitsskattning VT 2026",
        opens_on=datetime.date(2026, 2, 1),
        closes_on=datetime.date(2026, 5, 31),
    )
    earlier = make_assessment(
        spring, org.a1, state=AssessmentState.COMPLETED, completed_at=timezone.now()
    )
    principles = list(version.principles.order_by("order"))
    for principle, title, who in (
        (principles[0], "Chefen är med på varannan arbetsplatsträff och lyssnar", "Maja"),
        (principles[3], "Pröva att ta bort veckorapporten under en månad", "Arbetsgruppen"),
        (principles[4], "Kollegahandledning för nyanställda", "Samordnaren"),
    ):
        Action.objects.create(
            assessment=earlier,
            principle=principle,
            title=title,
            responsible=who,
            due_on=datetime.date(2026, 6, 15),
            status=ActionStatus.IN_PROGRESS,
        )
    return make_assessment(make_round(org.root, version), org.a1, state=AssessmentState.DIALOGUE)


def _page(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="en-GB", reduced_motion="reduce")
    # In English: the labels the test reads are the msgids, whatever the Swedish catalogue says.
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/konto/login/")
    page.fill("input[name=username]", "manager-a")
    page.fill("input[name=password]", "pw-test-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return context, page


def test_it_lets_the_group_rate_last_rounds_actions(live_server, browser, later):
    context, page = _page(browser, live_server, PHONE)
    page.goto(f"{live_server.url}/skattning/{later.pk}/dialog/")
    step = page.locator("#follow-up")
    assert step.is_visible()
    check_widths(page, "action-rating-step", PHONE, DESKTOP)

    # On the phone, the first action.
    first = page.locator(".follow-up-item").first
    first.get_by_label("It helped").check()
    first.get_by_role("button").click()
    page.wait_for_load_state()
    assert ActionRating.objects.get().outcome == "helped"
    assert page.locator("#follow-up .follow-up-item").first.get_by_label("It helped").is_checked()
    # Beside the principle further down.
    assert "It helped" in page.locator(".principle-followup").first.inner_text()

    # On the laptop, the second.
    page.set_viewport_size(DESKTOP)
    second = page.locator(".follow-up-item").nth(1)
    second.get_by_label("It made no difference").check()
    second.get_by_role("button").click()
    page.wait_for_load_state()
    assert dict(ActionRating.objects.values_list("action__title", "outcome")) == {
        "Chefen är med på varannan arbetsplatsträff och lyssnar": "helped",
        "Pröva att ta bort veckorapporten under en månad": "no_difference",
    }
    item = page.locator("#follow-up .follow-up-item").nth(1)
    assert item.get_by_label("It made no difference").is_checked()
    check_widths(page, "action-rating-step-rated", PHONE, DESKTOP)
    context.close()

"""The facilitator's view in the browser: nothing typed is lost, errors stay in place, leaving
with unsaved text asks first, and two facilitators never overwrite each other silently."""

import pytest
from django.core.management import call_command

from assessments.models import AssessmentState, BalanceAgreement, PrincipleAgreement
from principles.models import FrameworkVersion
from tests.browser.helpers import check_page, focused
from tests.factories import make_assessment, make_round, make_user, release
from tests.factories_dialogue import add_respondents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def assessment(transactional_db, org):
    call_command("loaddata", "framework", verbosity=0)
    version = FrameworkVersion.objects.current()
    made = make_assessment(make_round(org.root, version), org.a1, state=AssessmentState.DIALOGUE)
    add_respondents(made, 6)
    release(made)
    return made


def _open(browser, live_server, assessment, username: str, viewport=LAPTOP):
    context = browser.new_context(viewport=viewport, locale="en-GB", reduced_motion="reduce")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/konto/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/skattning/{assessment.pk}/dialog/")
    return context, page


def _box(page, number: int):
    return page.locator(".agreement-box").nth(number)


def test_it_keeps_every_text_typed_in_three_items(live_server, browser, assessment):
    context, page = _open(browser, live_server, assessment, "manager-a")
    _box(page, 0).get_by_label("Strengths").fill("Vi litar på varandra.")
    _box(page, 1).get_by_label("Obstacles").fill("För många blanketter.")
    _box(page, 2).get_by_label("Strengths").fill("Vi ser helheten.")
    # Save the first item with its button, at once: the other two are saved with it.
    _box(page, 0).get_by_role("button", name="Save the agreement").click()
    page.wait_for_load_state()
    page.reload()
    assert _box(page, 0).get_by_label("Strengths").input_value() == "Vi litar på varandra."
    assert _box(page, 1).get_by_label("Obstacles").input_value() == "För många blanketter."
    assert _box(page, 2).get_by_label("Strengths").input_value() == "Vi ser helheten."
    assert PrincipleAgreement.objects.count() == 3
    check_page(page, "facilitator-1280")
    context.close()


def test_it_saves_a_field_as_it_is_typed_and_says_so(live_server, browser, assessment):
    context, page = _open(browser, live_server, assessment, "manager-a")
    field = _box(page, 0).get_by_label("Obstacles")
    field.fill("Tiden räcker inte.")
    field.blur()
    status = page.locator("[data-status-for$='-obstacles']").first
    status.get_by_text("Saved").wait_for()
    assert PrincipleAgreement.objects.get().obstacles == "Tiden räcker inte."
    # A score chosen with the keyboard alone saves too.
    _box(page, 0).get_by_label("4", exact=True).focus()
    page.keyboard.press("Space")
    page.locator("[data-status-for$='-score']").first.get_by_text("Saved").wait_for()
    assert PrincipleAgreement.objects.get().score == 4
    assert focused(page)["type"] == "radio"
    context.close()


def test_it_shows_a_wrong_balance_beside_its_fields(live_server, browser, assessment):
    context, page = _open(browser, live_server, assessment, "manager-a")
    balance = page.locator("#balance-now")
    balance.get_by_label("Competition").fill("50") if balance.get_by_label(
        "Competition"
    ).count() else None
    inputs = balance.locator("input.points")
    for index, value in enumerate(("50", "30", "10")):
        inputs.nth(index).fill(value)
    inputs.nth(2).blur()
    message = "The points must add up to 100; now they add up to 90."
    balance.get_by_text(message).wait_for()
    assert page.url.endswith("/dialog/")  # still on the dialogue, not a separate page
    assert inputs.nth(0).get_attribute("aria-invalid") == "true"
    assert not BalanceAgreement.objects.exists()
    # Without the script the same error comes back in place too (the item's button).
    balance.get_by_role("button", name="Save the agreement").click()
    page.wait_for_load_state()
    assert page.locator("#balance-now").get_by_text(message).is_visible()
    assert page.locator("#balance-now input.points").nth(0).input_value() == "50"
    check_page(page, "facilitator-balance-error-1280")
    context.close()


def test_it_asks_before_leaving_with_unsaved_text(live_server, browser, assessment):
    context, page = _open(browser, live_server, assessment, "manager-a")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    _box(page, 1).get_by_label("Strengths").type("Halvskriven tanke")
    # Leave at once, before the pause after typing lets it save.
    with page.expect_event("dialog"):
        page.evaluate("window.location.href = '/'")
    assert asked == ["beforeunload"]
    assert page.url.endswith("/dialog/")
    assert _box(page, 1).get_by_label("Strengths").input_value() == "Halvskriven tanke"
    context.close()


def test_it_lets_no_facilitator_overwrite_another(live_server, browser, assessment, org):
    make_user("second-facilitator", is_staff=True, is_superuser=True)
    first_context, first = _open(browser, live_server, assessment, "manager-a")
    second_context, second = _open(browser, live_server, assessment, "second-facilitator", TABLET)
    # Both have the page open; the first saves the strengths of item 1.
    field = _box(first, 0).get_by_label("Strengths")
    field.fill("Den första texten.")
    field.blur()
    first.locator("[data-status-for$='-strengths']").first.get_by_text("Saved").wait_for()
    # The second, on the page loaded before, writes the same field.
    theirs = _box(second, 0).get_by_label("Strengths")
    theirs.fill("Den andra texten.")
    theirs.blur()
    conflict = second.locator("[data-status-for$='-strengths']").first
    conflict.get_by_text("changed this meanwhile").wait_for()
    assert "Den första texten." in conflict.inner_text()
    assert PrincipleAgreement.objects.get().strengths == "Den första texten."
    assert theirs.input_value() == "Den andra texten."  # nothing lost on their side either
    # Typing on does not save over theirs behind anyone's back.
    theirs.type(" Och mer.")
    theirs.blur()
    second.wait_for_timeout(1500)
    assert PrincipleAgreement.objects.get().strengths == "Den första texten."
    # A different field of the same item is no conflict.
    other = _box(second, 0).get_by_label("Obstacles")
    other.fill("Brist på tid.")
    other.blur()
    second.locator("[data-status-for$='-obstacles']").first.get_by_text("Saved").wait_for()
    assert PrincipleAgreement.objects.get().obstacles == "Brist på tid."
    check_page(second, "facilitator-conflict-768")
    # Replacing theirs is a choice: the item's button, which now starts from their text.
    _box(second, 0).get_by_role("button", name="Save the agreement").click()
    second.wait_for_load_state()
    assert PrincipleAgreement.objects.get().strengths == "Den andra texten. Och mer."
    first_context.close()
    second_context.close()


def test_it_works_with_the_keyboard_alone(live_server, browser, assessment):
    context, page = _open(browser, live_server, assessment, "manager-a")
    # From the first score of the first item, Tab moves on to the notes; typing and leaving
    # the field with Tab saves it, and the status says so beside the field.
    _box(page, 0).get_by_label("Not agreed yet").focus()
    page.keyboard.press("ArrowRight")  # radio groups move with the arrow keys
    while focused(page)["name"].endswith("-score"):
        page.keyboard.press("Tab")
    assert focused(page)["name"].endswith("-strengths")
    page.keyboard.type("Med tangentbordet.")
    page.keyboard.press("Tab")
    page.locator("[data-status-for$='-strengths']").first.get_by_text("Saved").wait_for()
    stored = PrincipleAgreement.objects.get()
    assert (stored.score, stored.strengths) == (1, "Med tangentbordet.")
    context.close()

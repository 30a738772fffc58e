"""A participant on a 360 px and a 320 px phone: joins by typing the code, answers every page."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from tests.browser import helpers
from tests.browser.helpers import PHONE, focused

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assessment(transactional_db):
    from assessments import joincodes
    from assessments.models import AssessmentState
    from principles.models import FrameworkVersion
    from tests.factories import make_assessment, make_round, make_unit

    cache.clear()
    call_command("loaddata", "framework", verbosity=0)
    unit = make_unit("HTN", "Hemtjänst Norr")
    round_ = make_round(unit, FrameworkVersion.objects.current())
    return make_assessment(
        round_, unit, join_code=joincodes.generate(), state=AssessmentState.INDIVIDUAL
    )


def check_page(page, name: str) -> None:
    helpers.check_page(page, f"participant-{name}")


def tab_to(page, predicate, limit: int = 60) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused_here(page)
        if predicate(element):
            return element
    raise AssertionError("never reached the element with Tab")


def focused_here(page) -> dict:
    """What has keyboard focus, with its text and the ids of the elements it is inside."""
    return {
        **focused(page),
        **page.evaluate(
            "() => { const ids = []; let p = document.activeElement;"
            " for (; p; p = p.parentElement) { if (p.id) ids.push(p.id); }"
            " return {text: document.activeElement.innerText || '', path: ids.join(' ')}; }"
        ),
    }


def answer_first_page_by_keyboard(page, statement_names: list[str]) -> None:
    """Tab into each radio group, Space to choose 1, arrows up to 4; type a comment; submit."""
    for index, name in enumerate(statement_names):
        element = tab_to(page, lambda e, n=name: e["name"] == n)
        assert element["type"] == "radio"
        page.keyboard.press("Space")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert page.locator(f'input[name="{name}"]:checked').get_attribute("value") == "4"
        if index == 0:
            # The chosen option shows keyboard focus around its button-like label.
            outline = page.evaluate(
                "() => getComputedStyle(document.querySelector("
                "'label[for=\"' + document.activeElement.id + '\"]')).outlineStyle"
            )
            assert outline == "solid"
    tab_to(page, lambda e: e["tag"] == "TEXTAREA")
    page.keyboard.type("Vi litar på varandra.")
    tab_to(page, lambda e: e["tag"] == "BUTTON" and e["value"] == "next")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_it_takes_a_participant_through_every_page_on_a_phone(live_server, browser, assessment):
    from assessments import answers, joincodes
    from assessments.models import BalanceAnswer, DimensionAnswer, Respondent, StatementAnswer

    version = assessment.round.framework_version
    principles = list(version.principles.order_by("order"))
    context = browser.new_context(viewport=PHONE, locale="en-GB", reduced_motion="reduce")
    page = context.new_page()

    # Typing the code, as people do: small letters, a space instead of the dash.
    page.goto(f"{live_server.url}/delta/")
    check_page(page, "join")
    typed = joincodes.display(assessment.join_code).lower().replace("-", " ")
    page.get_by_label("Code").fill(typed)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name="Welcome to the self-assessment").is_visible()
    check_page(page, "welcome")
    with page.expect_navigation():
        page.get_by_role("button", name="Start").click()

    # Principle 1 by keyboard only.
    assert page.get_by_text("Principle 1 of 7").is_visible()
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "1"
    check_page(page, "principle-1")
    first_statements = [
        answers.statement_field(s.pk) for s in principles[0].statements.order_by("order", "pk")
    ]
    answer_first_page_by_keyboard(page, first_statements)

    # Principles 2–7 by touch: one statement "don't know", the rest rated.
    for number, principle in enumerate(principles[1:], start=2):
        assert page.get_by_text(f"Principle {number} of 7").is_visible()
        check_page(page, f"principle-{number}")
        for index, statement in enumerate(principle.statements.order_by("order", "pk")):
            value = (
                answers.DONT_KNOW if index == 0 and number == 3 else str(1 + (number + index) % 5)
            )
            page.locator(
                f'input[name="{answers.statement_field(statement.pk)}"][value="{value}"] + label'
            ).click()
        with page.expect_navigation():
            page.get_by_role("button", name="Save and continue").click()

    # Control or trust: both poles visible, radio groups for now and desired.
    assert page.get_by_role("heading", name="Control or trust", level=1).is_visible()
    for dimension in version.dimensions.all():
        with translation.override("en"):  # the page is in English
            assert page.get_by_text(dimension.control_pole).is_visible()
            assert page.get_by_text(dimension.trust_pole).is_visible()
        for side, value in (("now", "3"), ("desired", "6")):
            page.locator(
                f'input[name="{answers.dimension_field(dimension.pk, side)}"][value="{value}"]'
                " + label"
            ).click()
    check_page(page, "dimensions")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()

    # The balance: the running sum follows the typing; the server refuses 90.
    now_sum = page.locator('[data-balance-sum="now"]')
    assert now_sum.get_attribute("aria-live") == "polite"
    page.locator("#id_balance_now_market").fill("20")
    page.locator("#id_balance_now_hierarchy").fill("50")
    page.locator("#id_balance_now_trust").fill("20")
    assert now_sum.inner_text() == "Sum: 90 of 100 – 10 points left to give"
    page.locator("#id_balance_desired_market").fill("10")
    page.locator("#id_balance_desired_hierarchy").fill("30")
    page.locator("#id_balance_desired_trust").fill("60")
    assert page.locator('[data-balance-sum="desired"]').inner_text() == (
        "Sum: 100 of 100 – just right"
    )
    check_page(page, "balance")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    assert page.locator("#balance_now-error").inner_text().startswith("The points add up to 90.")
    check_page(page, "balance-error")
    page.locator("#id_balance_now_trust").fill("30")
    assert now_sum.inner_text() == "Sum: 100 of 100 – just right"
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()

    assert page.get_by_role("heading", name="Thank you!").is_visible()
    check_page(page, "summary")

    respondent = Respondent.objects.get()
    assert respondent.finished_at is not None
    assert StatementAnswer.objects.filter(respondent=respondent).count() == 28
    assert set(
        StatementAnswer.objects.filter(statement__principle=principles[0]).values_list(
            "value", flat=True
        )
    ) == {4}
    assert StatementAnswer.objects.filter(dont_know=True).count() == 1
    assert DimensionAnswer.objects.filter(respondent=respondent, now=3, desired=6).count() == 6
    assert sorted(BalanceAnswer.objects.values_list("kind", "market", "hierarchy", "trust")) == [
        ("desired", 10, 30, 60),
        ("now", 20, 50, 30),
    ]

    # The same link on the same phone resumes: everything is answered, so the summary.
    page.goto(f"{live_server.url}/delta/{assessment.join_code}/")
    assert page.get_by_role("heading", name="Thank you!").is_visible()
    assert Respondent.objects.count() == 1
    context.close()


NARROW = {"width": 320, "height": 720}


def check_narrow_page(page, name: str) -> None:
    """WCAG 1.4.10: the page reflows at 320 px (nothing wider than the screen), and axe is clean."""
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], name
    check_page(page, f"320-{name}")


def press_save_and_continue_by_keyboard(page) -> None:
    tab_to(page, lambda e: e["tag"] == "BUTTON" and e["value"] == "next", limit=120)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_it_reflows_every_participant_page_at_320_px_and_tells_of_a_page_left_empty(
    live_server, browser, assessment
):
    from assessments import answers, joincodes
    from assessments.models import PrincipleComment, StatementAnswer

    version = assessment.round.framework_version
    principles = list(version.principles.order_by("order"))
    with translation.override("en"):  # the pages are in English
        names = [principle.name for principle in principles]
    context = browser.new_context(viewport=NARROW, locale="en-GB", reduced_motion="reduce")
    page = context.new_page()

    page.goto(f"{live_server.url}/delta/")
    check_narrow_page(page, "join")
    page.get_by_label("Code").fill(joincodes.display(assessment.join_code))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    check_narrow_page(page, "welcome")
    with page.expect_navigation():
        page.get_by_role("button", name="Start").click()

    # Principle 1 left empty with the keyboard: the next page says so and leads back.
    check_narrow_page(page, "principle-1")
    press_save_and_continue_by_keyboard(page)
    assert page.get_by_text("Principle 2 of 7").is_visible()
    notice = page.locator("#unanswered-notice")
    assert f"Nothing was answered on “{names[0]}”." in notice.inner_text()
    check_narrow_page(page, "principle-2-notice")
    link = tab_to(page, lambda e: e["tag"] == "A" and "unanswered-notice" in e["path"])
    assert link["text"] == f"Go back to “{names[0]}”"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Principle 1 of 7").is_visible()
    assert page.locator("#unanswered-notice").count() == 0
    press_save_and_continue_by_keyboard(page)
    assert StatementAnswer.objects.count() == 0
    assert PrincipleComment.objects.count() == 0

    # Principle 2 partly, by keyboard: the first statement only, 1 then one step right.
    first = answers.statement_field(principles[1].statements.order_by("order", "pk")[0].pk)
    tab_to(page, lambda e: e["name"] == first)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    assert page.locator(f'input[name="{first}"]:checked').get_attribute("value") == "2"
    press_save_and_continue_by_keyboard(page)
    assert page.locator("#unanswered-notice").count() == 0  # something was answered

    # Principles 3–7 in full, by touch, the third with a comment.
    for number, principle in enumerate(principles[2:], start=3):
        assert page.get_by_text(f"Principle {number} of 7").is_visible()
        if number == 3:
            check_narrow_page(page, "principle-3")
            page.get_by_label(f"Your comment on {names[2]} (optional)").fill(
                "Vi har långa möten om verksamhetsutvecklingsfrågor."
            )
        for statement in principle.statements.order_by("order", "pk"):
            field = answers.statement_field(statement.pk)
            page.locator(f'input[name="{field}"][value="3"] + label').click()
        with page.expect_navigation():
            page.get_by_role("button", name="Save and continue").click()

    check_narrow_page(page, "dimensions")
    for dimension in version.dimensions.all():
        for side in answers.DIMENSION_SIDES:
            field = answers.dimension_field(dimension.pk, side)
            page.locator(f'input[name="{field}"][value="7"] + label').click()
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()

    # The balance: its keywords read as running text; an error still fits the screen.
    assert page.locator("#group-balance_now .balance-keywords").all_inner_texts() == [
        "price, market and incentives",
        "authority, hierarchy and bureaucracy",
        "cooperation, collegiality and shared values",
    ]
    for kind, points in (("now", (20, 50, 20)), ("desired", (10, 30, 60))):
        for key, value in zip(answers.STEERING_KEYS, points, strict=True):
            page.locator(f"#id_balance_{kind}_{key}").fill(str(value))
    check_narrow_page(page, "balance")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    check_narrow_page(page, "balance-error")
    page.locator("#id_balance_now_trust").fill("30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()

    # The summary lists the empty and the partly answered page, each a link back to it.
    assert page.get_by_role("heading", name="Thank you!").is_visible()
    check_narrow_page(page, "summary")
    left = page.locator(".pages-left-list li")
    assert left.all_inner_texts() == [
        f"{names[0]}: nothing answered yet",
        f"{names[1]}: partly answered",
    ]
    tab_to(page, lambda e: e["tag"] == "A" and e["text"] == names[1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Principle 2 of 7").is_visible()
    context.close()

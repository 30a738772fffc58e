"""A participant on a 360 px phone: joins by typing the code and answers every page."""

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
        element = focused(page)
        if predicate(element):
            return element
    raise AssertionError("never reached the element with Tab")


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
    context = browser.new_context(viewport=PHONE, locale="en-GB")
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

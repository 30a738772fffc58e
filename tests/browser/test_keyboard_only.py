"""A participant completes the whole flow with the keyboard alone: no mouse, no touch."""

import pytest
from django.core.management import call_command

from assessments import joincodes
from assessments.models import AssessmentState, BalanceAnswer, Respondent, StatementAnswer
from principles.models import FrameworkVersion
from tests.browser.helpers import PHONE, axe_violations, focused
from tests.factories import make_assessment, make_round, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BALANCE = {"market": "20", "hierarchy": "30", "trust": "50"}


@pytest.fixture
def assessment(transactional_db):
    call_command("loaddata", "framework", verbosity=0)
    unit = make_unit("KBD", "Enhet Tangent")
    round_ = make_round(unit, FrameworkVersion.objects.current())
    return make_assessment(
        round_, unit, join_code=joincodes.generate(), state=AssessmentState.INDIVIDUAL
    )


def complete_page_by_keyboard(page) -> None:
    """Tab through the page once, answering every control met, then submit with Enter."""
    answered: set[str] = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["type"] == "radio" and element["name"] not in answered:
            page.keyboard.press("Space")
            page.keyboard.press("ArrowRight")  # the arrows move the choice within the group
            answered.add(element["name"])
        elif element["type"] == "number" and element["name"] not in answered:
            part = next(key for key in BALANCE if element["name"].endswith(key))
            page.keyboard.press("Control+A")
            page.keyboard.type(BALANCE[part])
            answered.add(element["name"])
        elif element["tag"] == "BUTTON" and element["value"] == "next":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError("never reached the submit button with Tab")


def test_it_lets_a_participant_answer_everything_with_the_keyboard(
    live_server, browser, assessment
):
    context = browser.new_context(viewport=PHONE, locale="en-GB", reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{live_server.url}/delta/")

    # Join: Tab to the code field, type, Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(page)["name"] == "code":
            break
    page.keyboard.type(joincodes.display(assessment.join_code))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["tag"] == "BUTTON" and "Start" in page.evaluate(
            "document.activeElement.innerText"
        ):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")

    pages = 0
    while not page.get_by_role("heading", name="Thank you!").count():
        assert pages < 12, "the flow did not end"
        complete_page_by_keyboard(page)
        pages += 1
        errors = page.locator(".invalid-feedback:visible, .alert-danger:visible")
        assert errors.count() == 0, errors.first.inner_text()

    assert axe_violations(page) == []
    version = assessment.round.framework_version
    respondent = Respondent.objects.get()
    statements = sum(p.statements.count() for p in version.principles.all())
    assert respondent.finished_at is not None
    # Space chose 1, the right arrow moved the choice to 2: every statement answered 2.
    assert StatementAnswer.objects.filter(respondent=respondent, value=2).count() == statements
    assert set(BalanceAnswer.objects.values_list("market", "hierarchy", "trust")) == {(20, 30, 50)}
    context.close()

"""The governance chain in the browser: a unit records two steering signals with proposals
and completes; the förvaltning's management answers one; the unit's next round shows the
answer. Every page passes axe (WCAG 2.1 AA) and fits a phone; screenshots at 360 and 1280 px.
"""

import datetime

import pytest
from django.core.management import call_command

from assessments.models import AssessmentState, RoleKind
from governance.models import SignalAnswer, SteeringSignal
from principles.models import FrameworkVersion
from tests.browser.helpers import DESKTOP, PHONE, check_page
from tests.factories import give_role, make_assessment, make_round, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pdfs_left_queued"),  # no PDF is opened here
]

LATER = datetime.date.today() + datetime.timedelta(days=60)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def setting(transactional_db, org):
    call_command("loaddata", "framework", verbosity=0)
    version = FrameworkVersion.objects.current()
    round_ = make_round(org.root, version, name="Hösten")
    assessment = make_assessment(round_, org.a1, state=AssessmentState.DIALOGUE)
    owner = make_user("ledning-a", first_name="Lea")
    give_role(owner, org.dep_a, RoleKind.STEERING_OWNER)
    return org, version, round_, assessment


def _login(browser, live_server, username: str, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="en-GB", reduced_motion="reduce")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/konto/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return context, page


def _record(page, title, level, kind, purpose, hours, effect, proposal, reason):
    page.get_by_label("What is the steering signal?").fill(title)
    page.get_by_label("Where does it come from?").select_option(label=level)
    page.get_by_label("Kind of steering").select_option(label=kind)
    page.get_by_label("What purpose do you see in it?").select_option(label=purpose)
    page.get_by_label("Hours a month for the unit").fill(hours)
    page.get_by_label(effect, exact=True).check()
    page.get_by_label(proposal, exact=True).check()
    page.get_by_label("Why, in a few words").fill(reason)
    page.get_by_role("button", name="Add the steering signal").click()
    page.wait_for_load_state()


def test_it_carries_a_proposal_up_the_chain_and_the_answer_back(live_server, browser, setting):
    org, version, round_, assessment = setting
    context, page = _login(browser, live_server, "manager-a")
    page.goto(f"{live_server.url}/skattning/{assessment.pk}/dialog/")
    page.get_by_role("link", name="Record the steering signals").click()
    page.wait_for_load_state()
    check_page(page, "signals-empty-1280")
    _record(
        page,
        "Veckovis statistikrapport",
        "Förvaltning management",
        "Management by objectives and results",
        "Controlling",
        "20",
        "Hinders the good meeting",
        "Do it together with us",
        "Ersätt med en dialog varje kvartal.",
    )
    _record(
        page,
        "Månadsbudget",
        "Political board",
        "Financial steering",
        "Learning",
        "6",
        "Helps the good meeting",
        "Keep it",
        "Ger överblick.",
    )
    assert page.get_by_text("2 steering signals, 26 hours a month in all.").is_visible()
    check_page(page, "signals-1280")
    page.set_viewport_size(PHONE)
    check_page(page, "signals-360")
    page.set_viewport_size(DESKTOP)
    assert SteeringSignal.objects.filter(assessment=assessment).count() == 2

    page.goto(f"{live_server.url}/skattning/{assessment.pk}/avsluta/")
    page.get_by_label("I understand that the answers and agreements are locked").check()
    page.get_by_role("button", name="Complete and lock the self-assessment").click()
    page.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.is_completed
    context.close()

    context, page = _login(browser, live_server, "ledning-a")
    page.goto(f"{live_server.url}/styrsignaler/")
    check_page(page, "signals-index-1280")
    page.get_by_role("link", name="Förvaltning A").click()
    page.wait_for_load_state()
    assert page.get_by_text("Veckovis statistikrapport – Enhet A1").is_visible()
    check_page(page, "signals-overview-1280")
    page.set_viewport_size(PHONE)
    check_page(page, "signals-overview-360")
    page.set_viewport_size(DESKTOP)
    signal = SteeringSignal.objects.get(title="Veckovis statistikrapport")
    page.locator(f"a[href^='/styrsignaler/svar/{signal.pk}/']").click()
    page.wait_for_load_state()
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("What will change, or why it is kept").fill(
        "Veckorapporten ersätts av en dialog varje kvartal."
    )
    page.get_by_label("By when (if accepted)").fill(LATER.isoformat())
    check_page(page, "signals-answer-1280")
    page.get_by_role("button", name="Save the answer").click()
    page.wait_for_load_state()
    assert "is saved" in page.content()
    assert SignalAnswer.objects.get().status == "accepted"
    context.close()

    spring = make_round(
        org.root,
        version,
        name="Våren",
        opens_on=round_.opens_on + datetime.timedelta(days=180),
        closes_on=round_.closes_on + datetime.timedelta(days=180),
    )
    next_round = make_assessment(spring, org.a1, state=AssessmentState.DIALOGUE)
    context, page = _login(browser, live_server, "manager-a", viewport=PHONE)
    page.goto(f"{live_server.url}/skattning/{next_round.pk}/styrsignaler/")
    raised = page.locator("#raised")
    assert "What happened to what we raised" in raised.inner_text()
    assert "Veckorapporten ersätts av en dialog varje kvartal." in raised.inner_text()
    assert "Not answered yet" in raised.inner_text()  # the budget: no answer yet
    check_page(page, "signals-next-round-360")
    context.close()


def test_it_renders_the_report_section_accessibly(live_server, browser, setting):
    """The fragment the balance report and the comparison PDF will include: this round's
    signals with their answers, and what happened to what was raised before."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    from governance import report
    from tests.factories_governance import make_signal

    org, version, round_, assessment = setting
    earlier_round = make_round(
        org.root,
        version,
        name="Våren",
        opens_on=round_.opens_on - datetime.timedelta(days=180),
        closes_on=round_.closes_on - datetime.timedelta(days=180),
    )
    earlier = make_assessment(
        earlier_round, org.a1, state=AssessmentState.COMPLETED, completed_at=round_.opens_on
    )
    make_signal(
        earlier,
        "Veckovis statistikrapport",
        proposal="together",
        reason="Ersätt med en dialog varje kvartal.",
        answer={"status": "accepted", "text": "Kvartalsdialog från mars.", "due_on": LATER},
    )
    make_signal(assessment, "Månadsbudget", level="politisk-namnd", kind="ekonomisk-styrning")
    # The report is of a completed assessment: its own signals show once it is.
    type(assessment).objects.filter(pk=assessment.pk).update(
        state=AssessmentState.COMPLETED, completed_at=round_.closes_on
    )
    assessment.refresh_from_db()
    with translation.override("sv"):
        section = render_to_string(
            "governance/_report_section.html", {"governance": report.report_section(assessment)}
        )
    assert "Kvartalsdialog från mars." in section and "Månadsbudget" in section
    # Linked, not inline: the site's Content-Security-Policy refuses inline styles.
    css = "".join(
        f'<link rel="stylesheet" href="{settings.STATIC_URL}{path}">'
        for path in ("vendor/bootstrap/css/bootstrap.min.css", "css/tillit.css")
    )
    for viewport, name in ((DESKTOP, "report-section-1280"), (PHONE, "report-section-360")):
        page = browser.new_page(viewport=viewport, reduced_motion="reduce")
        page.goto(f"{live_server.url}/")  # the site's origin, so axe loads from its statics
        page.set_content(
            '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Rapport</title>"
            f"{css}</head><body><main class='container py-4'><h1>Rapport</h1>"
            f"{section}</main></body></html>"
        )
        check_page(page, name)
        page.close()

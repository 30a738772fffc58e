"""The strict Content-Security-Policy in Chromium: each persona walks their pages and the
browser refuses nothing, while the bars and markers drawn from data keep their sizes without
inline styles.

Every violation is caught twice: a `securitypolicyviolation` listener installed before any
page script runs, and Chromium's console message ("…violates the following Content Security
Policy directive…"). A first test proves the two catch a violation the policy must refuse.
"""

import pytest
from django.urls import reverse

from assessments.models import AssessmentState, UnitAssessment
from batches.models import Batch, BatchStatus
from principles.models import Principle
from tests.browser.helpers import DESKTOP, PHONE
from tests.factories import make_assessment, make_round
from tests.factories_reports import make_report_scenario

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pdfs_left_queued"),  # no PDF is opened here
]

PASSWORD = "pw-test-1234"

# Installed in every page before its own scripts: records what the browser refuses.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"}`
    + ` (${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
}, true);
"""

# Each rendered element sized by a class from percent.css, beside the size the class means:
# w- and h- against the parent's content box, l- against the positioned parent's padding box.
# Elements whose size a script has set (element.style) are left to their own checks.
PERCENT_SIZES = r"""() => [...document.querySelectorAll("[class*='-pct-']")]
  .filter((el) => el.getClientRects().length && !el.style.length)
  .map((el) => {
    const [name, kind, number] = el.className.match(/\b([wlh])-pct-(\d+)\b/);
    const own = getComputedStyle(el);
    const box = kind === "l" ? el.offsetParent : el.parentElement;
    const pad = getComputedStyle(box);
    const px = (value) => parseFloat(value);
    let whole, part;
    if (kind === "w") {
      whole = box.clientWidth - px(pad.paddingLeft) - px(pad.paddingRight);
      part = px(own.width);
    } else if (kind === "h") {
      whole = box.clientHeight - px(pad.paddingTop) - px(pad.paddingBottom);
      part = px(own.height);
    } else {
      whole = box.clientWidth;
      part = px(own.left);
    }
    return {name, expected: (whole * Number(number)) / 100, actual: part};
  })"""


class Visitor:
    """One persona in one browser context; every page they see is checked."""

    def __init__(self, browser, live_server, *, viewport=DESKTOP) -> None:
        self.url = live_server.url
        self.context = browser.new_context(
            viewport=viewport, locale="en-GB", reduced_motion="reduce"
        )
        self.context.add_cookies([{"name": "django_language", "value": "en", "url": self.url}])
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.console: list[str] = []
        self.errors: list[str] = []
        self.context.on("console", self._console)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.checked: list[str] = []
        self.sized = 0  # elements whose percent class was measured

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path: str) -> None:
        response = self.page.goto(self.url + path)
        assert response is not None and response.ok, (path, response and response.status)
        self.check(path)

    def log_in(self, username: str, *, admin: bool = False) -> None:
        self.visit("/admin/login/" if admin else reverse("login"))
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.locator("form:has(input[name=password]) [type=submit]").click()
        self.check(f"{username} logged in")

    def submit(self, button: str, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button).first.click()
        self.check(name)

    def refused(self) -> list[str]:
        page = self.page
        page.wait_for_load_state()
        # One turn of the event loop, so reports the browser has queued are delivered.
        page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
        return page.evaluate("window.__cspViolations || []") + self.console + self.errors

    def check(self, name: str) -> None:
        """Nothing refused on the page so far, and every percent class sizes its element."""
        assert self.refused() == [], name
        sizes = self.page.evaluate(PERCENT_SIZES)
        wrong = [size for size in sizes if abs(size["actual"] - size["expected"]) > 1]
        self.sized += len(sizes)
        assert wrong == [], name
        self.checked.append(name)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5


@pytest.fixture
def scenario(transactional_db, org):
    """Enhet A1 in the dialogue with released figures from eight people; three neighbours in
    Förvaltning A completed in the same round; A1's spring round completed before."""
    return make_report_scenario(org, respondents=8, state=AssessmentState.DIALOGUE)


def test_it_catches_what_the_policy_refuses(live_server, browser, transactional_db):
    visitor = Visitor(browser, live_server)
    visitor.visit(reverse("join"))
    page = visitor.page
    # What a template with style="" or an injected inline script would do: both refused.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("document.body.setAttribute('style', 'outline: 3px solid red')")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ranInline = true'; document.body.append(s); }"
    )
    refused = visitor.refused()
    assert any(text.startswith("style-src-attr refused inline") for text in refused), refused
    assert any(text.startswith("script-src-elem refused inline") for text in refused), refused
    assert page.evaluate("window.ranInline === undefined")
    assert page.evaluate("getComputedStyle(document.body).outlineStyle") == "none"
    # Chromium says so on the console too, once for each.
    assert len(visitor.console) >= 2
    visitor.close()


def test_it_refuses_nothing_on_the_public_pages(live_server, browser, scenario):
    visitor = Visitor(browser, live_server, viewport=PHONE)
    for name in ("home", "framework", "guide", "accessibility", "join"):
        visitor.visit(reverse(name))
    visitor.submit("Svenska", "in Swedish")  # the language switcher posts a form
    assert visitor.page.locator("html").get_attribute("lang") == "sv"
    visitor.close()


def test_it_refuses_nothing_while_a_participant_answers(live_server, browser, scenario, org):
    assessment = make_assessment(
        scenario.round_now, org.b1, state=AssessmentState.INDIVIDUAL, join_code="K7QM2XHP9R"
    )
    visitor = Visitor(browser, live_server, viewport=PHONE)
    page = visitor.page
    visitor.visit(reverse("join"))
    page.get_by_label("Code").fill("K7QM2-XHP9R")
    visitor.submit("Continue", "welcome")
    visitor.submit("Start", "principle 1")
    for number in range(2, 30):
        if page.get_by_role("heading", name="Thank you!").count():
            break
        groups = page.evaluate(
            "() => [...new Set([...document.querySelectorAll('input[type=radio]')]"
            ".map((input) => input.name))]"
        )
        for index, name in enumerate(groups):
            page.locator(
                f'input[name="{name}"][value="{1 + (index + number) % 5}"] + label'
            ).click()
        points = page.locator("input[type=number]")
        for i in range(points.count()):
            points.nth(i).fill(["20", "50", "30"][i % 3])  # the running sum follows (balance.js)
        if points.count():
            assert "just right" in page.locator("[data-balance-sum]").first.inner_text()
            visitor.check("balance typed")
        visitor.submit("Save and continue", f"page {number}")
    assert page.get_by_role("heading", name="Thank you!").is_visible()
    assert UnitAssessment.objects.get(pk=assessment.pk).respondents.get().finished_at
    # The progress bar on every answer page was measured.
    assert visitor.sized >= 9
    visitor.close()


def test_it_refuses_nothing_while_a_manager_runs_the_dialogue(live_server, browser, scenario, org):
    assessment = scenario.assessment
    pk = assessment.pk
    visitor = Visitor(browser, live_server)
    page = visitor.page
    visitor.log_in("manager-a")
    visitor.visit(reverse("manager_assessment", args=[pk]))
    visitor.visit(reverse("manager_show_code", args=[pk]))
    assert page.locator("svg[role=img]").count() == 1  # the QR code

    # The dialogue: distributions, markers and balance bars, measured; the facilitator's
    # script saves a field as it is chosen.
    visitor.visit(reverse("manager_dialogue", args=[pk]))
    assert page.locator("table.distribution-table").count() >= 7
    assert page.locator(".marker").count() >= 2 and page.locator(".balance-table .bar").count()
    first = page.locator("article.principle-block").first
    first.get_by_label("4", exact=True).check()
    first.get_by_label("Strengths").fill("Vi hjälper varandra.")
    visitor.submit("Save the agreement", "dialogue, agreed")
    assert page.get_by_role("button", name="Save the agreement").count()

    # The presenter view on each kind of item: a principle, a dimension, the balance.
    visitor.visit(reverse("manager_presenter", args=[pk]))
    dimension = page.locator(".agenda-dimension a").first.get_attribute("href")
    visitor.visit(dimension)
    assert page.locator(".marker").count() >= 1
    visitor.visit(reverse("manager_presenter_item", args=[pk, "balance"]))
    assert page.locator(".points-track .bar").count() == 6
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")  # presenter.js moves through the agenda
    visitor.check("presenter, moved back")

    # The preview and completion: complete.js shows the notes at once.
    visitor.visit(reverse("unit_report_preview", args=[pk]))
    visitor.visit(reverse("manager_complete", args=[pk]))
    page.get_by_label("Share our dialogue notes with the quality developers").check()
    page.locator("#dialogue-notes").wait_for()
    visitor.check("complete, notes shared")
    page.get_by_label("I understand that the answers and agreements are locked").check()
    visitor.submit("Complete and lock the self-assessment", "completed")
    assert UnitAssessment.objects.get(pk=pk).state == AssessmentState.COMPLETED

    # The balance report on the web, charts drawn inline as SVG.
    visitor.visit(reverse("unit_report", args=[pk]))
    assert page.locator("svg.tillit-chart").count() >= 3
    visitor.visit(reverse("manager_dialogue", args=[pk]))  # read-only now
    assert visitor.sized > 50
    visitor.close()


def test_it_refuses_nothing_for_a_quality_developer(live_server, browser, scenario, org):
    round_ = scenario.round_now
    own_round = make_round(org.dep_a, scenario.version_now, name="Uppföljning Förvaltning A")
    make_assessment(own_round, org.a1)
    visitor = Visitor(browser, live_server)
    page = visitor.page
    visitor.log_in("quality-a")
    visitor.visit(reverse("round_list"))
    visitor.visit(reverse("round_detail", args=[own_round.pk]))
    visitor.visit(reverse("round_create"))
    visitor.visit(reverse("compare_index"))
    visitor.visit(reverse("compare", args=[round_.pk, org.dep_a.pk]))
    assert page.get_by_text("Enhet A2").first.is_visible()
    visitor.visit(reverse("compare_trend", args=[org.a1.pk]))
    visitor.visit(reverse("unit_report", args=[scenario.before.pk]))
    assert page.locator("svg.tillit-chart").count() >= 3

    # A batch part-way: the bar is sized by its class, then batch.js moves it on.
    batch = Batch.objects.create(
        round=round_,
        node=org.dep_a,
        created_by=org.quality_developer,
        language="en",
        base_url=live_server.url,
        status=BatchStatus.RUNNING,
        total=4,
        done=1,
    )
    visitor.visit(reverse("batch_detail", args=[batch.pk]))
    bar = page.locator("#batch-bar")
    assert "w-pct-25" in bar.get_attribute("class")
    Batch.objects.filter(pk=batch.pk).update(done=3)
    page.wait_for_function(
        # A function, not an expression: Playwright would eval() an expression, which the
        # policy refuses.
        "() => document.getElementById('batch-bar').getAttribute('aria-valuenow') === '3'",
        timeout=15_000,
    )
    share = page.evaluate(
        "() => { const bar = document.getElementById('batch-bar');"
        " return bar.getBoundingClientRect().width / bar.parentElement.clientWidth; }"
    )
    assert share == pytest.approx(0.75, abs=0.01)
    visitor.check("batch moved on")
    visitor.visit(reverse("batch_list"))
    visitor.close()


def test_it_refuses_nothing_in_the_admin(live_server, browser, scenario, org):
    principle = Principle.objects.filter(version=scenario.version_now).first()
    completed = scenario.neighbours[0]
    visitor = Visitor(browser, live_server)
    page = visitor.page
    visitor.log_in("administrator", admin=True)
    visitor.visit(reverse("admin:index"))
    visitor.visit(reverse("admin:assessments_unit_changelist"))  # treebeard's tree
    visitor.visit(reverse("admin:assessments_unit_change", args=[org.a1.pk]))
    visitor.visit(reverse("admin:assessments_unit_add"))
    visitor.visit(reverse("admin:principles_principle_changelist"))
    visitor.visit(reverse("admin:principles_principle_change", args=[principle.pk]))
    visitor.visit(reverse("admin:assessments_round_changelist"))  # with its date hierarchy
    # Date widgets and their calendar.
    visitor.visit(reverse("admin:assessments_round_change", args=[scenario.round_now.pk]))
    page.locator("#calendarlink0").click()
    assert page.locator("#calendarbox0").is_visible()
    visitor.check("round, calendar open")
    visitor.visit(reverse("admin:assessments_unitassessment_changelist"))
    visitor.visit(reverse("admin:assessments_unitassessment_change", args=[completed.pk]))
    visitor.visit(reverse("admin:assessments_unitassessment_reopen", args=[completed.pk]))
    visitor.visit(reverse("admin:auth_user_change", args=[org.manager_of_a.pk]))
    visitor.visit(reverse("admin:assessments_role_import"))
    # The sidebar's filter types into the page: the admin's own scripts run.
    page.locator("#nav-filter").fill("unit")
    visitor.check("admin, sidebar filtered")
    visitor.close()

"""Every page of the journey reflows at 320 px and fits at 1280 px (WCAG 1.4.10), as each
persona sees it, in Swedish and in English.

A page fails when it is wider than the window, or when a table is wider than the box it
scrolls in while that box shows no hint: a table may scroll sideways only inside its own
region, focusable and named, described by a short hint that is visible while it scrolls. At
1280 px the site's own pages must show their tables whole; the admin's lists (beside its
menu and filters) may scroll, with the hint. Every page is also checked with axe.

Each page is loaded once per language and checked at both widths by resizing the window: the
style sheets follow the width, and so do the only scripts that measure it (scroll-regions.js
and compare.js listen for resizes). axe runs at both widths, since what it sees differs: the
menu folds behind its toggle below 768 px, and a region gets its role, name and hint only while
its table scrolls. The data each persona's pages need is built once for both languages.
"""

import re

import pytest
from django.urls import reverse

from assessments.models import AssessmentState
from batches.models import Batch, BatchStatus
from principles.models import Principle
from tests.browser.helpers import axe_violations, screenshot
from tests.factories import make_assessment, make_unit
from tests.factories_reports import make_report_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-1234"
NARROW, WIDE = 320, 1280
WIDTHS = (NARROW, WIDE)
HEIGHT = 900
# Swedish has the long compounds, English the other wording.
LANGUAGES = ("sv", "en")

# What spills over: the page's width, and each table against the box it scrolls (or is
# clipped) in. `strict` (the site's pages at 1280 px): no table may need to scroll at all.
REFLOW_PROBLEMS = r"""(strict) => {
  const problems = [];
  const width = window.innerWidth;
  const page = document.documentElement.scrollWidth;
  const classes = (el) => (typeof el.className === "string" ? el.className.trim() : "")
    .split(/\s+/).filter(Boolean).map((c) => "." + c).join("");
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes(el);
  if (page > width) {
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1).slice(0, 4).map(name);
    problems.push(`the page is ${page}px wide in a ${width}px window: ${culprits.join(", ")}`);
  }
  for (const table of document.querySelectorAll("table")) {
    if (!table.getClientRects().length) continue;
    const label = (table.querySelector("caption")?.textContent || name(table)).trim().slice(0, 60);
    let box = table.parentElement;
    while (box && box !== document.body && getComputedStyle(box).overflowX === "visible") {
      box = box.parentElement;
    }
    if (!box || box === document.body) continue;  // the page's own width is checked above
    if (box.scrollWidth <= box.clientWidth + 1) continue;  // it fits
    const overflow = getComputedStyle(box).overflowX;
    if (overflow !== "auto" && overflow !== "scroll") {
      problems.push(`table "${label}" is clipped by ${name(box)} (overflow: ${overflow})`);
      continue;
    }
    if (strict) {
      problems.push(`table "${label}" needs ${box.scrollWidth}px, has ${box.clientWidth}px`);
      continue;
    }
    const hintId = box.getAttribute("aria-describedby");
    const hint = hintId && document.getElementById(hintId);
    const shown = Boolean(hint && hint.getClientRects().length && hint.textContent.trim());
    const named = box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby");
    if (!(shown && named && box.tabIndex >= 0 && box.getAttribute("role") === "region")) {
      problems.push(`table "${label}" scrolls in ${name(box)} without a focusable, named`
        + ` region and a visible hint (hint: ${shown}, named: ${named},`
        + ` tabindex: ${box.tabIndex})`);
    }
  }
  return problems;
}"""


class Walker:
    """One persona, in each language in turn; checks every page it is shown at both widths."""

    def __init__(self, browser, live_server) -> None:
        self.browser = browser
        self.url = live_server.url
        self.language = ""
        self.context = None
        self.page = None
        self.problems: list[str] = []
        self.seen = 0  # pages checked, each at every width

    def in_each_language(self):
        """A fresh window (no session) for each language in turn; yields the language."""
        for language in LANGUAGES:
            self.open(language)
            yield language
            self.close()

    def open(self, language: str) -> None:
        self.language = language
        self.context = self.browser.new_context(
            viewport={"width": NARROW, "height": HEIGHT}, locale="en-GB", reduced_motion="reduce"
        )
        self.context.add_cookies([{"name": "django_language", "value": language, "url": self.url}])
        self.page = self.context.new_page()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None

    def log_in(self, username: str, *, admin: bool = False) -> None:
        self.visit(reverse("admin:login") if admin else reverse("login"), "login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.locator("form:has(input[name=password]) [type=submit]").click()

    def visit(self, path: str, name: str, *, strict: bool | None = None) -> None:
        response = self.page.goto(self.url + path)
        assert response is not None and response.ok, (path, response and response.status)
        self.check(name, strict=strict)

    def check(self, name: str, *, strict: bool | None = None) -> None:
        """The page as loaded, at the width it was loaded in and then at the other one."""
        page = self.page
        page.wait_for_load_state()
        loaded_at = page.viewport_size["width"]
        for width in sorted(WIDTHS, key=lambda w: w != loaded_at):
            if width != page.viewport_size["width"]:
                page.set_viewport_size({"width": width, "height": HEIGHT})
            self._check_at(name, width, width >= WIDE if strict is None else strict)
        self.seen += 1

    def _check_at(self, name: str, width: int, strict: bool) -> None:
        page = self.page
        # Two frames, so that the scroll regions' observers have shown or hidden their hints.
        page.evaluate(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        where = f"{name} ({self.language}, {width}px)"
        self.problems += [f"{where}: {p}" for p in page.evaluate(REFLOW_PROBLEMS, strict)]
        violations = axe_violations(page)
        if violations:
            self.problems.append(f"{where}: axe: {violations}")
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        screenshot(page, f"reflow-{slug}-{self.language}-{width}")

    def assert_reflows(self, pages: int) -> None:
        """Every page seen (as many in each language as the test meant to show) spilled
        nothing over, at either width."""
        assert self.problems == [], "\n".join(self.problems)
        assert self.seen == pages * len(LANGUAGES)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5


@pytest.fixture
def scenario(transactional_db, org):
    """Enhet A1 in the dialogue with figures shown from eight people, its spring round
    completed (with a report), three neighbours completed in Förvaltning A. A department and a
    unit have the long compound names Swedish gives them."""
    made = make_report_scenario(org, respondents=8, state=AssessmentState.DIALOGUE)
    org.dep_b.name = "Samhällsbyggnadsförvaltningen"
    org.dep_b.save(update_fields=["name"])
    make_unit("DEP-A-BOU", "Barnomsorgsförvaltningsenheten", parent=org.dep_a)
    return made


@pytest.fixture
def walker(browser, live_server):
    made = Walker(browser, live_server)
    yield made
    made.close()


def test_it_reflows_the_public_pages(walker, scenario):
    for _language in walker.in_each_language():
        for url_name in ("home", "framework", "guide", "accessibility", "join", "password_reset"):
            walker.visit(reverse(url_name), url_name)
        walker.visit(reverse("login"), "login")
    walker.assert_reflows(7)


def test_it_reflows_the_managers_pages(walker, scenario):
    pk = scenario.assessment.pk
    before = scenario.before.pk
    for _language in walker.in_each_language():
        walker.log_in("manager-a")
        walker.check("manager home")
        walker.visit(reverse("manager_assessment", args=[pk]), "assessment in the dialogue")
        walker.visit(reverse("manager_show_code", args=[pk]), "code for the projector")
        walker.visit(reverse("manager_dialogue", args=[pk]), "dialogue")
        walker.visit(reverse("manager_presenter", args=[pk]), "presenter, a principle")
        dimension = walker.page.locator(".agenda-dimension a").first.get_attribute("href")
        walker.visit(dimension, "presenter, a dimension")
        walker.visit(reverse("manager_presenter_item", args=[pk, "balance"]), "presenter, balance")
        walker.visit(reverse("manager_complete", args=[pk]), "completion")
        walker.visit(reverse("manager_assessment", args=[before]), "completed assessment")
        walker.visit(reverse("unit_report", args=[before]), "web report")
    walker.assert_reflows(11)


def test_it_reflows_the_quality_developers_pages(walker, scenario, org):
    batch = Batch.objects.create(
        round=scenario.round_now,
        node=org.dep_a,
        created_by=org.quality_developer,
        language="sv",
        base_url=walker.url,
        status=BatchStatus.RUNNING,
        total=4,
        done=1,
    )
    neighbour = scenario.neighbours[0].pk
    for _language in walker.in_each_language():
        walker.log_in("quality-a")
        walker.check("quality developer home")
        walker.visit(reverse("unit_report", args=[neighbour]), "neighbour's report")
        walker.visit(reverse("batch_list"), "batches")
        walker.visit(reverse("batch_detail", args=[batch.pk]), "batch")
        walker.visit(reverse("round_list"), "rounds")
        walker.visit(reverse("round_create"), "new round")
    walker.assert_reflows(7)


def test_it_reflows_the_administrators_pages(walker, scenario, org):
    principle = Principle.objects.filter(version=scenario.version_now).first()
    # The admin's lists sit beside its menu and filters: they may scroll, with the hint.
    admin_pages = [
        (reverse("admin:index"), "admin index"),
        (reverse("admin:assessments_unitassessment_changelist"), "admin assessments"),
        (reverse("admin:auth_user_changelist"), "admin people"),
        (
            reverse("admin:assessments_unitassessment_change", args=[scenario.before.pk]),
            "admin assessment",
        ),
        (reverse("admin:principles_principle_change", args=[principle.pk]), "admin principle"),
        (reverse("admin:axes_accessattempt_changelist"), "admin login attempts"),
    ]
    for _language in walker.in_each_language():
        walker.log_in("administrator", admin=True)
        walker.visit(reverse("home"), "administrator home")
        walker.visit(reverse("accessibility"), "accessibility statement")
        walker.visit(reverse("round_detail", args=[scenario.round_now.pk]), "round")
        for path, name in admin_pages:
            walker.visit(path, name, strict=False)
    walker.assert_reflows(10)


JOIN_CODE = "K7QM2XHP9R"
PAGE_KINDS = {"princip": "a principle", "styrning": "control or trust", "balans": "the balance"}


@pytest.fixture
def answering(scenario, org):
    """Enhet B1 open for answers in the autumn round."""
    return make_assessment(
        scenario.round_now, org.b1, state=AssessmentState.INDIVIDUAL, join_code=JOIN_CODE
    )


# Where the participant clicks the answers the way a person does: at both widths in all.
CLICKS_AT = {"sv": WIDE, "en": NARROW}
# The other pages of a kind already checked: every answer at once, through the labels.
CHOOSE = """(values) => Object.entries(values).forEach(([name, value]) =>
  document.querySelector(`input[name="${name}"][value="${value}"] + label`).click())"""


def _answer_until_the_summary(walker) -> None:
    """Join with the code and answer every page, checking each kind of page once."""
    page = walker.page
    walker.visit(reverse("join"), "participant joins")
    page.fill("input[name=code]", JOIN_CODE)
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    walker.check("participant welcome")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    seen_kinds = set()
    for number in range(30):
        if "/klart/" in page.url:
            return
        kind = next((k for k in PAGE_KINDS if f"/{k}/" in page.url), None)
        groups = page.evaluate(
            "() => [...new Set([...document.querySelectorAll('input[type=radio]')]"
            ".map((input) => input.name))]"
        )
        values = {name: 1 + (index + number) % 5 for index, name in enumerate(groups)}
        if kind not in seen_kinds:
            walker.check(f"participant, {PAGE_KINDS.get(kind, page.url)}")
            seen_kinds.add(kind)
            page.set_viewport_size({"width": CLICKS_AT[walker.language], "height": HEIGHT})
            for name, value in values.items():
                page.locator(f'input[name="{name}"][value="{value}"] + label').click()
        else:
            page.evaluate(CHOOSE, values)
        points = page.locator("input[type=number]")
        for i in range(points.count()):
            points.nth(i).fill(["20", "50", "30"][i % 3])
        with page.expect_navigation():
            page.locator("button[name=nav][value=next]").click()
    raise AssertionError("the participant never reached the summary")


def test_it_reflows_the_pages_a_participant_answers_and_the_summary(walker, answering):
    # Someone new joins in each language: each kind of page once, then the summary.
    for _language in walker.in_each_language():
        _answer_until_the_summary(walker)
        walker.check("participant summary")
    walker.assert_reflows(6)


# The left and right edges of an element's content (inside its padding).
EDGES = """(selector) => {
  const el = document.querySelector(selector);
  if (!el || !el.getClientRects().length) return null;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return [Math.round(box.left + parseFloat(style.paddingLeft)),
          Math.round(box.right - parseFloat(style.paddingRight))];
}"""
HEADER = ".site-header .navbar > [class^=container]"
FOOTER = ".site-footer > [class^=container]"


def test_it_lines_the_header_and_footer_up_with_the_page(browser, live_server, scenario):
    """The dialogue, the code and the presenter view use the whole screen: the header and the
    footer follow their edges, as they follow the ordinary pages' narrower ones. Each page is
    loaded once and measured at each width (the edges come from the style sheets alone)."""
    pk = scenario.assessment.pk
    walker = Walker(browser, live_server)
    walker.open("sv")
    walker.log_in("manager-a")
    pages = {
        "assessment": reverse("manager_assessment", args=[pk]),
        "dialogue": reverse("manager_dialogue", args=[pk]),
        "code": reverse("manager_show_code", args=[pk]),
        "presenter": reverse("manager_presenter", args=[pk]),
    }
    widths = (360, 1024, 1280, 1920)
    edges = {}
    for name, path in pages.items():
        walker.page.goto(walker.url + path)
        for width in widths:
            walker.page.set_viewport_size({"width": width, "height": HEIGHT})
            edges[name, width] = [
                walker.page.evaluate(EDGES, part) for part in (HEADER, "main", FOOTER)
            ]
    walker.close()
    for (name, width), (header, main, footer) in edges.items():
        # The projector's view has the whole screen to itself: no menu bar from 1200 px.
        if name == "presenter" and width >= 1200:
            assert header is None
        else:
            assert header == main, (name, width)
        assert footer == main, (name, width)
    for width in widths:
        if width >= 1280:  # the ordinary pages are narrower than the screen; these are not
            assessment, dialogue = edges["assessment", width][1], edges["dialogue", width][1]
            assert assessment[1] - assessment[0] < width - 100, width
            assert dialogue[1] - dialogue[0] > width - 100, width

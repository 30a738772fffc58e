"""The comparison reflows: never wider than the screen at 320 px, no sideways scrolling at
1280 px, and a table wider than its region says that it scrolls.

A generated organisation on the real framework (seven principles, six dimensions), with a
long department name and a long unit name, as a quality developer sees it in Swedish. Each
page is loaded once and measured at both widths (compare.js follows a resize).
"""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessments import generate
from assessments.models import Unit
from principles.models import FrameworkVersion
from tests.browser.helpers import DESKTOP, assert_fits, axe_violations, screenshot
from tests.factories import make_round
from tests.factories_compare import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROWEST = {"width": 320, "height": 720}

# Per table region: how wide the table is, how wide the region, whether the hint shows,
# and whether the caption stays inside the region.
TABLES = """() => [...document.querySelectorAll('.table-scroll')].map(region => {
  const table = region.querySelector('table');
  const hint = region.previousElementSibling;
  const caption = table.querySelector('caption');
  const box = region.getBoundingClientRect();
  const captionBox = caption ? caption.getBoundingClientRect() : box;
  return {
    id: table.id || (caption && caption.id) || '',
    table: table.scrollWidth,
    region: region.clientWidth,
    visible: region.offsetParent !== null,
    hint: !!hint && hint.classList.contains('scroll-hint') && !hint.hidden
      && hint.offsetParent !== null,
    captionInside: captionBox.left >= box.left - 1 && captionBox.right <= box.right + 1,
    focusable: region.tabIndex === 0,
    label: region.getAttribute('aria-labelledby') || '',
  };
})"""


@pytest.fixture
def generated(transactional_db):
    call_command("loaddata", "framework", verbosity=0)
    made = generate.generate_org(units=12, respondents=5, departments=3, seed=11)
    # A later round that six of the units completed: the trend has a change to show.
    later = make_round(
        made.root,
        FrameworkVersion.objects.current(),
        name="Tillitsskattning VT 2027 med ett långt namn",
        opens_on=datetime.date(2027, 2, 1),
        closes_on=datetime.date(2027, 5, 1),
    )
    for n, unit in enumerate(Unit.objects.filter(code__startswith="GEN-01-").order_by("path")):
        complete(later, unit, scores=2 + n % 3)
    for unit in Unit.objects.filter(code__in=["GEN-02-0001", "GEN-02-0002"]):
        complete(later, unit, scores=4)
    Unit.objects.filter(code="GEN-D01").update(
        name="Förvaltningen för stöd, omsorg och funktionshinderverksamhet"
    )
    Unit.objects.filter(code="GEN-01-0001").update(
        name="Särskilt boende Lindgårdens korttidsavdelning och dagverksamhet"
    )
    return made


def _context(browser, live_server, viewport, *, javascript: bool = True):
    """A browser logged in as the generated quality developer, in Swedish."""
    user = Unit.objects.get(code=generate.ROOT_CODE).roles.get(kind="quality_developer").user
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport=viewport, locale="sv-SE", java_script_enabled=javascript, reduced_motion="reduce"
    )
    session = client.cookies["sessionid"].value
    context.add_cookies(
        [
            {"name": "sessionid", "value": session, "url": live_server.url},
            {"name": "django_language", "value": "sv", "url": live_server.url},
        ]
    )
    return context


def _check_tables(page, name: str, *, fit: bool) -> None:
    for table in page.evaluate(TABLES):
        assert table["focusable"] and table["label"], f"{name}: {table}"
        if not table["visible"]:
            continue  # in a closed <details>: nothing to scroll yet
        wider = table["table"] > table["region"] + 1
        assert not wider or table["hint"], f"{name}: wider than its region, no hint: {table}"
        assert table["hint"] == wider, f"{name}: a hint without need: {table}"
        assert table["captionInside"], f"{name}: caption cut off: {table}"
        if fit:
            assert not wider, f"{name}: scrolls sideways at 1280 px: {table}"


def _open_first_department(page) -> None:
    toggle = page.locator("button.unit-toggle").first
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.locator("#heat-map tr.unit-row").first.wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#heat-map tr.unit-row").count() == 4
    assert "Lindgårdens" in page.locator("#heat-map").inner_text()


def test_it_fits_the_comparison_into_the_screen_and_marks_what_scrolls(
    live_server, browser, generated
):
    context = _context(browser, live_server, NARROWEST)
    page = context.new_page()
    urls = {
        "root": reverse("compare", args=[generated.round.pk, generated.root.pk]),
        "department": reverse(
            "compare", args=[generated.round.pk, Unit.objects.get(code="GEN-D01").pk]
        ),
        "trend": reverse("compare_trend", args=[generated.root.pk]),
        "index": reverse("compare_index"),
    }
    for name, url in urls.items():
        page.goto(f"{live_server.url}{url}")
        assert page.locator("html").get_attribute("lang") == "sv"
        page.wait_for_load_state("networkidle")
        if name == "root":
            # Departments fold: three rows of medians, their units on demand.
            assert page.locator("#heat-map tr.group-row").count() == 3
            assert page.locator("#heat-map tr.unit-row").count() == 0
            _open_first_department(page)
        # Open every table shown as a <details>, so that it is measured too.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        # At the width it was loaded in first, then at the other.
        loaded_at = page.viewport_size["width"]
        for viewport in sorted((NARROWEST, DESKTOP), key=lambda v: v["width"] != loaded_at):
            page.set_viewport_size(viewport)
            width = viewport["width"]
            where = f"{name} at {width} px"
            # Let the hints follow the new sizes (they update before the next frame).
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")
            assert_fits(page, where)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            _check_tables(page, where, fit=width >= 1280)
            assert axe_violations(page) == [], where
            screenshot(page, f"compare-{name}-{width}")
    context.close()


def test_it_opens_a_department_without_javascript_on_its_own_comparison(
    live_server, browser, generated
):
    context = _context(browser, live_server, NARROWEST, javascript=False)
    page = context.new_page()
    root = reverse("compare", args=[generated.round.pk, generated.root.pk])
    page.goto(f"{live_server.url}{root}")
    link = page.locator("#heat-map a.unit-toggle").first
    link.click()
    page.wait_for_load_state()
    department = Unit.objects.get(code="GEN-D01")
    assert page.url.endswith(reverse("compare", args=[generated.round.pk, department.pk]))
    assert "Lindgårdens" in page.locator("#heat-map").inner_text()
    assert_fits(page, "department without JavaScript")
    context.close()

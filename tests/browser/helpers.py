"""Shared helpers for the browser tests: axe-core checks and screenshots.

The pages run under a strict Content-Security-Policy (no inline scripts, no eval). Give
page.wait_for_function a function ("() => …"), not a bare expression: Playwright runs an
expression through eval(), which the policy refuses. page.evaluate is not affected.

Make windows with reduced_motion="reduce": otherwise Bootstrap scrolls smoothly, the page is
still moving after each click, and Playwright waits for it to stop before the next one (up to
a second a click). To see a page at several widths, load it once and resize the window
(check_widths): the style sheets follow, and so do the scripts that measure widths.
"""

from pathlib import Path

from django.conf import settings

# The Content-Security-Policy refuses inline scripts, so axe-core is loaded the way the pages
# load theirs: a <script src> from the site's own static files (node_modules/axe-core).
AXE_URL = f"{settings.STATIC_URL}vendor/axe-core/axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


# Summarised in the page: axe's whole result (every passing node of every rule, with its HTML)
# is megabytes on a long page, and sending it to Python took longer than the checks themselves.
# Only violations are asked for in detail (resultTypes); they come back complete.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 AA tags) on the page; return the violations, summarised.

    axe is loaded once per page load: a page checked again (at another width) reuses it."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate(AXE_RUN, WCAG_21_AA)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_fits(page, name: str) -> None:
    """Nothing spills sideways: the page is no wider than the viewport (names the culprits)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the viewport: " + str(
        page.evaluate(
            "() => [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            ".slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"
        )
    )


def check_page(page, name: str) -> Path:
    """No WCAG 2.1 AA violations, nothing spilling sideways, and a screenshot named `name`.

    Two frames first, so that a page just loaded or resized has had its resize observers run
    (scroll-regions.js names a region and shows its hint only while its table scrolls)."""
    after_two_frames(page)
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"
    assert_fits(page, name)
    return screenshot(page, name)


def check_widths(page, name: str, *viewports: dict) -> None:
    """check_page at each viewport in turn, in the same load (`name`-<width> each), then the
    window as it was. The style sheets follow a resize, and so do the scripts that measure
    widths (scroll-regions.js and compare.js observe their regions)."""
    before = page.viewport_size
    for viewport in viewports:
        page.set_viewport_size(viewport)
        check_page(page, f"{name}-{viewport['width']}")
    page.set_viewport_size(before)


def after_two_frames(page) -> None:
    """Once the page has been laid out and drawn twice: resize observers have run."""
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def focused(page) -> dict:
    """What has keyboard focus: tag, type, name, value and id."""
    return page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName, type: e.type || '',"
        " name: e.name || '', value: e.value || '', id: e.id || ''}; }"
    )

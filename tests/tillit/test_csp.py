"""The Content-Security-Policy: a strict header on every response, and nothing in the templates,
the scripts or the generated markup that such a policy would refuse."""

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from assessments.qr import qr_svg
from assessments.templatetags.percent_classes import pct
from batches.models import Batch
from tests.factories import make_round, make_version, release
from tests.factories_dialogue import add_respondents, make_unit_assessment
from tests.factories_reports import make_report_scenario

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}
# Templates that may hold what the policy refuses, with the reason (e.g. a template only ever
# rendered to PDF, never served as a page). None today: the PDF templates use report.css too.
EXCEPTIONS: dict[str, str] = {}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive -> sources (django-csp sets no order)."""
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


# --- the header --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("anonymous", "/"),
        ("anonymous", "/delta/"),
        ("anonymous", "/ramverk/"),
        ("anonymous", "/konto/login/"),
        ("anonymous", "/admin/login/"),
        ("anonymous", "/static/css/percent.css"),
        ("anonymous", "/no-such-page/"),
        ("manager_of_a", "/"),
        ("administrator", "/admin/"),
    ],
)
def test_it_sends_the_strict_policy_on_every_kind_of_response(persona, who, url):
    response = persona(who).get(url)
    assert response.status_code in {200, 404}
    assert policy(response) == STRICT_POLICY
    header = response["Content-Security-Policy"]
    assert "unsafe" not in header  # no 'unsafe-inline', 'unsafe-eval' or 'unsafe-hashes'
    assert "Content-Security-Policy-Report-Only" not in response


# --- the templates ------------------------------------------------------------------------

_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?{%\s*endcomment\s*%}", re.S)
_TEMPLATE_COMMENT = re.compile(r"{#.*?#}", re.S)
_TEMPLATE_TAG = re.compile(r"{%.*?%}", re.S)
_TEMPLATE_VARIABLE = re.compile(r"{{.*?}}", re.S)
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
# Data blocks are never run, so the policy lets them be (json_script writes these).
_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _InlineCodeFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        line = self.getpos()[0]
        if tag == "style":
            self.found.append(f"line {line}: a <style> element")
        data_block = values.get("type", "").strip().lower() in _DATA_SCRIPT_TYPES
        if tag == "script" and not values.get("src") and not data_block:
            self.found.append(f"line {line}: an inline <script>")
        for name, value in values.items():
            if name == "style":
                self.found.append(f"line {line}: a style attribute on <{tag}>")
            elif name.startswith("on") and name.isalpha():
                self.found.append(f"line {line}: an {name} handler on <{tag}>")
            elif name in _URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                self.found.append(f"line {line}: a javascript: URL on <{tag}>")


def inline_code(source: str) -> list[str]:
    """What in this template (or rendered HTML) the strict policy would refuse."""
    source = _COMMENT_BLOCK.sub(lambda m: "\n" * m.group().count("\n"), source)
    source = _TEMPLATE_COMMENT.sub("", source)
    # Tags become a space (they may separate attributes), variables a plain value.
    source = _TEMPLATE_TAG.sub(" ", source)
    source = _TEMPLATE_VARIABLE.sub("x", source)
    finder = _InlineCodeFinder()
    finder.feed(source)
    finder.close()
    return finder.found


def project_templates() -> list[Path]:
    """Every HTML template of the project: templates/ and the project's own apps' folders."""
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    for config in apps.get_app_configs():
        path = Path(config.path)
        if path.is_relative_to(BASE_DIR) and not path.is_relative_to(BASE_DIR / ".venv"):
            folders.append(path / "templates")
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.html"))


def test_it_finds_no_inline_script_or_style_in_any_template():
    templates = project_templates()
    assert len(templates) > 80  # templates/ and any app templates are all there
    found = {
        str(path.relative_to(BASE_DIR)): problems
        for path in templates
        if (problems := inline_code(path.read_text(encoding="utf-8")))
        and str(path.relative_to(BASE_DIR)) not in EXCEPTIONS
    }
    assert found == {}


@pytest.mark.parametrize(
    ("snippet", "refused"),
    [
        ('<div class="bar" style="width: 40%"></div>', True),
        ('<span{% if x %} style="left: {{ x }}%"{% endif %}></span>', True),
        ("<script>alert(1)</script>", True),
        ('<script type="module">import "./a.js";</script>', True),
        ('<button type="button" onclick="go()">Go</button>', True),
        ('<body onload="start()">', True),
        ("<style>.a { color: red; }</style>", True),
        ('<a href="javascript:void(0)">x</a>', True),
        ("<script src=\"{% static 'js/batch.js' %}\" defer></script>", False),
        ('<script id="data" type="application/json">{"a": 1}</script>', False),
        ('<div class="bar w-pct-{{ share|pct }}" data-style="x"></div>', False),
        ("{% blocktranslate with one=n %}{{ one }} person{% endblocktranslate %}", False),
        ('{% comment %}Never <style> or style="" here.{% endcomment %}', False),
        ('<svg><rect width="40" height="8" fill="#14375e"/></svg>', False),
    ],
)
def test_it_tells_inline_code_from_what_the_policy_allows(snippet, refused):
    assert bool(inline_code(snippet)) is refused


def test_it_keeps_inline_styles_and_eval_out_of_the_scripts():
    """Scripts may set element.style (the CSSOM is allowed), never a style attribute or
    markup carrying one, and never evaluate strings as code."""
    forbidden = re.compile(
        r"""setAttribute\(\s*["']style["']|style\s*=\s*\\?["']|\.cssText|\beval\(|new\s+Function\("""
        r"""|set(?:Timeout|Interval)\(\s*["']"""
    )
    scripts = sorted((BASE_DIR / "static" / "js").glob("*.js"))
    assert scripts
    found = {
        script.name: forbidden.findall(script.read_text(encoding="utf-8")) for script in scripts
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


# --- markup drawn in Python ---------------------------------------------------------------


def test_it_draws_the_qr_code_without_inline_styles():
    svg = qr_svg("https://tillit.example.se/delta/K7QM2XHP9R/", label="QR code")
    assert svg.startswith("<svg ")
    assert inline_code(svg) == []


def test_it_draws_the_report_charts_without_inline_styles(org, persona):
    scenario = make_report_scenario(org, respondents=6)
    response = persona("manager_of_a").get(
        reverse("unit_report", args=[scenario.assessment.pk]), {"lang": "en"}
    )
    html = response.content.decode()
    assert html.count('class="tillit-chart"') >= 3  # the charts drawn on the server are there
    assert inline_code(html) == []


# --- sizes from data, as classes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (0.49, 0),
        (0.5, 1),
        (41.5, 42),
        (41.49, 41),
        (12.5, 13),  # half up, not to even
        (99.5, 100),
        (100, 100),
        (100.4, 100),
        (250, 100),
        (-0.1, 0),
        (-30, 0),
        ("66.7", 67),
        (None, 0),
        ("", 0),
        ("wide", 0),
        (math.nan, 0),
        (math.inf, 0),
    ],
)
def test_it_rounds_and_clamps_a_share_to_a_whole_percent(value, expected):
    assert pct(value) == expected


def test_it_has_a_class_for_every_whole_percent():
    css = (BASE_DIR / "static" / "css" / "percent.css").read_text(encoding="utf-8")
    comment, _end, body = css.partition("*/")
    assert comment.startswith("/*") and "python3 -c" in comment  # says how it was made
    properties = {"w": "width", "l": "left", "h": "height"}
    expected = [f".{k}-pct-{n} {{ {properties[k]}: {n}%; }}" for k in "wlh" for n in range(101)]
    assert body.strip().splitlines() == expected


def test_it_sizes_the_dialogue_bars_and_markers_from_the_figures(org, persona, settings):
    settings.MIN_RESPONDENTS = 5
    assessment = make_unit_assessment(
        org, version=make_version(principles=1, statements=1, dimensions=1, published=True)
    )
    add_respondents(
        assessment,
        6,
        statement_value=lambda i, position: [4, 4, 4, 2, 2, 1][i],
        dimension=lambda i, position: ([2, 2, 2, 3, 3, 3][i], 6),
        balance=lambda i, kind: (20, 50, 30) if kind == "now" else (10, 30, 60),
    )
    assert release(assessment).released
    client = persona("manager_of_a")
    with translation.override("en"):
        html = client.get(reverse("manager_dialogue", args=[assessment.pk])).content.decode()
    assert "style=" not in html
    assert "css/percent.css" in html
    # Columns of 1, 2, 0, 3, 0 answers and no "don't know": heights against the tallest.
    heights = re.findall(r'class="bar h-pct-(\d+)"', html)
    assert heights[:6] == ["33", "67", "0", "100", "0", "0"]
    # Medians 2.5 (now) and 6 (desired) on the 1–7 scale: 25 % and 83.3 % along it.
    assert 'class="marker marker-now l-pct-25"' in html
    assert 'class="marker marker-desired l-pct-83"' in html
    for kind, share in (("market", 20), ("hierarchy", 50), ("trust", 30)):
        assert f'class="bar bar-{kind} w-pct-{share}"' in html


def test_it_shows_a_batchs_progress_as_a_class(org, persona):
    batch = Batch.objects.create(
        round=make_round(org.root, make_version(published=True)),
        node=org.dep_a,
        created_by=org.quality_developer,
        language="en",
        total=3,
        done=1,
    )
    html = persona("quality_developer").get(reverse("batch_detail", args=[batch.pk]))
    html = html.content.decode()
    assert "style=" not in html
    assert 'class="progress mb-3 batch-progress"' in html
    assert 'class="progress-bar w-pct-33"' in html and "33 %" in html

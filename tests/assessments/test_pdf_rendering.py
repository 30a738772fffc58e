"""HTML to PDF: the fetcher that keeps reports from reaching outside, and the PDF it makes."""

import io
import sys
import time

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import translation
from pypdf import PdfReader
from weasyprint.urls import URLFetcher

from reports import charts, pdf
from reports.charts import Balance, DensityCell, ProfileRow, RadarAxis
from reports.pdf import RefusedURLError, SafeURLFetcher, render_pdf, safe_url_fetcher

FONT_DIR = ("vendor/source-sans", settings.BASE_DIR / "node_modules" / "source-sans" / "TTF")


@pytest.fixture
def report_fonts():
    """Serve the font package as tillit/settings.py does once its STATICFILES_DIRS has it."""
    dirs = list(settings.STATICFILES_DIRS)
    if FONT_DIR not in dirs:
        dirs.append(FONT_DIR)
    with override_settings(STATICFILES_DIRS=dirs):
        yield


# The audit hook sees every file Python opens and every socket it connects, wherever in
# WeasyPrint that happens. Hooks cannot be removed, so one hook records only while asked to.
_audit_events: list[tuple[str, tuple]] | None = None


def _audit(event: str, args: tuple) -> None:
    if _audit_events is not None and event in {"open", "socket.connect", "socket.getaddrinfo"}:
        _audit_events.append((event, args))


sys.addaudithook(_audit)


class Recorder:
    def __enter__(self) -> list[tuple[str, tuple]]:
        global _audit_events
        _audit_events = []
        return _audit_events

    def __exit__(self, *exc_info) -> None:
        global _audit_events
        _audit_events = None


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def document(body: str, *, title: str = "Balansrapport", language: str = "sv") -> str:
    return render_to_string(
        "reports/_pdf_base.html",
        {"language": language, "title": title, "unit_name": "Socialtjänsten Norr"},
    ).replace("</body>", f"{body}</body>")


# --- the fetcher ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.org/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x.png",
        "//example.org/x.png",
        "/etc/passwd",
        "/static/../tillit/settings.py",
        "/static/css/../../tillit/settings.py",
        "/static/%2e%2e/tillit/settings.py",
        "/static//etc/passwd",
        "/static/c:/windows/win.ini",
        "http://tillit.invalid/admin/",
        "http://tillit.invalid/static/../../etc/passwd",
        "https://tillit.invalid/static/css/report.css",  # not the internal origin
        "http://tillit.invalid.example.org/static/css/report.css",
    ],
)
def test_it_refuses_everything_but_data_and_static_files(url):
    with pytest.raises(ValueError, match="Refused"):
        safe_url_fetcher(url)


def test_it_serves_a_data_uri():
    response = safe_url_fetcher("data:text/plain;base64,SGVqIMOlw6TDtg==")

    assert response.read().decode() == "Hej åäö"
    assert response.content_type == "text/plain"


@pytest.mark.parametrize(
    "url",
    [
        "/static/css/report.css",
        "/static/css/report.css?v=2",
        "http://tillit.invalid/static/css/report.css",
    ],
)
def test_it_serves_the_apps_static_files_from_disk(url):
    response = safe_url_fetcher(url)

    assert response.content_type == "text/css"
    assert response.charset == "utf-8"
    assert b"@font-face" in response.read()


def test_it_serves_the_hashed_names_that_collectstatic_leaves_in_production(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "report.0123abcd.css").write_text("@page { size: A4 }")

    with override_settings(STATIC_ROOT=tmp_path):
        response = safe_url_fetcher("/static/css/report.0123abcd.css")

    assert response.read() == b"@page { size: A4 }"


def test_it_says_when_a_static_file_is_missing():
    with pytest.raises(FileNotFoundError):
        safe_url_fetcher("/static/css/no-such-file.css")


def test_it_serves_static_files_under_the_base_url_of_the_report():
    fetcher = SafeURLFetcher("https://tillit.example.se/")

    assert isinstance(fetcher, URLFetcher)  # WeasyPrint 70 accepts nothing else
    assert b"@page" in fetcher.fetch("https://tillit.example.se/static/css/report.css").read()
    with pytest.raises(RefusedURLError):
        fetcher.fetch("https://tillit.example.se/admin/")
    with pytest.raises(RefusedURLError):
        fetcher.fetch("https://elsewhere.example.se/static/css/report.css")


def test_it_serves_the_font_files_once_the_package_is_a_static_dir(report_fonts):
    response = safe_url_fetcher("/static/vendor/source-sans/SourceSans3-Regular.ttf")

    assert len(response.read()) > 100_000


# --- rendering -----------------------------------------------------------------------------


def test_it_renders_hostile_html_without_fetching_anything_outside(monkeypatch):
    calls: list[tuple[str, str]] = []
    original = SafeURLFetcher.fetch

    def recording_fetch(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception as error:
            calls.append((url, type(error).__name__))
            raise
        calls.append((url, "served"))
        return response

    monkeypatch.setattr(SafeURLFetcher, "fetch", recording_fetch)
    html = (
        '<html lang="sv"><head><title>x</title>'
        '<link rel="stylesheet" href="http://example.org/x.css">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        "<style>@import url('file:///etc/hosts');"
        "@font-face { font-family: X; src: url('file:///etc/fonts/x.ttf') }</style>"
        "</head><body>"
        "<h1>Rapport</h1>"
        '<img src="file:///etc/passwd" alt="lösenord">'
        '<img src="https://example.org/pixel.png" alt="spårning">'
        '<img src="/static/../../../etc/passwd" alt="förbi">'
        "<p style=\"background: url('ftp://example.org/b.png')\">Text</p>"
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        '<image href="http://127.0.0.1:8000/x.png" width="10" height="10"/></svg>'
        '<link rel="attachment" href="file:///etc/shadow">'
        "</body></html>"
    )

    with Recorder() as events:
        data = render_pdf(html, title="Rapport", language="sv")

    assert data.startswith(b"%PDF")
    assert "Rapport" in pdf_text(data)
    fetched = dict(calls)
    assert fetched["file:///etc/passwd"] == "RefusedURLError"
    assert fetched["http://example.org/x.css"] == "RefusedURLError"
    assert fetched["https://example.org/pixel.png"] == "RefusedURLError"
    assert fetched["ftp://example.org/b.png"] == "RefusedURLError"
    assert fetched["file:///etc/hosts"] == "RefusedURLError"
    assert fetched["file:///etc/fonts/x.ttf"] == "RefusedURLError"
    assert fetched["http://127.0.0.1:8000/x.png"] == "RefusedURLError"
    assert fetched["file:///etc/shadow"] == "RefusedURLError"
    assert "served" not in fetched.values()
    opened = [str(args[0]) for event, args in events if event == "open"]
    refused_files = {"/etc/passwd", "/etc/hosts", "/etc/shadow", "/etc/fonts/x.ttf"}
    assert not refused_files & set(opened)
    assert not [event for event, _args in events if event.startswith("socket")]


def test_it_sets_title_language_and_tags_in_the_pdf():
    html = document("<h1>Balans för enheten</h1><p>Åsa, Ärla och Östen läste rapporten.</p>")

    data = render_pdf(html, title="Balansrapport – Socialtjänsten Norr", language="sv")
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]

    assert reader.metadata.title == "Balansrapport – Socialtjänsten Norr"
    assert catalog["/Lang"] == "sv"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()
    text = pdf_text(data)
    assert "Balans för enheten" in text
    assert "Åsa, Ärla och Östen läste rapporten." in text


def test_it_gives_each_chart_its_title_as_alternative_text():
    svg = charts.distribution_bars(
        [("1", 2), ("2", 5)], title="Svar på fråga 3", description="d", id_prefix="q3"
    )
    data = render_pdf(document(f'<figure class="chart">{svg}</figure>'), title="t", language="sv")

    reader = PdfReader(io.BytesIO(data))
    figures = []

    def walk(element):
        element = element.get_object()
        if element.get("/S") == "/Figure":
            figures.append(element)
        kids = element.get("/K")
        if isinstance(kids, list):
            for kid in kids:
                if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                    walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert [figure["/Alt"] for figure in figures] == ["Svar på fråga 3"]


def test_it_prints_the_running_header_and_page_numbers():
    with translation.override("en"):
        html = document('<p>Ett</p><section class="report-section"><h2>Två</h2></section>')
    text = pdf_text(render_pdf(html, title="t", language="en"))

    assert "Page 1 of 2" in text
    assert "Page 2 of 2" in text
    assert "Socialtjänsten Norr" in text


def test_it_embeds_source_sans_when_the_font_package_is_served(report_fonts):
    data = render_pdf(document("<p>Typsnitt</p>"), title="t", language="sv")
    reader = PdfReader(io.BytesIO(data))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }

    assert any("Source-Sans-3" in name for name in fonts), fonts


def test_it_refuses_to_claim_a_variant_weasyprint_does_not_know():
    from weasyprint.pdf import VARIANTS

    assert pdf.PDF_VARIANT in VARIANTS


def test_it_renders_a_six_page_report_with_three_charts_quickly(report_fonts):
    triangle = charts.balance_triangle(
        now=Balance(30, 50, 20),
        desired=Balance(20, 30, 50),
        cells=[DensityCell(20, 40, 5), DensityCell(40, 40, 6), DensityCell(20, 60, 8)],
        labels={"market": "Marknad", "hierarchy": "Hierarki", "trust": "Tillit"},
        title="Styrbalans",
        description="Nu och önskat läge.",
        id_prefix="triangle",
    )
    principles = ["Tillit", "Öppenhet", "Delaktighet", "Helhetssyn", "Kunskap", "Mod", "Stöd"]
    radar = charts.principles_radar(
        [RadarAxis(name, agreed=3.5, median=3, low=2.5, high=4, previous=3) for name in principles],
        title="Principerna",
        description="Per princip.",
        id_prefix="radar",
    )
    profile = charts.control_trust_profile(
        [ProfileRow(f"Dimension {i}", "Kontroll", "Tillit", 2 + i % 3, 5) for i in range(6)],
        title="Profil",
        description="Nu och önskat.",
        id_prefix="profile",
    )
    paragraph = "<p>" + "Tillitsbaserad styrning och ledning i vardagen. " * 40 + "</p>"
    sections = "".join(
        f'<section class="report-section"><h2>Avsnitt {i}</h2>{paragraph}'
        f'<figure class="chart">{chart}</figure></section>'
        for i, chart in enumerate([triangle, radar, profile, "", ""], 1)
    )
    html = document(f'<div class="cover"><h1 class="cover-title">Rapport</h1></div>{sections}')

    started = time.perf_counter()
    data = render_pdf(html, title="Balansrapport", language="sv")
    elapsed = time.perf_counter() - started

    pages = len(PdfReader(io.BytesIO(data)).pages)
    print(f"\nRendered {pages} pages with 3 charts in {elapsed:.2f} s ({len(data)} bytes)")
    assert pages >= 6
    assert elapsed < 10

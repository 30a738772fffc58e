"""The balance report people read: summary first, at most 8 pages for the demo unit, archival
(PDF/A-2u) and tagged (PDF/UA-1), English throughout in English, and a comparison PDF whose
heat map fits its pages.

The demo tests build the real demo as `setup_demo` does (Exempelkommun, its two rounds dated
from a fixed day, and the steering signals) and read back the PDF that WeasyPrint wrote:
pages, text per page, structure, metadata.
"""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from assessments.demo import create_demo_organisation
from assessments.demo_rounds import create_demo_rounds
from assessments.models import AssessmentState, Unit, UnitAssessment
from governance.demo import create_demo_signals
from principles.models import FrameworkVersion
from reports.report_render import cover_logo
from reports.unit_report import build_unit_report, render_unit_report_pdf, report_filename
from tests.factories_reports import body, get_rendered

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.date(2026, 12, 7)
XMP = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


@pytest.fixture(scope="module")
def _demo_for_module(django_db_setup, django_db_blocker):
    """The demo, built once for this module's tests in a transaction rolled back after them.

    Each test still runs in its own savepoint inside it (pytest-django's ``db``), so what one
    test changes the next does not see.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        with override_settings(PASSWORD_HASHERS=hashers):
            call_command("loaddata", "framework", verbosity=0)
            create_demo_organisation(io.StringIO(), show_passwords=False)
            create_demo_rounds(io.StringIO(), today=DEMO_DAY)
            create_demo_signals(io.StringIO())  # as setup_demo does: the plan lists them
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_for_module, db):
    """The demo organisation as `setup_demo` builds it (see the module's fixture)."""


def demo_unit_assessment() -> UnitAssessment:
    return UnitAssessment.objects.select_related("unit", "round").get(
        unit__name="Hemtjänst Norr", state=AssessmentState.COMPLETED
    )


def page_texts(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def squeeze(text: str) -> str:
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


def structure(reader: PdfReader) -> list[tuple[str, object]]:
    """Every structure element of the tagged PDF: (its type, its /Alt)."""
    found = []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            found.append((str(node["/S"]), node.get("/Alt")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_it_fits_the_demo_units_report_in_eight_pages_summary_first(demo):
    assessment = demo_unit_assessment()
    with translation.override("sv"):
        report = build_unit_report(assessment)
        data = render_unit_report_pdf(assessment, language="sv")
    pages = page_texts(data)

    assert report.respondents == 8
    assert len(pages) <= 8, len(pages)
    first = pages[0]
    # Page 1: who, when, how many, the findings and the agreed actions.
    assert "Hemtjänst Norr" in first and report.round_name in first
    assert "8 deltagare" in first
    for finding in report.findings:
        assert " ".join(finding.title.split()) in first, finding.title
    for action in report.actions:
        assert action.title in first and action.responsible in first
    # Page 2: the three charts (as tagged figures, their titles as alternative text).
    with translation.override("sv"):
        titles = [
            translation.gettext("Steering balance: now and desired"),
            translation.gettext("The guiding principles"),
            translation.gettext("Control and trust: now and desired"),
        ]
    alts = [str(alt) for kind, alt in structure(PdfReader(io.BytesIO(data))) if kind == "/Figure"]
    assert alts == titles  # no per-principle bars in the PDF: their figures are in the tables
    # Then every principle with its statements' table, the plan, comparison and method.
    rest = " ".join(pages[2:])
    flat = squeeze(rest)  # hyphenation may break a word at a line's end
    for section in report.principles:
        assert section.name in rest and squeeze(section.definition)[:40] in flat
        for statement in section.statements:
            assert squeeze(statement.text)[:25] in flat, statement.text
    # The headings, not a mention in running text such as «som beskrivs under ”Jämförelse”».
    heading = {
        name: re.search(rf"(?<!”){name}(?!”)", rest).start()
        for name in ("Handlingsplan", "Jämförelse", "Om metoden")
    }
    assert heading["Handlingsplan"] < heading["Jämförelse"] < heading["Om metoden"]
    # The steering signals the demo's group recorded are in the plan, within the eight pages.
    assert "Styrsignaler och svaren från styrkedjan" in rest
    assert squeeze("Veckovis statistikrapport") in flat


def test_it_writes_an_archival_tagged_pdf(demo):
    data = render_unit_report_pdf(demo_unit_assessment(), language="sv")
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]

    # PDF/A-2u and PDF/UA-1 identify themselves in the XMP metadata.
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part="2"', xmp) and re.search(r'pdfaid:conformance="U"', xmp)
    assert 'pdfuaid:part="1"' in xmp
    assert "Balansrapport – Hemtjänst Norr" in xmp  # dc:title
    # The sRGB output intent PDF/A asks for, with its ICC profile embedded.
    (intent,) = catalog["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()["/N"] == 3
    # Tagged, in Swedish, with the title shown instead of the file name.
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "sv"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    kinds = [kind for kind, _alt in structure(reader)]
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure", "/L", "/LI"} <= set(kinds)
    assert all(alt for kind, alt in structure(reader) if kind == "/Figure")
    # Every font embedded (PDF/A), the report's own Source Sans 3 among them.
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                files = ("/FontFile", "/FontFile2", "/FontFile3")
                fonts[str(font["/BaseFont"])] = descriptor is not None and any(
                    key in descriptor.get_object() for key in files
                )
    assert fonts and all(fonts.values()), fonts
    assert any("SourceSans3" in name or "Source-Sans-3" in name for name in fonts), fonts


def test_it_writes_an_english_report_in_english_throughout(demo):
    assessment = demo_unit_assessment()
    version = assessment.round.framework_version
    assert version.name_en == "Trust-based governance and management 2026"  # the fixture's

    pages = page_texts(render_unit_report_pdf(assessment, language="en"))
    text = " ".join(pages)

    assert len(pages) <= 8, len(pages)  # English words are longer; the report is not
    assert "Trust-based governance and management 2026" in text
    assert version.name not in text  # the Swedish name of the version
    for heading in ("Summary of findings", "The results at a glance", "Principle by principle"):
        assert heading in text
    assert report_filename(assessment, language="en").startswith("balance-report-ek-soc-htn-")
    assert report_filename(assessment, language="sv").startswith("balansrapport-ek-soc-htn-")
    assert report_filename(assessment, preview=True, language="en").endswith("-preview.pdf")


def test_it_falls_back_to_the_swedish_version_name_without_an_english_one(demo):
    assessment = demo_unit_assessment()
    FrameworkVersion.objects.filter(pk=assessment.round.framework_version_id).update(name_en="")
    with translation.override("en"):
        report = build_unit_report(assessment)
    assert report.framework_name == "Tillitsbaserad styrning och ledning 2026"


def test_it_puts_the_organisation_and_its_logo_on_the_cover(demo, tmp_path):
    logo = tmp_path / "logga.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">'
        '<rect width="40" height="20" fill="#1d4f91"/></svg>'
    )
    with override_settings(
        ORGANISATION_NAME="Exempelkommun", REPORT_LOGO="logga.svg", MEDIA_ROOT=tmp_path
    ):
        data = render_unit_report_pdf(demo_unit_assessment(), language="sv")
    reader = PdfReader(io.BytesIO(data))

    assert "Exempelkommun" in page_texts(data)[0]
    figures = [str(alt) for kind, alt in structure(reader) if kind == "/Figure"]
    assert figures[0] == "Exempelkommun"  # the logo, named by the organisation


def test_it_takes_the_logo_only_from_the_apps_own_files(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for name in ("../secret.png", "/etc/hostname.png", "missing.png", "logo.gif", ""):
        settings.REPORT_LOGO = name
        assert cover_logo() == "", name
    (tmp_path / "media" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    settings.REPORT_LOGO = "logo.png"
    assert cover_logo().startswith("data:image/png;base64,")


# --- the comparison PDF ------------------------------------------------------------------


def text_positions(page) -> list[tuple[float, str]]:
    """Where on the page each piece of text starts (x in points) and what it says."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            found.append((x, text))

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("language", ["sv", "en"])
def test_it_fits_the_comparison_heat_map_on_its_pages(demo, client, language):
    user = get_user_model().objects.get(username="kvalitet.kommun")
    client.force_login(user)
    assessment = demo_unit_assessment()
    root = Unit.objects.get(code="EK")
    url = reverse("compare_pdf", args=[assessment.round_id, root.pk])

    response = get_rendered(client, url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    data = body(response)
    reader = PdfReader(io.BytesIO(data))
    pages = page_texts(data)

    # The heat map's pages are landscape; every text on them lies inside the page.
    heat_pages = [i for i, text in enumerate(pages) if "Md " in text]
    assert heat_pages and heat_pages[0] == 0
    for i in heat_pages:
        page = reader.pages[i]
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height, f"page {i + 1} is not landscape"
        positions = text_positions(page)
        assert positions and all(0 <= x < width for x, _text in positions), i + 1
    # Every principle heads the map on each of its pages (the header row repeats), and the
    # caption is there in full.
    with translation.override(language):
        principles = [p.name for p in assessment.round.framework_version.principles.all()]
        caption = translation.gettext(
            "Units are in the order of the organisation tree, not ranked."
        )
    for i in heat_pages:
        for name in principles:
            assert name in pages[i], (i + 1, name)
    assert caption in pages[0]
    # Every unit of the round has its row.
    heat_text = " ".join(pages[i] for i in heat_pages)
    units = UnitAssessment.objects.filter(
        round_id=assessment.round_id, state=AssessmentState.COMPLETED
    ).values_list("unit__name", flat=True)
    for name in units:
        assert name in heat_text, name
    # The colour key comes before the map, so it never lands on a page of its own after it,
    # and the steering balance's last row speaks the report's language.
    with translation.override(language):
        key = translation.gettext("Colour key (the numbers always say the same):")
        mean = translation.gettext("Mean of the units")
    assert key in pages[heat_pages[0]]
    assert not [i for i, text in enumerate(pages) if key in text and i not in heat_pages]
    assert mean in " ".join(pages)
    if language == "sv":
        assert "Mean of the units" not in " ".join(pages)

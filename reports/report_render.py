"""The balance report as HTML (web page and PDF document) and as an archival, tagged PDF.

The templates in ``templates/reports/`` only present the ``UnitReport`` that
``report_data.build_unit_report`` built; ``pdf.render_pdf`` turns the HTML into PDF/A-2u with
the tagged structure of PDF/UA-1.
"""

import base64
import html
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessments.models import UnitAssessment

from .report_charts import report_charts, scale_labels
from .report_data import AUDIENCE_UNIT, DEPARTMENT_MIN_OTHERS, UnitReport, build_unit_report

logger = logging.getLogger(__name__)

_SVG_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)


def as_image(svg: str) -> SafeString:
    """A chart for the PDF: the same SVG as an ``<img>`` with a ``data:`` URI.

    WeasyPrint draws an SVG image without running the page's CSS cascade over every line and
    label of it, which makes the whole report noticeably quicker to print. The chart's title
    becomes the image's alternative text (the tagged PDF's /Alt), as with inline SVG.
    """
    match = _SVG_TITLE.search(svg)
    # The title inside the SVG is already escaped; unescape it so format_html escapes once.
    alt = html.unescape(match.group(1)) if match else ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return format_html(
        '<img class="chart-image" alt="{}" src="data:image/svg+xml;base64,{}">', alt, data
    )


def document_title(report: UnitReport) -> str:
    return f"{_('Balance report')} – {report.unit_name} – {report.round_name}"


def render_unit_report_html(
    report: UnitReport,
    *,
    for_pdf: bool,
    request: Any = None,
    extra_context: Mapping[str, Any] | None = None,
) -> str:
    """The report as HTML: the PDF document, or (with ``request``) the web page."""
    drawn = report_charts(report, distributions=not for_pdf, for_print=for_pdf)
    if for_pdf:
        drawn = {
            "balance": as_image(drawn["balance"]),
            "radar": as_image(drawn["radar"]),
            "profile": as_image(drawn["profile"]),
            "distributions": {k: as_image(v) for k, v in drawn["distributions"].items()},
        }
    context = {
        "report": report,
        "charts": drawn,
        "principle_charts": [(p, drawn["distributions"].get(p.key)) for p in report.principles],
        "department_min_others": DEPARTMENT_MIN_OTHERS,
        "for_pdf": for_pdf,
        "scale_labels": scale_labels(),
        "language": report.language,
        "title": document_title(report),
        "unit_name": report.unit_name,
        "organisation_name": settings.ORGANISATION_NAME,
        "cover_logo": cover_logo(),
        **(extra_context or {}),
    }
    template = "reports/unit_report_pdf.html" if for_pdf else "reports/unit_report_page.html"
    return render_to_string(template, context, request=request)


# File names are slugs, like the app's URL paths: fixed per language rather than translated,
# so that a stored file or a script that downloads it keeps its name whatever the catalogue.
_FILE_WORDS = {
    "sv": ("balansrapport", "forhandsvisning"),
    "en": ("balance-report", "preview"),
}


def report_filename(
    assessment: UnitAssessment, *, preview: bool = False, language: str | None = None
) -> str:
    """``balansrapport-<unit code>-<round>.pdf`` in Swedish, ``balance-report-…`` in English,
    slugified (ASCII, no spaces). Without ``language``, Swedish (the site's default), as
    callers that name no language have always had it."""
    code = (language or settings.LANGUAGE_CODE).split("-")[0]
    report, preview_word = _FILE_WORDS.get(code, _FILE_WORDS["sv"])
    parts = [report, assessment.unit.code, assessment.round.name]
    if preview:
        parts.append(preview_word)
    return slugify("-".join(parts)) + ".pdf"


# A logo is read here and handed to the PDF inline: the renderer's fetcher serves only static
# files, and a logo may live under MEDIA_ROOT. Formats a browser and WeasyPrint both draw.
_LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}
_LOGO_TYPES[".jpeg"] = "image/jpeg"
_LOGO_MAX_BYTES = 512 * 1024


def _logo_path(name: str) -> Path | None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith("/") or ".." in parts or "\x00" in name:
        return None  # a plain relative name only, as for the PDF's static files
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    root = Path(settings.MEDIA_ROOT).resolve()
    candidate = (root / name).resolve()
    # Only a file inside MEDIA_ROOT: a setting such as "../../etc/x.png" finds nothing.
    if candidate.is_relative_to(root) and candidate.is_file():
        return candidate
    return None


def cover_logo() -> str:
    """The configured REPORT_LOGO as a ``data:`` URI, or "" (none, missing or unusable)."""
    name = settings.REPORT_LOGO
    if not name:
        return ""
    content_type = _LOGO_TYPES.get(Path(name).suffix.lower())
    path = _logo_path(name) if content_type else None
    if path is None or path.stat().st_size > _LOGO_MAX_BYTES:
        logger.warning("REPORT_LOGO %r is no usable SVG, PNG or JPEG file; left out.", name)
        return ""
    return f"data:{content_type};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def render_unit_report_pdf(
    assessment: UnitAssessment,
    *,
    language: str,
    audience: str = AUDIENCE_UNIT,
    base_url: str | None = None,
) -> bytes:
    """The balance report in ``language`` ("sv" or "en") as PDF/A-2u, tagged for PDF/UA-1."""
    with translation.override(language):
        report = build_unit_report(assessment, audience=audience)
        html = render_unit_report_html(report, for_pdf=True)
        # WeasyPrint takes a second to import: only the PDF pays for it, not every command
        # and web worker that loads the URLs.
        from .pdf import render_pdf

        return render_pdf(html, base_url=base_url, title=document_title(report), language=language)


def render_parts_for_benchmark(
    assessment: UnitAssessment, *, language: str, audience: str = AUDIENCE_UNIT
) -> tuple[str, str]:
    """The PDF's HTML and title, without WeasyPrint: lets a benchmark time the app's part."""
    with translation.override(language):
        report = build_unit_report(assessment, audience=audience)
        return render_unit_report_html(report, for_pdf=True), document_title(report)

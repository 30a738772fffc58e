"""The unit's balance report: the web page and the PDF, and the manager's preview.

Who gets what (every lookup through ``scoping``; anything else is a 404):

* the unit's manager (and administrators, who manage everything): the completed report with
  everything in it (audience "unit");
* a quality developer of an ancestor unit: the completed report, with the dialogue notes only
  where the unit shared them (audience "overseer");
* during the dialogue, the manager alone gets a preview, marked as such on every page. A
  manager who opens the final report before completion is sent to the preview, and one who
  opens the preview after completion to the final report.

``?lang=sv`` or ``?lang=en`` picks the report's language; the current language otherwise.
The views stay thin: ``reports.unit_report`` assembles and renders the web page. The PDF is
never rendered in a request: it is rendered in the background and stored (``reports.stored``),
and the PDF view serves the stored file, or sends the person to a page that follows the
rendering and offers the file stored before, if there is one.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from reports import stored
from reports.models import ReportState, StoredReport
from reports.unit_report import (
    AUDIENCE_OVERSEER,
    AUDIENCE_UNIT,
    build_unit_report,
    render_unit_report_html,
    report_filename,
)

from .. import scoping
from ..models import AssessmentState, UnitAssessment

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# Each language named in itself, for the links that switch the report's language.
LANGUAGE_LINKS = {"sv": "På svenska", "en": "In English"}


def language_of(request: HttpRequest) -> str:
    """The language a PDF is asked in: ``?lang=``, else the current one."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGE_CODES:
        return asked
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return current if current in LANGUAGE_CODES else settings.LANGUAGE_CODE


def _select(queryset):
    return queryset.select_related("unit", "round")


def _final(request: HttpRequest, pk: int) -> tuple[UnitAssessment | None, str]:
    """The assessment and audience for the final report; (assessment, "") means "go to the
    preview" (the manager's own assessment, still in dialogue)."""
    managed = _select(scoping.managed_assessments(request.user)).filter(pk=pk).first()
    if managed is not None:
        if managed.state == AssessmentState.COMPLETED:
            return managed, AUDIENCE_UNIT
        if managed.state == AssessmentState.DIALOGUE:
            return managed, ""
        raise Http404  # no report before the dialogue
    overseen = scoping.get_or_404(_select(scoping.overseen_assessments(request.user)), pk=pk)
    return overseen, AUDIENCE_OVERSEER


def _preview(request: HttpRequest, pk: int) -> UnitAssessment:
    assessment = scoping.get_or_404(_select(scoping.managed_assessments(request.user)), pk=pk)
    if assessment.state not in (AssessmentState.DIALOGUE, AssessmentState.COMPLETED):
        raise Http404  # nothing agreed yet: nothing to preview
    return assessment


def _page(
    request: HttpRequest, assessment: UnitAssessment, audience: str, *, preview: bool
) -> HttpResponse:
    language = language_of(request)
    pdf_name = "unit_report_preview_pdf" if preview else "unit_report_pdf"
    page_name = "unit_report_preview" if preview else "unit_report"
    with translation.override(language):
        report = build_unit_report(assessment, audience=audience)
        html = render_unit_report_html(
            report,
            for_pdf=False,
            request=request,
            extra_context={
                "pdf_url": f"{reverse(pdf_name, args=[assessment.pk])}?lang={language}",
                "language_urls": [
                    (
                        code,
                        LANGUAGE_LINKS.get(code, code),
                        f"{reverse(page_name, args=[assessment.pk])}?lang={code}",
                    )
                    for code in LANGUAGE_CODES
                    if code != language
                ],
                "back_url": (
                    reverse("manager_assessment", args=[assessment.pk])
                    if audience == AUDIENCE_UNIT
                    else ""
                ),
            },
        )
    return HttpResponse(html)


def _stored(request: HttpRequest, assessment: UnitAssessment, audience: str) -> StoredReport:
    return stored.wanted(assessment, language=language_of(request), audience=audience)


def _pdf(
    request: HttpRequest, assessment: UnitAssessment, audience: str, *, preview: bool
) -> HttpResponse:
    """The stored PDF if it is up to date, else the page that follows its rendering.

    ``?previous=1`` gives the file stored before, while a new one is being made.
    """
    row = _stored(request, assessment, audience)
    if row.is_current or (request.GET.get("previous") and row.has_file):
        name = report_filename(assessment, preview=row.preview, language=row.language)
        return stored.file_response(row, name)
    return _with_lang(request, _status_name(preview), assessment.pk)


def _status_name(preview: bool) -> str:
    return "unit_report_preview_pdf_status" if preview else "unit_report_pdf_status"


def _pdf_name(preview: bool) -> str:
    return "unit_report_preview_pdf" if preview else "unit_report_pdf"


def _status(
    request: HttpRequest, assessment: UnitAssessment, audience: str, *, preview: bool
) -> HttpResponse:
    """A small page (or, for its script, JSON) saying how far the PDF has come."""
    if request.method == "POST":  # "try again" after a failure
        row = _stored(request, assessment, audience)
        if row.state == ReportState.FAILED:
            stored.queue_again(row)
        return _with_lang(request, _status_name(preview), assessment.pk)
    row = _stored(request, assessment, audience)
    language = language_of(request)
    pdf_url = f"{reverse(_pdf_name(preview), args=[assessment.pk])}?lang={language}"
    facts = stored.status_facts(row, pdf_url)
    if request.GET.get("format") == "json":
        return JsonResponse(facts)
    return render(
        request,
        "reports/stored/status.html",
        {
            "heading": (
                _("Preview of the balance report as PDF") if preview else _("Balance report as PDF")
            ),
            "subject": f"{assessment.unit.name} – {assessment.round.name}",
            "row": row,
            "facts": facts,
            "previous_is_preview": row.preview,
            "pdf_url": pdf_url,
            "status_url": f"{reverse(_status_name(preview), args=[assessment.pk])}?lang={language}",
            "back_url": reverse(
                "unit_report_preview" if preview else "unit_report", args=[assessment.pk]
            )
            + f"?lang={language}",
            "back_label": _("Back to the report"),
        },
    )


def _with_lang(request: HttpRequest, name: str, pk: int):
    url = reverse(name, args=[pk])
    lang = request.GET.get("lang", "")
    return redirect(f"{url}?lang={lang}" if lang in LANGUAGE_CODES else url)


@never_cache
@login_required
@require_GET
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, audience = _final(request, pk)
    if not audience:
        return _with_lang(request, "unit_report_preview", pk)
    return _page(request, assessment, audience, preview=False)


@never_cache
@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, audience = _final(request, pk)
    if not audience:
        return _with_lang(request, "unit_report_preview_pdf", pk)
    return _pdf(request, assessment, audience, preview=False)


@never_cache
@login_required
@require_GET
def preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _preview(request, pk)
    if assessment.state == AssessmentState.COMPLETED:
        return _with_lang(request, "unit_report", pk)
    return _page(request, assessment, AUDIENCE_UNIT, preview=True)


@never_cache
@login_required
@require_GET
def preview_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _preview(request, pk)
    if assessment.state == AssessmentState.COMPLETED:
        return _with_lang(request, "unit_report_pdf", pk)
    return _pdf(request, assessment, AUDIENCE_UNIT, preview=True)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_pdf_status(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, audience = _final(request, pk)
    if not audience:
        return _with_lang(request, "unit_report_preview_pdf_status", pk)
    return _status(request, assessment, audience, preview=False)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preview_pdf_status(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _preview(request, pk)
    if assessment.state == AssessmentState.COMPLETED:
        return _with_lang(request, "unit_report_pdf_status", pk)
    return _status(request, assessment, AUDIENCE_UNIT, preview=True)


urlpatterns = [
    path("skattning/<int:pk>/rapport/", report_page, name="unit_report"),
    path("skattning/<int:pk>/rapport/pdf/", report_pdf, name="unit_report_pdf"),
    path(
        "skattning/<int:pk>/rapport/pdf/status/", report_pdf_status, name="unit_report_pdf_status"
    ),
    path(
        "skattning/<int:pk>/rapport/forhandsvisning/",
        preview_page,
        name="unit_report_preview",
    ),
    path(
        "skattning/<int:pk>/rapport/forhandsvisning/pdf/",
        preview_pdf,
        name="unit_report_preview_pdf",
    ),
    path(
        "skattning/<int:pk>/rapport/forhandsvisning/pdf/status/",
        preview_pdf_status,
        name="unit_report_preview_pdf_status",
    ),
]

"""Unit reports rendered in the background and served as stored files, never in a request.

* :func:`changed` is called by every service that changes what a report shows (completion, a
  reopening, an agreement, an action), inside its transaction. It counts the stored reports
  of the assessment a version up; a completed assessment's reports are queued for rendering
  once the change is committed (its manager's and its quality developers' report, in the
  default language, are made then even if no one has asked yet). Before completion a report
  is a preview, rendered only when someone asks for it.
* :func:`others_changed` is called by completion and reopening as well: the completed reports
  that show figures of this assessment (the department median of the units around it, the
  same unit's later rounds) are counted a version up and queued too.
* :func:`wanted` is what a download asks: the stored report, queued if it is missing, out of
  date and not yet queued, or has waited longer than ``STALE_AFTER`` (a worker that died).
* :func:`render` is the task's work: it reads the version, then the data, renders, and stores
  the file only if no newer render has been stored meanwhile. A failure is recorded and
  logged, and the file stored before stays and is still offered.

Files go through Django's storage API only (``STORAGES["default"]``: a local folder by
default, any django-storages backend in production), so every web node and worker shares
them. They are private: served by the scoped views, never at a public URL.
"""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Length, Substr
from django.http import FileResponse
from django.utils import timezone, translation

from assessments.models import AssessmentState, Unit, UnitAssessment, UnitKind

from .models import ReportState, StoredComparison, StoredFile, StoredReport

logger = logging.getLogger(__name__)

AUDIENCE_UNIT = "unit"
AUDIENCE_OVERSEER = "overseer"
# A report queued or being rendered for longer than this is queued again when someone asks
# for it: its worker (or the web process of the embedded default) has stopped meanwhile.
STALE_AFTER = datetime.timedelta(minutes=10)
FOLDER = "reports"


def render_pdf(assessment: UnitAssessment, *, language: str, audience: str) -> bytes:
    """The renderer boundary: the unit report as PDF bytes (WeasyPrint), imported on use."""
    from .unit_report import render_unit_report_pdf

    return render_unit_report_pdf(assessment, language=language, audience=audience)


def report_html(assessment: UnitAssessment, *, language: str, audience: str) -> str:
    """The PDF's HTML, for the fingerprint: cheap next to WeasyPrint (a few hundredths of a s)."""
    from .unit_report import build_unit_report, render_unit_report_html

    with translation.override(language):
        report = build_unit_report(assessment, audience=audience)
        return render_unit_report_html(report, for_pdf=True)


def default_language() -> str:
    return settings.LANGUAGE_CODE.split("-")[0]


# --- what changes ask --------------------------------------------------------------------------


def changed(assessment: UnitAssessment) -> None:
    """What ``assessment``'s report shows has changed: call inside the changing transaction."""
    now = timezone.now()
    rows = StoredReport.objects.filter(assessment_id=assessment.pk)
    completed = assessment.state == AssessmentState.COMPLETED
    if completed:
        # The two reports people open after completion, ready before anyone asks.
        StoredReport.objects.bulk_create(
            [
                StoredReport(assessment_id=assessment.pk, language=default_language(), audience=a)
                for a in (AUDIENCE_UNIT, AUDIENCE_OVERSEER)
            ],
            ignore_conflicts=True,
        )
    rows.update(
        version=F("version") + 1,
        state=ReportState.PENDING,
        queued_at=now if completed else None,
        started_at=None,
    )
    if completed:
        ids = list(rows.values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue(ids))


def dependent_assessments(assessment: UnitAssessment) -> QuerySet[UnitAssessment]:
    """The other completed assessments whose report shows figures of ``assessment``.

    What ``report_data`` reads of other assessments:

    * the department median: the completed units of the same round under the unit's nearest
      department (the nearest ancestor of kind "department"). ``assessment`` counts in X's
      median when X's nearest department is one of the departments on ``assessment``'s own
      path (itself included): X lies under the highest of them and no department above X lies
      off that path. Units of another department, and units with no department, never show it.
    * the previous round and the earlier rounds' steering signals: the same unit's completed
      assessments in rounds that opened on the same day or later.

    Two queries (the unit's path and round's date, the departments on the path); the rest is
    a subquery.
    """
    path, opens_on = UnitAssessment.objects.values_list("unit__path", "round__opens_on").get(
        pk=assessment.pk
    )
    step = Unit.steplen
    on_path = list(
        Unit.objects.filter(
            path__in=[path[:end] for end in range(step, len(path) + 1, step)],
            kind=UnitKind.DEPARTMENT,
        )
        .order_by("depth")
        .values_list("path", "depth")
    )
    shows = Q(unit_id=assessment.unit_id, round__opens_on__gte=opens_on)
    if on_path:
        highest, depth = on_path[0]
        # A department above X (its path a prefix of X's) that is not on the path.
        off_path = Unit.objects.filter(
            kind=UnitKind.DEPARTMENT,
            depth__lt=OuterRef("unit__depth"),
            path=Substr(OuterRef("unit__path"), 1, Length("path")),
        ).exclude(path__in=[department for department, _depth in on_path])
        shows |= Q(
            round_id=assessment.round_id,
            unit__path__startswith=highest,
            unit__depth__gt=depth,
        ) & ~Exists(off_path)
    return (
        UnitAssessment.objects.filter(state=AssessmentState.COMPLETED)
        .filter(shows)
        .exclude(pk=assessment.pk)
    )


def others_changed(assessment: UnitAssessment) -> None:
    """``assessment`` was completed or reopened: what other completed reports show of it has
    changed. Call inside the changing transaction; the reports stored for them are counted a
    version up and queued (a render whose HTML comes out the same keeps its file)."""
    rows = StoredReport.objects.filter(assessment__in=dependent_assessments(assessment))
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return
    StoredReport.objects.filter(pk__in=ids).update(
        version=F("version") + 1,
        state=ReportState.PENDING,
        queued_at=timezone.now(),
        started_at=None,
    )
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    enqueue(StoredReport, ids)


def enqueue(model: type[StoredFile], ids: list[int]) -> None:
    """Hand the rows to the background worker (call once the rows are committed)."""
    from .tasks import render_stored_comparison, render_stored_report

    task = render_stored_comparison if model is StoredComparison else render_stored_report
    for pk in ids:
        task.enqueue(pk)


# --- what downloads ask ------------------------------------------------------------------------


def wanted(
    assessment: UnitAssessment, *, language: str, audience: str, queue: bool = True
) -> StoredReport:
    """The stored report for this language and audience, queued for rendering if it needs it.

    A failed render is not queued again here (the status page offers to try again), so a
    report that cannot be made is not attempted on every visit. ``queue=False`` for a worker
    that renders it itself.
    """
    row = StoredReport.objects.filter(
        assessment_id=assessment.pk, language=language, audience=audience
    ).first()
    if row is None:
        try:
            with transaction.atomic():
                row = StoredReport.objects.create(
                    assessment_id=assessment.pk,
                    language=language,
                    audience=audience,
                    queued_at=timezone.now(),
                )
        except IntegrityError:  # someone else asked at the same moment: theirs is queued
            return StoredReport.objects.get(
                assessment_id=assessment.pk, language=language, audience=audience
            )
        if queue:
            transaction.on_commit(lambda: _enqueue([row.pk]))
        return row
    if queue and needs_queueing(row):
        queue_again(row)
    return row


def needs_queueing(row: StoredFile) -> bool:
    """Waiting or being made for longer than ``STALE_AFTER``, or never queued."""
    stale = timezone.now() - STALE_AFTER
    if row.state == ReportState.PENDING:
        return row.queued_at is None or row.queued_at < stale
    if row.state == ReportState.RENDERING:
        return row.started_at is None or row.started_at < stale
    return False


def queue_again(row: StoredFile) -> None:
    """Queue a render of ``row`` (after a failure, or when its queue entry was lost)."""
    now = timezone.now()
    model = type(row)
    # Only one of several simultaneous askers queues it: the row must be as it was read.
    claimed = model.objects.filter(
        pk=row.pk, state=row.state, queued_at=row.queued_at, version=row.version
    ).update(state=ReportState.PENDING, queued_at=now, started_at=None)
    if claimed:
        row.state, row.queued_at, row.started_at = ReportState.PENDING, now, None
        transaction.on_commit(lambda: enqueue(model, [row.pk]))


def queue_position(row: StoredFile) -> int:
    """How many PDFs (reports and comparisons: one queue) were queued before this one and are
    still waiting or being made."""
    if row.state not in (ReportState.PENDING, ReportState.RENDERING) or row.queued_at is None:
        return 0
    waiting = Q(state=ReportState.RENDERING) | Q(state=ReportState.PENDING, queued_at__isnull=False)
    earlier = Q(queued_at__lt=row.queued_at)
    return (
        StoredReport.objects.filter(waiting, earlier).count()
        + StoredComparison.objects.filter(waiting, earlier).count()
    )


def status_facts(row: StoredFile, pdf_url: str) -> dict:
    """What the status page and its script (JSON) say of a stored PDF; ``pdf_url`` asks for it."""
    joiner = "&" if "?" in pdf_url else "?"
    return {
        "state": row.state,
        "label": str(row.get_state_display()),
        "ready": row.is_current,
        "failed": row.state == ReportState.FAILED,
        "ahead": queue_position(row),
        "download_url": pdf_url if row.is_current else "",
        "previous_url": (
            f"{pdf_url}{joiner}previous=1" if row.has_file and not row.is_current else ""
        ),
    }


def file_response(row: StoredFile, filename: str) -> FileResponse:
    """The stored PDF as a download, streamed from the storage (local or remote)."""
    handle = default_storage.open(row.file.name, "rb")
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def read(row: StoredFile) -> bytes:
    with default_storage.open(row.file.name, "rb") as handle:
        return handle.read()


# --- the task's work ---------------------------------------------------------------------------


class RenderFailed(Exception):
    """The report could not be rendered; ``kind`` names the kind of problem (for pages)."""

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind or type(self).__name__


def describe(error: BaseException) -> str:
    # Type and message for the administrator (admin, log); the page says less.
    return f"{type(error).__name__}: {error}"[:1000]


def start_render(row: StoredFile, version: int) -> None:
    """Mark ``row`` as rendering ``version`` (a newer ask meanwhile leaves it as it is)."""
    type(row).objects.filter(pk=row.pk, version=version).update(
        state=ReportState.RENDERING, started_at=timezone.now()
    )


def checked_pdf(pdf: object) -> bytes:
    """The renderer's output, if it is a PDF."""
    if not isinstance(pdf, bytes | bytearray) or not bytes(pdf).startswith(b"%PDF"):
        raise RenderFailed("the renderer returned no PDF")
    return bytes(pdf)


def fail_render(row: StoredFile, version: int, error: BaseException) -> StoredFile:
    """Record that rendering ``version`` failed; the stored file stays as it was."""
    type(row).objects.filter(pk=row.pk, version=version).update(
        state=ReportState.FAILED, error=describe(error)
    )
    row.refresh_from_db()
    return row


def store_render(
    row: StoredFile, version: int, name: str, *, new_file: bool, **fields
) -> StoredFile:
    """Store ``name`` as the file of ``version`` unless a newer render was stored meanwhile,
    and delete whichever file is no longer offered. ``new_file``: ``name`` was saved by this
    render (not the file kept because nothing shown had changed). ``fields``: the model's own
    columns to set with it."""
    with transaction.atomic():
        kept = (
            type(row)
            .objects.filter(pk=row.pk, rendered_version__lt=version)
            .update(
                file=name,
                rendered_version=version,
                rendered_at=timezone.now(),
                error="",
                state=Case(
                    When(version=version, then=Value(ReportState.READY)), default=F("state")
                ),
                **fields,
            )
        )
    old_name = row.file.name
    if not kept:
        if new_file:
            default_storage.delete(name)  # a newer render was stored meanwhile
    elif old_name and old_name != name:
        default_storage.delete(old_name)  # replaced: the old file is no longer offered
    row.refresh_from_db()
    return row


def render(report_id: int) -> StoredReport | None:
    """Render one stored report if it is out of date, and store it unless a newer one is."""
    row = (
        StoredReport.objects.select_related("assessment__unit", "assessment__round")
        .filter(pk=report_id)
        .first()
    )
    if row is None or row.state == ReportState.READY:
        return row  # gone with its assessment, or already made by an earlier task
    # The version is read before the data (same statement as the assessment): whatever the
    # render reads is at least that new, and any later change asks for a render of its own.
    version = row.version
    start_render(row, version)
    assessment = row.assessment
    preview = assessment.state != AssessmentState.COMPLETED
    try:
        html = report_html(assessment, language=row.language, audience=row.audience)
        fingerprint = hashlib.sha256(f"{row.language}|{row.audience}|{html}".encode()).hexdigest()
        unchanged = (
            fingerprint == row.fingerprint
            and row.has_file
            and default_storage.exists(row.file.name)
        )
        if unchanged:
            name = row.file.name  # nothing it shows has changed: keep the file
        else:
            pdf = checked_pdf(render_pdf(assessment, language=row.language, audience=row.audience))
            name = default_storage.save(_name_for(row), ContentFile(pdf))
    except Exception as error:
        logger.exception(
            "The %s report (%s) of assessment %s failed", row.audience, row.language, row.pk
        )
        return fail_render(row, version, error)
    return store_render(
        row, version, name, new_file=not unchanged, preview=preview, fingerprint=fingerprint
    )


def _name_for(row: StoredReport) -> str:
    # A random part: a stored name cannot be guessed, and a new render never collides with
    # the file that is still being served.
    token = secrets.token_urlsafe(9)
    return f"{FOLDER}/{row.assessment_id}/{row.language}-{row.audience}-{token}.pdf"


def current_pdf(assessment: UnitAssessment, *, language: str, audience: str) -> bytes:
    """The stored report's bytes, rendered first if missing or out of date (workers only).

    Raises :class:`RenderFailed` if it cannot be made; the batch lists it and goes on.
    """
    row = wanted(assessment, language=language, audience=audience, queue=False)
    if row.state != ReportState.READY:
        row = render(row.pk)
    if row is None or row.state != ReportState.READY:
        error = row.error if row is not None else "the assessment is gone"
        raise RenderFailed(error, kind=error.split(":", 1)[0])
    return read(row)

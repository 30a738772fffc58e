"""Comparison PDFs rendered in the background and served as stored files, never in a request.

What a comparison PDF shows depends on the round, the part of the tree, the language, what the
viewer may see, and on figures that change whenever a unit below completes, reopens or
answers a steering signal. So the stored file is keyed by its content:

* :func:`wanted` is what a download asks. The request builds the PDF's HTML as the viewer may
  see it, from stored figures (no WeasyPrint: a few hundredths of a second), and its
  fingerprint. The stored file is served only if it was made from exactly that HTML; else the
  HTML is handed to the row (a version up) and queued, unless it waits already.
* :func:`render` is the task's work: WeasyPrint on the HTML the row holds, stored unless a
  newer render was stored meanwhile. The worker needs no user: it renders exactly what the
  person who asked may see. A failure is recorded and logged; the file stored before stays,
  and is still offered to viewers of the same audience.

One row, so one file, per round, part of the tree, language and audience: a new file replaces
the one before, which is deleted then, so old files do not pile up. Files go through Django's
storage API only, like the unit reports (``reports.stored``).
"""

import hashlib
import logging
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Case, F, TextField, Value, When
from django.utils import timezone

from assessments import scoping
from assessments.models import Round, Unit

from . import stored
from .models import ReportState, StoredComparison

logger = logging.getLogger(__name__)

AUDIENCE_SIGNALS = "signals"
AUDIENCE_PLAIN = "plain"
FOLDER = f"{stored.FOLDER}/comparisons"


def audience_for(user) -> str:
    """What of a comparison the viewer may see, as far as it differs between viewers.

    A role covers its whole subtree, so everyone who may open a part of the tree sees all of
    its completed units; what differs is whether the steering signals' totals are shown. The
    fingerprint guards the rest: a file is served only to a viewer whose HTML it was made of.
    """
    return AUDIENCE_SIGNALS if scoping.can_see_signals(user) else AUDIENCE_PLAIN


def fingerprint(html: str, *, title: str, language: str, audience: str) -> str:
    return hashlib.sha256(f"{language}|{audience}|{title}|{html}".encode()).hexdigest()


def render_pdf(html: str, *, title: str, language: str) -> bytes:
    """The renderer boundary: WeasyPrint, imported on use (a worker's, never a request's)."""
    from .pdf import render_pdf as weasyprint

    return weasyprint(html, title=title, language=language)


def find(round_: Round, node: Unit, *, language: str, audience: str) -> StoredComparison | None:
    return StoredComparison.objects.filter(
        round=round_, node=node, language=language, audience=audience
    ).first()


def wanted(
    round_: Round, node: Unit, *, language: str, audience: str, html: str, title: str
) -> tuple[StoredComparison, bool]:
    """The stored comparison for this HTML, and whether its file is exactly that HTML.

    ``round_`` and ``node`` come from the scoped lookup, ``html`` from what the viewer may see.
    If the file is not that HTML, the HTML is queued for rendering (once: a failed render is
    not queued again here; the status page offers to try again).
    """
    mark = fingerprint(html, title=title, language=language, audience=audience)
    row = find(round_, node, language=language, audience=audience)
    if row is None:
        try:
            with transaction.atomic():
                row = StoredComparison.objects.create(
                    round=round_,
                    node=node,
                    language=language,
                    audience=audience,
                    wanted=mark,
                    source=html,
                    title=title,
                    queued_at=timezone.now(),
                )
        except IntegrityError:  # someone else asked at the same moment: go on with theirs
            row = StoredComparison.objects.get(
                round=round_, node=node, language=language, audience=audience
            )
        else:
            created = row.pk
            transaction.on_commit(lambda: stored.enqueue(StoredComparison, [created]))
            return row, False
    if row.has_file and row.fingerprint == mark:
        return row, True
    if row.wanted == mark:
        if row.state != ReportState.FAILED and stored.needs_queueing(row):
            stored.queue_again(row)  # its worker stopped meanwhile
        return row, False
    # Something it shows has changed: this HTML is the comparison now. Only one of several
    # simultaneous askers hands it over: the row must be as it was read.
    claimed = StoredComparison.objects.filter(pk=row.pk, version=row.version).update(
        version=F("version") + 1,
        wanted=mark,
        source=html,
        title=title,
        state=ReportState.PENDING,
        queued_at=timezone.now(),
        started_at=None,
        error="",
    )
    if claimed:
        pk = row.pk
        transaction.on_commit(lambda: stored.enqueue(StoredComparison, [pk]))
    row.refresh_from_db()
    return row, False


def render(comparison_id: int) -> StoredComparison | None:
    """Render one stored comparison if it is out of date, and store it unless a newer one is."""
    row = StoredComparison.objects.filter(pk=comparison_id).first()
    if row is None or row.state == ReportState.READY:
        return row  # gone with its round or part of the tree, or made by an earlier task
    # The version, the HTML and its fingerprint come from one read of the row: they belong
    # together, and a later ask raises the version.
    version, html, mark = row.version, row.source, row.wanted
    stored.start_render(row, version)
    try:
        if not html:
            raise stored.RenderFailed("there is no HTML to render")
        pdf = stored.checked_pdf(render_pdf(html, title=row.title, language=row.language))
        name = default_storage.save(_name_for(row), ContentFile(pdf))
    except Exception as error:
        logger.exception(
            "The comparison of unit %s in round %s (%s, %s) failed",
            row.node_id,
            row.round_id,
            row.language,
            row.audience,
        )
        return stored.fail_render(row, version, error)
    return stored.store_render(
        row,
        version,
        name,
        new_file=True,
        fingerprint=mark,
        # The HTML is not needed once it is the stored file (a newer one may wait).
        source=Case(
            When(version=version, then=Value("")), default=F("source"), output_field=TextField()
        ),
    )


def _name_for(row: StoredComparison) -> str:
    # A random part: a stored name cannot be guessed, and a new render never collides with
    # the file that is still being served.
    token = secrets.token_urlsafe(9)
    return f"{FOLDER}/{row.round_id}/{row.node_id}/{row.language}-{row.audience}-{token}.pdf"

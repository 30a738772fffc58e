"""Building a batch of unit reports in the background (django-tasks).

``build_batch`` is the task; ``run`` does the work and is a plain function. Each unit's PDF
is its stored report (``reports.stored``): taken as it is when it is up to date, rendered and
stored first when it is missing or out of date. A unit whose report fails is recorded as a
failure and the others go on. The ZIP is assembled in scratch space and saved to the storage
only at the end, so a half-written ZIP is never presented as done.
"""

import logging
import re
import zipfile

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task

from assessments import scoping
from assessments.models import UnitAssessment

from . import storage
from .models import Batch, BatchFailure, BatchStatus

logger = logging.getLogger(__name__)


def unit_pdf(assessment: UnitAssessment, *, language: str) -> bytes:
    """The unit's stored balance report as quality developers see it, rendered first if it is
    missing or out of date (this runs in the worker, never in a request)."""
    from reports import stored

    return stored.current_pdf(assessment, language=language, audience=stored.AUDIENCE_OVERSEER)


def assessments_for(batch: Batch) -> QuerySet[UnitAssessment]:
    """The completed assessments the batch covers, as its creator may see them now."""
    return (
        scoping.overseen_assessments(batch.created_by)
        .filter(round=batch.round_id, unit__path__startswith=batch.node.path)
        .select_related("unit", "round__framework_version")
        .order_by("unit__path")
    )


def entry_name(assessment: UnitAssessment, language: str = "sv") -> str:
    unit = assessment.unit
    code = re.sub(r"[^\w-]+", "-", unit.code).strip("-") or str(unit.pk)
    name = slugify(unit.name, allow_unicode=True)[:60] or ("unit" if language == "en" else "enhet")
    return f"{code}-{name}.pdf"


class NothingToShow(Exception):
    """Every unit's report failed, or there was no unit: no ZIP to offer."""


def _failure_note(failures: list[BatchFailure]) -> str:
    lines = [_("These units' reports could not be made and are not in this file:"), ""]
    lines += [f"{f.unit_code} {f.unit_name}: {f.message}" for f in failures]
    return "\n".join(lines) + "\n"


def run(batch_id: int) -> None:
    """Build the batch's ZIP, counting progress unit by unit."""
    batch = Batch.objects.select_related("node", "created_by").get(pk=batch_id)
    # Claim the batch: a second worker picking up the same task does nothing.
    claimed = Batch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    temporary = None
    try:
        with translation.override(batch.language):
            assessments = list(assessments_for(batch))
            Batch.objects.filter(pk=batch_id).update(total=len(assessments), done=0)
            temporary = storage.temporary_file()
            failures: list[BatchFailure] = []
            with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for assessment in assessments:
                    try:
                        pdf = unit_pdf(assessment, language=batch.language)
                        if not isinstance(pdf, bytes | bytearray) or not pdf:
                            raise ValueError("the report came back empty")
                    except Exception as error:
                        logger.exception("Batch %s: the report of %s failed", batch_id, assessment)
                        failures.append(
                            BatchFailure.objects.create(
                                batch_id=batch_id,
                                assessment=assessment,
                                unit_code=assessment.unit.code,
                                unit_name=assessment.unit.name,
                                message=_describe(error),
                            )
                        )
                    else:
                        archive.writestr(entry_name(assessment, batch.language), bytes(pdf))
                    Batch.objects.filter(pk=batch_id).update(done=F("done") + 1)
                if failures:
                    archive.writestr(_("not-included.txt"), _failure_note(failures))
            if len(failures) == len(assessments):
                raise NothingToShow(
                    _("No unit report could be made.")
                    if assessments
                    else _("No unit in this part of the organisation has completed the round.")
                )
            name = storage.put_in_place(temporary, storage.final_name(batch_id))
            temporary.close()
            temporary = None
            try:
                with transaction.atomic():
                    Batch.objects.filter(pk=batch_id).update(
                        status=BatchStatus.DONE, file=name, finished_at=timezone.now()
                    )
            except Exception:
                storage.remove(name)  # not offered, so not kept
                raise
    except BaseException as error:
        if temporary is not None:
            temporary.close()
        Batch.objects.filter(pk=batch_id).update(
            status=BatchStatus.FAILED, error=_describe(error), finished_at=timezone.now()
        )
        if not isinstance(error, Exception):
            raise  # KeyboardInterrupt and the like: stop the worker after recording it
        if not isinstance(error, NothingToShow):
            logger.exception("Batch %s failed", batch_id)


def _describe(error: BaseException) -> str:
    if isinstance(error, NothingToShow):
        return str(error)
    if isinstance(error, ImportError):
        return _("The unit report is not available in this installation.")
    # The details go to the log; the page says which unit and what kind of problem.
    kind = getattr(error, "kind", "") or type(error).__name__
    return _("The report could not be made (%(kind)s).") % {"kind": kind}


@task()
def build_batch(batch_id: int) -> None:
    run(batch_id)

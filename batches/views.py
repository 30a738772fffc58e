"""Batches of unit reports: ask for one, watch its progress, download the ZIP.

A batch is the person's own: only its creator (and administrators) reach it, and only while
they still oversee its part of the tree. Anything else is a 404; the list, which names no
object, is a 403 for people who oversee nothing.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from assessments import scoping
from reports import comparison
from tillit.downloads import file_name

from . import storage
from .models import Batch, BatchStatus
from .tasks import build_batch

# The ZIP is named in the batch's language, like the reports in it.
ZIP_WORDS = {"sv": "rapporter", "en": "reports"}


def batches_for(user) -> QuerySet[Batch]:
    """The batches the user may follow and download."""
    batches = Batch.objects.filter(node__in=scoping.overseen_units(user))
    if not scoping.is_administrator(user):
        batches = batches.filter(created_by=user)
    return batches.select_related("round", "node")


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    if not scoping.can_plan_rounds(request.user):
        raise PermissionDenied
    batches = batches_for(request.user).filter(created_by=request.user)[:50]
    return render(request, "batches/list.html", {"batches": batches})


@login_required
@require_POST
def batch_create(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    round_, node = comparison.get_round_and_node(request.user, round_pk, unit_pk)
    batch = Batch.objects.create(
        round=round_,
        node=node,
        created_by=request.user,
        language=(get_language() or "sv").split("-")[0],
        base_url=request.build_absolute_uri("/"),
    )
    # Saved (autocommit) before it is queued, so a worker always finds it. The batch is built
    # by the worker (or, on the embedded default, a background thread), never in this request.
    result = build_batch.enqueue(batch.pk)
    Batch.objects.filter(pk=batch.pk).update(task_id=str(result.id)[:64])
    return redirect("batch_detail", pk=batch.pk)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = scoping.get_or_404(batches_for(request.user), pk=pk)
    return render(
        request,
        "batches/detail.html",
        {"batch": batch, "failures": list(batch.failures.all()), "status": _status(batch)},
    )


def _status(batch: Batch) -> dict:
    return {
        "status": batch.status,
        "label": str(batch.get_status_display()),
        "done": batch.done,
        "total": batch.total,
        "percent": batch.percent,
        "finished": batch.is_finished,
        "failures": [
            {"unit": f.unit_name, "code": f.unit_code, "message": f.message}
            for f in batch.failures.all()
        ],
        "error": batch.error if batch.status == BatchStatus.FAILED else "",
        "download_url": (
            reverse("batch_download", args=[batch.pk]) if batch.status == BatchStatus.DONE else ""
        ),
    }


@login_required
def batch_status(request: HttpRequest, pk: int) -> JsonResponse:
    batch = scoping.get_or_404(batches_for(request.user), pk=pk)
    response = JsonResponse(_status(batch))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def batch_download(request: HttpRequest, pk: int) -> FileResponse:
    batch = scoping.get_or_404(batches_for(request.user), pk=pk)
    if batch.status != BatchStatus.DONE or not batch.file:
        raise Http404
    try:
        handle = storage.open_file(batch.file)
    except (FileNotFoundError, SuspiciousFileOperation) as missing:
        raise Http404 from missing
    name = file_name(ZIP_WORDS, batch.language, batch.node.name, batch.round.name, extension="zip")
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("rapportpaket/", batch_list, name="batch_list"),
    path("rapportpaket/ny/<int:round_pk>/<int:unit_pk>/", batch_create, name="batch_create"),
    path("rapportpaket/<int:pk>/", batch_detail, name="batch_detail"),
    path("rapportpaket/<int:pk>/status/", batch_status, name="batch_status"),
    path("rapportpaket/<int:pk>/ladda-ned/", batch_download, name="batch_download"),
]

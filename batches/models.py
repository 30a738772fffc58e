"""A batch: all unit reports of a round under one node, built in the background as one ZIP.

The ZIP is assembled in scratch space and saved to the storage only when it is complete, so
a batch whose status is "done" always points at a whole file (a database constraint holds that
too). Units whose report could not be made are listed one by one; the others are still in
the ZIP.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Batch(models.Model):
    round = models.ForeignKey(
        "assessments.Round",
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    node = models.ForeignKey(
        "assessments.Unit",
        verbose_name=_("part of the organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=8)
    # Where links in the reports point (the site's address when the batch was asked for).
    base_url = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("units"), default=0)
    done = models.PositiveIntegerField(_("units processed"), default=0)
    # A name in the default storage (batches/…); served only through the scoped download view.
    file = models.CharField(_("file"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch of unit reports")
        verbose_name_plural = _("batches of unit reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="batch_status_valid"
            ),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="batch_done_le_total"),
            models.CheckConstraint(
                condition=~Q(status=BatchStatus.DONE) | (~Q(file="") & Q(done=F("total"))),
                name="batch_done_has_whole_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node} – {self.round}"

    @property
    def is_finished(self) -> bool:
        return self.status in {BatchStatus.DONE, BatchStatus.FAILED}

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class BatchFailure(models.Model):
    """One unit whose report could not be made; the batch goes on without it."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="failures")
    assessment = models.ForeignKey(
        "assessments.UnitAssessment", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_code = models.CharField(_("unit code"), max_length=50)
    unit_name = models.CharField(_("unit"), max_length=200)
    message = models.CharField(_("what went wrong"), max_length=500)

    class Meta:
        verbose_name = _("unit report that failed")
        verbose_name_plural = _("unit reports that failed")
        ordering = ["unit_code", "pk"]

    def __str__(self) -> str:
        return f"{self.unit_name}: {self.message}"

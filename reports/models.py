"""Stored unit reports: each PDF is rendered in the background and kept through the storage API.

One row per assessment, language and audience. ``version`` counts what the report shows: every
change to it (completion, a reopening, an action, an agreement) adds one in the same
transaction. A render reads the version before it reads the data, and stores its file only if
no newer render got there first (``rendered_version``), so a slow, stale render never
overwrites a newer one. A render that fails leaves the stored file as it was.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    PENDING = "pending", _("Waiting to be prepared")
    RENDERING = "rendering", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class StoredReport(models.Model):
    assessment = models.ForeignKey(
        "assessments.UnitAssessment",
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="stored_reports",
    )
    language = models.CharField(_("language"), max_length=8)
    # "unit" (the manager: everything) or "overseer" (quality developers: notes only if shared).
    audience = models.CharField(_("audience"), max_length=10)
    state = models.CharField(
        _("status"), max_length=10, choices=ReportState.choices, default=ReportState.PENDING
    )
    version = models.PositiveIntegerField(_("version wanted"), default=1)
    rendered_version = models.PositiveIntegerField(_("version stored"), default=0)
    # A storage name (never a path): the default storage, local or e.g. S3, shared by all nodes.
    file = models.FileField(_("file"), max_length=255, blank=True)
    # Whether the stored file is a preview (rendered before completion) and what it was made
    # from: the SHA-256 of its HTML, so an unchanged report is not rendered again.
    preview = models.BooleanField(_("preview"), default=False)
    fingerprint = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("stored report")
        verbose_name_plural = _("stored reports")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "language", "audience"],
                name="stored_report_one_per_language_audience",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReportState.values), name="stored_report_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["unit", "overseer"]),
                name="stored_report_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(rendered_version__lte=F("version")),
                name="stored_report_rendered_le_wanted",
            ),
            # "Ready" means the stored file is the report as it stands.
            models.CheckConstraint(
                condition=~Q(state=ReportState.READY)
                | (~Q(file="") & Q(rendered_version=F("version"))),
                name="stored_report_ready_is_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.language} {self.audience} v{self.version}"

    @property
    def is_current(self) -> bool:
        return self.state == ReportState.READY

    @property
    def has_file(self) -> bool:
        return bool(self.file.name)

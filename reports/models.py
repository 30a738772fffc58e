"""Stored reports: each PDF is rendered in the background and kept through the storage API.

``StoredReport``: one row per assessment, language and audience. ``version`` counts what the
report shows: every change to it (completion, a reopening, an action, an agreement, another
unit's completion that moves the department median) adds one in the same transaction. A
render reads the version before it reads the data, and stores its file only if no newer
render got there first (``rendered_version``), so a slow, stale render never overwrites a
newer one. A render that fails leaves the stored file as it was.

``StoredComparison``: one row per round, part of the tree, language and audience (what the
viewer may see). Its version follows the content: the request builds the PDF's HTML from
stored figures, and a new fingerprint of it asks for a new render (``reports.stored_comparisons``).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    PENDING = "pending", _("Waiting to be prepared")
    RENDERING = "rendering", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class StoredFile(models.Model):
    """What every stored PDF has: its state, the version wanted and stored, and the file."""

    state = models.CharField(
        _("status"), max_length=10, choices=ReportState.choices, default=ReportState.PENDING
    )
    version = models.PositiveIntegerField(_("version wanted"), default=1)
    rendered_version = models.PositiveIntegerField(_("version stored"), default=0)
    # A storage name (never a path): the default storage, local or e.g. S3, shared by all nodes.
    file = models.FileField(_("file"), max_length=255, blank=True)
    # The SHA-256 of the stored file's HTML, so an unchanged report is not rendered again.
    fingerprint = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.state == ReportState.READY

    @property
    def has_file(self) -> bool:
        return bool(self.file.name)


def _file_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(state__in=ReportState.values), name=f"{prefix}_state_valid"
        ),
        models.CheckConstraint(
            condition=Q(rendered_version__lte=F("version")),
            name=f"{prefix}_rendered_le_wanted",
        ),
        # "Ready" means the stored file is the report as it stands.
        models.CheckConstraint(
            condition=~Q(state=ReportState.READY)
            | (~Q(file="") & Q(rendered_version=F("version"))),
            name=f"{prefix}_ready_is_current",
        ),
    ]


class StoredReport(StoredFile):
    assessment = models.ForeignKey(
        "assessments.UnitAssessment",
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="stored_reports",
    )
    language = models.CharField(_("language"), max_length=8)
    # "unit" (the manager: everything) or "overseer" (quality developers: notes only if shared).
    audience = models.CharField(_("audience"), max_length=10)
    # Whether the stored file is a preview (rendered before completion).
    preview = models.BooleanField(_("preview"), default=False)

    class Meta:
        verbose_name = _("stored report")
        verbose_name_plural = _("stored reports")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "language", "audience"],
                name="stored_report_one_per_language_audience",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["unit", "overseer"]),
                name="stored_report_audience_valid",
            ),
            *_file_constraints("stored_report"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.language} {self.audience} v{self.version}"


class StoredComparison(StoredFile):
    """The comparison PDF of one part of the tree in one round, as one audience sees it."""

    round = models.ForeignKey(
        "assessments.Round",
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="stored_comparisons",
    )
    node = models.ForeignKey(
        "assessments.Unit",
        verbose_name=_("part of the organisation"),
        on_delete=models.CASCADE,
        related_name="stored_comparisons",
    )
    language = models.CharField(_("language"), max_length=8)
    # "signals" (the steering signals' totals shown) or "plain" (not): what the viewer may see.
    audience = models.CharField(_("audience"), max_length=10)
    # What the last request asked for: the fingerprint of its HTML, and the HTML itself until
    # it is rendered (the worker renders exactly what the person may see, and needs no user).
    wanted = models.CharField(max_length=64, blank=True)
    source = models.TextField(blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("stored comparison")
        verbose_name_plural = _("stored comparisons")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "node", "language", "audience"],
                name="stored_comparison_one_per_language_audience",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["signals", "plain"]),
                name="stored_comparison_audience_valid",
            ),
            *_file_constraints("stored_comparison"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.node_id} {self.language} {self.audience} v{self.version}"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Built from assessments: unit report data, charts, PDFs, comparison, trends, exports."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (removes a stored report's file with its row)

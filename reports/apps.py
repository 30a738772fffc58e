from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Built from assessments: unit report data, charts, PDFs, comparison, trends, exports."""

    name = "reports"
    verbose_name = _("Reports")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "batches"
    verbose_name = _("Batch reports")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (removes a batch's file with the batch)

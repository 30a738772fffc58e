from django.apps import AppConfig


class TillitConfig(AppConfig):
    """The project package as an app, so its system checks run with every `manage.py`."""

    name = "tillit"
    verbose_name = "Tillit"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)

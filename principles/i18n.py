"""Texts stored once per language in `<field>_sv` and `<field>_en` columns.

Swedish is the primary language; English falls back to Swedish where it is empty so that a
page never shows a hole.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
PRIMARY = LANGUAGE_CODES[0]


def current_language() -> str:
    code = (get_language() or PRIMARY).split("-")[0]
    return code if code in LANGUAGE_CODES else PRIMARY


class Translated:
    """Descriptor returning `<name>_<current language>`, falling back to the primary one."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, f"{self.name}_{current_language()}", "")
        return value or getattr(instance, f"{self.name}_{PRIMARY}", "")


def translated_fields(instance: models.Model, names: list[str]) -> list[str]:
    """Every concrete column behind the translated `names`, e.g. name -> name_sv, name_en."""
    return [f"{name}_{code}" for name in names for code in LANGUAGE_CODES]

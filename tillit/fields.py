"""Strict reading of posted numbers and ids, shared by the forms.

Python's ``int()`` (and so Django's ``IntegerField`` and a model choice field's lookup) reads
"+40", " 40 ", "4_0", "٤٠" (Arabic-Indic digits) and full-width digits as 40, and Django's
``IntegerField`` also "40.0". A form here takes plain ASCII digits only: no sign, no decimals,
no spaces, no other scripts' digits.

Leading zeros. A number a person types (points) may have them: "040" has one meaning in
decimal, a phone keypad makes it easy to type, and refusing it would only bother the
participant. An id (a unit, a framework version) is never typed: it comes from our own page
in one spelling, so "040" there is not an id we sent and is refused.

Ids are bounded to 1 … 2^63 − 1, the range of the primary keys, and checked before any query:
Django turns a larger number in ``pk=…`` into "no such row", but in a list (``pk__in``, the
units of a round) it reaches SQLite as an OverflowError, a server error.

A field sent twice ("points=40&points=60") leaves Django silently taking the last value; the
forms here refuse it instead (``SingleValueFormMixin``).
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # the largest BigAutoField primary key on PostgreSQL and SQLite
MAX_DIGITS = len(str(MAX_ID))  # 19: no number the forms accept is longer
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() is True for "٤" and "³" too
_NEGATIVE = re.compile(r"-[0-9]+")
_ID = re.compile(r"[1-9][0-9]*")  # as we render ids: no leading zero

REPEATED = _(
    "This field was sent more than once, so it is not clear which value was meant. Nothing "
    "was saved; reload the page and try again."
)


def sent_more_than_once(data: QueryDict, *names: str) -> bool:
    """Whether any of `names` came more than once (for views that read ``request.POST``)."""
    return any(len(data.getlist(name)) > 1 for name in names)


def whole_number(raw: object, *, max_digits: int = MAX_DIGITS) -> int:
    """The number written in plain ASCII digits (leading zeros allowed); ValueError else."""
    if not isinstance(raw, str) or len(raw) > max_digits or not _DIGITS.fullmatch(raw):
        raise ValueError(raw)
    return int(raw)


def parse_id(raw: object) -> int | None:
    """A primary key as our pages write it (1 … 2^63 − 1, no leading zero), else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 1 <= raw <= MAX_ID else None
    if not isinstance(raw, str) or len(raw) > MAX_DIGITS or not _ID.fullmatch(raw):
        return None
    number = int(raw)
    return number if number <= MAX_ID else None


class StrictIntegerField(forms.IntegerField):
    """An ``IntegerField`` that takes plain ASCII digits only (see the module's docstring).

    A minus sign before plain digits gets the field's "min_value" message (it says more than
    "invalid" does); any other sign, space or character gets "invalid".
    """

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # an initial value from our own code
        try:
            return whole_number(value)
        except ValueError:
            pass
        negative = isinstance(value, str) and _NEGATIVE.fullmatch(value)
        if negative and self.min_value is not None and self.min_value >= 0:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"limit_value": self.min_value},
            )
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def _refuse_bad_id(field: forms.ModelChoiceField, value: Any) -> None:
    if parse_id(getattr(value, "pk", value)) is None:
        raise ValidationError(
            field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A model choice whose posted id must be a well-formed id within the primary key range."""

    def to_python(self, value: Any):
        if value in self.empty_values:
            return None
        _refuse_bad_id(self, value)
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """As ``BoundedModelChoiceField``, for a list of ids (each checked before any query)."""

    def clean(self, value: Any):
        if isinstance(value, list | tuple):
            for item in value:
                _refuse_bad_id(self, item)
        return super().clean(value)


def _takes_many(widget: forms.Widget) -> bool:
    """Whether the widget reads a list (a multiple select, checkboxes, multiple hiddens)."""
    return getattr(widget, "allow_multiple_selected", False) or isinstance(
        widget, forms.MultipleHiddenInput
    )


def repeated_fields(form: forms.BaseForm) -> list[str]:
    """The form's single-value fields that the request sent more than once."""
    getlist = getattr(form.data, "getlist", None)
    if getlist is None:  # plain dict data: one value per key by construction
        return []
    return [
        name
        for name, field in form.fields.items()
        if not _takes_many(field.widget) and len(getlist(form.add_prefix(name))) > 1
    ]


class SingleValueFormMixin:
    """Refuse a single-value field sent twice, before the form's own checks see either value.

    Put it before ``forms.Form`` (or the form it extends) in the bases.
    """

    def clean(self) -> dict:
        for name in repeated_fields(self):
            self.errors.pop(name, None)  # one clear message rather than two
            self.add_error(name, ValidationError(REPEATED, code="repeated"))
        return super().clean()

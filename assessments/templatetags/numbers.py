"""Numbers as the pages print them: the language's decimal mark and a real minus sign.

``{% load numbers %}`` gives three filters; views that build HTML in Python call the same
functions. A negative number gets U+2212 (−), not the hyphen Python and ``floatformat`` write:
a hyphen is shorter, breaks lines and is read out as "dash" by some screen readers.

* ``decimal`` — a fixed number of decimals: ``4,0``, ``−1,5``.
* ``score`` — a median of whole-number scores: ``3`` or ``3,5``, never ``3,0`` (the scores
  have no decimals, so a zero decimal would claim a precision they do not have).
* ``signed`` — a change, always with its sign: ``+1``, ``−0,5``, ``0``.

A missing value (None) prints as an en dash, as the tables write "no value".
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import get_format

register = template.Library()

MINUS = "\u2212"
NO_VALUE = "–"


def _digits(value: float, places: int | None) -> str:
    """The absolute value rounded half up (as ``floatformat``), with the language's mark.

    ``places`` None: no decimals for a whole number, else one.
    """
    number = Decimal(str(abs(value)))
    if places is None:
        places = 0 if number == number.to_integral_value() else 1
    text = str(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


def _is_negative(value: float, digits: str) -> bool:
    # "−0,0" would be a minus sign on nothing: a value that rounds to zero has no sign.
    return value < 0 and any(ch not in "0.," for ch in digits)


@register.filter
def decimal(value: float | None, places: int = 1) -> str:
    """``4,0`` / ``−1,5``: ``places`` decimals in the current language."""
    if value is None or value == "":
        return NO_VALUE
    value = float(value)
    digits = _digits(value, int(places))
    return f"{MINUS}{digits}" if _is_negative(value, digits) else digits


@register.filter
def score(value: float | None) -> str:
    """``3`` / ``3,5``: a median of whole-number scores, without a zero decimal."""
    if value is None or value == "":
        return NO_VALUE
    value = float(value)
    digits = _digits(value, None)
    return f"{MINUS}{digits}" if _is_negative(value, digits) else digits


@register.filter
def signed(value: float | None, places: int | None = None) -> str:
    """``+1`` / ``−0,5`` / ``0``: a change, with its sign (none for no change)."""
    if value is None or value == "":
        return NO_VALUE
    value = float(value)
    digits = _digits(value, None if places is None else int(places))
    if not any(ch not in "0.," for ch in digits):
        return digits
    return f"{MINUS}{digits}" if value < 0 else f"+{digits}"

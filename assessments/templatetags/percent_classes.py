"""The |pct filter: a share in per cent as the whole number that names a class in percent.css.

Bars and markers are sized by classes (.w-pct-42, .l-pct-42, .h-pct-42) rather than style=""
attributes, because the Content-Security-Policy allows no inline styles.
"""

import math

from django import template

register = template.Library()


@register.filter
def pct(value: object) -> int:
    """`value` (0–100, any precision) rounded half up and clamped to a whole per cent, 0–100.

    Anything that is not a finite number (None, "", text) gives 0: an empty bar, never an
    unknown class name.
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    if not math.isfinite(number):
        return 0
    return max(0, min(100, math.floor(number + 0.5)))

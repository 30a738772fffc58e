"""SVG charts for the balance reports, drawn on the server.

The same markup goes into the web page and the PDF (WeasyPrint renders inline SVG), so both
show the same picture. Every public function is pure: data in, one ``<svg>`` element out.

Conventions shared by all charts:

* ``role="img"`` with ``aria-labelledby`` pointing at the chart's own ``<title>`` and
  ``<desc>``; ids are built from the caller's ``id_prefix`` so several charts fit on a page.
* A ``viewBox`` and ``width="100%"`` but no pixel size, so the chart scales on a phone.
* Every text from the data is escaped: labels are edited by administrators.
* Colours reach at least 3:1 against white (WCAG 1.4.11) and never carry meaning alone:
  series also differ by marker shape and line style, and a legend inside the SVG says which
  is which.
"""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FONT_FAMILY = "'Source Sans 3', 'DejaVu Sans', sans-serif"

# Contrast against white in brackets; the test suite checks every colour that carries data.
INK = "#1f2933"  # text (14.8:1)
MUTED = "#4b5563"  # frames, axes, scale numbers (7.6:1)
NOW = "#1d4f91"  # agreed "now" / agreed score (8.1:1)
DESIRED = "#b3541e"  # agreed "desired" (5.0:1)
MEDIAN = "#b3541e"  # median of individual answers (5.0:1), dashed so it differs from agreed
PREVIOUS = "#595959"  # previous round (7.0:1), dotted
PARTICIPANT = "#6e7781"  # one unit's dot in a comparison; a density cell's outline (4.6:1)
CELL_FILL = "#e6e9ee"  # a density cell's fill is decorative: outline and number carry it
BAND_EDGE = "#5b7fb5"  # outline of the interquartile band (4.1:1)
BAND_FILL = "#dbe5f3"  # the band's fill is decorative: its outline carries the shape
GRID = "#c9ced6"  # gridlines and rings are decorative helpers

DATA_COLOURS = (INK, MUTED, NOW, DESIRED, MEDIAN, PREVIOUS, PARTICIPANT, BAND_EDGE)

# Rough average glyph width as a share of the font size; DejaVu Sans (the fallback) is the
# wider of the two fonts, so layouts computed with it leave room for both.
_CHAR_WIDTH = 0.58

_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


# --- inputs --------------------------------------------------------------------------------


def _check_number(value: float | None, low: float, high: float, name: str) -> None:
    if value is None:
        return
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}.")


@dataclass(frozen=True)
class Balance:
    """A steering balance: 100 points shared between market, hierarchy and trust."""

    market: float
    hierarchy: float
    trust: float

    # Averages of whole-point answers are rounded for display and may miss 100 slightly.
    TOLERANCE = 1.0

    def __post_init__(self) -> None:
        for name in ("market", "hierarchy", "trust"):
            _check_number(getattr(self, name), 0, 100, name)
        total = self.market + self.hierarchy + self.trust
        if abs(total - 100) > self.TOLERANCE:
            raise ValueError(f"A balance must add up to 100 points, got {total:g}.")


@dataclass(frozen=True)
class RadarAxis:
    """One principle on the radar; every value is on the 1–5 scale or None (not known)."""

    label: str
    agreed: float | None = None
    median: float | None = None
    low: float | None = None  # first quartile of the individual answers
    high: float | None = None  # third quartile
    previous: float | None = None

    def __post_init__(self) -> None:
        for name in ("agreed", "median", "low", "high", "previous"):
            _check_number(getattr(self, name), 1, 5, name)
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not be larger than high.")


@dataclass(frozen=True)
class ProfileRow:
    """One control–trust dimension; now and desired on the 1–7 scale or None."""

    label: str
    control_pole: str
    trust_pole: str
    now: float | None = None
    desired: float | None = None

    def __post_init__(self) -> None:
        _check_number(self.now, 1, 7, "now")
        _check_number(self.desired, 1, 7, "desired")


# --- small helpers -------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate with at most one decimal, so the markup stays small."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _points(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def wrap_words(text: str, max_chars: int) -> list[str]:
    """Break ``text`` into lines of at most ``max_chars`` characters, at spaces if possible.

    SVG 1.1 has no automatic line wrapping, so long labels are split here into ``<tspan>``s.
    A word longer than a line is cut, rather than run into the neighbouring column.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1.")
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > max_chars:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:max_chars])
            word = word[max_chars:]
        if not word:
            continue
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _chars_for(width: float, font_size: float) -> int:
    return max(1, int(width / (font_size * _CHAR_WIDTH)))


def _text(
    lines: Sequence[str],
    *,
    x: float,
    y: float,
    size: float = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str | None = None,
    line_height: float | None = None,
) -> str:
    """A ``<text>`` whose first baseline is at ``y``, one ``<tspan>`` per line."""
    if not lines:
        return ""
    step = line_height or size * 1.25
    weight_attr = f' font-weight="{weight}"' if weight else ""
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(y + i * step)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text font-size="{_n(size)}" text-anchor="{anchor}" fill="{fill}"{weight_attr}>'
        f"{spans}</text>"
    )


def _segment(start: tuple[float, float], end: tuple[float, float]) -> str:
    """A straight line as a path's subpath: many of them make one element to draw."""
    return f"M{_n(start[0])} {_n(start[1])}L{_n(end[0])} {_n(end[1])}"


def _circle(x: float, y: float, r: float, colour: str) -> str:
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{colour}" '
        f'stroke="{colour}" stroke-width="1.5"/>'
    )


def _diamond(x: float, y: float, r: float, colour: str) -> str:
    points = ((x, y - r), (x + r, y), (x, y + r), (x - r, y))
    # Hollow, so a "now" circle at the same place still shows through.
    return f'<polygon points="{_points(points)}" fill="none" stroke="{colour}" stroke-width="2"/>'


@dataclass(frozen=True)
class _Stroke:
    """How a series' line looks; the dash pattern is what tells series apart in greyscale."""

    colour: str
    width: float
    dash: str | None = None

    def attrs(self) -> str:
        dash = f' stroke-dasharray="{self.dash}"' if self.dash else ""
        cap = ' stroke-linecap="round"' if self.dash and self.dash.startswith("1 ") else ""
        return f'stroke="{self.colour}" stroke-width="{_n(self.width)}"{dash}{cap}'


SOLID_NOW = _Stroke(NOW, 2.5)
DASHED_MEDIAN = _Stroke(MEDIAN, 1.75, "6 4")
DOTTED_PREVIOUS = _Stroke(PREVIOUS, 2, "1 4")


def _legend(
    items: Sequence[tuple[str, str]], *, x: float, y: float, width: float, size: float = 12
) -> tuple[str, float]:
    """Lay out ``(glyph, label)`` pairs in rows; return the markup and the height used.

    Each glyph is drawn around (0, 0) in a 24 × 16 box and translated into place.
    """
    if not items:
        return "", 0.0
    line, glyph_room, gap = size * 1.25, 30.0, 18.0
    parts = ['<g class="legend">']
    cursor_x, row_top, row_lines = x, y, 1
    for glyph, label in items:
        lines = wrap_words(label, _chars_for(width - glyph_room, size)) or [""]
        item_width = glyph_room + max(len(text) for text in lines) * size * _CHAR_WIDTH + gap
        if cursor_x > x and cursor_x + item_width > x + width:
            row_top += row_lines * line + 6
            cursor_x, row_lines = x, 1
        centre = row_top + line / 2
        parts.append(f'<g transform="translate({_n(cursor_x)} {_n(centre)})">{glyph}</g>')
        parts.append(_text(lines, x=cursor_x + glyph_room, y=centre + size * 0.35, size=size))
        row_lines = max(row_lines, len(lines))
        cursor_x += item_width
    parts.append("</g>")
    return "".join(parts), row_top + row_lines * line - y


def _line_glyph(stroke: _Stroke, marker: str = "") -> str:
    return f'<line x1="0" y1="0" x2="24" y2="0" {stroke.attrs()}/>{marker}'


def _empty_message(x: float, y: float, text: str | None = None) -> str:
    return _text(
        [text or _("No answers to show yet.")], x=x, y=y, size=14, anchor="middle", fill=MUTED
    )


def _svg(
    *, id_prefix: str, title: str, description: str, width: float, height: float, body: str
) -> SafeString:
    if not _ID_PREFIX.fullmatch(id_prefix):
        raise ValueError(
            "id_prefix must start with a letter and hold only letters, digits, - and _."
        )
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    # Safe: every text from the data went through escape() on its way in.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tillit-chart" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="{escape(FONT_FAMILY)}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
        f"{body}</svg>"
    )


# --- steering balance triangle -------------------------------------------------------------

_SQRT3_2 = math.sqrt(3) / 2


def triangle_point(balance: Balance, size: float = 100.0) -> tuple[float, float]:
    """Where ``balance`` sits in an equilateral triangle of side ``size``.

    Barycentric to Cartesian, with the triangle's bounding box starting at (0, 0) and y
    growing downwards as in SVG: market is the bottom-left corner, hierarchy the top and
    trust the bottom-right corner.
    """
    total = balance.market + balance.hierarchy + balance.trust
    market, hierarchy, trust = (
        balance.market / total,
        balance.hierarchy / total,
        balance.trust / total,
    )
    height = size * _SQRT3_2
    # Corners: market (0, height), hierarchy (size / 2, 0), trust (size, height).
    x = hierarchy * size / 2 + trust * size
    y = (market + trust) * height
    return x, y


def _arrow(start: tuple[float, float], end: tuple[float, float], colour: str) -> str:
    """A line from ``start`` towards ``end`` with a head, stopping short of both markers."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length < 22:  # the markers touch: an arrow would only add noise
        return ""
    ux, uy = dx / length, dy / length
    x1, y1 = start[0] + ux * 9, start[1] + uy * 9
    tip_x, tip_y = end[0] - ux * 10, end[1] - uy * 10
    base_x, base_y = tip_x - ux * 9, tip_y - uy * 9
    head = (
        (tip_x, tip_y),
        (base_x - uy * 4.5, base_y + ux * 4.5),
        (base_x + uy * 4.5, base_y - ux * 4.5),
    )
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(base_x)}" y2="{_n(base_y)}" '
        f'stroke="{colour}" stroke-width="1.75"/>'
        f'<polygon points="{_points(head)}" fill="{colour}"/>'
    )


@dataclass(frozen=True)
class DensityCell:
    """A region of the triangle (market and hierarchy from these lows, ``step`` points up)
    and how many people's view lies in it."""

    market: int
    hierarchy: int
    count: int
    step: int = 20

    def __post_init__(self) -> None:
        m, h, s = self.market, self.hierarchy, self.step
        inside = 0 < s <= 100 and m >= 0 and h >= 0 and m + h <= 100 - s
        if not inside or m % s or h % s or self.count < 0:
            raise ValueError(f"Not a cell of the triangle: {self!r}")

    def corners(self) -> list[Balance]:
        m, h, s = self.market, self.hierarchy, self.step
        # Barycentric corners; the cell at the outer edge is a triangle, the others rhombi.
        corners = [(m, h), (m + s, h), (m + s, h + s), (m, h + s)]
        return [Balance(a, b, 100 - a - b) for a, b in corners if a + b <= 100]


def balance_triangle(
    *,
    now: Balance | None,
    desired: Balance | None,
    labels: dict[str, str],
    title: str,
    description: str,
    id_prefix: str,
    cells: Sequence[DensityCell] = (),
    points: Sequence[Balance] = (),
    legend: dict[str, str] | None = None,
    font_size: float = 13.0,
) -> SafeString:
    """The steering balance as a triangle: now → desired.

    ``cells`` shade the regions where several people's views lie, with their number (never
    one person's point); ``points`` are dots for whole units, as in a comparison.
    """
    legend_labels = {
        "now": _("Now (agreed)"),
        "desired": _("Desired (agreed)"),
        "cells": _("Where several participants' views of now lie (their number)"),
        "points": _("One unit's agreed balance now"),
        **(legend or {}),
    }
    side, width, size = 300.0, 500.0, font_size
    line = size * 1.25
    label_chars = _chars_for(160, size)
    top_lines = wrap_words(labels.get("hierarchy", ""), _chars_for(300, size))
    left_lines = wrap_words(labels.get("market", ""), label_chars)
    right_lines = wrap_words(labels.get("trust", ""), label_chars)

    ox = (width - side) / 2
    oy = 16 + len(top_lines) * line + 8
    height_tri = side * _SQRT3_2

    def place(balance: Balance) -> tuple[float, float]:
        x, y = triangle_point(balance, side)
        return ox + x, oy + y

    corner_market = (ox, oy + height_tri)
    corner_hierarchy = (ox + side / 2, oy)
    corner_trust = (ox + side, oy + height_tri)

    # The twelve gridlines as one path: the same picture, one element to draw instead of 12.
    grid = []
    for value in (20, 40, 60, 80):
        rest = 100 - value
        for a, b in (
            (Balance(value, rest, 0), Balance(value, 0, rest)),
            (Balance(rest, value, 0), Balance(0, value, rest)),
            (Balance(rest, 0, value), Balance(0, rest, value)),
        ):
            grid.append(_segment(place(a), place(b)))
    parts = [
        f'<g class="grid" fill="none"><path d="{"".join(grid)}" stroke="{GRID}" '
        f'stroke-width="0.75"/></g>'
    ]
    parts.append(
        f'<polygon class="frame" fill="none" stroke="{MUTED}" stroke-width="1.5" '
        f'points="{_points((corner_market, corner_hierarchy, corner_trust))}"/>'
    )

    # Corner labels: hierarchy above the apex, market and trust under their corners.
    parts.append(
        _text(
            top_lines,
            x=corner_hierarchy[0],
            y=oy - 8 - (len(top_lines) - 1) * line,
            size=size,
            anchor="middle",
            weight="600",
        )
    )
    below = corner_market[1] + 8 + size
    parts.append(
        _text(left_lines, x=corner_market[0], y=below, size=size, anchor="middle", weight="600")
    )
    parts.append(
        _text(right_lines, x=corner_trust[0], y=below, size=size, anchor="middle", weight="600")
    )
    y_after_labels = below + max(len(left_lines), len(right_lines), 1) * line

    legend_items: list[tuple[str, str]] = []
    if cells:
        numbers = []
        parts.append(f'<g class="cells" stroke="{PARTICIPANT}" stroke-width="1">')
        for cell in cells:
            corners = [place(corner) for corner in cell.corners()]
            cx = sum(x for x, _y in corners) / len(corners)
            cy = sum(y for _x, y in corners) / len(corners)
            parts.append(f'<polygon points="{_points(corners)}" fill="{CELL_FILL}"/>')
            numbers.append(_text([str(cell.count)], x=cx, y=cy + 4, size=11, anchor="middle"))
        parts.append("</g>")
        parts.extend(numbers)
    if points:
        parts.append(f'<g class="points" fill="{PARTICIPANT}">')
        for balance in points:
            x, y = place(balance)
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5"/>')
        parts.append("</g>")
    if now is not None and desired is not None:
        parts.append(_arrow(place(now), place(desired), INK))
    if now is not None:
        parts.append(_circle(*place(now), 6, NOW))
        legend_items.append((_circle(12, 0, 6, NOW), legend_labels["now"]))
    if desired is not None:
        parts.append(_diamond(*place(desired), 8, DESIRED))
        legend_items.append((_diamond(12, 0, 8, DESIRED), legend_labels["desired"]))
    if cells:
        swatch = (
            f'<rect x="2" y="-6" width="20" height="12" fill="{CELL_FILL}" '
            f'stroke="{PARTICIPANT}" stroke-width="1"/>'
        )
        legend_items.append((swatch, legend_labels["cells"]))
    if points:
        dot = f'<circle cx="12" cy="0" r="2.5" fill="{PARTICIPANT}"/>'
        legend_items.append((dot, legend_labels["points"]))
    if not legend_items:
        parts.append(_empty_message(ox + side / 2, oy + height_tri * 0.7))

    legend_markup, legend_height = _legend(
        legend_items, x=24, y=y_after_labels + 8, width=width - 48, size=font_size - 1
    )
    parts.append(legend_markup)
    height = y_after_labels + 8 + legend_height + 12
    return _svg(
        id_prefix=id_prefix,
        title=title,
        description=description,
        width=width,
        height=height,
        body="".join(parts),
    )


# --- principles radar ----------------------------------------------------------------------

_RADAR_MAX = 5


def principles_radar(
    axes: Sequence[RadarAxis],
    *,
    title: str,
    description: str,
    id_prefix: str,
    legend: dict[str, str] | None = None,
    font_size: float = 12.0,
) -> SafeString:
    """The principles as a radar: agreed score, median and interquartile band, previous round.

    Works for any number of axes from three up; a series is drawn over the axes where it has
    a value, and left out if that is fewer than three. A larger ``font_size`` (the PDF's,
    where the chart is printed half a page wide) widens the labels' room with it.
    """
    legend_labels = {
        "agreed": _("Agreed score"),
        "median": _("Median of individual answers"),
        "range": _("Middle half of individual answers (interquartile range)"),
        "previous": _("Previous round"),
        **(legend or {}),
    }
    size = font_size
    line = size * 1.25
    radius, label_gap, label_width = 150.0, 12.0, 130.0 * font_size / 12
    width = 2 * (radius + label_gap + label_width) + 16
    count = len(axes)

    if count < 3:
        height = 2 * radius + 80
        cx, cy = width / 2, height / 2
        body = (
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radius)}" fill="none" '
            f'stroke="{GRID}" stroke-width="1"/>'
            + _empty_message(cx, cy, _("At least three principles are needed for this chart."))
        )
        return _svg(
            id_prefix=id_prefix,
            title=title,
            description=description,
            width=width,
            height=height,
            body=body,
        )

    angles = [-math.pi / 2 + 2 * math.pi * i / count for i in range(count)]
    label_lines = [wrap_words(axis.label, _chars_for(label_width, size)) for axis in axes]
    # Room above and below the rings for the labels of the top and bottom axes.
    top_room = max(
        (
            len(lines) * line
            for lines, a in zip(label_lines, angles, strict=True)
            if math.sin(a) < -0.5
        ),
        default=line,
    )
    bottom_room = max(
        (
            len(lines) * line
            for lines, a in zip(label_lines, angles, strict=True)
            if math.sin(a) > 0.5
        ),
        default=line,
    )
    cx = width / 2
    cy = 12 + top_room + label_gap + radius

    def at(index: int, value: float) -> tuple[float, float]:
        r = radius * value / _RADAR_MAX
        return cx + r * math.cos(angles[index]), cy + r * math.sin(angles[index])

    def series(values: Sequence[float | None]) -> list[tuple[float, float]] | None:
        points = [at(i, v) for i, v in enumerate(values) if v is not None]
        return points if len(points) >= 3 else None

    legend_items: dict[str, tuple[str, str]] = {}
    parts = []
    # The band goes first, so rings and axes stay visible through it.
    paired = [
        (axis.low, axis.high) if axis.low is not None and axis.high is not None else (None, None)
        for axis in axes
    ]
    outer = series([high for _low, high in paired])
    inner = series([low for low, _high in paired])
    if outer and inner:
        path = f"M{_points(outer)}Z M{_points(inner)}Z"
        parts.append(
            f'<path class="range" d="{path}" fill="{BAND_FILL}" fill-rule="evenodd" '
            f'stroke="{BAND_EDGE}" stroke-width="0.75"/>'
        )
        legend_items["range"] = (
            f'<rect x="0" y="-6" width="24" height="12" fill="{BAND_FILL}" '
            f'stroke="{BAND_EDGE}" stroke-width="0.75"/>',
            legend_labels["range"],
        )

    rings = "".join(
        f"M{_points([at(i, ring) for i in range(count)])}Z" for ring in range(1, _RADAR_MAX + 1)
    )
    parts.append(
        f'<g class="rings" fill="none"><path d="{rings}" stroke="{GRID}" stroke-width="0.75"/></g>'
    )
    for i in range(count):
        x, y = at(i, _RADAR_MAX)
        parts.append(
            f'<line class="axis" x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" '
            f'stroke="{MUTED}" stroke-width="0.75"/>'
        )
    # The ring numbers 1–5 are single characters: one <text> places each by its own x and y.
    ring_ys = " ".join(_n(cy - radius * ring / _RADAR_MAX - 3) for ring in range(1, 6))
    parts.append(
        f'<text class="ring-numbers" font-size="9" fill="{MUTED}" x="{" ".join([_n(cx + 4)] * 5)}" '
        f'y="{ring_ys}">{"".join(str(ring) for ring in range(1, _RADAR_MAX + 1))}</text>'
    )

    for i, lines in enumerate(label_lines):
        cos, sin = math.cos(angles[i]), math.sin(angles[i])
        x = cx + (radius + label_gap) * cos
        y = cy + (radius + label_gap) * sin
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        block = len(lines) * line
        if sin < -0.5:
            first = y - block + size
        elif sin > 0.5:
            first = y + size
        else:
            first = y - block / 2 + size * 0.85
        parts.append(_text(lines, x=x, y=first, size=size, anchor=anchor, weight="600"))

    for key, stroke, values in (
        ("previous", DOTTED_PREVIOUS, [axis.previous for axis in axes]),
        ("median", DASHED_MEDIAN, [axis.median for axis in axes]),
    ):
        points = series(values)
        if points:
            parts.append(
                f'<polygon class="{key}" points="{_points(points)}" fill="none" {stroke.attrs()}/>'
            )
            legend_items[key] = (_line_glyph(stroke), legend_labels[key])
    agreed = series([axis.agreed for axis in axes])
    if agreed:
        parts.append(
            f'<polygon class="agreed" points="{_points(agreed)}" fill="none" '
            f'{SOLID_NOW.attrs()} stroke-linejoin="round"/>'
        )
        parts.extend(_circle(x, y, 3.5, NOW) for x, y in agreed)
        glyph = _line_glyph(SOLID_NOW, _circle(12, 0, 3.5, NOW))
        legend_items["agreed"] = (glyph, legend_labels["agreed"])
    if not legend_items:
        parts.append(
            f'<rect x="{_n(cx - 110)}" y="{_n(cy - 14)}" width="220" height="24" fill="#fff"/>'
        )
        parts.append(_empty_message(cx, cy + 3))
    ordered = [
        legend_items[key]
        for key in ("agreed", "median", "range", "previous")
        if key in legend_items
    ]

    legend_top = cy + radius + label_gap + bottom_room + 8
    legend_markup, legend_height = _legend(
        ordered, x=24, y=legend_top, width=width - 48, size=font_size
    )
    parts.append(legend_markup)
    return _svg(
        id_prefix=id_prefix,
        title=title,
        description=description,
        width=width,
        height=legend_top + legend_height + 12,
        body="".join(parts),
    )


# --- control–trust profile -----------------------------------------------------------------

_PROFILE_STEPS = 7


def control_trust_profile(
    rows: Sequence[ProfileRow],
    *,
    title: str,
    description: str,
    id_prefix: str,
    legend: dict[str, str] | None = None,
    pole_width: float = 160.0,
) -> SafeString:
    """One row per dimension: control pole left, trust pole right, now and desired on 1–7.

    ``pole_width`` sets the room for each pole's text: wider (the PDF's 230) wraps it into
    fewer lines and makes a flatter chart, for a page that must hold it with two others.
    """
    legend_labels = {"now": _("Now"), "desired": _("Desired"), **(legend or {})}
    size = 12.0
    width = 2 * pole_width + 300.0  # the scale between the poles stays 240 wide
    line = size * 1.25
    scale_left, scale_right = pole_width + 30, width - pole_width - 30
    step = (scale_right - scale_left) / (_PROFILE_STEPS - 1)
    pole_chars = _chars_for(pole_width, size)

    def scale_x(value: float) -> float:
        return scale_left + (value - 1) * step

    parts = []
    # Header: which side is which, and the numbers of the scale.
    header_y = 18.0
    parts.append(
        _text([_("Control")], x=pole_width, y=header_y, size=size, anchor="end", weight="600")
    )
    parts.append(_text([_("Trust")], x=width - pole_width, y=header_y, size=size, weight="600"))
    # The scale's numbers 1–7 in one <text>, each digit placed by its own x (started half a
    # digit left of its tick: the same place a centred digit takes, one element instead of 7).
    digit_half = 10 * 0.25
    xs = " ".join(_n(scale_x(value) - digit_half) for value in range(1, _PROFILE_STEPS + 1))
    parts.append(
        f'<text class="scale-numbers" font-size="10" fill="{MUTED}" x="{xs}" '
        f'y="{_n(header_y)}">{"".join(str(v) for v in range(1, _PROFILE_STEPS + 1))}</text>'
    )
    y = header_y + 14

    legend_items: dict[str, tuple[str, str]] = {}
    if not rows:
        parts.append(
            f'<rect x="0.5" y="{_n(y)}" width="{_n(width - 1)}" height="60" fill="none" '
            f'stroke="{GRID}"/>'
        )
        parts.append(_empty_message(width / 2, y + 35))
        y += 60
    for row in rows:
        label_lines = wrap_words(row.label, _chars_for(scale_right - scale_left + 40, size))
        control_lines = wrap_words(row.control_pole, pole_chars)
        trust_lines = wrap_words(row.trust_pole, pole_chars)
        label_height = len(label_lines) * line
        poles_height = max(len(control_lines), len(trust_lines), 1) * line
        row_height = 10 + label_height + max(poles_height, 24) + 8
        centre = y + 10 + label_height + max(poles_height, 24) / 2

        parts.append('<g class="profile-row">')
        parts.append(
            f'<path d="{_segment((0, y), (width, y))}" stroke="{GRID}" stroke-width="0.75"/>'
        )
        parts.append(
            _text(
                label_lines,
                x=(scale_left + scale_right) / 2,
                y=y + 10 + size * 0.9,
                size=size,
                anchor="middle",
                weight="600",
            )
        )
        pole_top = centre - len(control_lines) * line / 2 + size * 0.85
        parts.append(
            _text(control_lines, x=pole_width, y=pole_top, size=size, anchor="end", fill=INK)
        )
        pole_top = centre - len(trust_lines) * line / 2 + size * 0.85
        parts.append(_text(trust_lines, x=width - pole_width, y=pole_top, size=size, fill=INK))
        # The scale and its seven ticks: one path instead of eight lines.
        scale = _segment((scale_left, centre), (scale_right, centre)) + "".join(
            _segment((scale_x(v), centre - 4), (scale_x(v), centre + 4))
            for v in range(1, _PROFILE_STEPS + 1)
        )
        parts.append(f'<path class="scale" d="{scale}" stroke="{MUTED}" stroke-width="1"/>')
        if row.now is not None and row.desired is not None:
            parts.append(
                f'<line x1="{_n(scale_x(row.now))}" y1="{_n(centre)}" '
                f'x2="{_n(scale_x(row.desired))}" y2="{_n(centre)}" stroke="{INK}" '
                f'stroke-width="3"/>'
            )
        if row.now is not None:
            parts.append(_circle(scale_x(row.now), centre, 6, NOW))
            legend_items["now"] = (_circle(12, 0, 6, NOW), legend_labels["now"])
        if row.desired is not None:
            parts.append(_diamond(scale_x(row.desired), centre, 8, DESIRED))
            legend_items["desired"] = (_diamond(12, 0, 8, DESIRED), legend_labels["desired"])
        parts.append("</g>")
        y += row_height

    ordered = [legend_items[key] for key in ("now", "desired") if key in legend_items]
    if rows and not ordered:
        parts.append(_empty_message(width / 2, y + 18))
        y += 28
    legend_markup, legend_height = _legend(ordered, x=24, y=y + 8, width=width - 48)
    parts.append(legend_markup)
    return _svg(
        id_prefix=id_prefix,
        title=title,
        description=description,
        width=width,
        height=y + 8 + legend_height + 8,
        body="".join(parts),
    )


# --- distribution of answers ---------------------------------------------------------------


def distribution_bars(
    counts: Sequence[tuple[str, int]],
    *,
    title: str,
    description: str,
    id_prefix: str,
    max_count: int | None = None,
) -> SafeString:
    """Horizontal bars, one per answer category, each with its count written at its end."""
    if any(count < 0 for _label, count in counts):
        raise ValueError("Counts must not be negative.")
    width, size = 480.0, 12.0
    label_width, count_room = 80.0, 48.0
    bar_left = label_width + 10
    bar_room = width - bar_left - count_room
    bar_height = 16.0
    largest = max([count for _label, count in counts] + [max_count or 0, 0])

    parts = []
    top = y = 8.0
    if not counts:
        parts.append(
            f'<rect x="0.5" y="{_n(top)}" width="{_n(width - 1)}" height="48" fill="none" '
            f'stroke="{GRID}"/>'
        )
        parts.append(_empty_message(width / 2, top + 29))
        y = top + 48
    else:
        line = size * 1.25
        label_chars = _chars_for(label_width, size)
        for label, count in counts:
            lines = wrap_words(str(label), label_chars)
            row = max(bar_height, len(lines) * line)
            middle = y + row / 2
            bar = bar_room * count / largest if largest else 0
            parts.append(
                _text(
                    lines,
                    x=label_width,
                    y=middle - (len(lines) - 1) * line / 2 + size * 0.35,
                    anchor="end",
                )
            )
            if bar > 0:
                parts.append(
                    f'<rect x="{_n(bar_left)}" y="{_n(middle - bar_height / 2)}" '
                    f'width="{_n(bar)}" height="{_n(bar_height)}" fill="{NOW}"/>'
                )
            parts.append(
                _text([str(count)], x=bar_left + bar + 6, y=middle + size * 0.35, weight="600")
            )
            y += row + 10
        y -= 10
        parts.append(
            f'<line x1="{_n(bar_left)}" y1="{_n(top - 4)}" x2="{_n(bar_left)}" '
            f'y2="{_n(y + 4)}" stroke="{MUTED}" stroke-width="1"/>'
        )
    height = y + 12
    return _svg(
        id_prefix=id_prefix,
        title=title,
        description=description,
        width=width,
        height=height,
        body="".join(parts),
    )

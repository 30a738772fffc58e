"""A small SVG chart of scores across rounds, in the conventions of ``charts``.

One panel per series (a principle), stacked: the series' name on the left, its values as
points joined by a line, and every value written above its point. Series are told apart by
their names, not by colour, so the chart reads the same in greyscale and to a screen reader
(the page puts the same figures in a table beside it).

Values are agreed scores (whole numbers) or medians of them, so they are written as the
scores are: "3", or "3,5" for a median halfway between two, never "3,0". A line joins two
rounds only where the caller says the change between them may be shown (``joined``): where
too few units took part in both, the points stand alone.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from assessments.templatetags.numbers import score

from .charts import GRID, INK, MUTED, NOW, _chars_for, _circle, _empty_message, _n, _svg, _text
from .charts import wrap_words as _wrap


@dataclass(frozen=True)
class TrendSeries:
    """One line: a label and one value per round (None where there is none)."""

    label: str
    values: Sequence[float | None]


def trend_lines(
    series: Sequence[TrendSeries],
    *,
    x_labels: Sequence[str],
    title: str,
    description: str,
    id_prefix: str,
    low: float = 1,
    high: float = 5,
    joined: Sequence[bool] | None = None,
) -> SafeString:
    """Stacked small line charts, one per series, sharing the rounds along the bottom.

    ``joined`` has one flag per pair of neighbouring rounds: draw the line between them or
    not (all drawn when it is None).
    """
    if high <= low:
        raise ValueError("high must be larger than low.")
    gaps = max(len(x_labels) - 1, 0)
    if joined is None:
        joined = [True] * gaps
    if len(joined) != gaps:
        raise ValueError("joined needs one flag per pair of neighbouring rounds.")
    for item in series:
        if len(item.values) != len(x_labels):
            raise ValueError(f"{item.label!r} needs one value per round.")
        for value in item.values:
            if value is not None and (not math.isfinite(value) or not low <= value <= high):
                raise ValueError(f"{value!r} is off the scale {low:g}–{high:g}.")

    width, size = 620.0, 12.0
    line = size * 1.25
    label_width = 150.0
    plot_left, plot_right = label_width + 20, width - 16
    plot_height, panel_gap = 44.0, 22.0
    count = max(len(x_labels), 1)
    step = (plot_right - plot_left) / count

    def x_at(index: int) -> float:
        return plot_left + (index + 0.5) * step

    parts: list[str] = []
    y = 8.0
    if not series or not x_labels:
        parts.append(
            f'<rect x="0.5" y="{_n(y)}" width="{_n(width - 1)}" height="60" fill="none" '
            f'stroke="{GRID}"/>'
        )
        parts.append(_empty_message(width / 2, y + 35))
        y += 60
    else:
        label_chars = _chars_for(label_width, size)
        for item in series:
            top = y + size + 4  # room for the values written above the highest points
            bottom = top + plot_height

            def y_at(value: float, top: float = top) -> float:
                return top + (high - value) / (high - low) * plot_height

            lines = _wrap(item.label, label_chars)[:3]
            middle = (top + bottom) / 2
            parts.append('<g class="trend-series">')
            parts.append(
                _text(
                    lines,
                    x=label_width,
                    y=middle - (len(lines) - 1) * line / 2 + size * 0.35,
                    size=size,
                    anchor="end",
                    weight="600",
                )
            )
            for mark in (low, (low + high) / 2, high):
                parts.append(
                    f'<line x1="{_n(plot_left)}" y1="{_n(y_at(mark))}" x2="{_n(plot_right)}" '
                    f'y2="{_n(y_at(mark))}" stroke="{GRID}" stroke-width="0.75"/>'
                )
                parts.append(
                    _text(
                        [f"{mark:g}"],
                        x=plot_left - 6,
                        y=y_at(mark) + 3,
                        size=9,
                        anchor="end",
                        fill=MUTED,
                    )
                )
            # Lines only between neighbouring rounds that both have a value and may be
            # compared: a gap stays a gap.
            points = [
                (x_at(i), y_at(value)) if value is not None else None
                for i, value in enumerate(item.values)
            ]
            for (start, end), join in zip(itertools.pairwise(points), joined, strict=True):
                if start and end and join:
                    parts.append(
                        f'<line x1="{_n(start[0])}" y1="{_n(start[1])}" x2="{_n(end[0])}" '
                        f'y2="{_n(end[1])}" stroke="{NOW}" stroke-width="2.5"/>'
                    )
            for point, value in zip(points, item.values, strict=True):
                if point is None:
                    continue
                parts.append(_circle(point[0], point[1], 4, NOW))
                parts.append(
                    _text(
                        [score(value)],
                        x=point[0],
                        y=point[1] - 8,
                        size=10,
                        anchor="middle",
                        weight="600",
                    )
                )
            parts.append("</g>")
            y = bottom + panel_gap

        # The rounds, once, under the last panel.
        round_chars = _chars_for(step - 6, 10)
        label_lines = [_wrap(label, round_chars)[:3] for label in x_labels]
        for i, lines in enumerate(label_lines):
            parts.append(_text(lines, x=x_at(i), y=y, size=10, anchor="middle", fill=INK))
        y += max((len(lines) for lines in label_lines), default=1) * 10 * 1.25

    return _svg(
        id_prefix=id_prefix,
        title=title,
        description=description,
        width=width,
        height=y + 8,
        body="".join(parts),
    )

"""The balance report's charts: the report's data handed to ``charts`` with its labels.

The same SVG goes into the web page and (as an image) into the PDF. ``charts`` escapes every
text that goes in; the figures come from the released snapshot through ``report_data``.
"""

from typing import Any

from django.utils.translation import gettext as _

from assessments import scoring

from . import charts
from .report_data import STATEMENT_SCALE, UnitReport


def _chart_balance(balance: scoring.Balance | None) -> charts.Balance | None:
    return charts.Balance(*balance.as_tuple()) if balance is not None else None


def scale_labels() -> list[str]:
    """Column labels of the 1–5 statement scale, "don't know" last."""
    return [str(step) for step in STATEMENT_SCALE] + [_("Don't know")]


def report_charts(
    report: UnitReport, *, distributions: bool = True, for_print: bool = False
) -> dict[str, Any]:
    """The SVG charts of the report (charts.py escapes every text that goes in).

    ``distributions=False`` leaves out the bars per principle: the PDF shows their figures in
    each principle's table and saves the page space and the drawing time. ``for_print`` draws
    for the PDF's page of charts: triangle and radar side by side with larger lettering, the
    profile flatter (its poles wrap into fewer lines), so that one page holds all three.
    """
    balance = report.balance
    agreed = balance.is_agreed
    triangle = charts.balance_triangle(
        now=_chart_balance(balance.now),
        desired=_chart_balance(balance.desired),
        cells=[charts.DensityCell(c.market, c.hierarchy, c.count) for c in balance.cells_now],
        labels={s.key: s.name for s in balance.steering},
        title=_("Steering balance: now and desired"),
        description=_(
            "Where the unit's governance lies between competition, regulation and trust now, "
            "and where the group wants it to be. The table beside the chart gives the figures."
        ),
        id_prefix="chart-balance",
        font_size=16 if for_print else 13,
        legend={
            "cells": _("Where at least %(min)d participants' views of now lie (their number)")
            % {"min": report.min_respondents},
            **(
                {}
                if agreed
                else {"now": _("Now (group mean)"), "desired": _("Desired (group mean)")}
            ),
        },
    )
    radar = charts.principles_radar(
        [
            charts.RadarAxis(
                label=p.name,
                agreed=p.agreed,
                median=p.index_median,
                low=p.index_low,
                high=p.index_high,
                previous=p.previous_agreed,
            )
            for p in report.principles
        ],
        title=_("The guiding principles"),
        description=_(
            "The group's agreed score per principle on the 1–5 scale, with the median and the "
            "middle half (interquartile range) of the participants' own answers and the "
            "previous round's agreed score. The table gives the figures."
        ),
        id_prefix="chart-radar",
        font_size=15 if for_print else 12,
    )
    any_median = report.any_median_in_profile
    profile = charts.control_trust_profile(
        [
            charts.ProfileRow(d.name, d.control_pole, d.trust_pole, d.now, d.desired)
            for d in report.dimensions
        ],
        title=_("Control and trust: now and desired"),
        description=_(
            "Per dimension, where the unit is now and where it wants to be, from 1 (control) "
            "to 7 (trust). The table gives the figures."
        ),
        id_prefix="chart-profile",
        pole_width=230 if for_print else 160,
        legend={
            "now": _("Now (agreed, or median where not agreed)") if any_median else _("Now"),
            "desired": _("Desired (agreed, or median where not agreed)")
            if any_median
            else _("Desired"),
        },
    )
    labels = scale_labels()
    distributions = {}
    for p in report.principles:
        if p.distribution is None or not distributions:
            continue
        counts = [*p.distribution.counts, (None, p.distribution.dont_know)]
        distributions[p.key] = charts.distribution_bars(
            [(label, count) for label, (_value, count) in zip(labels, counts, strict=True)],
            title=_("Answers on %(principle)s") % {"principle": p.name},
            description=_(
                "How many answers to the principle's statements fell on each step of the "
                "scale from 1 (not at all true) to 5 (entirely true), and how many answered "
                "“don't know”."
            ),
            id_prefix=f"chart-distribution-{p.number}",
        )
    return {"balance": triangle, "radar": radar, "profile": profile, "distributions": distributions}

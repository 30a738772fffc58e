"""Comparing units, for quality developers: the page, its exports and PDF, and trends.

Everything is looked up through ``scoping``: a part of the tree or a round outside the
person's responsibility is a 404; the start page, which names no object, is a 403 for
people who oversee nothing.
"""

import html
import math

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .. import comparison as comparing
from .. import exports, scoping
from ..models import UnitAssessment
from ..reports import charts
from ..reports.trends import TrendSeries, trend_lines


def _require_overseer(request: HttpRequest) -> None:
    if not scoping.can_plan_rounds(request.user):
        raise PermissionDenied


# --- presentation helpers (charts and their text) -------------------------------------------


def _chart_balance(balance) -> charts.Balance | None:
    return charts.Balance(*balance.as_tuple()) if balance is not None else None


def balance_chart(data: comparing.Comparison) -> str:
    """Every compared unit's agreed balance now as one dot on one shared triangle."""
    points = [_chart_balance(row.balance_now) for row in data.rows if row.balance_now]
    steering = data.steering
    return charts.balance_triangle(
        now=_chart_balance(data.balance_now),
        desired=_chart_balance(data.balance_desired),
        points=points,
        labels={key: steering.get(key, key) for key in ("market", "hierarchy", "trust")},
        title=_("Agreed steering balance of the units in %(node)s") % {"node": data.node.name},
        description=ngettext(
            "%(count)d unit's agreed balance now, one dot per unit, and the mean of all units "
            "now and desired. The table below gives each unit's figures.",
            "%(count)d units' agreed balance now, one dot per unit, and the mean of all units "
            "now and desired. The table below gives each unit's figures.",
            len(points),
        )
        % {"count": len(points)},
        id_prefix="compare-balance",
        legend={
            "now": _("Mean of the units' agreed balance now"),
            "desired": _("Mean of the units' agreed balance desired"),
            "points": _("One unit's agreed balance now"),
        },
    )


def profile_chart(group: comparing.Group, index: int) -> str:
    rows = [
        charts.ProfileRow(
            label=line.column.name,
            control_pole=line.column.control_pole,
            trust_pole=line.column.trust_pole,
            now=line.now,
            desired=line.desired,
        )
        for line in group.profile
    ]
    return charts.control_trust_profile(
        rows,
        title=_("Control–trust profile of %(group)s") % {"group": group.unit.name},
        description=_(
            "For each dimension the median of the units' agreed now and desired, on a scale "
            "from 1 (control) to 7 (trust). The table beside gives the figures."
        ),
        id_prefix=f"compare-profile-{index}",
        legend={
            "now": _("Now (median of the units' agreement)"),
            "desired": _("Desired (median of the units' agreement)"),
        },
    )


def heat_body(data: comparing.Comparison, *, links: bool) -> SafeString:
    """The heat map's rows, built here rather than in the template.

    A thousand units × seven principles is seven thousand cells: the template language
    takes about a second over that, plain string building a few milliseconds. Every text
    from the database goes through ``escape``; the rest are numbers.
    """
    separator = get_format("DECIMAL_SEPARATOR")
    escape = html.escape  # the stdlib's: Django's lazy-aware wrapper costs more per call
    columns = len(data.principles) + 2
    too_few = escape(_("agreements only (too few answered)"))
    out: list[str] = []
    append = out.append

    def number(value: float) -> str:
        # One decimal, rounded half up as ``floatformat`` does, in the language's notation.
        return f"{math.floor(value * 10 + 0.5 + 1e-9) / 10:.1f}".replace(".", separator)

    for group in data.groups:
        if not group.rows:
            continue
        name = escape(group.unit.name)
        title = f'<a href="{group.url}">{name}</a>' if links and group.url else name
        done = escape(
            _("%(done)d of %(total)d units done")
            % {"done": group.units_done, "total": group.units_in_round}
        )
        append(
            f'<tr class="group-heading"><th scope="rowgroup" colspan="{columns}">{title} '
            f'<span class="small-group fw-normal">{done}</span></th></tr>'
        )
        for row in group.rows:
            unit_name = escape(row.unit.name)
            label = f'<a href="{row.url}">{unit_name}</a>' if links else unit_name
            note = "" if row.enough else f'<span class="d-block small-group">{too_few}</span>'
            append(
                f'<tr><th scope="row">{label}<span class="unit-code">{escape(row.unit.code)}'
                f'</span>{note}</th><td class="num">{row.respondents}</td>'
            )
            for cell in row.cells:
                if cell.agreed is None:
                    append('<td class="heat hm0"><b>–</b>')
                else:
                    append(f'<td class="heat hm{cell.agreed}"><b>{cell.agreed}</b>')
                if cell.median is not None:
                    append(f"<small>Md {number(cell.median)}</small>")
                append("</td>")
            append("</tr>")
        if len(group.rows) > 1:
            label = escape(_("%(group)s: median of the agreed scores") % {"group": group.unit.name})
            append(
                f'<tr class="group-summary"><th scope="row">{label}</th>'
                f'<td class="num">{group.respondents}</td>'
            )
            for value in group.summary:
                append(f'<td class="heat">{"–" if value is None else number(value)}</td>')
            append("</tr>")
    return mark_safe("".join(out))  # every text above is escaped


def balance_body(data: comparing.Comparison) -> SafeString:
    """The rows of the per-unit balance table (the chart's text equivalent)."""
    escape = html.escape
    out: list[str] = []

    def cells(balance) -> str:
        if balance is None:
            return '<td class="num">–</td>' * 3
        return "".join(f'<td class="num">{value}</td>' for value in balance.as_tuple())

    for row in data.rows:
        out.append(
            f'<tr><th scope="row">{escape(row.unit.name)}</th>'
            f"{cells(row.balance_now)}{cells(row.balance_desired)}</tr>"
        )
    if data.balance_now is not None:
        out.append(
            f'<tr><th scope="row">{escape(_("Mean of the units"))}</th>'
            f"{cells(data.balance_now)}{cells(data.balance_desired)}</tr>"
        )
    return mark_safe("".join(out))  # every text above is escaped


def comparison_context(data: comparing.Comparison, *, links: bool = True) -> dict:
    return {
        "comparison": data,
        "round": data.round,
        "node": data.node,
        "heat_body": heat_body(data, links=links),
        "balance_body": balance_body(data),
        "balance_chart": balance_chart(data),
        "profiles": [(group, profile_chart(group, i)) for i, group in enumerate(data.groups)],
        "heat_levels": range(1, 6),
        "links": links,
    }


# --- views -----------------------------------------------------------------------------------


@login_required
def compare_index(request: HttpRequest) -> HttpResponse:
    """Where to start: the rounds and the parts of the tree the person oversees."""
    _require_overseer(request)
    rounds = list(comparing.rounds_for(request.user).order_by("-opens_on", "-pk"))
    tops = comparing.top_units(request.user)
    entries = []
    for round_ in rounds:
        # A top unit belongs with a round when one of their trees lies within the other.
        units = [
            unit
            for unit in tops
            if unit.path.startswith(round_.root.path) or round_.root.path.startswith(unit.path)
        ]
        entries.append((round_, units))
    return render(
        request,
        "assessments/compare/index.html",
        {"entries": entries, "tops": tops},
    )


@login_required
def compare(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    data = comparing.build_comparison(request.user, round_, node)
    other_rounds = (
        comparing.rounds_for(request.user)
        .filter(
            Exists(
                UnitAssessment.objects.filter(
                    round=OuterRef("pk"), unit__path__startswith=node.path
                )
            )
        )
        .exclude(pk=round_.pk)
        .order_by("-opens_on", "-pk")
    )
    context = comparison_context(data)
    context["other_rounds"] = list(other_rounds)
    return render(request, "assessments/compare/compare.html", context)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def compare_csv(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    data = comparing.build_comparison(request.user, round_, node)
    return _download(exports.to_csv(data), "text/csv; charset=utf-8", exports.filename(data, "csv"))


@login_required
def compare_xlsx(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    data = comparing.build_comparison(request.user, round_, node)
    return _download(
        exports.to_xlsx(data),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.filename(data, "xlsx"),
    )


@login_required
def compare_pdf(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    data = comparing.build_comparison(request.user, round_, node)
    language = (get_language() or "sv").split("-")[0]
    title = _("Comparison of units: %(node)s, %(round)s") % {
        "node": node.name,
        "round": round_.name,
    }
    context = comparison_context(data, links=False)
    context.update({"title": title, "language": language, "unit_name": node.name})
    html = render_to_string("assessments/compare/pdf.html", context, request=request)
    from ..reports.pdf import render_pdf  # WeasyPrint loads only when a PDF is asked for

    pdf = render_pdf(html, base_url=request.build_absolute_uri("/"), title=title, language=language)
    return _download(pdf, "application/pdf", exports.filename(data, "pdf"))


@login_required
def compare_trend(request: HttpRequest, unit_pk: int) -> HttpResponse:
    node = scoping.get_or_404(scoping.overseen_units(request.user), pk=unit_pk)
    trend = comparing.build_trend(request.user, node)
    chart = trend_lines(
        [TrendSeries(row.name, row.values) for row in trend.rows],
        x_labels=[item.round.name for item in trend.rounds],
        title=_("Agreed scores per principle across rounds: %(node)s") % {"node": node.name},
        description=(
            _("The score each principle was agreed on in each round.")
            if trend.is_unit
            else _("The median of the units' agreed scores for each principle in each round.")
        )
        + " "
        + _("The table gives the same figures."),
        id_prefix="trend",
    )
    return render(
        request,
        "assessments/compare/trend.html",
        {"trend": trend, "node": node, "chart": chart},
    )


urlpatterns = [
    path("jamforelse/", compare_index, name="compare_index"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/", compare, name="compare"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/export.csv", compare_csv, name="compare_csv"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/export.xlsx", compare_xlsx, name="compare_xlsx"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/rapport.pdf", compare_pdf, name="compare_pdf"),
    path("jamforelse/utveckling/<int:unit_pk>/", compare_trend, name="compare_trend"),
]

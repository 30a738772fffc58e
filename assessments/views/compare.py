"""Comparing units, for quality developers: the page, its exports and PDF, and trends.

Everything is looked up through ``scoping``: a part of the tree or a round outside the
person's responsibility is a 404; the start page, which names no object, is a 403 for
people who oversee nothing.

The page stays small and quick however many units a department has: where several
departments are compared, each shows as one row of medians, and its units' rows come from
``compare_rows`` when the reader opens it (static/js/compare.js) or, without JavaScript, on
the department's own comparison, which the same link leads to. The exports and the PDF,
which nobody reads on a phone, hold every unit.
"""

import html

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from reports import charts, stored, stored_comparisons
from reports import comparison as comparing
from reports.models import ReportState
from reports.trends import TrendSeries, trend_lines
from tillit.downloads import attachment

from .. import scoping
from ..models import ActionOutcome, UnitAssessment
from ..templatetags.numbers import decimal, score
from .reports import language_of


def _require_overseer(request: HttpRequest) -> None:
    if not scoping.can_plan_rounds(request.user):
        raise PermissionDenied


# --- presentation helpers (charts and their text) -------------------------------------------


def _chart_balance(balance) -> charts.Balance | None:
    return charts.Balance(*balance.as_tuple()) if balance is not None else None


def balance_chart(data: comparing.Comparison, *, folded: bool = False) -> str:
    """Every compared unit's agreed balance now as one dot on one shared triangle."""
    points = [_chart_balance(row.balance_now) for row in data.rows if row.balance_now]
    steering = data.steering
    if folded:
        description = ngettext(
            "%(count)d unit's agreed balance now, one dot per unit, and the mean of all units "
            "now and desired. The table below gives each department's mean.",
            "%(count)d units' agreed balance now, one dot per unit, and the mean of all units "
            "now and desired. The table below gives each department's mean.",
            len(points),
        )
    else:
        description = ngettext(
            "%(count)d unit's agreed balance now, one dot per unit, and the mean of all units "
            "now and desired. The table below gives each unit's figures.",
            "%(count)d units' agreed balance now, one dot per unit, and the mean of all units "
            "now and desired. The table below gives each unit's figures.",
            len(points),
        )
    return charts.balance_triangle(
        now=_chart_balance(data.balance_now),
        desired=_chart_balance(data.balance_desired),
        points=points,
        labels={key: steering.get(key, key) for key in ("market", "hierarchy", "trust")},
        title=_("Agreed steering balance of the units in %(node)s") % {"node": data.node.name},
        description=description % {"count": len(points)},
        id_prefix="compare-balance",
        legend={
            "now": _("Mean of the units' agreed balance now"),
            "desired": _("Mean of the units' agreed balance desired"),
            "points": _("One unit's agreed balance now"),
        },
    )


def profile_chart(lines: list[comparing.ProfileLine], name: str, index: int) -> str:
    rows = [
        charts.ProfileRow(
            label=line.column.name,
            control_pole=line.column.control_pole,
            trust_pole=line.column.trust_pole,
            now=line.now,
            desired=line.desired,
        )
        for line in lines
    ]
    return charts.control_trust_profile(
        rows,
        title=_("Control–trust profile of %(group)s") % {"group": name},
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


def unit_rows(rows: list[comparing.UnitRow], *, links: bool) -> str:
    """The heat map's rows of single units: plain string building, not the template.

    A thousand units × seven principles is seven thousand cells: the template language
    takes about a second over that, plain strings a few milliseconds. Every text from the
    database goes through ``escape``; the rest are numbers.
    """
    escape = html.escape  # the stdlib's: Django's lazy-aware wrapper costs more per call
    too_few = escape(_("agreements only (too few answered)"))
    out: list[str] = []
    append = out.append
    for row in rows:
        unit_name = escape(row.unit.name)
        label = f'<a href="{row.url}">{unit_name}</a>' if links else unit_name
        counted = escape(
            ngettext("%(count)d respondent", "%(count)d respondents", row.respondents)
            % {"count": row.respondents}
        )
        note = "" if row.enough else f'<span class="d-block small-group">{too_few}</span>'
        append(
            f'<tr><th scope="row">{label}<span class="unit-meta">'
            f"{escape(row.unit.code)} · {counted}</span>{note}</th>"
        )
        for cell in row.cells:
            if cell.agreed is None:
                append('<td class="heat hm0"><b>–</b>')
            else:
                append(f'<td class="heat hm{cell.agreed}"><b>{cell.agreed}</b>')
            if cell.median is not None:
                append(f"<small>Md {decimal(cell.median)}</small>")
            append("</td>")
        append("</tr>")
    return "".join(out)


def heat_body(data: comparing.Comparison, *, links: bool, fold: bool = False) -> SafeString:
    """The heat map's row groups: one ``<tbody>`` per department.

    With ``fold`` (the page, where ``data.folds``), a department other than the node itself
    is one row of medians with a link to its units; otherwise its units follow its heading.
    """
    escape = html.escape
    columns = len(data.principles) + 1
    out: list[str] = []
    append = out.append
    for group in data.groups:
        if not group.rows:
            continue
        name = escape(group.unit.name)
        title = f'<a href="{group.url}">{name}</a>' if links and group.url else name
        done = escape(
            _("%(done)d of %(total)d units done")
            % {"done": group.units_done, "total": group.units_in_round}
        )
        summary = [
            f'<td class="heat">{"–" if value is None else score(value)}</td>'
            for value in group.summary
        ]
        append(f'<tbody id="heat-group-{group.unit.pk}">')
        if fold and data.folds and not group.is_node:
            show = escape(
                ngettext(
                    "Show its %(count)d unit",
                    "Show its %(count)d units",
                    len(group.rows),
                )
                % {"count": len(group.rows)}
            )
            toggle = (
                f'<a class="unit-toggle" href="{group.url}" data-rows="{group.rows_url}" '
                f'data-group="heat-group-{group.unit.pk}">{show}</a>'
                if links
                else ""
            )
            append(
                f'<tr class="group-row"><th scope="row">{title}'
                f'<span class="unit-meta">{done}</span>{toggle}</th>'
                f"{''.join(summary)}</tr>"
            )
        else:
            append(
                f'<tr class="group-heading"><th scope="rowgroup" colspan="{columns}">{title} '
                f'<span class="small-group fw-normal">{done}</span></th></tr>'
            )
            append(unit_rows(group.rows, links=links))
            if len(group.rows) > 1:
                label = escape(
                    _("%(group)s: median of the agreed scores") % {"group": group.unit.name}
                )
                append(
                    f'<tr class="group-summary"><th scope="row">{label}</th>{"".join(summary)}</tr>'
                )
        append("</tbody>")
    return mark_safe("".join(out))  # every text above is escaped


def balance_body(data: comparing.Comparison, *, fold: bool = False) -> SafeString:
    """The rows of the balance table (the chart's text equivalent): per unit, or with
    ``fold`` the mean per department."""
    escape = html.escape
    out: list[str] = []

    def cells(balance) -> str:
        if balance is None:
            return '<td class="num">–</td>' * 3
        return "".join(f'<td class="num">{value}</td>' for value in balance.as_tuple())

    lines = (
        [(g.unit.name, g.balance_now, g.balance_desired) for g in data.groups if g.rows]
        if fold and data.folds
        else [(r.unit.name, r.balance_now, r.balance_desired) for r in data.rows]
    )
    for name, now, desired in lines:
        out.append(f'<tr><th scope="row">{escape(name)}</th>{cells(now)}{cells(desired)}</tr>')
    if data.balance_now is not None:
        mean = _("Mean of the units")  # outside the f-string: makemessages cannot read inside
        out.append(
            f'<tr><th scope="row">{escape(mean)}</th>'
            f"{cells(data.balance_now)}{cells(data.balance_desired)}</tr>"
        )
    return mark_safe("".join(out))  # every text above is escaped


def comparison_context(data: comparing.Comparison, *, links: bool = True, fold: bool = False):
    """What the page (``fold``: departments as rows) and the PDF (every unit) show."""
    folded = fold and data.folds
    # Folded: one profile for the whole node, and the departments side by side in a table.
    profiles = (
        []
        if folded
        else [
            (group, profile_chart(group.profile, group.unit.name, i))
            for i, group in enumerate(data.groups)
        ]
    )
    return {
        "node_profile_chart": profile_chart(data.profile, data.node.name, 0) if folded else "",
        "comparison": data,
        "round": data.round,
        "node": data.node,
        "folded": folded,
        "heat_body": heat_body(data, links=links, fold=fold),
        "balance_body": balance_body(data, fold=fold),
        "balance_chart": balance_chart(data, folded=folded),
        "profiles": profiles,
        "heat_levels": range(1, 6),
        "links": links,
    }


# --- a worker's start -------------------------------------------------------------------------

# The templates of the comparison page, compiled once per process by the cached loader.
PAGE_TEMPLATES = (
    "assessments/compare/compare.html",
    "assessments/compare/_heat_map.html",
    "assessments/compare/_scroll_hint.html",
    "assessments/compare/_balance_table.html",
    "assessments/compare/_profile_table.html",
    "assessments/compare/_profile_groups_table.html",
    "assessments/compare/_participation.html",
    "assessments/compare/_actions.html",
    "assessments/compare/_method.html",
)


def warm_up() -> None:
    """Load what a worker's first comparison page would otherwise load while someone waits.

    Run once when a web worker starts (gunicorn's ``post_worker_init`` in gunicorn.conf.py):
    the URL configuration, which imports every view module, the table ``reverse`` builds for
    each language, the page's
    compiled templates; then it freezes what is loaded so that the garbage collector does
    not walk all of it again during the first requests (``gc.freeze``). It needs no
    database. ``manage.py benchmark_compare --warm-up`` measures the first request after it.
    """
    import gc

    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    from tillit.sso.urls import load_provider_views

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (evaluating it imports every view module)
    load_provider_views()  # the configured identity providers' views, imported lazily
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            resolver.reverse_dict  # noqa: B018  (built per language on first use)
            for name in PAGE_TEMPLATES:
                get_template(name)
    gc.collect()
    gc.freeze()


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
    context = comparison_context(data, fold=True)
    context["other_rounds"] = list(other_rounds)
    return render(request, "assessments/compare/compare.html", context)


@login_required
def compare_rows(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    """A department's unit rows alone, for the page to put under the department's row.

    Scoped like the page (another department is a 404), and the same rows the
    department's own comparison shows, in tree order.
    """
    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    data = comparing.build_comparison(request.user, round_, node)
    return HttpResponse(unit_rows(data.rows, links=True), content_type="text/html; charset=utf-8")


# The exports import openpyxl and WeasyPrint, which take long to load: only when asked for,
# so that starting a worker and its first comparison page do not wait for them.


@login_required
def compare_csv(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    from reports import exports

    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    data = comparing.build_comparison(request.user, round_, node)
    return attachment(
        exports.to_csv(data), "text/csv; charset=utf-8", exports.filename(data, "csv")
    )


@login_required
def compare_xlsx(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    from reports import exports

    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    data = comparing.build_comparison(request.user, round_, node)
    return attachment(
        exports.to_xlsx(data),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.filename(data, "xlsx"),
    )


def comparison_pdf_html(user, round_, node, *, language: str, audience: str) -> tuple[str, str]:
    """The comparison PDF's HTML and title in ``language``, as ``user`` may see it.

    Stored figures and templates only, no WeasyPrint: cheap enough for a request, which needs
    it to know whether the stored file is still this comparison. It does not depend on the
    request (no links, no host), so any viewer with the same HTML gets the same file.
    """
    from governance.overview import build_overview
    from reports.stored_comparisons import AUDIENCE_SIGNALS

    with translation.override(language):
        data = comparing.build_comparison(user, round_, node)
        title = _("Comparison of units: %(node)s, %(round)s") % {
            "node": node.name,
            "round": round_.name,
        }
        context = comparison_context(data, links=False)
        context.update({"title": title, "language": language, "unit_name": node.name, "pdf": True})
        if audience == AUDIENCE_SIGNALS:
            context["signals"] = build_overview(user, round_, node)
        return render_to_string("assessments/compare/pdf.html", context), title


def _pdf_urls(round_, node, language: str) -> tuple[str, str]:
    args = [round_.pk, node.pk]
    query = f"?lang={language}"
    return (
        reverse("compare_pdf", args=args) + query,
        reverse("compare_pdf_status", args=args) + query,
    )


@never_cache
@login_required
@require_GET
def compare_pdf(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    """The stored comparison PDF if it is this comparison as the viewer may see it, else the
    page that follows its rendering. Never rendered here (``reports.stored_comparisons``).

    ``?previous=1`` gives the file stored before, while a new one is being made.
    """
    from reports import exports

    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    language = language_of(request)
    audience = stored_comparisons.audience_for(request.user)
    name = exports.filename_for(node.name, round_.name, "pdf", language=language)
    status_url = _pdf_urls(round_, node, language)[1]
    if request.GET.get("previous"):
        row = stored_comparisons.find(round_, node, language=language, audience=audience)
        if row is not None and row.has_file:
            return stored.file_response(row, name)
        return redirect(status_url)
    html, title = comparison_pdf_html(
        request.user, round_, node, language=language, audience=audience
    )
    row, current = stored_comparisons.wanted(
        round_, node, language=language, audience=audience, html=html, title=title
    )
    if current:
        return stored.file_response(row, name)
    return redirect(status_url)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def compare_pdf_status(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    """How far the comparison PDF has come: a page, or JSON for its script; POST tries a
    failed render again."""
    round_, node = comparing.get_round_and_node(request.user, round_pk, unit_pk)
    language = language_of(request)
    audience = stored_comparisons.audience_for(request.user)
    pdf_url, status_url = _pdf_urls(round_, node, language)
    row = stored_comparisons.find(round_, node, language=language, audience=audience)
    if row is None:
        return redirect(pdf_url)  # not asked for yet: asking is what makes it
    if request.method == "POST":
        if row.state == ReportState.FAILED:
            stored.queue_again(row)
        return redirect(status_url)
    facts = stored.status_facts(row, pdf_url)
    if request.GET.get("format") == "json":
        return JsonResponse(facts)
    return render(
        request,
        "reports/stored/status.html",
        {
            "heading": _("Comparison of units as PDF"),
            "subject": f"{node.name} – {round_.name}",
            "row": row,
            "facts": facts,
            "previous_is_preview": False,
            "pdf_url": pdf_url,
            "status_url": status_url,
            "back_url": reverse("compare", args=[round_.pk, node.pk]),
            "back_label": _("Back to the comparison"),
        },
    )


@login_required
def compare_trend(request: HttpRequest, unit_pk: int) -> HttpResponse:
    node = scoping.get_or_404(scoping.overseen_units(request.user), pk=unit_pk)
    trend = comparing.build_trend(request.user, node)
    chart = trend_lines(
        [TrendSeries(row.name, row.values) for row in trend.rows],
        x_labels=[item.round.name for item in trend.rounds],
        # A line says "the same units, later": only where both rounds' medians stand on
        # the same units and the change may be shown.
        joined=[step.shown and step.same_units for step in trend.steps],
        title=_("Agreed scores per principle across rounds: %(node)s") % {"node": node.name},
        description=(
            _("The score each principle was agreed on in each round.")
            if trend.is_unit
            else _(
                "The median of the agreed scores of the units that completed each round. A "
                "line joins two rounds only where the same units, enough of them, completed "
                "both."
            )
        )
        + " "
        + _("The table gives the same figures."),
        id_prefix="trend",
    )
    return render(
        request,
        "assessments/compare/trend.html",
        {
            "trend": trend,
            "node": node,
            "chart": chart,
            "table": _trend_columns(trend),
            "outcome_choices": ActionOutcome.choices,
        },
    )


def _trend_columns(trend: comparing.Trend) -> tuple[list[dict], list[tuple]]:
    """The table's columns in reading order (a round, the change to the next, a round …)
    and per principle its cells in the same order."""
    columns: list[dict] = []
    for index, item in enumerate(trend.rounds):
        if index:
            columns.append({"step": trend.steps[index - 1]})
        columns.append({"round": item})
    rows = []
    for row in trend.rows:
        cells: list[dict] = []
        for index, value in enumerate(row.values):
            if index:
                cells.append({"change": row.changes[index - 1], "is_change": True})
            cells.append({"value": value})
        rows.append((row, cells))
    return columns, rows


urlpatterns = [
    path("jamforelse/", compare_index, name="compare_index"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/", compare, name="compare"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/enheter/", compare_rows, name="compare_rows"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/export.csv", compare_csv, name="compare_csv"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/export.xlsx", compare_xlsx, name="compare_xlsx"),
    path("jamforelse/<int:round_pk>/<int:unit_pk>/rapport.pdf", compare_pdf, name="compare_pdf"),
    path(
        "jamforelse/<int:round_pk>/<int:unit_pk>/rapport/status/",
        compare_pdf_status,
        name="compare_pdf_status",
    ),
    path("jamforelse/utveckling/<int:unit_pk>/", compare_trend, name="compare_trend"),
]

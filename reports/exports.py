"""CSV and XLSX exports of a comparison: the aggregates a quality developer may see.

Both are built from a ``comparison.Comparison``, so they hold exactly what the page shows:
one row per completed unit with its agreed figures, its number of respondents and, where at
least the anonymity threshold answered, the medians of the respondents' principle indices. There
is never a row per respondent, and a unit below the threshold has its medians left blank.

CSV is written the way Swedish Excel opens it with a double click: UTF-8 with a byte order
mark, semicolons between fields, decimal commas in Swedish. Lines starting with ``#`` above
the table say what the export holds and what each column means; the XLSX file has a
separate readme sheet for that.
"""

import csv
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tillit.downloads import file_name

from .comparison import Comparison

Value = str | int | float | None

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportColumn:
    header: str
    explanation: str


def _safe_text(value: str) -> str:
    """Names and titles are typed by people: never let a spreadsheet run one as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def columns(comparison: Comparison) -> list[ExportColumn]:
    threshold = comparison.min_respondents
    result = [
        ExportColumn(_("Department"), _("The heading the unit is grouped under in the tree.")),
        ExportColumn(_("Unit code"), _("The unit's code in the HR system.")),
        ExportColumn(_("Unit"), _("The unit's name.")),
        ExportColumn(
            _("Respondents"),
            _(
                "How many participants answered enough to count: at least half of the "
                "statements with a value (a count, no answers)."
            ),
        ),
        ExportColumn(
            _("Medians shown"),
            _(
                "Yes where the group's figures were released (at least %(min)d counted), so "
                "the medians may be shown; no otherwise: then only the group's agreements "
                "are given."
            )
            % {"min": threshold},
        ),
    ]
    for principle in comparison.principles:
        result.append(
            ExportColumn(
                _("%(principle)s: agreed") % {"principle": principle.name},
                _("The score (1–5) the group agreed on in the dialogue."),
            )
        )
        result.append(
            ExportColumn(
                _("%(principle)s: median") % {"principle": principle.name},
                _(
                    "The median of the respondents' indices for the principle (each "
                    "respondent's mean over its statements, “don't know” left out); blank "
                    "where fewer than %(min)d answered."
                )
                % {"min": threshold},
            )
        )
    for dimension in comparison.dimensions:
        for label, text in (
            (_("now"), _("Where the group agreed the unit is now, 1 (control) – 7 (trust).")),
            (_("desired"), _("Where the group agreed it wants to be, 1 (control) – 7 (trust).")),
        ):
            result.append(ExportColumn(f"{dimension.name}: {label}", text))
    steering = comparison.steering
    for kind_label in (_("now"), _("desired")):
        for key in ("market", "hierarchy", "trust"):
            result.append(
                ExportColumn(
                    _("Balance %(kind)s: %(principle)s")
                    % {"kind": kind_label, "principle": steering.get(key, key)},
                    _("Points of 100 the group agreed on for this steering principle."),
                )
            )
    result += [
        ExportColumn(_("Open actions"), _("Actions agreed in the dialogue and not yet done.")),
        ExportColumn(
            _("Overdue actions"), _("Open actions whose date has passed (on the export date).")
        ),
    ]
    return result


def rows(comparison: Comparison) -> list[list[Value]]:
    """One row per compared unit, in tree order; numbers stay numbers."""
    result: list[list[Value]] = []
    for group in comparison.groups:
        for row in group.rows:
            values: list[Value] = [
                group.unit.name,
                row.unit.code,
                row.unit.name,
                row.respondents,
                _("yes") if row.enough else _("no"),
            ]
            for cell in row.cells:
                values += [cell.agreed, cell.median if row.enough else None]
            for dimension in row.dimensions:
                values += [dimension.now, dimension.desired]
            for balance in (row.balance_now, row.balance_desired):
                values += list(balance.as_tuple()) if balance else [None, None, None]
            values += [row.open_actions, row.overdue_actions]
            result.append(values)
    return result


def about(comparison: Comparison) -> list[tuple[str, str]]:
    """What the export is: title, round, part of the tree, date and the anonymity rule."""
    return [
        (_("Export"), _("Tillit – comparison of units")),
        (_("Round"), comparison.round.name),
        (_("Part of the organisation"), comparison.node.name),
        (_("Framework version"), comparison.round.framework_version.display_name),
        (_("Exported"), date_format(timezone.localtime(), "DATETIME_FORMAT")),
        (
            _("Contents"),
            _(
                "One row per unit that has completed the round. Only what the groups agreed "
                "and figures over whole groups: never an individual's answers."
            ),
        ),
        (
            _("Anonymity"),
            _("Medians are shown only where at least %(min)d answered; elsewhere they are blank.")
            % {"min": comparison.min_respondents},
        ),
    ]


_FILE_WORDS = {"sv": "jamforelse", "en": "comparison"}


def filename_for(node_name: str, round_name: str, extension: str, *, language: str) -> str:
    """``jamforelse-<part>-<round>.<extension>`` in Swedish, ``comparison-…`` in English."""
    return file_name(_FILE_WORDS, language, node_name, round_name, extension=extension)


def filename(comparison: Comparison, extension: str, *, language: str | None = None) -> str:
    """The export's file name, in ``language`` or else the current one (the file's)."""
    return filename_for(
        comparison.node.name,
        comparison.round.name,
        extension,
        language=language or get_language() or "",
    )


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_format(value, 2)  # decimal comma in Swedish
    if isinstance(value, str):
        return _safe_text(value)
    return str(value)


def to_csv(comparison: Comparison) -> bytes:
    """UTF-8 with BOM, semicolon-separated, with ``#`` comment lines explaining the columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for label, text in about(comparison):
        writer.writerow([_safe_text(f"# {label}: {text}")])
    for column in columns(comparison):
        writer.writerow([_safe_text(f"# {column.header} – {column.explanation}")])
    writer.writerow([_safe_text(column.header) for column in columns(comparison)])
    for values in rows(comparison):
        writer.writerow([_csv_value(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(comparison: Comparison) -> bytes:
    """A workbook with the units, the open actions and a readme sheet."""
    workbook = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    data = workbook.active
    data.title = _("Units")[:31]
    cols = columns(comparison)
    data.append([_safe_text(column.header) for column in cols])
    for values in rows(comparison):
        data.append([_safe_text(v) if isinstance(v, str) else v for v in values])
    for cell in data[1]:
        cell.font = bold
        cell.alignment = wrap
    data.freeze_panes = "D2"
    for index, column in enumerate(cols, start=1):
        width = 32 if index in (1, 3) else min(max(len(column.header), 10), 28)
        data.column_dimensions[get_column_letter(index)].width = width

    actions = workbook.create_sheet(_("Open actions")[:31])
    actions.append([_("Unit code"), _("Unit"), _("What"), _("Who"), _("By when"), _("Status")])
    for cell in actions[1]:
        cell.font = bold
    for action in comparison.actions:
        actions.append(
            [
                _safe_text(action.unit.code),
                _safe_text(action.unit.name),
                _safe_text(action.title),
                _safe_text(action.responsible),
                action.due_on,
                action.status_label,
            ]
        )
    for letter, width in zip("ABCDEF", (12, 30, 50, 24, 12, 14), strict=True):
        actions.column_dimensions[letter].width = width
    if comparison.open_actions > len(comparison.actions):
        actions.append([])
        actions.append(
            [
                _("The %(shown)d actions due first of %(total)d open ones are listed.")
                % {"shown": len(comparison.actions), "total": comparison.open_actions}
            ]
        )

    readme = workbook.create_sheet(_("Readme")[:31], 0)
    readme.append([_("About this file")])
    readme["A1"].font = Font(bold=True, size=14)
    for label, text in about(comparison):
        readme.append([label, _safe_text(text)])
    readme.append([])
    readme.append([_("Column"), _("What it holds")])
    for cell in readme[readme.max_row]:
        cell.font = bold
    for column in cols:
        readme.append([_safe_text(column.header), column.explanation])
    readme.column_dimensions["A"].width = 34
    readme.column_dimensions["B"].width = 90
    for row in readme.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    workbook.active = 1  # open on the data, with the readme one tab to the left

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

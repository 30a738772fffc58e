"""CSV and XLSX of a steering-signal overview, in the comparison exports' style (UTF-8 with
BOM and semicolons for Swedish Excel, ``#`` lines saying what the file holds; a readme sheet
in the workbook). One row per signal: the groups' statements, never an individual's answer.
"""

import csv
import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.exports import _csv_value, _safe_text
from tillit.downloads import file_name

from .models import Proposal
from .overview import Overview


def headers() -> list[str]:
    return [
        _("Comes from"),
        _("Kind of steering"),
        _("Steering signal"),
        _("Unit code"),
        _("Unit"),
        _("Purpose"),
        _("Hours a month"),
        _("The good meeting"),
        _("Proposal"),
        _("Why"),
        _("Answer"),
        _("What will change, or why"),
        _("By when"),
    ]


def rows(data: Overview) -> list[list]:
    result = []
    for level in data.levels:
        for kind in level.kinds:
            for s in kind.signals:
                answer = s.answer
                result.append(
                    [
                        level.name,
                        kind.name,
                        s.title,
                        s.unit_code,
                        s.unit_name,
                        s.purpose,
                        s.hours,
                        s.effect_label,
                        s.proposal_label,
                        s.reason,
                        answer.status_label if answer else _("Not answered yet"),
                        answer.text if answer else "",
                        answer.due_on if answer else None,
                    ]
                )
    return result


def about(data: Overview) -> list[tuple[str, str]]:
    return [
        (_("Export"), _("Tillit – steering signals of the units")),
        (_("Round"), data.round.name),
        (_("Part of the organisation"), data.node.name),
        (_("Exported"), date_format(timezone.localtime(), "DATETIME_FORMAT")),
        (
            _("Contents"),
            _(
                "One row per steering signal named by a unit that has completed the round: "
                "the group's statement and proposal, and the answer it has got. Hours are the "
                "unit's own rough estimate per month."
            ),
        ),
    ]


_FILE_WORDS = {"sv": "styrsignaler", "en": "steering-signals"}


def filename(data: Overview, extension: str, *, language: str | None = None) -> str:
    """``styrsignaler-<part>-<round>`` in Swedish, ``steering-signals-…`` in English (the
    current language unless ``language`` is given: the file's own)."""
    return file_name(
        _FILE_WORDS,
        language or get_language(),
        data.node.name,
        data.round.name,
        extension=extension,
    )


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return _csv_value(value)


def to_csv(data: Overview) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for label, text in about(data):
        writer.writerow([_safe_text(f"# {label}: {text}")])
    writer.writerow([_safe_text(header) for header in headers()])
    for values in rows(data):
        writer.writerow([_cell(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(data: Overview) -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet = workbook.active
    sheet.title = _("Steering signals")[:31]
    sheet.append([_safe_text(header) for header in headers()])
    for values in rows(data):
        sheet.append([_safe_text(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = wrap
    sheet.freeze_panes = "D2"
    widths = (22, 24, 40, 12, 28, 16, 10, 22, 22, 40, 18, 40, 12)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    summary = workbook.create_sheet(_("Summary")[:31])
    summary.append(
        [
            _("Comes from"),
            _("Kind of steering"),
            _("Signals"),
            _("Units"),
            _("Hours a month, all units"),
            _("Units finding it hindering"),
            *[str(label) for _value, label in Proposal.choices],
        ]
    )
    for cell in summary[1]:
        cell.font = bold
        cell.alignment = wrap
    for level in data.levels:
        for kind in level.kinds:
            summary.append(
                [
                    _safe_text(level.name),
                    _safe_text(kind.name),
                    len(kind.signals),
                    kind.units,
                    kind.hours,
                    kind.hindering_units,
                    *[count for _value, _label, count in kind.proposals],
                ]
            )
    for letter in "ABCDEFGHIJ":
        summary.column_dimensions[letter].width = 20

    readme = workbook.create_sheet(_("Readme")[:31], 0)
    readme.append([_("About this file")])
    readme["A1"].font = Font(bold=True, size=14)
    for label, text in about(data):
        readme.append([label, _safe_text(text)])
    readme.column_dimensions["A"].width = 30
    readme.column_dimensions["B"].width = 90
    for row in readme.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

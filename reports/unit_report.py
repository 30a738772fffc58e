"""The unit's balance report: the public names, from the modules that make it.

* ``report_data``: what the report shows (:func:`build_unit_report` and its dataclasses);
* ``report_charts``: its SVG charts;
* ``report_render``: its HTML (web page and PDF document) and its PDF.

Views, commands and batches import from here, so the split stays an inside matter.
"""

from .report_charts import report_charts, scale_labels
from .report_data import (
    AUDIENCE_OVERSEER,
    AUDIENCE_UNIT,
    AUDIENCES,
    DEPARTMENT_MIN_OTHERS,
    UnitReport,
    build_unit_report,
)
from .report_render import (
    as_image,
    document_title,
    render_parts_for_benchmark,
    render_unit_report_html,
    render_unit_report_pdf,
    report_filename,
)

__all__ = [
    "AUDIENCES",
    "AUDIENCE_OVERSEER",
    "AUDIENCE_UNIT",
    "DEPARTMENT_MIN_OTHERS",
    "UnitReport",
    "as_image",
    "build_unit_report",
    "document_title",
    "render_parts_for_benchmark",
    "render_unit_report_html",
    "render_unit_report_pdf",
    "report_charts",
    "report_filename",
    "scale_labels",
]

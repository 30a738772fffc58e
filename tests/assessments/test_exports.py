"""CSV and XLSX exports: aggregates only, readable by Swedish Excel, and scoped."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports import comparison, exports
from tests.factories_compare import compared_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def compared(org):
    return compared_org(org)


def csv_rows(content: bytes) -> tuple[list[list[str]], list[list[str]]]:
    """(comment rows, table rows) of an exported CSV."""
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    comments = [row for row in rows if row and row[0].startswith("#")]
    table = [row for row in rows if row and not row[0].startswith("#")]
    return comments, table


def get(client, name, compared, node, language="sv"):
    return client.get(
        reverse(name, args=[compared.round.pk, node.pk]), HTTP_ACCEPT_LANGUAGE=language
    )


def test_it_exports_csv_for_swedish_excel(org, compared, persona):
    response = get(persona("quality_developer"), "compare_csv", compared, org.dep_a)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    comments, table = csv_rows(response.content)
    header, *rows = table
    assert len(header) > 10 and ";" not in "".join(header)
    # Comment rows explain the export and every column.
    assert len(comments) >= len(header)
    assert any(str(compared.round.name) in row[0] for row in comments)
    assert [row[2] for row in rows] == ["Enhet A1", "Enhet A2"]


def test_it_writes_one_row_per_unit_and_never_one_per_respondent(org, compared, persona):
    _comments, (header, *rows) = csv_rows(
        get(persona("administrator"), "compare_csv", compared, org.root, "en").content
    )
    # 14 respondents answered across three completed units: three rows.
    assert len(rows) == 3
    respondents = [int(row[header.index("Respondents")]) for row in rows]
    assert respondents == [5, 3, 6]


def test_it_leaves_the_medians_blank_below_the_threshold(org, compared, persona):
    client = persona("quality_developer")
    _comments, (header, *_rows) = csv_rows(
        get(client, "compare_csv", compared, org.dep_a, "en").content
    )
    _comments, (_header, a1, a2) = csv_rows(get(client, "compare_csv", compared, org.dep_a).content)
    medians = [i for i, name in enumerate(header) if name.endswith(": median")]
    agreed = [i for i, name in enumerate(header) if name.endswith(": agreed")]
    assert len(medians) == len(agreed) == 3
    assert [a1[i] for i in medians] == ["4,00", "4,00", "4,00"]  # Swedish decimal comma
    assert [a2[i] for i in medians] == ["", "", ""]
    assert [a2[i] for i in agreed] == ["5", "5", "5"]


def test_it_exports_xlsx_with_a_readme_sheet(org, compared, persona):
    response = get(persona("quality_developer"), "compare_xlsx", compared, org.dep_a, "en")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    readme, units, actions = workbook.worksheets
    assert readme.title == "Readme" and units.title == "Units"
    readme_text = " ".join(str(c.value) for row in readme.iter_rows() for c in row if c.value)
    assert "never an individual's answers" in readme_text
    header = [c.value for c in units[1]]
    assert header[:3] == ["Department", "Unit code", "Unit"]
    rows = [[c.value for c in row] for row in units.iter_rows(min_row=2)]
    assert [row[2] for row in rows] == ["Enhet A1", "Enhet A2"]
    median_columns = [i for i, name in enumerate(header) if name.endswith(": median")]
    assert [rows[0][i] for i in median_columns] == [4.0, 4.0, 4.0]  # numbers, not text
    assert [rows[1][i] for i in median_columns] == [None, None, None]
    # Every column is explained on the readme sheet.
    explained = {row[0].value for row in readme.iter_rows() if row[0].value}
    assert set(header) <= explained
    assert [c.value for c in actions[2]][2] == "Försenad åtgärd"


def test_it_keeps_a_formula_from_running_in_the_spreadsheet(org, compared):
    org.a1.name = '=HYPERLINK("http://example.org")'
    org.a1.save()
    data = comparison.build_comparison(org.quality_developer, compared.round, org.dep_a)
    _comments, (_header, a1, _a2) = csv_rows(exports.to_csv(data))
    assert a1[2].startswith("'=")
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(data))).worksheets[1]
    assert sheet["C2"].data_type == "s" and sheet["C2"].value.startswith("'=")


@pytest.mark.parametrize("name", ["compare_csv", "compare_xlsx"])
def test_it_exports_nothing_of_another_department(org, compared, persona, name):
    client = persona("quality_developer")
    assert get(client, name, compared, org.dep_b).status_code == 404
    assert get(client, name, compared, org.b1).status_code == 404
    assert get(client, name, compared, org.root).status_code == 404
    content = get(client, name, compared, org.dep_a).content
    if name == "compare_csv":
        assert b"Enhet B1" not in content
    else:
        workbook = load_workbook(io.BytesIO(content))
        values = {str(c.value) for ws in workbook for row in ws.iter_rows() for c in row}
        assert "Enhet B1" not in values

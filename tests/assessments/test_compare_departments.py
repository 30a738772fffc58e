"""Departments fold on the comparison page: one row of medians each, the units on demand.

Where several departments are compared, the heat map shows each as one row (the median of
its units' agreed scores) with a link to its units: without JavaScript it leads to the
department's own comparison, with it the page fetches the rows from ``compare_rows``.
Those rows are scoped like the page.
"""

import re

import pytest
from django.urls import reverse

from tests.factories_compare import compared_org
from tests.factories_reports import body, get_rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def compared(org):
    return compared_org(org)


def _heat_map(html: str) -> str:
    return re.search(r'<table class="heat-map.*?</table>', html, re.S).group(0)


def test_it_shows_each_department_as_one_row_with_a_link_to_its_units(org, compared, client):
    client.force_login(org.administrator)
    html = client.get(reverse("compare", args=[compared.round.pk, org.root.pk])).content.decode()
    heat = _heat_map(html)
    # One row per department, with the median of its units' agreed scores ...
    department_a = re.search(r'<tr class="group-row">.*?</tr>', heat, re.S).group(0)
    assert "Förvaltning A" in department_a
    # A1 agreed 4, 2, – and A2 agreed 5 everywhere: medians 4.5, 3.5 and 5 (no decimal).
    cells = re.findall(r'<td class="heat">([^<]*)</td>', department_a)
    assert cells == ["4,5", "3,5", "5"]
    # ... and no unit's row: they come on demand.
    assert "Enhet A1" not in heat and "Enhet B1" not in heat
    department_page = reverse("compare", args=[compared.round.pk, org.dep_a.pk])
    rows = reverse("compare_rows", args=[compared.round.pk, org.dep_a.pk])
    assert (
        f'<a class="unit-toggle" href="{department_page}" data-rows="{rows}" '
        f'data-group="heat-group-{org.dep_a.pk}">' in heat
    )
    assert f'<tbody id="heat-group-{org.dep_a.pk}">' in heat
    assert 'src="/static/js/compare.js"' in html


def test_it_shows_the_departments_side_by_side_in_the_other_tables(org, compared, client):
    client.force_login(org.administrator)
    response = client.get(reverse("compare", args=[compared.round.pk, org.root.pk]))
    html = response.content.decode()
    balance = html.split('id="balance-caption"')[1].split("</table>")[0]
    assert "Förvaltning A" in balance and "Enhet A1" not in balance
    profiles = html.split('id="profile-groups-caption"')[1].split("</table>")[0]
    assert "Förvaltning A" in profiles and "Förvaltning B" in profiles
    # One control–trust chart for the whole node instead of one per department.
    assert html.count('aria-labelledby="compare-profile-') == 1


def test_it_opens_a_department_without_javascript_on_its_own_comparison(org, compared, client):
    client.force_login(org.quality_developer)
    html = client.get(reverse("compare", args=[compared.round.pk, org.dep_a.pk])).content.decode()
    heat = _heat_map(html)
    # One department only: nothing folds, its units are listed.
    assert "Enhet A1" in heat and "Enhet A2" in heat
    assert "unit-toggle" not in heat


def test_it_gives_a_departments_unit_rows_as_the_page_shows_them(org, compared, client):
    client.force_login(org.quality_developer)
    rows = client.get(reverse("compare_rows", args=[compared.round.pk, org.dep_a.pk]))
    assert rows.status_code == 200
    assert rows["Content-Type"] == "text/html; charset=utf-8"
    fragment = rows.content.decode()
    assert fragment.startswith("<tr>") and fragment.count("<tr>") == 2
    assert "Enhet A1" in fragment and "Enhet A2" in fragment and "Enhet B1" not in fragment
    assert "<html" not in fragment
    page = client.get(reverse("compare", args=[compared.round.pk, org.dep_a.pk])).content.decode()
    for row in re.findall(r"<tr>.*?</tr>", fragment, re.S):
        assert row in page


@pytest.mark.parametrize(
    "persona_name", ["quality_developer_elsewhere", "manager_of_a", "manager_of_b", "outsider"]
)
def test_it_refuses_another_departments_rows(org, compared, persona, persona_name):
    response = persona(persona_name).get(
        reverse("compare_rows", args=[compared.round.pk, org.dep_a.pk])
    )
    assert response.status_code == 404
    assert b"Enhet A1" not in response.content


def test_it_sends_an_anonymous_visitor_of_the_rows_to_log_in(org, compared, client):
    response = client.get(reverse("compare_rows", args=[compared.round.pk, org.dep_a.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_it_still_lists_every_unit_in_the_pdf(org, compared, client):
    import io

    from pypdf import PdfReader

    client.force_login(org.administrator)
    response = get_rendered(client, reverse("compare_pdf", args=[compared.round.pk, org.root.pk]))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body(response))).pages)
    assert "Enhet A1" in text and "Enhet A2" in text and "Enhet B1" in text

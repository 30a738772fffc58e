"""The comparison page keeps its size and its number of queries as departments grow.

Generated organisations of two sizes with the same four departments: the page shows each
department as one row, so only the balance triangle (one dot per unit) grows with the
number of units, and the queries are the same number at both sizes. The department's units
come from the rows view, whose queries do not grow either.
"""

import re

import pytest
from django.urls import reverse

from assessments import generate
from assessments.models import Unit
from tests.factories import make_version

pytestmark = pytest.mark.django_db

# What the page may weigh for a municipality's meeting week: 1,000 units in 20 departments.
PAGE_BUDGET = 300 * 1024
# What one more unit may add to it: its dot on the balance triangle.
BYTES_PER_UNIT = 100
# Queries for the page: session, user, roles, the comparison's own (see build_comparison),
# the other rounds. Locked here so that a query per unit or per department shows at once.
PAGE_QUERIES = 18
ROWS_QUERIES = 17


def _generate(units: int, seed: int):
    generated = generate.generate_org(units=units, respondents=5, departments=4, seed=seed)
    user = Unit.objects.get(code=generate.ROOT_CODE).roles.get(kind="quality_developer").user
    return generated, user


def _without_actions(html: str) -> str:
    # The open actions list at most 100 (ACTION_LIST_LIMIT): a bound of its own.
    return re.sub(r'<section aria-labelledby="actions-heading".*?</section>', "", html, flags=re.S)


def _heat_rows(html: str) -> list[str]:
    table = re.search(r'<table class="heat-map.*?</table>', html, re.S).group(0)
    return re.findall(r"<tr[ >].*?</tr>", table.split("</thead>")[1], re.S)


@pytest.fixture
def version():
    return make_version(principles=7, statements=2, dimensions=3, published=True)


def _rows_naming(html: str, text: str) -> int:
    """Bytes of the table rows that name ``text``: what one department adds to the page."""
    return sum(
        len(row.encode()) for row in re.findall(r"<tr[ >].*?</tr>", html, re.S) if text in row
    )


def test_it_keeps_the_page_small_and_its_queries_constant_for_24_and_96_units(
    version, client, django_assert_num_queries
):
    sizes = []
    for units, seed in ((24, 5), (96, 6)):
        generated, user = _generate(units, seed)
        client.force_login(user)
        url = reverse("compare", args=[generated.round.pk, generated.root.pk])
        client.get(url)  # the session and language settle
        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get(url)
        html = response.content.decode()
        assert response.context["comparison"].units_done == units
        # Four department rows and no unit row, whatever the size.
        rows = _heat_rows(html)
        assert len(rows) == 4
        assert all('class="group-row"' in row for row in rows)
        sizes.append(len(_without_actions(html).encode()))
        generate.delete_generated()

    per_unit = (sizes[1] - sizes[0]) / (96 - 24)
    assert per_unit <= BYTES_PER_UNIT
    # A thousand units in twenty departments: this page, plus the other units' dots, plus
    # sixteen more departments' rows, plus a full list of open actions, is under budget.
    listed = html.split('id="actions-caption"')[1].split("<tbody>")[1].split("</tbody>")[0]
    actions = re.findall(r"<tr>.*?</tr>", listed, re.S)
    per_action = max(len(row.encode()) for row in actions)
    projected = (
        len(response.content)
        + (1000 - 96) * per_unit
        + 16 * _rows_naming(html, "Förvaltning 01")
        + (100 - len(actions)) * per_action
    )
    assert projected <= PAGE_BUDGET


def test_it_draws_a_departments_rows_in_the_same_number_of_queries_for_6_and_24_units(
    version, client, django_assert_num_queries
):
    for units, seed in ((24, 7), (96, 8)):
        generated, user = _generate(units, seed)
        client.force_login(user)
        department = Unit.objects.get(code="GEN-D01")
        url = reverse("compare_rows", args=[generated.round.pk, department.pk])
        client.get(url)
        with django_assert_num_queries(ROWS_QUERIES):
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("<tr>") == units // 4
        generate.delete_generated()

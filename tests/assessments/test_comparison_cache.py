"""The comparison remembers each completed unit's medians instead of rereading every answer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import comparison
from tests.factories import make_round, make_version
from tests.factories_compare import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(org):
    version = make_version(published=True)
    round_ = make_round(org.root, version)
    first = complete(round_, org.a1, respondents=5, answer=lambda i, s: 1 + i % 5)
    second = complete(round_, org.a2, respondents=6, answer=4)
    return version, [first.pk, second.pk]


def _answer_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "statementanswer" in q["sql"]]


def test_it_reads_the_answers_once_and_then_the_remembered_medians(completed):
    version, ids = completed
    principle_ids = list(version.principles.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as first:
        cold = comparison.cached_index_medians(ids, principle_ids, 5)
    with CaptureQueriesContext(connection) as second:
        warm = comparison.cached_index_medians(ids, principle_ids, 5)

    assert cold.values == comparison.index_medians(ids, principle_ids, 5).values
    assert warm.values == cold.values
    assert warm.shown == set(ids)
    assert (ids[1], principle_ids[0]) in warm.values
    assert warm.values[(ids[1], principle_ids[0])] == 4
    assert _answer_queries(first)
    assert _answer_queries(second) == []


def test_it_computes_only_the_units_it_has_not_seen(completed):
    version, ids = completed
    principle_ids = list(version.principles.values_list("pk", flat=True))
    comparison.cached_index_medians(ids[:1], principle_ids, 5)
    both = comparison.cached_index_medians(ids, principle_ids, 5)
    assert both.values == comparison.index_medians(ids, principle_ids, 5).values


def test_it_keeps_medians_apart_for_another_threshold(completed):
    version, ids = completed
    principle_ids = list(version.principles.values_list("pk", flat=True))
    assert comparison.cached_index_medians(ids, principle_ids, 5).values
    # With a threshold of 6 only the unit with six respondents has medians.
    stricter = comparison.cached_index_medians(ids, principle_ids, 6)
    assert {aid for aid, _pid in stricter.values} == {ids[1]}

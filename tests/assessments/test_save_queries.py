"""How much database work one answer page costs: the whole request, through the client.

Every SQL statement the request sends is counted (the respondent's lookup and the redirect's
work included), at two sizes of principle (3 and 8 statements). A published framework is
read once per process (`principles.cache`), so no page reads it; a save reads what the page
has stored and writes only what changed.

Inside a test's transaction, an inner `transaction.atomic` would add a SAVEPOINT and a
RELEASE that production never sends; the saves open theirs with `savepoint=False`, so the
counts here are the statements production sends. Production adds its transaction's BEGIN
and COMMIT around the writes (see the test outside a test transaction).
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import answers, joincodes
from assessments.models import (
    AssessmentState,
    BalanceAnswer,
    DimensionAnswer,
    PrincipleComment,
    Respondent,
    StatementAnswer,
)
from principles.models import Statement, VersionStatus
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db

SIZES = [3, 8]


def _participant(statements: int, *, published: bool = True):
    """A participant who has joined an open assessment whose principles have `statements`."""
    version = make_version(published=published, principles=2, statements=statements)
    unit = make_unit("U1", "Enhet Ett")
    assessment = make_assessment(
        make_round(unit, version),
        unit,
        join_code=joincodes.generate(),
        state=AssessmentState.INDIVIDUAL,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("join_link", kwargs={"code": assessment.join_code}))
    respondent = Respondent.objects.get(assessment=assessment)
    return client, assessment, respondent, version


def _url(assessment, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"code": assessment.join_code, **kwargs})


def _statements(version) -> list[Statement]:
    first = version.principles.order_by("order").first()
    return list(first.statements.order_by("order"))


def _page(statements: list[Statement], value: str, comment: str) -> dict[str, str]:
    data = {answers.statement_field(s.pk): value for s in statements}
    return {**data, "comment": comment, "nav": "next"}


def _count(client: Client, method: str, address: str, data=None) -> tuple[int, list[str]]:
    """Statements sent for one request, and the SQL of those that write."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(address, data or {})
    assert response.status_code == (302 if method == "post" else 200), response
    sql = [query["sql"] for query in captured]
    return len(sql), [
        s for s in sql if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def _rows_in(insert: str) -> int:
    """How many rows one multi-row INSERT carries (PostgreSQL sends them as arrays)."""
    if "UNNEST(" in insert.upper():
        first_column = re.search(r"ARRAY\[([^\]]*)\]", insert).group(1)
        return first_column.count(",") + 1
    values = insert[insert.upper().index(" VALUES ") :].split(" ON CONFLICT")[0]
    return len(re.findall(r"\(", values))


@pytest.mark.parametrize("size", SIZES)
def test_it_saves_a_principle_page_in_at_most_five_statements(size):
    client, assessment, respondent, version = _participant(size)
    statements = _statements(version)
    address = _url(assessment, "participant_principle", number=1)

    # First save: lookup, read, claim (phase, lock, last change), answers, comment.
    count, writes = _count(client, "post", address, _page(statements, "4", "Vi litar"))
    assert count == 5
    assert len(writes) == 3 and _rows_in(writes[1]) == size
    assert StatementAnswer.objects.filter(respondent=respondent, value=4).count() == size

    # The same page again: lookup and read, nothing written.
    count, writes = _count(client, "post", address, _page(statements, "4", "Vi litar"))
    assert (count, writes) == (2, [])

    # One answer changed: only that row is written; the unchanged comment is not.
    data = {**_page(statements, "4", "Vi litar"), answers.statement_field(statements[0].pk): "2"}
    count, writes = _count(client, "post", address, data)
    assert count == 4
    assert _rows_in(writes[1]) == 1 and "comment" not in writes[1]
    assert StatementAnswer.objects.get(respondent=respondent, statement=statements[0]).value == 2

    # The comment emptied: one DELETE, the answers left alone.
    count, writes = _count(client, "post", address, {**data, "comment": ""})
    assert count == 4 and writes[-1].lstrip().upper().startswith("DELETE")
    assert not PrincipleComment.objects.filter(respondent=respondent).exists()


@pytest.mark.parametrize("size", SIZES)
def test_it_shows_each_page_in_two_statements(size):
    client, assessment, _respondent, version = _participant(size)
    client.post(
        _url(assessment, "participant_principle", number=1),
        _page(_statements(version), "3", "Kommentar"),
    )
    for address in (
        _url(assessment, "participant_principle", number=1),
        _url(assessment, "participant_principle", number=2),
        _url(assessment, "participant_dimensions"),
        _url(assessment, "participant_balance"),
    ):
        # The respondent with its assessment; the page's answers (with the comment).
        assert _count(client, "get", address) == (2, []), address
    page = client.get(_url(assessment, "participant_principle", number=1)).content.decode()
    assert "Kommentar" in page
    assert len(re.findall(r'value="3"[^>]*checked', page)) == size


def test_it_saves_the_control_trust_page_in_four_statements():
    client, assessment, respondent, version = _participant(3)
    d1, d2 = version.dimensions.order_by("order")
    address = _url(assessment, "participant_dimensions")
    data = {
        answers.dimension_field(d1.pk, "now"): "2",
        answers.dimension_field(d1.pk, "desired"): "6",
        answers.dimension_field(d2.pk, "now"): "3",
        answers.dimension_field(d2.pk, "desired"): "7",
        "nav": "next",
    }
    count, writes = _count(client, "post", address, data)
    assert count == 4 and _rows_in(writes[1]) == 2  # lookup, read, claim, upsert
    assert _count(client, "post", address, data) == (2, [])
    # A side left blank keeps its answer and does not count as a change.
    count, writes = _count(
        client, "post", address, {**data, answers.dimension_field(d1.pk, "desired"): ""}
    )
    assert (count, writes) == (2, [])
    data[answers.dimension_field(d2.pk, "now")] = "4"
    count, writes = _count(client, "post", address, data)
    assert count == 4 and _rows_in(writes[1]) == 1
    assert sorted(
        DimensionAnswer.objects.filter(respondent=respondent).values_list(
            "dimension_id", "now", "desired"
        )
    ) == [(d1.pk, 2, 6), (d2.pk, 4, 7)]


def test_it_saves_the_balance_page_in_four_statements():
    client, assessment, respondent, _version = _participant(3)
    address = _url(assessment, "participant_balance")
    data = {
        "balance_now_market": "30",
        "balance_now_hierarchy": "50",
        "balance_now_trust": "20",
        "balance_desired_market": "10",
        "balance_desired_hierarchy": "30",
        "balance_desired_trust": "60",
        "nav": "next",
    }
    count, writes = _count(client, "post", address, data)
    assert count == 4 and _rows_in(writes[1]) == 2
    assert _count(client, "post", address, data) == (2, [])
    count, writes = _count(
        client, "post", address, {**data, "balance_now_trust": "30", "balance_now_hierarchy": "40"}
    )
    assert count == 4 and _rows_in(writes[1]) == 1
    assert sorted(
        BalanceAnswer.objects.filter(respondent=respondent).values_list(
            "kind", "market", "hierarchy", "trust"
        )
    ) == [("desired", 10, 30, 60), ("now", 30, 40, 30)]


def test_it_marks_the_respondent_changed_only_in_the_claim_and_only_on_a_change():
    client, assessment, respondent, version = _participant(3)
    address = _url(assessment, "participant_principle", number=1)
    before = Respondent.objects.get(pk=respondent.pk).updated_at
    _statements_sent, writes = _count(client, "post", address, _page(_statements(version), "5", ""))
    claim = writes[0]
    # One UPDATE of the respondent, which is also the phase check and the lock.
    assert claim.lstrip().upper().startswith('UPDATE "ASSESSMENTS_RESPONDENT"')
    assert "assessments_unitassessment" in claim and "individual" in claim
    assert sum('"assessments_respondent"' in w.split(" SET ")[0] for w in writes) == 1
    changed = Respondent.objects.get(pk=respondent.pk).updated_at
    assert changed > before
    client.post(address, _page(_statements(version), "5", ""))
    assert Respondent.objects.get(pk=respondent.pk).updated_at == changed


@pytest.mark.django_db(transaction=True)
def test_it_sends_the_same_statements_outside_a_test_transaction():
    """As in production, with no transaction around the request: the same five statements,
    inside one transaction of their own (BEGIN is implicit on PostgreSQL)."""
    client, assessment, _respondent, version = _participant(8)
    address = _url(assessment, "participant_principle", number=1)
    data = _page(_statements(version), "4", "Ja")
    with CaptureQueriesContext(connection) as captured:
        assert client.post(address, data).status_code == 302
    sql = [query["sql"] for query in captured]
    control = [s for s in sql if s in ("BEGIN", "COMMIT")]
    assert len(sql) - len(control) == 5
    assert control[-1:] == ["COMMIT"] and len(control) <= 2


def test_it_reads_a_published_framework_once_and_a_draft_on_every_page():
    client, assessment, _respondent, version = _participant(3, published=False)
    address = _url(assessment, "participant_principle", number=1)
    statement = _statements(version)[0]
    # A draft may change at any moment: its principles, statements, dimensions and
    # steering principles are read again (four more statements) and a change shows at once.
    assert _count(client, "get", address)[0] == 6
    Statement.objects.filter(pk=statement.pk).update(text_en="Reworded while a draft")
    assert "Reworded while a draft" in client.get(address).content.decode()

    type(version).objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    assessment.round.framework_version.refresh_from_db()
    assert _count(client, "get", address)[0] == 6  # read once, then kept
    assert _count(client, "get", address)[0] == 2
    assert "Reworded while a draft" in client.get(address).content.decode()

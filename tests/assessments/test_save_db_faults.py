"""A save that meets a database failing: the participant keeps what they typed, and nothing
half-done is stored.

The fault is real on PostgreSQL: at the chosen statement of the request, a second connection
terminates the request's server process (`pg_terminate_backend`), as a restart or a dropped
connection does, and the statement then fails. On SQLite, which has no server, the driver's
own OperationalError is raised there instead. The tests run outside a test transaction, as
production does, so that what is stored afterwards is what was committed.
"""

import html
import re

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.urls import reverse

from assessments import answers, joincodes
from assessments.models import (
    AssessmentState,
    BalanceAnswer,
    DimensionAnswer,
    PrincipleComment,
    Respondent,
    StatementAnswer,
)
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db(transaction=True)

WRITES = ("INSERT", "UPDATE", "DELETE")


class Fault:
    """Breaks the request's database connection at its `at`-th statement of a kind."""

    def __init__(self, at: int, kinds: tuple[str, ...] = WRITES) -> None:
        self.at = at
        self.kinds = kinds
        self.seen = 0
        self.struck = False

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(self.kinds):
            self.seen += 1
            if self.seen == self.at:
                self.struck = True
                _break(context["connection"])
        return execute(sql, params, many, context)


def _break(wrapper) -> None:
    if wrapper.vendor == "postgresql":
        raw = wrapper.connection
        pid = raw.get_backend_pid() if hasattr(raw, "get_backend_pid") else raw.info.backend_pid
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                # Waits (up to 5 s) until the process is gone: the next statement fails.
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        finally:
            other.close()
    else:
        with wrapper.wrap_database_errors:  # as Django turns a driver's error into its own
            raise wrapper.Database.OperationalError("disk I/O error")


def _send(client: Client, address: str, data: dict, fault: Fault):
    with connection.execute_wrapper(fault):
        response = client.post(address, data)
    assert fault.struck
    # What the end of every request does in production (the test client leaves it out):
    # a connection broken outside a transaction is closed, and the next one reconnects.
    connection.close_if_unusable_or_obsolete()
    return response


@pytest.fixture
def setting():
    version = make_version(published=True, principles=2, statements=3, dimensions=2)
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


def _stored(respondent) -> dict:
    return {
        "statements": sorted(
            StatementAnswer.objects.filter(respondent=respondent).values_list(
                "statement_id", "value", "dont_know"
            )
        ),
        "comments": sorted(
            PrincipleComment.objects.filter(respondent=respondent).values_list("text", flat=True)
        ),
        "dimensions": sorted(
            DimensionAnswer.objects.filter(respondent=respondent).values_list(
                "dimension_id", "now", "desired"
            )
        ),
        "balance": sorted(
            BalanceAnswer.objects.filter(respondent=respondent).values_list(
                "kind", "market", "hierarchy", "trust"
            )
        ),
        "changed": Respondent.objects.values_list("updated_at", flat=True).get(pk=respondent.pk),
    }


def _checked(page: str, name: str) -> list[str]:
    """The values of the radios named `name` that the page shows as chosen."""
    return [
        value
        for tag in re.findall(r"<input[^>]*>", page)
        if f'name="{name}"' in tag and " checked" in tag
        for value in re.findall(r'value="([^"]*)"', tag)
    ]


def _not_saved_message(page: str) -> str:
    notice = re.search(r'<div[^>]*id="not-saved"[^>]*>(.*?)</div>', page, re.S)
    assert notice, "the page says that nothing was saved"
    return html.unescape(re.sub(r"<[^>]+>", " ", notice.group(1)))


def _principle_page(version) -> tuple[dict[str, str], list]:
    first = version.principles.order_by("order").first()
    statements = list(first.statements.order_by("order"))
    return statements, {
        answers.statement_field(statements[0].pk): "5",
        answers.statement_field(statements[1].pk): answers.DONT_KNOW,
        answers.statement_field(statements[2].pk): "2",
        "comment": "Vi litar på varandra – ändå",
        "nav": "next",
    }


@pytest.mark.parametrize(
    "at",
    [
        1,  # the claim: phase check, lock and last change
        2,  # the answers, after the claim
        3,  # the comment, after the answers were written
    ],
)
def test_it_keeps_what_was_typed_and_stores_nothing_when_the_connection_drops(setting, at):
    client, assessment, respondent, version = setting
    address = _url(assessment, "participant_principle", number=1)
    statements, data = _principle_page(version)
    acknowledged = {**data, answers.statement_field(statements[0].pk): "1", "comment": "Först"}
    assert client.post(address, acknowledged).status_code == 302
    before = _stored(respondent)

    response = _send(client, address, data, Fault(at))

    assert response.status_code == 503
    page = response.content.decode()
    assert "could not be saved" in _not_saved_message(page)
    assert "press the button again" in _not_saved_message(page)
    assert _checked(page, answers.statement_field(statements[0].pk)) == ["5"]
    assert _checked(page, answers.statement_field(statements[1].pk)) == [answers.DONT_KNOW]
    assert _checked(page, answers.statement_field(statements[2].pk)) == ["2"]
    assert "Vi litar på varandra – ändå</textarea>" in html.unescape(page)
    # Nothing of the failed save, all of the acknowledged one.
    assert _stored(respondent) == before

    # The same button pressed again, with the database back: saved, and acknowledged.
    response = client.post(address, data)
    assert response.status_code == 302
    assert _stored(respondent)["statements"] == [
        (statements[0].pk, 5, False),
        (statements[1].pk, None, True),
        (statements[2].pk, 2, False),
    ]
    assert _stored(respondent)["comments"] == ["Vi litar på varandra – ändå"]


def test_it_keeps_the_control_trust_and_balance_pages_as_typed(setting):
    client, assessment, respondent, version = setting
    d1, d2 = version.dimensions.order_by("order")
    dimensions = {
        answers.dimension_field(d1.pk, "now"): "2",
        answers.dimension_field(d1.pk, "desired"): "6",
        answers.dimension_field(d2.pk, "now"): "3",
        "nav": "next",
    }
    balance = {
        "balance_now_market": "30",
        "balance_now_hierarchy": "50",
        "balance_now_trust": "20",
        "nav": "next",
    }
    before = _stored(respondent)

    response = _send(client, _url(assessment, "participant_dimensions"), dimensions, Fault(2))
    assert response.status_code == 503
    page = response.content.decode()
    _not_saved_message(page)
    assert _checked(page, answers.dimension_field(d1.pk, "now")) == ["2"]
    assert _checked(page, answers.dimension_field(d1.pk, "desired")) == ["6"]
    assert _checked(page, answers.dimension_field(d2.pk, "now")) == ["3"]
    assert _checked(page, answers.dimension_field(d2.pk, "desired")) == []

    response = _send(client, _url(assessment, "participant_balance"), balance, Fault(2))
    assert response.status_code == 503
    page = response.content.decode()
    _not_saved_message(page)
    for name, value in balance.items():
        if name != "nav":
            assert re.search(
                rf'name="{name}"[^>]*value="{value}"|value="{value}"[^>]*name="{name}"', page
            )
    assert _stored(respondent) == before


def test_it_offers_to_send_the_answers_again_when_the_database_fails_before_the_page(setting):
    """The respondent could not even be looked up: the fields come back, ready to resend."""
    client, assessment, respondent, version = setting
    address = _url(assessment, "participant_principle", number=1)
    _statements, data = _principle_page(version)
    before = _stored(respondent)

    response = _send(client, address, data, Fault(1, kinds=("SELECT",)))

    assert response.status_code == 503
    page = response.content.decode()
    assert "could not be saved just now" in page
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form and form.group(1) == address
    resent = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)
        )
        if name != "csrfmiddlewaretoken"
    }
    assert resent == data
    assert _stored(respondent) == before

    assert client.post(form.group(1), resent).status_code == 302
    assert len(_stored(respondent)["statements"]) == 3


def test_it_says_so_when_a_page_cannot_be_shown(setting):
    client, assessment, _respondent, _version = setting
    with connection.execute_wrapper(Fault(1, kinds=("SELECT",))):
        response = client.get(_url(assessment, "participant_balance"))
    connection.close_if_unusable_or_obsolete()
    assert response.status_code == 503
    assert "Wait a moment and reload the page" in response.content.decode()
    assert client.get(_url(assessment, "participant_balance")).status_code == 200

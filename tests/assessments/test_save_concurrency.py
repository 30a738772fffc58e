"""Saves that meet other writes: the same participant in two tabs, and the manager closing the
individual phase while a save is on its way.

A save reads what the page has stored before it writes, to write only what changed. Its
first write (the claim) only goes through if nothing changed the respondent since that read
and the phase is still open, and it locks the assessment row until commit. These tests run
outside a test transaction, with the other write made on another connection.
"""

import re
import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import answers, joincodes
from assessments.models import AssessmentState, Respondent, StatementAnswer
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db(transaction=True)


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
    first = version.principles.order_by("order").first()
    statements = list(first.statements.order_by("order"))
    address = reverse("participant_principle", kwargs={"code": assessment.join_code, "number": 1})
    return client, assessment, respondent, statements, address


def _in_thread(work) -> dict:
    """Run `work` on its own thread, and so on its own database connection."""
    result = {}

    def run() -> None:
        try:
            result["value"] = work()
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run)
    thread.start()
    result["thread"] = thread
    return result


def _stored(respondent) -> list[tuple]:
    return sorted(
        StatementAnswer.objects.filter(respondent=respondent).values_list("statement_id", "value")
    )


def test_it_writes_what_the_last_tab_sent_when_another_tab_saved_in_between(setting):
    client, _assessment, respondent, statements, address = setting
    s1, s2, _s3 = statements
    field = answers.statement_field
    assert client.post(address, {field(s1.pk): "3"}).status_code == 302

    # This tab sends s1 as it was (3) and a new s2. Between its read and its claim, the
    # other tab saves s1 = 5. Then this tab's claim finds the respondent changed, reads
    # again, and writes s1 = 3 after all: the last save acknowledged is what is stored.
    other_tab = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_tab.cookies = client.cookies
    interleaved = []

    def other_tab_first(execute, sql, params, many, context):
        if not interleaved and sql.lstrip().upper().startswith("UPDATE"):
            interleaved.append(True)
            other = _in_thread(lambda: other_tab.post(address, {field(s1.pk): "5"}).status_code)
            other["thread"].join()
            assert other["value"] == 302
        return execute(sql, params, many, context)

    with connection.execute_wrapper(other_tab_first):
        response = client.post(address, {field(s1.pk): "3", field(s2.pk): "4"})
    assert interleaved and response.status_code == 302
    assert _stored(respondent) == [(s1.pk, 3), (s2.pk, 4)]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL (CI runs on it)"
)
def test_it_refuses_a_save_that_waited_for_the_manager_closing_the_phase(setting):
    client, assessment, respondent, statements, address = setting
    before = _stored(respondent)
    manager = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        manager.set_autocommit(False)
        with manager.cursor() as cursor:
            cursor.execute(
                "UPDATE assessments_unitassessment SET state = %s WHERE id = %s",
                [AssessmentState.DIALOGUE, assessment.pk],
            )
        save = _in_thread(
            lambda: client.post(address, {answers.statement_field(statements[0].pk): "2"})
        )
        # The save reads, then its claim waits for the manager's lock on the assessment.
        # (Watched from this test's own connection: one in a transaction, as the manager's
        # is, sees the activity as it was when the transaction first looked.)
        with connection.cursor() as cursor:
            waiting = 0
            for _poll in range(500):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
                waiting = cursor.fetchone()[0]
                if waiting:
                    break
                save["thread"].join(0.01)
        assert waiting == 1
        manager.commit()
    finally:
        manager.close()
    save["thread"].join()
    response = save["value"]
    assert response.status_code == 409
    assert "The individual part of this self-assessment is closed" in response.content.decode()
    assert _stored(respondent) == before


def test_it_gives_up_with_the_page_kept_when_other_saves_keep_changing_the_respondent(setting):
    client, _assessment, respondent, statements, address = setting
    before = _stored(respondent)
    claims = []
    other_tab = []

    def another_save_just_before_each_claim(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("UPDATE") and not other_tab:
            claims.append(sql)
            other_tab.append(True)  # its own UPDATE passes through here too
            try:
                # Another tab's save marks the respondent changed first.
                Respondent.objects.filter(pk=respondent.pk).update(updated_at=timezone.now())
            finally:
                other_tab.clear()
        return execute(sql, params, many, context)

    field = answers.statement_field(statements[0].pk)
    with connection.execute_wrapper(another_save_just_before_each_claim):
        response = client.post(address, {field: "4", "nav": "next"})
    assert len(claims) == answers.SAVE_ATTEMPTS
    assert response.status_code == 503
    assert 'id="not-saved"' in response.content.decode()
    assert re.search(rf'name="{field}" value="4"[^>]*checked', response.content.decode())
    assert _stored(respondent) == before

"""Retention (gallring): individual answers and comments are deleted once the retention period
after completion has passed; what the group was shown and agreed stays, so every report,
comparison, export and trend reads the same afterwards. Login logs and state changes have
periods of their own.
"""

import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments import retention, workflow
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAgreement,
    BalanceAnswer,
    DimensionAgreement,
    DimensionAnswer,
    PrincipleAgreement,
    PrincipleComment,
    Release,
    Respondent,
    StateChange,
    StatementAnswer,
    UnitAssessment,
)
from assessments.tasks import purge_expired
from principles.models import Principle
from reports import comparison
from reports.unit_report import (
    AUDIENCE_OVERSEER,
    AUDIENCE_UNIT,
    build_unit_report,
    render_unit_report_html,
)
from tests.factories import make_round, make_version
from tests.factories_compare import complete as complete_with_answers
from tests.factories_reports import body, get_rendered, make_report_scenario
from tests.factories_reports import complete as complete_report
from tillit.settings import env_days

pytestmark = pytest.mark.django_db

S = AssessmentState
DAY = datetime.timedelta(days=1)
# Completion of the report scenario's autumn assessment; "now" is passed to the service.
COMPLETED = timezone.make_aware(datetime.datetime(2026, 10, 14, 15, 30))
DUE = COMPLETED + 90 * DAY
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.MIN_RESPONDENTS = 5
    settings.RETENTION_ANSWERS_DAYS = 90
    settings.RETENTION_LOGIN_LOG_DAYS = 90
    settings.RETENTION_STATE_LOG_DAYS = 365
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _individual(assessment) -> dict[str, int]:
    """What an assessment holds of individual answers, per kind."""
    of = {"respondent__assessment": assessment}
    return {
        "respondents": Respondent.objects.filter(assessment=assessment).count(),
        "statements": StatementAnswer.objects.filter(**of).count(),
        "dimensions": DimensionAnswer.objects.filter(**of).count(),
        "balances": BalanceAnswer.objects.filter(**of).count(),
        "comments": PrincipleComment.objects.filter(**of).count(),
    }


def _kept(assessment) -> list:
    """What the group was shown and agreed: must not change."""
    return [
        list(model.objects.filter(assessment=assessment).order_by("pk").values_list(*fields))
        for model, fields in (
            (PrincipleAgreement, ("principle_id", "score", "strengths", "obstacles")),
            (DimensionAgreement, ("dimension_id", "now", "desired")),
            (BalanceAgreement, ("kind", "market", "hierarchy", "trust")),
            (Action, ("title", "responsible", "due_on", "status", "principle_id")),
            (Release, ("number", "respondents", "threshold", "figures", "index_medians")),
        )
    ]


def _everything() -> list:
    """Every row retention could touch, to show that a dry run touches none."""
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (
            UnitAssessment,
            Respondent,
            StatementAnswer,
            DimensionAnswer,
            BalanceAnswer,
            PrincipleComment,
            Release,
            StateChange,
            AccessAttempt,
            AccessLog,
            AccessFailureLog,
        )
    ]


# ---------------------------------------------------------------------------------------
# The must-show: a purged assessment's report, comparison row, exports and trend
# ---------------------------------------------------------------------------------------

COMMENTS = [
    "Vi litar på varandra.",
    "Chefen lyssnar.",
    "Mer tid för brukarna.",
    "Bra stämning.",
    "Vi behöver färre rapporter.",
    "Nya kollegor får stöd.",
    "Möten tar för mycket tid.",
    "Vi får pröva nytt.",
]


@pytest.fixture
def scenario(org):
    """Enhet A1 in two rounds with answers, comments, agreements, notes and actions; the
    autumn assessment completed on 14 October 2026 with its comments in the released
    figures, the spring one in April. Three neighbours in Förvaltning A completed too."""
    made = make_report_scenario(org, state=S.INDIVIDUAL, share_notes=True)
    tillit = Principle.objects.get(version=made.version_now, key="tillit")
    PrincipleComment.objects.bulk_create(
        PrincipleComment(respondent=respondent, principle=tillit, text=text)
        for respondent, text in zip(
            Respondent.objects.filter(assessment=made.assessment).order_by("pk"),
            COMMENTS,
            strict=True,
        )
    )
    complete_report(made.assessment, COMPLETED)
    made.assessment.refresh_from_db()
    assert made.assessment.release.figures["principles"][str(tillit.pk)]["comments"]
    return made


def _normalised(html: bytes | str) -> str:
    """A page without what differs between any two requests (CSRF tokens, CSP nonces)."""
    text = html.decode() if isinstance(html, bytes) else html
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", text)
    return re.sub(r'nonce="[^"]*"', "nonce", text)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _csv_without_date(data: bytes) -> list[str]:
    # The export says when it was made: the one line that may differ between two downloads.
    return [line for line in data.decode("utf-8-sig").splitlines() if "Exporterad" not in line]


def _xlsx_values(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [
        [row for row in sheet.iter_rows(values_only=True) if "Exporterad" not in row]
        for sheet in book.worksheets
    ]


def _get(client, url: str) -> bytes:
    response = get_rendered(client, url)  # a PDF waits for its background render
    assert response.status_code == 200, url
    return body(response)


def _everything_shown(client, org, made) -> dict:
    """Every page and file that shows the autumn assessment, as its readers get them."""
    a1, dep_a, round_now = made.assessment, org.dep_a, made.round_now
    seen = {}
    cache.clear()  # nothing remembered from before: every page reads the database again
    client.force_login(org.manager_of_a)
    seen["report (manager)"] = _normalised(_get(client, reverse("unit_report", args=[a1.pk])))
    seen["report pdf (manager)"] = _pdf_text(_get(client, reverse("unit_report_pdf", args=[a1.pk])))
    seen["dialogue page with comments"] = _normalised(
        _get(client, reverse("manager_dialogue", args=[a1.pk]))
    )
    seen["what quality developers see"] = _normalised(
        _get(client, reverse("manager_complete", args=[a1.pk]))
    )
    seen["presenter"] = _normalised(_get(client, reverse("manager_presenter", args=[a1.pk])))
    client.force_login(org.quality_developer)
    seen["report (quality developer, en)"] = _normalised(
        _get(client, reverse("unit_report", args=[a1.pk]) + "?lang=en")
    )
    compare_args = [round_now.pk, dep_a.pk]
    seen["comparison"] = _normalised(_get(client, reverse("compare", args=compare_args)))
    seen["csv"] = _csv_without_date(_get(client, reverse("compare_csv", args=compare_args)))
    seen["xlsx"] = _xlsx_values(_get(client, reverse("compare_xlsx", args=compare_args)))
    seen["comparison pdf"] = [
        line
        for line in _pdf_text(_get(client, reverse("compare_pdf", args=compare_args))).splitlines()
        if not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}|kl\. \d", line)
    ]
    seen["trend of the unit"] = _normalised(
        _get(client, reverse("compare_trend", args=[org.a1.pk]))
    )
    seen["trend of the department"] = _normalised(
        _get(client, reverse("compare_trend", args=[dep_a.pk]))
    )
    with translation.override("sv"):
        for audience in (AUDIENCE_UNIT, AUDIENCE_OVERSEER):
            report = build_unit_report(a1, audience=audience)
            seen[f"report data ({audience})"] = report
            seen[f"pdf html ({audience})"] = render_unit_report_html(report, for_pdf=True)
        comparison_now = comparison.build_comparison(
            org.quality_developer, round_now, dep_a, today=datetime.date(2027, 1, 20)
        )
        seen["comparison row of A1"] = next(
            row for row in comparison_now.rows if row.unit.pk == org.a1.pk
        )
        seen["trend data"] = comparison.build_trend(org.quality_developer, org.a1)
    return seen


def test_it_deletes_answers_and_comments_and_every_report_reads_the_same(client, org, scenario):
    a1 = scenario.assessment
    assert _individual(a1)["comments"] == 8
    kept = _kept(a1)
    before = _everything_shown(client, org, scenario)
    # What is compared is the real thing: the pages show A1, its figures and both rounds.
    assert "Vi litar på varandra." in before["dialogue page with comments"]
    for name in ("report (manager)", "comparison", "trend of the unit", "comparison pdf"):
        assert "Enhet A1" in str(before[name]), name
    assert "Tillitsskattning VT 2026" in before["trend of the unit"]
    assert any("Enhet A1" in line for line in before["csv"])
    assert before["report data (unit)"].respondents == 8

    done = retention.purge(now=DUE)

    # Both of A1's assessments are due: spring's (April) and autumn's (exactly 90 days).
    assert {row.assessment_id for row in done.assessments} == {a1.pk, scenario.before.pk}
    row = next(row for row in done.assessments if row.assessment_id == a1.pk)
    assert (row.respondents, row.comments) == (8, 8)
    assert _individual(a1) == dict.fromkeys(_individual(a1), 0)
    assert _individual(scenario.before)["respondents"] == 0
    a1.refresh_from_db()
    assert a1.purged_at == DUE
    assert (a1.joined_respondents, a1.counted_respondents, a1.finished_respondents) == (8, 8, 8)
    assert _kept(a1) == kept
    assert Release.objects.get(pk=a1.release_id).members == {}

    after = _everything_shown(client, org, scenario)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], f"{name} changed after the purge"


# ---------------------------------------------------------------------------------------
# When: at the end of the period, not before; only completed assessments
# ---------------------------------------------------------------------------------------


@pytest.fixture
def round_(org):
    return make_round(org.root, make_version(published=True, principles=2, statements=2))


def _completed(round_, unit, at: datetime.datetime, respondents: int = 5):
    assessment = complete_with_answers(round_, unit, respondents=respondents)
    UnitAssessment.objects.filter(pk=assessment.pk).update(completed_at=at)
    assessment.refresh_from_db()
    PrincipleComment.objects.create(
        respondent=assessment.respondents.first(),
        principle=Principle.objects.filter(version=round_.framework_version).first(),
        text="En kommentar",
    )
    return assessment


NOW = timezone.make_aware(datetime.datetime(2027, 6, 1, 9, 0))


@pytest.mark.parametrize(
    "age, purged",
    [
        (89 * DAY, False),
        (90 * DAY - datetime.timedelta(seconds=1), False),
        (90 * DAY, True),  # the full period has passed
        (91 * DAY, True),
    ],
)
def test_it_deletes_answers_once_the_full_period_after_completion_has_passed(
    org, round_, age, purged
):
    a1 = _completed(round_, org.a1, NOW - age)
    before = _individual(a1)

    retention.purge(now=NOW)

    a1.refresh_from_db()
    assert a1.is_purged is purged
    assert _individual(a1) == (dict.fromkeys(before, 0) if purged else before)


def test_it_follows_the_setting(org, round_, settings):
    a1 = _completed(round_, org.a1, NOW - 10 * DAY)
    settings.RETENTION_ANSWERS_DAYS = 11
    assert retention.purge(now=NOW).assessments == ()
    settings.RETENTION_ANSWERS_DAYS = 10
    assert [row.assessment_id for row in retention.purge(now=NOW).assessments] == [a1.pk]


def test_it_deletes_at_once_with_a_period_of_zero_days(org, round_, settings):
    settings.RETENTION_ANSWERS_DAYS = 0
    a1 = _completed(round_, org.a1, NOW)
    retention.purge(now=NOW)
    assert _individual(a1)["respondents"] == 0


def test_it_keeps_everything_of_assessments_not_completed_or_not_yet_due(org, round_):
    a1 = _completed(round_, org.a1, NOW - 200 * DAY)  # due
    b1 = _completed(round_, org.b1, NOW - 30 * DAY)  # the other department: not yet due
    a2 = complete_with_answers(round_, org.a2, respondents=5, state=S.DIALOGUE)  # not completed
    old = NOW - 400 * DAY  # a dialogue that began long ago is still not completed
    Respondent.objects.filter(assessment=a2).update(created_at=old, updated_at=old)
    kept = {a: (_individual(a), _kept(a)) for a in (b1, a2)}
    b1_row = UnitAssessment.objects.filter(pk=b1.pk).values().get()

    done = retention.purge(now=NOW)

    assert [row.assessment_id for row in done.assessments] == [a1.pk]
    for assessment, (individual, agreed) in kept.items():
        assert _individual(assessment) == individual
        assert _kept(assessment) == agreed
    assert UnitAssessment.objects.filter(pk=b1.pk).values().get() == b1_row
    a2.refresh_from_db()
    assert not a2.is_purged


def test_it_leaves_an_assessment_without_respondents_unmarked(org, round_):
    a1 = _completed(round_, org.a1, NOW - 200 * DAY)
    Respondent.objects.filter(assessment=a1).delete()
    assert retention.plan(now=NOW).assessments == ()
    retention.purge(now=NOW)
    a1.refresh_from_db()
    assert not a1.is_purged


def test_it_deletes_nothing_more_when_run_again(org, round_):
    _completed(round_, org.a1, NOW - 200 * DAY)
    assert len(retention.purge(now=NOW).assessments) == 1
    again = retention.purge(now=NOW + DAY)
    assert again.assessments == ()
    assert again.empty


def test_it_counts_in_a_fixed_number_of_queries(org, round_, django_assert_num_queries):
    _completed(round_, org.a1, NOW - 200 * DAY)
    with django_assert_num_queries(10) as one:
        retention.plan(now=NOW)
    _completed(round_, org.a2, NOW - 200 * DAY)
    _completed(round_, org.b1, NOW - 200 * DAY)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(retention.plan(now=NOW).assessments) == 3


# ---------------------------------------------------------------------------------------
# Dry run, command and task
# ---------------------------------------------------------------------------------------


def _old_logs(at: datetime.datetime) -> None:
    attempt = AccessAttempt.objects.create(
        username="maja", ip_address="192.0.2.1", user_agent="x", failures_since_start=1
    )
    AccessAttemptExpiration.objects.create(access_attempt=attempt, expires_at=at)
    AccessLog.objects.create(username="maja", ip_address="192.0.2.1", user_agent="x")
    AccessFailureLog.objects.create(username="maja", ip_address="192.0.2.1", user_agent="x")
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.update(attempt_time=at)


def test_it_changes_nothing_on_a_dry_run_and_says_what_would_go(org, round_):
    now = timezone.now()  # the command's own: the rows are made well past their periods
    a1 = _completed(round_, org.a1, now - 200 * DAY)
    _old_logs(now - 100 * DAY)
    StateChange.objects.create(assessment=a1, from_state=S.DIALOGUE, to_state=S.COMPLETED)
    StateChange.objects.update(changed_at=now - 400 * DAY)
    everything = _everything()

    planned = retention.plan(now=now)
    out = io.StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)

    assert _everything() == everything
    [row] = planned.assessments
    assert (row.assessment_id, row.respondents, row.comments) == (a1.pk, 5, 1)
    # 2 statements × 2 principles, 2 dimensions and 2 balances per respondent.
    assert row.answers == 5 * (4 + 2 + 2)
    assert planned.login_logs == {"access attempts": 1, "access logs": 1, "access failure logs": 1}
    assert planned.state_changes == 1
    text = out.getvalue()
    assert "A1 Enhet A1" in text
    assert "would be deleted: respondents 5, answers 40, comments 1" in text
    assert (
        "Login logs would be deleted: access attempts 1, access logs 1, access failure logs 1."
        in text
    )
    assert "State changes would be deleted: 1." in text


def test_it_deletes_on_the_command_and_prints_the_same(org, round_):
    a1 = _completed(round_, org.a1, timezone.now() - 200 * DAY)
    dry, real = io.StringIO(), io.StringIO()
    call_command("purge_expired", "--dry-run", stdout=dry)
    call_command("purge_expired", stdout=real)
    assert real.getvalue() == dry.getvalue().replace("would be deleted", "deleted")
    assert _individual(a1)["respondents"] == 0
    again = io.StringIO()
    call_command("purge_expired", stdout=again)
    assert (
        "Individual answers deleted: assessments 0, respondents 0, answers 0, comments 0."
        in again.getvalue()
    )


def test_it_runs_as_a_task(org, round_):
    a1 = _completed(round_, org.a1, timezone.now() - 200 * DAY)
    result = purge_expired.enqueue()  # run at once by the test settings' backend
    assert result.return_value["assessments"][0]["assessment"] == a1.pk
    assert result.return_value["respondents"] == 5
    a1.refresh_from_db()
    assert a1.is_purged


# ---------------------------------------------------------------------------------------
# Login logs and state changes: their own periods
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("days, deleted", [(89, 0), (90, 1), (91, 1)])
def test_it_deletes_login_logs_after_their_own_period(db, days, deleted):
    _old_logs(NOW - days * DAY)
    done = retention.purge(now=NOW)
    assert done.login_logs == dict.fromkeys(
        ("access attempts", "access logs", "access failure logs"), deleted
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert model.objects.count() == 1 - deleted
    assert AccessAttemptExpiration.objects.count() == 1 - deleted


@pytest.mark.parametrize("days, deleted", [(364, 0), (365, 1)])
def test_it_deletes_state_changes_after_their_own_period(org, round_, days, deleted):
    a1 = _completed(round_, org.a1, NOW - 30 * DAY)  # its answers are not due
    StateChange.objects.create(assessment=a1, from_state=S.DIALOGUE, to_state=S.COMPLETED)
    StateChange.objects.update(changed_at=NOW - days * DAY)
    done = retention.purge(now=NOW)
    assert done.state_changes == deleted
    assert StateChange.objects.count() == 1 - deleted
    assert _individual(a1)["respondents"] == 5


def test_it_keeps_login_logs_and_state_changes_by_their_own_settings(org, round_, settings):
    settings.RETENTION_LOGIN_LOG_DAYS = 200
    settings.RETENTION_STATE_LOG_DAYS = 10
    a1 = _completed(round_, org.a1, NOW - 30 * DAY)
    _old_logs(NOW - 100 * DAY)
    StateChange.objects.create(assessment=a1, from_state=S.DIALOGUE, to_state=S.COMPLETED)
    StateChange.objects.update(changed_at=NOW - 20 * DAY)
    done = retention.purge(now=NOW)
    assert done.login_log_rows == 0
    assert done.state_changes == 1


# ---------------------------------------------------------------------------------------
# A purged assessment: its pages, the participant's, and no reopening
# ---------------------------------------------------------------------------------------


@pytest.fixture
def purged(org, round_):
    a1 = _completed(round_, org.a1, NOW - 200 * DAY)
    retention.purge(now=NOW)
    a1.refresh_from_db()
    return a1


def test_it_tells_the_manager_when_the_answers_were_deleted(client, org, round_):
    a1 = _completed(round_, org.a1, NOW - 200 * DAY)
    client.force_login(org.manager_of_a)
    page = reverse("manager_assessment", args=[a1.pk])
    assert "data-purged" not in client.get(page, **EN).content.decode()
    retention.purge(now=NOW)
    text = client.get(page, **EN).content.decode()
    assert "The individual answers were deleted on 1 June 2027 according to the retention" in (
        re.sub(r"\s+", " ", text)
    )


def test_it_refuses_to_reopen_a_purged_assessment(client, org, purged):
    with translation.override("en"), pytest.raises(workflow.WorkflowError) as refused:
        workflow.reopen_completed(purged, org.administrator, reason="Fel poäng för princip 1.")
    assert refused.value.code == "purged"
    assert "individual answers were deleted on 1 June 2027" in refused.value.message
    purged.refresh_from_db()
    assert purged.state == S.COMPLETED

    client.force_login(org.administrator)
    client.cookies["django_language"] = "en"
    change = reverse("admin:assessments_unitassessment_change", args=[purged.pk])
    assert "Reopen with a reason" not in client.get(change).content.decode()
    response = client.post(
        reverse("admin:assessments_unitassessment_reopen", args=[purged.pk]),
        {"reason": "Fel poäng för princip 1."},
        follow=True,
    )
    assert "cannot be reopened: its individual answers were deleted" in response.content.decode()
    purged.refresh_from_db()
    assert purged.state == S.COMPLETED
    assert not StateChange.objects.filter(assessment=purged, to_state=S.DIALOGUE).exists()


def test_it_keeps_a_purged_assessment_completed_in_the_database_too(purged):
    with transaction.atomic(), pytest.raises(IntegrityError):
        UnitAssessment.objects.filter(pk=purged.pk).update(state=S.DIALOGUE)
    with transaction.atomic(), pytest.raises(IntegrityError):
        UnitAssessment.objects.filter(pk=purged.pk).update(purged_at=purged.completed_at - DAY)


def test_it_shows_a_returning_participant_a_plain_page_after_the_purge(client, org, round_):
    """The participant's device still carries its cookie; its respondent is gone."""
    a1 = complete_with_answers(round_, org.a1, respondents=5, state=S.INDIVIDUAL)
    code = a1.join_code
    assert client.post(reverse("join_link", args=[code])).status_code == 302
    principle_page = reverse("participant_principle", kwargs={"code": code, "number": 1})
    assert client.get(principle_page).status_code == 200  # answering, as the cookie says
    UnitAssessment.objects.filter(pk=a1.pk).update(state=S.COMPLETED, completed_at=NOW - 91 * DAY)
    retention.purge(now=NOW)
    assert not Respondent.objects.filter(assessment=a1).exists()

    for url in (
        reverse("join_link", args=[code]),
        principle_page,
        reverse("participant_dimensions", kwargs={"code": code}),
        reverse("participant_summary", kwargs={"code": code}),
    ):
        response = client.get(url, **EN)
        assert response.status_code == 200, url
        assert "This self-assessment is completed" in response.content.decode()
    response = client.post(principle_page, {"nav": "next"}, **EN)
    assert response.status_code == 409
    assert not Respondent.objects.filter(assessment=a1).exists()


# ---------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, days", [("", 90), ("0", 0), (" 30 ", 30), ("36500", 36500)])
def test_it_reads_whole_days(monkeypatch, value, days):
    monkeypatch.setenv("RETENTION_ANSWERS_DAYS", value)
    assert env_days("RETENTION_ANSWERS_DAYS", 90) == days


@pytest.mark.parametrize("value", ["-1", "abc", "1.5", "٣", "36501", "90 days"])
def test_it_refuses_a_period_that_is_not_whole_days(monkeypatch, value):
    monkeypatch.setenv("RETENTION_LOGIN_LOG_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match="RETENTION_LOGIN_LOG_DAYS must be a whole"):
        env_days("RETENTION_LOGIN_LOG_DAYS", 90)


def test_it_refuses_to_start_with_a_bad_period(db):
    env = {**os.environ, "RETENTION_STATE_LOG_DAYS": "-5", "DEBUG": "1"}
    env.pop("TILLIT_TESTING", None)
    finished = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode != 0
    assert "RETENTION_STATE_LOG_DAYS must be a whole number of days from 0 to 36500" in (
        finished.stderr
    )

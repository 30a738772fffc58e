"""An administrator reopens a completed assessment, with a reason kept in its history."""

import re
from html import unescape

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments import agreements, scoping, workflow
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAgreement,
    DimensionAgreement,
    PrincipleAgreement,
    Release,
    StateChange,
    UnitAssessment,
)
from principles.models import Dimension, Principle
from tests.factories import make_user
from tests.factories_dialogue import add_respondents, make_unit_assessment

pytestmark = pytest.mark.django_db

S = AssessmentState
REASON = "Fel poäng registrerades för princip 1 – gruppen kom överens om 4."
SHORT = "För kort"  # 8 characters
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REASON_ERROR = (
    "Give a reason for reopening of 10 to 1000 characters; it is kept in the assessment's history."
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5
    with translation.override("en"):  # assertions read the English msgids
        yield


@pytest.fixture
def completed(org):
    """Enhet A1, completed with figures released, agreements, notes shared and an action."""
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5)
    version = assessment.round.framework_version
    principle = Principle.objects.get(version=version, key="p1")
    dimension = Dimension.objects.get(version=version, key="d1")
    user = org.manager_of_a
    agreements.save_principle_agreement(
        assessment, principle, user, lock_version=0, score=3, strengths="Vi hjälper varandra"
    )
    agreements.save_dimension_agreement(
        assessment, dimension, user, lock_version=0, now=3, desired=6
    )
    agreements.save_balance_agreement(
        assessment, "now", user, lock_version=0, market=15, hierarchy=60, trust=25
    )
    agreements.create_action(assessment, user, title="Färre möten", responsible="Maja")
    workflow.complete(assessment, user, share_notes=True)
    assessment.refresh_from_db()
    assert assessment.release_id is not None
    return assessment


def _agreed() -> list:
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (PrincipleAgreement, DimensionAgreement, BalanceAgreement, Action, Release)
    ]


def _snapshot(assessment) -> tuple:
    return (
        UnitAssessment.objects.filter(pk=assessment.pk).values().get(),
        list(StateChange.objects.filter(assessment=assessment).values_list()),
        _agreed(),
    )


def _reopen_url(assessment) -> str:
    return reverse("admin:assessments_unitassessment_reopen", args=[assessment.pk])


def _change_url(assessment) -> str:
    return reverse("admin:assessments_unitassessment_change", args=[assessment.pk])


def _admin(client, org) -> Client:
    client.force_login(org.administrator)
    client.cookies["django_language"] = "en"
    return client


# --- through the admin ----------------------------------------------------------------------


def test_it_reopens_through_the_admin_with_a_reason(client, org, completed):
    admin = _admin(client, org)
    agreed = _agreed()
    release_id = completed.release_id

    change = admin.get(_change_url(completed), **EN).content.decode()
    assert f'href="{_reopen_url(completed)}"' in change and "Reopen with a reason" in change
    page = admin.get(_reopen_url(completed), **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert re.search(r'<textarea name="reason"[^>]*required', html)
    assert "quality developers do not see the assessment until it is completed again" in html

    response = admin.post(_reopen_url(completed), {"reason": f"  {REASON}\n"}, follow=True, **EN)

    assert response.redirect_chain == [(_change_url(completed), 302)]
    html = response.content.decode()
    assert (
        f"“{completed}” is reopened for the dialogue: the manager can change the agreements "
        "and complete it again."
    ) in html
    stored = UnitAssessment.objects.get(pk=completed.pk)
    assert stored.state == S.DIALOGUE
    assert (stored.completed_at, stored.completed_by) == (None, None)
    assert stored.release_id == release_id  # the figures the group was shown are kept
    assert stored.share_notes is True
    assert _agreed() == agreed  # agreements, notes, actions and releases untouched
    last = StateChange.objects.filter(assessment=completed).last()
    assert (last.from_state, last.to_state, last.changed_by, last.reason) == (
        S.COMPLETED,
        S.DIALOGUE,
        org.administrator,
        REASON,  # stripped
    )
    # The reason is in the admin's inline and in its history…
    assert REASON in html
    entry = LogEntry.objects.get(object_id=str(completed.pk), action_flag=CHANGE)
    assert entry.user == org.administrator and REASON in entry.get_change_message()
    # …no longer offered once reopened…
    assert "Reopen with a reason" not in html
    # …and on the manager's page.
    client.force_login(org.manager_of_a)
    page = client.get(reverse("manager_assessment", args=[completed.pk]), **EN).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert 'Completed → Dialogue (administrator). Reason: <q class="history-reason">' in history
    assert REASON in history


def test_it_hides_a_reopened_assessment_from_quality_developers_until_completed(org, completed):
    seen = scoping.overseen_assessments(org.quality_developer)
    assert seen.filter(pk=completed.pk).exists()
    workflow.reopen_completed(completed, org.administrator, reason=REASON)
    assert not seen.filter(pk=completed.pk).exists()


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "This field is required."),
        ("      \n   ", "This field is required."),
        (SHORT, "Ensure this value has at least 10 characters (it has 8)."),
        (f"   {SHORT}x   ", "Ensure this value has at least 10 characters (it has 9)."),
        ("R" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
        ("Ett fel\x00 i agreement", "Null characters are not allowed."),
    ],
    ids=["empty", "blank", "short", "short-stripped", "long", "nul"],
)
def test_it_refuses_a_reopening_without_a_proper_reason(client, org, completed, reason, error):
    admin = _admin(client, org)
    before = _snapshot(completed)

    response = admin.post(_reopen_url(completed), {"reason": reason}, **EN)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the error below." in html
    assert error in html
    assert _snapshot(completed) == before
    assert not LogEntry.objects.exists()


def test_it_shows_the_workflows_own_refusal_of_a_reason(client, org, completed, monkeypatch):
    """The form and the workflow agree; should they not, the workflow's word stands."""
    from assessments import admin as assessments_admin

    admin = _admin(client, org)
    before = _snapshot(completed)
    monkeypatch.setattr(assessments_admin.ReopenForm.base_fields["reason"], "min_length", 1)
    monkeypatch.setattr(assessments_admin.ReopenForm.base_fields["reason"], "validators", [])

    response = admin.post(_reopen_url(completed), {"reason": "Kort"}, **EN)

    assert response.status_code == 400
    assert REASON_ERROR in unescape(response.content.decode())
    assert _snapshot(completed) == before


@pytest.mark.parametrize(
    "who", ["manager_of_a", "quality_developer", "manager_of_b", "outsider", "anonymous"]
)
def test_it_sends_everyone_but_staff_to_the_admin_login(client, org, completed, who):
    if who != "anonymous":
        client.force_login(getattr(org, who))
    before = _snapshot(completed)

    for response in (
        client.get(_reopen_url(completed)),
        client.post(_reopen_url(completed), {"reason": REASON}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert _snapshot(completed) == before


def test_it_refuses_staff_who_may_not_view_assessments(client, org, completed):
    clerk = make_user("clerk", is_staff=True)
    client.force_login(clerk)
    before = _snapshot(completed)
    assert client.get(_reopen_url(completed)).status_code == 403
    assert client.post(_reopen_url(completed), {"reason": REASON}).status_code == 403
    assert _snapshot(completed) == before

    # With the permission to look at assessments, an administrator may reopen.
    clerk.user_permissions.add(Permission.objects.get(codename="view_unitassessment"))
    client.force_login(clerk)
    response = client.post(_reopen_url(completed), {"reason": REASON})
    assert response.status_code == 302
    assert UnitAssessment.objects.get(pk=completed.pk).state == S.DIALOGUE
    assert StateChange.objects.filter(assessment=completed).last().changed_by == clerk


def test_it_needs_the_csrf_token(org, completed):
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(org.administrator)
    before = _snapshot(completed)
    response = admin.post(_reopen_url(completed), {"reason": REASON})
    assert response.status_code == 403
    assert _snapshot(completed) == before


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL, S.DIALOGUE])
def test_it_reopens_only_a_completed_assessment(client, org, state):
    assessment = make_unit_assessment(org, state=state)
    admin = _admin(client, org)
    before = _snapshot(assessment)

    assert "Reopen with a reason" not in admin.get(_change_url(assessment), **EN).content.decode()
    for response in (
        admin.get(_reopen_url(assessment), follow=True, **EN),
        admin.post(_reopen_url(assessment), {"reason": REASON}, follow=True, **EN),
    ):
        assert response.redirect_chain == [(_change_url(assessment), 302)]
        assert "Only a completed assessment can be reopened" in response.content.decode()
    assert _snapshot(assessment) == before


def test_it_answers_404_for_an_assessment_that_does_not_exist(client, org):
    admin = _admin(client, org)
    url = reverse("admin:assessments_unitassessment_reopen", args=[987654])
    assert admin.get(url).status_code == 404
    assert admin.post(url, {"reason": REASON}).status_code == 404


# --- the workflow ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["manager_of_a", "quality_developer", "manager_of_b", "outsider", "anonymous"]
)
def test_it_lets_only_administrators_reopen(org, completed, who):
    user = AnonymousUser() if who == "anonymous" else getattr(org, who)
    before = _snapshot(completed)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.reopen_completed(completed, user, reason=REASON)
    assert refused.value.code == "forbidden"
    assert str(refused.value) == "Only an administrator may reopen a completed assessment."
    assert _snapshot(completed) == before


def test_it_refuses_an_inactive_administrator(org, completed):
    org.administrator.is_active = False
    org.administrator.save()
    with pytest.raises(workflow.WorkflowError):
        workflow.reopen_completed(completed, org.administrator, reason=REASON)
    assert UnitAssessment.objects.get(pk=completed.pk).state == S.COMPLETED


@pytest.mark.parametrize(
    "reason",
    [None, "", "   ", "123456789", "  123456789  ", "x" * 1001, "Tio tecken\x00"],
    ids=["none", "empty", "blank", "nine", "nine-stripped", "long", "nul"],
)
def test_it_needs_a_reason_of_ten_to_a_thousand_characters(org, completed, reason):
    before = _snapshot(completed)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.reopen_completed(completed, org.administrator, reason=reason)
    assert refused.value.code == "reason"
    if reason and "\x00" in reason:
        assert str(refused.value) == "The reason may not contain a null character."
    else:
        assert str(refused.value) == REASON_ERROR
    assert _snapshot(completed) == before


@pytest.mark.parametrize("reason", ["1234567890", "y" * 1000, "  " + "z" * 1000 + "\n"])
def test_it_takes_a_reason_at_the_limits(org, completed, reason):
    workflow.reopen_completed(completed, org.administrator, reason=reason)
    change = StateChange.objects.filter(assessment=completed).last()
    assert change.reason == reason.strip()


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL, S.DIALOGUE])
def test_it_reopens_from_completed_only(org, state):
    assessment = make_unit_assessment(org, state=state)
    before = _snapshot(assessment)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.reopen_completed(assessment, org.administrator, reason=REASON)
    assert refused.value.code == "wrong_state"
    assert _snapshot(assessment) == before


def test_it_keeps_the_reason_short_in_the_database_too(org, completed):
    with pytest.raises(IntegrityError), transaction.atomic():
        StateChange.objects.create(
            assessment=completed, from_state=S.COMPLETED, to_state=S.DIALOGUE, reason="x" * 1001
        )


# --- and completing again -------------------------------------------------------------------


def test_it_completes_again_after_a_reopening_without_a_new_release(client, org, completed):
    release_id = completed.release_id
    workflow.reopen_completed(completed, org.administrator, reason=REASON)

    # The dialogue is open again: the manager corrects the agreement…
    principle = Principle.objects.get(version=completed.round.framework_version, key="p1")
    agreements.save_principle_agreement(
        completed, principle, org.manager_of_a, lock_version=1, score=4
    )
    # …and completes through the page, confirmed, this time without sharing the notes.
    client.force_login(org.manager_of_a)
    response = client.post(
        reverse("manager_complete", args=[completed.pk]),
        {"confirm": "on", "share_notes": ""},
        follow=True,
        **EN,
    )

    assert "The self-assessment is completed and locked." in response.content.decode()
    stored = UnitAssessment.objects.get(pk=completed.pk)
    assert stored.state == S.COMPLETED
    assert stored.completed_by == org.manager_of_a and stored.completed_at is not None
    assert stored.share_notes is False
    assert stored.release_id == release_id
    assert Release.objects.filter(assessment=completed).count() == 1
    assert PrincipleAgreement.objects.get(assessment=completed, principle=principle).score == 4
    assert [
        (c.from_state, c.to_state, c.reason)
        for c in StateChange.objects.filter(assessment=completed)
    ] == [
        (S.DIALOGUE, S.DIALOGUE, ""),  # completion released the figures
        (S.DIALOGUE, S.COMPLETED, ""),
        (S.COMPLETED, S.DIALOGUE, REASON),
        (S.DIALOGUE, S.COMPLETED, ""),
    ]
    # And it can be reopened again, with a reason of its own.
    workflow.reopen_completed(completed, org.administrator, reason="Ännu ett fel i åtgärderna")
    assert UnitAssessment.objects.get(pk=completed.pk).state == S.DIALOGUE

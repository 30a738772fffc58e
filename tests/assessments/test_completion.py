"""Completion: a preview of what quality developers will see, then everything is locked."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import agreements, answers, workflow
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAgreement,
    DimensionAgreement,
    PrincipleAgreement,
    StatementAnswer,
    UnitAssessment,
)
from principles.models import Dimension, Principle
from tests.factories_dialogue import add_respondents, make_unit_assessment

pytestmark = pytest.mark.django_db

S = AssessmentState


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5
    with translation.override("en"):  # assertions read the English msgids
        yield


@pytest.fixture
def manager(persona):
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"
    return client


def _agreed(assessment, user):
    principle = Principle.objects.get(version=assessment.round.framework_version, key="p1")
    dimension = Dimension.objects.get(version=assessment.round.framework_version, key="d1")
    agreements.save_principle_agreement(
        assessment,
        principle,
        user,
        lock_version=0,
        score=4,
        strengths="Vi hjälper varandra",
        obstacles="För många möten",
    )
    agreements.save_dimension_agreement(
        assessment, dimension, user, lock_version=0, now=3, desired=6
    )
    agreements.save_balance_agreement(
        assessment, "now", user, lock_version=0, market=15, hierarchy=60, trust=25
    )
    agreements.create_action(assessment, user, title="Färre möten", responsible="Maja")
    return principle, dimension


def _preview(client, assessment, **params) -> str:
    response = client.get(reverse("manager_complete", args=[assessment.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_it_previews_agreements_actions_and_figures_without_the_notes(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5, comment=lambda i, p: "Personlig kommentar")
    _agreed(assessment, org.manager_of_a)

    html = _preview(manager, assessment)
    preview = html[html.index('class="preview"') :]
    assert "5 people answered." in preview
    assert 'data-figure="index"' in preview and 'data-figure="balance"' in preview
    assert '<td class="num">4</td>' in preview  # the agreed score
    assert '<td class="num">15</td>' in preview  # the agreed balance
    assert "Färre möten" in preview
    assert "without your dialogue notes" in preview
    assert "Vi hjälper varandra" not in html and "För många möten" not in html
    assert "Personlig kommentar" not in html  # participants' comments are never passed on
    assert "Your dialogue notes will not be shared." in html
    assert 'name="share_notes"' in html and 'value="on"' not in html.split("confirm-form")[1]


def test_it_previews_the_notes_when_the_group_shares_them(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    _agreed(assessment, org.manager_of_a)
    html = _preview(manager, assessment, share_notes="on")
    preview = html[html.index('class="preview"') :]
    assert "with your dialogue notes" in preview
    assert "Vi hjälper varandra" in preview and "För många möten" in preview
    confirm = html.split("confirm-form")[1]
    assert '<input type="hidden" name="share_notes" value="on">' in confirm
    assert "Your dialogue notes will be shared with the quality developers." in confirm


def test_it_previews_no_figures_below_five_answers(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 4)
    _agreed(assessment, org.manager_of_a)
    html = _preview(manager, assessment)
    assert "Fewer than 5 answered, so no figures from the individual answers are shown" in html
    assert "data-figure" not in html
    assert "Median" not in html
    assert '<td class="num">4</td>' in html  # what the group agreed is still there


@pytest.mark.parametrize("share", [True, False])
def test_it_completes_on_confirmation_with_the_groups_choice(org, manager, share):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    data = {"share_notes": "on"} if share else {}
    response = manager.post(reverse("manager_complete", args=[assessment.pk]), data, follow=True)
    assert "The self-assessment is completed and locked." in response.content.decode()
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert stored.state == S.COMPLETED
    assert stored.share_notes is share
    assert stored.completed_by == org.manager_of_a and stored.completed_at is not None


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL, S.COMPLETED])
def test_it_completes_from_the_dialogue_only(org, manager, state):
    assessment = make_unit_assessment(org, state=state)
    before = UnitAssessment.objects.filter(pk=assessment.pk).values().get()
    response = manager.post(
        reverse("manager_complete", args=[assessment.pk]), {"share_notes": "on"}, follow=True
    )
    html = response.content.decode()
    assert "Completing the assessment is not possible while the assessment is in the state" in html
    assert UnitAssessment.objects.filter(pk=assessment.pk).values().get() == before
    assert "Complete and lock the self-assessment" not in html


def test_it_shows_the_stored_choice_after_completion(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    _agreed(assessment, org.manager_of_a)
    workflow.complete(assessment, org.manager_of_a, share_notes=True)
    html = _preview(manager, assessment, share_notes="")  # the query cannot change it now
    assert "What quality developers see" in html
    assert "Vi hjälper varandra" in html
    assert "Complete and lock the self-assessment" not in html


# --- locked after completion ----------------------------------------------------------------


@pytest.fixture
def completed(org):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL)
    respondent, _token = answers.create_respondent(assessment)
    workflow.close_individual(assessment, org.manager_of_a)
    principle, dimension = _agreed(assessment, org.manager_of_a)
    workflow.complete(assessment, org.manager_of_a)
    assessment.refresh_from_db()
    return assessment, respondent, principle, dimension


def _everything():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (
            PrincipleAgreement,
            DimensionAgreement,
            BalanceAgreement,
            Action,
            StatementAnswer,
        )
    ]


def test_it_locks_the_agreements(org, completed):
    assessment, _respondent, principle, dimension = completed
    before = _everything()
    for call in (
        lambda: agreements.save_principle_agreement(
            assessment, principle, org.manager_of_a, lock_version=1, score=1
        ),
        lambda: agreements.save_dimension_agreement(
            assessment, dimension, org.administrator, lock_version=1, now=1, desired=1
        ),
        lambda: agreements.save_balance_agreement(
            assessment, "now", org.manager_of_a, lock_version=1, market=100, hierarchy=0, trust=0
        ),
        lambda: agreements.save_balance_agreement(
            assessment,
            "desired",
            org.manager_of_a,
            lock_version=0,
            market=0,
            hierarchy=0,
            trust=100,
        ),
    ):
        with pytest.raises(workflow.WorkflowError) as refused:
            call()
        assert refused.value.code == "completed"
    assert _everything() == before


def test_it_locks_the_answers(completed):
    assessment, respondent, principle, _dimension = completed
    statement = principle.statements.first()
    before = _everything()
    with pytest.raises(answers.PhaseClosedError):
        answers.save_principle_page(
            respondent, principle, {"statements": {statement.pk: "5"}, "comment": "Sent"}
        )
    with pytest.raises(answers.PhaseClosedError):
        answers.create_respondent(assessment)
    assert _everything() == before


def test_it_locks_the_actions_but_not_their_status(org, completed):
    assessment, *_ = completed
    action = Action.objects.get(assessment=assessment)
    with pytest.raises(workflow.WorkflowError):
        agreements.update_action(
            assessment, action, org.manager_of_a, lock_version=0, title="Ändrad"
        )
    with pytest.raises(workflow.WorkflowError):
        agreements.delete_action(assessment, action, org.manager_of_a)
    updated = agreements.set_action_status(
        assessment, action, org.manager_of_a, status="done", lock_version=0
    )
    assert (updated.title, updated.status) == ("Färre möten", "done")


def test_it_cannot_be_reopened_once_completed(org, completed):
    assessment, *_ = completed
    with pytest.raises(workflow.WorkflowError):
        workflow.reopen_individual(assessment, org.administrator)
    assert UnitAssessment.objects.get(pk=assessment.pk).state == S.COMPLETED


def test_it_locks_the_forms_of_a_completed_assessment(org, manager, completed):
    assessment, _respondent, principle, _dimension = completed
    before = _everything()
    prefix = f"principle-{principle.pk}"
    response = manager.post(
        reverse("manager_agree_principle", args=[assessment.pk, principle.pk]),
        {f"{prefix}-lock_version": "1", f"{prefix}-score": "1"},
        follow=True,
    )
    assert "what the group agreed can no longer be changed" in response.content.decode()
    assert _everything() == before

"""Completion: a preview of what quality developers will see, then everything is locked."""

import re

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from assessments import agreements, answers, workflow
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAgreement,
    DimensionAgreement,
    PrincipleAgreement,
    Release,
    StatementAnswer,
    UnitAssessment,
)
from principles.models import Dimension, Principle
from tests.factories import release
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


def _released_note(assessment) -> str:
    """The sentence that says which release the preview shows, as the template writes it."""
    assessment.refresh_from_db()
    made = assessment.release
    when = date_filter(timezone.localtime(made.released_at), "j F Y H:i")
    return (
        f"The figures are those shown to the group on {when}, "
        f"from {made.respondents} people's answers."
    )


def _index_cells(html) -> list[str]:
    return re.findall(r'<td class="num" data-figure="index">(.*?)</td>', html)


def _too_little(i, position):
    """Two of the six statements with a value, the rest "don't know": does not count."""
    return 4 if position < 2 else None


def test_it_previews_agreements_actions_and_figures_without_the_notes(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5, comment=lambda i, p: "Personlig kommentar")
    release(assessment)
    _agreed(assessment, org.manager_of_a)

    html = _preview(manager, assessment)
    preview = html[html.index('class="preview"') :]
    assert _released_note(assessment) in preview
    assert "data-unreleased" not in preview
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


def test_it_previews_the_released_figures_not_the_answers_since(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5, statement_value=lambda i, position: 1)
    release(assessment)
    # The individual phase opened again and six more answered 5 everywhere; the results
    # were not shown again, so the figures stay those the group saw.
    workflow.reopen_individual(assessment, org.manager_of_a)
    add_respondents(assessment, 6, statement_value=lambda i, position: 5)
    workflow.close_individual(assessment, org.manager_of_a)

    html = _preview(manager, assessment)
    preview = html[html.index('class="preview"') :]
    assert _released_note(assessment) in preview
    assert "from 5 people's answers." in preview
    assert _index_cells(preview) == ["1.0", "1.0"]

    # Completing keeps the release the group was shown: it adds none of its own.
    manager.post(reverse("manager_complete", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.state == S.COMPLETED
    assert Release.objects.filter(assessment=assessment).count() == 1
    html = _preview(manager, assessment)
    assert "from 5 people's answers." in html
    assert _index_cells(html) == ["1.0", "1.0"]


def test_it_says_the_figures_have_not_been_shown_yet(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5, comment=lambda i, p: "Personlig kommentar")
    add_respondents(assessment, 1, statement_value=_too_little)  # joined, does not count
    _agreed(assessment, org.manager_of_a)

    html = _preview(manager, assessment)
    preview = html[html.index('class="preview"') :]
    assert "data-unreleased" in preview
    assert "The group's figures have not been shown yet, so none are previewed here." in preview
    assert "from the answers of the 5 people who count." in preview
    assert "data-figure" not in html
    assert "Median" not in html
    assert "The figures are those shown to the group" not in html
    assert '<td class="num">4</td>' in preview  # what the group agreed is still there

    # Completing releases them into the report, from those who count.
    manager.post(reverse("manager_complete", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.state == S.COMPLETED
    assert assessment.release is not None and assessment.release.respondents == 5
    assert assessment.counted_respondents == 5  # of the six who joined
    html = _preview(manager, assessment)
    assert "data-unreleased" not in html
    assert _released_note(assessment) in html
    assert 'data-figure="index"' in html and 'data-figure="balance"' in html
    assert "Personlig kommentar" not in html


@pytest.mark.parametrize("too_little", [0, 1], ids=["four", "four-and-one-too-little"])
def test_it_previews_no_figures_below_five_answers(org, manager, too_little):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 4)
    # Someone who answered too little joined, but does not count toward the five.
    add_respondents(assessment, too_little, statement_value=_too_little)
    assert release(assessment).status == "too_few"
    _agreed(assessment, org.manager_of_a)
    html = _preview(manager, assessment)
    assert (
        "Fewer than 5 answered enough to count, so no figures from the individual answers "
        "are shown; only what the group agreed."
    ) in html
    assert "data-unreleased" not in html
    assert "data-figure" not in html
    assert "Median" not in html
    assert '<td class="num">4</td>' in html  # what the group agreed is still there

    # Completing cannot release them either: the report has no figures.
    manager.post(reverse("manager_complete", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.state == S.COMPLETED and assessment.release_id is None
    assert assessment.counted_respondents == 4
    html = _preview(manager, assessment)
    assert "Fewer than 5 answered enough to count" in html
    assert "data-figure" not in html


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

"""Moving an assessment from state to state: who may, from where, and what is recorded."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from assessments import workflow
from assessments.models import AssessmentState, StateChange, UnitAssessment
from tests.factories_dialogue import make_unit_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords need no real key stretching in tests (saves ~2 s a test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):  # assertions read the English msgids
        yield


S = AssessmentState

# service, the one state it starts from, the state it leaves behind
LEGAL = {
    "open_individual": (S.PREPARING, S.INDIVIDUAL),
    "close_individual": (S.INDIVIDUAL, S.DIALOGUE),
    "reopen_individual": (S.DIALOGUE, S.INDIVIDUAL),
    "reveal_results": (S.DIALOGUE, S.DIALOGUE),
    "complete": (S.DIALOGUE, S.COMPLETED),
}
ILLEGAL = [
    (name, state) for name, (start, _end) in LEGAL.items() for state in S.values if state != start
]
NOT_ALLOWED = ["quality_developer", "quality_developer_elsewhere", "manager_of_b", "outsider"]


def _snapshot(assessment: UnitAssessment) -> tuple:
    row = UnitAssessment.objects.get(pk=assessment.pk)
    return (row.state, row.results_revealed, row.completed_at, row.completed_by_id, row.share_notes)


@pytest.mark.parametrize("name", LEGAL)
@pytest.mark.parametrize("who", ["manager_of_a", "administrator"])
def test_it_moves_on_and_records_who_and_when(org, name, who):
    start, end = LEGAL[name]
    assessment = make_unit_assessment(org, state=start)
    user = getattr(org, who)

    result = getattr(workflow, name)(assessment, user)

    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert result.state == stored.state == end
    change = StateChange.objects.get(assessment=assessment)
    assert (change.from_state, change.to_state, change.changed_by) == (start, end, user)
    assert change.changed_at is not None


@pytest.mark.parametrize(("name", "state"), ILLEGAL)
def test_it_refuses_every_illegal_transition(org, name, state):
    fields = {"completed_at": None} if state != S.COMPLETED else {}
    assessment = make_unit_assessment(org, state=state, **fields)
    before = _snapshot(assessment)

    with pytest.raises(workflow.WorkflowError) as refused:
        getattr(workflow, name)(assessment, org.manager_of_a)

    assert refused.value.code == "wrong_state"
    assert "is not possible while the assessment is in the state" in str(refused.value)
    assert _snapshot(assessment) == before
    assert not StateChange.objects.exists()


@pytest.mark.parametrize("name", LEGAL)
@pytest.mark.parametrize("who", [*NOT_ALLOWED, "anonymous"])
def test_it_refuses_everyone_but_the_manager_and_administrators(org, name, who):
    start, _end = LEGAL[name]
    assessment = make_unit_assessment(org, state=start)
    before = _snapshot(assessment)
    user = AnonymousUser() if who == "anonymous" else getattr(org, who)

    with pytest.raises(workflow.WorkflowError) as refused:
        getattr(workflow, name)(assessment, user)

    assert refused.value.code == "forbidden"
    assert str(refused.value) == "Only the unit's manager or an administrator may do this."
    assert _snapshot(assessment) == before
    assert not StateChange.objects.exists()


def test_it_lets_the_manager_of_a_parent_unit_run_it(org):
    from assessments.models import RoleKind
    from tests.factories import give_role, make_user

    head = make_user("head-of-a")
    give_role(head, org.dep_a, RoleKind.MANAGER)
    assessment = make_unit_assessment(org, state=S.PREPARING)
    assert workflow.open_individual(assessment, head).state == S.INDIVIDUAL


def test_it_refuses_an_inactive_manager(org):
    org.manager_of_a.is_active = False
    org.manager_of_a.save()
    assessment = make_unit_assessment(org, state=S.PREPARING)
    with pytest.raises(workflow.WorkflowError):
        workflow.open_individual(assessment, org.manager_of_a)
    assert _snapshot(assessment)[0] == S.PREPARING


def test_it_reveals_the_results_once(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    workflow.reveal_results(assessment, org.manager_of_a)
    assert UnitAssessment.objects.get(pk=assessment.pk).results_revealed

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.reveal_results(assessment, org.manager_of_a)
    assert refused.value.code == "already_revealed"
    assert StateChange.objects.filter(assessment=assessment).count() == 1


def test_it_hides_the_results_again_when_reflection_reopens(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE, results_revealed=True)
    workflow.reopen_individual(assessment, org.manager_of_a)
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert (stored.state, stored.results_revealed) == (S.INDIVIDUAL, False)


@pytest.mark.parametrize("share", [True, False])
def test_it_completes_with_date_person_and_the_groups_choice_on_notes(org, share):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    workflow.complete(assessment, org.manager_of_a, share_notes=share)
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert stored.state == S.COMPLETED
    assert stored.completed_at is not None
    assert stored.completed_by == org.manager_of_a
    assert stored.share_notes is share


def test_it_runs_a_whole_assessment_and_keeps_the_history_in_order(org):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    user = org.manager_of_a
    for step in (
        workflow.open_individual,
        workflow.close_individual,
        workflow.reopen_individual,
        workflow.close_individual,
        workflow.reveal_results,
        workflow.complete,
    ):
        step(assessment, user)
    assert list(
        StateChange.objects.filter(assessment=assessment).values_list("from_state", "to_state")
    ) == [
        (S.PREPARING, S.INDIVIDUAL),
        (S.INDIVIDUAL, S.DIALOGUE),
        (S.DIALOGUE, S.INDIVIDUAL),
        (S.INDIVIDUAL, S.DIALOGUE),
        (S.DIALOGUE, S.DIALOGUE),
        (S.DIALOGUE, S.COMPLETED),
    ]


# --- through the step buttons ---------------------------------------------------------------

STEP_OF = {
    "open_individual": "oppna-individuellt",
    "close_individual": "stang-individuellt",
    "reopen_individual": "oppna-igen",
    "reveal_results": "visa-resultat",
}


@pytest.mark.parametrize("name", STEP_OF)
def test_it_takes_each_step_from_its_button(org, persona, name):
    start, end = LEGAL[name]
    assessment = make_unit_assessment(org, state=start)
    client = persona("manager_of_a")
    response = client.post(reverse("manager_step", args=[assessment.pk, STEP_OF[name]]))
    assert response.status_code == 302
    assert _snapshot(assessment)[0] == end


@pytest.mark.parametrize(("name", "state"), [(n, s) for n, s in ILLEGAL if n in STEP_OF])
def test_it_explains_a_refused_step_and_changes_nothing(org, persona, name, state):
    assessment = make_unit_assessment(org, state=state)
    before = _snapshot(assessment)
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("manager_step", args=[assessment.pk, STEP_OF[name]]), follow=True
    )
    assert response.status_code == 200
    assert "is not possible while the assessment is in the state" in response.content.decode()
    assert _snapshot(assessment) == before


@pytest.mark.parametrize("who", NOT_ALLOWED)
def test_it_answers_404_to_a_step_on_someone_elses_assessment(org, persona, who):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    response = persona(who).post(
        reverse("manager_step", args=[assessment.pk, "oppna-individuellt"])
    )
    assert response.status_code == 404
    assert _snapshot(assessment)[0] == S.PREPARING


def test_it_refuses_a_step_by_get_and_an_unknown_step(org, persona):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    client = persona("manager_of_a")
    assert (
        client.get(reverse("manager_step", args=[assessment.pk, "oppna-individuellt"])).status_code
        == 405
    )
    assert (
        client.post(reverse("manager_step", args=[assessment.pk, "hoppa-over"])).status_code == 404
    )
    assert _snapshot(assessment)[0] == S.PREPARING

"""Moving an assessment from state to state: who may, from where, and what is recorded."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from assessments import disclosure, workflow
from assessments.models import AssessmentState, Release, StateChange, UnitAssessment
from tests.factories_dialogue import add_respondents, make_unit_assessment

pytestmark = pytest.mark.django_db

MIN = 5  # settings.MIN_RESPONDENTS in these tests
EXPECTED = 12  # what the manager says when opening the individual phase
NO_NUMBER = "Say how many are expected to answer: a whole number from 1 to 500."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords need no real key stretching in tests (saves ~2 s a test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = MIN
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
# Services that release figures when enough have answered: their refusals are tested with
# enough respondents, so that nothing but the refusal keeps figures from being released.
RELEASING = {"reveal_results", "complete"}


def _run(name: str, assessment: UnitAssessment, user):
    """Call a workflow service as its step does (opening says how many are expected)."""
    if name == "open_individual":
        return workflow.open_individual(assessment, user, expected=EXPECTED)
    return getattr(workflow, name)(assessment, user)


def _assessment(org, name: str, state: str) -> UnitAssessment:
    assessment = make_unit_assessment(org, state=state)
    if name in RELEASING:
        add_respondents(assessment, MIN)
    return assessment


def _snapshot(assessment: UnitAssessment) -> tuple:
    row = UnitAssessment.objects.get(pk=assessment.pk)
    return (
        row.state,
        row.release_id,
        Release.objects.filter(assessment=assessment).count(),
        row.expected_respondents,
        row.completed_at,
        row.completed_by_id,
        row.share_notes,
    )


def _stored(assessment: UnitAssessment) -> UnitAssessment:
    return UnitAssessment.objects.get(pk=assessment.pk)


@pytest.mark.parametrize("name", LEGAL)
@pytest.mark.parametrize("who", ["manager_of_a", "administrator"])
def test_it_moves_on_and_records_who_and_when(org, name, who):
    start, end = LEGAL[name]
    assessment = _assessment(org, name, start)
    user = getattr(org, who)

    result = _run(name, assessment, user)

    stored = _stored(assessment)
    assert stored.state == end
    if name == "reveal_results":  # not a change of state: the outcome of the release
        assert result.status == disclosure.RELEASED
        assert stored.release_id == result.release.pk
    else:
        assert result.state == end
    changes = list(StateChange.objects.filter(assessment=assessment))
    if name == "complete":  # never revealed: completion released the figures first
        assert [(c.from_state, c.to_state) for c in changes[:-1]] == [(start, start)]
    change = changes[-1]
    assert (change.from_state, change.to_state, change.changed_by) == (start, end, user)
    assert change.changed_at is not None
    assert all(c.changed_by == user for c in changes)


@pytest.mark.parametrize(("name", "state"), ILLEGAL)
def test_it_refuses_every_illegal_transition(org, name, state):
    assessment = _assessment(org, name, state)
    before = _snapshot(assessment)

    with pytest.raises(workflow.WorkflowError) as refused:
        _run(name, assessment, org.manager_of_a)

    assert refused.value.code == "wrong_state"
    assert "is not possible while the assessment is in the state" in str(refused.value)
    assert _snapshot(assessment) == before
    assert not StateChange.objects.exists()
    assert not Release.objects.exists()


@pytest.mark.parametrize("name", LEGAL)
@pytest.mark.parametrize("who", [*NOT_ALLOWED, "anonymous"])
def test_it_refuses_everyone_but_the_manager_and_administrators(org, name, who):
    start, _end = LEGAL[name]
    assessment = _assessment(org, name, start)
    before = _snapshot(assessment)
    user = AnonymousUser() if who == "anonymous" else getattr(org, who)

    with pytest.raises(workflow.WorkflowError) as refused:
        _run(name, assessment, user)

    assert refused.value.code == "forbidden"
    assert str(refused.value) == "Only the unit's manager or an administrator may do this."
    assert _snapshot(assessment) == before
    assert not StateChange.objects.exists()
    assert not Release.objects.exists()


def test_it_lets_the_manager_of_a_parent_unit_run_it(org):
    from assessments.models import RoleKind
    from tests.factories import give_role, make_user

    head = make_user("head-of-a")
    give_role(head, org.dep_a, RoleKind.MANAGER)
    assessment = make_unit_assessment(org, state=S.PREPARING)
    assert workflow.open_individual(assessment, head, expected=EXPECTED).state == S.INDIVIDUAL


def test_it_refuses_an_inactive_manager(org):
    org.manager_of_a.is_active = False
    org.manager_of_a.save()
    assessment = make_unit_assessment(org, state=S.PREPARING)
    with pytest.raises(workflow.WorkflowError):
        workflow.open_individual(assessment, org.manager_of_a, expected=EXPECTED)
    assert _snapshot(assessment)[0] == S.PREPARING


# --- how many are expected -------------------------------------------------------------------


def test_it_stores_the_number_expected_when_opening(org):
    assessment = make_unit_assessment(org, state=S.PREPARING)

    opened = workflow.open_individual(assessment, org.manager_of_a, expected=12)

    stored = _stored(assessment)
    assert opened.expected_respondents == stored.expected_respondents == 12
    assert stored.state == S.INDIVIDUAL


@pytest.mark.parametrize("expected", [None, 0, -1, 501])
def test_it_refuses_to_open_without_a_number_expected(org, expected):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    before = _snapshot(assessment)

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.open_individual(assessment, org.manager_of_a, expected=expected)

    assert refused.value.code == "expected"
    assert str(refused.value) == NO_NUMBER
    assert _snapshot(assessment) == before
    assert _stored(assessment).state == S.PREPARING
    assert _stored(assessment).expected_respondents is None
    assert not StateChange.objects.exists()


@pytest.mark.parametrize("expected", [1, 500])
def test_it_opens_with_the_fewest_and_the_most_expected(org, expected):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    workflow.open_individual(assessment, org.manager_of_a, expected=expected)
    assert _stored(assessment).expected_respondents == expected


def test_it_changes_the_number_expected_while_people_answer(org):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    workflow.open_individual(assessment, org.manager_of_a, expected=EXPECTED)

    changed = workflow.set_expected(assessment, org.manager_of_a, expected=20)

    stored = _stored(assessment)
    assert changed.expected_respondents == stored.expected_respondents == 20
    assert stored.state == S.INDIVIDUAL
    # Not a change of state: only the opening is in the history.
    assert list(StateChange.objects.values_list("from_state", "to_state")) == [
        (S.PREPARING, S.INDIVIDUAL)
    ]


def test_it_never_expects_fewer_than_have_joined(org):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL, expected_respondents=EXPECTED)
    add_respondents(assessment, 3)

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.set_expected(assessment, org.manager_of_a, expected=2)

    assert refused.value.code == "expected"
    assert str(refused.value) == "3 have already joined; the number expected cannot be lower."
    assert _stored(assessment).expected_respondents == EXPECTED

    workflow.set_expected(assessment, org.manager_of_a, expected=3)  # as many as joined
    assert _stored(assessment).expected_respondents == 3


@pytest.mark.parametrize("expected", [None, 0, 501])
def test_it_refuses_a_changed_number_that_is_not_one(org, expected):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL, expected_respondents=EXPECTED)

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.set_expected(assessment, org.manager_of_a, expected=expected)

    assert refused.value.code == "expected"
    assert str(refused.value) == NO_NUMBER
    assert _stored(assessment).expected_respondents == EXPECTED


@pytest.mark.parametrize("state", [S.PREPARING, S.DIALOGUE, S.COMPLETED])
def test_it_changes_the_number_expected_only_while_people_answer(org, state):
    assessment = make_unit_assessment(org, state=state, expected_respondents=EXPECTED)
    before = _snapshot(assessment)

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.set_expected(assessment, org.manager_of_a, expected=20)

    assert refused.value.code == "wrong_state"
    assert "is not possible while the assessment is in the state" in str(refused.value)
    assert _snapshot(assessment) == before


@pytest.mark.parametrize("who", [*NOT_ALLOWED, "anonymous"])
def test_it_lets_only_the_manager_change_the_number_expected(org, who):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL, expected_respondents=EXPECTED)
    user = AnonymousUser() if who == "anonymous" else getattr(org, who)

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.set_expected(assessment, user, expected=20)

    assert refused.value.code == "forbidden"
    assert _stored(assessment).expected_respondents == EXPECTED


# --- showing the results -----------------------------------------------------------------------


def test_it_refuses_to_reveal_with_fewer_than_the_threshold(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN - 1)

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.reveal_results(assessment, org.manager_of_a)

    assert refused.value.code == "too_few"
    assert str(refused.value) == (
        "Only 4 people have answered enough to count. To protect everyone's anonymity, "
        "results are shown only when at least 5 have."
    )
    stored = _stored(assessment)
    assert stored.release_id is None
    assert not stored.shows_figures
    assert disclosure.shown(stored) is None
    assert not Release.objects.exists()
    assert not StateChange.objects.exists()


def test_it_reveals_at_exactly_the_threshold(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN)

    outcome = workflow.reveal_results(assessment, org.manager_of_a)

    assert outcome.status == disclosure.RELEASED
    made = Release.objects.get(assessment=assessment)
    assert outcome.release == made
    assert (made.number, made.respondents, made.threshold) == (1, MIN, MIN)
    assert made.released_by == org.manager_of_a
    stored = _stored(assessment)
    assert stored.release == made
    assert stored.shows_figures
    assert disclosure.shown(stored).respondents == MIN
    change = StateChange.objects.get(assessment=assessment)
    assert (change.from_state, change.to_state, change.changed_by) == (
        S.DIALOGUE,
        S.DIALOGUE,
        org.manager_of_a,
    )


def test_it_counts_only_those_who_answered_enough(org):
    """Six statements: three with a value count, two do not."""
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN - 1)
    add_respondents(assessment, 1, statement_value=lambda i, position: 3 if position < 2 else None)

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.reveal_results(assessment, org.manager_of_a)
    assert refused.value.code == "too_few"
    assert "Only 4 people have answered enough to count." in str(refused.value)
    assert not Release.objects.exists()

    add_respondents(assessment, 1, statement_value=lambda i, position: 3 if position < 3 else None)
    outcome = workflow.reveal_results(assessment, org.manager_of_a)
    assert outcome.status == disclosure.RELEASED
    assert Release.objects.get(assessment=assessment).respondents == MIN


def test_it_reveals_the_results_once(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN)
    first = workflow.reveal_results(assessment, org.manager_of_a)
    assert _stored(assessment).release == first.release

    again = workflow.reveal_results(assessment, org.manager_of_a)

    assert again.status == disclosure.UNCHANGED
    assert again.release == first.release
    assert _stored(assessment).release == first.release
    assert Release.objects.filter(assessment=assessment).count() == 1
    assert StateChange.objects.filter(assessment=assessment).count() == 1


def test_it_refuses_a_new_release_that_differs_by_too_few(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN)
    first = workflow.reveal_results(assessment, org.manager_of_a).release
    workflow.reopen_individual(assessment, org.manager_of_a)
    add_respondents(assessment, 1)
    workflow.close_individual(assessment, org.manager_of_a)
    changes = StateChange.objects.count()

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.reveal_results(assessment, org.manager_of_a)

    assert refused.value.code == "too_close"
    # "fewer than 5", never the exact number: that would tell whether one person changed.
    assert "fewer than 5 people have joined or changed any one answer" in str(refused.value)
    assert "1 person" not in str(refused.value)
    stored = _stored(assessment)
    assert stored.release == first  # what was shown earlier stays shown
    assert stored.shows_figures
    assert Release.objects.filter(assessment=assessment).count() == 1
    assert StateChange.objects.count() == changes

    workflow.reopen_individual(assessment, org.manager_of_a)
    add_respondents(assessment, MIN - 1)
    workflow.close_individual(assessment, org.manager_of_a)
    outcome = workflow.reveal_results(assessment, org.manager_of_a)
    assert outcome.status == disclosure.RELEASED
    assert (outcome.release.number, outcome.release.respondents) == (2, 2 * MIN)
    assert _stored(assessment).release == outcome.release


def test_it_hides_the_results_again_when_reflection_reopens(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN)
    made = workflow.reveal_results(assessment, org.manager_of_a).release

    workflow.reopen_individual(assessment, org.manager_of_a)
    stored = _stored(assessment)
    assert stored.state == S.INDIVIDUAL
    assert stored.release == made  # kept, but not shown while people answer
    assert not stored.shows_figures
    assert disclosure.shown(stored) is None

    workflow.close_individual(assessment, org.manager_of_a)
    stored = _stored(assessment)
    assert stored.shows_figures
    assert stored.release == made
    assert disclosure.shown(stored).number == made.number == 1
    assert Release.objects.filter(assessment=assessment).count() == 1


# --- completing -------------------------------------------------------------------------------


@pytest.mark.parametrize("share", [True, False])
def test_it_completes_with_date_person_and_the_groups_choice_on_notes(org, share):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    workflow.complete(assessment, org.manager_of_a, share_notes=share)
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert stored.state == S.COMPLETED
    assert stored.completed_at is not None
    assert stored.completed_by == org.manager_of_a
    assert stored.share_notes is share


def test_it_releases_on_completion_when_nothing_was_released(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN)

    workflow.complete(assessment, org.manager_of_a)

    made = Release.objects.get(assessment=assessment)
    assert (made.number, made.respondents, made.released_by) == (1, MIN, org.manager_of_a)
    stored = _stored(assessment)
    assert stored.state == S.COMPLETED
    assert stored.release == made
    assert stored.shows_figures
    assert disclosure.shown(stored).respondents == MIN


def test_it_completes_without_a_release_when_too_few_count(org):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN - 1)

    workflow.complete(assessment, org.manager_of_a)

    stored = _stored(assessment)
    assert stored.state == S.COMPLETED
    assert stored.release_id is None
    assert not stored.shows_figures
    assert disclosure.shown(stored) is None
    assert not Release.objects.exists()


def test_it_keeps_the_earlier_release_on_completion(org):
    """A later release is the manager's own step: completion never adds one."""
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN)
    made = workflow.reveal_results(assessment, org.manager_of_a).release
    workflow.reopen_individual(assessment, org.manager_of_a)
    add_respondents(assessment, MIN)
    workflow.close_individual(assessment, org.manager_of_a)

    workflow.complete(assessment, org.manager_of_a)

    stored = _stored(assessment)
    assert stored.state == S.COMPLETED
    assert stored.release == made
    assert Release.objects.filter(assessment=assessment).count() == 1


def test_it_runs_a_whole_assessment_and_keeps_the_history_in_order(org):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    user = org.manager_of_a
    workflow.open_individual(assessment, user, expected=EXPECTED)
    add_respondents(assessment, MIN)
    for step in (
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
    stored = _stored(assessment)
    assert stored.expected_respondents == EXPECTED
    assert stored.release == Release.objects.get(assessment=assessment)
    assert stored.shows_figures


# --- through the step buttons ---------------------------------------------------------------

STEP_OF = {
    "open_individual": "oppna-individuellt",
    "close_individual": "stang-individuellt",
    "reopen_individual": "oppna-igen",
    "reveal_results": "visa-resultat",
}


def _step(client, assessment, step: str, data=None, **kwargs):
    return client.post(reverse("manager_step", args=[assessment.pk, step]), data or {}, **kwargs)


@pytest.mark.parametrize("name", STEP_OF)
def test_it_takes_each_step_from_its_button(org, persona, name):
    start, end = LEGAL[name]
    assessment = _assessment(org, name, start)
    client = persona("manager_of_a")
    response = _step(client, assessment, STEP_OF[name], {"expected": str(EXPECTED)})
    assert response.status_code == 302
    assert _snapshot(assessment)[0] == end
    if name == "open_individual":
        assert _stored(assessment).expected_respondents == EXPECTED
    if name == "reveal_results":
        assert _stored(assessment).release == Release.objects.get(assessment=assessment)


@pytest.mark.parametrize(("name", "state"), [(n, s) for n, s in ILLEGAL if n in STEP_OF])
def test_it_explains_a_refused_step_and_changes_nothing(org, persona, name, state):
    assessment = _assessment(org, name, state)
    before = _snapshot(assessment)
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"
    response = _step(client, assessment, STEP_OF[name], {"expected": str(EXPECTED)}, follow=True)
    assert response.status_code == 200
    assert "is not possible while the assessment is in the state" in response.content.decode()
    assert _snapshot(assessment) == before


@pytest.mark.parametrize("typed", [None, "", "0", "501", "abc", "1e3", "-3", "12.5", "１２"])
def test_it_refuses_to_open_from_the_button_without_a_number(org, persona, typed):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    before = _snapshot(assessment)
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"

    data = {} if typed is None else {"expected": typed}
    response = _step(client, assessment, "oppna-individuellt", data, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert NO_NUMBER in page
    assert "Individual reflection is open" not in page
    assert _snapshot(assessment) == before
    assert _stored(assessment).state == S.PREPARING
    assert not StateChange.objects.exists()


def test_it_opens_from_the_button_with_the_number_typed(org, persona):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"

    response = _step(client, assessment, "oppna-individuellt", {"expected": "12"}, follow=True)

    assert "Individual reflection is open" in response.content.decode()
    stored = _stored(assessment)
    assert (stored.state, stored.expected_respondents) == (S.INDIVIDUAL, 12)
    assert StateChange.objects.filter(assessment=assessment).count() == 1


def test_it_changes_the_number_expected_from_its_button(org, persona):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL, expected_respondents=EXPECTED)
    add_respondents(assessment, 3)
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"

    response = _step(client, assessment, "antal", {"expected": "2"}, follow=True)
    assert "3 have already joined; the number expected cannot be lower." in (
        response.content.decode()
    )
    assert _stored(assessment).expected_respondents == EXPECTED

    response = _step(client, assessment, "antal", {"expected": "abc"}, follow=True)
    assert NO_NUMBER in response.content.decode()
    assert _stored(assessment).expected_respondents == EXPECTED

    response = _step(client, assessment, "antal", {"expected": "20"}, follow=True)
    assert "The number of participants expected is saved." in response.content.decode()
    stored = _stored(assessment)
    assert (stored.state, stored.expected_respondents) == (S.INDIVIDUAL, 20)
    assert not StateChange.objects.exists()


def test_it_explains_a_refused_reveal_from_its_button(org, persona):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, MIN - 1)
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"

    response = _step(client, assessment, "visa-resultat", follow=True)

    assert response.status_code == 200
    assert "Only 4 people have answered enough to count." in response.content.decode()
    assert _stored(assessment).release_id is None
    assert not Release.objects.exists()
    assert not StateChange.objects.exists()


@pytest.mark.parametrize("who", NOT_ALLOWED)
def test_it_answers_404_to_a_step_on_someone_elses_assessment(org, persona, who):
    assessment = make_unit_assessment(org, state=S.PREPARING)
    response = _step(persona(who), assessment, "oppna-individuellt", {"expected": "12"})
    assert response.status_code == 404
    assert _snapshot(assessment)[0] == S.PREPARING
    assert _stored(assessment).expected_respondents is None


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

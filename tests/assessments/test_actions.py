"""Actions: added, changed and deleted in the dialogue; their status followed up afterwards."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from assessments import agreements, workflow
from assessments.models import Action, ActionStatus, AssessmentState
from principles.models import Principle
from tests.factories import make_version
from tests.factories_dialogue import make_unit_assessment

pytestmark = pytest.mark.django_db

S = AssessmentState


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):  # assertions read the English msgids
        yield


@pytest.fixture
def manager(persona):
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def assessment(org):
    return make_unit_assessment(org, state=S.DIALOGUE)


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _stored() -> list[tuple]:
    return list(Action.objects.order_by("pk").values_list())


def _create_url(assessment):
    return reverse("manager_action_create", args=[assessment.pk])


def _valid(**changes) -> dict:
    return {
        "title": "Ses en timme varje vecka",
        "responsible": "Maja",
        "due_on": _days(30).isoformat(),
        "principle": "",
        "status": "planned",
        **changes,
    }


# --- adding ----------------------------------------------------------------------------------


def test_it_adds_an_action_with_what_who_by_when_and_principle(manager, assessment):
    principle = Principle.objects.get(version=assessment.round.framework_version, key="p2")
    response = manager.post(
        _create_url(assessment), _valid(principle=principle.pk, title="  Fika ihop  ")
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/dialog/#actions")
    action = Action.objects.get()
    assert (action.title, action.responsible, action.due_on, action.principle, action.status) == (
        "Fika ihop",
        "Maja",
        _days(30),
        principle,
        "planned",
    )
    html = manager.get(reverse("manager_dialogue", args=[assessment.pk])).content.decode()
    assert '<th scope="row">Fika ihop</th>' in html


def test_it_adds_an_action_with_no_date_and_no_principle(manager, assessment):
    manager.post(_create_url(assessment), _valid(due_on=""))
    action = Action.objects.get()
    assert action.due_on is None and action.principle is None


def test_it_accepts_today_as_the_date(manager, assessment):
    manager.post(_create_url(assessment), _valid(due_on=_days(0).isoformat()))
    assert Action.objects.get().due_on == _days(0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Write what is to be done."),
        ({"title": "   "}, "title", "Write what is to be done."),
        ({"responsible": ""}, "responsible", "Write who is responsible."),
        ({"due_on": "yesterday"}, "due_on", "Write a date as YYYY-MM-DD."),
        ({"due_on": "2026-13-40"}, "due_on", "Write a date as YYYY-MM-DD."),
        ({"status": "forgotten"}, "status", "Choose a status from the list."),
        ({"title": "x" * 301}, "title", "Ensure this value has at most 300 characters"),
    ],
)
def test_it_explains_bad_input_next_to_the_field(manager, assessment, changes, field, message):
    response = manager.post(_create_url(assessment), _valid(**changes))
    html = response.content.decode()
    # Refused in place: the dialogue page itself, the typed values kept, the error beside them.
    assert response.status_code == 400
    assert 'id="agreements"' in html and 'id="actions"' in html
    error = html[html.index(f'id="id_{field}_error"') :]
    assert message in error[:400]
    assert "The action was not saved" in html
    assert not Action.objects.exists()


def test_it_refuses_a_date_in_the_past_for_a_new_action(manager, assessment):
    response = manager.post(_create_url(assessment), _valid(due_on=_days(-1).isoformat()))
    html = response.content.decode()
    error = html[html.index('id="id_due_on_error"') :]
    assert "The date has already passed; choose today or a later date." in error[:400]
    assert not Action.objects.exists()


def test_it_refuses_a_principle_of_another_framework(manager, assessment):
    foreign = Principle.objects.get(version=make_version("Annat", published=True), key="p1")
    response = manager.post(_create_url(assessment), _valid(principle=foreign.pk))
    html = response.content.decode()
    error = html[html.index('id="id_principle_error"') :]
    assert "Choose one of this assessment&#x27;s principles." in error[:400]
    assert not Action.objects.exists()


def test_it_refuses_bad_actions_in_the_service_too(org, assessment):
    foreign = Principle.objects.get(version=make_version("Annat", published=True), key="p1")
    cases = [
        ({"title": " ", "responsible": "Maja"}, "title"),
        ({"title": "Fika", "responsible": ""}, "responsible"),
        ({"title": "Fika", "responsible": "Maja", "due_on": _days(-3)}, "due_on"),
        ({"title": "Fika", "responsible": "Maja", "principle": foreign}, "principle"),
        ({"title": "Fika", "responsible": "Maja", "status": "lost"}, "status"),
        ({"title": "x" * 301, "responsible": "Maja"}, "title"),
        ({"title": "Fika", "responsible": "x" * 201}, "responsible"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as refused:
            agreements.create_action(assessment, org.manager_of_a, **values)
        assert field in refused.value.message_dict
    assert not Action.objects.exists()


# --- changing and deleting ------------------------------------------------------------------


@pytest.fixture
def action(assessment):
    return Action.objects.create(
        assessment=assessment, title="Fika ihop", responsible="Maja", due_on=_days(10)
    )


def _edit_url(action):
    return reverse("manager_action_edit", args=[action.assessment_id, action.pk])


def test_it_changes_an_action(manager, action):
    response = manager.post(
        _edit_url(action),
        _valid(title="Fika ihop varje fredag", status="in_progress", lock_version=0),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.status, action.lock_version) == (
        "Fika ihop varje fredag",
        "in_progress",
        1,
    )


def test_it_keeps_a_passed_date_that_was_not_changed(manager, action):
    Action.objects.filter(pk=action.pk).update(due_on=_days(-5))
    response = manager.post(
        _edit_url(action), _valid(due_on=_days(-5).isoformat(), title="Nytt", lock_version=0)
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_on) == ("Nytt", _days(-5))


def test_it_refuses_moving_a_date_into_the_past(manager, action):
    before = _stored()
    response = manager.post(_edit_url(action), _valid(due_on=_days(-1).isoformat(), lock_version=0))
    assert "The date has already passed" in response.content.decode()
    assert _stored() == before


def test_it_refuses_an_edit_based_on_an_old_version(org, manager, action):
    agreements.update_action(
        action.assessment, action, org.administrator, lock_version=0, title="Administratörens"
    )
    before = _stored()
    response = manager.post(_edit_url(action), _valid(title="Chefens", lock_version=0))
    html = response.content.decode()
    assert "Someone else changed this action while you were editing it" in html
    conflict = html[html.index("alert-warning conflict") :]
    assert "<dd>Administratörens</dd>" in conflict[: conflict.index("</div>")]
    assert 'value="Chefens"' in html
    assert 'name="lock_version" value="1"' in html
    assert _stored() == before


def test_it_deletes_an_action_after_asking(manager, action):
    url = reverse("manager_action_delete", args=[action.assessment_id, action.pk])
    page = manager.get(url).content.decode()
    assert "Fika ihop" in page and "Delete the action" in page
    assert Action.objects.exists()
    response = manager.post(url)
    assert response.status_code == 302
    assert not Action.objects.exists()


@pytest.mark.parametrize("who", ["quality_developer", "manager_of_b", "outsider"])
def test_it_answers_404_to_anyone_else(org, persona, action, who):
    client = persona(who)
    before = _stored()
    assert client.post(_create_url(action.assessment), _valid()).status_code == 404
    assert client.post(_edit_url(action), _valid(lock_version=0)).status_code == 404
    delete = reverse("manager_action_delete", args=[action.assessment_id, action.pk])
    assert client.post(delete).status_code == 404
    status = reverse("manager_action_status", args=[action.assessment_id, action.pk])
    assert client.post(status, {"status": "done", "lock_version": 0}).status_code == 404
    assert _stored() == before


def test_it_answers_404_for_an_action_of_another_assessment(org, manager, action):
    other = make_unit_assessment(org, state=S.DIALOGUE, round=action.assessment.round, unit=org.a2)
    assert (
        manager.get(reverse("manager_action_edit", args=[other.pk, action.pk])).status_code == 404
    )


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL, S.COMPLETED])
def test_it_adds_changes_and_deletes_in_the_dialogue_only(org, manager, state):
    assessment = make_unit_assessment(org, state=state)
    action = Action.objects.create(assessment=assessment, title="Fika", responsible="Maja")
    before = _stored()

    response = manager.post(_create_url(assessment), _valid(), follow=True)
    assert "Actions are added during the dialogue." in response.content.decode()
    response = manager.post(_edit_url(action), _valid(title="Nytt", lock_version=0), follow=True)
    assert "afterwards only their status" in response.content.decode()
    delete = reverse("manager_action_delete", args=[assessment.pk, action.pk])
    manager.post(delete)
    assert _stored() == before
    for call, kwargs in (
        (agreements.create_action, {"title": "X", "responsible": "Y"}),
        (agreements.update_action, {"action": action, "lock_version": 0, "title": "X"}),
        (agreements.delete_action, {"action": action}),
    ):
        with pytest.raises(workflow.WorkflowError):
            call(assessment, user=org.manager_of_a, **kwargs)
    assert _stored() == before


# --- status -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DIALOGUE, S.COMPLETED])
def test_it_updates_the_status_in_the_dialogue_and_after_completion(org, manager, state):
    assessment = make_unit_assessment(org, state=state)
    action = Action.objects.create(assessment=assessment, title="Fika", responsible="Maja")
    url = reverse("manager_action_status", args=[assessment.pk, action.pk])
    response = manager.post(url, {"status": "in_progress", "lock_version": 0}, follow=True)
    assert "“Fika” is now “In progress”." in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.lock_version) == (ActionStatus.IN_PROGRESS, 1)


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL])
def test_it_has_no_status_to_follow_up_before_the_dialogue(org, manager, state):
    assessment = make_unit_assessment(org, state=state)
    action = Action.objects.create(assessment=assessment, title="Fika", responsible="Maja")
    url = reverse("manager_action_status", args=[assessment.pk, action.pk])
    response = manager.post(url, {"status": "done", "lock_version": 0}, follow=True)
    assert "Actions are followed up once the dialogue has started." in response.content.decode()
    assert Action.objects.get().status == ActionStatus.PLANNED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "finished", "lock_version": 0}, "Choose a status from the list."),
        ({"status": "done"}, "The form was incomplete. Reload the page and try again."),
    ],
)
def test_it_refuses_a_bad_status(manager, action, data, message):
    url = reverse("manager_action_status", args=[action.assessment_id, action.pk])
    response = manager.post(url, data, follow=True)
    assert message in response.content.decode()
    assert Action.objects.get().status == ActionStatus.PLANNED


def test_it_refuses_a_status_change_based_on_an_old_version(org, manager, action):
    agreements.set_action_status(
        action.assessment, action, org.administrator, status="done", lock_version=0
    )
    url = reverse("manager_action_status", args=[action.assessment_id, action.pk])
    response = manager.post(url, {"status": "in_progress", "lock_version": 0}, follow=True)
    assert (
        "Someone else changed “Fika ihop” meanwhile; its status is now “Done”. "
        "Nothing was overwritten." in response.content.decode()
    )
    assert Action.objects.get().status == ActionStatus.DONE


def test_it_only_goes_back_to_pages_of_this_site(manager, action):
    url = reverse("manager_action_status", args=[action.assessment_id, action.pk])
    response = manager.post(
        url, {"status": "done", "lock_version": 0, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("manager_dialogue", args=[action.assessment_id]) + (
        "#actions"
    )

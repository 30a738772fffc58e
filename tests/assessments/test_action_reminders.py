"""Reminders of actions by e-mail: before the date, once when overdue, each once."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import followup
from assessments.models import (
    Action,
    ActionReminder,
    ActionStatus,
    AssessmentState,
    LanguagePreference,
    RoleKind,
)
from principles.models import Principle
from tests.factories import give_role, make_user
from tests.factories_dialogue import make_unit_assessment

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 10, 1)


def _day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.ACTION_REMINDER_DAYS_BEFORE = 7
    settings.SITE_URL = "https://tillit.example.se"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def completed(org):
    return make_unit_assessment(org, state=AssessmentState.COMPLETED)


def _action(assessment, due_in: int | None, **fields) -> Action:
    fields.setdefault("title", f"Åtgärd om {due_in} dagar")
    fields.setdefault("responsible", "Arbetsgruppen")
    return Action.objects.create(
        assessment=assessment,
        due_on=None if due_in is None else _day(due_in),
        **fields,
    )


def test_it_reminds_from_seven_days_before_up_to_the_day_and_then_when_overdue(
    completed, mailoutbox
):
    for days in (8, 7, 6, 0, -1, None):
        _action(completed, days)

    run = followup.send_reminders(today=TODAY)

    assert run.sent == 4
    assert sorted(m.subject.split(": ", 1)[1] for m in mailoutbox) == [
        "Åtgärd om -1 dagar",
        "Åtgärd om 0 dagar",
        "Åtgärd om 6 dagar",
        "Åtgärd om 7 dagar",
    ]
    stored = set(ActionReminder.objects.values_list("action__title", "kind"))
    assert stored == {
        ("Åtgärd om 7 dagar", "due_soon"),
        ("Åtgärd om 6 dagar", "due_soon"),
        ("Åtgärd om 0 dagar", "due_soon"),
        ("Åtgärd om -1 dagar", "overdue"),
    }


@pytest.mark.parametrize(
    ("due_in", "kind"),
    [(8, None), (7, "due_soon"), (6, "due_soon"), (0, "due_soon"), (-1, "overdue"), (None, None)],
)
def test_it_names_the_reminder_at_its_boundary(due_in, kind):
    due_on = None if due_in is None else _day(due_in)
    assert followup.reminder_kind(due_on, TODAY, 7) == kind


def test_it_sends_each_reminder_once_however_often_it_runs(completed, mailoutbox):
    action = _action(completed, 7)

    followup.send_reminders(today=TODAY)
    followup.send_reminders(today=TODAY)
    followup.send_reminders(today=_day(1))  # now due in six days: the "due soon" went already
    followup.send_reminders(today=_day(7))  # the day itself
    assert len(mailoutbox) == 1

    followup.send_reminders(today=_day(8))  # a day late: one "overdue"
    followup.send_reminders(today=_day(9))
    followup.send_reminders(today=_day(30))
    assert len(mailoutbox) == 2
    assert list(
        ActionReminder.objects.filter(action=action).order_by("pk").values_list("kind", "due_on")
    ) == [("due_soon", _day(7)), ("overdue", _day(7))]


def test_it_reminds_again_of_a_new_date(completed, mailoutbox):
    action = _action(completed, 5)
    followup.send_reminders(today=TODAY)
    Action.objects.filter(pk=action.pk).update(due_on=_day(20))
    followup.send_reminders(today=_day(14))
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.CANCELLED])
def test_it_skips_done_and_cancelled_actions(completed, mailoutbox, status):
    _action(completed, 3, status=status)
    _action(completed, -3, status=status)
    assert followup.send_reminders(today=TODAY).sent == 0
    assert mailoutbox == []
    assert not ActionReminder.objects.exists()


def test_it_reminds_of_actions_under_way(completed, mailoutbox):
    _action(completed, 3, status=ActionStatus.IN_PROGRESS)
    assert followup.send_reminders(today=TODAY).sent == 1


@pytest.mark.parametrize("state", [AssessmentState.DIALOGUE, AssessmentState.INDIVIDUAL])
def test_it_waits_until_the_plan_is_completed(org, mailoutbox, state):
    """In the dialogue the actions can still change or go: reminders start at completion."""
    _action(make_unit_assessment(org, state=state), 3)
    assert followup.send_reminders(today=TODAY).sent == 0


def test_it_writes_to_the_units_manager_only(org, completed, mailoutbox):
    _action(completed, 3, title="Ses varje vecka")
    followup.send_reminders(today=TODAY)
    assert [m.to for m in mailoutbox] == [[org.manager_of_a.email]]
    assert org.manager_of_b.email not in str([m.to for m in mailoutbox])


def test_it_writes_to_the_manager_the_action_names(org, completed, mailoutbox):
    deputy = make_user("deputy-a", first_name="Dana", last_name="Ek")
    give_role(deputy, org.a1, RoleKind.MANAGER)
    _action(completed, 3, responsible="dana  ek")  # as typed: case and spaces do not matter
    _action(completed, 4, title="Gemensam", responsible="Arbetsgruppen")
    followup.send_reminders(today=TODAY)
    to = sorted((m.subject.split(": ", 1)[1], m.to[0]) for m in mailoutbox)
    assert to == sorted(
        [
            ("Åtgärd om 3 dagar", deputy.email),
            ("Gemensam", org.manager_of_a.email),
            ("Gemensam", deputy.email),
        ]
    )


def test_it_writes_to_the_nearest_managers_above_a_unit_without_one(org, mailoutbox):
    head = make_user("head-b", first_name="Hedda")
    give_role(head, org.dep_b, RoleKind.MANAGER)
    _action(make_unit_assessment(org, unit=org.b1, state=AssessmentState.COMPLETED), 2)
    followup.send_reminders(today=TODAY)
    assert [m.to for m in mailoutbox] == [[head.email]]


def test_it_notes_an_action_nobody_can_be_reminded_of(org, mailoutbox):
    action = _action(make_unit_assessment(org, unit=org.b1, state=AssessmentState.COMPLETED), 2)
    run = followup.send_reminders(today=TODAY)
    assert (run.sent, run.without_recipient) == (0, [action.pk])
    assert not ActionReminder.objects.exists()


def test_it_skips_managers_without_an_address_or_account(org, completed, mailoutbox):
    org.manager_of_a.email = ""
    org.manager_of_a.save()
    _action(completed, 2)
    assert followup.send_reminders(today=TODAY).sent == 0


def test_it_says_what_when_and_where_in_swedish_by_default(org, completed, mailoutbox, settings):
    principle = Principle.objects.filter(version=completed.round.framework_version).first()
    action = _action(completed, 7, title="Ses en timme\nvarje vecka", principle=principle)
    followup.send_reminders(today=TODAY)
    (message,) = mailoutbox
    assert "\n" not in message.subject and "Ses en timme varje vecka" in message.subject
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    body = message.body
    link = "https://tillit.example.se" + reverse("manager_assessment", args=[completed.pk])
    assert f"{link}#action-{action.pk}" in body
    assert "8 oktober 2026" in body  # Swedish month name: the message is in Swedish
    assert completed.unit.name in body and completed.round.name in body
    assert principle.name_sv in body
    assert "<" not in body  # plain text, nothing escaped into entities
    assert message.content_subtype == "plain"


def test_it_writes_in_english_to_someone_who_chose_english(org, completed, mailoutbox):
    LanguagePreference.objects.create(user=org.manager_of_a, language="en")
    _action(completed, -1)
    followup.send_reminders(today=TODAY)
    (message,) = mailoutbox
    assert message.subject.startswith("Overdue action: ")
    assert "30 September 2026" in message.body
    assert "This is the only reminder that the action is overdue." in message.body


def test_it_remembers_the_language_a_signed_in_person_chooses(org, persona):
    client = persona("manager_of_a")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert LanguagePreference.objects.get(user=org.manager_of_a).language == "en"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert LanguagePreference.objects.get(user=org.manager_of_a).language == "en"


def test_it_stores_nothing_when_the_mail_cannot_be_sent(completed, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.assessments.test_action_reminders.RefusingBackend"
    _action(completed, 2)
    run = followup.send_reminders(today=TODAY)
    assert (run.sent, run.failed) == (0, 1)
    assert not ActionReminder.objects.exists()  # tried again on the next run


class RefusingBackend:
    """An SMTP server that is down (a stand-in for the outside world, not for our code)."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_it_sends_todays_reminders_from_the_command_once(completed, mailoutbox):
    _action(completed, None)
    Action.objects.update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    out = io.StringIO()
    call_command("send_action_reminders", "--now", stdout=out)
    call_command("send_action_reminders", stdout=out)  # enqueued; the test backend runs it now
    assert len(mailoutbox) == 1
    assert "Sent 1" in out.getvalue()


def test_it_reads_the_days_before_from_the_settings(completed, settings, mailoutbox):
    settings.ACTION_REMINDER_DAYS_BEFORE = 14
    _action(completed, 14)
    _action(completed, 15)
    assert followup.send_reminders(today=TODAY).sent == 1


def test_it_reads_everything_in_a_constant_number_of_queries(
    org, completed, mailoutbox, django_assert_max_num_queries
):
    for days in range(-3, 5):
        _action(completed, days)
    # 3 reads (actions, managers, sent) and, per e-mail sent, a savepoint and one insert.
    with django_assert_max_num_queries(3 + 8 * 3):
        assert followup.send_reminders(today=TODAY).sent == 8
    with django_assert_max_num_queries(3):
        assert followup.send_reminders(today=TODAY).sent == 0

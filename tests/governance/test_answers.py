"""The answer comes back down: the level above answers each proposal of a completed
assessment in its scope, and the unit sees it on its page and in its next round."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.agreements import AgreementConflict
from assessments.models import AssessmentState
from governance import services
from governance.models import SignalAnswer
from tests.factories import make_assessment, make_round
from tests.factories_dialogue import make_unit_assessment
from tests.factories_governance import make_signal

pytestmark = pytest.mark.django_db

LATER = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def completed(owners):
    return make_unit_assessment(owners, state=AssessmentState.COMPLETED)


@pytest.mark.parametrize("who", ["steering_owner", "quality_developer", "administrator"])
def test_it_stores_an_accepted_answer_with_change_and_date(owners, completed, who):
    signal = make_signal(completed)
    services.answer_signal(
        signal,
        getattr(owners, who),
        lock_version=0,
        status="accepted",
        text="Rapporten ersätts av en dialog varje kvartal.",
        due_on=LATER,
    )
    answer = SignalAnswer.objects.get(signal=signal)
    assert (answer.status, answer.due_on, answer.lock_version) == ("accepted", LATER, 1)
    assert answer.answered_by == getattr(owners, who)


@pytest.mark.parametrize(
    "who", ["steering_owner_elsewhere", "quality_developer_elsewhere", "manager_of_a", "outsider"]
)
def test_it_refuses_people_outside_the_units_part_of_the_tree(owners, completed, who):
    signal = make_signal(completed)
    with pytest.raises(services.AnswerRefused):
        services.answer_signal(
            signal, getattr(owners, who), lock_version=0, status="kept", text="Behövs."
        )
    assert not SignalAnswer.objects.exists()


def test_it_refuses_to_answer_before_the_assessment_is_completed(owners):
    assessment = make_unit_assessment(owners, state=AssessmentState.DIALOGUE)
    signal = make_signal(assessment)
    with pytest.raises(services.AnswerRefused):
        services.answer_signal(
            signal, owners.steering_owner, lock_version=0, status="kept", text="Behövs."
        )
    assert not SignalAnswer.objects.exists()


@pytest.mark.parametrize(
    ("status", "text", "due_on", "field"),
    [
        ("accepted", "", LATER, "text"),
        ("accepted", "Ändras", None, "due_on"),
        ("accepted", "Ändras", datetime.date(2000, 1, 1), "due_on"),
        ("kept", "  ", None, "text"),
        ("maybe", "x", None, "status"),
        ("looking_into", "x" * 2001, None, "text"),
    ],
)
def test_it_refuses_an_incomplete_answer_and_stores_nothing(
    owners, completed, status, text, due_on, field
):
    signal = make_signal(completed)
    with pytest.raises(ValidationError) as error:
        services.answer_signal(
            signal, owners.steering_owner, lock_version=0, status=status, text=text, due_on=due_on
        )
    assert field in error.value.message_dict
    assert not SignalAnswer.objects.exists()


def test_it_lets_looking_into_come_without_text_and_drops_a_date(owners, completed):
    signal = make_signal(completed)
    answer = services.answer_signal(
        signal, owners.steering_owner, lock_version=0, status="looking_into", due_on=LATER
    )
    assert answer.due_on is None


def test_it_refuses_an_answer_from_a_stale_version(owners, completed):
    signal = make_signal(completed)
    services.answer_signal(
        signal, owners.steering_owner, lock_version=0, status="looking_into", text="Vi tittar."
    )
    with pytest.raises(AgreementConflict) as clash:
        services.answer_signal(
            signal, owners.quality_developer, lock_version=0, status="kept", text="Behövs."
        )
    assert clash.value.current.status == "looking_into"
    services.answer_signal(
        signal,
        owners.quality_developer,
        lock_version=1,
        status="accepted",
        text="Kvartalsdialog.",
        due_on=LATER,
    )
    assert SignalAnswer.objects.get().status == "accepted"


def test_it_answers_from_the_page_and_returns_to_the_overview(owners, completed, client):
    signal = make_signal(completed)
    client.force_login(owners.steering_owner)
    back = reverse("governance_overview", args=[completed.round.pk, owners.dep_a.pk])
    url = reverse("governance_answer", args=[signal.pk])
    page = client.get(url, {"next": back}).content.decode()
    assert "Veckovis statistikrapport" in page
    response = client.post(
        url,
        {
            "status": "accepted",
            "text": "Ersätts av kvartalsdialog.",
            "due_on": LATER.isoformat(),
            "lock_version": "0",
            "next": back,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == back
    assert SignalAnswer.objects.get().text == "Ersätts av kvartalsdialog."


def test_it_keeps_bad_input_beside_the_field_and_stores_nothing(owners, completed, client):
    signal = make_signal(completed)
    client.force_login(owners.steering_owner)
    response = client.post(
        reverse("governance_answer", args=[signal.pk]),
        {"status": "accepted", "text": "", "due_on": "", "lock_version": "0"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Say what will change." in page
    assert "Say by when it will change." in page
    assert not SignalAnswer.objects.exists()


def test_it_shows_the_unit_the_answer_on_its_page_and_in_its_next_round(owners, completed, persona):
    signal = make_signal(
        completed,
        answer={"status": "accepted", "text": "Kvartalsdialog i stället.", "due_on": LATER},
    )
    make_signal(completed, "Månadsbudget", level="politisk-namnd", kind="ekonomisk-styrning")
    client = persona("manager_of_a")
    page = client.get(reverse("manager_assessment", args=[completed.pk])).content.decode()
    assert "What happened to what we raised" in page
    assert "Kvartalsdialog i stället." in page
    assert "Not answered yet" in page

    version = completed.round.framework_version
    spring = make_round(
        owners.root,
        version,
        name="Våren 2027",
        opens_on=datetime.date(2027, 3, 1),
        closes_on=datetime.date(2027, 5, 1),
    )
    next_round = make_assessment(spring, owners.a1, state=AssessmentState.DIALOGUE)
    page = client.get(reverse("governance_signals", args=[next_round.pk])).content.decode()
    assert "What happened to what we raised" in page
    assert signal.title in page and "Kvartalsdialog i stället." in page
    dialogue = client.get(reverse("manager_dialogue", args=[next_round.pk])).content.decode()
    assert "1 answer has come back to what you raised before." in dialogue


def test_it_never_shows_another_unit_the_answers(owners, completed, persona):
    make_signal(completed, answer={"status": "kept", "text": "HEMLIGT-SVAR"})
    version = completed.round.framework_version
    later = make_round(
        owners.root,
        version,
        name="Senare",
        opens_on=datetime.date(2027, 3, 1),
        closes_on=datetime.date(2027, 5, 1),
    )
    sibling = make_assessment(later, owners.a2, state=AssessmentState.DIALOGUE)
    client = persona("manager_of_b")
    for url in (
        reverse("governance_signals", args=[sibling.pk]),
        reverse("manager_assessment", args=[sibling.pk]),
        reverse("manager_dialogue", args=[sibling.pk]),
    ):
        assert "HEMLIGT-SVAR" not in client.get(url).content.decode()


def test_it_shows_the_answer_in_the_next_rounds_balance_report_and_not_another_units(
    owners, completed
):
    from reports.unit_report import build_unit_report, render_unit_report_html

    make_signal(
        completed,
        answer={"status": "accepted", "text": "Kvartalsdialog i stället.", "due_on": LATER},
    )
    version = completed.round.framework_version
    spring = make_round(
        owners.root,
        version,
        name="Våren 2027",
        opens_on=datetime.date(2027, 3, 1),
        closes_on=datetime.date(2027, 5, 1),
    )
    done = {"state": AssessmentState.COMPLETED, "completed_at": timezone.now()}
    next_round = make_assessment(spring, owners.a1, **done)
    sibling = make_assessment(spring, owners.a2, **done)

    html = render_unit_report_html(build_unit_report(next_round), for_pdf=True)
    other = render_unit_report_html(build_unit_report(sibling), for_pdf=True)

    assert "What happened to what we raised" in html
    assert "Veckovis statistikrapport" in html and "Kvartalsdialog i stället." in html
    assert "Kvartalsdialog i stället." not in other

"""The manager's assessment page and the code for the projector."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import qr
from assessments.models import Action, ActionStatus, AssessmentState, StateChange
from tests.factories import make_round
from tests.factories_dialogue import add_respondents, make_unit_assessment

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


def _page(client, assessment, name="manager_assessment") -> str:
    response = client.get(reverse(name, args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


NEXT_STEP = {
    S.PREPARING: ("Open individual reflection", "oppna-individuellt"),
    S.INDIVIDUAL: ("Close individual reflection and start the dialogue", "stang-individuellt"),
    S.DIALOGUE: ("Go to the dialogue", "oppna-igen"),
    S.COMPLETED: ("Completed on", None),
}


@pytest.mark.parametrize("state", S.values)
def test_it_shows_the_state_and_the_next_step(org, manager, state):
    assessment = make_unit_assessment(org, state=state)
    html = _page(manager, assessment)
    label, step = NEXT_STEP[state]
    assert "Enhet A1" in html and "Tillitsskattning HT 2026" in html
    assert f'state-{state}">{S(state).label}</strong>' in html
    assert label in html
    if step:
        assert reverse("manager_step", args=[assessment.pk, step]) in html
    assert 'aria-current="step"' in html


def test_it_names_who_completed_it(org, manager):
    assessment = make_unit_assessment(org, state=S.COMPLETED, completed_by=org.manager_of_a)
    assert "by Maja" in _page(manager, assessment)


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL])
def test_it_gives_the_join_link_code_and_qr_code(org, manager, state):
    assessment = make_unit_assessment(org, state=state, join_code="K7QM2XHP9R")
    html = _page(manager, assessment)
    link = "http://testserver/delta/K7QM2XHP9R/"
    assert f'<a href="{link}">{link}</a>' in html
    assert '<p class="join-code">K7QM2-XHP9R</p>' in html
    assert str(qr.qr_svg(link, label="QR code for the link to the self-assessment")) in html
    assert reverse("manager_show_code", args=[assessment.pk]) in html


@pytest.mark.parametrize("state", [S.DIALOGUE, S.COMPLETED])
def test_it_stops_offering_the_link_once_answers_are_closed(org, manager, state):
    assessment = make_unit_assessment(org, state=state, join_code="K7QM2XHP9R")
    html = _page(manager, assessment)
    assert "K7QM2-XHP9R" not in html and "<svg" not in html


def test_it_shows_the_code_big_for_the_projector(org, manager):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL, join_code="K7QM2XHP9R")
    html = _page(manager, assessment, "manager_show_code")
    assert '<p class="join-code join-code-huge">K7QM2-XHP9R</p>' in html
    assert "http://testserver/delta/K7QM2XHP9R/" in html
    assert 'role="img" aria-label="QR code for the link to the self-assessment"' in html
    assert "show-code" in html  # the high-contrast projector layout


def test_it_draws_an_accessible_qr_code():
    svg = str(qr.qr_svg("https://tillit.example/delta/ABC/", label='Kod "<ABC>"'))
    assert svg.startswith('<svg role="img" aria-label="Kod &quot;&lt;ABC&gt;&quot;"')
    assert 'fill="#fff"' in svg and 'stroke="#000"' in svg
    assert "<title>" not in svg


def test_it_lists_the_open_actions_of_earlier_rounds_first(org, manager):
    earlier_round = make_round(
        org.root,
        name="Tillitsskattning VT 2026",
        opens_on=datetime.date(2026, 2, 1),
        closes_on=datetime.date(2026, 3, 1),
    )
    earlier = make_unit_assessment(org, state=S.COMPLETED, round=earlier_round)
    Action.objects.create(assessment=earlier, title="Öppen sedan förra", responsible="Maja")
    Action.objects.create(
        assessment=earlier,
        title="Pågår sedan förra",
        responsible="Bo",
        status=ActionStatus.IN_PROGRESS,
    )
    Action.objects.create(
        assessment=earlier, title="Klar sedan förra", responsible="Maja", status="done"
    )
    # Another unit's actions and this round's own are not "earlier" ones.
    other = make_unit_assessment(org, unit=org.a2, state=S.COMPLETED, round=earlier_round)
    Action.objects.create(assessment=other, title="Grannens åtgärd", responsible="Bo")
    assessment = make_unit_assessment(
        org, state=S.PREPARING, version=earlier_round.framework_version
    )
    Action.objects.create(assessment=assessment, title="Årets åtgärd", responsible="Maja")

    html = _page(manager, assessment)
    earlier_section = html[html.index('id="earlier-actions"') : html.index('id="join-heading"')]
    assert "Öppen sedan förra" in earlier_section and "Pågår sedan förra" in earlier_section
    assert "Tillitsskattning VT 2026" in earlier_section
    assert "Klar sedan förra" not in html
    assert "Grannens åtgärd" not in html
    assert "Årets åtgärd" not in earlier_section
    # They come before the join link: the round starts from them.
    assert html.index("Open actions from earlier rounds") < html.index("How participants join")
    # Their status can be followed up right here, and the manager comes back to this page.
    action = Action.objects.get(title="Öppen sedan förra")
    assert reverse("manager_action_status", args=[earlier.pk, action.pk]) in earlier_section


def test_it_follows_up_an_earlier_action_from_the_new_round(org, manager):
    earlier_round = make_round(
        org.root,
        name="VT 2026",
        opens_on=datetime.date(2026, 2, 1),
        closes_on=datetime.date(2026, 3, 1),
    )
    earlier = make_unit_assessment(org, state=S.COMPLETED, round=earlier_round)
    action = Action.objects.create(assessment=earlier, title="Fika ihop", responsible="Maja")
    assessment = make_unit_assessment(org, state=S.PREPARING)
    page = reverse("manager_assessment", args=[assessment.pk])

    response = manager.post(
        reverse("manager_action_status", args=[earlier.pk, action.pk]),
        {"status": "done", "lock_version": 0, "next": page},
    )
    assert response.status_code == 302 and response["Location"] == page
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert 'id="earlier-actions"' not in _page(manager, assessment)


def test_it_lists_the_history_of_the_assessment(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    StateChange.objects.create(
        assessment=assessment, from_state=S.PREPARING, to_state=S.INDIVIDUAL, changed_by=None
    )
    StateChange.objects.create(
        assessment=assessment,
        from_state=S.DIALOGUE,
        to_state=S.DIALOGUE,
        changed_by=org.manager_of_a,
    )
    html = _page(manager, assessment)
    assert "Preparing → Individual reflection" in html
    assert "Results shown to the group (Maja)" in html


def _history_events(html: str) -> list[str]:
    """What each line of the history says happened: the text after its time."""
    history = html.split('<ul class="history">', 1)[1].split("</ul>", 1)[0]
    lines = re.findall(r"<li>(.*?)</li>", history, flags=re.S)
    return [re.sub(r"<[^>]+>", "", line).split(" – ", 1)[1] for line in lines]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_it_starts_every_line_of_the_history_with_a_capital(org, manager, language):
    assessment = make_unit_assessment(org, state=S.COMPLETED, completed_by=org.manager_of_a)
    for from_state, to_state in [
        (S.PREPARING, S.INDIVIDUAL),
        (S.INDIVIDUAL, S.DIALOGUE),
        (S.DIALOGUE, S.DIALOGUE),  # the results shown to the group
        (S.DIALOGUE, S.COMPLETED),
    ]:
        StateChange.objects.create(
            assessment=assessment,
            from_state=from_state,
            to_state=to_state,
            changed_by=org.manager_of_a,
        )
    manager.cookies["django_language"] = language
    with translation.override(language):
        events = _history_events(_page(manager, assessment))
    assert len(events) == 4
    assert [event[0] for event in events] == [event[0].upper() for event in events], events


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL, S.DIALOGUE])
def test_it_shows_the_next_step_until_the_assessment_is_completed(org, manager, state):
    html = _page(manager, make_unit_assessment(org, state=state))
    assert 'id="next-step-heading">Next step</h2>' in html
    assert "The self-assessment is completed" not in html


def test_it_says_what_is_done_once_completed_instead_of_a_next_step(org, manager):
    assessment = make_unit_assessment(org, state=S.COMPLETED, completed_by=org.manager_of_a)
    html = _page(manager, assessment)
    assert "Next step" not in html
    assert 'id="done-heading">The self-assessment is completed</h2>' in html
    assert "Answers and agreements are locked" in html and "by Maja" in html
    for url in ("unit_report", "manager_dialogue", "manager_complete"):
        assert f'href="{reverse(url, args=[assessment.pk])}"' in html
    # Nothing to run any more: no step to take, no guide to the meeting.
    assert "/steg/" not in html and reverse("guide") + '">How to run' not in html


def test_it_offers_no_grey_button_that_looks_disabled(org, manager):
    dialogue = make_unit_assessment(org, state=S.DIALOGUE)
    action = Action.objects.create(assessment=dialogue, title="Ses varje vecka", responsible="Maja")
    pages = [
        _page(manager, dialogue),  # "Reopen individual reflection"
        _page(manager, dialogue, "manager_complete"),  # "Back to the dialogue"
        manager.get(
            reverse("manager_action_delete", args=[dialogue.pk, action.pk])
        ).content.decode(),
    ]
    for html in pages:
        assert "btn-secondary" not in html and "btn-outline-secondary" not in html
    assert 'class="btn btn-outline-primary btn-lg">Reopen individual reflection' in pages[0]
    assert "Back to the dialogue" in pages[1] and "Keep it" in pages[2]


def test_it_counts_only_those_who_answered_enough_while_people_answer(org, manager):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL, expected_respondents=6)
    add_respondents(assessment, 2)
    # Joined and answered two of six statements with a value: does not count yet.
    add_respondents(assessment, 1, statement_value=lambda i, position: 4 if position < 2 else None)
    html = _page(manager, assessment)
    assert "<span data-answered-text>2 people have answered.</span>" in html
    assert "(6 expected.)" in html
    assert reverse("manager_dialogue_status", args=[assessment.pk]) in html


@pytest.mark.parametrize(("earlier_actions", "respondents"), [(1, 5), (20, 200)])
def test_it_renders_the_page_in_a_constant_number_of_queries(
    org, manager, django_assert_num_queries, earlier_actions, respondents
):
    earlier_round = make_round(
        org.root, opens_on=datetime.date(2026, 2, 1), closes_on=datetime.date(2026, 3, 1)
    )
    earlier = make_unit_assessment(org, state=S.COMPLETED, round=earlier_round)
    Action.objects.bulk_create(
        Action(assessment=earlier, title=f"Åtgärd {i}", responsible="Maja")
        for i in range(earlier_actions)
    )
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL)
    add_respondents(assessment, respondents)
    # session, user, roles, assessment, participation, shared sources, earlier actions,
    # own actions, the steering signals raised and their answers, history
    with django_assert_num_queries(10):
        html = _page(manager, assessment)
    assert f"{respondents} people have answered." in html

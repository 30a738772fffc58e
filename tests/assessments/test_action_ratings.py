"""The next round's dialogue opens with last round's actions: the group rates each."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import agreements, followup, workflow
from assessments.models import (
    ActionOutcome,
    ActionRating,
    ActionStatus,
    AssessmentState,
    PrincipleAgreement,
)
from tests.factories_followup import make_two_rounds

pytestmark = pytest.mark.django_db

S = AssessmentState


@pytest.fixture(autouse=True)
def _english(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


def _client(persona, name="manager_of_a"):
    client = persona(name)
    client.cookies["django_language"] = "en"
    return client


def _rate(client, rounds, action, outcome="helped", lock_version="0"):
    url = reverse("manager_action_rate", args=[rounds.later.pk, action.pk])
    return client.post(url, {"outcome": outcome, "lock_version": lock_version}, follow=True)


def _dialogue(client, rounds):
    return client.get(reverse("manager_dialogue", args=[rounds.later.pk])).content.decode()


def test_it_opens_the_dialogue_with_last_rounds_actions(org, persona):
    rounds = make_two_rounds(org)
    page = _dialogue(_client(persona), rounds)
    step = page.index("First: what came of last round")
    assert step < page.index('id="results"')  # before the results: the first step
    for action in rounds.actions:
        assert action.title in page
    for label in ("It helped", "It made no difference", "It made things worse"):
        assert label in page
    assert "Still under way" in page and "Not done" in page


def test_it_records_the_groups_rating_and_marks_the_action_done(org, persona):
    rounds = make_two_rounds(org)
    page = _rate(_client(persona), rounds, rounds.action).content.decode()
    rating = ActionRating.objects.get()
    assert (rating.action, rating.assessment, rating.outcome) == (
        rounds.action,
        rounds.later,
        ActionOutcome.HELPED,
    )
    assert (rating.lock_version, rating.updated_by) == (1, org.manager_of_a)
    rounds.action.refresh_from_db()
    assert rounds.action.status == ActionStatus.DONE
    assert "It helped" in page


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("no_difference", ActionStatus.DONE),
        ("worse", ActionStatus.DONE),
        ("ongoing", ActionStatus.IN_PROGRESS),
        ("not_done", ActionStatus.CANCELLED),
    ],
)
def test_it_keeps_the_status_in_step_with_the_groups_word(org, persona, outcome, status):
    rounds = make_two_rounds(org)
    _rate(_client(persona), rounds, rounds.action, outcome)
    rounds.action.refresh_from_db()
    assert rounds.action.status == status


def test_it_refuses_an_unknown_answer_and_stores_nothing(org, persona):
    rounds = make_two_rounds(org)
    page = _rate(_client(persona), rounds, rounds.action, "brilliant").content.decode()
    assert "Choose one of the answers." in page
    assert not ActionRating.objects.exists()
    rounds.action.refresh_from_db()
    assert rounds.action.status == ActionStatus.IN_PROGRESS


def test_it_refuses_a_stale_rating_and_says_what_the_other_saved(org, persona):
    rounds = make_two_rounds(org)
    client = _client(persona)
    _rate(client, rounds, rounds.action, "helped", "0")
    page = _rate(client, rounds, rounds.action, "worse", "0").content.decode()  # started at 0
    assert "Someone else rated" in page and "It helped" in page
    assert ActionRating.objects.get().outcome == ActionOutcome.HELPED
    _rate(client, rounds, rounds.action, "worse", "1")  # chose again, knowing
    assert ActionRating.objects.get().outcome == ActionOutcome.WORSE


def test_it_locks_the_ratings_when_the_new_assessment_completes(org, persona):
    rounds = make_two_rounds(org)
    client = _client(persona)
    _rate(client, rounds, rounds.action, "helped")
    workflow.complete(rounds.later, org.manager_of_a)
    page = _rate(client, rounds, rounds.action, "worse", "1").content.decode()
    assert ActionRating.objects.get().outcome == ActionOutcome.HELPED
    assert "not possible" in page or "dialogue" in page
    page = _dialogue(client, rounds)
    assert 'name="outcome"' not in page
    assert "What came of it:" in page and "It helped" in page


def test_it_refuses_the_service_outside_the_dialogue(org):
    rounds = make_two_rounds(org, later_state=S.INDIVIDUAL)
    with pytest.raises(workflow.WorkflowError):
        followup.rate_action(
            rounds.later, rounds.action, org.manager_of_a, outcome="helped", lock_version=0
        )
    assert not ActionRating.objects.exists()


def test_it_allows_one_rating_per_action_and_round_in_the_database(org):
    from django.db import IntegrityError, transaction

    rounds = make_two_rounds(org)
    ActionRating.objects.create(action=rounds.action, assessment=rounds.later, outcome="helped")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionRating.objects.create(action=rounds.action, assessment=rounds.later, outcome="worse")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionRating.objects.filter(action=rounds.action).update(outcome="great")


def test_it_is_a_404_for_the_manager_of_another_unit(org, persona):
    rounds = make_two_rounds(org)
    response = _client(persona, "manager_of_b").post(
        reverse("manager_action_rate", args=[rounds.later.pk, rounds.action.pk]),
        {"outcome": "helped", "lock_version": "0"},
    )
    assert response.status_code == 404
    assert not ActionRating.objects.exists()


def test_it_is_a_404_to_rate_another_units_action_from_ones_own_assessment(org, persona):
    own = make_two_rounds(org)
    other = make_two_rounds(org, unit=org.a2, version=own.version)
    response = _client(persona).post(
        reverse("manager_action_rate", args=[own.later.pk, other.action.pk]),
        {"outcome": "helped", "lock_version": "0"},
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):  # the service checks it too
        followup.rate_action(
            own.later, other.action, org.manager_of_a, outcome="helped", lock_version=0
        )
    assert not ActionRating.objects.exists()


def test_it_is_a_404_to_rate_this_rounds_own_action(org, persona):
    from assessments.models import Action

    rounds = make_two_rounds(org)
    own = Action.objects.create(assessment=rounds.later, title="Ny", responsible="X")
    response = _client(persona).post(
        reverse("manager_action_rate", args=[rounds.later.pk, own.pk]),
        {"outcome": "helped", "lock_version": "0"},
    )
    assert response.status_code == 404


def test_it_shows_the_rating_beside_the_principle_in_the_dialogue(org, persona):
    rounds = make_two_rounds(org)
    client = _client(persona)
    _rate(client, rounds, rounds.action, "worse")
    page = _dialogue(client, rounds)
    principle = rounds.action.principle
    section = page[page.index(f'id="principle-{principle.key}"') :]
    section = section[: section.index("</article>")]
    assert "Last round's actions" in section
    assert rounds.action.title in section and "It made things worse" in section
    other = rounds.actions[1]
    assert other.title not in section  # linked to another principle


def test_it_shows_the_ratings_in_the_next_rounds_report(org, persona):
    rounds = make_two_rounds(org)
    client = _client(persona)
    _rate(client, rounds, rounds.action, "helped")
    workflow.complete(rounds.later, org.manager_of_a)
    page = client.get(reverse("unit_report", args=[rounds.later.pk])).content.decode()
    table = page[page.index('id="followed-up-table"') :]
    table = table[: table.index("</table>")]
    assert rounds.action.title in table
    assert rounds.action.principle.name in table and "It helped" in table
    assert rounds.actions[1].title in table and "Not rated" in table


def test_it_prints_the_ratings_in_the_action_plan_of_the_pdf(org):
    import io

    from pypdf import PdfReader

    from reports.unit_report import render_unit_report_pdf

    rounds = make_two_rounds(org)
    followup.rate_action(
        rounds.later, rounds.action, org.manager_of_a, outcome="ongoing", lock_version=0
    )
    workflow.complete(rounds.later, org.manager_of_a)
    pdf = render_unit_report_pdf(rounds.later, language="en", audience="unit", base_url=None)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "What came of last round's actions" in text
    assert rounds.action.title in text and "Still under way" in text


def test_it_shows_the_ratings_per_principle_in_the_trend(org, persona):
    rounds = make_two_rounds(org)
    _rate(_client(persona), rounds, rounds.action, "helped")
    workflow.complete(rounds.later, org.manager_of_a)
    page = (
        _client(persona, "quality_developer")
        .get(reverse("compare_trend", args=[org.a1.pk]))
        .content.decode()
    )
    table = page[page.index('id="trend-ratings"') :]
    table = table[: table.index("</table>")]
    assert rounds.action.principle.name in table
    assert f"{rounds.action.title} (Tillitsskattning HT 2026): It helped" in table


def test_it_shows_no_rating_of_an_uncompleted_round_in_the_trend(org, persona):
    rounds = make_two_rounds(org)
    _rate(_client(persona), rounds, rounds.action, "helped")
    page = (
        _client(persona, "quality_developer")
        .get(reverse("compare_trend", args=[org.a1.pk]))
        .content.decode()
    )
    assert 'id="trend-ratings"' not in page


def test_it_shows_another_departments_ratings_to_no_one_else(org, persona):
    rounds = make_two_rounds(org, unit=org.b1)
    rounds.later.state = S.DIALOGUE
    followup.rate_action(
        rounds.later, rounds.action, org.administrator, outcome="helped", lock_version=0
    )
    workflow.complete(rounds.later, org.administrator)
    response = _client(persona, "quality_developer").get(reverse("compare_trend", args=[org.b1.pk]))
    assert response.status_code == 404


def test_it_reads_the_dialogue_in_a_constant_number_of_queries(
    org, persona, django_assert_num_queries
):
    def count(actions: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        rounds = make_two_rounds(org, actions=actions, unit=org.a1 if actions == 1 else org.a2)
        client = _client(persona, "administrator")
        for action in rounds.actions:
            followup.rate_action(
                rounds.later, action, org.administrator, outcome="ongoing", lock_version=0
            )
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("manager_dialogue", args=[rounds.later.pk])).status_code == 200
            )
        return len(queries)

    assert count(1) == count(6)


def test_it_reads_the_trend_in_a_constant_number_of_queries(org, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(persona, "quality_developer")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("compare_trend", args=[org.dep_a.pk])).status_code == 200
        return len(queries)

    first = make_two_rounds(org, actions=1)
    followup.rate_action(
        first.later, first.action, org.administrator, outcome="helped", lock_version=0
    )
    workflow.complete(first.later, org.administrator)
    one = count()
    second = make_two_rounds(org, unit=org.a2, actions=5, version=first.version)
    for action in second.actions:
        followup.rate_action(
            second.later, action, org.administrator, outcome="worse", lock_version=0
        )
    workflow.complete(second.later, org.administrator)
    assert count() == one


def test_it_writes_nothing_through_the_agreements_conflict_path(org):
    rounds = make_two_rounds(org)
    followup.rate_action(
        rounds.later, rounds.action, org.manager_of_a, outcome="helped", lock_version=0
    )
    with pytest.raises(agreements.AgreementConflict) as clash:
        followup.rate_action(
            rounds.later, rounds.action, org.manager_of_a, outcome="worse", lock_version=0
        )
    assert clash.value.current.outcome == ActionOutcome.HELPED
    assert PrincipleAgreement.objects.count() == 0

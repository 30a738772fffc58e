"""What the group agrees: validation, state rules and optimistic locking (also under real
concurrency on PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from assessments import agreements, workflow
from assessments.models import (
    AssessmentState,
    BalanceAgreement,
    DimensionAgreement,
    PrincipleAgreement,
)
from principles.models import Dimension, Principle
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


def _principle(assessment, key="p1") -> Principle:
    return Principle.objects.get(version=assessment.round.framework_version, key=key)


def _dimension(assessment, key="d1") -> Dimension:
    return Dimension.objects.get(version=assessment.round.framework_version, key=key)


def _stored(model, **lookup) -> list[tuple]:
    return list(model.objects.filter(**lookup).values_list())


# --- the service ----------------------------------------------------------------------------


def test_it_creates_then_updates_an_agreement_version_by_version(org, assessment):
    principle = _principle(assessment)
    first = agreements.save_principle_agreement(
        assessment, principle, org.manager_of_a, lock_version=0, score=3, strengths=" Stöd "
    )
    assert (first.score, first.strengths, first.lock_version) == (3, "Stöd", 1)
    assert first.updated_by == org.manager_of_a

    second = agreements.save_principle_agreement(
        assessment, principle, org.administrator, lock_version=1, score=4, obstacles="Tid"
    )
    assert (second.score, second.strengths, second.obstacles, second.lock_version) == (
        4,
        "",
        "Tid",
        2,
    )
    assert second.updated_by == org.administrator
    assert PrincipleAgreement.objects.count() == 1


def test_it_refuses_a_save_based_on_an_old_version(org, assessment):
    principle = _principle(assessment)
    agreements.save_principle_agreement(
        assessment, principle, org.manager_of_a, lock_version=0, score=2, strengths="Först"
    )
    before = _stored(PrincipleAgreement)

    with pytest.raises(agreements.AgreementConflict) as conflict:
        agreements.save_principle_agreement(
            assessment, principle, org.manager_of_a, lock_version=0, score=5, strengths="Sen"
        )
    assert (conflict.value.current.score, conflict.value.current.strengths) == (2, "Först")
    assert _stored(PrincipleAgreement) == before


def test_it_refuses_a_stale_dimension_and_balance_save_too(org, assessment):
    dimension = _dimension(assessment)
    agreements.save_dimension_agreement(
        assessment, dimension, org.manager_of_a, lock_version=0, now=2, desired=6
    )
    with pytest.raises(agreements.AgreementConflict) as conflict:
        agreements.save_dimension_agreement(
            assessment, dimension, org.manager_of_a, lock_version=0, now=7, desired=7
        )
    assert (conflict.value.current.now, conflict.value.current.desired) == (2, 6)

    agreements.save_balance_agreement(
        assessment, "now", org.manager_of_a, lock_version=0, market=20, hierarchy=50, trust=30
    )
    with pytest.raises(agreements.AgreementConflict) as conflict:
        agreements.save_balance_agreement(
            assessment, "now", org.manager_of_a, lock_version=0, market=0, hierarchy=0, trust=100
        )
    assert conflict.value.current.trust == 30
    assert BalanceAgreement.objects.get().trust == 30


@pytest.mark.parametrize(
    ("save", "values", "field"),
    [
        ("principle", {"score": 6}, "score"),
        ("principle", {"score": 0}, "score"),
        ("dimension", {"now": 8, "desired": 3}, "now"),
        ("dimension", {"now": 3, "desired": 0}, "desired"),
    ],
)
def test_it_refuses_a_value_off_the_scale_in_the_service_too(org, assessment, save, values, field):
    if save == "principle":
        call = agreements.save_principle_agreement
        item = _principle(assessment)
    else:
        call = agreements.save_dimension_agreement
        item = _dimension(assessment)
    with pytest.raises(ValidationError) as refused:
        call(assessment, item, org.manager_of_a, lock_version=0, **values)
    assert field in refused.value.message_dict
    assert not PrincipleAgreement.objects.exists() and not DimensionAgreement.objects.exists()


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ((50, 30, 10), "The points must add up to 100; now they add up to 90."),
        ((50, 60, -10), "Each part must be between 0 and 100 points."),
        ((None, 50, 50), "Give points to all three steering principles (0 is allowed)."),
    ],
)
def test_it_refuses_a_balance_that_is_not_100_points_in_the_service(
    org, assessment, points, message
):
    market, hierarchy, trust = points
    with pytest.raises(ValidationError) as refused:
        agreements.save_balance_agreement(
            assessment,
            "desired",
            org.manager_of_a,
            lock_version=0,
            market=market,
            hierarchy=hierarchy,
            trust=trust,
        )
    assert refused.value.messages == [message]
    assert not BalanceAgreement.objects.exists()


def test_it_refuses_notes_that_are_too_long_in_the_service(org, assessment):
    with pytest.raises(ValidationError) as refused:
        agreements.save_principle_agreement(
            assessment,
            _principle(assessment),
            org.manager_of_a,
            lock_version=0,
            score=None,
            obstacles="x" * 4001,
        )
    assert refused.value.message_dict == {"obstacles": ["At most 4000 characters, please."]}
    assert not PrincipleAgreement.objects.exists()


def test_it_refuses_items_of_another_framework(org, assessment):
    other = make_version("Annat ramverk", published=True)
    with pytest.raises(ValidationError, match="does not belong"):
        agreements.save_principle_agreement(
            assessment,
            Principle.objects.get(version=other, key="p1"),
            org.manager_of_a,
            lock_version=0,
            score=3,
        )
    with pytest.raises(ValidationError, match="does not belong"):
        agreements.save_dimension_agreement(
            assessment,
            Dimension.objects.get(version=other, key="d1"),
            org.manager_of_a,
            lock_version=0,
            now=3,
            desired=3,
        )
    assert not PrincipleAgreement.objects.exists() and not DimensionAgreement.objects.exists()


@pytest.mark.parametrize(
    ("state", "code"),
    [(S.PREPARING, "not_dialogue"), (S.INDIVIDUAL, "not_dialogue"), (S.COMPLETED, "completed")],
)
def test_it_records_agreements_in_the_dialogue_only(org, state, code):
    assessment = make_unit_assessment(org, state=state)
    with pytest.raises(workflow.WorkflowError) as refused:
        agreements.save_principle_agreement(
            assessment, _principle(assessment), org.manager_of_a, lock_version=0, score=3
        )
    assert refused.value.code == code
    with pytest.raises(workflow.WorkflowError):
        agreements.save_balance_agreement(
            assessment, "now", org.manager_of_a, lock_version=0, market=0, hierarchy=0, trust=100
        )
    assert not PrincipleAgreement.objects.exists() and not BalanceAgreement.objects.exists()


@pytest.mark.parametrize("who", ["quality_developer", "manager_of_b", "outsider"])
def test_it_lets_no_one_else_record_agreements(org, assessment, who):
    with pytest.raises(workflow.WorkflowError) as refused:
        agreements.save_dimension_agreement(
            assessment, _dimension(assessment), getattr(org, who), lock_version=0, now=1, desired=7
        )
    assert refused.value.code == "forbidden"
    assert not DimensionAgreement.objects.exists()


# --- through the forms ------------------------------------------------------------------------


def _principle_url(assessment, principle):
    return reverse("manager_agree_principle", args=[assessment.pk, principle.pk])


def test_it_saves_from_the_dialogue_and_goes_back_to_the_principle(manager, assessment):
    principle = _principle(assessment)
    prefix = f"principle-{principle.pk}"
    response = manager.post(
        _principle_url(assessment, principle),
        {
            f"{prefix}-lock_version": "0",
            f"{prefix}-score": "4",
            f"{prefix}-strengths": "Vi ställer upp för varandra.",
            f"{prefix}-obstacles": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/dialog/#principle-{principle.key}")
    stored = PrincipleAgreement.objects.get()
    assert (stored.score, stored.strengths, stored.lock_version) == (
        4,
        "Vi ställer upp för varandra.",
        1,
    )
    # The dialogue's fields now start from what is stored.
    html = manager.get(reverse("manager_dialogue", args=[assessment.pk])).content.decode()
    assert f'name="{prefix}-score-base" value="4"' in html
    assert f'name="{prefix}-strengths-base" value="Vi ställer upp för varandra."' in html


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("6", "Choose a score from 1 to 5."),
        ("0", "Choose a score from 1 to 5."),
        ("tre", "Choose a score from 1 to 5."),
    ],
)
def test_it_explains_a_bad_score_next_to_the_field(org, manager, assessment, score, message):
    principle = _principle(assessment)
    agreements.save_principle_agreement(
        assessment, principle, org.manager_of_a, lock_version=0, score=3, strengths="Kvar"
    )
    before = _stored(PrincipleAgreement)
    prefix = f"principle-{principle.pk}"
    response = manager.post(
        _principle_url(assessment, principle),
        {f"{prefix}-lock_version": "1", f"{prefix}-score": score, f"{prefix}-strengths": "Nytt"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    error = html[html.index(f'id="id_{prefix}-score_error"') :]
    assert message in error[:300]
    assert 'aria-invalid="true"' in html
    assert "The agreement was not saved" in html
    assert _stored(PrincipleAgreement) == before


def test_it_explains_notes_that_are_too_long(manager, assessment):
    principle = _principle(assessment)
    prefix = f"principle-{principle.pk}"
    response = manager.post(
        _principle_url(assessment, principle),
        {f"{prefix}-lock_version": "0", f"{prefix}-strengths": "x" * 4001},
    )
    assert (
        "Ensure this value has at most 4000 characters (it has 4001)." in response.content.decode()
    )
    assert not PrincipleAgreement.objects.exists()


@pytest.mark.parametrize(
    ("now", "desired", "field"),
    [("8", "3", "now"), ("3", "0", "desired"), ("-1", "3", "now"), ("3", "sju", "desired")],
)
def test_it_explains_a_dimension_off_the_scale(manager, assessment, now, desired, field):
    dimension = _dimension(assessment)
    prefix = f"dimension-{dimension.pk}"
    response = manager.post(
        reverse("manager_agree_dimension", args=[assessment.pk, dimension.pk]),
        {f"{prefix}-lock_version": "0", f"{prefix}-now": now, f"{prefix}-desired": desired},
    )
    html = response.content.decode()
    error = html[html.index(f'id="id_{prefix}-{field}_error"') :]
    assert "Choose a value from 1 to 7." in error[:300]
    assert not DimensionAgreement.objects.exists()


@pytest.mark.parametrize(
    ("points", "message", "where"),
    [
        (("50", "30", "10"), "The points must add up to 100; now they add up to 90.", "sum"),
        (("50", "60", "10"), "The points must add up to 100; now they add up to 120.", "sum"),
        (("-10", "60", "50"), "Points cannot be negative.", "market"),
        (("101", "0", "0"), "At most 100 points.", "market"),
        (("", "50", "50"), "Give a number of points (0 is allowed).", "market"),
        (("tio", "50", "40"), "Write a whole number of points.", "market"),
    ],
)
def test_it_explains_a_balance_that_does_not_add_up(
    org, manager, assessment, points, message, where
):
    agreements.save_balance_agreement(
        assessment, "now", org.manager_of_a, lock_version=0, market=10, hierarchy=20, trust=70
    )
    before = _stored(BalanceAgreement)
    market, hierarchy, trust = points
    response = manager.post(
        reverse("manager_agree_balance", args=[assessment.pk, "now"]),
        {
            "balance-now-lock_version": "1",
            "balance-now-market": market,
            "balance-now-hierarchy": hierarchy,
            "balance-now-trust": trust,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    anchor = (
        'id="balance-now-sum-error"' if where == "sum" else f'id="id_balance-now-{where}_error"'
    )
    error = html[html.index(anchor) :]
    assert message in error[:300]
    assert _stored(BalanceAgreement) == before


def test_it_asks_to_reload_a_form_without_its_version(manager, assessment):
    principle = _principle(assessment)
    response = manager.post(
        _principle_url(assessment, principle), {f"principle-{principle.pk}-score": "3"}
    )
    assert "The form was incomplete. Reload the page and try again." in response.content.decode()
    assert not PrincipleAgreement.objects.exists()


def test_it_shows_the_second_saver_what_the_first_one_saved(org, manager, assessment):
    principle = _principle(assessment)
    prefix = f"principle-{principle.pk}"
    # Both opened the dialogue at version 0; the administrator saves first.
    agreements.save_principle_agreement(
        assessment,
        principle,
        org.administrator,
        lock_version=0,
        score=2,
        strengths="Administratörens text",
        obstacles="Deras hinder",
    )
    before = _stored(PrincipleAgreement)

    response = manager.post(
        _principle_url(assessment, principle),
        {
            f"{prefix}-lock_version": "0",
            f"{prefix}-score": "5",
            f"{prefix}-strengths": "Chefens text",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this while you were editing it" in html
    assert "This is what administrator saved at" in html
    conflict = html[html.index('class="alert alert-warning conflict"') :]
    conflict = conflict[: conflict.index("</div>")]
    assert "<dd>2</dd>" in conflict
    assert "Administratörens text" in conflict and "Deras hinder" in conflict
    # Nothing was overwritten; the form keeps the manager's text, now based on version 1.
    assert _stored(PrincipleAgreement) == before
    assert "Chefens text</textarea>" in html
    assert f'name="{prefix}-lock_version" value="1"' in html

    # Saving again is a deliberate choice, and then it replaces the other version.
    manager.post(
        _principle_url(assessment, principle),
        {f"{prefix}-lock_version": "1", f"{prefix}-score": "5", f"{prefix}-strengths": "Chefens"},
    )
    assert PrincipleAgreement.objects.get().score == 5


def test_it_shows_the_conflict_for_a_balance_with_the_framework_names(org, manager, assessment):
    agreements.save_balance_agreement(
        assessment, "desired", org.manager_of_a, lock_version=0, market=5, hierarchy=15, trust=80
    )
    response = manager.post(
        reverse("manager_agree_balance", args=[assessment.pk, "desired"]),
        {
            "balance-desired-lock_version": "0",
            "balance-desired-market": "30",
            "balance-desired-hierarchy": "30",
            "balance-desired-trust": "40",
        },
    )
    html = response.content.decode()
    conflict = html[html.index('class="alert alert-warning conflict"') :]
    assert "<dt>Market</dt><dd>5</dd>" in conflict and "<dt>Trust</dt><dd>80</dd>" in conflict
    assert BalanceAgreement.objects.get().trust == 80


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL, S.COMPLETED])
def test_it_refuses_agreements_outside_the_dialogue_through_the_form(org, manager, state):
    assessment = make_unit_assessment(org, state=state)
    principle = _principle(assessment)
    prefix = f"principle-{principle.pk}"
    response = manager.post(
        _principle_url(assessment, principle),
        {f"{prefix}-lock_version": "0", f"{prefix}-score": "3"},
        follow=True,
    )
    html = response.content.decode()
    if state == S.COMPLETED:
        assert "what the group agreed can no longer be changed" in html
    else:
        assert "Agreements are recorded during the dialogue" in html
    assert not PrincipleAgreement.objects.exists()
    # The page itself shows no form then.
    page = manager.get(_principle_url(assessment, principle)).content.decode()
    assert "Save the agreement" not in page


def test_it_answers_404_for_items_and_kinds_that_are_not_this_assessments(manager, assessment):
    other = make_version("Annat", published=True)
    foreign = Principle.objects.get(version=other, key="p1")
    assert manager.get(_principle_url(assessment, foreign)).status_code == 404
    foreign_dimension = Dimension.objects.get(version=other, key="d1")
    url = reverse("manager_agree_dimension", args=[assessment.pk, foreign_dimension.pk])
    assert manager.get(url).status_code == 404
    url = reverse("manager_agree_balance", args=[assessment.pk, "later"])
    assert manager.get(url).status_code == 404


@pytest.mark.parametrize("who", ["quality_developer", "manager_of_b", "outsider"])
def test_it_answers_404_to_anyone_else_posting_an_agreement(org, persona, assessment, who):
    principle = _principle(assessment)
    prefix = f"principle-{principle.pk}"
    response = persona(who).post(
        _principle_url(assessment, principle),
        {f"{prefix}-lock_version": "0", f"{prefix}-score": "3"},
    )
    assert response.status_code == 404
    assert not PrincipleAgreement.objects.exists()


# --- real concurrency -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("starting_version", [0, 3])
def test_it_lets_exactly_one_of_two_simultaneous_saves_win(org, starting_version):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite has no row locks and serialises writers on the whole file, so two "
            "connections cannot race here; this test runs on PostgreSQL in CI."
        )
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    principle = _principle(assessment)
    if starting_version:
        PrincipleAgreement.objects.create(
            assessment=assessment, principle=principle, score=1, lock_version=starting_version
        )
    start = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def save(username: str, score: int) -> None:
        from django.contrib.auth import get_user_model
        from django.db import connections

        try:
            user = get_user_model().objects.get(username=username)
            start.wait(timeout=10)  # both have loaded the same version; now both save
            agreements.save_principle_agreement(
                assessment,
                principle,
                user,
                lock_version=starting_version,
                score=score,
                strengths=f"Sparat av {username}",
            )
            outcome[username] = "saved"
        except agreements.AgreementConflict as conflict:
            outcome[username] = ("conflict", conflict.current.score, conflict.current.strengths)
        except Exception as error:  # pragma: no cover - shown in the assertion below
            outcome[username] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("manager-a", 4)),
        threading.Thread(target=save, args=("administrator", 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(str(v)[:8] for v in outcome.values()) == ["('confli", "saved"], outcome
    winner = next(name for name, result in outcome.items() if result == "saved")
    loser = next(name for name in outcome if name != winner)
    stored = PrincipleAgreement.objects.get()
    assert stored.lock_version == starting_version + 1
    assert stored.strengths == f"Sparat av {winner}"
    # The loser was shown exactly what the winner saved.
    assert outcome[loser] == ("conflict", stored.score, f"Sparat av {winner}")

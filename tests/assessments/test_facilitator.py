"""The facilitator's view: nothing typed is lost, each field saves on its own, and two
facilitators never overwrite each other silently (per-field optimistic locking)."""

import pytest
from django.urls import reverse

from assessments.models import (
    AssessmentState,
    BalanceAgreement,
    DimensionAgreement,
    PrincipleAgreement,
)
from principles.models import Dimension, Principle
from tests.factories_dialogue import make_unit_assessment


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def assessment(org):
    return make_unit_assessment(org, state=AssessmentState.DIALOGUE)


@pytest.fixture
def manager(client, org):
    client.force_login(org.manager_of_a)
    return client


@pytest.fixture
def items(assessment):
    version_id = assessment.round.framework_version_id
    p1, p2 = Principle.objects.filter(version_id=version_id).order_by("order")
    d1 = Dimension.objects.filter(version_id=version_id).order_by("order").first()
    return {"p1": f"principle-{p1.pk}", "p2": f"principle-{p2.pk}", "d1": f"dimension-{d1.pk}"}


def page_url(assessment):
    return reverse("manager_dialogue", args=[assessment.pk])


def field_url(assessment):
    return reverse("manager_save_field", args=[assessment.pk])


def test_it_saves_every_item_typed_in_when_one_is_saved(manager, assessment, items):
    response = manager.post(
        page_url(assessment),
        {
            f"{items['p1']}-score": "4",
            f"{items['p1']}-score-base": "",
            f"{items['p2']}-strengths": "Vi hjälper varandra.",
            f"{items['p2']}-strengths-base": "",
            f"{items['d1']}-now": "3",
            f"{items['d1']}-now-base": "",
            "save": items["p1"],
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#agree-{items['p1']}")
    scores = dict(PrincipleAgreement.objects.values_list("principle__order", "score"))
    assert scores == {1: 4, 2: None}
    assert PrincipleAgreement.objects.get(principle__order=2).strengths == "Vi hjälper varandra."
    assert DimensionAgreement.objects.get().now == 3
    # Back on the page, every field starts from what is stored.
    html = manager.get(page_url(assessment)).content.decode()
    assert f'name="{items["p2"]}-strengths-base" value="Vi hjälper varandra."' in html
    assert f'id="{items["d1"]}-now-3" value="3" checked' in html


def test_it_keeps_all_text_and_shows_the_error_in_place(manager, assessment, items):
    response = manager.post(
        page_url(assessment),
        {
            f"{items['p2']}-obstacles": "För mycket rapportering.",
            f"{items['p2']}-obstacles-base": "",
            "balance-now-points-market": "50",
            "balance-now-points-hierarchy": "30",
            "balance-now-points-trust": "10",
            "balance-now-points-base": "",
            "save": "balance-now",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The points must add up to 100; now they add up to 90." in html
    # The wrong balance is still in its fields, on the dialogue page itself.
    assert 'name="balance-now-points-market"' in html and 'value="50"' in html
    assert 'href="#agree-balance-now"' in html  # the summary links to the field
    assert not BalanceAgreement.objects.exists()
    # The valid text elsewhere was saved, not lost.
    assert PrincipleAgreement.objects.get().obstacles == "För mycket rapportering."


@pytest.mark.parametrize("boundary, ok", [("99", False), ("100", True), ("101", False)])
def test_it_saves_a_balance_of_exactly_100_points(manager, assessment, boundary, ok):
    trust = int(boundary) - 70
    response = manager.post(
        field_url(assessment),
        {
            "item": "balance-desired",
            "field": "points",
            "base": "",
            "market": "20",
            "hierarchy": "50",
            "trust": str(trust),
        },
    )
    assert response.status_code == (200 if ok else 400)
    assert BalanceAgreement.objects.filter(kind="desired").exists() == ok


def test_it_saves_one_field_and_answers_with_the_new_base(manager, assessment, items):
    response = manager.post(
        field_url(assessment),
        {"item": items["p1"], "field": "strengths", "value": " Vi lyssnar.\r\n", "base": ""},
    )
    data = response.json()
    assert response.status_code == 200 and data["ok"] and data["base"] == "Vi lyssnar."
    stored = PrincipleAgreement.objects.get()
    assert (stored.strengths, stored.score, stored.lock_version) == ("Vi lyssnar.", None, 1)


def test_it_writes_nothing_when_nothing_changed(
    manager, assessment, items, django_assert_num_queries
):
    manager.post(
        field_url(assessment), {"item": items["p1"], "field": "score", "value": "3", "base": ""}
    )
    before = PrincipleAgreement.objects.get()
    response = manager.post(
        field_url(assessment), {"item": items["p1"], "field": "score", "value": "3", "base": "3"}
    )
    after = PrincipleAgreement.objects.get()
    assert response.json()["ok"]
    assert (after.lock_version, after.updated_at) == (before.lock_version, before.updated_at)


def test_it_refuses_to_overwrite_what_another_facilitator_saved(client, org, assessment, items):
    other = client.__class__()
    other.cookies["django_language"] = "en"
    other.force_login(org.administrator)
    client.force_login(org.manager_of_a)
    # Both start from an empty field; the administrator saves first.
    other.post(
        field_url(assessment),
        {"item": items["p1"], "field": "strengths", "value": "Först.", "base": ""},
    )
    response = client.post(
        field_url(assessment),
        {"item": items["p1"], "field": "strengths", "value": "Sen.", "base": ""},
    )
    data = response.json()
    assert response.status_code == 409 and data["conflict"] and data["current"] == "Först."
    assert "Först." in data["error"]
    assert PrincipleAgreement.objects.get().strengths == "Först."
    # Another field of the same item is not in the way.
    response = client.post(
        field_url(assessment),
        {"item": items["p1"], "field": "obstacles", "value": "Tid.", "base": ""},
    )
    assert response.status_code == 200
    # Saving again from their text is a choice, and then it replaces theirs.
    response = client.post(
        field_url(assessment),
        {"item": items["p1"], "field": "strengths", "value": "Sen.", "base": "Först."},
    )
    assert response.status_code == 200
    assert PrincipleAgreement.objects.get().strengths == "Sen."


def test_it_shows_a_conflict_beside_the_field_on_the_page_too(client, org, assessment, items):
    client.force_login(org.administrator)
    client.post(
        field_url(assessment),
        {"item": items["p1"], "field": "strengths", "value": "Först.", "base": ""},
    )
    client.force_login(org.manager_of_a)
    response = client.post(
        page_url(assessment),
        {
            f"{items['p1']}-strengths": "Min text.",
            f"{items['p1']}-strengths-base": "",
            "save": items["p1"],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "changed this meanwhile to “Först.”" in html
    assert "Min text." in html  # still in the field
    assert f'name="{items["p1"]}-strengths-base" value="Först."' in html
    assert PrincipleAgreement.objects.get().strengths == "Först."


def test_it_reports_a_conflict_when_the_item_was_emptied_meanwhile(manager, assessment, items):
    """A base from an agreement that no longer exists: a conflict, not a server error."""
    response = manager.post(
        field_url(assessment),
        {"item": items["p1"], "field": "strengths", "value": "Ny text.", "base": "Gammal."},
    )
    assert response.status_code == 409
    assert response.json()["conflict"] is True
    assert not PrincipleAgreement.objects.exists()


@pytest.mark.parametrize(
    "item, field, value, message",
    [
        ("p1", "score", "6", "Choose a value from 1 to 5."),
        ("p1", "score", "٣", "Choose a value from 1 to 5."),
        ("d1", "now", "8", "Choose a value from 1 to 7."),
        ("p1", "strengths", "a\x00b", "cannot be saved"),
        ("p1", "strengths", "x" * 4001, "At most 4000 characters"),
        ("p1", "nonsense", "1", "not a field"),
    ],
)
def test_it_refuses_bad_values_and_stores_nothing(
    manager, assessment, items, item, field, value, message
):
    response = manager.post(
        field_url(assessment),
        {"item": items.get(item, item), "field": field, "value": value, "base": ""},
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not PrincipleAgreement.objects.exists() and not DimensionAgreement.objects.exists()


def test_it_refuses_an_item_of_another_framework(manager, assessment, org):
    from tests.factories import make_version

    foreign = make_version(published=True).principles.first()
    response = manager.post(
        field_url(assessment),
        {"item": f"principle-{foreign.pk}", "field": "score", "value": "3", "base": ""},
    )
    assert response.status_code == 400 and not PrincipleAgreement.objects.exists()


@pytest.mark.parametrize("state", [AssessmentState.INDIVIDUAL, AssessmentState.COMPLETED])
def test_it_saves_nothing_outside_the_dialogue(manager, org, state, items, assessment):
    assessment.state = state
    assessment.completed_at = "2026-10-01T10:00Z" if state == AssessmentState.COMPLETED else None
    assessment.save()
    response = manager.post(
        field_url(assessment), {"item": items["p1"], "field": "score", "value": "3", "base": ""}
    )
    assert response.status_code == 409 and not PrincipleAgreement.objects.exists()


@pytest.mark.parametrize("who", ["manager_of_b", "quality_developer", "outsider"])
def test_it_answers_404_to_anyone_else(client, org, assessment, items, who):
    client.force_login(getattr(org, who))
    response = client.post(
        field_url(assessment), {"item": items["p1"], "field": "score", "value": "3", "base": ""}
    )
    assert response.status_code == 404 and not PrincipleAgreement.objects.exists()


@pytest.mark.parametrize("earlier_saves", [0, 20])
def test_it_saves_a_field_in_a_constant_number_of_queries(
    manager, assessment, items, earlier_saves, django_assert_num_queries
):
    for n in range(earlier_saves):
        manager.post(
            field_url(assessment),
            {
                "item": items["p2"],
                "field": "obstacles",
                "value": f"v{n}",
                "base": f"v{n - 1}" if n else "",
            },
        )
    with django_assert_num_queries(FIELD_SAVE_QUERIES):
        response = manager.post(
            field_url(assessment),
            {"item": items["p1"], "field": "strengths", "value": "Ny.", "base": ""},
        )
    assert response.status_code == 200


# Session, user, roles, the assessment (scoped), a savepoint pair around the transaction, the
# row lock, the principle, the stored agreement, the insert in a savepoint of its own (two),
# and the stored reports' version counted up (one UPDATE: their preview is out of date).
FIELD_SAVE_QUERIES = 13

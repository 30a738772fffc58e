"""The round form sent twice (a double click, a resubmit) opens one round, not two."""

import html
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments import rounds
from assessments.models import Round, UnitAssessment
from tests.factories import make_round, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def version(db):
    return make_version(published=True, principles=1, statements=1, dimensions=1)


@pytest.fixture
def planner(org, client):
    client.force_login(org.quality_developer)
    return client


def rendered_token(client) -> str:
    page = client.get(reverse("round_create")).content.decode()
    match = re.search(r'name="creation_token" value="([^"]+)"', page)
    assert match, "the form carries no creation token"
    return match.group(1)


def form_data(org, version, token: str, **changes) -> dict:
    return {
        "name": "Tillitsskattning HT 2026",
        "framework_version": version.pk,
        "opens_on": "2026-09-01",
        "closes_on": "2026-12-15",
        "root": org.dep_a.pk,
        "units": [org.a1.pk, org.a2.pk],
        "creation_token": token,
        **changes,
    }


def test_it_opens_one_round_when_the_same_form_is_sent_twice(org, planner, version):
    data = form_data(org, version, rendered_token(planner))
    first = planner.post(reverse("round_create"), data)
    round_ = Round.objects.get()
    assert first.status_code == 302

    second = planner.post(reverse("round_create"), data, follow=True)
    assert second.redirect_chain == [(reverse("round_detail", kwargs={"pk": round_.pk}), 302)]
    assert (
        "This form had already opened the round “Tillitsskattning HT 2026”; it was not opened "
        "twice." in html.unescape(second.content.decode())
    )
    assert list(Round.objects.values_list("pk", flat=True)) == [round_.pk]
    assert UnitAssessment.objects.filter(round=round_).count() == 2
    assert UnitAssessment.objects.count() == 2


def test_it_sends_the_first_round_back_even_when_the_resubmitted_form_was_changed(
    org, planner, version
):
    token = rendered_token(planner)
    planner.post(reverse("round_create"), form_data(org, version, token))
    round_ = Round.objects.get()
    response = planner.post(
        reverse("round_create"),
        form_data(org, version, token, name="Ett annat namn", units=[org.a1.pk]),
    )
    assert response["Location"] == reverse("round_detail", kwargs={"pk": round_.pk})
    assert list(Round.objects.values_list("name", flat=True)) == ["Tillitsskattning HT 2026"]
    assert UnitAssessment.objects.count() == 2


def test_it_opens_a_second_round_from_a_fresh_form(org, planner, version):
    first_token, second_token = rendered_token(planner), rendered_token(planner)
    assert first_token != second_token
    planner.post(reverse("round_create"), form_data(org, version, first_token))
    planner.post(reverse("round_create"), form_data(org, version, second_token, name="VT 2027"))
    assert sorted(Round.objects.values_list("name", flat=True)) == [
        "Tillitsskattning HT 2026",
        "VT 2027",
    ]


def test_it_keeps_the_token_when_a_refused_form_comes_back(org, planner, version):
    token = rendered_token(planner)
    response = planner.post(
        reverse("round_create"), form_data(org, version, token, closes_on="2026-08-31")
    )
    assert response.status_code == 400
    assert f'name="creation_token" value="{token}"' in response.content.decode()
    assert not Round.objects.exists()
    # Corrected and sent again with the same token: the round opens, once.
    planner.post(reverse("round_create"), form_data(org, version, token))
    planner.post(reverse("round_create"), form_data(org, version, token))
    assert Round.objects.count() == 1


@pytest.mark.parametrize("bad", ["x", "a" * 65, "ett två tre fyra fem sex", "a" * 15 + "\x00"])
def test_it_refuses_a_malformed_creation_token(org, planner, version, bad):
    response = planner.post(reverse("round_create"), form_data(org, version, bad))
    assert response.status_code == 400
    top = re.search(
        r'<div class="alert alert-danger" role="alert">(.*?)</div>',
        response.content.decode(),
        re.S,
    )
    assert top and "The form was incomplete. Reload the page and try again." in top.group(1)
    assert not Round.objects.exists()


def test_it_does_not_hand_someone_else_the_round_another_planners_form_opened(
    org, planner, version
):
    token = rendered_token(planner)
    planner.post(reverse("round_create"), form_data(org, version, token))
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.cookies["django_language"] = "en"
    other.force_login(org.quality_developer_elsewhere)
    response = other.post(
        reverse("round_create"),
        form_data(org, version, token, root=org.dep_b.pk, units=[org.b1.pk]),
    )
    assert response.status_code == 400
    assert "This form has been used already. Reload the page." in response.content.decode()
    assert Round.objects.count() == 1
    assert not UnitAssessment.objects.filter(unit=org.b1).exists()


def test_it_opens_a_round_once_per_token_in_the_service(org, version):
    fields = {
        "user": org.quality_developer,
        "name": "HT 2026",
        "framework_version": version,
        "root": org.dep_a,
        "opens_on": "2026-09-01",
        "closes_on": "2026-12-15",
        "units": [org.a1],
        "creation_token": "k" * 32,
    }
    round_ = rounds.open_round(**fields)
    with pytest.raises(rounds.RoundAlreadyOpened) as again:
        rounds.open_round(**fields)
    assert again.value.round == round_
    assert UnitAssessment.objects.count() == 1


def test_it_has_the_database_refuse_two_rounds_with_one_creation_token(org, version):
    make_round(org.root, version, creation_token="t" * 32)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_round(org.root, version, creation_token="t" * 32)
    # Rounds opened without a form (the admin, the demo) have none, and never clash.
    make_round(org.root, version)
    make_round(org.root, version)
    assert Round.objects.filter(creation_token__isnull=True).count() == 2

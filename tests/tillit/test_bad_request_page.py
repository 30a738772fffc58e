"""A request the server cannot read gets a page in words, never a bare "Bad Request (400)";
and a real round form over thousands of units is not such a request."""

import html
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessments import answers, joincodes
from assessments.models import AssessmentState, Respondent, Round, Unit, UnitAssessment
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def english_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.raise_request_exception = False
    return client


def too_many_fields(**real) -> str:
    """A form body with one field more than the server reads."""
    fields = {f"field_{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    return urlencode({**real, **fields}, doseq=True)


def assert_explained(response) -> str:
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "Bad Request (400)" not in text
    assert "<h1>The request could not be read</h1>" in text
    assert "nothing was saved" in text
    assert "Go back, reload the page and try again." in text
    assert f'href="{reverse("home")}"' in text
    return text


@pytest.fixture
def assessment(db):
    unit = make_unit("U1", "Enhet Ett")
    return make_assessment(
        make_round(unit, make_version(published=True, principles=1, statements=2)),
        unit,
        join_code=joincodes.generate(),
        state=AssessmentState.INDIVIDUAL,
    )


def test_it_explains_a_request_with_more_than_the_allowed_fields_on_a_page_of_its_own(
    assessment,
):
    participant = english_client()
    participant.post(reverse("join_link", kwargs={"code": assessment.join_code}))
    respondent = Respondent.objects.get()
    statement = assessment.round.framework_version.principles.get().statements.first()
    url = reverse("participant_principle", kwargs={"code": assessment.join_code, "number": 1})
    body = too_many_fields(**{answers.statement_field(statement.pk): "4", "nav": "next"})

    text = assert_explained(participant.post(url, body, content_type=FORM))

    assert "Log in" in text  # an anonymous participant gets the page as well
    assert not respondent.statement_answers.exists()


def test_it_explains_an_oversized_round_form_to_a_logged_in_planner(org):
    planner = english_client()
    planner.force_login(org.quality_developer)
    body = too_many_fields(name="HT 2026", root=org.dep_a.pk, units=[org.a1.pk])

    text = assert_explained(planner.post(reverse("round_create"), body, content_type=FORM))

    assert "Log out" in text  # the site's own menu, for the person logged in
    assert not Round.objects.exists()


def test_it_explains_a_bad_request_in_swedish_by_default(org):
    client = Client(raise_request_exception=False)
    response = client.post(reverse("login"), too_many_fields(), content_type=FORM)
    assert response.status_code == 400
    assert '<html lang="sv">' in response.content.decode()


def test_it_explains_a_request_for_a_host_it_does_not_serve():
    response = english_client().get(reverse("home"), HTTP_HOST="inte-var.example")
    assert_explained(response)


def _units_under(parent: Unit, count: int) -> list[Unit]:
    """`count` leaf units under `parent` at once (treebeard's add_child costs queries each)."""
    parent.refresh_from_db()
    first = parent.numchild + 1
    units = Unit.objects.bulk_create(
        Unit(
            code=f"L{n}",
            name=f"Enhet {n:04d}",
            path=Unit._get_path(parent.path, parent.depth + 1, n),
            depth=parent.depth + 1,
            numchild=0,
        )
        for n in range(first, first + count)
    )
    Unit.objects.filter(pk=parent.pk).update(numchild=parent.numchild + count)
    return units


def test_it_opens_a_round_over_more_units_than_a_thousand_fields_hold(org):
    # A round over a large municipality: one posted field per unit taking part.
    units = _units_under(org.dep_a, 1_200)
    version = make_version(published=True, principles=1, statements=1, dimensions=1)
    planner = english_client()
    planner.force_login(org.quality_developer)
    response = planner.post(
        reverse("round_create"),
        {
            "name": "HT 2026",
            "framework_version": version.pk,
            "opens_on": "2026-09-01",
            "closes_on": "2026-12-15",
            "root": org.dep_a.pk,
            "units": [unit.pk for unit in units],
        },
    )
    assert response.status_code == 302
    assert UnitAssessment.objects.filter(round=Round.objects.get()).count() == 1_200

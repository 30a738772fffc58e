"""The five ways the anonymity promise broke, each played through the views as an adversary would.

Participants join and answer through the participant pages with their own browser (a Django
test client each); the manager and the quality developer only look. Each test asserts that the
second view discloses nothing the first did not.
"""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import AssessmentState, Release, Respondent, UnitAssessment
from principles.models import Dimension, Principle
from tests.factories import make_assessment, make_round, make_version, release
from tests.factories_dialogue import add_respondents
from tests.factories_reports import body, get_rendered

LIMIT = 5


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.MIN_RESPONDENTS = LIMIT
    settings.JOIN_CREATES_PER_ADDRESS = 100


@pytest.fixture
def assessment(org):
    version = make_version(principles=2, statements=3, dimensions=2, published=True)
    return make_assessment(
        make_round(org.root, version),
        org.a1,
        state=AssessmentState.INDIVIDUAL,
        expected_respondents=20,
    )


def participate(assessment, value: int, *, comment: str = "", client: Client | None = None):
    """One person: join with their own browser and answer every page through the views."""
    client = client or Client()
    code = assessment.join_code
    client.get(reverse("join_link", args=[code]))
    response = client.post(reverse("join_link", args=[code]))
    assert response.status_code == 302, response.content[:300]
    version_id = assessment.round.framework_version_id
    principles = Principle.objects.filter(version_id=version_id).order_by("order", "pk")
    for number, principle in enumerate(principles, start=1):
        data = {f"statement_{s.pk}": str(value) for s in principle.statements.all()}
        data["comment"] = comment
        response = client.post(reverse("participant_principle", args=[code, number]), data)
        assert response.status_code == 302, response.content[:500]
    data = {}
    for dimension in Dimension.objects.filter(version_id=version_id):
        data[f"dimension_{dimension.pk}_now"] = "3"
        data[f"dimension_{dimension.pk}_desired"] = "6"
    assert client.post(reverse("participant_dimensions", args=[code]), data).status_code == 302
    points = {"market": 20, "hierarchy": 50, "trust": 30}
    data = {f"balance_{kind}_{k}": str(v) for kind in ("now", "desired") for k, v in points.items()}
    assert client.post(reverse("participant_balance", args=[code]), data).status_code == 302
    return client


def step(client, assessment, name: str):
    return client.post(reverse("manager_step", args=[assessment.pk, name]), follow=True)


def page(client, name: str, assessment) -> str:
    response = client.get(reverse(name, args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def pdf_text(client, name: str, assessment) -> str:
    response = get_rendered(client, reverse(name, args=[assessment.pk]))
    assert response.status_code == 200
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body(response))).pages)


def figures_in(html: str) -> list[str]:
    """Every element the templates mark as a figure built from answers."""
    return re.findall(r'data-figure="[^"]+"[^>]*>(.*?)</', html, flags=re.S)


def without_counts(html: str) -> str:
    """The page with what changes harmlessly masked: tokens and every number."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\d+", "#", html)


# --- 1. figures before anyone was shown them ---------------------------------------------------


def test_it_shows_no_figure_before_the_reveal_however_often_reloaded(org, assessment, client):
    client.force_login(org.manager_of_a)
    for value in (4, 5, 3, 4, 2):
        participate(assessment, value)
    views = ("manager_complete", "manager_dialogue", "unit_report_preview")

    def look():
        return {name: page(client, name, assessment) for name in views}

    assessment.state = AssessmentState.DIALOGUE
    UnitAssessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.DIALOGUE)
    before = look()
    before_pdf = pdf_text(client, "unit_report_preview_pdf", assessment)
    UnitAssessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.INDIVIDUAL)
    participate(assessment, 1)  # the latecomer answers all 1s
    UnitAssessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.DIALOGUE)
    after = look()
    after_pdf = pdf_text(client, "unit_report_preview_pdf", assessment)

    for name in views:
        assert figures_in(before[name]) == [] and figures_in(after[name]) == [], name
        # Only counts differ between the two looks.
        assert without_counts(before[name]) == without_counts(after[name]), name
    assert "Median" not in before_pdf and "Median" not in after_pdf
    assert re.sub(r"\d+", "#", before_pdf) == re.sub(r"\d+", "#", after_pdf)
    # And once shown, the figures are there: the pages above were not empty by accident.
    step(client, assessment, "visa-resultat")
    assert figures_in(page(client, "manager_dialogue", assessment))


# --- 2. reveal, reopen, one more answer, reveal again ------------------------------------------


def test_it_keeps_the_first_figures_when_one_person_answers_late(org, assessment, client):
    client.force_login(org.manager_of_a)
    for i, value in enumerate((4, 5, 3, 4, 2)):
        participate(assessment, value, comment=f"Kommentar {i}")
    step(client, assessment, "stang-individuellt")
    step(client, assessment, "visa-resultat")
    first = page(client, "manager_dialogue", assessment)
    assert figures_in(first) and "Kommentar 0" in first

    step(client, assessment, "oppna-igen")
    participate(assessment, 1, comment="Sen kommentar")
    step(client, assessment, "stang-individuellt")
    refused = step(client, assessment, "visa-resultat").content.decode()
    assert "worked out from the difference" in refused or "räknas ut" in refused
    second = page(client, "manager_dialogue", assessment)

    assert figures_in(second) == figures_in(first)
    assert "Sen kommentar" not in second
    assert Release.objects.filter(assessment=assessment).count() == 1
    for name in ("unit_report_preview",):
        assert "Sen kommentar" not in page(client, name, assessment)

    # Four more latecomers make five: a new release is allowed and differs.
    step(client, assessment, "oppna-igen")
    for value in (1, 1, 2, 1):
        participate(assessment, value)
    step(client, assessment, "stang-individuellt")
    step(client, assessment, "visa-resultat")
    third = page(client, "manager_dialogue", assessment)
    assert figures_in(third) != figures_in(first)
    # Only one person has added a comment since the first release: the comments stay as shown.
    assert "Sen kommentar" not in third and "Kommentar 0" in third


# --- 3. one device, many respondents -----------------------------------------------------------


def test_it_gives_one_device_its_own_respondent_back(assessment):
    browser = Client()
    code = assessment.join_code
    browser.get(reverse("join_link", args=[code]))
    for _ in range(5):
        browser.post(reverse("join_link", args=[code]))
        # Even with the respondent cookie thrown away, the device cookie finds the same one.
        browser.cookies.pop(f"tillit_r_{code}", None)
    assert Respondent.objects.filter(assessment=assessment).count() == 1


@pytest.mark.parametrize("expected", [LIMIT - 1, LIMIT])
def test_it_makes_no_more_respondents_than_expected(assessment, expected):
    UnitAssessment.objects.filter(pk=assessment.pk).update(expected_respondents=expected)
    statuses = [
        Client().post(reverse("join_link", args=[assessment.join_code])).status_code
        for _ in range(LIMIT + 1)
    ]
    assert statuses == [302] * expected + [409] * (LIMIT + 1 - expected)
    assert Respondent.objects.filter(assessment=assessment).count() == expected
    refused = Client().post(reverse("join_link", args=[assessment.join_code]))
    assert "expected" in refused.content.decode() or "väntade" in refused.content.decode()


def test_it_limits_respondents_made_from_one_address(assessment, settings):
    settings.JOIN_CREATES_PER_ADDRESS = 3
    statuses = [
        Client().post(reverse("join_link", args=[assessment.join_code])).status_code
        for _ in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    elsewhere = Client(REMOTE_ADDR="192.0.2.7").post(
        reverse("join_link", args=[assessment.join_code])
    )
    assert elsewhere.status_code == 302


def test_it_shows_nothing_from_one_person_and_four_blank_respondents(org, assessment, client):
    participate(assessment, 4, comment="Bara jag")
    for _ in range(4):  # the manager's own blank respondents
        Client().post(reverse("join_link", args=[assessment.join_code]))
    client.force_login(org.manager_of_a)
    step(client, assessment, "stang-individuellt")
    response = step(client, assessment, "visa-resultat")
    html = page(client, "manager_dialogue", assessment)
    assert figures_in(html) == []
    assert "Bara jag" not in html
    assert not Release.objects.filter(assessment=assessment).exists()
    assert (
        "Only 1 person" in response.content.decode() or "Bara 1 person" in response.content.decode()
    )


def test_it_warns_when_several_answers_came_from_one_source(org, assessment, client):
    for value in (3, 4):
        participate(assessment, value)
    client.force_login(org.manager_of_a)
    html = page(client, "manager_dialogue", assessment)
    assert 'data-warning="shared-source"' in html
    other = make_assessment(assessment.round, org.a2, state=AssessmentState.INDIVIDUAL)
    participate(other, 3, client=Client(REMOTE_ADDR="192.0.2.1"))
    participate(other, 3, client=Client(REMOTE_ADDR="192.0.2.2"))
    client.force_login(org.manager_of_b)
    assert 'data-warning="shared-source"' not in page(client, "manager_dialogue", other)


# --- 4. individual values in the report --------------------------------------------------------


def test_it_draws_no_person_and_no_extreme_in_the_report(org, client):
    version = make_version(principles=2, statements=3, dimensions=2, published=True)
    assessment = make_assessment(make_round(org.root, version), org.a1)
    # Principle indices 1.33, 2, 3, 4, 4.67, 4.67; balances far apart, each person alone.
    answers = [(1, 1, 2), (2, 2, 2), (3, 3, 3), (4, 4, 4), (5, 5, 4), (5, 5, 4)]
    balances = [(60, 30, 10), (10, 80, 10), (10, 10, 80), (34, 33, 33), (45, 45, 10), (5, 5, 90)]
    add_respondents(
        assessment,
        6,
        statement_value=lambda i, pos: answers[i][pos % 3],
        balance=lambda i, kind: balances[i] if kind == "now" else (10, 30, 60),
    )
    release(assessment)
    UnitAssessment.objects.filter(pk=assessment.pk).update(
        state=AssessmentState.COMPLETED, completed_at="2026-10-01T12:00Z"
    )
    client.force_login(org.quality_developer)
    html = page(client, "unit_report", assessment)
    text = pdf_text(client, "unit_report_pdf", assessment)
    for shown in (html, text):
        # The lowest and highest person's index (1.3 and 4.7) appear nowhere.
        assert not re.search(r"1[,.]3\s*–\s*4[,.]7", shown)
        # The middle half of the six indices (inclusive quartiles 2.25 and 4.5) is shown.
        assert re.search(r"2[,.]3\s*–\s*4[,.]5", shown), "the middle half is shown"
    assert 'class="participants"' not in html and 'class="cells"' not in html

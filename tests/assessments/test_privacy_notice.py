"""What participants are told about their personal data before they answer (GDPR art. 13),
in Swedish and English, and that what it says about storage holds."""

import html
import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from assessments.models import AssessmentState, Respondent
from tests.factories_dialogue import make_unit_assessment

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.MIN_RESPONDENTS = 7
    settings.RETENTION_ANSWERS_DAYS = 45
    settings.ORGANISATION_NAME = "Exempelkommun"
    settings.ORGANISATION_CONTACT = "dataskydd@exempelkommun.se"
    settings.DATA_PROTECTION_OFFICER = "dso@exempelkommun.se"


@pytest.fixture
def assessment(org):
    return make_unit_assessment(org, state=AssessmentState.INDIVIDUAL, expected_respondents=20)


def _text(response) -> str:
    """The page as words: tags dropped, entities read, spaces collapsed."""
    assert response.status_code == 200
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(words))


def _page(language: str, url: str) -> str:
    return _text(Client(HTTP_ACCEPT_LANGUAGE=language).get(url))


def test_it_tells_participants_in_english_who_is_responsible_and_what_is_kept(assessment):
    text = _page("en", reverse("join_link", args=[assessment.join_code]))
    assert "We do not store your name, an account or your IP address." in text
    assert "Summaries are shown only when at least 7 people have answered." in text
    assert "deleted 45 days after the self-assessment is completed" in text
    assert "Exempelkommun is responsible for the personal data" in text
    assert "Contact: dataskydd@exempelkommun.se" in text
    assert "Data protection officer: dso@exempelkommun.se" in text
    assert "Read more about how your answers are handled" in text


def test_it_tells_participants_in_swedish(assessment):
    text = _page("sv", reverse("join_link", args=[assessment.join_code]))
    assert "Vi sparar inte ditt namn, något konto eller din IP-adress." in text
    assert "minst 7 personer har svarat" in text
    assert "45 dagar efter att självskattningen har slutförts" in text
    assert "Exempelkommun är personuppgiftsansvarig" in text
    assert "Kontakt: dataskydd@exempelkommun.se" in text
    assert "Dataskyddsombud: dso@exempelkommun.se" in text


def test_it_shows_the_notice_before_the_start_button_and_on_the_code_page(assessment):
    page = (
        Client(HTTP_ACCEPT_LANGUAGE="en")
        .get(reverse("join_link", args=[assessment.join_code]))
        .content.decode()
    )
    assert page.index('id="privacy-heading"') < page.index(">Start<")
    assert "<details" in page and "<summary>" in page
    code_page = _page("en", reverse("join"))
    assert "We do not store your name, an account or your IP address." in code_page
    assert "Exempelkommun is responsible" in code_page


def test_it_leaves_out_what_the_organisation_has_not_configured(assessment, settings):
    settings.ORGANISATION_NAME = ""
    settings.ORGANISATION_CONTACT = ""
    settings.DATA_PROTECTION_OFFICER = ""
    del settings.RETENTION_ANSWERS_DAYS  # the other setting's default applies: 90 days
    text = _page("en", reverse("join_link", args=[assessment.join_code]))
    assert "The organisation that runs this self-assessment is responsible" in text
    assert "Ask your manager how to contact the organisation" in text
    assert "Contact:" not in text and "Data protection officer:" not in text
    assert "deleted 90 days after" in text


def test_it_stores_no_address_when_a_participant_joins(assessment):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ADDRESS)
    url = reverse("join_link", args=[assessment.join_code])
    client.get(url)
    assert client.post(url).status_code == 302
    respondent = Respondent.objects.get()
    stored = " ".join(str(value) for value in Respondent.objects.values().get().values())
    assert ADDRESS not in stored
    assert respondent.source and len(respondent.source) == 32  # a keyed hash, not the address
    assert not LogEntry.objects.filter(object_repr__contains=ADDRESS).exists()

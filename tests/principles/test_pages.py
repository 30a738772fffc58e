"""The manager's guide and the accessibility statement, in both languages."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "swedish", "english"),
    [
        ("guide", "Före mötet", "Before the meeting"),
        ("accessibility", "Rapportera brister", "Report a problem"),
    ],
)
def test_it_serves_the_page_in_swedish_and_english(client, name, swedish, english):
    swedish_page = client.get(reverse(name)).content.decode()
    assert swedish in swedish_page and english not in swedish_page
    english_page = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english in english_page and swedish not in english_page


def test_it_sends_an_accessibility_report_to_the_service_owner(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@kommun.example"
    response = client.post(
        reverse("accessibility"),
        {"page": "Deltagarsidan", "description": "Knappen syns inte i mörkt läge.", "email": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a11y@kommun.example"]
    assert "Knappen syns inte" in mail.outbox[0].body


def test_it_refuses_an_empty_report_with_a_message_next_to_the_field(client):
    response = client.post(
        reverse("accessibility"),
        {"page": "", "description": "", "email": "inte-en-adress"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Please describe the problem." in content
    assert "Enter an e-mail address like name@example.se." in content
    assert 'aria-invalid="true"' in content or "is-invalid" in content
    assert mail.outbox == []

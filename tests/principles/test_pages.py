"""The manager's guide and the accessibility statement, in both languages."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from principles.views import REPORTS_OVERALL, REPORTS_PER_CLIENT

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


REPORT = {"page": "Deltagarsidan", "description": "Knappen syns inte i mörkt läge.", "email": ""}
OVER = "Too many reports have been sent in the last hour, so this one was not sent."


def report(ip: str, description: str = REPORT["description"]):
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("accessibility"), {**REPORT, "description": description}, REMOTE_ADDR=ip
    )


def test_it_sends_no_mail_beyond_the_limit_per_address_and_keeps_what_was_typed(settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@kommun.example"
    for _ in range(REPORTS_PER_CLIENT.max_count):  # up to the limit: each one sent
        assert report("192.0.2.5").status_code == 302
    assert len(mail.outbox) == REPORTS_PER_CLIENT.max_count

    response = report("192.0.2.5", "Fokusramen försvinner på knappen Nästa.")

    content = response.content.decode()
    assert response.status_code == 429
    assert OVER in content
    assert "or e-mail it to a11y@kommun.example." in content  # another way to reach them
    assert "Fokusramen försvinner på knappen Nästa." in content  # the text is kept
    assert len(mail.outbox) == REPORTS_PER_CLIENT.max_count
    # Someone else is not held up by it.
    assert report("192.0.2.6").status_code == 302
    assert len(mail.outbox) == REPORTS_PER_CLIENT.max_count + 1


def test_it_caps_the_mail_sent_from_all_addresses_together():
    for host in range(REPORTS_OVERALL.max_count):
        assert report(f"10.0.{host}.1").status_code == 302
    response = report("198.51.100.9")
    assert response.status_code == 429
    assert OVER in response.content.decode()
    assert len(mail.outbox) == REPORTS_OVERALL.max_count


def test_it_does_not_count_a_refused_report_towards_the_limit():
    for _ in range(REPORTS_PER_CLIENT.max_count + 3):
        report("192.0.2.5", description="")
    assert mail.outbox == []
    assert report("192.0.2.5").status_code == 302
    assert len(mail.outbox) == 1

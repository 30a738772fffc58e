"""The anonymous password reset form cannot be used to flood an inbox."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def ask(client: Client, email: str, address: str = "192.0.2.10"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_it_sends_three_mails_to_one_address_in_an_hour_and_not_a_fourth(org):
    client = english()
    for n in range(3):
        assert ask(client, org.manager_of_a.email, f"192.0.2.{n}").status_code == 302
    assert len(mail.outbox) == 3
    response = ask(client, org.manager_of_a.email, "198.51.100.7")
    assert response.status_code == 429
    assert "Nothing was sent" in response.content.decode()
    assert len(mail.outbox) == 3


def test_it_counts_an_address_nobody_has_the_same_way(db):
    """The limit must not tell who has an account: unknown addresses count too."""
    client = english()
    for _ in range(3):
        assert ask(client, "ingen@example.org").status_code == 302
    assert ask(client, "ingen@example.org").status_code == 429
    assert mail.outbox == []


def test_it_lets_one_client_ask_five_times_and_not_six(org):
    client = english()
    for n in range(5):
        assert ask(client, f"person{n}@example.org").status_code == 302
    response = ask(client, org.manager_of_a.email)
    assert response.status_code == 429
    assert mail.outbox == []
    assert ask(client, org.manager_of_a.email, "203.0.113.9").status_code == 302
    assert len(mail.outbox) == 1

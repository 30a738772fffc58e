import re

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    call_command("loaddata", "framework", verbosity=0)


def test_it_presents_the_published_framework_in_swedish(client, framework):
    response = client.get(reverse("framework"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in content
    for name in ["Tillit", "Medborgarfokus", "Helhetssyn", "Handlingsutrymme", "Stöd", "Kunskap"]:
        assert f"</span>{name}</h3>" in content
    assert "Öppenhet" in content
    assert content.count('<tr>\n            <th scope="row">') == 6
    assert "samarbete, kollegialitet" in content and "byråkrati" in content
    assert 'class="keyword"' not in content


def test_it_presents_the_framework_in_english_when_chosen(client, framework):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("framework")})
    content = client.get(reverse("framework")).content.decode()
    assert '<html lang="en">' in content
    assert "Citizen focus" in content
    assert "Control-based governance" in content


def test_it_answers_404_when_nothing_is_published(client):
    assert client.get(reverse("framework")).status_code == 404


def test_it_uses_a_constant_number_of_queries(client, framework, django_assert_num_queries):
    with django_assert_num_queries(7):
        client.get(reverse("framework"))


def test_it_names_the_steering_principles_and_writes_their_keywords_as_running_text(
    client, framework
):
    client.cookies["django_language"] = "en"
    content = client.get(reverse("framework")).content.decode()
    balance = content[content.index('id="balance"') : content.index('id="good-meeting"')]
    assert re.findall(r"<h3>(.*?)</h3>", balance) == ["Competition", "Regulation", "Trust"]
    assert '<p class="mb-2">Characterised by price, market and incentives.</p>' in balance
    assert "Characterised by authority, hierarchy and bureaucracy." in balance
    assert 'class="keyword"' not in balance
    assert "Market" not in balance and "Hierarchy" not in balance


def test_it_writes_the_swedish_keywords_in_lower_case(client, framework):
    content = client.get(reverse("framework")).content.decode()
    balance = content[content.index('id="balance"') : content.index('id="good-meeting"')]
    assert re.findall(r"<h3>(.*?)</h3>", balance) == ["Konkurrens", "Reglering", "Tillit"]
    assert "pris, marknad" in balance and "Pris" not in balance and "Marknad" not in balance

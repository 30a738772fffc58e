"""Official quotations (the SOU 2018:47 definitions): shown as quotations with their source,
and changed in admin only when the administrator says an official quotation is changing."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from principles import services
from principles.models import (
    FrameworkVersion,
    Principle,
    QuotationChange,
    SupportingText,
    TextKind,
)
from tests.principles.admin_forms import change_form

pytestmark = pytest.mark.django_db

UNLOCK = "I am changing an official quotation"
REFUSED = "This is an official quotation from"
NEW_DEFINITION = "Sträva efter att lita på dem du samarbetar med."


@pytest.fixture
def draft():
    call_command("loaddata", "framework", verbosity=0)
    return services.copy_to_draft(FrameworkVersion.objects.get())


@pytest.fixture
def admin_client(administrator):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(administrator)
    return client


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- A principle's definition -------------------------------------------------------------


def principle_url(principle) -> str:
    return reverse("admin:principles_principle_change", args=[principle.pk])


def test_it_refuses_a_changed_definition_unless_unlocked(admin_client, draft):
    principle = draft.principles.get(key="tillit")
    data = change_form(admin_client, principle_url(principle))
    assert "unlock_quotation" not in data  # unticked to start with
    data["definition_sv"] = NEW_DEFINITION

    response = admin_client.post(principle_url(principle), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert f"{REFUSED} SOU 2018:47" in content
    assert UNLOCK in content
    principle.refresh_from_db()
    assert principle.definition_sv.startswith("Sträva efter att som utgångspunkt")
    assert not QuotationChange.objects.exists()


def test_it_refuses_a_changed_source_of_a_definition_unless_unlocked(admin_client, draft):
    principle = draft.principles.get(key="tillit")
    data = change_form(admin_client, principle_url(principle))
    data["definition_source"] = "Okänd källa"

    admin_client.post(principle_url(principle), data)

    principle.refresh_from_db()
    assert principle.definition_source == "SOU 2018:47"


def test_it_saves_a_changed_definition_when_unlocked_and_records_it(
    admin_client, administrator, draft
):
    principle = draft.principles.get(key="tillit")
    before = principle.definition_sv
    data = change_form(admin_client, principle_url(principle))
    data.update(definition_sv=NEW_DEFINITION, unlock_quotation="on")

    response = admin_client.post(principle_url(principle), data)

    assert response.status_code == 302
    principle.refresh_from_db()
    assert principle.definition_sv == NEW_DEFINITION
    change = QuotationChange.objects.get()
    assert (change.version, change.field, change.old_text, change.new_text) == (
        draft,
        "definition_sv",
        before,
        NEW_DEFINITION,
    )
    assert change.changed_by == administrator
    assert "tillit" in change.item
    listing = admin_client.get(reverse("admin:principles_quotationchange_changelist"))
    assert "definition (Swedish, quoted from the source)" in listing.content.decode()


def test_it_lets_the_other_texts_change_without_unlocking(admin_client, draft):
    principle = draft.principles.get(key="tillit")
    data = change_form(admin_client, principle_url(principle))
    data.update(description_sv="Ny beskrivning.", definition_en="Trust those you work with.")

    response = admin_client.post(principle_url(principle), data)

    assert response.status_code == 302
    principle.refresh_from_db()
    assert principle.description_sv == "Ny beskrivning."
    assert principle.definition_en == "Trust those you work with."
    assert not QuotationChange.objects.exists()


def test_it_lets_a_new_principle_be_written_without_unlocking(admin_client, draft):
    url = reverse("admin:principles_principle_add")
    data = change_form(admin_client, url)
    data.update(
        version=draft.pk,
        order=8,
        key="ny",
        name_sv="Ny",
        definition_sv="En ny definition.",
        definition_source="SOU 2018:47",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert Principle.objects.get(version=draft, key="ny").definition_sv == "En ny definition."


# --- The definition of trust-based governance (a supporting text) ------------------------


def version_url(version) -> str:
    return reverse("admin:principles_frameworkversion_change", args=[version.pk])


def supporting_prefix(data: dict, key: str) -> str:
    name = next(k for k, v in data.items() if k.endswith("-key") and v == key)
    return name[: -len("-key")]


def test_it_refuses_a_changed_quoted_supporting_text_unless_unlocked(admin_client, draft):
    data = change_form(admin_client, version_url(draft))
    prefix = supporting_prefix(data, "definition")
    assert data[f"{prefix}-is_quotation"] == "on"
    data[f"{prefix}-body_sv"] = "Något annat."

    response = admin_client.post(version_url(draft), data)

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    definition = SupportingText.objects.get(version=draft, kind=TextKind.DEFINITION)
    assert definition.body_sv.startswith("Styrning, kultur och arbetssätt")


def test_it_refuses_to_unmark_a_quotation_unless_unlocked(admin_client, draft):
    data = change_form(admin_client, version_url(draft))
    prefix = supporting_prefix(data, "definition")
    del data[f"{prefix}-is_quotation"]

    admin_client.post(version_url(draft), data)

    assert SupportingText.objects.get(version=draft, key="definition").is_quotation


def test_it_saves_a_quoted_supporting_text_when_unlocked_and_records_it(admin_client, draft):
    data = change_form(admin_client, version_url(draft))
    prefix = supporting_prefix(data, "definition")
    data.update({f"{prefix}-body_sv": "Något annat.", f"{prefix}-unlock_quotation": "on"})

    response = admin_client.post(version_url(draft), data)

    assert response.status_code == 302
    assert SupportingText.objects.get(version=draft, key="definition").body_sv == "Något annat."
    change = QuotationChange.objects.get()
    assert (change.field, change.new_text) == ("body_sv", "Något annat.")
    assert change.old_text.startswith("Styrning, kultur och arbetssätt")


def test_it_lets_a_text_that_is_no_quotation_change_freely(admin_client, draft):
    data = change_form(admin_client, version_url(draft))
    prefix = supporting_prefix(data, "reservation-1")
    data[f"{prefix}-body_sv"] = "Egen text."

    response = admin_client.post(version_url(draft), data)

    assert response.status_code == 302
    assert SupportingText.objects.get(version=draft, key="reservation-1").body_sv == "Egen text."
    assert not QuotationChange.objects.exists()


# --- On the framework page ---------------------------------------------------------------


def quotations_on(html: str) -> list[tuple[str, str]]:
    """(quoted text, cited source) for each quotation figure on the page."""
    return [
        (re.sub(r"\s+", " ", text).strip(), source)
        for text, source in re.findall(
            r'<figure class="quotation[^"]*">\s*<blockquote[^>]*><p[^>]*>(.*?)</p></blockquote>'
            r"\s*<figcaption[^>]*>.*?<cite>(.*?)</cite>",
            html,
            re.DOTALL,
        )
    ]


def test_it_shows_the_official_definitions_as_quotations_with_their_source(client):
    call_command("loaddata", "framework", verbosity=0)
    html = client.get(reverse("framework")).content.decode()

    quoted = quotations_on(html)
    definition = SupportingText.objects.get(key="definition")
    assert quoted[0] == (definition.body_sv, "SOU 2018:47 (Bringselius)")
    principles = Principle.objects.order_by("order")
    assert quoted[1:] == [(p.definition_sv, "SOU 2018:47") for p in principles]
    assert "our translation" not in html


def test_it_says_an_english_quotation_is_a_translation(client):
    call_command("loaddata", "framework", verbosity=0)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("framework")).content.decode()

    tillit = Principle.objects.get(key="tillit")
    assert (tillit.definition_en, "SOU 2018:47") in quotations_on(html)
    assert "<cite>SOU 2018:47</cite>, our translation" in html


def test_it_shows_a_text_that_is_no_quotation_as_plain_text(client):
    call_command("loaddata", "framework", verbosity=0)
    # Straight to the table: the published version refuses changes through the model.
    SupportingText._base_manager.filter(key="definition").update(is_quotation=False)
    html = client.get(reverse("framework")).content.decode()
    assert len(quotations_on(html)) == 7  # the principles' definitions only
    assert SupportingText.objects.get(key="definition").body_sv in html

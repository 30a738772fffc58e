"""Publishing a framework version: a name of its own, the previous version retired (or kept),
and one default version for new rounds."""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments import answers, joincodes
from assessments.forms_rounds import RoundForm
from assessments.models import AssessmentState, Respondent, StatementAnswer
from principles import services
from principles.models import FrameworkVersion, VersionStatus
from tests.factories import make_assessment, make_round, make_unit, make_version
from tests.principles.admin_forms import change_form

pytestmark = pytest.mark.django_db

NAME = "Tillitsbaserad styrning och ledning 2026"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # assertions read the English msgids
        yield


@pytest.fixture
def published():
    """The version in use: published through the service, so it is the default."""
    return services.publish(make_version(NAME), NAME)


@pytest.fixture
def draft(published):
    return services.copy_to_draft(published)


@pytest.fixture
def admin_client(administrator):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(administrator)
    return client


def publish_url(version) -> str:
    return reverse("admin:principles_frameworkversion_publish", args=[version.pk])


def field_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def refresh(*versions):
    for version in versions:
        version.refresh_from_db()


# --- The name -----------------------------------------------------------------------------


def test_it_asks_for_the_name_prefilled_from_the_original_not_the_copy(
    admin_client, published, draft
):
    assert draft.name.startswith("Copy of")
    html = admin_client.get(publish_url(draft)).content.decode()

    prefilled = field_value(html, "name")
    assert prefilled == services.suggested_name(draft)
    assert prefilled.startswith("Tillitsbaserad styrning och ledning 20")
    assert "Copy of" not in prefilled
    assert re.search(r'<input[^>]*name="name"[^>]*required', html)


def test_it_suggests_this_years_name_or_numbers_it_when_taken(published, draft):
    later = datetime.date(2027, 3, 1)
    assert services.suggested_name(draft, today=later) == f"{NAME[:-4]}2027"
    now = datetime.date(2026, 12, 1)
    assert services.suggested_name(draft, today=now) == f"{NAME}, version 2"
    FrameworkVersion.objects.filter(pk=draft.pk).update(name="Tillit för skolan")
    draft.refresh_from_db()
    assert services.suggested_name(draft, today=later) == "Tillit för skolan"


def test_it_refuses_to_publish_without_a_name(admin_client, published, draft):
    response = admin_client.post(publish_url(draft), {"name": "  ", "retire_previous": "on"})

    assert response.status_code == 200
    assert "Give the version a name." in response.content.decode()
    refresh(published, draft)
    assert draft.status == VersionStatus.DRAFT and draft.name.startswith("Copy of")
    assert published.status == VersionStatus.PUBLISHED and published.is_default


def test_it_refuses_a_name_another_version_has_whatever_its_case(admin_client, published, draft):
    response = admin_client.post(
        publish_url(draft), {"name": NAME.upper(), "retire_previous": "on"}
    )

    assert "A framework version with this name exists already" in response.content.decode()
    refresh(published, draft)
    assert draft.status == VersionStatus.DRAFT
    assert published.status == VersionStatus.PUBLISHED and published.is_default


def test_it_refuses_to_rename_a_draft_to_a_name_another_version_has(admin_client, published):
    draft = services.copy_to_draft(published)
    url = reverse("admin:principles_frameworkversion_change", args=[draft.pk])
    data = change_form(admin_client, url)
    data["name"] = NAME.lower()

    response = admin_client.post(url, data)

    assert "A framework version with this name exists already" in response.content.decode()
    draft.refresh_from_db()
    assert draft.name == f"Copy of {NAME}"


def test_it_gives_each_copy_a_name_of_its_own(published):
    first = services.copy_to_draft(published)
    second = services.copy_to_draft(published)
    assert first.name == f"Copy of {NAME}"
    assert second.name == f"Copy of {NAME} (2)"


# --- The previous version and the default -----------------------------------------------


def test_it_retires_the_previous_version_by_default(admin_client, published, draft):
    html = admin_client.get(publish_url(draft)).content.decode()
    checkbox = re.search(r'<input[^>]*name="retire_previous"[^>]*>', html).group(0)
    assert "checked" in checkbox
    assert f"Retire the version published now: “{NAME}”" in html

    response = admin_client.post(
        publish_url(draft), {"name": "Tillit 2027", "retire_previous": "on"}, follow=True
    )

    assert "“Tillit 2027” is published and is the default for new rounds." in (
        response.content.decode()
    )
    refresh(published, draft)
    assert (draft.name, draft.status, draft.is_default) == (
        "Tillit 2027",
        VersionStatus.PUBLISHED,
        True,
    )
    assert (published.status, published.is_default) == (VersionStatus.RETIRED, False)
    assert list(FrameworkVersion.objects.published()) == [draft]
    assert FrameworkVersion.objects.current() == draft


def test_it_keeps_the_previous_version_published_when_unticked(admin_client, published, draft):
    admin_client.post(publish_url(draft), {"name": "Tillit 2027"})  # checkbox left empty

    refresh(published, draft)
    assert published.status == VersionStatus.PUBLISHED and not published.is_default
    assert draft.status == VersionStatus.PUBLISHED and draft.is_default
    assert FrameworkVersion.objects.filter(is_default=True).count() == 1
    assert FrameworkVersion.objects.current() == draft


def test_it_asks_nothing_about_retiring_when_nothing_is_published(admin_client):
    first = make_version("Första versionen")
    html = admin_client.get(publish_url(first)).content.decode()
    assert 'name="retire_previous"' not in html
    admin_client.post(publish_url(first), {"name": "Första versionen"})
    first.refresh_from_db()
    assert first.status == VersionStatus.PUBLISHED and first.is_default


def test_it_allows_one_default_only_and_only_a_published_one_in_the_database(published):
    other = make_version("Annan", published=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        FrameworkVersion.objects.filter(pk=other.pk).update(is_default=True)
    draft = make_version("Utkast")
    FrameworkVersion.objects.filter(pk=published.pk).update(is_default=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        FrameworkVersion.objects.filter(pk=draft.pk).update(is_default=True)


def test_it_opens_a_new_round_with_the_default_version_not_the_newest(org, published, draft):
    services.publish(draft, "Tillit 2027", retire_previous=False)
    form = RoundForm(user=org.quality_developer, root=org.dep_a)
    assert form.initial["framework_version"] == draft
    assert set(form.fields["framework_version"].queryset) == {published, draft}

    # An administrator makes the older one the default again: new rounds start from it.
    services.make_default(published)
    refresh(published, draft)
    assert published.is_default and not draft.is_default
    form = RoundForm(user=org.quality_developer, root=org.dep_a)
    assert form.initial["framework_version"] == published


def test_it_hands_the_default_on_when_the_default_version_is_retired(published, draft):
    services.publish(draft, "Tillit 2027", retire_previous=False)
    services.retire(draft)
    refresh(published, draft)
    assert published.is_default and not draft.is_default
    services.retire(published)
    assert FrameworkVersion.objects.current() is None


def test_it_presents_the_default_version_on_the_framework_page(client, published, draft):
    services.publish(draft, "Tillit 2027", retire_previous=False)
    html = client.get(reverse("framework")).content.decode()
    assert "· Tillit 2027</p>" in html
    assert "Copy of" not in html and "Kopia av" not in html


def test_it_keeps_a_round_on_a_retired_version_working(published, draft):
    unit = make_unit("U1", "Enhet Ett")
    assessment = make_assessment(
        make_round(unit, published),
        unit,
        join_code=joincodes.generate(),
        state=AssessmentState.INDIVIDUAL,
    )
    services.publish(draft, "Tillit 2027", retire_previous=True)
    published.refresh_from_db()
    assert published.status == VersionStatus.RETIRED

    participant = Client(HTTP_ACCEPT_LANGUAGE="en")
    participant.post(reverse("join_link", kwargs={"code": assessment.join_code}))
    page = reverse("participant_principle", kwargs={"code": assessment.join_code, "number": 1})
    principle = published.principles.order_by("order").first()
    assert principle.name in participant.get(page).content.decode()
    statement = principle.statements.order_by("order").first()
    participant.post(page, {answers.statement_field(statement.pk): "4", "nav": "next"})

    respondent = Respondent.objects.get(assessment=assessment)
    assert list(
        StatementAnswer.objects.filter(respondent=respondent).values_list("statement_id", "value")
    ) == [(statement.pk, 4)]


def test_it_refuses_to_publish_what_is_not_a_draft(admin_client, published):
    response = admin_client.get(publish_url(published), follow=True)
    assert "only a draft can be published" in response.content.decode()
    with pytest.raises(services.PublishError):
        services.publish(published, "Nytt namn")
    published.refresh_from_db()
    assert published.name == NAME


def test_it_offers_publishing_on_the_drafts_page_only(admin_client, published, draft):
    draft_page = admin_client.get(
        reverse("admin:principles_frameworkversion_change", args=[draft.pk])
    ).content.decode()
    assert f'href="{publish_url(draft)}"' in draft_page
    published_page = admin_client.get(
        reverse("admin:principles_frameworkversion_change", args=[published.pk])
    ).content.decode()
    assert "/publish/" not in published_page


def test_it_publishes_one_draft_at_a_time_from_the_action(admin_client, published):
    drafts = [services.copy_to_draft(published) for _ in range(2)]
    response = admin_client.post(
        reverse("admin:principles_frameworkversion_changelist"),
        {"action": "publish", "_selected_action": [d.pk for d in drafts]},
        follow=True,
    )
    assert "Choose one draft to publish." in response.content.decode()
    assert FrameworkVersion.objects.filter(status=VersionStatus.DRAFT).count() == 2

"""Administrators edit drafts in admin; published versions are read-only there."""

import pytest
from django.urls import reverse

from principles.models import FrameworkVersion, Principle, VersionStatus
from tests.factories import make_user, make_version

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    ("admin:index", None),
    ("admin:principles_frameworkversion_changelist", None),
    ("admin:principles_frameworkversion_change", "version"),
    ("admin:principles_principle_changelist", None),
    ("admin:principles_principle_change", "principle"),
    ("admin:principles_statement_changelist", None),
]


def _url(name, kind, version):
    if kind is None:
        return reverse(name)
    obj = version if kind == "version" else version.principles.first()
    return reverse(name, args=[obj.pk])


@pytest.mark.parametrize(("name", "kind"), ADMIN_PAGES)
def test_it_answers_admin_pages_for_an_administrator(client, administrator, name, kind):
    version = make_version(published=True)
    client.force_login(administrator)
    response = client.get(_url(name, kind, version))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kind"), ADMIN_PAGES)
@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_it_sends_anyone_else_to_the_login(client, name, kind, who):
    version = make_version(published=True)
    if who == "outsider":
        client.force_login(make_user("outsider-olle"))
    response = client.get(_url(name, kind, version))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_shows_a_published_version_read_only(client, administrator):
    version = make_version(published=True)
    principle = version.principles.first()
    client.force_login(administrator)
    url = reverse("admin:principles_principle_change", args=[principle.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="name_sv"' not in page.content  # no input: read-only view

    response = client.post(url, {"name_sv": "Ändrad", "key": principle.key})
    assert response.status_code == 403
    assert Principle.objects.get(pk=principle.pk).name_sv == "Princip 1"


def test_it_lets_an_administrator_edit_a_draft_principle(client, administrator):
    version = make_version()
    principle = version.principles.first()
    client.force_login(administrator)
    url = reverse("admin:principles_principle_change", args=[principle.pk])
    page = client.get(url)
    assert b'name="name_sv"' in page.content
    statements = list(principle.statements.all())
    questions = list(principle.questions.all())
    data = {
        "version": version.pk,
        "order": 1,
        "key": principle.key,
        "name_sv": "Tillit i vardagen",
        "name_en": "Trust every day",
        "definition_sv": principle.definition_sv,
        "definition_en": principle.definition_en,
        "definition_source": "SOU 2018:47",
        "description_sv": "",
        "description_en": "",
        "statements-TOTAL_FORMS": len(statements),
        "statements-INITIAL_FORMS": len(statements),
        "questions-TOTAL_FORMS": len(questions),
        "questions-INITIAL_FORMS": len(questions),
    }
    for prefix, items in (("statements", statements), ("questions", questions)):
        for i, item in enumerate(items):
            data.update(
                {
                    f"{prefix}-{i}-id": item.pk,
                    f"{prefix}-{i}-principle": principle.pk,
                    f"{prefix}-{i}-order": item.order,
                    f"{prefix}-{i}-key": item.key,
                    f"{prefix}-{i}-text_sv": item.text_sv,
                    f"{prefix}-{i}-text_en": item.text_en,
                }
            )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Principle.objects.get(pk=principle.pk).name_sv == "Tillit i vardagen"


def test_it_copies_a_version_into_a_draft_from_the_admin_action(client, administrator):
    version = make_version(published=True)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:principles_frameworkversion_changelist"),
        {"action": "copy_to_draft", "_selected_action": [version.pk]},
    )
    draft = FrameworkVersion.objects.exclude(pk=version.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:principles_frameworkversion_change", args=[draft.pk]
    )
    assert draft.status == VersionStatus.DRAFT
    assert sorted(draft.principles.values_list("key", flat=True)) == ["p1", "p2"]


def test_it_explains_in_admin_why_a_draft_cannot_be_published(client, administrator):
    draft = make_version()
    draft.principles.get(key="p2").statements.all().delete()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:principles_frameworkversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    content = response.content.decode()
    assert "cannot be published yet" in content
    assert "has no statements" in content
    assert 'name="name"' not in content  # nothing to confirm until the draft is complete
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_it_publishes_a_complete_draft_from_the_admin_action(client, administrator):
    draft = make_version()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:principles_frameworkversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    publish_url = reverse("admin:principles_frameworkversion_publish", args=[draft.pk])
    assert response["Location"] == publish_url
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT  # not before the name is confirmed

    client.post(publish_url, {"name": "Testramverk 2027"})

    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.name == "Testramverk 2027"

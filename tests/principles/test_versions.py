"""Published versions are read-only; drafts are copied with every item and key."""

import pytest
from django.utils import translation

from principles import services
from principles.models import (
    Dimension,
    FrameworkVersion,
    Principle,
    ReadOnlyVersionError,
    Statement,
    SteeringPrinciple,
    VersionStatus,
)
from tests.factories import make_version

pytestmark = pytest.mark.django_db


def test_it_refuses_to_change_a_published_principle_through_the_orm():
    version = make_version(published=True)
    principle = version.principles.first()
    principle.name_sv = "Ändrad"
    with translation.override("en"), pytest.raises(ReadOnlyVersionError, match="cannot be changed"):
        principle.save()
    assert Principle.objects.get(pk=principle.pk).name_sv == "Princip 1"


def test_it_refuses_bulk_updates_and_deletes_of_published_items():
    version = make_version(published=True)
    with pytest.raises(ReadOnlyVersionError):
        Statement.objects.filter(principle__version=version).update(text_sv="x")
    with pytest.raises(ReadOnlyVersionError):
        Principle.objects.filter(version=version).delete()
    with pytest.raises(ReadOnlyVersionError):
        version.delete()
    assert Statement.objects.filter(principle__version=version, text_sv="x").count() == 0
    assert Principle.objects.filter(version=version).count() == 2


def test_it_refuses_new_items_in_a_published_version():
    version = make_version(published=True)
    with pytest.raises(ReadOnlyVersionError):
        Statement.objects.create(
            principle=version.principles.first(), key="new", text_sv="Ny", text_en="New"
        )


def test_it_refuses_to_rename_a_published_version_but_lets_it_retire():
    version = make_version(published=True)
    version.name = "Nytt namn"
    with pytest.raises(ReadOnlyVersionError):
        version.save()
    services.retire(FrameworkVersion.objects.get(pk=version.pk))
    assert FrameworkVersion.objects.get(pk=version.pk).status == VersionStatus.RETIRED


def test_it_copies_every_item_with_its_key_into_a_new_draft():
    version = make_version(principles=3, statements=4, questions=2, dimensions=6, published=True)
    draft = services.copy_to_draft(version)

    assert draft.status == VersionStatus.DRAFT
    assert draft.based_on == version

    def keys(v):
        return {
            "principles": list(v.principles.values_list("key", "name_sv")),
            "statements": sorted(
                Statement.objects.filter(principle__version=v).values_list(
                    "principle__key", "key", "text_sv", "text_en"
                )
            ),
            "questions": sorted(v.principles.values_list("questions__key", "questions__text_sv")),
            "dimensions": list(v.dimensions.values_list("key", "control_pole_sv")),
            "steering": list(v.steering_principles.values_list("key", "keywords_sv")),
        }

    assert keys(draft) == keys(version)
    assert len(keys(draft)["statements"]) == 12
    # The copy is independent: editing it leaves the published original untouched.
    principle = draft.principles.get(key="p1")
    principle.name_sv = "Ny text"
    principle.save()
    assert version.principles.get(key="p1").name_sv == "Princip 1"


def test_it_publishes_a_complete_draft():
    draft = make_version()
    services.publish(draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_at is not None
    assert FrameworkVersion.objects.current() == draft


def test_it_refuses_to_publish_an_incomplete_draft_and_says_why():
    draft = make_version(dimensions=1)
    empty = Principle.objects.create(
        version=draft, key="empty", name_sv="Tom", name_en="", definition_sv="Def"
    )
    Dimension.objects.filter(version=draft).update(trust_pole_en="")
    SteeringPrinciple.objects.filter(version=draft, key="market").delete()

    with translation.override("en"), pytest.raises(services.PublishError) as caught:
        services.publish(draft)

    problems = caught.value.problems
    assert "The principle “Tom” has no statements." in problems
    assert "The principle “Tom” has no reflection questions." in problems
    assert any(
        "empty" in p and "name (English)" in p and "definition (English, our translation)" in p
        for p in problems
    )
    assert any("Dimension 1" in p and "trust pole (English)" in p for p in problems)
    assert any("exactly three steering principles" in p and "has 2" in p for p in problems)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert empty.pk


def test_it_shows_texts_in_the_current_language_with_swedish_as_fallback():
    version = make_version()
    principle = version.principles.get(key="p1")
    with translation.override("en"):
        assert principle.name == "Principle 1"
    with translation.override("sv"):
        assert principle.name == "Princip 1"
    principle.name_en = ""
    with translation.override("en"):
        assert principle.name == "Princip 1"

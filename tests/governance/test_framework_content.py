"""The chain's framework content: shipped with the framework, versioned with it, in Swedish
and English, added to older databases; and the förvaltning management role in the import."""

import pytest
from django.core.management import call_command

from assessments.importing import import_roles
from assessments.models import Role, RoleKind
from governance.content import add_missing_content
from governance.models import SignalKind, SignalLevel, SignalPurpose
from principles import services
from principles.models import FrameworkVersion, ReadOnlyVersionError
from tests.factories import make_unit, make_version
from tests.factories_governance import add_chain

pytestmark = pytest.mark.django_db

KINDS = [
    "regelstyrning",
    "mal-och-resultatstyrning",
    "ekonomisk-styrning",
    "prestationsstyrning",
    "normstyrning",
]


def test_it_ships_the_kinds_purposes_and_levels_with_the_framework():
    call_command("loaddata", "framework", verbosity=0)
    version = FrameworkVersion.objects.get()
    assert list(SignalKind.objects.filter(version=version).values_list("key", flat=True)) == KINDS
    assert list(
        SignalPurpose.objects.filter(version=version).values_list("name_sv", flat=True)
    ) == ["Kontrollerande", "Lärande", "Förebyggande"]
    levels = set(SignalLevel.objects.filter(version=version).values_list("name_sv", flat=True))
    assert {"Politisk nämnd", "Förvaltningsledning", "Central funktion", "Statlig myndighet"} <= (
        levels
    )
    for model in (SignalKind, SignalPurpose, SignalLevel):
        for item in model.objects.filter(version=version):
            assert item.name_sv and item.name_en and item.description_sv and item.description_en
            assert item.source, item.key
    assert "SOU 2018:47" in SignalKind.objects.get(key="regelstyrning").source


def test_it_keeps_a_published_versions_items_read_only():
    version = add_chain(make_version(published=True))
    kind = version.signal_kinds.first()
    kind.name_sv = "Ändrad"
    with pytest.raises(ReadOnlyVersionError):
        kind.save()
    with pytest.raises(ReadOnlyVersionError):
        SignalKind.objects.filter(version=version).update(name_sv="Ändrad")


def test_it_copies_the_items_into_a_new_draft_with_their_keys():
    version = add_chain(make_version(published=True))
    draft = services.copy_to_draft(version)
    assert sorted(draft.signal_kinds.values_list("key", flat=True)) == sorted(KINDS)
    assert draft.signal_levels.count() == version.signal_levels.count()
    assert draft.signal_purposes.count() == 3
    # The draft's items are editable; the published version's stay as they were.
    item = draft.signal_kinds.get(key="normstyrning")
    item.name_en = "Norm-based steering"
    item.save()
    assert version.signal_kinds.get(key="normstyrning").name_en == "Steering by norms"


def test_it_refuses_to_publish_an_item_without_english():
    draft = add_chain(make_version())
    SignalPurpose.objects.filter(version=draft, key="larande").update(name_en="")
    with pytest.raises(services.PublishError) as error:
        services.publish(draft, "Ny version")
    assert any("larande" in problem for problem in error.value.problems)


def test_it_adds_the_content_to_versions_loaded_before_it_existed():
    version = make_version(published=True)
    assert add_missing_content() == 5 + 3 + 6
    assert version.signal_kinds.count() == 5
    assert add_missing_content() == 0  # idempotent


def test_it_imports_forvaltning_management_roles():
    unit = make_unit("SOC", "Socialförvaltningen", kind="department")
    report = import_roles(
        b"email,unit_code,role\nlea@example.org,SOC,f\xc3\xb6rvaltningsledning\n"
        b"leo@example.org,SOC,steering_owner\n"
    )
    assert report.ok, report
    assert set(Role.objects.filter(unit=unit).values_list("kind", flat=True)) == {
        RoleKind.STEERING_OWNER
    }
    assert Role.objects.filter(unit=unit).count() == 2

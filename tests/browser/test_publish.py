"""An administrator publishes a copied version under a name of its own, in the browser."""

import pytest
from django.core.management import call_command

from principles import services
from principles.models import FrameworkVersion, VersionStatus
from tests.browser.helpers import DESKTOP, check_page
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-admin-1234"


@pytest.fixture
def draft(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("loaddata", "framework", verbosity=0)
    user = make_user("admin-bo", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return services.copy_to_draft(FrameworkVersion.objects.get())


def test_it_publishes_a_draft_under_the_name_given_and_retires_the_old(live_server, browser, draft):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", reduced_motion="reduce")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "admin-bo")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[type=submit]").click()

    # A quoted definition says how to change it, and keeps its words until that is confirmed.
    tillit = draft.principles.get(key="tillit")
    page.goto(f"{live_server.url}/admin/principles/principle/{tillit.pk}/change/")
    page.fill("textarea[name=definition_sv]", "Lita på varandra.")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert page.get_by_text("This is an official quotation from SOU 2018:47").is_visible()
    assert not page.get_by_label("I am changing an official quotation").is_checked()
    check_page(page, "admin-quotation-refused")
    tillit.refresh_from_db()
    assert tillit.definition_sv != "Lita på varandra."

    page.goto(f"{live_server.url}/admin/principles/frameworkversion/{draft.pk}/change/")
    with page.expect_navigation():
        page.get_by_role("link", name="Publish…").click()
    name = page.get_by_label("Name of the published version")
    assert not name.input_value().startswith("Copy of")
    assert page.get_by_role("checkbox", name="Retire the version published now").is_checked()
    check_page(page, "admin-publish-version")

    name.fill("Tillitsbaserad styrning och ledning 2027")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the version").click()
    assert page.get_by_text("is published and is the default for new rounds").is_visible()

    draft.refresh_from_db()
    assert draft.name == "Tillitsbaserad styrning och ledning 2027"
    assert list(FrameworkVersion.objects.filter(status=VersionStatus.PUBLISHED)) == [draft]

    page.goto(f"{live_server.url}/ramverk/")
    eyebrow = page.locator(".eyebrow").inner_text()
    assert "2027" in eyebrow and "COPY" not in eyebrow.upper()
    check_page(page, "framework-after-publishing")
    context.close()

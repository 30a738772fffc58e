"""Signing in through the municipality's identity provider in Chromium, against real
providers running locally in a second process: django-oidc-provider (OpenID Connect) and a
pysaml2 identity provider (SAML 2). Each sign-in lands on the start page as the matched or
newly created person; someone new has no role and sees only the start page. Tillit's own
pages on the way refuse nothing under the Content-Security-Policy.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.models import Role, RoleKind
from tests.browser.helpers import DESKTOP, check_page
from tests.factories import give_role, make_unit, make_user
from tests.idp import fixtures
from tests.idp.fixtures import ANNA, NILS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
oidc_idp_for_browser = fixtures.oidc_idp_for_browser
saml_idp_for_browser = fixtures.saml_idp_for_browser
User = get_user_model()

# Installed in every page before its own scripts: records what the browser refuses.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI}`);
}, true);
"""


class Visitor:
    """One person in one browser context, signing in at the identity provider."""

    def __init__(self, browser, live_server) -> None:
        self.url = live_server.url
        self.context = browser.new_context(
            viewport=DESKTOP, locale="en-GB", reduced_motion="reduce"
        )
        self.context.add_cookies([{"name": "django_language", "value": "en", "url": self.url}])
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.refused: list[str] = []
        self.context.on("console", self._console)
        self.page = self.context.new_page()

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)

    def sign_in(self, button: str, person, screenshot: str) -> None:
        page = self.page
        page.goto(f"{self.url}/konto/login/")
        check_page(page, f"{screenshot}-login")
        page.get_by_role("link", name=button).click()
        page.wait_for_selector("#idp-username")
        assert not page.url.startswith(self.url), "the identity provider's page, not ours"
        page.fill("#idp-username", person.username)
        page.fill("#idp-password", person.password)
        with page.expect_navigation(url=f"{self.url}/"):
            page.get_by_role("button", name="Sign in at the identity provider").click()
        self.refused += page.evaluate("window.__cspViolations")
        check_page(page, f"{screenshot}-start-page")

    def nav_links(self) -> list[str]:
        return self.page.locator("nav a").all_inner_texts()


@pytest.fixture
def use_oidc(settings, oidc_idp_for_browser):
    for name, value in oidc_idp_for_browser.settings().items():
        setattr(settings, name, value)
    settings.OIDC_DISPLAY_NAME = "Kommunens konto"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_signs_in_the_matched_manager_with_openid_connect(live_server, browser, use_oidc):
    anna = make_user("anna.a", email="anna.andersson@kommun.example", first_name="Anna")
    give_role(anna, make_unit("A1", "Enhet A1"), RoleKind.MANAGER)
    visitor = Visitor(browser, live_server)

    visitor.sign_in("Sign in with Kommunens konto", ANNA, "sso-oidc-manager")

    page = visitor.page
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Anna"
    assert "Enhet A1" in page.locator("main").inner_text()
    assert User.objects.count() == 1
    assert visitor.refused == []
    visitor.context.close()


def test_it_creates_someone_new_with_openid_connect_who_sees_only_the_start_page(
    live_server, browser, use_oidc
):
    visitor = Visitor(browser, live_server)

    visitor.sign_in("Sign in with Kommunens konto", NILS, "sso-oidc-newcomer")

    nils = User.objects.get(email="nils.nilsson@kommun.example")
    assert not Role.objects.filter(user=nils).exists()
    assert_sees_only_the_start_page(visitor, "Welcome, Nils")
    visitor.context.close()


@pytest.fixture
def use_saml(settings, saml_idp_for_browser):
    for name, value in saml_idp_for_browser.settings().items():
        setattr(settings, name, value)
    settings.SAML_DISPLAY_NAME = "Skolfederation"


def test_it_signs_in_the_matched_quality_developer_with_saml(live_server, browser, use_saml):
    anna = make_user("anna.a", email="anna.andersson@kommun.example", first_name="Anna")
    give_role(anna, make_unit("DEP-A", "Förvaltning A"), RoleKind.QUALITY_DEVELOPER)
    visitor = Visitor(browser, live_server)

    visitor.sign_in("Sign in with Skolfederation", ANNA, "sso-saml-quality-developer")

    page = visitor.page
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Anna"
    assert "Förvaltning A" in page.locator("main").inner_text()
    assert User.objects.count() == 1
    assert visitor.refused == []
    visitor.context.close()


def test_it_creates_someone_new_with_saml_who_sees_only_the_start_page(
    live_server, browser, use_saml
):
    visitor = Visitor(browser, live_server)

    visitor.sign_in("Sign in with Skolfederation", NILS, "sso-saml-newcomer")

    nils = User.objects.get(email="nils.nilsson@kommun.example")
    assert not Role.objects.filter(user=nils).exists()
    assert_sees_only_the_start_page(visitor, "Welcome, Nils")
    visitor.context.close()


def test_it_keeps_the_password_form_folded_for_the_break_glass_administrator(
    live_server, browser, use_oidc, settings
):
    settings.LOCAL_LOGIN = "breakglass"
    settings.BREAK_GLASS_USERNAMES = ["nodkonto"]
    make_user("nodkonto", is_staff=True, is_superuser=True, first_name="Nöd")
    make_unit("ORG", "Kommunen", kind="organisation")
    visitor = Visitor(browser, live_server)
    page = visitor.page
    page.goto(f"{visitor.url}/konto/login/")
    assert not page.locator("input[name=password]").is_visible()
    check_page(page, "sso-breakglass-login")

    page.get_by_text("Emergency access for administrators").click()
    page.fill("input[name=username]", "nodkonto")
    page.fill("input[name=password]", "pw-test-1234")
    with page.expect_navigation(url=f"{visitor.url}/"):
        page.locator("form:has(input[name=password]) [type=submit]").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Nöd"
    assert visitor.refused == []
    visitor.context.close()


def assert_sees_only_the_start_page(visitor, welcome: str) -> None:
    page = visitor.page
    main = page.locator("main").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == welcome
    assert "You have no role on a unit yet" in main
    for staff_only in ("Your units", "Your self-assessments", "Rounds", "Administration"):
        assert staff_only not in main
    assert "Administration" not in visitor.nav_links()
    # Staff pages stay shut: each sends them away or refuses.
    for name in ("round_list", "compare_index", "batch_list", "admin:index"):
        path = reverse(name)
        response = page.goto(f"{visitor.url}{path}")
        assert response.status in (403, 404) or "/login/" in page.url, path
    assert visitor.refused == []

import hashlib
import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits, remembered medians)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _pdf_rendered_once_per_document():
    """WeasyPrint renders each distinct document once per test process.

    ``reports.pdf.render_pdf`` is a pure function of its HTML, base URL, title and language,
    and many tests ask for the very same report (each persona of the permission matrix, each
    stored-report test's fixture). The first request renders it for real; the same document
    again gets those bytes. Tests that count or break renders patch the callers
    (``reports.stored.render_pdf``) or this function itself, and still see every call.
    """
    from reports import pdf

    real = pdf.render_pdf
    rendered: dict[str, bytes] = {}

    def render_pdf(html: str, *, base_url: str | None = None, title: str, language: str) -> bytes:
        key = hashlib.sha256(f"{base_url}\0{title}\0{language}\0{html}".encode()).hexdigest()
        if key not in rendered:
            rendered[key] = real(html, base_url=base_url, title=title, language=language)
        return rendered[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "render_pdf", render_pdf)
        yield


@pytest.fixture
def administrator(db):
    return make_user("admin-anna", is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Logged in, but with no role anywhere."""
    return make_user("outsider-olle")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium. Missing Chromium is a failure, never a skip."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Org:
    """Exempelkommun with two departments, three units and the people of the personas.

    ORG Exempelkommun
    ├── DEP-A Förvaltning A   (quality developer of A)
    │   ├── A1 Enhet A1        (manager of A)
    │   └── A2 Enhet A2        (manager of B: a sibling unit)
    └── DEP-B Förvaltning B   (quality developer elsewhere)
        └── B1 Enhet B1
    """


@pytest.fixture
def org(db):
    from assessments.models import RoleKind
    from tests.factories import give_role, make_unit

    o = Org()
    o.root = make_unit("ORG", "Exempelkommun", kind="organisation")
    o.dep_a = make_unit("DEP-A", "Förvaltning A", parent=o.root, kind="department")
    o.dep_b = make_unit("DEP-B", "Förvaltning B", parent=o.root, kind="department")
    o.a1 = make_unit("A1", "Enhet A1", parent=o.dep_a)
    o.a2 = make_unit("A2", "Enhet A2", parent=o.dep_a)
    o.b1 = make_unit("B1", "Enhet B1", parent=o.dep_b)
    for unit in (o.root, o.dep_a, o.dep_b, o.a1, o.a2):
        unit.refresh_from_db()
    o.manager_of_a = make_user("manager-a", first_name="Maja")
    o.manager_of_b = make_user("manager-b", first_name="Bo")
    o.quality_developer = make_user("quality-a", first_name="Kim")
    o.quality_developer_elsewhere = make_user("quality-b", first_name="Kai")
    give_role(o.manager_of_a, o.a1, RoleKind.MANAGER)
    give_role(o.manager_of_b, o.a2, RoleKind.MANAGER)
    give_role(o.quality_developer, o.dep_a, RoleKind.QUALITY_DEVELOPER)
    give_role(o.quality_developer_elsewhere, o.dep_b, RoleKind.QUALITY_DEVELOPER)
    o.outsider = make_user("outsider-olle")
    o.administrator = make_user("administrator", is_staff=True, is_superuser=True)
    return o


@pytest.fixture
def persona(org, client):
    """Log `client` in as a named persona: persona("manager_of_a") etc.; "anonymous" stays out."""

    def login(name: str):
        if name != "anonymous":
            client.force_login(getattr(org, name))
        return client

    return login

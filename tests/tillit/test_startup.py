"""Commands and web workers start without loading what only some requests need."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from assessments.management.commands import import_roles, import_units

ROOT = Path(settings.BASE_DIR)


HEAVY = ("weasyprint", "openpyxl", "saml2", "mozilla_django_oidc.views")


def _modules_after(statements: str, modules: tuple[str, ...] = HEAVY, **environ: str) -> list[str]:
    """Which of `modules` a fresh interpreter has loaded after `statements`."""
    code = (
        f"import django, sys; django.setup(); {statements}; "
        f"print(sorted(m for m in {modules!r} if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tillit.settings", "DEBUG": "1", **environ}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def test_it_loads_every_url_without_pdf_spreadsheet_or_identity_provider_libraries():
    # pysaml2 alone took about a second to import, which every manage.py call paid.
    loaded = _modules_after("from django.urls import get_resolver; get_resolver().url_patterns")

    assert loaded == []


def test_it_imports_the_saml_views_when_a_web_worker_starts_with_saml_configured():
    loaded = _modules_after(
        "from assessments.views.compare import warm_up; warm_up()",
        SAML_IDP_METADATA_URL="https://idp.example/metadata",
    )

    assert "saml2" in loaded
    assert "mozilla_django_oidc.views" not in loaded  # OpenID Connect is not configured


def test_it_imports_without_running_the_system_checks_first():
    assert import_units.Command.requires_system_checks == []
    assert import_roles.Command.requires_system_checks == []


# What only the admin's pages need: every app's admin module and what they import.
ADMIN = (
    "django.contrib.auth.admin",
    "django.contrib.auth.forms",
    "assessments.admin",
    "assessments.workflow",
    "principles.admin",
    "tillit.admin",
)


def test_it_imports_units_without_loading_the_admin_or_heavy_libraries():
    # What `manage.py import_units` loads: the settings and apps, the command and its service.
    loaded = _modules_after(
        "from django.core.management import load_command_class; "
        "load_command_class('assessments', 'import_units'); "
        "load_command_class('assessments', 'import_roles')",
        modules=(*HEAVY, *ADMIN),
    )

    assert loaded == []


def test_it_loads_the_admin_modules_with_the_urls():
    loaded = _modules_after(
        "from django.urls import get_resolver; get_resolver().url_patterns", modules=ADMIN
    )

    assert loaded == sorted(ADMIN)


def test_it_checks_the_admin_registrations_without_the_urls_loaded():
    # `manage.py check` must look at every ModelAdmin, whether or not the URLs loaded first.
    loaded = _modules_after(
        "from django.core import checks; "
        "from django.contrib import admin; "
        "assert not admin.site._registry; "
        "checks.run_checks(tags=[checks.Tags.admin]); "
        "from assessments.models import Unit; "
        "assert admin.site.is_registered(Unit)",
        modules=ADMIN,
    )

    assert "assessments.admin" in loaded

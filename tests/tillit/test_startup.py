"""Commands and web workers start without loading what only some requests need."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from assessments.management.commands import import_roles, import_units

ROOT = Path(settings.BASE_DIR)


def test_it_loads_every_url_without_weasyprint_or_openpyxl():
    code = (
        "import django, sys; django.setup(); from django.urls import get_resolver; "
        "get_resolver().url_patterns; "
        "print(sorted(m for m in ('weasyprint', 'openpyxl') if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tillit.settings", "DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_it_imports_without_running_the_system_checks_first():
    assert import_units.Command.requires_system_checks == []
    assert import_roles.Command.requires_system_checks == []

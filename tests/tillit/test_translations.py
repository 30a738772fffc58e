"""Every user-facing string has a Swedish translation, and the compiled catalogue is current.

The test extracts the msgids afresh from the code and templates (Django's makemessages,
into a copy of the catalogue), so a string added without a translation fails here.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"


def _entries(po_text: str) -> list[dict]:
    """Parse a .po file into entries with msgid, msgstr(s) and flags (enough for this check)."""
    entries = []
    for block in re.split(r"\n\s*\n", po_text.strip()):
        if block.lstrip().startswith("#~"):
            continue  # obsolete entries are not shown to anyone
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if "msgid" in fields:
            entries.append({"flags": flags, **fields})
    return entries


def _untranslated(po_text: str) -> list[str]:
    problems = []
    for entry in _entries(po_text):
        if entry["msgid"] == "":
            continue  # the header
        strs = [v for k, v in entry.items() if k.startswith("msgstr")]
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {entry['msgid']!r}")
        elif not strs or any(s == "" for s in strs):
            problems.append(f"untranslated: {entry['msgid']!r}")
    return problems


# What makemessages reads: the code and templates, never the environment or the tests.
SOURCES = ["tillit", "principles", "assessments", "batches", "templates", "static"]


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory):
    """The catalogue as `make messages` would write it, built in a copy of the project.

    makemessages writes into ./locale of the directory it runs in, so it runs in a copy:
    the repository's own catalogue is never touched by the tests.
    """
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is needed to extract messages (Debian package gettext).")
    project = tmp_path_factory.mktemp("project")
    base = Path(settings.BASE_DIR)
    for name in SOURCES:
        shutil.copytree(base / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(LOCALE, project / "locale")
    saved_locale_paths, saved_cwd = settings.LOCALE_PATHS, os.getcwd()
    settings.LOCALE_PATHS = [project / "locale"]
    os.chdir(project)
    try:
        call_command("makemessages", locale=["sv", "en"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(saved_cwd)
        settings.LOCALE_PATHS = saved_locale_paths
    return project / "locale"


@pytest.mark.parametrize("language", ["sv"])
def test_it_has_every_string_translated(fresh_catalogue, language):
    po = (fresh_catalogue / language / "LC_MESSAGES" / "django.po").read_text()
    problems = _untranslated(po)
    assert problems == [], f"{len(problems)} strings lack a translation:\n" + "\n".join(
        problems[:40]
    )


def test_it_ships_an_english_catalogue_covering_every_string(fresh_catalogue):
    # English msgids are the English text: the catalogue only needs to exist and be current.
    po = (fresh_catalogue / "en" / "LC_MESSAGES" / "django.po").read_text()
    assert len(_entries(po)) > 50


@pytest.mark.parametrize("language", ["sv", "en"])
def test_it_ships_a_compiled_catalogue_matching_the_source(language, tmp_path):
    source = LOCALE / language / "LC_MESSAGES" / "django.po"
    compiled = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert compiled.exists(), f"run `make messages` to compile {source}"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(source)], check=True)
    assert fresh.read_bytes() == compiled.read_bytes(), "django.mo is older than django.po"


def test_it_finds_a_missing_translation():
    """The checker itself: an empty msgstr and a fuzzy entry are both reported."""
    po = (
        'msgid ""\nmsgstr ""\n\n'
        'msgid "Hello"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Bye"\nmsgstr "Hej då"\n'
    )
    assert _untranslated(po) == ["untranslated: 'Hello'", "fuzzy: 'Bye'"]

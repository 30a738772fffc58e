"""collectstatic in production collects what the pages and the PDF reports load, and leaves out
what the npm packages ship besides (other builds and their source maps, axe-core, unused font
weights), which every deployment would otherwise hash and compress."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

WHITENOISE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": WHITENOISE}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


def _names(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_it_collects_every_file_the_pages_and_reports_load(collected):
    names = _names(collected)
    base = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text()
    loaded = set(re.findall(r"{% static '([^']+)' %}", base))
    assert {"vendor/bootstrap/css/bootstrap.min.css", "css/tillit.css"} <= loaded
    report_css = (collected / "css" / "report.css").read_text()
    fonts = {
        f"vendor/source-sans/{name}" for name in re.findall(r"(SourceSans3-\w+\.ttf)", report_css)
    }
    assert len(fonts) == 4, fonts

    for name in loaded | fonts | {"css/report.css"}:
        assert name in names, name
        stem, _dot, suffix = name.rpartition(".")
        hashed = [
            n for n in names if re.fullmatch(rf"{re.escape(stem)}\.[0-9a-f]{{12}}\.{suffix}", n)
        ]
        assert hashed, f"no hashed copy of {name}"
    assert "css/tillit.css.br" in names and "css/tillit.css.gz" in names


def test_it_leaves_out_what_no_page_loads(collected):
    names = _names(collected)

    maps = {re.sub(r"\.[0-9a-f]{12}\.map$", ".map", n) for n in names if n.endswith(".map")}
    assert maps == {  # only those of the two files loaded: the manifest rewrites references
        "vendor/bootstrap/css/bootstrap.min.css.map",
        "vendor/bootstrap/js/bootstrap.bundle.min.js.map",
    }
    assert not [n for n in names if ".rtl." in n]
    assert not [n for n in names if n.startswith("vendor/axe-core/") and n.endswith(".js")]
    assert not [n for n in names if "/locales/" in n]
    assert not [n for n in names if re.search(r"SourceSans3-(Light|ExtraLight|Black|Medium)", n)]
    assert not [n for n in names if "bootstrap-grid" in n or "bootstrap.esm" in n]
    assert len(names) < 1000, len(names)  # 895 files (11 MB) now; 1,373 (49 MB) before

"""Production settings pass `check --deploy`; a per-process cache with many workers does not."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tillit.checks import shared_cache_messages

ROOT = Path(settings.BASE_DIR)
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "x"}}


def production_env(**extra: str) -> dict[str, str]:
    unset = {"DEBUG", "TILLIT_TESTING", "WEB_CONCURRENCY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), **extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(REDIS_URL="redis://127.0.0.1:6379/0"),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_fails_check_deploy_with_a_per_process_cache_and_four_workers():
    result = manage("check", "--deploy", env=production_env(WEB_CONCURRENCY="4"))
    assert result.returncode != 0
    assert "tillit.E001" in result.stderr


def test_it_reads_https_only_defaults_for_production():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SESSION_COOKIE_AGE,"
        " s.SECURE_PROXY_SSL_HEADER]))"
    )
    env = production_env(DJANGO_SETTINGS_MODULE="tillit.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "[true, true, true, 31536000, true, 28800, null]", out.stderr
    env.update(
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SESSION_HOURS="2",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == (
        '[false, false, false, 31536000, true, 7200, ["HTTP_X_FORWARDED_PROTO", "https"]]'
    ), out.stderr


@pytest.mark.parametrize(
    ("caches", "workers", "ids"),
    [
        (LOCMEM, 1, []),
        (LOCMEM, 2, ["tillit.E001"]),
        (LOCMEM, None, ["tillit.W001"]),
        (REDIS, 8, []),
    ],
)
def test_it_judges_the_cache_by_the_number_of_workers(settings, caches, workers, ids):
    settings.DEBUG = False
    settings.TESTING = False
    settings.CACHES = caches
    assert [m.id for m in shared_cache_messages(workers)] == ids

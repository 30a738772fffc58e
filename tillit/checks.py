"""System checks for how Tillit is deployed.

The join limits and the per-address respondent limit count in Django's cache. A cache that
lives inside one process (LocMem, Dummy) gives every web worker counters of its own, so with
four workers a guesser gets four times the tries and a script four times the respondents.
"""

import os

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def configured_workers() -> int | None:
    """Web workers as gunicorn reads them from the environment (WEB_CONCURRENCY), if set."""
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    return int(value) if value.isdigit() else None


def shared_cache_messages(workers: int | None) -> list[CheckMessage]:
    """What is wrong with counting limits in this cache for `workers` processes."""
    if settings.DEBUG or settings.TESTING:
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    if workers is not None and workers <= 1:
        return []
    if workers is None:
        return [
            Warning(
                f"The cache ({backend}) lives in one process, and the number of web workers is "
                "unknown (WEB_CONCURRENCY is not set). With more than one worker, each counts "
                "join attempts and new respondents on its own and the limits multiply.",
                hint="Set REDIS_URL to a Redis shared by every worker, or WEB_CONCURRENCY=1.",
                id="tillit.W001",
            )
        ]
    return [
        Error(
            f"{workers} web workers are configured but the cache ({backend}) lives in one "
            "process: each worker would count join attempts and new respondents on its own, "
            f"so every limit would be {workers} times as high.",
            hint="Set REDIS_URL to a Redis shared by every worker.",
            id="tillit.E001",
        )
    ]


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[CheckMessage]:
    return shared_cache_messages(configured_workers())

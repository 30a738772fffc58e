"""Counting failed attempts in Django's cache, to slow down anyone guessing join codes.

Only failures are counted. A window opens with the first failure and lasts `window_seconds`;
once `max_failures` failures are in it, `is_blocked` says so until the window runs out.

The counters live in the configured cache (`settings.CACHES`, default LocMem). LocMem is per
process, which is right for development and tests; production, with several web workers,
needs a cache they share (Redis, Memcached or the database cache), or each worker counts
on its own.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    """At most `max_failures` failures per `window_seconds` for one identity (IP, …)."""

    name: str
    max_failures: int
    window_seconds: int

    def key(self, identity: str) -> str:
        # Hashed: cache keys must be short and free of odd characters, and an IP address
        # need not sit in the cache in the clear.
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        return f"tillit:ratelimit:{self.name}:{digest}"


def failures(limit: Limit, identity: str) -> int:
    """How many failures `identity` has in its current window."""
    return int(cache.get(limit.key(identity)) or 0)


def is_blocked(limit: Limit, identity: str) -> bool:
    return failures(limit, identity) >= limit.max_failures


def record_failure(limit: Limit, identity: str) -> int:
    """Count one failure; return the number in the window, this one included."""
    key = limit.key(identity)
    # `add` only sets a missing key, so the first failure opens the window and later ones do
    # not extend it; `incr` is atomic in the shared caches production uses.
    if cache.add(key, 1, timeout=limit.window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ran out between add and incr
        cache.add(key, 1, timeout=limit.window_seconds)
        return 1


def reset(limit: Limit, identity: str) -> None:
    cache.delete(limit.key(identity))

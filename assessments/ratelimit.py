"""Counting attempts in Django's cache: failed join codes (to slow down anyone guessing
them) and respondents created from one address (so one device cannot make many).

A window opens with the first attempt recorded and lasts `window_seconds`; once `max_count`
attempts are in it, `is_blocked` says so until the window runs out.

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
    """At most `max_count` attempts per `window_seconds` for one identity (IP, …)."""

    name: str
    max_count: int
    window_seconds: int

    def key(self, identity: str) -> str:
        # Hashed: cache keys must be short and free of odd characters, and an IP address
        # need not sit in the cache in the clear.
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        return f"tillit:ratelimit:{self.name}:{digest}"


def count(limit: Limit, identity: str) -> int:
    """How many attempts `identity` has in its current window."""
    return int(cache.get(limit.key(identity)) or 0)


def is_blocked(limit: Limit, identity: str) -> bool:
    return count(limit, identity) >= limit.max_count


def record(limit: Limit, identity: str) -> int:
    """Count one attempt; return the number in the window, this one included."""
    key = limit.key(identity)
    # `add` only sets a missing key, so the first attempt opens the window and later ones do
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

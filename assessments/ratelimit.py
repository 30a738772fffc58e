"""Counting attempts in Django's cache: failed join codes (to slow down anyone guessing
them), respondents created from one address (so one device cannot make many) and reports
sent from the accessibility form (so it cannot be used to flood a mailbox).

A window opens with the first attempt recorded and lasts `window_seconds`; once `max_count`
attempts are in it, `is_blocked` says so until the window runs out.

The counters live in the configured cache (`settings.CACHES`, default LocMem). LocMem is per
process, which is right for development and tests; production, with several web workers,
needs a cache they share (Redis, Memcached or the database cache), or each worker counts
on its own.

Identities (addresses, networks) appear in the keys only as a keyed hash, HMAC-SHA256 with a
key derived from SECRET_KEY: a plain hash of an IPv4 address is undone by hashing all 2^32
addresses, which takes minutes, so whoever could read the cache would read the addresses.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac

KEY_SALT = "tillit.ratelimit"


@dataclass(frozen=True)
class Limit:
    """At most `max_count` attempts per `window_seconds` for one identity (address, …)."""

    name: str
    max_count: int
    window_seconds: int

    def key(self, identity: str) -> str:
        # Short and free of odd characters, as cache keys must be, and no address in them.
        digest = salted_hmac(KEY_SALT, f"{self.name}:{identity}", algorithm="sha256")
        return f"tillit:ratelimit:{self.name}:{digest.hexdigest()[:32]}"


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

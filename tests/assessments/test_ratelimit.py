"""The failed-attempt counter behind the join page's rate limits."""

import hashlib

import pytest
from django.core.cache import cache

from assessments import ratelimit
from assessments.ratelimit import Limit


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """Move the LocMem cache's clock forward without waiting."""
    import django.core.cache.backends.locmem as locmem

    now = [1_000_000.0]
    monkeypatch.setattr(locmem.time, "time", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += seconds

    return advance


LIMIT = Limit("test", max_count=3, window_seconds=600)


def test_it_counts_failures_and_blocks_at_the_limit():
    assert ratelimit.count(LIMIT, "10.0.0.1") == 0
    assert not ratelimit.is_blocked(LIMIT, "10.0.0.1")
    assert ratelimit.record(LIMIT, "10.0.0.1") == 1
    assert ratelimit.record(LIMIT, "10.0.0.1") == 2
    assert not ratelimit.is_blocked(LIMIT, "10.0.0.1")
    assert ratelimit.record(LIMIT, "10.0.0.1") == 3
    assert ratelimit.is_blocked(LIMIT, "10.0.0.1")


def test_it_keeps_identities_and_limits_apart():
    other_limit = Limit("other", max_count=3, window_seconds=600)
    for _ in range(3):
        ratelimit.record(LIMIT, "10.0.0.1")
    assert ratelimit.is_blocked(LIMIT, "10.0.0.1")
    assert not ratelimit.is_blocked(LIMIT, "10.0.0.2")
    assert not ratelimit.is_blocked(other_limit, "10.0.0.1")


def test_it_lifts_the_block_when_the_window_that_the_first_failure_opened_runs_out(clock):
    ratelimit.record(LIMIT, "10.0.0.1")
    clock(500)
    ratelimit.record(LIMIT, "10.0.0.1")
    ratelimit.record(LIMIT, "10.0.0.1")
    assert ratelimit.is_blocked(LIMIT, "10.0.0.1")
    # Later failures do not stretch the window: it closes 600 s after the first one.
    clock(101)
    assert not ratelimit.is_blocked(LIMIT, "10.0.0.1")
    assert ratelimit.record(LIMIT, "10.0.0.1") == 1


def test_it_can_be_reset():
    for _ in range(3):
        ratelimit.record(LIMIT, "10.0.0.1")
    ratelimit.reset(LIMIT, "10.0.0.1")
    assert ratelimit.count(LIMIT, "10.0.0.1") == 0


def _plain_hashes(text: str) -> set[str]:
    """What a bare hash of `text` looks like, whole and cut to the key's length."""
    digests = {hashlib.new(name, text.encode()).hexdigest() for name in ("md5", "sha1", "sha256")}
    return digests | {digest[:32] for digest in digests}


def test_it_keeps_no_address_in_its_cache_keys_in_the_clear_or_plainly_hashed():
    key = LIMIT.key("192.168.10.77")
    assert "192.168" not in key
    assert key.startswith("tillit:ratelimit:test:")
    digest = key.rsplit(":", 1)[1]
    for plain in _plain_hashes("192.168.10.77") | _plain_hashes("test:192.168.10.77"):
        assert plain not in key and digest not in plain
    assert LIMIT.key("192.168.10.77") == key
    assert LIMIT.key("192.168.10.78") != key


def test_it_keys_its_cache_keys_with_the_secret_key(settings):
    key = LIMIT.key("192.168.10.77")
    settings.SECRET_KEY = "another-secret-key-of-the-same-installation-" * 2
    # Without the secret, hashing all 2^32 IPv4 addresses does not lead back to this one.
    assert LIMIT.key("192.168.10.77") != key

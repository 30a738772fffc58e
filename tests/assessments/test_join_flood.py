"""A flood of wrong join codes blocks only the addresses and networks it comes from.

Failed codes are counted per client address and per network (IPv4 /24, IPv6 /64), never
overall: whoever holds a valid code and is not on an address or network over its own limit
gets in, however many wrong codes the rest of the internet sends.
"""

import hashlib

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from assessments import joincodes
from assessments.models import AssessmentState, Respondent
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db

BLOCKED = "Too many codes that do not exist have been tried from your network"


@pytest.fixture
def assessment(db):
    unit = make_unit("U1", "Enhet Ett")
    version = make_version(published=True, principles=2, statements=2, dimensions=2)
    return make_assessment(
        make_round(unit, version),
        unit,
        join_code=joincodes.generate(),
        state=AssessmentState.INDIVIDUAL,
    )


@pytest.fixture
def limits(settings):
    settings.JOIN_FAILURES_PER_CLIENT = 20
    settings.JOIN_FAILURES_PER_NETWORK = 60
    return settings


def wrong_code(n: int) -> str:
    """The n-th of a series of well-formed codes that no assessment has."""
    return f"ZZZ{n:07d}"


def fail(ip: str, n: int = 1, *, by_link: bool = False, **headers) -> list[int]:
    """`n` wrong codes from `ip`, typed or linked; the status codes of the answers."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    statuses = []
    for i in range(n):
        if by_link:
            url = reverse("join_link", kwargs={"code": wrong_code(i)})
            statuses.append(client.get(url, REMOTE_ADDR=ip, **headers).status_code)
        else:
            data = {"code": wrong_code(i)}
            response = client.post(reverse("join"), data, REMOTE_ADDR=ip, **headers)
            statuses.append(response.status_code)
    return statuses


def join(assessment, ip: str, **headers):
    """A participant with the valid code types it, opens the join page and presses Start.

    Returns the first answer that was not a step forward, or the last one.
    """
    participant = Client(HTTP_ACCEPT_LANGUAGE="en")
    typed = participant.post(
        reverse("join"), {"code": assessment.join_code}, REMOTE_ADDR=ip, **headers
    )
    if typed.status_code != 302:
        return typed
    welcome = participant.get(typed["Location"], REMOTE_ADDR=ip, **headers)
    if welcome.status_code != 200:
        return welcome
    return participant.post(typed["Location"], REMOTE_ADDR=ip, **headers)


def joined(response) -> bool:
    return response.status_code == 302 and "/princip/1/" in response["Location"]


def test_it_lets_a_valid_code_in_after_1000_failed_codes_from_many_addresses(assessment, limits):
    # 940 wrong codes from 47 IPv4 networks, two addresses each and ten codes per address,
    # half typed and half in links: under every limit, as the old overall limit (500) was not.
    answers = []
    for network in range(47):
        answers += fail(f"10.{network}.1.1", 10)
        answers += fail(f"10.{network}.1.2", 10, by_link=True)
    # …and 60 from 30 addresses of one network: that network is now over its limit.
    for host in range(1, 31):
        answers += fail(f"203.0.113.{host}", 2)
    assert len(answers) == 1000
    assert set(answers[:940]) == {400, 404}  # "no such code", never refused
    assert answers[-1] == 429

    # A participant with the valid code on a fresh address gets in…
    assert joined(join(assessment, "198.51.100.7"))
    # …and so does one whose own network guessed a lot, but less than its limit.
    assert joined(join(assessment, "10.7.1.99"))
    # One on the flooded network is refused, with a message saying why and what to do.
    refused = join(assessment, "203.0.113.200")
    assert refused.status_code == 429
    assert BLOCKED in refused.content.decode()
    assert Respondent.objects.filter(assessment=assessment).count() == 2


def test_it_refuses_a_client_address_at_its_limit_and_not_one_failure_before(assessment, settings):
    settings.JOIN_FAILURES_PER_CLIENT = 5
    settings.JOIN_FAILURES_PER_NETWORK = 100
    assert fail("192.0.2.10", 4) == [400] * 4  # n - 1
    assert joined(join(assessment, "192.0.2.10"))

    assert fail("192.0.2.10", 1) == [429]  # the n-th failure is answered as refused
    refused = join(assessment, "192.0.2.10")
    assert refused.status_code == 429
    assert BLOCKED in refused.content.decode()
    # Its neighbour in the same /24 is not over any limit.
    assert joined(join(assessment, "192.0.2.11"))


def test_it_refuses_a_network_at_its_limit_and_not_one_failure_before(assessment, settings):
    settings.JOIN_FAILURES_PER_CLIENT = 100
    settings.JOIN_FAILURES_PER_NETWORK = 6
    for host in range(1, 6):  # n - 1 failures, each from its own address in 192.0.2.0/24
        assert fail(f"192.0.2.{host}") == [400]
    assert joined(join(assessment, "192.0.2.200"))

    assert fail("192.0.2.6") == [429]
    # Every address of the network is refused now, one that never failed included…
    refused = join(assessment, "192.0.2.201")
    assert refused.status_code == 429
    assert BLOCKED in refused.content.decode()
    # …and the next network is not.
    assert joined(join(assessment, "192.0.3.1"))


def test_it_groups_ipv6_addresses_by_their_64_bit_network(assessment, settings):
    settings.JOIN_FAILURES_PER_CLIENT = 100
    settings.JOIN_FAILURES_PER_NETWORK = 3
    # Three addresses of 2001:db8:1:1::/64, however different their last 64 bits.
    fail("2001:db8:1:1::1", by_link=True)
    fail("2001:db8:1:1:ffff:ffff:ffff:fffe")
    assert fail("2001:db8:1:1:1234::9") == [429]

    assert join(assessment, "2001:db8:1:1::99").status_code == 429
    assert joined(join(assessment, "2001:db8:1:2::1"))  # the neighbouring /64


def test_it_counts_per_client_behind_a_proxy_not_per_proxy(assessment, settings):
    settings.JOIN_FAILURES_PER_CLIENT = 3
    settings.JOIN_FAILURES_PER_NETWORK = 100
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    # A guesser behind the proxy, who also writes addresses of their own into the header.
    fail(proxy, 3, HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.66")
    assert fail(proxy, 1, HTTP_X_FORWARDED_FOR="198.51.100.2, 192.0.2.66") == [429]

    # Another client through the same proxy gets in; the guesser does not.
    assert joined(join(assessment, proxy, HTTP_X_FORWARDED_FOR="192.0.2.67"))
    assert join(assessment, proxy, HTTP_X_FORWARDED_FOR="192.0.2.66").status_code == 429


def test_it_keeps_no_address_in_the_cache_in_the_clear_or_plainly_hashed(assessment, limits):
    address = "203.0.113.45"
    fail(address, 3)
    join(assessment, address)  # also counts a respondent made from this address
    keys = [key for key in cache._cache if "ratelimit" in key]  # LocMem's own store
    assert len(keys) == 3  # the address, its network and the respondents made from it
    plain = {address, "203.0.113.0/24", f"{assessment.pk}:{address}"}
    digests = {hashlib.sha256(text.encode()).hexdigest() for text in plain}
    for key in keys:
        assert "203.0.113" not in key
        assert not any(digest[:32] in key for digest in digests)

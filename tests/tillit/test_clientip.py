"""The client's address: REMOTE_ADDR, or the configured proxy header, read from the right."""

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from tillit.clientip import client_ip, network

PROXY = "10.0.0.1"


def request(remote_addr: str | None = PROXY, **headers):
    req = RequestFactory().get("/", **headers)
    if remote_addr is None:
        del req.META["REMOTE_ADDR"]
    else:
        req.META["REMOTE_ADDR"] = remote_addr
    return req


@pytest.fixture
def behind_proxies(settings):
    """Set how many proxies append to X-Forwarded-For."""

    def configure(count: int) -> None:
        settings.CLIENT_IP_HEADER = "X-Forwarded-For"
        settings.TRUSTED_PROXY_COUNT = count

    return configure


def test_it_uses_remote_addr_and_ignores_the_header_when_none_is_configured(settings):
    settings.CLIENT_IP_HEADER = ""
    assert client_ip(request("192.0.2.7", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "192.0.2.7"


def test_it_takes_the_last_entry_behind_one_proxy_and_ignores_entries_the_client_wrote(
    behind_proxies,
):
    behind_proxies(1)
    assert client_ip(request(HTTP_X_FORWARDED_FOR="192.0.2.7")) == "192.0.2.7"
    spoofed = request(HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8,192.0.2.7")
    assert client_ip(spoofed) == "192.0.2.7"


def test_it_takes_the_second_entry_from_the_right_behind_two_proxies(behind_proxies):
    behind_proxies(2)
    # The client wrote 1.2.3.4; the first proxy appended the client, the second the first.
    header = "1.2.3.4, 192.0.2.7, 10.0.0.2"
    assert client_ip(request(HTTP_X_FORWARDED_FOR=header)) == "192.0.2.7"
    assert client_ip(request(HTTP_X_FORWARDED_FOR="192.0.2.7, 10.0.0.2")) == "192.0.2.7"


@pytest.mark.parametrize(
    "header",
    [
        None,  # absent
        "",
        "   ",
        "not-an-address",
        "192.0.2.7, unknown",  # what some proxies write when they do not know
        "192.0.2.300",
        "192.0.2.7; rm -rf",
    ],
)
def test_it_falls_back_to_remote_addr_when_the_header_is_absent_or_malformed(
    behind_proxies, header
):
    behind_proxies(1)
    headers = {} if header is None else {"HTTP_X_FORWARDED_FOR": header}
    assert client_ip(request(**headers)) == PROXY


def test_it_falls_back_when_the_header_has_fewer_entries_than_trusted_proxies(behind_proxies):
    behind_proxies(2)
    assert client_ip(request(HTTP_X_FORWARDED_FOR="192.0.2.7")) == PROXY


def test_it_reads_ipv6_ports_and_mapped_addresses(behind_proxies):
    behind_proxies(1)
    cases = {
        "2001:DB8::7": "2001:db8::7",
        "[2001:db8::7]:443": "2001:db8::7",
        "192.0.2.7:51234": "192.0.2.7",
        "::ffff:192.0.2.7": "192.0.2.7",
    }
    for header, expected in cases.items():
        assert client_ip(request(HTTP_X_FORWARDED_FOR=header)) == expected, header


def test_it_accepts_another_header_named_as_proxies_write_it(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(HTTP_X_REAL_IP="192.0.2.7")) == "192.0.2.7"


def test_it_gives_none_for_no_usable_address_at_all(settings):
    settings.CLIENT_IP_HEADER = ""
    assert client_ip(request(None)) is None
    assert client_ip(request("")) is None
    assert client_ip(request("garbage")) is None


def test_it_groups_addresses_by_ipv4_24_and_ipv6_64():
    assert network("192.0.2.7") == "192.0.2.0/24"
    assert network("192.0.2.255") == network("192.0.2.0")
    assert network("192.0.3.1") != network("192.0.2.1")
    assert network("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert network("2001:db8:1:3::1") != network("2001:db8:1:2::1")
    assert network(None) is None
    assert network("unknown") is None


def test_it_gives_django_axes_the_same_address(behind_proxies):
    behind_proxies(1)
    req = request(HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    assert get_client_ip_address(req) == client_ip(req) == "192.0.2.7"


@pytest.mark.django_db
def test_it_records_failed_logins_under_the_client_address_behind_a_proxy(behind_proxies):
    behind_proxies(1)
    Client().post(
        reverse("login"),
        {"username": "maja", "password": "fel"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.7"]

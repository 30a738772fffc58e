"""The address of the client a request comes from, and the network it belongs to.

Without configuration this is REMOTE_ADDR. Behind a reverse proxy (nginx, a load balancer)
REMOTE_ADDR is the proxy's address, so every client would share one: set `CLIENT_IP_HEADER`
to the header the proxies write (usually "X-Forwarded-For") and `TRUSTED_PROXY_COUNT` to how
many of them append to it. Each proxy appends the address it received the request from, so
the client's address is the entry that many places from the right; anything further left was
sent by the client itself and may be forged, so it is never read. A header that is missing,
too short or holds something that is not an IP address falls back to REMOTE_ADDR.

Every limit that counts per address (the join page, respondents per address, the
accessibility form, django-axes's failed logins) and the dialogue's "same source" hint read
the address here, so that they all agree.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# How much of an address one subscriber or site usually holds: an IPv4 /24 is a typical
# office or hosting block, and an IPv6 /64 is what a single home or office network is given.
IPV4_PREFIX = 24
IPV6_PREFIX = 64


def _parse(value: str) -> IPAddress | None:
    """An address as written in a header or REMOTE_ADDR, or None if it is not one.

    Accepts the forms proxies write: "192.0.2.7", "192.0.2.7:51234", "2001:db8::1" and
    "[2001:db8::1]:443". IPv4 addresses mapped into IPv6 ("::ffff:192.0.2.7") count as the
    IPv4 address, so one client has one identity whichever way its proxy writes it.
    """
    text = value.strip().strip('"')
    if text.startswith("["):  # [IPv6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        # A zone ("fe80::1%eth0") only means something on the host that wrote it.
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _meta_key(header: str) -> str:
    """The request.META key of a header name: "X-Forwarded-For" → "HTTP_X_FORWARDED_FOR"."""
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") or key == "REMOTE_ADDR" else f"HTTP_{key}"


def _from_header(request: HttpRequest) -> IPAddress | None:
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if not header:
        return None
    raw = request.META.get(_meta_key(header), "")
    hops = max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 1)), 1)
    entries = [entry for entry in raw.split(",") if entry.strip()]
    if len(entries) < hops:
        return None
    return _parse(entries[-hops])


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text ("192.0.2.7", "2001:db8::1"), or None if none is known.

    The signature django-axes expects of `AXES_CLIENT_IP_CALLABLE`.
    """
    address = _from_header(request) or _parse(request.META.get("REMOTE_ADDR") or "")
    return str(address) if address else None


def network(ip: str | None) -> str | None:
    """The network an address belongs to: its IPv4 /24 or IPv6 /64 ("192.0.2.0/24")."""
    address = _parse(ip) if ip else None
    if address is None:
        return None
    if address.version == 4:
        return str(ipaddress.IPv4Network((address, IPV4_PREFIX), strict=False))
    return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))

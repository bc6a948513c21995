"""The address of the client behind the platform's reverse proxies (客户端地址), for throttling sign-in.

Behind a reverse proxy ``REMOTE_ADDR`` is the proxy's own address, shared by every client. The proxy appends
the address it saw to a header (``X-Forwarded-For``), but a client can write anything into that header before
it reaches the proxy, so the header is believed only when the request came from a configured trusted proxy, and
only its right-most entry that is not itself a trusted proxy: that one was written by a proxy we trust.

Settings: ``GGZY_TRUSTED_PROXIES`` (addresses or CIDR networks; empty means none, and ``REMOTE_ADDR`` is used)
and ``GGZY_CLIENT_IP_HEADER`` (the ``request.META`` key, default ``HTTP_X_FORWARDED_FOR``).
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request) -> str | None:
    """The client's IP address: ``REMOTE_ADDR``, or the forwarded one when ``REMOTE_ADDR`` is a trusted proxy."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = _trusted_networks(tuple(getattr(settings, "GGZY_TRUSTED_PROXIES", ()) or ()))
    if not _is_trusted(remote, networks):
        return str(remote)
    header = request.META.get(getattr(settings, "GGZY_CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR"), "")
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    nearest = remote
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # Not written by a proxy we know (or malformed): the last address we can vouch for is the answer.
            return str(nearest)
        if not _is_trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is a trusted proxy: the request started inside the proxies' network


def _parse(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return address


@functools.lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)

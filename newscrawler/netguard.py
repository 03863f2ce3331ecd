"""Refuse loopback, private and other non-public addresses (SSRF guard).

A crawler fed arbitrary URLs (ad-hoc sites, redirects, links) must not reach the machine it
runs on, the local network or cloud metadata endpoints. ``host_allowed`` answers for one host
before it is fetched; ``refused_addresses`` answers for the addresses a name resolved to when
the connection is made (``newscrawler.resolver``), so that a name resolving differently
between the two (DNS rebinding) is refused too. ``NEWSCRAWLER_ALLOW_PRIVATE_HOSTS`` (see
``parse_allowlist``) names the exceptions, e.g. the offline demo server on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import re
import socket

__all__ = [
    "host_allowed",
    "is_private_address",
    "normalise_host",
    "parse_allowlist",
    "refused_addresses",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# NAT64 prefixes embed an IPv4 address in the last 32 bits; ipaddress calls them global.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, 6to4, Teredo, NAT64), if any."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    if any(addr in net for net in _NAT64):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def _is_private(addr: IPAddress) -> bool:
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_ipv4(addr)
        if inner is not None and _is_private(inner):
            return True
    return (
        not addr.is_global
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or addr in _CGNAT
    )


def is_private_address(ip: str) -> bool:
    """True unless ``ip`` is a public unicast address.

    Loopback, private, link-local, multicast, reserved, unspecified, CGNAT (100.64/10) and
    IPv6 forms carrying such an IPv4 address (``::ffff:127.0.0.1``) all count as private.
    Raises ``ValueError`` when ``ip`` is not an IP address.
    """
    return _is_private(ipaddress.ip_address(ip.strip().strip("[]")))


def _as_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address, including the legacy forms resolvers accept (``127.1``)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fx.]+", host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _in_allowlist(value: str, allowlist: frozenset[str]) -> bool:
    if value in allowlist:
        return True
    addr = _as_ip(value)
    if addr is None:
        return False
    for entry in allowlist:
        if "/" in entry:
            try:
                if addr in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        elif _as_ip(entry) == addr:
            return True
    return False


def _resolve(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def normalise_host(host: str) -> str:
    """``host`` as the guard compares it: lower case, no brackets, no trailing dot."""
    return host.strip().lower().strip("[]").rstrip(".")


def refused_addresses(host: str, addresses: list[str], allowlist: frozenset[str]) -> list[str]:
    """The addresses of ``host`` that must not be connected to.

    Every private address, unless the host name or that address is allowlisted. An address
    that is not an IP address at all is refused: nothing is connected to that the guard
    cannot classify.
    """
    if _in_allowlist(normalise_host(host), allowlist):
        return []
    refused = []
    for ip in addresses:
        try:
            private = is_private_address(ip)
        except ValueError:
            private = True
        if private and not _in_allowlist(normalise_host(ip), allowlist):
            refused.append(ip)
    return refused


def host_allowed(host: str, allowlist: frozenset[str], resolve: bool = True) -> tuple[bool, str]:
    """May ``host`` be fetched? Returns ``(ok, reason)``; ``reason`` is one line for logs.

    IP literals are checked directly. Names are resolved (when ``resolve``) and refused if
    ANY address is private, unless the name or that address is allowlisted. ``localhost``
    is refused unless allowlisted. A name that does not resolve is refused: failing closed
    costs nothing, the fetch could not have succeeded.
    """
    host = normalise_host(host)
    if not host:
        return False, "empty host"
    if _in_allowlist(host, allowlist):
        return True, f"{host} is allowlisted"
    addr = _as_ip(host)
    if addr is not None:
        if _is_private(addr):
            return False, f"{host} is a private address"
        return True, f"{host} is a public address"
    if host == "localhost" or host.endswith(".localhost"):
        return False, f"{host} is the local machine"
    if not resolve:
        return True, f"{host} not resolved"
    try:
        addresses = _resolve(host)
    except (OSError, UnicodeError) as exc:
        return False, f"{host} does not resolve: {exc}"
    refused = refused_addresses(host, addresses, allowlist)
    if refused:
        return False, f"{host} resolves to private address {refused[0]}"
    return True, f"{host} resolves to public addresses"


def parse_allowlist(value: str | list[str] | tuple[str, ...] | None) -> frozenset[str]:
    """Host names, IPs and CIDR networks from a comma/space separated string or a list."""
    if not value:
        return frozenset()
    items = value if isinstance(value, list | tuple) else [value]
    entries = set()
    for item in items:
        for entry in re.split(r"[,\s]+", str(item)):
            entry = entry.strip().lower().strip("[]").rstrip(".")
            if entry:
                entries.add(entry)
    return frozenset(entries)

"""The connect-time half of the SSRF guard: a name resolver that never answers a private address.

``SafeRequestMiddleware`` refuses private hosts before a request is sent, but a name can
resolve to a public address then and to 127.0.0.1 a moment later, when the download connects
(DNS rebinding). Scrapy's HTTP(S) download handler connects through Twisted's
``HostnameEndpoint``, which asks the reactor's name resolver for the addresses of every host,
IP literals included, for pages, robots.txt and redirects alike. Installed as
``TWISTED_DNS_RESOLVER``, ``GuardedResolver`` is that resolver: it looks the name up and
hands on only the addresses ``netguard`` allows, so a refused name has nothing left to
connect to. The endpoint then fails the download as a failed lookup, which
``ConnectGuardMiddleware`` (``newscrawler.middlewares``) turns into a counted refusal.

The lookup itself is one method, ``lookup``: the system resolver, in the reactor's thread
pool. What it answers is checked after it returns, every time, cached answers included (only
checked answers are cached).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scrapy.resolver import HostResolution
from scrapy.utils.datatypes import LocalCache
from scrapy.utils.reactor import is_reactor_installed
from twisted.internet import defer
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IAddress, IHostnameResolver, IResolutionReceiver
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from newscrawler.netguard import normalise_host, parse_allowlist, refused_addresses

if TYPE_CHECKING:
    from twisted.internet.base import ReactorBase

__all__ = ["GuardedResolver", "installed_guard"]

logger = logging.getLogger(__name__)

# Refusals remembered for ConnectGuardMiddleware: a few per host being refused is plenty.
_REFUSALS_KEPT = 1000


@implementer(IHostnameResolver)
class GuardedResolver:
    """Resolve names for Twisted's connections, dropping every address the guard refuses."""

    def __init__(self, reactor: ReactorBase, allowlist: frozenset[str], cache_size: int = 0,
                 timeout: float = 60.0) -> None:
        self.reactor = reactor
        self.allowlist = allowlist
        self.timeout = timeout
        self._cache: LocalCache[str, list[str]] | None = (
            LocalCache(cache_size) if cache_size else None)
        self._refusals: LocalCache[str, str] = LocalCache(_REFUSALS_KEPT)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: ReactorBase) -> GuardedResolver:
        # Scrapy passes its CrawlerProcess here: settings only, no stats.
        settings = crawler.settings
        cache = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        allowlist = parse_allowlist(settings.get("NEWSCRAWLER_ALLOW_PRIVATE_HOSTS"))
        return cls(reactor, allowlist, cache, settings.getfloat("DNS_TIMEOUT"))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def lookup(self, host: str) -> list[str]:
        """The addresses ``host`` resolves to, from the system resolver (blocking)."""
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    def refusal(self, host: str) -> str | None:
        """Why the last connection to ``host`` was refused, if it was (one line)."""
        return self._refusals.get(normalise_host(host))

    def resolveHostName(  # Twisted's interface names
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> HostResolution:
        resolution = HostResolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        found = self._allowed_addresses(hostName)
        found.addCallback(self._deliver, resolutionReceiver, portNumber, addressTypes)
        # A failed or timed-out lookup delivers no address: the endpoint reports it.
        found.addErrback(lambda failure: logger.debug("Lookup of %s failed: %s",
                                                      hostName, failure.getErrorMessage()))
        found.addBoth(lambda _: resolutionReceiver.resolutionComplete())
        return resolution

    def _allowed_addresses(self, host: str) -> defer.Deferred[list[str]]:
        if self._cache is not None and host in self._cache:
            return defer.succeed(self._cache[host])
        pool = self.reactor.getThreadPool()
        found: defer.Deferred[list[str]] = deferToThreadPool(self.reactor, pool, self.lookup,
                                                             host)
        found.addTimeout(self.timeout, self.reactor)
        found.addCallback(lambda addresses: self.admit(host, addresses))
        return found

    def admit(self, host: str, addresses: list[str]) -> list[str]:
        """``addresses`` without the refused ones; a refusal is logged and remembered."""
        refused = refused_addresses(host, addresses, self.allowlist)
        allowed = [ip for ip in addresses if ip not in refused]
        name = normalise_host(host)
        if refused:
            reason = (f"{name} is a private address" if refused == [name] else
                      f"{name} resolves to private address {', '.join(refused)}")
            reason += " at connect time"
            self._refusals[name] = reason
            logger.warning("Refused connection: %s (NEWSCRAWLER_ALLOW_PRIVATE_HOSTS "
                           "lists the exceptions)", reason)
        elif allowed:
            self._refusals.pop(name, None)
        if allowed and self._cache is not None:
            self._cache[host] = allowed
        return allowed

    @staticmethod
    def _deliver(addresses: list[str], receiver: IResolutionReceiver, port: int,
                 types: Sequence[type[IAddress]] | None) -> None:
        for ip in addresses:
            address: IPv4Address | IPv6Address = (
                IPv4Address("TCP", ip, port) if ipaddress.ip_address(ip).version == 4
                else IPv6Address("TCP", ip, port))
            if types is None or type(address) in types:
                receiver.addressResolved(address)


def installed_guard() -> GuardedResolver | None:
    """The guard the running reactor resolves names with, or None when another is installed."""
    if not is_reactor_installed():
        return None
    from twisted.internet import reactor

    resolver = getattr(reactor, "nameResolver", None)
    return resolver if isinstance(resolver, GuardedResolver) else None

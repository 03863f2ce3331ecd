"""Connect through the guarded resolver the way Scrapy's HTTP handler does, outside a crawl.

``python -m tests.sites.connect_probe PORT ALLOWLIST HOST...`` installs the asyncio reactor
and ``GuardedResolver`` as a crawl does, opens a ``HostnameEndpoint`` connection to each
``HOST:PORT`` and prints one JSON object: host -> "connected" or the error. The address
forms a URL can carry reach the resolver exactly as they do in a crawl, but without the
middleware's check in front of it.
"""

from __future__ import annotations

import json
import sys

from scrapy.utils.reactor import install_reactor

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from twisted.internet import defer, reactor  # noqa: E402
from twisted.internet.endpoints import HostnameEndpoint  # noqa: E402
from twisted.internet.protocol import Factory, Protocol  # noqa: E402

from newscrawler.netguard import parse_allowlist  # noqa: E402
from newscrawler.resolver import GuardedResolver  # noqa: E402


async def probe(port: int, hosts: list[str]) -> dict[str, str]:
    results = {}
    for host in hosts:
        endpoint = HostnameEndpoint(reactor, host.encode(), port, timeout=5)
        try:
            protocol = await defer.Deferred.fromCoroutine(_connect(endpoint))
        except Exception as exc:  # the error itself is the probe's answer
            results[host] = f"{type(exc).__name__}: {exc}"
        else:
            protocol.transport.loseConnection()
            results[host] = "connected"
    return results


async def _connect(endpoint: HostnameEndpoint) -> Protocol:
    return await endpoint.connect(Factory.forProtocol(Protocol))


def main(port: int, allowlist: str, hosts: list[str]) -> None:
    GuardedResolver(reactor, parse_allowlist(allowlist)).install_on_reactor()
    outcome: dict[str, str] = {}

    def done(results: dict[str, str]) -> None:
        outcome.update(results)
        reactor.stop()

    defer.Deferred.fromCoroutine(probe(port, hosts)).addBoth(done)
    reactor.run()
    print(json.dumps(outcome))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3:])

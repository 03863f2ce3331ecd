"""Private addresses refused when the crawl connects, not only when a request is checked.

The DNS rebinding test runs a real crawl in a subprocess whose system resolver answers
``*.rebind.test`` with a public address the first time and 127.0.0.1 after
(tests/sites/rebinding.py): the check before the fetch sees a public site, the connection
would reach the machine itself. It fails on a crawler that only checks before the fetch.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.crawling import final_stats, run_crawl
from tests.sites.faults import FaultServer
from tests.sites.rebinding import DOMAIN, LOOPBACK_DOMAIN

pytestmark = pytest.mark.e2e

REBINDING = [sys.executable, "-m", "tests.sites.rebinding"]
CONNECT_REFUSED = "newscrawler/refused/private_address_at_connect"


def _crawl_rebinding(fault_server: FaultServer, tmp_path, host: str, allow: str):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"http://{host}:{fault_server.port}/article/plain\n")
    result = run_crawl([f"urls_file={urls}"], f"sqlite:///{tmp_path / 'a.sqlite3'}",
                       tmp_path / "warc", allow_private=allow, launcher=REBINDING,
                       settings={"NEWSCRAWLER_EXTRACT_WORKERS": "0"}, timeout=120)
    reached = [seen for seen in fault_server.seen() if seen.host.split(":")[0] == host]
    return result, reached


def test_dns_rebinding_is_refused_at_connect_time(fault_server, tmp_path):
    host = f"evil.{DOMAIN}"
    result, reached = _crawl_rebinding(fault_server, tmp_path, host, allow="")
    assert reached == [], result.log[-3000:]
    # The check before the fetch saw the public answer and let the request through ...
    assert f"Refused http://{host}" not in result.log
    # ... the connection was refused, in one line naming the host and the address.
    assert (f"Refused connection: {host} resolves to private address 127.0.0.1 at connect "
            "time") in result.log
    assert final_stats(result.log).get(CONNECT_REFUSED, 0) >= 1
    assert "Traceback" not in result.log


def test_allowlisted_name_is_fetched_whatever_it_resolves_to(fault_server, tmp_path):
    host = f"wiki.{LOOPBACK_DOMAIN}"  # always 127.0.0.1
    result, reached = _crawl_rebinding(fault_server, tmp_path, host, allow=host)
    assert [seen.target for seen in reached] == ["/robots.txt", "/article/plain"]
    assert "Refused" not in result.log
    assert "guard is not installed" not in result.log  # the crawl installs it
    assert CONNECT_REFUSED not in final_stats(result.log)


ADDRESS_FORMS = ["127.0.0.1", "2130706433", "0x7f000001", "127.1", "0177.0.0.1",
                 "::ffff:127.0.0.1", "::1", "0.0.0.0", "localhost"]


def _probe(port: int, allow: str, hosts: list[str]) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-m", "tests.sites.connect_probe", str(port), allow,
                          *hosts], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def test_every_form_of_a_private_address_is_refused_at_connect(fault_server):
    """The forms a URL can carry, given straight to the connection, without the check."""
    results = _probe(fault_server.port, "", ADDRESS_FORMS)
    assert all(outcome.startswith("DNSLookupError") for outcome in results.values()), results


def test_allowlist_admits_addresses_and_names_at_connect(fault_server):
    by_address = _probe(fault_server.port, "127.0.0.1", ADDRESS_FORMS)
    assert [h for h, outcome in by_address.items() if outcome == "connected"] == [
        "127.0.0.1", "2130706433", "0x7f000001", "127.1", "0177.0.0.1", "localhost"]
    by_network = _probe(fault_server.port, "127.0.0.0/8", ["127.0.0.1"])
    assert by_network == {"127.0.0.1": "connected"}
    by_name = _probe(fault_server.port, "localhost", ["localhost", "127.0.0.1"])
    assert by_name["localhost"] == "connected"
    assert by_name["127.0.0.1"].startswith("DNSLookupError")


HTTP_REDIRECTS = {  # route -> the refused target's host, as the refusal names it
    "/redirect/mapped-ipv6": "[::ffff:127.0.0.1]", "/redirect/decimal": "2130706433",
    "/redirect/hex": "0x7f000001", "/redirect/loopback": "127.0.0.2",
    "/redirect/private": "10.0.0.1", "/redirect/metadata": "169.254.169.254",
    "/redirect/localhost": "localhost",
}
OTHER_SCHEMES = ["/redirect/file", "/redirect/ftp", "/redirect/data"]


def test_redirects_to_private_addresses_and_other_schemes_are_not_followed(fault_server,
                                                                          tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(fault_server.url(path) + "\n"
                            for path in [*HTTP_REDIRECTS, *OTHER_SCHEMES]))
    before = len(fault_server.seen())
    result = run_crawl([f"urls_file={urls}"], f"sqlite:///{tmp_path / 'a.sqlite3'}",
                       tmp_path / "warc", settings={"NEWSCRAWLER_EXTRACT_WORKERS": "0"},
                       timeout=120)
    seen = fault_server.seen()[before:]
    assert {s.host for s in seen} == {f"127.0.0.1:{fault_server.port}"}, seen
    assert sorted(s.target for s in seen) == sorted(
        ["/robots.txt", *HTTP_REDIRECTS, *OTHER_SCHEMES])
    for host in HTTP_REDIRECTS.values():
        assert f"Refused http://{host}" in result.log, host
    stats = final_stats(result.log)
    # Another host than the page's: refused as off-site before its address is looked at.
    assert stats["newscrawler/refused/offsite"] == len(HTTP_REDIRECTS)
    # Scrapy follows http(s) redirects only: the others end as an unhandled 302.
    assert stats["newscrawler/errors/http_302"] == len(OTHER_SCHEMES)
    assert "Traceback" not in result.log

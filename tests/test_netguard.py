"""Private-address checks: the SSRF guard refuses loopback, private and metadata addresses."""

import pytest

from newscrawler.netguard import host_allowed, is_private_address, parse_allowlist

NO_ALLOWLIST: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "::1", "::ffff:127.0.0.1",
        "169.254.169.254", "fe80::1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "ff02::1",
        "240.0.0.1", "::", "fc00::1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
    ],
)
def test_private_addresses(ip: str) -> None:
    assert is_private_address(ip)
    assert host_allowed(ip, NO_ALLOWLIST) == (False, f"{ip} is a private address")


@pytest.mark.parametrize("ip", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses(ip: str) -> None:
    assert not is_private_address(ip)
    assert host_allowed(ip, NO_ALLOWLIST)[0]


def test_not_an_address_raises() -> None:
    with pytest.raises(ValueError):
        is_private_address("example.com")


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f.0.0.1", "[::1]", "127.0.0.1."])
def test_obfuscated_loopback_literals_are_refused_without_resolving(host: str) -> None:
    ok, reason = host_allowed(host, NO_ALLOWLIST, resolve=False)
    assert not ok and "private" in reason


def test_localhost_refused_unless_allowlisted() -> None:
    assert host_allowed("localhost", NO_ALLOWLIST) == (False, "localhost is the local machine")
    assert not host_allowed("api.localhost", NO_ALLOWLIST)[0]
    assert host_allowed("localhost", parse_allowlist("localhost"))[0]


def test_allowlist_admits_listed_hosts_ips_and_networks() -> None:
    allow = parse_allowlist("127.0.0.1, demo.test  10.1.0.0/16")
    assert host_allowed("127.0.0.1", allow) == (True, "127.0.0.1 is allowlisted")
    assert host_allowed("10.1.2.3", allow)[0]
    assert not host_allowed("10.2.0.1", allow)[0]
    assert not host_allowed("169.254.169.254", allow)[0]
    assert host_allowed("DEMO.test", allow, resolve=False)[0]


def test_resolved_names_are_checked_against_every_address(monkeypatch) -> None:
    import newscrawler.netguard as netguard

    monkeypatch.setattr(netguard, "_resolve", lambda host: ["93.184.216.34", "10.0.0.7"])
    ok, reason = host_allowed("rebind.example", NO_ALLOWLIST)
    assert not ok and "10.0.0.7" in reason
    assert host_allowed("rebind.example", parse_allowlist("10.0.0.7"))[0]
    monkeypatch.setattr(netguard, "_resolve", lambda host: ["93.184.216.34"])
    assert host_allowed("public.example", NO_ALLOWLIST)[0]


def test_resolving_localhost_by_another_name_is_refused(monkeypatch) -> None:
    import newscrawler.netguard as netguard

    # The real resolver, on the one name every machine resolves without a network.
    addresses = netguard._resolve("localhost")
    assert addresses and all(is_private_address(ip) for ip in addresses)
    monkeypatch.setattr(netguard, "_resolve", lambda host: addresses)
    ok, reason = host_allowed("sneaky.example", NO_ALLOWLIST)
    assert not ok and "resolves to private address" in reason


def test_unresolvable_host_is_refused(monkeypatch) -> None:
    import newscrawler.netguard as netguard

    def fail(host: str) -> list[str]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(netguard, "_resolve", fail)
    ok, reason = host_allowed("nowhere.invalid", NO_ALLOWLIST)
    assert not ok and "does not resolve" in reason


def test_parse_allowlist() -> None:
    assert parse_allowlist(None) == frozenset()
    assert parse_allowlist("") == frozenset()
    assert parse_allowlist("A.test, 127.0.0.1\n[::1]") == {"a.test", "127.0.0.1", "::1"}
    assert parse_allowlist(["x.test", "y.test,z.test"]) == {"x.test", "y.test", "z.test"}

"""One-off page fetching for ``newscrawler extract URL``: bounded, and public hosts only.

Loopback and private addresses are refused, redirects included, unless listed in
``NEWSCRAWLER_ALLOW_PRIVATE_HOSTS``: a pasted URL must not reach internal services.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from newscrawler import __version__
from newscrawler.netguard import host_allowed, parse_allowlist
from newscrawler.settings import env_setting

TIMEOUT_S = 30
MAX_BYTES = 16 * 1024 * 1024
USER_AGENT = f"newscrawler/{__version__} (one-off extract)"


class FetchError(Exception):
    """The URL was refused or could not be fetched; the message says why."""


def check_public(url: str) -> None:
    """Refuse non-http(s) URLs and hosts that resolve to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not a http(s) URL: {url!r}")
    allowlist = parse_allowlist(env_setting("NEWSCRAWLER_ALLOW_PRIVATE_HOSTS"))
    allowed, reason = host_allowed(parts.hostname, allowlist)
    if not allowed:
        raise FetchError(
            f"refusing {url}: {reason}; allow it with NEWSCRAWLER_ALLOW_PRIVATE_HOSTS"
        )


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        check_public(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str) -> tuple[str, bytes, dict[str, str]]:
    """(final URL, body, headers) of ``url``; ``FetchError`` on refusal, failure or size."""
    check_public(url)
    opener = urllib.request.build_opener(_GuardedRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=TIMEOUT_S) as response:
            body = response.read(MAX_BYTES + 1)
            final_url, headers = response.geturl(), dict(response.headers.items())
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"{url}: {getattr(exc, 'reason', exc)}") from None
    if len(body) > MAX_BYTES:
        raise FetchError(f"{url}: larger than {MAX_BYTES // (1024 * 1024)} MiB, not extracted")
    return final_url, body, headers

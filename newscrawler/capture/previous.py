"""Earlier captures of a URL, asked by the capture middleware before writing a full copy.

A fetch whose payload digest equals an earlier capture's is written as an
``identical-payload-digest`` revisit, and a 304 as a ``server-not-modified`` revisit of the
URL's latest capture. ``PreviousCaptures`` is what the middleware asks; ``MemoryCaptures``
answers within one run, and ``archive.captures.ArchiveCaptures`` across runs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol

from newscrawler.capture.refs import CaptureRef

__all__ = ["MemoryCaptures", "PreviousCaptures"]


class PreviousCaptures(Protocol):
    """Lookups of earlier ``response`` captures; called from the capture thread.

    Both return a ``response`` record of a 2xx answer with its whole payload (not a
    revisit, a 304 or a truncated body): what a revisit may stand on.
    """

    def find(self, url: str, payload_digest: str) -> CaptureRef | None:
        """An earlier capture of ``url`` whose payload has this digest."""
        ...

    def latest(self, url: str) -> CaptureRef | None:
        """The most recent capture of ``url`` (what a 304 says is still current)."""
        ...


class MemoryCaptures:
    """The responses captured by this process, for the ``max_urls`` URLs seen last.

    Bounded, so a long crawl does not keep a reference per URL forever: within one run a
    URL is fetched again soon (a retry, a re-check) or not at all.
    """

    def __init__(self, max_urls: int = 10_000) -> None:
        self.max_urls = max_urls
        self._lock = threading.Lock()
        self._by_url: OrderedDict[str, dict[str, CaptureRef]] = OrderedDict()

    def add(self, ref: CaptureRef) -> None:
        """Remember a capture if it is whole (a complete 2xx response); else do nothing."""
        if not ref.whole or ref.payload_digest is None:
            return
        with self._lock:
            digests = self._by_url.pop(ref.target_uri, {})
            digests.pop(ref.payload_digest, None)
            digests[ref.payload_digest] = ref  # last inserted is the latest
            self._by_url[ref.target_uri] = digests
            while len(self._by_url) > self.max_urls:
                self._by_url.popitem(last=False)

    def find(self, url: str, payload_digest: str) -> CaptureRef | None:
        with self._lock:
            return self._by_url.get(url, {}).get(payload_digest)

    def latest(self, url: str) -> CaptureRef | None:
        with self._lock:
            digests = self._by_url.get(url)
            return next(reversed(digests.values())) if digests else None

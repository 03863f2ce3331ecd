"""How much link following may schedule: per URL shape, counting what is scheduled.

A URL's shape is its host and ``url_template`` (digit runs become ``N``, query values are
dropped): ``/calendar/2031/07/`` and ``/calendar/2031/08/`` share one. Traps are shapes that
lead on forever (calendars, pagination, session ids, one page linking to 50,000 ``/x/N/``).

Two bounds, counted per shape:
- once ``limit`` answers were not articles (listings, 404s, failures), the shape is closed:
  its backlog is dropped and nothing of that shape is scheduled again in this run;
- requests in flight (scheduled, not yet answered) count against that limit too, and at most
  ``window`` may be in flight; the others wait in a bounded backlog and go out as answers
  come back. So links scheduled together from one page cannot all pass at once, and a shape
  whose pages are all 404s costs at most ``limit`` requests.
A shape whose pages keep turning out to be articles (``/story/12345``) is never closed.
"""

from __future__ import annotations

from collections import Counter, deque
from urllib.parse import urlsplit

from newscrawler.urls import url_template

__all__ = ["ShapeBudget", "shape"]


def shape(url: str) -> str:
    """The URL's shape on its host: budgets are counted per site and shape."""
    return f"{urlsplit(url).hostname}{url_template(url)}"


class ShapeBudget:
    """Decides which followed URLs go out now, later (backlog) or never."""

    def __init__(self, limit: int, window: int | None = None, backlog: int = 1000) -> None:
        self.limit = limit
        self.window = window or limit
        self.backlog_size = backlog
        self.in_flight: Counter[str] = Counter()
        self.not_articles: Counter[str] = Counter()
        self.dropped = 0  # URLs refused: closed shapes and full backlogs
        self._waiting: dict[str, deque[str]] = {}

    def closed(self, key: str) -> bool:
        return self.not_articles[key] >= self.limit

    def _room(self, key: str) -> int:
        in_flight = self.in_flight[key]
        return min(self.window - in_flight, self.limit - self.not_articles[key] - in_flight)

    def offer(self, url: str) -> bool:
        """True: schedule ``url`` now. False: it waits in its shape's backlog, or is dropped."""
        key = shape(url)
        if self.closed(key):
            self.dropped += 1
            return False
        if self._room(key) > 0:
            self.in_flight[key] += 1
            return True
        waiting = self._waiting.setdefault(key, deque())
        if len(waiting) < self.backlog_size:
            waiting.append(url)
        else:
            self.dropped += 1
        return False

    def settle(self, key: str, *, article: bool | None) -> None:
        """An answer for a URL of shape ``key``.

        ``article``: True for an article, False for anything else (a listing, an error);
        None when the request never went out (the scheduler filtered it as a duplicate): it
        frees its slot without counting against the shape.
        """
        self.in_flight[key] = max(0, self.in_flight[key] - 1)
        if article is False:
            self.not_articles[key] += 1
            if self.closed(key) and key in self._waiting:
                self.dropped += len(self._waiting.pop(key))

    def release(self) -> list[str]:
        """Waiting URLs whose shape has room again: schedule them now."""
        released = []
        for key in [k for k in self._waiting if self._room(k) > 0]:
            waiting = self._waiting[key]
            while waiting and self._room(key) > 0:
                released.append(waiting.popleft())
                self.in_flight[key] += 1
            if not waiting:
                del self._waiting[key]
        return released

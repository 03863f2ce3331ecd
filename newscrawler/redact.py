"""Connection secrets kept out of what newscrawler prints, logs and stores.

Database and Redis URLs carry passwords (``postgresql+psycopg://user:SECRET@host/db``,
``redis://user:SECRET@host:6379/0``), and error lines end up in cron mail and log files.
``redact`` masks the password of every ``scheme://user:password@`` URL in a text; it works
on the text rather than on a parsed URL, so a URL too malformed to parse, quoted inside a
driver's error message, is masked too.
"""

from __future__ import annotations

import re

__all__ = ["redact"]

# scheme://user:password@ (greedy to the last @ of the word: a password may hold one, unencoded)
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^\s:/@]*):\S*@", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@`` URL in it masked."""
    return _URL_PASSWORD.sub(r"\1:***@", text)

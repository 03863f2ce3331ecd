"""Finding article URLs: robots.txt sitemap lines, sitemaps, feeds and in-page links.

Pure parsers over bytes; the spider fetches the documents and decides what to follow.
"""

from newscrawler.discovery.feeds import FeedEntry, FeedError, looks_like_feed, parse_feed
from newscrawler.discovery.links import feed_links, page_links
from newscrawler.discovery.robots import sitemaps_from_robots
from newscrawler.discovery.sitemaps import Sitemap, SitemapEntry, SitemapError, parse_sitemap

__all__ = [
    "FeedEntry",
    "FeedError",
    "Sitemap",
    "SitemapEntry",
    "SitemapError",
    "feed_links",
    "looks_like_feed",
    "page_links",
    "parse_feed",
    "parse_sitemap",
    "sitemaps_from_robots",
]

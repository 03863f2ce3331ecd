"""Safe XML parsing and date helpers shared by the sitemap and feed parsers.

Sitemaps and feeds come from arbitrary servers: entities are never resolved, no DTD or
network access happens, and libxml2's size limits stay on (``huge_tree=False``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_xml(body: bytes, base_url: str = "") -> etree._Element:
    """The root element of ``body``; raises ``etree.XMLSyntaxError`` on malformed input."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    root = etree.fromstring(body, parser, base_url=base_url or None)
    if root is None:
        raise etree.XMLSyntaxError("empty document", None, 0, 0)
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace, lower-cased; "" for entity references and the like."""
    if not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname.lower()


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct children whose local name is ``name`` (namespace-agnostic)."""
    return [child for child in element if local_name(child) == name]


def child_text(element: etree._Element, name: str) -> str | None:
    """Stripped text of the first child named ``name`` that has text, else None.

    Only the element's own text nodes count, so an unresolved entity contributes nothing.
    """
    for child in children(element, name):
        text = "".join(child.xpath("text()")).strip()
        if text:
            return text
    return None


def _parse_datetime(value: str) -> datetime | None:
    """ISO 8601 first (sitemaps, Atom), then RFC 822 (RSS); None when neither parses."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """A date or datetime as an aware datetime (UTC when no offset is given)."""
    parsed = _parse_datetime(value.strip()) if value else None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso_date_string(value: str | None) -> str | None:
    """``value`` (ISO 8601 or RFC 822) as an ISO 8601 string, time and offset kept as found.

    A date alone stays a date, and no zone is invented for a local time. None when
    unparseable.
    """
    if not value:
        return None
    value = value.strip()
    if _DATE_ONLY.fullmatch(value):
        return date.fromisoformat(value).isoformat()
    parsed = _parse_datetime(value)
    return parsed.isoformat() if parsed else None

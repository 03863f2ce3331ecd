"""Parsing HTML into lxml.html trees: one parser for extraction and link discovery alike.

lxml only (no trafilatura), so the modules that find links can use it too.
"""

from __future__ import annotations

import logging
import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

LOGGER = logging.getLogger(__name__)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Characters lxml keeps in an HTML tree but refuses to set as an element's text, which
# trafilatura does with copies of it: a stray control character would fail the whole page.
# Vertical tab and form feed read as spaces; the rest (NUL, other C0 controls, U+FFFE/FFFF,
# lone surrogates) mean nothing in text and go.
_XML_SPACES = re.compile("[\x0b\x0c]")
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _html_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser, with the same element classes chosen in C rather than in Python.

    lxml.html's ``HtmlElementClassLookup`` is a Python callback that lxml calls for every
    element proxy it creates (over a million a hundred pages: trafilatura walks and copies
    the tree several times). A namespace lookup with a default fallback is lxml's own C code
    and gives each node the same class: the form classes by tag, else ``HtmlElement``, and
    lxml.html's comment, processing instruction and entity classes. Copies of a tree keep
    its parser, so they are read through this lookup too.
    """
    try:
        by_tag = lxml.html.HtmlElementClassLookup()._element_classes
    except AttributeError:  # another lxml: keep its own lookup
        return lxml.html.html_parser
    lookup = lxml.etree.ElementNamespaceClassLookup(lxml.etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    classes = lookup.get_namespace(None)
    classes.update(by_tag)
    classes[None] = HtmlElement
    parser = lxml.html.HTMLParser()
    parser.set_element_class_lookup(lookup)
    return parser


_PARSER = _html_parser()


def parse_html(html: str | bytes) -> HtmlElement | None:
    """Parse HTML (decoded text, or bytes lxml decodes) into a document tree; None when there
    is nothing to parse."""
    if isinstance(html, str):
        # lxml refuses str input that carries an XML encoding declaration.
        html = _XML_DECLARATION.sub("", html)
        html = _XML_INCOMPATIBLE.sub("", _XML_SPACES.sub(" ", html))
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as err:
        LOGGER.debug("HTML parsing failed: %s", err)
        return None

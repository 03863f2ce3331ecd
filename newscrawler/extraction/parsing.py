"""Parsing HTML into lxml.html trees: one parser for extraction and link discovery alike.

lxml only (no trafilatura), so the modules that find links can use it too.

The tree holds what the page's readers use, and nothing that every one of them throws away
first: comments and processing instructions are not kept (as trafilatura's own parser does
not keep them: a comment inside a paragraph could cut the paragraph's text short), and
``<style>`` and ``<svg>`` elements are dropped, their tails kept (trafilatura and htmldate
remove both before reading; link discovery and the metadata readers never look inside).
Every copy and walk of the tree that follows costs that much less.

The parser gives each node lxml.html's own class (``HtmlElement``, the form classes by tag),
but chooses it in lxml's C code: lxml.html's ``HtmlElementClassLookup`` is a Python
callback, called for every element proxy lxml creates, over a million per hundred pages
(trafilatura walks and copies each tree several times). Only lxml's public names are used,
and a test holds the classes equal to lxml.html's.
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
# Looked for one by one first (a substring search each, ~6 microseconds on a 160 KiB page)
# before the regular expressions (~1.2 ms on such a page), which almost no page needs.
_SUSPECTS = (*map(chr, [*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20)]), "\ufffe", "\uffff")


# Elements no reader of the tree looks inside (see the module's docstring).
_UNREAD = ("style", "svg")
# lxml.html's element classes by tag (its ``HtmlElementClassLookup`` defaults).
_CLASSES_BY_TAG = {"form": lxml.html.FormElement, "input": lxml.html.InputElement,
                   "select": lxml.html.SelectElement, "textarea": lxml.html.TextareaElement,
                   "label": lxml.html.LabelElement}


def _html_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser, with its element classes chosen by a C namespace lookup."""
    lookup = lxml.etree.ElementNamespaceClassLookup(lxml.etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    classes = lookup.get_namespace(None)
    classes.update(_CLASSES_BY_TAG)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(lookup)
    return parser


_PARSER = _html_parser()


def parse_html(html: str | bytes) -> HtmlElement | None:
    """Parse HTML (decoded text, or bytes lxml decodes) into a document tree; None when there
    is nothing to parse."""
    if isinstance(html, str):
        # lxml refuses str input that carries an XML encoding declaration.
        html = _XML_DECLARATION.sub("", html)
        if _has_xml_incompatible(html):
            html = _XML_INCOMPATIBLE.sub("", _XML_SPACES.sub(" ", html))
    if not html.strip():
        return None
    try:
        tree = lxml.html.document_fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as err:
        LOGGER.debug("HTML parsing failed: %s", err)
        return None
    lxml.etree.strip_elements(tree, *_UNREAD, with_tail=False)
    return tree


def _has_xml_incompatible(text: str) -> bool:
    """Whether ``text`` holds a character lxml refuses in element text (``_XML_INCOMPATIBLE``
    or ``_XML_SPACES``); lone surrogates are the ones UTF-8 cannot encode."""
    if any(char in text for char in _SUSPECTS):
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False

"""Links in HTML pages: advertised feeds and followable page links."""

import lxml.html

from newscrawler.discovery.links import feed_links, page_links

PAGE = """<!DOCTYPE html>
<html><head>
  <link rel="alternate" type="application/rss+xml" href="/feed.xml" title="RSS">
  <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://ex.com/atom">
  <link rel="alternate" hreflang="fr" href="/fr/">
  <link rel="stylesheet" type="text/css" href="/style.css">
  <link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head><body>
  <a href="/news/one">One</a>
  <a href="news/two#comments">Two</a>
  <a href=" /news/one#top ">One again</a>
  <a href="https://other.org/story" rel="nofollow">Elsewhere</a>
  <a href="//cdn.ex.com/news/three">Protocol-relative</a>
  <a href="javascript:void(0)">JS</a>
  <a href="mailto:desk@ex.com">Mail</a>
  <a href="tel:+331234">Call</a>
  <a href="#top">Top</a>
  <a href="/files/report.PDF">Report</a>
  <a href="/img/photo.jpg?w=300">Photo</a>
  <a href="/podcast/ep1.mp3">Podcast</a>
  <a href="ftp://ex.com/x">FTP</a>
  <a>No href</a>
  <a href="http://[::1">Broken</a>
</body></html>"""


def test_feed_links() -> None:
    assert feed_links(PAGE, "https://ex.com/section/") == [
        "https://ex.com/feed.xml",
        "https://ex.com/atom",
    ]


def test_page_links() -> None:
    assert page_links(PAGE, "https://ex.com/section/") == [
        "https://ex.com/news/one",
        "https://ex.com/section/news/two",
        "https://other.org/story",
        "https://cdn.ex.com/news/three",
    ]


def test_accepts_bytes_and_parsed_trees_and_honours_base_href() -> None:
    html = b'<html><head><base href="https://ex.com/base/"></head><body><a href="x">x</a>'
    html += b'<link rel="alternate" type="application/rss+xml" href="rss"></body></html>'
    assert page_links(html, "https://ex.com/page") == ["https://ex.com/base/x"]
    tree = lxml.html.document_fromstring(html)
    assert page_links(tree, "https://ex.com/page") == ["https://ex.com/base/x"]
    assert feed_links(tree, "https://ex.com/page") == ["https://ex.com/base/rss"]


def test_xml_declared_string_and_empty_documents() -> None:
    declared = '<?xml version="1.0" encoding="utf-8"?><html><body><a href="/a">a</a></body></html>'
    assert page_links(declared, "https://ex.com/") == ["https://ex.com/a"]
    assert page_links("", "https://ex.com/") == []
    assert feed_links(b"   ", "https://ex.com/") == []


def test_one_parsed_tree_serves_classification_and_both_link_lists():
    from newscrawler.extraction import classify_page
    from newscrawler.extraction.parsing import parse_html as parse_document

    html = ('<?xml version="1.0" encoding="utf-8"?><html><head>'
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            '<meta charset="windows-1252"></head><body class="category">'
            '<a href="/2024/été/a.html">Été</a><a href="/b.pdf">PDF</a></body></html>')
    tree = parse_document(html)
    assert tree is not None
    assert classify_page(tree, "https://ex.org/c/") == "listing"  # body class "category"
    assert feed_links(tree, "https://ex.org/c/") == ["https://ex.org/feed.xml"]
    # decoded text is parsed as such: the page's meta charset does not re-decode it
    assert page_links(tree, "https://ex.org/c/") == ["https://ex.org/2024/été/a.html"]
    assert parse_document("  ") is None


def test_an_unusable_base_href_is_ignored() -> None:
    # Found by the property tests: <base href="http://["> made page_links raise ValueError.
    html = b'<html><head><base href="http://["></head><body><a href="/x">x</a></body></html>'
    assert page_links(html, "https://ex.com/page") == ["https://ex.com/x"]


def test_the_parser_gives_lxml_html_classes_and_keeps_what_readers_use() -> None:
    import lxml.html

    from newscrawler.extraction.parsing import parse_html as parse_document

    html = ("<!DOCTYPE html><html><head><title>T</title><style>p { color: red }</style>"
            "<?php x ?></head><body><!-- note --><form action='/s'><label for='q'>Q</label>"
            "<input name='q' value='v'><select name='s'><option value='1' selected>One</option>"
            "</select><textarea name='t'>text</textarea></form><P>Para &amp; <b>bold</b>"
            "<svg><path d='M0 0'/><text>icon</text></svg> after</P></body></html>")
    ours, theirs = parse_document(html), lxml.html.document_fromstring(html)
    assert ours is not None
    # lxml.html's own classes, tag for tag, where both trees hold the element
    theirs_by_tag = {e.tag: type(e) for e in theirs.iter() if isinstance(e.tag, str)}
    assert {e.tag: type(e) for e in ours.iter()} == {
        tag: cls for tag, cls in theirs_by_tag.items() if tag not in ("style", "svg", "path",
                                                                        "text")}
    assert {type(e).__name__ for e in ours.iter()} >= {
        "HtmlElement", "FormElement", "InputElement", "SelectElement", "TextareaElement",
        "LabelElement"}
    assert ours.forms[0].fields["q"] == "v" and ours.forms[0].fields["s"] == "1"
    # no comments, processing instructions, style sheets or drawings; the text after them stays
    assert ours.find(".//p").text_content() == "Para & bold after"
    assert b"<!--" not in lxml.html.tostring(ours) and b"<?php" not in lxml.html.tostring(ours)
    # copies keep the parser, and so the classes
    from copy import deepcopy
    assert [type(e) for e in deepcopy(ours).iter()] == [type(e) for e in ours.iter()]

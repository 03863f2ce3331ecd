"""The evaluation pages (aeb and snippets-fr) and unique copies of them for load tests."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = ROOT.parent / "shared" / "eval"


def eval_dir_error(eval_dir: Path) -> str | None:
    """The one-line error for a folder that is not the shared evaluation pages, else None."""
    if (eval_dir / "score.py").is_file():
        return None
    return f"Error: no score.py in {eval_dir}; pass --eval-dir DIR"

_TITLE = re.compile(rb"<title[^>]*>", re.IGNORECASE)
_OG_TITLE = re.compile(rb"""<meta[^>]+property=["']og:title["'][^>]*content=["']""", re.IGNORECASE)
_H1 = re.compile(rb"<h1(?:\s[^>]*)?>", re.IGNORECASE)
_HEADLINE = re.compile(rb"""["']headline["']\s*:\s*["']""")
_P = re.compile(rb"<p(?:\s[^>]*)?>", re.IGNORECASE)
# Enough paragraphs that at least one lands in the extracted body on every page.
MARKED_PARAGRAPHS = 6


@dataclass(frozen=True)
class Page:
    """One evaluation page: ``key`` is what score.py matches on (aeb id or snippets url)."""

    dataset: str  # "aeb" | "fr"
    key: str
    path: str  # where the bench server serves it
    body: bytes


def load_pages(eval_dir: Path) -> list[Page]:
    """The 181 aeb pages (decompressed) then the 26 snippets-fr pages, in a stable order."""
    pages = []
    gold = json.loads((eval_dir / "aeb" / "ground-truth.json").read_text("utf-8"))
    for page_id in sorted(gold):
        raw = (eval_dir / "aeb" / "html" / f"{page_id}.html.gz").read_bytes()
        pages.append(Page("aeb", page_id, f"/aeb/{page_id}.html", gzip.decompress(raw)))
    snippets = json.loads((eval_dir / "snippets-fr" / "snippets.json").read_text("utf-8"))
    for url in sorted(snippets):
        name = snippets[url]["file"]
        body = (eval_dir / "snippets-fr" / "html" / name).read_bytes()
        pages.append(Page("fr", url, f"/fr/{name}", body))
    return pages


def copy_path(number: int) -> str:
    return f"/copy/{number}.html"


def copy_number(path: str) -> int | None:
    """The copy number in a ``/copy/<n>.html`` path, None for any other path."""
    match = re.fullmatch(r"/copy/(\d+)\.html", path)
    return int(match.group(1)) if match else None


def unique_copy(pages: list[Page], number: int) -> bytes:
    """Copy ``number`` of page ``number % len(pages)``, with a title and text all its own.

    The copy number goes into the title, og:title, h1s, JSON-LD headline and the first
    paragraphs, so
    every copy has a distinct content hash and none is dropped as a duplicate.
    """
    body = pages[number % len(pages)].body
    tag = f"Copy {number}: ".encode()
    sentence = f"This is benchmark copy number {number}. ".encode()
    for pattern in (_TITLE, _OG_TITLE, _HEADLINE):
        body = pattern.sub(lambda m: m.group(0) + tag, body, count=1)
    body = _H1.sub(lambda m: m.group(0) + tag, body)  # every h1: some are in comments
    return _P.sub(lambda m: m.group(0) + sentence, body, count=MARKED_PARAGRAPHS)

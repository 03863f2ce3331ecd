"""Part 1, quality end to end: crawl the evaluation pages, export, score with score.py.

The crawler is scored on what ``newscrawler export`` returns after a real crawl of the pages
served locally; the baseline is plain ``trafilatura.extract(body, url=url)`` over the same
bodies. Both go through the same ``score.py``.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import trafilatura

from .corpus import Page, load_pages
from .crawl import crawl_urls, export_rows
from .serve import base_url, serving

DATASETS = {"aeb": "aeb", "fr": "snippets-fr"}


def load_scorer(eval_dir: Path) -> ModuleType:
    """The shared ``score.py``, imported from the eval folder (it reads its gold from there)."""
    spec = importlib.util.spec_from_file_location("bench_eval_score", eval_dir / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(scorer: ModuleType, pages: list[Page], texts: dict[str, str]) -> dict[str, dict]:  # type: ignore[type-arg]
    """Scores per dataset for ``texts`` keyed by page path."""
    by_set: dict[str, dict[str, str]] = {"aeb": {}, "fr": {}}
    for page in pages:
        by_set[page.dataset][page.key] = texts.get(page.path, "")
    return {DATASETS["aeb"]: scorer.aeb_scores(by_set["aeb"]),
            DATASETS["fr"]: scorer.snippet_scores(by_set["fr"])}


def crawler_texts(rows: list[dict], root: str) -> dict[str, str]:  # type: ignore[type-arg]
    """Exported text keyed by served path, matched on the record's ``url`` (or canonical)."""
    texts = {}
    for row in rows:
        for url in (row.get("url") or "", row.get("canonical_url") or ""):
            if url.startswith(root):
                texts.setdefault(url[len(root):], row.get("text") or "")
    return texts


def run(eval_dir: Path, workdir: Path) -> dict[str, Any]:
    pages = load_pages(eval_dir)
    by_path = {page.path: page.body for page in pages}
    scorer = load_scorer(eval_dir)
    with serving(by_path.get) as server:
        root = base_url(server)
        crawl = crawl_urls([root + p.path for p in pages], workdir / "quality", timeout=900)
    rows = export_rows(crawl.db_url)
    ours = crawler_texts(rows, root)
    started = time.perf_counter()
    plain = {p.path: trafilatura.extract(p.body, url=root + p.path) or "" for p in pages}
    plain_seconds = time.perf_counter() - started
    return {
        "pages": len(pages),
        "settings": "AUTOTHROTTLE_ENABLED=False, CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "rows": [
            {"system": "newscrawler (crawl + export)", "seconds": round(crawl.measured.seconds, 1),
             "stored": len(rows), "dropped": crawl.dropped, **score(scorer, pages, ours)},
            {"system": "trafilatura.extract default", "seconds": round(plain_seconds, 1),
             "stored": sum(1 for t in plain.values() if t), **score(scorer, pages, plain)},
        ],
    }

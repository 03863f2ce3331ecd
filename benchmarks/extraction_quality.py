"""Body-text quality of ``extract`` against plain trafilatura, on the two offline gold sets.

Runs ``extract(body, url, force_article=True)``, ``trafilatura.extract(body, url=url)`` and
the same with ``with_metadata=True`` (the call the crawler's throughput is measured against)
over the benchmark pages of an eval folder (``aeb/`` and ``snippets-fr/``) and scores them
with that folder's ``score.py``: word 4-gram F1/precision/recall on aeb, must / must-not
snippet F1 on snippets-fr, and warm milliseconds per page (after one untimed pass) of this
process's CPU time, which other work on the machine does not inflate as it does wall time.
Offline; the product never reads it.

    .venv/bin/python -m benchmarks.extraction_quality [EVAL_DIR]
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import trafilatura

from newscrawler.extraction import Article, extract

from .corpus import DEFAULT_EVAL_DIR

Extractor = Callable[[bytes, str], str]


def ours(body: bytes, url: str) -> str:
    """The project's extraction, forced so that every page yields a text."""
    result = extract(body, url, force_article=True)
    return result.text if isinstance(result, Article) else ""


def plain_trafilatura(body: bytes, url: str) -> str:
    """The baseline: trafilatura with its default settings."""
    return trafilatura.extract(body, url=url) or ""


def trafilatura_with_metadata(body: bytes, url: str) -> str:
    """The throughput baseline: trafilatura's default settings plus its metadata."""
    result = trafilatura.extract(body, url=url, with_metadata=True) or ""
    # The text follows a YAML-like metadata header, which is not body text.
    return result.split("\n---\n", 1)[-1] if result.startswith("---\n") else result


EXTRACTORS: dict[str, Extractor] = {
    "ours": ours,
    "trafilatura": plain_trafilatura,
    "traf+meta": trafilatura_with_metadata,
}


def aeb_pages(eval_dir: Path) -> Iterator[tuple[str, str, bytes]]:
    """(id, url, html bytes) of each aeb page."""
    folder = eval_dir / "aeb"
    gold = json.loads((folder / "ground-truth.json").read_text("utf8"))
    for key, item in gold.items():
        yield key, item["url"], gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())


def snippet_pages(eval_dir: Path) -> Iterator[tuple[str, str, bytes]]:
    """(url, url, html bytes) of each snippets-fr page: the scorer keys them by URL."""
    folder = eval_dir / "snippets-fr"
    gold = json.loads((folder / "snippets.json").read_text("utf8"))
    for url, item in gold.items():
        yield url, url, (folder / "html" / item["file"]).read_bytes()


def _load_scorer(eval_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_score", eval_dir / "score.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(eval_dir / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _predict(
    extractor: Extractor, pages: list[tuple[str, str, bytes]]
) -> tuple[dict[str, str], float]:
    """Texts keyed as the scorer wants them, and the mean milliseconds per page."""
    # An untimed first pass: dateparser compiles each language's patterns on first use,
    # a once-per-process cost of seconds that would swamp a small set's per-page figure.
    for _key, url, body in pages:
        extractor(body, url)
    texts: dict[str, str] = {}
    started = time.process_time()
    for key, url, body in pages:
        texts[key] = extractor(body, url)
    elapsed = time.process_time() - started
    return texts, 1000 * elapsed / max(1, len(pages))


def run(eval_dir: Path = DEFAULT_EVAL_DIR) -> dict[str, dict[str, dict[str, float]]]:
    """Scores per gold set and extractor: ``{"aeb": {"ours": {"f1": ...}}, "snippets": ...}``."""
    scorer = _load_scorer(eval_dir)
    sets = {
        "aeb": (list(aeb_pages(eval_dir)), scorer.aeb_scores),
        "snippets": (list(snippet_pages(eval_dir)), scorer.snippet_scores),
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, (pages, score) in sets.items():
        results[set_name] = {}
        for name, extractor in EXTRACTORS.items():
            texts, ms_per_page = _predict(extractor, pages)
            results[set_name][name] = {**score(texts), "ms_per_page": ms_per_page}
    return results


def _table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [f"{'set':<10}{'extractor':<13}{'F1':>7}{'P':>7}{'R':>7}{'empty':>7}{'ms/page':>9}"]
    for set_name, by_extractor in results.items():
        for name, row in by_extractor.items():
            lines.append(
                f"{set_name:<10}{name:<13}{row['f1']:>7.3f}{row['precision']:>7.3f}"
                f"{row['recall']:>7.3f}{row['missing']:>7}{row['ms_per_page']:>9.1f}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(_table(run(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_EVAL_DIR)))

"""CDXJ indexes of WARC files, written by ``cdxj-indexer`` (the indexer pywb and py-wacz use).

One line per response, revisit and resource record, sorted by SURT key then timestamp:
``org,example)/page 20240305133000 {"url": ..., "digest": ..., "offset": ..., ...}``.
The compressed form (``index.cdx.gz`` plus its ``index.idx`` of blocks) is the one WACZ
packages and ReplayWeb.page read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

from cdxj_indexer import CDXJIndexer

__all__ = ["BLOCK_LINES", "write_cdxj", "write_compressed_cdxj"]

#: Lines per gzip block of a compressed index (ReplayWeb.page's default).
BLOCK_LINES = 1024
# The referrer lets replay tools tell pages from the resources they load; POST bodies
# are folded into the lookup key as pywb expects (none today: the crawler only GETs).
_OPTIONS = {"sort": True, "post_append": True, "fields": "referrer"}


def write_cdxj(warc_files: Iterable[str | Path], output: IO[str]) -> None:
    """A sorted CDXJ index of ``warc_files`` (``filename`` is each file's base name)."""
    CDXJIndexer(output, [str(p) for p in warc_files], **_OPTIONS).process_all()


def write_compressed_cdxj(warc_files: Iterable[str | Path], data: IO[bytes], idx: IO[str],
                          data_name: str = "index.cdx.gz") -> None:
    """The ZipNum form: gzip blocks of sorted CDXJ lines in ``data``, one line per block
    (its first key, offset and length) in ``idx``."""
    CDXJIndexer(idx, [str(p) for p in warc_files], compress=data, data_out_name=data_name,
                lines=BLOCK_LINES, digest_records=True, **_OPTIONS).process_all()

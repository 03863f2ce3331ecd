"""Byte sizes as settings take them: ``1073741824``, ``"1GB"``, ``"500MB"``, ``"1.5GiB"``."""

from __future__ import annotations

import re

__all__ = ["parse_size"]

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_size(value: str | int | float, name: str = "NEWSCRAWLER_WARC_MAX_SIZE") -> int:
    """Bytes: KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, unit = float(value), ""
    else:
        match = _SIZE.match(str(value))
        if match is None or match.group(2).lower() not in _UNITS:
            raise ValueError(f"{name}={value!r}: give a size such as 1GB, 500MB or 1073741824")
        number, unit = float(match.group(1)), match.group(2).lower()
    size = int(number * _UNITS[unit])
    if size <= 0:
        raise ValueError(f"{name}={value!r}: the size must be above 0")
    return size

"""docs/reliability.md names real tests: every ``tests/...::test_name`` in it exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "reliability.md").read_text("utf-8")
# `tests/x.py::test_a`, then `::test_b` in the same cell for another test of that file.
_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::(test_\w+))?`")


def _references() -> list[tuple[str, str | None]]:
    found, module = [], None
    for cell in DOC.split("|"):
        for path, name in _REFERENCE.findall(cell):
            module = path or module
            if module and (path or name):
                found.append((module, name or None))
    return found


def test_every_test_the_reliability_table_names_exists():
    references = _references()
    assert len(references) > 20
    for module, name in references:
        source = (ROOT / module).read_text("utf-8")
        assert name is None or f"def {name}(" in source, f"{module}::{name}"

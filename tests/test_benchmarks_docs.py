"""The performance page quotes the committed benchmark run, table for table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def docs_sync() -> Any:
    if not (ROOT / "benchmarks" / "docs_sync.py").is_file():
        pytest.skip("benchmarks/ is not part of this checkout (an installed package)")
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import docs_sync
    finally:
        sys.path.remove(str(ROOT))
    return docs_sync


def test_performance_page_quotes_the_latest_run(docs_sync: Any) -> None:
    page = docs_sync.PAGE.read_text()
    results = docs_sync.RESULTS.read_text()
    assert docs_sync.sync(results, page) == page, "run: python -m benchmarks.docs_sync"
    for name in docs_sync.SECTIONS:
        assert f"<!-- results: {name} -->" in page


def test_sync_replaces_only_the_marked_table(docs_sync: Any) -> None:
    results = "## Goals\n\n| a |\n|---|\n| new |\n\n## Import cost\n\n| b |\n|---|\n| 2 |\n"
    page = "intro\n\n<!-- results: goals -->\n\n| a |\n|---|\n| old |\n\nafter\n"
    synced = docs_sync.sync(results, page)
    assert "| new |" in synced
    assert "| old |" not in synced
    assert synced.startswith("intro\n")
    assert synced.endswith("\nafter\n")
    with pytest.raises(ValueError, match="blank line and a table"):
        docs_sync.sync(results, "<!-- results: goals -->\nno table\n")

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


@pytest.fixture(scope="module")
def runner() -> Any:
    if not (ROOT / "benchmarks" / "__main__.py").is_file():
        pytest.skip("benchmarks/ is not part of this checkout (an installed package)")
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import __main__ as runner
    finally:
        sys.path.remove(str(ROOT))
    return runner


def test_a_partial_run_replaces_only_its_sections(runner: Any) -> None:
    previous = (
        "# xpbridge benchmarks\n\n- Date: then\n\n## Goals\n\n| goal | this run | met |\n"
        "|---|---|---|\n| dispatch | 16/22 | no |\n| pipelines | old | no |\n\n"
        "## Dispatch overhead\n\n| op |\n|---|\n| add |\n\n## Pipelines\n\n| what |\n|---|\n"
        "| old row |\n\n_Run took 7.6 min._\n"
    )
    partial = (
        "# xpbridge benchmarks\n\n- Date: now\n\n## Goals\n\n| goal | this run | met |\n"
        "|---|---|---|\n| pipelines | new | yes |\n\n## Pipelines\n\n| what |\n|---|\n"
        "| new row |\n\n_Run took 0.1 min._\n"
    )
    merged = runner.merge(previous, partial, "today, `python -m benchmarks --only pipelines`")
    assert "| dispatch | 16/22 | no |" in merged  # kept
    assert "| add |" in merged
    assert "| pipelines | new | yes |" in merged
    assert "old" not in merged
    assert "| new row |" in merged
    assert "- Date: then" in merged  # the header of the full run, plus a line
    assert "- Measured again on today, `python -m benchmarks --only pipelines`: Pipelines" in merged
    assert "0.1 min" not in merged
    assert "\n\n\n" not in merged
    again = runner.merge(merged, partial, "later")
    assert again.count("Measured again") == 1
    assert again.count("| new row |") == 1

"""Copy the tables of the latest run into ``docs/performance.md``.

``python -m benchmarks.docs_sync`` replaces the table after each ``<!-- results: NAME -->``
marker of the page with the matching table of ``benchmarks/results/latest.md`` (the first
table under its heading), so the page quotes the committed run and nothing else.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "latest.md"
PAGE = ROOT / "docs" / "performance.md"

#: Marker name -> heading of latest.md whose first table it shows.
SECTIONS = {
    "goals": "## Goals",
    "dispatch": "## Dispatch overhead",
    "forms": "## Everyday forms",
    "conversions": "## Conversions",
    "import": "## Import cost",
    "compile": "## torch.compile",
    "pipelines": "## Pipelines",
}


def first_table(text: str, heading: str) -> list[str]:
    """The lines of the first Markdown table after `heading`."""
    lines = text.splitlines()
    start = lines.index(heading)
    table: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            table.append(line)
        elif table or line.startswith("## "):
            break
    if not table:
        msg = f"no table under {heading!r} in {RESULTS}"
        raise ValueError(msg)
    return table


def sync(results: str, page: str) -> str:
    """`page` with every marked table replaced by the one from `results`."""
    for name, heading in SECTIONS.items():
        marker = f"<!-- results: {name} -->"
        if marker not in page:
            continue
        table = "\n".join(first_table(results, heading))
        pattern = re.compile(re.escape(marker) + r"\n\n(?:\|[^\n]*\n)+")
        replacement = f"{marker}\n\n{table}\n"
        page, count = pattern.subn(lambda _m, r=replacement: r, page)
        if count != 1:
            msg = f"{PAGE}: the marker {marker!r} must be followed by a blank line and a table"
            raise ValueError(msg)
    return page


def main() -> int:
    PAGE.write_text(sync(RESULTS.read_text(), PAGE.read_text()))
    print(f"updated {PAGE.relative_to(ROOT)} from {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Doctests of the documentation pages (``docs/*.md``, run by ``--doctest-glob=*.md``).

Pages are written for NumPy; examples that need more say so, in one of two ways:

* a page whose examples all need a library names it in an HTML comment among its first
  lines, ``<!-- requires: torch -->`` (or ``<!-- requires: torch, dask -->``): the page is
  skipped, with that reason, where the library is not installed;
* a single example carries a doctest flag, ``>>> t = torch.ones(2)  # doctest: +REQUIRES_TORCH``
  (``REQUIRES_<LIBRARY>`` for every backend and data-frame library, and ``REQUIRES_CUDA``):
  it is skipped where the
  library (or a CUDA device) is missing, and the skips are counted in the test summary.
  Sphinx hides the flags in the rendered pages (``trim_doctest_flags``).

A library listed in ``XPBRIDGE_REQUIRED_BACKENDS`` (as in CI) is never skipped: a missing one
fails the page instead.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

import pytest
from _pytest.doctest import DoctestItem

from xpbridge._backends import BACKENDS
from xpbridge._frames import FRAMES
from xpbridge.testing import required_backends

if TYPE_CHECKING:
    from pathlib import Path

# conf.py is Sphinx's, not a test module; _build holds the rendered site.
collect_ignore = ["conf.py", "_build"]

_MARKER = re.compile(r"<!--\s*requires:\s*([\w\s,.-]+?)\s*-->")
_HEADER_LINES = 10

# doctest flag -> what it needs ("cuda" or a backend's import name). Registered at import,
# before pytest parses the pages.
_FLAGS = {
    doctest.register_optionflag(f"REQUIRES_{spec.name.upper()}"): spec.import_name
    for spec in BACKENDS
}
_FLAGS[doctest.register_optionflag("REQUIRES_CUDA")] = "cuda"
# The data-frame libraries xpbridge reads (docs/pipelines.md): REQUIRES_PANDAS...
_FLAGS.update(
    {
        doctest.register_optionflag(f"REQUIRES_{spec.library.upper()}"): spec.module
        for spec in FRAMES
    }
)
_skipped: Counter[tuple[str, str]] = Counter()


@cache
def page_requirements(path: Path) -> tuple[str, ...]:
    """The libraries a page's ``<!-- requires: ... -->`` marker names (empty: none)."""
    with path.open(encoding="utf-8") as page:
        head = "".join(line for _, line in zip(range(_HEADER_LINES), page, strict=False))
    found: list[str] = []
    for match in _MARKER.finditer(head):
        found += [name.strip() for name in match.group(1).split(",") if name.strip()]
    return tuple(found)


@cache
def missing(requirement: str) -> str | None:
    """Why `requirement` (a library's import name, or ``"cuda"``) is unavailable, or None."""
    if requirement == "cuda":
        if importlib.util.find_spec("torch") is None:
            return "torch is not installed"
        import torch

        return None if torch.cuda.is_available() else "no CUDA device here"
    if importlib.util.find_spec(requirement) is None:
        return f"{requirement} is not installed"
    return None


def _may_skip(requirement: str) -> bool:
    return requirement not in required_backends()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not isinstance(item, DoctestItem) or item.path.suffix != ".md" or item.dtest is None:
            continue
        if any(missing(requirement) for requirement in page_requirements(item.path)):
            continue  # the whole page is skipped (or fails) in pytest_runtest_setup
        for example in item.dtest.examples:
            for flag, requirement in _FLAGS.items():
                if example.options.get(flag) and missing(requirement) and _may_skip(requirement):
                    example.options[doctest.SKIP] = True
                    _skipped[item.path.name, requirement] += 1


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.path.suffix != ".md":
        return
    for requirement in page_requirements(item.path):
        reason = missing(requirement)
        if reason is None:
            continue
        if not _may_skip(requirement):
            msg = f"{item.path.name}: {reason}, and XPBRIDGE_REQUIRED_BACKENDS lists it"
            pytest.fail(msg, pytrace=False)
        pytest.skip(f"{item.path.name} needs {requirement}: {reason}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _skipped:
        return
    terminalreporter.section("doc examples skipped")
    for (page, requirement), count in sorted(_skipped.items()):
        reason = missing(requirement)
        terminalreporter.write_line(f"{page}: {count} example(s) need {requirement}: {reason}")

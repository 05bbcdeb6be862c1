"""Doctest collection for the whole repository (``pytest`` reads ``tests``, ``docs`` and ``src``).

* ``--doctest-modules`` is meant for the library's docstrings: ``.py`` files outside
  ``src/`` (the tests, ``docs/conf.py``, example scripts) are not imported a second time as
  doctest modules.
* A backend adapter (``src/xpbridge/_backends/<lib>.py``) imports its library at the top, so
  its doctests are skipped, with the reason, when that library is not installed (unless
  ``XPBRIDGE_REQUIRED_BACKENDS`` lists it: then the import error shows). Which module needs
  which library is read from the backend registry, not listed here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _pytest.doctest import DoctestModule

from xpbridge.testing import required_backends

if TYPE_CHECKING:
    from collections.abc import Generator

_SRC = Path(__file__).parent / "src" / "xpbridge"


def _adapter_requirements() -> dict[Path, str]:
    """Adapter module path -> the top-level package it imports (from the registry)."""
    from xpbridge._backends import BACKENDS

    return {
        _SRC / "_backends" / f"{spec.adapter.partition(':')[0]}.py": spec.import_name
        for spec in BACKENDS
    }


class _MissingLibrary(pytest.File):
    """Stands in for a doctest module whose library is not installed: collected as a skip."""

    reason: str = ""

    def collect(self) -> list[Any]:
        pytest.skip(self.reason)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(
    file_path: Path, parent: pytest.Collector
) -> Generator[None, list[Any], list[Any]]:
    collectors = yield
    if not any(isinstance(c, DoctestModule) for c in collectors):
        return collectors
    if not file_path.is_relative_to(_SRC):
        return [c for c in collectors if not isinstance(c, DoctestModule)]
    library = _adapter_requirements().get(file_path)
    if (
        library is not None
        and importlib.util.find_spec(library) is None
        and library not in required_backends()
    ):
        stand_in = _MissingLibrary.from_parent(parent, path=file_path)
        stand_in.reason = f"{library} is not installed: {file_path.name} imports it"
        return [c for c in collectors if not isinstance(c, DoctestModule)] + [stand_in]
    return collectors

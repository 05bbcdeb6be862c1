"""The generated source of representative public functions, pinned down as golden files.

``tests/golden/dispatch/<path>.py`` holds what :mod:`xpbridge._dispatch.codegen` writes for
one function of each shape: unary, binary promoting (with its scalar paths), options in
``**_kw``, a required option, three arrays, creation, dtype-translating, generic, fft. They
are written with the slots of a function compiled first (0 to 5), so their text does not
depend on the order in which a run compiles functions.

After a deliberate change to the code generator, refresh them and review the diff::

    XPBRIDGE_UPDATE_GOLDEN=1 python -m pytest tests/test_dispatch_golden.py
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

import xpbridge as xb
from xpbridge._dispatch import REGISTRY, uses_generated
from xpbridge._dispatch.codegen import generate
from xpbridge._dispatch.tables import KINDS

GOLDEN = Path(__file__).parent / "golden" / "dispatch"
UPDATE_ENV = "XPBRIDGE_UPDATE_GOLDEN"
PATHS = ["exp", "add", "sum", "reshape", "where", "zeros", "astype", "outer", "fft.fft"]
#: The slots of a function compiled first.
FIRST_SLOTS = {kind: slot for slot, kind in enumerate(KINDS)}
HEADER = (
    "# The public function xpbridge generates for `{path}` (golden file: see\n"
    "# tests/test_dispatch_golden.py; refresh with XPBRIDGE_UPDATE_GOLDEN=1).\n"
)


def _golden_text(path: str) -> str:
    source, _ = generate(REGISTRY[path], FIRST_SLOTS)
    return HEADER.format(path=path) + source


@pytest.mark.parametrize("path", PATHS)
def test_generated_source_matches_its_golden_file(path: str) -> None:
    golden = GOLDEN / f"{path}.py"
    text = _golden_text(path)
    if os.environ.get(UPDATE_ENV) == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.exists(), f"{golden} is missing: run with {UPDATE_ENV}=1 to write it"
    assert golden.read_text() == text, (
        f"the generated source of {path} changed; if that is intended, refresh the golden "
        f"files with {UPDATE_ENV}=1 and review their diff"
    )


@pytest.mark.skipif(not uses_generated(), reason="XPBRIDGE_DISPATCH=general: no generated code")
@pytest.mark.parametrize("path", PATHS)
def test_public_functions_run_the_generated_source(path: str) -> None:
    """The golden text, at the function's own slots, is the code of the public function."""
    module, _, name = path.rpartition(".")
    public = getattr(getattr(xb, module) if module else xb, name)
    function = REGISTRY[path]
    assert inspect.getsource(public) == generate(function, function.slots)[0]


def test_every_golden_file_is_checked() -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.py")) == sorted(f"{p}.py" for p in PATHS)

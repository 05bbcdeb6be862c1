"""``import xpbridge`` and NumPy-only work import no other array library.

Each check runs in a fresh interpreter (a subprocess), since this one has imported them all.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from xpbridge._backends import BACKENDS
from xpbridge.testing import Backend, plugin

#: Every registered library but NumPy, by the name it is imported by.
IMPORT_NAMES = {spec.name: spec.import_name for spec in BACKENDS if spec.name != "numpy"}
HEAVY = tuple(IMPORT_NAMES.values())


def _imported_after(code: str) -> list[str]:
    """The HEAVY modules in ``sys.modules`` after running `code` in a fresh interpreter."""
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_import_imports_no_other_library() -> None:
    assert _imported_after("import xpbridge") == []


def test_numpy_work_imports_no_other_library() -> None:
    code = """
    import numpy as np
    import xpbridge as xb

    x = np.arange(6.0).reshape(2, 3)
    y = xb.sum(xb.exp(x), axis=0)                   # dispatch, generated fast path
    y = xb.add(x, 1.5)                               # a Python scalar
    y = xb.concatenate([x, x], axis=1)               # a NumPy spelling (generic code)
    y = xb.linalg.svdvals(x) + xb.fft.rfft(x)[..., :2].real
    z = xb.zeros((2, 2)); z = xb.asarray([1, 2])     # creation on the default backend
    xb.to_numpy(x); xb.asarray(x, copy=True)         # conversions within NumPy
    xp = xb.namespace("numpy"); xp.ones(3)
    xb.available_backends(); xb.backend_of(x); xb.info(x)
    xb.can_cast(xb.int8, xb.int16); xb.result_type(x, 1.0); xb.finfo(x)
    xb.random.default_rng(0).random(3); xb.random.rand(2)
    xb.__array_namespace_info__().default_dtypes()
    dir(xb)
    """
    assert _imported_after(code) == []


@pytest.mark.parametrize("library", list(IMPORT_NAMES))
def test_asking_for_a_backend_imports_it(library: str) -> None:
    """``xb.namespace(name)`` is asking for the library: it gets imported (and only then),
    and no other optional library with it."""
    plugin._use(Backend.parse(library))  # skipped where it cannot run (failed if required)
    found = _imported_after(f"import xpbridge as xb; xb.namespace({library!r}).ones(2)")
    assert IMPORT_NAMES[library] in found
    assert "cupy" not in found or library == "cupy"
    assert set(found) == {IMPORT_NAMES[library]}

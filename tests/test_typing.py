"""What a type checker sees of xpbridge: functions typed from their declarations.

A function of ``xb`` returns the array type of its input (``ArrayT``), so ``xb.add`` of two
NumPy arrays is a NumPy array to mypy, not ``Any``; every public name is exported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is not installed (it comes with the lint extra)")

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

SNIPPET = """\
import numpy as np
import numpy.typing as npt

import xpbridge as xb
from xpbridge import fft, linalg

a: npt.NDArray[np.float64] = np.ones(3)
reveal_type(a)
reveal_type(xb.add(a, a))
reveal_type(xb.add(a, 1.0))
reveal_type(xb.sum(a, axis=0))
reveal_type(xb.concatenate([a, a]))
reveal_type(xb.arccos(a))
reveal_type(xb.linalg.solve(a, a))
reveal_type(linalg.matmul(a, a))
reveal_type(fft.fft(a))
reveal_type(xb.allclose(a, a))
with xb.using("numpy"):
    pass
xb.add(a)
"""


def test_functions_return_the_input_array_type(tmp_path: Path) -> None:
    (tmp_path / "snippet.py").write_text(SNIPPET)
    # mypy finds xpbridge on this interpreter's path, PYTHONPATH first, as `import` does.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(PYPROJECT),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "snippet.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = result.stdout.splitlines()
    revealed = [line.partition("Revealed type is ")[2] for line in lines if "Revealed" in line]
    # The first is `a` itself: NumPy's own spelling of its array type.
    assert revealed, result.stdout + result.stderr
    assert revealed[0].startswith('"numpy.ndarray['), result.stdout
    assert revealed[1:] == [revealed[0]] * 8 + ['"bool"'], result.stdout
    errors = [line for line in lines if ": error:" in line]
    # The one error: a typed signature, not Any (xb.add takes two arrays).
    line = SNIPPET.splitlines().index("xb.add(a)") + 1
    assert errors == [f'snippet.py:{line}: error: Too few arguments for "add"  [call-arg]']

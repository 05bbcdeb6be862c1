"""Hostile inputs never crash the interpreter through xpbridge's own memory reads or size
requests (docs/errors.md says what only a library itself can crash on).

Each check runs in a fresh interpreter: a regression would kill it (a segfault, XLA's abort)
and fail the test, instead of killing pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import xpbridge as xb

SRC = Path(__file__).parents[1] / "src"


def _run(code: str, timeout: int = 300) -> str:
    """Run `code` in a fresh interpreter with this checkout first; its output (it must exit
    cleanly: a crash or an uncaught error fails the test)."""
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-3000:]}"
    return done.stdout


# ---------------------------------------------------------------------- freed torch storage


def test_a_tensor_whose_storage_was_freed_is_refused_where_xpbridge_reads_it() -> None:
    """Copies, JAX (which copies), Dask and array-api-strict snapshots, item and tolist read
    the memory: each refuses, planned and cached alike (the cached decision comes from a
    healthy tensor first)."""
    pytest.importorskip("torch")
    out = _run(
        """
        import importlib.util
        import torch
        import xpbridge as xb
        targets = ["numpy", "torch"] + [
            name for name in ("jax", "dask", "array_api_strict")
            if importlib.util.find_spec(name)
        ]
        healthy = torch.ones(1000)[10:]
        for target in targets:  # decide, and remember, each conversion for such tensors
            xb.to(healthy, target, copy=True)
        xb.item(torch.ones(5)[3:4])
        freed = torch.ones(1000)[10:]
        freed.untyped_storage().resize_(0)
        one = torch.ones(5)[3:4]
        one.untyped_storage().resize_(0)
        calls = {f"to {t} copy=True": (lambda t=t: xb.to(freed, t, copy=True)) for t in targets}
        calls["to_numpy dtype="] = lambda: xb.to_numpy(freed, dtype=xb.float64)
        calls["item"] = lambda: xb.item(one)
        calls["tolist"] = lambda: xb.tolist(freed)
        if "jax" in targets:
            calls["to_jax"] = lambda: xb.to_jax(freed)
        for name, call in calls.items():
            try:
                call()
                print(name, "NO ERROR")
            except xb.UnsupportedOperationError as exc:
                assert "storage" in str(exc), exc
                print(name, "refused")
        print(xb.plan(freed, "numpy", copy=True).error.__class__.__name__)
        """
    )
    assert "NO ERROR" not in out, out
    assert out.count("refused") >= 5, out
    assert out.strip().endswith("UnsupportedOperationError")


def test_a_zero_copy_conversion_of_a_freed_tensor_is_refused_too() -> None:
    """A view would hand another library memory nobody owns (torch's Tensor.numpy() does):
    the plan and the run refuse, also when the decision for such tensors was made before."""
    pytest.importorskip("torch")
    out = _run(
        """
        import torch
        import xpbridge as xb
        healthy = torch.ones(1000)
        for target in ("numpy", "jax", "array_api_strict", "dask"):
            try:
                xb.to(healthy, target)  # the decision is made and cached for such tensors
            except ImportError:
                pass
        t = torch.ones(1000)
        t.untyped_storage().resize_(0)
        print(xb.plan(t, "numpy").error is not None)
        for target in ("numpy", "jax", "array_api_strict", "dask"):
            try:
                xb.to(t, target)
            except xb.UnsupportedOperationError as exc:
                print(target, "freed" in str(exc))
            except ImportError:
                print(target, True)
        """
    )
    assert out.split() == [
        "True",
        "numpy",
        "True",
        "jax",
        "True",
        "array_api_strict",
        "True",
        "dask",
        "True",
    ]


# ---------------------------------------------------------------------- size requests


SIZES = {
    "empty": "xb.empty((2**40, 2**40), backend=B)",
    "zeros with a zero": "xb.zeros((2**40, 2**40, 0), backend=B)",
    "full": "xb.full((2**40, 2**40), 1.0, backend=B)",
    "eye": "xb.eye(2**40, backend=B)",
    "arange": "xb.arange(0, 2**62, backend=B)",
    "linspace": "xb.linspace(0, 1, 2**62, backend=B)",
    "negative": "xb.ones((3, -2), backend=B)",
    "random": "xb.random.default_rng(0, backend=B).random((2**40, 2**40))",
    "rand": "xb.random.rand(2**40, 2**40, backend=B)",
    "repeat": "xb.repeat(xb.ones(2, backend=B), 2**62)",
}
#: Shapes of views (no memory asked for on NumPy: broadcast_to's zero strides, a zero-size
#: reshape) or of copies too large to allocate: fine, or refused, by the library; JAX
#: (XLA) cannot represent them at all, so xpbridge refuses them there.
VIEWS = {
    "reshape": "xb.reshape(xb.zeros(0, backend=B), (2**32, 2**32, 0))",
    "broadcast_to": "xb.broadcast_to(xb.ones(1, backend=B), (2**40, 2**40))",
    "tile": "xb.tile(xb.ones(2, backend=B), (2**40, 2**40))",
}


def _outcomes(library: str, calls: dict[str, str]) -> dict[str, str]:
    code = "import xpbridge as xb\nB = " + repr(library) + "\nresults = {}\n"
    for name, call in calls.items():
        code += (
            f"try:\n    {call}\n    results[{name!r}] = 'fine'\n"
            f"except Exception as exc:\n    results[{name!r}] = type(exc).__name__\n"
        )
    code += "print(results)\n"
    found: dict[str, str] = eval(_run(code))
    return found


def test_sizes_are_checked_before_any_backend_is_asked_for_memory(library: str) -> None:
    """On JAX, XLA would abort the process (the reason for the fresh interpreter)."""
    assert _outcomes(library, SIZES) == dict.fromkeys(SIZES, "ShapeError")
    views = _outcomes(library, VIEWS)
    if library == "jax":
        assert views == dict.fromkeys(VIEWS, "ShapeError")
    else:
        assert set(views.values()) <= {"fine", "ShapeError", "OutOfMemoryError"}, views


def test_sizes_within_reach_still_work() -> None:
    assert xb.reshape(xb.zeros(6), (2, -1)).shape == (2, 3)
    assert xb.zeros((0, 2**40)).shape == (0, 2**40)
    assert xb.arange(2**62, 2**62 + 3).tolist() == [2**62, 2**62 + 1, 2**62 + 2]


# ---------------------------------------------------------------------- a library importing


def test_detection_ignores_a_library_still_being_imported() -> None:
    """A conversion made while another thread imports JAX for the first time (the first
    conversion of this array type, so nothing is cached) must not ask the half-imported
    library about the array."""
    pytest.importorskip("jax")
    pytest.importorskip("array_api_strict")
    out = _run(
        """
        import threading, time
        import array_api_strict
        import xpbridge as xb
        x = array_api_strict.asarray([1.0, 2.0])
        thread = threading.Thread(target=lambda: __import__("jax"))
        thread.start()
        time.sleep(0.05)
        errors = []
        while thread.is_alive():
            try:
                xb.to_numpy(x, copy=True)
                xb.backend_of(x)
            except Exception as exc:
                errors.append(repr(exc))
                break
        thread.join()
        import jax.numpy as jnp
        print(errors, xb.backend_of(jnp.ones(1)), xb.backend_of(x))
        """
    )
    assert out.strip() == "[] jax array_api_strict", out

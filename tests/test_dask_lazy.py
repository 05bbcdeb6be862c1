"""Every namespace function on Dask arrays builds a graph and computes nothing.

The sweep covers the whole registry: a function added later without an entry here fails
:func:`test_the_sweep_covers_every_function`. Values are checked against the same call on
NumPy arrays (the cross-backend conformance suite goes deeper; this is about laziness).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._namespace import _registry
from xpbridge.testing import assert_close

da = pytest.importorskip("dask.array", reason="dask is not installed")
from dask.callbacks import Callback  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

rng = np.random.default_rng(7)
F = rng.uniform(0.1, 0.9, size=(4, 6))  # inside every element-wise function's domain
SQ = rng.standard_normal((4, 4)) + 4 * np.eye(4)
SPD = SQ @ SQ.T
V = rng.standard_normal(6)
INTS = np.arange(24).reshape(4, 6) % 5
FLAGS = F > 0.5
CPLX = F + 1j * F[::-1]


def _public(path: str) -> Callable[..., Any]:
    obj: Any = xb
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


# path -> a call on arrays `a` (NumPy or Dask, same values). Absent: every required array
# parameter gets F.
CALLS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "astype": lambda a: xb.astype(a["F"], "float32"),
    "bitwise_and": lambda a: xb.bitwise_and(a["INTS"], a["INTS"]),
    "bitwise_or": lambda a: xb.bitwise_or(a["INTS"], 3),
    "bitwise_xor": lambda a: xb.bitwise_xor(a["INTS"], a["INTS"][::-1]),
    "bitwise_invert": lambda a: xb.bitwise_invert(a["INTS"]),
    "bitwise_left_shift": lambda a: xb.bitwise_left_shift(a["INTS"], 2),
    "bitwise_right_shift": lambda a: xb.bitwise_right_shift(a["INTS"], 1),
    "logical_and": lambda a: xb.logical_and(a["FLAGS"], a["FLAGS"][::-1]),
    "logical_or": lambda a: xb.logical_or(a["FLAGS"], a["FLAGS"][::-1]),
    "logical_xor": lambda a: xb.logical_xor(a["FLAGS"], a["FLAGS"][::-1]),
    "logical_not": lambda a: xb.logical_not(a["FLAGS"]),
    "acosh": lambda a: xb.acosh(a["F"] + 1),
    "real": lambda a: xb.real(a["CPLX"]),
    "imag": lambda a: xb.imag(a["CPLX"]),
    "conj": lambda a: xb.conj(a["CPLX"]),
    "clip": lambda a: xb.clip(a["F"], 0.3, 0.6),
    "where": lambda a: xb.where(a["FLAGS"], a["F"], 0.0),
    "broadcast_arrays": lambda a: tuple(xb.broadcast_arrays(a["F"], a["V"][:1])),
    "broadcast_to": lambda a: xb.broadcast_to(a["V"], (4, 6)),
    "concat": lambda a: xb.concat([a["F"], a["F"]]),
    "concatenate": lambda a: xb.concatenate([a["F"], a["F"]], axis=1),
    "stack": lambda a: xb.stack([a["F"], a["F"]], axis=1),
    "hstack": lambda a: xb.hstack([a["F"], a["F"]]),
    "vstack": lambda a: xb.vstack([a["V"], a["V"]]),
    "unstack": lambda a: tuple(xb.unstack(a["F"], axis=1)),
    "meshgrid": lambda a: tuple(xb.meshgrid(a["V"], a["V"][:3])),
    "expand_dims": lambda a: xb.expand_dims(a["F"], axis=1),
    "moveaxis": lambda a: xb.moveaxis(a["F"], 0, 1),
    "permute_dims": lambda a: xb.permute_dims(a["F"], (1, 0)),
    "swapaxes": lambda a: xb.swapaxes(a["F"], 0, 1),
    "squeeze": lambda a: xb.squeeze(a["F"][None], 0),
    "reshape": lambda a: xb.reshape(a["F"], (6, 4)),
    "repeat": lambda a: xb.repeat(a["F"], 2, axis=0),
    "roll": lambda a: xb.roll(a["F"], 2, axis=1),
    "tile": lambda a: xb.tile(a["F"], (2, 1)),
    "take": lambda a: xb.take(a["V"], a["INTS"][0], axis=0),
    "take_along_axis": lambda a: xb.take_along_axis(a["F"], a["INTS"][:, :3], axis=1),
    "searchsorted": lambda a: xb.searchsorted(xb.sort(a["V"]), a["V"]),
    "isin": lambda a: xb.isin(a["INTS"], a["INTS"][0, :2]),
    "cumulative_sum": lambda a: xb.cumulative_sum(a["F"], axis=0),
    "cumulative_prod": lambda a: xb.cumulative_prod(a["F"], axis=1, include_initial=True),
    "cumsum": lambda a: xb.cumsum(a["F"], axis=1),
    "cumprod": lambda a: xb.cumprod(a["F"], axis=0),
    "nonzero": lambda a: xb.nonzero(a["FLAGS"]),
    "diff": lambda a: xb.diff(a["F"], axis=0),
    "matmul": lambda a: xb.matmul(a["F"], xb.matrix_transpose(a["F"])),
    "tensordot": lambda a: xb.tensordot(a["F"], a["F"], axes=2),
    "vecdot": lambda a: xb.vecdot(a["F"], a["F"]),
    "dot": lambda a: xb.dot(a["F"], a["V"]),
    "outer": lambda a: xb.outer(a["V"], a["V"]),
    "einsum": lambda a: xb.einsum("ij,kj->ik", a["F"], a["F"]),
    "tril": lambda a: xb.tril(a["F"], k=1),
    "triu": lambda a: xb.triu(a["F"], k=-1),
    "full_like": lambda a: xb.full_like(a["F"], 2.5),
    "linalg.outer": lambda a: xb.linalg.outer(a["V"], a["V"]),
    "linalg.cross": lambda a: xb.linalg.cross(a["F"][:, :3], a["F"][:, 3:]),
    "linalg.matrix_power": lambda a: xb.linalg.matrix_power(a["SQ"], 2),
    "linalg.solve": lambda a: xb.linalg.solve(a["SQ"], a["F"]),
    "linalg.tensordot": lambda a: xb.linalg.tensordot(a["F"], a["F"], axes=2),
    "linalg.vecdot": lambda a: xb.linalg.vecdot(a["F"], a["F"]),
    "linalg.matmul": lambda a: xb.linalg.matmul(a["SQ"], a["F"]),
    "fft.irfft": lambda a: xb.fft.irfft(a["CPLX"], n=6),
    "fft.hfft": lambda a: xb.fft.hfft(a["CPLX"]),
    "allclose": lambda a: xb.allclose(a["F"], a["F"]),
    "array_equal": lambda a: xb.array_equal(a["F"], a["F"]),
}
# Square (or positive-definite) matrices for the linalg functions that need them.
for _path in ("det", "inv", "eig", "eigvals", "slogdet", "matrix_rank", "trace", "diagonal"):
    CALLS[f"linalg.{_path}"] = lambda a, p=_path: _public(f"linalg.{p}")(a["SQ"])
for _path in ("cholesky", "eigh", "eigvalsh"):
    CALLS[f"linalg.{_path}"] = lambda a, p=_path: _public(f"linalg.{p}")(a["SPD"])

# Creation functions without array arguments: path -> a call for a given backend.
CREATION: dict[str, Callable[[str], Any]] = {
    "arange": lambda b: xb.arange(1, 10, 2, backend=b),
    "empty": lambda b: xb.empty((2, 3), backend=b),
    "eye": lambda b: xb.eye(3, 4, k=1, backend=b),
    "full": lambda b: xb.full((2, 3), 1.5, backend=b),
    "linspace": lambda b: xb.linspace(0.0, 1.0, 5, backend=b),
    "ones": lambda b: xb.ones((2, 3), backend=b),
    "zeros": lambda b: xb.zeros((2, 3), backend=b),
    "fft.fftfreq": lambda b: xb.fft.fftfreq(6, backend=b),
    "fft.rfftfreq": lambda b: xb.fft.rfftfreq(6, backend=b),
}
# Functions that answer questions about dtypes, not arrays.
NOT_ARRAY_FUNCTIONS = {"can_cast", "finfo", "iinfo", "isdtype", "result_type"}
# Uninitialized memory: only the kind of result can be compared.
UNINITIALIZED = {"empty", "empty_like"}

INPUTS = {"F": F, "SQ": SQ, "SPD": SPD, "V": V, "INTS": INTS, "FLAGS": FLAGS, "CPLX": CPLX}
CHUNKS = {"F": (2, 3), "SQ": 2, "SPD": 2, "V": 4, "INTS": (2, 3), "FLAGS": (2, 3), "CPLX": (2, 3)}
REGISTRY = _registry()
SWEPT = sorted(p for p in REGISTRY if p not in CREATION and p not in NOT_ARRAY_FUNCTIONS)


def _default_call(path: str) -> Callable[[dict[str, Any]], Any]:
    arrays = [p for p in REGISTRY[path].fast_params if p.role in {"array", "arrays"}]
    return lambda a: _public(path)(*[a["F"]] * len(arrays))


def _as_tuple(result: Any) -> tuple[Any, ...]:
    return tuple(result) if isinstance(result, tuple) else (result,)


def _compare(actual: Any, expected: Any, path: str) -> None:
    for lazy, want in zip(_as_tuple(actual), _as_tuple(expected), strict=True):
        got = np.asarray(lazy.compute())
        # A fresh copy of NumPy's result: broadcast views warn when their flags are read.
        fresh = np.array(want, copy=True)
        if path in UNINITIALIZED:
            assert got.shape == fresh.shape
            assert got.dtype == fresh.dtype
        else:
            assert_close(got, fresh, check_0d=False, atol=1e-12)


def test_the_sweep_covers_every_function() -> None:
    uncovered = set(REGISTRY) - set(SWEPT) - set(CREATION) - NOT_ARRAY_FUNCTIONS
    assert not uncovered


@pytest.mark.parametrize("path", SWEPT)
def test_function_builds_a_graph_without_computing(path: str) -> None:
    call = CALLS.get(path) or _default_call(path)
    lazy_inputs = {k: da.from_array(v, chunks=CHUNKS[k]) for k, v in INPUTS.items()}
    started: list[Any] = []
    with Callback(start=started.append):
        result = call(lazy_inputs)
    assert not started, f"{path} computed {len(started)} graph(s) while building its result"
    for item in _as_tuple(result):
        assert isinstance(item, da.Array), f"{path} returned {type(item).__qualname__}"
    _compare(result, call(INPUTS), path)


@pytest.mark.parametrize("path", sorted(CREATION))
def test_creation_with_backend_dask_is_lazy(path: str) -> None:
    started: list[Any] = []
    with Callback(start=started.append):
        result = CREATION[path]("dask")
    assert not started
    assert isinstance(result, da.Array)
    _compare(result, CREATION[path]("numpy"), path)

"""Conversions between every pair of available backends, 1 KB to 400 MB.

For each pair xpbridge's ``xb.to(x, target)`` is timed, interleaved, against:

* the *native* route, the fastest way the two libraries offer themselves
  (``torch.from_numpy``, ``Tensor.numpy()``, ``jax.numpy.from_dlpack``...);
* for routes that copy, a fresh-allocation copy in the source library (``np.array(a,
  copy=True)``, ``t.clone()``, ``jnp.array(x, copy=True)``, ``x.compute()`` for Dask) and a
  plain memory copy of the same size between buffers that already exist (``memmove``), the
  floor set by memory bandwidth;
* the peers where they have a conversion: autoray (``to_numpy(x)`` or ``do("asarray", x,
  like=target)``) and array-api-compat (``xp.asarray(x)`` of the target's namespace).

Whether a route copies is what ``xb.plan(x, target)`` says. A peer that aliases memory
xpbridge must copy (JAX's immutable buffers behind a writable tensor) is not doing the same
work; such timings are shown but not counted against xpbridge.
"""

from __future__ import annotations

import ctypes
import importlib.util
import warnings
from dataclasses import dataclass, field
from typing import Any

from ._timing import compare

__all__ = ["BACKENDS", "SIZES", "ConversionRow", "available", "run"]

BACKENDS = ("numpy", "torch", "jax", "dask", "array_api_strict")
#: Sizes in bytes (float32 arrays), 1 KB to 400 MB.
SIZES = (1_000, 100_000, 10_000_000, 400_000_000)
QUICK_SIZES = (1_000, 1_000_000, 40_000_000)

#: Goals: zero-copy routes within this factor of the native route, and flat in size;
#: copy routes within this factor of the source library's fresh copy.
ZERO_COPY_GOAL = 2.0
COPY_GOAL = 1.25

# Native routes: (source, target) -> statement on `x`; the libraries are bound as np,
# torch, jnp, da and strict.
_NATIVE = {
    ("numpy", "torch"): "torch.from_numpy(x)",
    ("numpy", "jax"): "ready(jnp.asarray(x))",
    ("numpy", "dask"): "da.from_array(x)",
    ("numpy", "array_api_strict"): "strict.asarray(x)",
    ("torch", "numpy"): "x.numpy()",
    ("torch", "jax"): "ready(jnp.from_dlpack(x))",
    ("torch", "dask"): "da.from_array(x.numpy())",
    ("torch", "array_api_strict"): "strict.from_dlpack(x)",
    ("jax", "numpy"): "np.asarray(x)",
    ("jax", "torch"): "torch.from_dlpack(x)",
    ("jax", "dask"): "da.from_array(np.asarray(x))",
    ("jax", "array_api_strict"): "strict.from_dlpack(x)",
    ("dask", "numpy"): "x.compute()",
    ("dask", "torch"): "torch.from_numpy(x.compute())",
    ("dask", "jax"): "ready(jnp.asarray(x.compute()))",
    ("dask", "array_api_strict"): "strict.asarray(x.compute())",
    ("array_api_strict", "numpy"): "np.asarray(x)",
    ("array_api_strict", "torch"): "torch.from_dlpack(x)",
    ("array_api_strict", "jax"): "ready(jnp.from_dlpack(x))",
    ("array_api_strict", "dask"): "da.from_array(np.asarray(x))",
}
# A fresh copy in the source library: the price of new memory there.
_SOURCE_COPY = {
    "numpy": "np.array(x, copy=True)",
    "torch": "x.clone()",
    "jax": "ready(jnp.array(x, copy=True))",
    "dask": "x.compute()",
    "array_api_strict": "strict.asarray(x, copy=True)",
}


def available() -> list[str]:
    return [b for b in BACKENDS if importlib.util.find_spec(b) is not None]


@dataclass
class ConversionRow:
    source: str
    target: str
    nbytes: int
    zero_copy: bool
    #: Median seconds per conversion, by candidate ("xb", "native", "source copy",
    #: "memcpy", "autoray", "compat").
    seconds: dict[str, float] = field(default_factory=dict)
    #: Whether each candidate's result shares memory with the input (None: lazy/unknown).
    shares: dict[str, bool | None] = field(default_factory=dict)
    plan: str = ""
    rounds: int = 0
    clock: str = "cpu"

    def ratio(self, name: str) -> float | None:
        other = self.seconds.get(name)
        return None if other is None else self.seconds["xb"] / other

    @property
    def reference(self) -> str:
        return "native" if self.zero_copy else "source copy"


def _libraries() -> dict[str, Any]:
    import numpy as np

    found: dict[str, Any] = {"np": np}
    if importlib.util.find_spec("torch"):
        import torch

        found["torch"] = torch
    if importlib.util.find_spec("jax"):
        import jax.numpy as jnp

        found["jnp"] = jnp
    if importlib.util.find_spec("dask"):
        import dask.array as da

        found["da"] = da
    if importlib.util.find_spec("array_api_strict"):
        import array_api_strict as strict

        found["strict"] = strict
    return found


def _make(backend: str, host: Any, libs: dict[str, Any]) -> Any:
    """An array of `backend` holding the NumPy array `host`'s values, in its own memory."""
    copy = host.copy()
    if backend == "numpy":
        return copy
    if backend == "torch":
        return libs["torch"].from_numpy(copy)
    if backend == "jax":
        return libs["jnp"].array(copy)
    if backend == "dask":
        return libs["da"].from_array(copy, chunks="auto")
    return libs["strict"].asarray(copy)


def _peers(source: str, target: str, libs: dict[str, Any], example: Any) -> dict[str, str]:
    import array_api_compat

    found = {}
    if target == "numpy":
        found["autoray"] = "autoray.to_numpy(x)"
    else:
        found["autoray"] = f"autoray.do('asarray', x, like={target!r})"
    xp = array_api_compat.array_namespace(example)
    if xp.__name__.startswith("array_api_compat."):
        # Where array-api-compat hands back the library itself (JAX, array-api-strict),
        # its asarray is the native route, not a peer's own work.
        libs["compat_xp"] = xp
        found["compat"] = "compat_xp.asarray(x)"
    return found


def _ready() -> Any:
    """``jax.block_until_ready`` (JAX returns before its work is done), else identity."""
    if importlib.util.find_spec("jax"):
        import jax

        return jax.block_until_ready
    return lambda x: x


def run(
    *, backends: list[str], sizes: tuple[int, ...] = SIZES, budget_s: float = 4.0, rounds: int = 41
) -> list[ConversionRow]:
    """Time every ordered pair of `backends` at every size; about `budget_s` per row."""
    import autoray
    import numpy as np

    import xpbridge as xb

    libs = _libraries()
    rng = np.random.default_rng(0)
    rows = []
    warnings.simplefilter("ignore")  # peers' and libraries' aliasing warnings: timing only
    for nbytes in sizes:
        host = rng.random(nbytes // 4, dtype=np.float32)
        scratch = np.empty_like(host)
        sources = {b: _make(b, host, libs) for b in backends}
        for source in backends:
            for target in backends:
                if source == target:
                    continue
                x = sources[source]
                record = xb.plan(x, target)
                statements = {"xb": f"xb.to(x, {target!r})"}
                if (source, target) in _NATIVE:
                    statements["native"] = _NATIVE[source, target]
                statements.update(_peers(source, target, libs, sources[target]))
                if target == "jax":  # JAX dispatches asynchronously: time finished work
                    statements = {
                        k: f"ready({v})" if "ready" not in v else v for k, v in statements.items()
                    }
                if not record.shares_memory:
                    statements["source copy"] = _SOURCE_COPY[source]
                    statements["memcpy"] = "memmove(dst, src, n)"
                namespace = {
                    **libs,
                    "xb": xb,
                    "autoray": autoray,
                    "x": x,
                    "memmove": ctypes.memmove,
                    "dst": scratch.ctypes.data,
                    "src": host.ctypes.data,
                    "n": host.nbytes,
                    "ready": _ready(),
                }
                statements, shares = _working(statements, namespace, x)
                # Process CPU time leaves out other processes' turns on the cores; Dask
                # computes on a thread pool, whose parallel work CPU time would overcount.
                clock = "wall" if "dask" in (source, target) else "cpu"
                t = compare(
                    statements,
                    namespace,
                    rounds=rounds,
                    sample_s=2e-3,
                    budget_s=budget_s,
                    clock=clock,
                )
                rows.append(
                    ConversionRow(
                        source=source,
                        target=target,
                        nbytes=nbytes,
                        zero_copy=record.shares_memory,
                        seconds={name: t.median(name) for name in statements},
                        shares=shares,
                        plan=str(record),
                        rounds=len(t.samples["xb"]),
                        clock=clock,
                    )
                )
        del sources
    return rows


def _working(
    statements: dict[str, str], namespace: dict[str, Any], x: Any
) -> tuple[dict[str, str], dict[str, bool | None]]:
    """The statements that run here, and whether each result shares memory with `x`."""
    import xpbridge as xb

    kept, shares = {}, {}
    for name, stmt in statements.items():
        try:
            result = eval(stmt, namespace)
        except Exception:
            if name == "xb":
                raise
            continue
        kept[name] = stmt
        if name == "memcpy":
            shares[name] = False
        elif xb.backend_of(result) == "dask":
            shares[name] = None  # lazy: its chunks may view `x`, nothing to compare yet
        else:
            shares[name] = xb.may_share_memory(x, result)
    return kept, shares

"""Dask: lazy, chunked arrays; every function stays lazy where Dask can, conversions compute."""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import array_api_compat.dask.array as compat_dask
import dask
import dask.array as da

from ._base import Adapter, Facts


class _DaskRandom:
    """Random numbers from Dask's generator: lazy arrays, one NumPy stream per chunk."""

    def __init__(self, seed: Any) -> None:
        self._rng = da.random.default_rng(seed)

    def random(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self._rng.random(shape, dtype=dtype)

    def standard_normal(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self._rng.standard_normal(shape, dtype=dtype)

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: str) -> Any:
        return self._rng.integers(low, high, shape, dtype=dtype)

    def permutation(self, n: int) -> Any:
        return self._rng.permutation(n)


class DaskAdapter(Adapter):
    name = "dask"
    array_type_name = "dask.array.Array"

    def __init__(self) -> None:
        super().__init__()
        from ._dask_overrides import OVERRIDES

        self.overrides.update(OVERRIDES)

    @cached_property
    def module(self) -> Any:
        return da

    @cached_property
    def xp(self) -> Any:
        return compat_dask

    @cached_property
    def version(self) -> str:
        return str(dask.__version__)

    def facts(self, x: Any) -> Facts:
        base = super().facts(x)
        shape = tuple(None if isinstance(n, float) and math.isnan(n) else n for n in x.shape)
        return Facts(
            backend=self.name,
            dtype=base.dtype,
            shape=shape,
            device=base.device,
            itemsize=base.itemsize,
            lazy=True,
            extra={"chunks": x.chunks, "meta": type(x._meta).__module__.split(".")[0]},
        )

    def copy(self, x: Any) -> Any:
        return x.copy()

    def random_source(self, seed: Any, device: Any) -> Any:
        return _DaskRandom(seed)

    def compute(self, x: Any) -> Any:
        """Evaluate `x` into a NumPy (or CuPy) array: new memory, on the current scheduler."""
        return x.compute()

    def to_host(self, x: Any) -> Any:
        import numpy as np

        result = x.compute()
        return result.get() if hasattr(result, "get") else np.asarray(result)

    def share_refusals(self, facts: Facts, *, copy: bool | None) -> list[str]:
        # Dask never writes into its chunks, so it may view read-only memory.
        return []

    negative_strides_ok = True

    def import_route(self, source: str, *, chunks: Any = None) -> tuple[str, Any]:
        """Chunked views of a NumPy or CuPy array; other libraries go through NumPy first."""
        from . import get_adapter

        host = source if source in {"numpy", "cupy"} else "numpy"
        to_host_route = None
        if host != source:
            to_host_route = get_adapter("numpy").import_route(source)

        def run(x: Any) -> Any:
            if to_host_route is not None:
                x = to_host_route[1](x)
            return da.from_array(x, chunks="auto" if chunks is None else chunks, asarray=False)

        via = f" (through NumPy via {to_host_route[0]})" if to_host_route else ""
        return f"dask.array.from_array, chunk views{via}", run

    def from_dlpack(self, x: Any, *, device: Any = None, copy: bool | None = None) -> Any:
        import numpy as np

        return da.from_array(np.from_dlpack(x, copy=copy))

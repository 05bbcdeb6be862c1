"""Dask: lazy, chunked arrays; every function stays lazy where Dask can, conversions compute."""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import array_api_compat.dask.array as compat_dask
import dask
import dask.array as da

from .._dtypes import dtype_name
from ._base import Adapter, Facts, Route


class DaskAdapter(Adapter):
    name = "dask"
    array_type_name = "dask.array.Array"

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

    def compute(self, x: Any) -> Any:
        """Evaluate `x` into a NumPy (or CuPy) array: new memory, on the current scheduler."""
        result = x.compute()
        if getattr(result, "base", None) is not None:
            # A view of a chunk the graph holds (older Dask kept from_array's input): the
            # result must not alias it.
            result = result.copy()
        return result

    @cached_property
    def from_array_copies(self) -> bool:
        """Whether ``da.from_array`` snapshots its input (Dask >= 2025) or keeps views."""
        import numpy as np

        probe = np.zeros(1)
        lazy = da.from_array(probe, chunks=-1)  # type: ignore[no-untyped-call]
        probe[0] = 1.0
        return bool(lazy.compute()[0] == 0.0)

    def has_dtype(self, name: str) -> bool:
        # Dask holds any NumPy dtype, float16 included (array-api-compat's namespace lacks
        # it); bfloat16 only exists in NumPy through ml_dtypes, which Dask does not know.
        return name != "bfloat16"

    def astype(self, x: Any, dtype: Any) -> Any:
        import numpy as np

        return x.astype(np.dtype(dtype_name(dtype)))

    def to_host(self, x: Any) -> Any:
        import numpy as np

        result = x.compute()
        return result.get() if hasattr(result, "get") else np.asarray(result)

    def share_refusals(self, facts: Facts, *, copy: bool | None) -> list[str]:
        # Dask never writes into its chunks, so it may view read-only memory.
        return []

    negative_strides_ok = True

    def import_route(self, source: str, *, chunks: Any = None, copy: bool = False) -> Route:
        """``da.from_array`` of a NumPy or CuPy array; other libraries go through NumPy."""
        from . import get_adapter

        to_host = None
        if source not in {"numpy", "cupy"}:
            to_host = get_adapter("numpy").import_route(source)
        copies = self.from_array_copies

        def run(x: Any) -> Any:
            if to_host is not None:
                x = to_host.run(x)
            return da.from_array(x, chunks="auto" if chunks is None else chunks, asarray=False)

        name = "dask.array.from_array" + (f" on {to_host.name}" if to_host else "")
        why = "Dask snapshots its input" if copies else "chunk views of the input"
        return Route(name, run, why, copies)

    def from_dlpack(self, x: Any, *, device: Any = None, copy: bool | None = None) -> Any:
        import numpy as np

        return da.from_array(np.from_dlpack(x, copy=copy))

"""MLX: Apple's array library (its CPU build runs on Linux too); lazy, with functional grads.

MLX implements the array API (``mlx.core`` is its own namespace) and evaluates lazily:
operations build a graph that runs when a value is needed. Its memory is host memory
(unified memory on Apple silicon), mutable (``x[i] = v`` writes in place), and NumPy views
it zero-copy through the buffer protocol, which evaluates the array first. MLX cannot alias
memory it did not allocate: taking host data in is always a copy (``mx.from_dlpack`` would
also copy, but lazily and narrowing float64 to float32, so ``mx.array`` is used). Its
gradients are functional (``mx.grad``, ``mx.compile``), like JAX's: xb functions work
inside them; nothing records a graph to cut, so conversions never refuse for gradients.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import mlx.core as mx
import numpy as np

from .._deviation import Deviation
from .._dtypes import DTYPES
from .._errors import UnsupportedDTypeError
from ._base import Adapter, Facts, Route
from ._host import host_copy, ndarray_traits

__all__ = ["MlxAdapter"]

#: Canonical name -> MLX dtype (MLX spells bool ``bool_``; it has no complex128).
_BY_NAME = {
    name: getattr(mx, attribute)
    for name in DTYPES
    if hasattr(mx, attribute := "bool_" if name == "bool" else name)
}
_NAMES = {dtype: name for name, dtype in _BY_NAME.items()}


def _view(x: Any) -> Any:
    """NumPy's zero-copy view of an MLX array (evaluating it; bfloat16 through ml_dtypes)."""
    if x.dtype == mx.bfloat16:
        import ml_dtypes

        return np.asarray(x.view(mx.uint16)).view(ml_dtypes.bfloat16)
    return np.asarray(x)


def _copy_in(a: Any) -> Any:
    """A new MLX array holding a copy of the NumPy array `a`, in its dtype."""
    a = np.asarray(a)
    if not a.dtype.isnative or min(a.strides, default=0) < 0:
        a = host_copy(a)  # mx.array reads native, positively strided memory only
    name = "bfloat16" if a.dtype.name == "bfloat16" else a.dtype.name
    if name == "bfloat16":
        return mx.array(a.view(np.uint16)).view(mx.bfloat16)
    return mx.array(a, dtype=_BY_NAME[name])


_EXPORT = Route("numpy.asarray", _view, "MLX's buffer: a view of its memory (evaluates it)")
_IMPORT = Route("mlx.core.array", _copy_in, "MLX copies host memory into its own", copies=True)

_NO_DATA_DEPENDENT_SHAPES = (
    "MLX computes only shapes known before the data (no data-dependent shapes); xpbridge "
    "raises UnsupportedOperationError: compute it in NumPy (xb.to_numpy) instead"
)

DEVIATIONS = (
    *(
        Deviation("mlx", function, _NO_DATA_DEPENDENT_SHAPES)
        for function in (
            "nonzero",
            "unique",
            "unique_all",
            "unique_counts",
            "unique_inverse",
            "unique_values",
        )
    ),
    *(
        Deviation("mlx", function, f"MLX has no {function}")
        for function in ("copysign", "nextafter", "signbit")
    ),
)


def _isin(x1: Any, x2: Any, /, *, invert: bool = False) -> Any:
    # MLX has no isin: compare against every element of x2 (its size is known).
    found = mx.any(mx.expand_dims(x1, -1) == mx.reshape(x2, (-1,)), axis=-1)
    return mx.logical_not(found) if invert else found


def _hypot(x1: Any, x2: Any, /) -> Any:
    # Scaled, so that squares of large values do not overflow.
    a, b = mx.abs(x1), mx.abs(x2)
    big, small = mx.maximum(a, b), mx.minimum(a, b)
    ratio = mx.where(big == 0, mx.zeros_like(small), small / mx.where(big == 0, 1, big))
    result = big * mx.sqrt(1 + ratio * ratio)
    return mx.where(mx.isinf(a) | mx.isinf(b), mx.array(float("inf"), dtype=result.dtype), result)


class MlxAdapter(Adapter):
    name = "mlx"
    array_type_name = "mlx.core.array"
    deviations = DEVIATIONS

    def __init__(self) -> None:
        super().__init__()
        self.overrides["isin"] = _isin
        self.overrides["hypot"] = _hypot

    @cached_property
    def module(self) -> Any:
        return mx

    @cached_property
    def xp(self) -> Any:
        return mx

    # ------------------------------------------------------------------ dtypes

    @cached_property
    def _native_dtypes(self) -> dict[str, Any]:
        return dict(_BY_NAME)

    def dtype_of(self, x: Any) -> str:
        try:
            return _NAMES[x.dtype]
        except KeyError:
            msg = f"MLX dtype {x.dtype} has no xpbridge counterpart"
            raise UnsupportedDTypeError(msg) from None

    # ------------------------------------------------------------------ devices

    # MLX arrays live in host memory (unified memory on Apple silicon); a device is where
    # operations run, not where an array is.
    def device(self, x: Any) -> Any:
        return mx.default_device()

    def default_device(self) -> Any:
        return mx.default_device()

    def devices(self) -> list[Any]:
        return list(mx.__array_namespace_info__().devices())

    def device_str(self, device: Any) -> str:
        return "cpu"  # unified memory: every MLX array is host memory

    def native_device(self, device: Any) -> Any:
        if device is None or isinstance(device, mx.Device):
            return device
        return super().native_device(device)

    def owns_device(self, device: Any) -> bool:
        return isinstance(device, mx.Device)

    # ------------------------------------------------------------------ facts

    def facts(self, x: Any) -> Facts:
        view = _view(x)
        return Facts(
            backend=self.name,
            dtype=self.dtype_of(x),
            shape=tuple(x.shape),
            device="cpu",
            strides=view.strides,
            data_ptr=view.__array_interface__["data"][0] if view.size else None,
            itemsize=view.itemsize,
            c_contiguous=bool(view.flags.c_contiguous),
            f_contiguous=bool(view.flags.f_contiguous),
        )

    def traits(self, x: Any) -> Any:
        return ndarray_traits(_view(x))

    def detach(self, x: Any) -> Any:
        return mx.stop_gradient(x)

    # ------------------------------------------------------------------ conversion

    def asarray(
        self, obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None
    ) -> Any:
        self.native_device(device)
        if isinstance(obj, mx.array):
            result = obj if dtype is None else obj.astype(self.native_dtype(dtype))
            return mx.array(result) if copy and result is obj else result
        if dtype is None and isinstance(obj, np.ndarray | np.generic):
            return _copy_in(obj)  # mx.array would narrow float64 to float32
        if dtype is None:
            return mx.array(obj)
        return mx.array(obj, dtype=self.native_dtype(dtype))

    def copy(self, x: Any) -> Any:
        return mx.array(x)

    def astype(self, x: Any, dtype: Any) -> Any:
        return x.astype(self.native_dtype(dtype))

    def to_device(self, x: Any, device: Any) -> Any:
        self.native_device(device)
        return x

    def share_refusals(self, facts: Facts, *, copy: bool | None) -> list[str]:
        return []  # MLX copies whatever it takes in (see _IMPORT)

    negative_strides_ok = True

    def host_export(self, dtype: str) -> Route | None:
        return _EXPORT

    def host_import(self, dtype: str, *, chunks: Any = None) -> Route | None:
        return _IMPORT

    def host_copy_import(self, dtype: str) -> Route | None:
        return _IMPORT

    def to_host(self, x: Any) -> Any:
        return np.array(_view(x), copy=True)

    def from_host(self, a: Any, device: str) -> Any:
        return _copy_in(a)

    def from_dlpack(self, x: Any, *, device: Any = None, copy: bool | None = None) -> Any:
        # mx.from_dlpack copies lazily (reading the producer's memory when evaluated) and
        # narrows float64: through NumPy's view, copied now.
        return _copy_in(np.from_dlpack(x))

"""CuPy: NumPy's API on CUDA devices; host transfers only where a call asks for them."""

from __future__ import annotations

import contextlib
from functools import cached_property
from typing import Any

import cupy
import numpy as np

from .._dtypes import dtype_name
from .._errors import UnsupportedDTypeError
from ._base import Adapter, Facts


class _CupyRandom:
    """Random numbers from CuPy's generator, drawn on the generator's device."""

    def __init__(self, seed: Any, device: Any) -> None:
        self._device = device if device is not None else cupy.cuda.Device()
        with self._device:
            self._rng = cupy.random.default_rng(seed)

    def random(self, shape: tuple[int, ...], dtype: str) -> Any:
        with self._device:
            return self._rng.random(shape, dtype=dtype)

    def standard_normal(self, shape: tuple[int, ...], dtype: str) -> Any:
        with self._device:
            return self._rng.standard_normal(shape, dtype=dtype)

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: str) -> Any:
        with self._device:
            return self._rng.integers(low, high, shape, dtype=dtype)

    def permutation(self, n: int) -> Any:
        with self._device:
            return self._rng.permutation(n)


class CupyAdapter(Adapter):
    name = "cupy"
    array_type_name = "cupy.ndarray"
    numpy_like = True
    # cupy.linalg returns NaN and inf for a singular matrix unless the caller turned on
    # cupyx.errstate(linalg="raise"): checked where xpbridge runs it.
    silent_linalg = True

    @cached_property
    def module(self) -> Any:
        return cupy

    @cached_property
    def xp(self) -> Any:
        import array_api_compat.cupy as compat_cupy

        return compat_cupy

    # CuPy takes NumPy's dtype objects; it has every standard dtype and float16, no bfloat16.
    def native_dtype(self, dtype: Any) -> Any:
        if dtype is None:
            return None
        name = dtype_name(dtype)
        if name == "bfloat16":
            raise UnsupportedDTypeError(self.missing_dtype_message(name))
        return np.dtype(str(name))

    def has_dtype(self, name: str) -> bool:
        return name != "bfloat16"

    def device(self, x: Any) -> Any:
        return x.device

    def default_device(self) -> Any:
        return cupy.cuda.Device()

    def devices(self) -> list[Any]:
        return [cupy.cuda.Device(i) for i in range(cupy.cuda.runtime.getDeviceCount())]

    def native_device(self, device: Any) -> Any:
        if device is None or isinstance(device, cupy.cuda.Device):
            return device
        text = str(device)
        if text == "cuda" or text.startswith("cuda:"):
            return cupy.cuda.Device(int(text.partition(":")[2] or 0))
        return super().native_device(device)

    def device_str(self, device: Any) -> str:
        return f"cuda:{getattr(device, 'id', 0)}"

    def owns_device(self, device: Any) -> bool:
        return isinstance(device, cupy.cuda.Device)

    def facts(self, x: Any) -> Facts:
        name = self.dtype_of(x)
        return Facts(
            backend=self.name,
            dtype=name,
            shape=tuple(x.shape),
            device=self.device_str(x.device),
            strides=tuple(x.strides),
            data_ptr=int(x.data.ptr),
            itemsize=x.itemsize,
            c_contiguous=bool(x.flags.c_contiguous),
            f_contiguous=bool(x.flags.f_contiguous),
        )

    def traits(self, x: Any) -> Any:
        # Device memory, always writable: DLPack consumers refuse negative strides (torch
        # would crash on them), so they are part of what decides.
        return x.dtype, x.device.id, min(x.strides, default=0) < 0, x.flags.c_contiguous

    # ------------------------------------------------------------------ conversion primitives

    def _on(self, device: Any) -> Any:
        native = self.native_device(device)
        return contextlib.nullcontext() if native is None else native

    def asarray(
        self, obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None
    ) -> Any:
        with self._on(device):
            if copy:
                return cupy.array(obj, dtype=self.native_dtype(dtype), copy=True)
            return cupy.asarray(obj, dtype=self.native_dtype(dtype))

    def copy(self, x: Any) -> Any:
        with x.device:  # ndarray.copy() allocates on the *current* device
            return x.copy()

    def astype(self, x: Any, dtype: Any) -> Any:
        return x.astype(self.native_dtype(dtype))

    def random_source(self, seed: Any, device: Any) -> Any:
        return _CupyRandom(seed, self.native_device(device))

    negative_strides_ok = True

    def from_dlpack(self, x: Any, *, device: Any = None, copy: bool | None = None) -> Any:
        return cupy.from_dlpack(x)

    def to_host(self, x: Any) -> Any:
        return cupy.asnumpy(x)

    def from_host(self, a: Any, device: str) -> Any:
        with self.native_device(device):
            return cupy.array(a, copy=True)

    def to_device(self, x: Any, device: Any) -> Any:
        # cupy.asarray would return `x` where it is; copy() allocates on the current device.
        with self.native_device(device):
            return x.copy()

"""array-api-strict: the standard's reference library, with fake devices for device tests."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

import array_api_strict
import numpy as np

from ._base import Adapter, Facts

_DEVICE_NAME = re.compile(r"Device\('([^']*)'\)")


def _astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    # array-api-strict reads an explicit device=None as "the default device"; the standard
    # says None keeps x's device.
    return array_api_strict.astype(
        x, dtype, copy=copy, device=x.device if device is None else device
    )


def _isin(x1: Any, x2: Any, /, *, invert: bool = False) -> Any:
    # array-api-strict 2.6 ignores invert=True.
    found = array_api_strict.isin(x1, x2)
    return array_api_strict.logical_not(found) if invert else found


def _negative_axis(function: Any) -> Any:
    """`function` of two arrays taking only a negative ``axis``, also given a non-negative one
    (NumPy's habit; unambiguous when both arrays have the same rank)."""

    def call(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
        if axis >= 0 and x1.ndim == x2.ndim:
            axis -= x1.ndim
        return function(x1, x2, axis=axis)

    call.__name__ = function.__name__
    return call


class StrictAdapter(Adapter):
    name = "array_api_strict"
    array_type_name = "array_api_strict.Array"

    def __init__(self) -> None:
        super().__init__()
        self.overrides["astype"] = _astype
        self.overrides["isin"] = _isin
        self.overrides["vecdot"] = _negative_axis(array_api_strict.vecdot)
        self.overrides["linalg.vecdot"] = self.overrides["vecdot"]
        self.overrides["linalg.cross"] = _negative_axis(array_api_strict.linalg.cross)

    @cached_property
    def module(self) -> Any:
        return array_api_strict

    @cached_property
    def xp(self) -> Any:
        return array_api_strict

    def device_str(self, device: Any) -> str:
        match = _DEVICE_NAME.search(repr(device))
        name = match.group(1) if match else str(device)
        # Its fake devices (device1, device2...) stand for accelerators: never the host.
        return "cpu" if name == "CPU_DEVICE" else f"array_api_strict:{name}"

    def owns_device(self, device: Any) -> bool:
        return isinstance(device, array_api_strict.Device)

    def facts(self, x: Any) -> Facts:
        base = super().facts(x)
        if base.device != "cpu":
            return base
        host = np.asarray(x)  # the buffer protocol: a view of the same memory
        return Facts(
            backend=self.name,
            dtype=base.dtype,
            shape=base.shape,
            device="cpu",
            strides=host.strides,
            data_ptr=host.__array_interface__["data"][0],
            itemsize=host.itemsize,
            c_contiguous=host.flags.c_contiguous,
            f_contiguous=host.flags.f_contiguous,
        )

    def copy(self, x: Any) -> Any:
        return array_api_strict.asarray(x, copy=True)

    negative_strides_ok = True

    def share_refusals(self, facts: Facts, *, copy: bool | None) -> list[str]:
        # Writes go through NumPy, which refuses read-only memory: only byte order matters.
        if facts.byteswapped:
            return ["the input is byte-swapped, which array-api-strict cannot represent"]
        return []

    def native_imports(self) -> dict[str, tuple[str, Any]]:
        return {"numpy": ("array_api_strict.asarray (shares NumPy's buffer)", _wrap_numpy)}

    def to_host(self, x: Any) -> Any:
        return np.array(np.asarray(x.to_device(array_api_strict.Device("CPU_DEVICE"))), copy=True)

    def to_device(self, x: Any, device: Any) -> Any:
        return x.to_device(self.native_device(device))

    def native_device(self, device: Any) -> Any:
        if isinstance(device, str) and device == "cpu":
            return array_api_strict.Device("CPU_DEVICE")
        if isinstance(device, str) and device.startswith("array_api_strict:"):
            return array_api_strict.Device(device.partition(":")[2])
        return super().native_device(device)


def _wrap_numpy(a: Any) -> Any:
    return array_api_strict.asarray(a, copy=None)

"""array-api-strict: the standard's reference library, with fake devices for device tests."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

import array_api_strict
import numpy as np

from ._base import Adapter, Facts, Route

_DEVICE_NAME = re.compile(r"Device\('([^']*)'\)")


class StrictAdapter(Adapter):
    name = "array_api_strict"
    array_type_name = "array_api_strict.Array"

    @cached_property
    def module(self) -> Any:
        return array_api_strict

    @cached_property
    def xp(self) -> Any:
        return array_api_strict

    def device_str(self, device: Any) -> str:
        name = _device_name(device)
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
            readonly=not host.flags.writeable,
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

    def import_route(self, source: str, *, chunks: Any = None, copy: bool = False) -> Route:
        """array-api-strict wraps a NumPy array: other libraries go through NumPy's route."""
        wrap = Route("array_api_strict.asarray", _wrap_numpy, "it wraps NumPy's buffer")
        if source == "numpy":
            return wrap
        from . import get_adapter

        host = get_adapter("numpy").import_route(source, copy=copy)

        def run(x: Any) -> Any:
            return _wrap_numpy(host.run(x))

        return Route(f"{host.name} + {wrap.name}", run, f"{host.why}; {wrap.why}", host.copies)

    def to_host(self, x: Any) -> Any:
        return np.array(np.asarray(x.to_device(array_api_strict.Device("CPU_DEVICE"))), copy=True)

    def to_device(self, x: Any, device: Any) -> Any:
        return x.to_device(self.native_device(device))

    def native_device(self, device: Any) -> Any:
        if isinstance(device, str):
            # "cpu", "array_api_strict:device1" (how xpbridge names it) or plain "device1".
            name = "CPU_DEVICE" if device == "cpu" else device.removeprefix("array_api_strict:")
            if any(_device_name(d) == name for d in self.devices()):
                return array_api_strict.Device(name)
        return super().native_device(device)


def _device_name(device: Any) -> str:
    match = _DEVICE_NAME.search(repr(device))
    return match.group(1) if match else str(device)


def _wrap_numpy(a: Any) -> Any:
    return array_api_strict.asarray(a, copy=None)

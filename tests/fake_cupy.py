"""A small stand-in for CuPy, so that the CuPy adapter's conversion *policy* runs without a GPU.

Its ``ndarray`` keeps its values in a NumPy array but behaves, where conversions can tell,
like device memory: it reports a CUDA device (``__dlpack_device__() == (2, 0)``), refuses
implicit conversion to NumPy (``np.asarray`` raises, as CuPy does), and reaches the host only
through ``asnumpy``/``get``. It is not a GPU simulator: results that would need real device
memory (DLPack capsules pointing at it) are not produced, so tests check plans there.

Install it with the ``fake_cupy`` fixture of ``tests/test_convert_cupy.py``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Self

import numpy as np

__version__ = "13.0.0+fake"
_CUDA = 2  # kDLCUDA
_DEVICE_COUNT = 2
_current = [0]
#: Every host <-> device transfer, for tests that count copies.
transfers: list[str] = []


class Device:
    """``cupy.cuda.Device``: an id, usable as a context manager selecting it."""

    def __init__(self, device: int | None = None) -> None:
        self.id = _current[0] if device is None else int(device)
        if not 0 <= self.id < _DEVICE_COUNT:
            msg = f"invalid device ordinal {self.id}"
            raise ValueError(msg)
        self._previous: list[int] = []

    def __enter__(self) -> Self:
        self._previous.append(_current[0])
        _current[0] = self.id
        return self

    def __exit__(self, *exc: object) -> None:
        _current[0] = self._previous.pop()

    def use(self) -> None:
        _current[0] = self.id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("cuda", self.id))

    def __repr__(self) -> str:
        return f"<CUDA Device {self.id}>"


cuda = SimpleNamespace(
    Device=Device,
    runtime=SimpleNamespace(getDeviceCount=lambda: _DEVICE_COUNT),
    is_available=lambda: True,
)


class ndarray:  # noqa: N801 - CuPy's name
    """Device memory (simulated by a NumPy array) on one CUDA device."""

    __array_priority__ = 100

    def __init__(self, host: np.ndarray, device: int) -> None:
        self._host = host
        self._device = device

    # -- what CuPy arrays expose
    shape = property(lambda self: self._host.shape)
    dtype = property(lambda self: self._host.dtype)
    ndim = property(lambda self: self._host.ndim)
    size = property(lambda self: self._host.size)
    strides = property(lambda self: self._host.strides)
    itemsize = property(lambda self: self._host.itemsize)
    nbytes = property(lambda self: self._host.nbytes)
    flags = property(lambda self: self._host.flags)
    device = property(lambda self: Device(self._device))
    T = property(lambda self: ndarray(self._host.T, self._device))

    @property
    def data(self) -> Any:
        return SimpleNamespace(ptr=self._host.__array_interface__["data"][0])

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        msg = (
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to "
            "construct a NumPy array explicitly."
        )
        raise TypeError(msg)

    def __dlpack_device__(self) -> tuple[int, int]:
        return (_CUDA, self._device)

    def __dlpack__(self, **kwargs: Any) -> Any:
        msg = "fake_cupy arrays hold no device memory to export; test the plan instead"
        raise BufferError(msg)

    def __getitem__(self, index: Any) -> ndarray:
        return ndarray(np.asarray(self._host[index]), self._device)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._host[index] = value._host if isinstance(value, ndarray) else value

    def __len__(self) -> int:
        return len(self._host)

    def __repr__(self) -> str:
        return f"array({self._host.tolist()!r}, dtype={self.dtype}) on {self.device!r}"

    def copy(self) -> ndarray:
        # CuPy copies onto the *current* device.
        return ndarray(self._host.copy(), _current[0])

    def astype(self, dtype: Any, copy: bool = True) -> ndarray:
        return ndarray(self._host.astype(dtype, copy=copy), self._device)

    def reshape(self, *shape: Any) -> ndarray:
        return ndarray(self._host.reshape(*shape), self._device)

    def get(self) -> np.ndarray:
        transfers.append(f"cuda:{self._device} -> host")
        return np.array(self._host, copy=True)


def _upload(obj: Any, dtype: Any = None) -> ndarray:
    if isinstance(obj, ndarray):
        return ndarray(obj._host.astype(dtype or obj.dtype, copy=True), _current[0])
    transfers.append(f"host -> cuda:{_current[0]}")
    return ndarray(np.array(obj, dtype=dtype, copy=True), _current[0])


def array(obj: Any, dtype: Any = None, copy: bool = True) -> ndarray:
    return _upload(obj, dtype)


def asarray(obj: Any, dtype: Any = None) -> ndarray:
    if isinstance(obj, ndarray) and (dtype is None or np.dtype(dtype) == obj.dtype):
        return obj  # CuPy returns its own arrays as they are, on whatever device
    return _upload(obj, dtype)


def asnumpy(a: Any) -> np.ndarray:
    return a.get() if isinstance(a, ndarray) else np.asarray(a)


def from_dlpack(x: Any) -> ndarray:
    device = getattr(x, "__dlpack_device__", lambda: (1, 0))()
    if device[0] != _CUDA:
        msg = f"CuPy imports only CUDA memory through DLPack; got device {device}"
        raise BufferError(msg)
    msg = "fake_cupy cannot import device memory; test the plan instead"
    raise BufferError(msg)


def get_array_module(*arrays: Any) -> Any:
    import sys

    return sys.modules[__name__] if any(isinstance(a, ndarray) for a in arrays) else np

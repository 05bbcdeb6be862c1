"""array-api-strict: the standard's reference library, with fake devices for device tests."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

import array_api_strict
import array_api_strict._devices
import numpy as np

from .._deviation import Deviation
from .._taxonomy import wording
from ._base import Adapter, Facts, Route
from ._host import frozen, ndarray_traits, writeable

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


def _broadcast_arrays(*arrays: Any) -> tuple[Any, ...]:
    # array-api-strict wraps numpy.broadcast_arrays, whose views warn (FutureWarning) on any
    # use of their writeable flag; broadcast_to's are plainly read-only.
    shape = array_api_strict.broadcast_shapes(*(a.shape for a in arrays))
    return tuple(array_api_strict.broadcast_to(a, shape) for a in arrays)


def _negative_axis(function: Any) -> Any:
    """`function` of two arrays taking only a negative ``axis``, also given a non-negative one
    (NumPy's habit; unambiguous when both arrays have the same rank)."""

    def call(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
        if axis >= 0 and x1.ndim == x2.ndim:
            axis -= x1.ndim
        return function(x1, x2, axis=axis)

    call.__name__ = function.__name__
    return call


# Its own CPU device object (arrays hold this one: an identity test, not its __eq__).
_CPU = getattr(array_api_strict._devices, "CPU_DEVICE", None) or array_api_strict.Device(
    "CPU_DEVICE"
)


class StrictAdapter(Adapter):
    name = "array_api_strict"
    array_type_name = "array_api_strict.Array"
    deviations = (
        Deviation(
            "array_api_strict",
            "floor_divide",
            "array-api-strict (NumPy's kernels) follows Python's floor division at "
            "infinities: an infinity divided by a finite number gives NaN, and a finite "
            "number divided by an infinity of the other sign gives -1; the standard "
            "prefers floor(x1 / x2) (+-infinity and -0) and notes that libraries "
            "may match Python instead",
            dtypes=("float32", "float64"),
            kind="differs",
            case="special cases",
        ),
        Deviation(
            "array_api_strict",
            "expm1",
            "array-api-strict (NumPy's kernels) computes complex expm1 without the standard's "
            "special cases at infinities and NaN (expm1(+inf + 0j) gives inf + NaN j, "
            "expm1(-inf + inf j) NaN + NaN j, not -1 + 0j)",
            dtypes=("complex64", "complex128"),
            kind="differs",
            case="special cases",
        ),
        Deviation(
            "array_api_strict",
            "einsum",
            "array-api-strict implements only the standard, which has no einsum",
        ),
    )
    copy_refusals = ("Incompatible shape for in-place modification",)
    # Python ints beyond an integer dtype: wrapped (JAX) or refused in comparisons (strict).
    wraps_int_scalars = True
    # Its refusals of dtypes outside a function's domain ("Only real floating-point dtypes
    # are allowed in hypot(...)").
    dtype_refusals = (r"^Only [\w -]+ dtypes are allowed in",)

    def __init__(self) -> None:
        super().__init__()
        self.overrides["astype"] = _astype
        self.overrides["isin"] = _isin
        self.overrides["broadcast_arrays"] = _broadcast_arrays
        self.overrides["vecdot"] = _negative_axis(array_api_strict.vecdot)
        self.overrides["linalg.vecdot"] = self.overrides["vecdot"]
        self.overrides["linalg.cross"] = _negative_axis(array_api_strict.linalg.cross)

    @cached_property
    def module(self) -> Any:
        return array_api_strict

    @cached_property
    def xp(self) -> Any:
        return array_api_strict

    def translate_error(self, exc: BaseException, function: str) -> Exception | None:
        text = str(exc)
        if isinstance(exc, TypeError) and (
            "cannot be type promoted" in text or "can only be promoted with" in text
        ):
            from .._errors import UnsupportedDTypeError

            msg = (
                f"{function}: {text}: the standard leaves mixing kinds (integers with "
                "floats...) unspecified and array-api-strict refuses it; cast first, e.g. "
                "xb.astype(x, xb.float64)"
            )
            return UnsupportedDTypeError(msg)
        if isinstance(exc, ValueError) and "different devices" in text:
            from .._errors import DeviceMismatchError

            msg = (
                f"{function}: {exc} xpbridge never moves data implicitly: move them first "
                "with xb.to(x, 'array_api_strict', device=...)"
            )
            return DeviceMismatchError(msg)
        return super().translate_error(exc, function)

    error_wording = (
        wording(
            TypeError,
            r"only .* dtypes are allowed in|not allowed in|dtype .* not supported",
            "dtype",
        ),
        wording(OverflowError, r"", "overflow"),
    )

    def device_str(self, device: Any) -> str:
        name = _device_name(device)
        # Its fake devices (device1, device2...) stand for accelerators: never the host.
        return "cpu" if name == "CPU_DEVICE" else f"array_api_strict:{name}"

    def owns_device(self, device: Any) -> bool:
        return isinstance(device, array_api_strict.Device)

    def traits(self, x: Any) -> Any:
        # Its own attributes, as its functions read them: the public ones (x.device,
        # np.asarray(x)) go through Python-level properties, __eq__ and __array__, several
        # times the cost of the conversion itself.
        try:
            device, host = x._device, x._array
        except AttributeError:  # another version's internals: the public way
            device, host = x.device, None
        if device is not _CPU and device != _CPU:
            return x.dtype, device  # a fake device: no memory to look at
        return ndarray_traits(np.asarray(x) if host is None else host)

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
            readonly=not writeable(host),
            frozen=frozen(host),
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

    def host_export(self, dtype: str) -> Route | None:
        return _EXPORT

    def host_import(self, dtype: str, *, chunks: Any = None) -> Route | None:
        return _IMPORT

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


_EXPORT = Route("numpy.asarray", np.asarray, "the buffer protocol: a view that keeps read-only")
_IMPORT = Route("array_api_strict.asarray", _wrap_numpy, "it wraps NumPy's buffer")

"""NumPy: the default backend and the host-memory hub of conversions."""

from __future__ import annotations

import sys
import warnings
from functools import cached_property
from typing import TYPE_CHECKING, Any

import array_api_compat.numpy as compat_numpy
import numpy as np

from .._dtypes import DTYPES, dtype_name
from .._errors import DeviceMismatchError, UnsupportedDTypeError
from ._base import Adapter, Facts, Route

if TYPE_CHECKING:
    from collections.abc import Callable

# Standard functions whose array-api-compat version only forwards to NumPy when called with
# arrays alone; NumPy's own function is exact there and saves the wrapper's call.
_NATIVE_WHEN_PLAIN = ("matmul", "permute_dims", "matrix_transpose", "tensordot", "vecdot")


_NAMES: dict[Any, str] = {}


def _tensor_numpy(t: Any) -> Any:
    # bfloat16 has no NumPy dtype; ml_dtypes (if loaded) supplies one with the same bits.
    if str(t.dtype) == "torch.bfloat16":
        import ml_dtypes
        import torch

        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def _copy_to_numpy(x: Any) -> Any:
    return np.array(x, copy=True)


def _fast_from_torch(t: Any) -> Any:
    try:
        return t.numpy()  # refuses grad, lazy bits, GPUs and bfloat16: those get planned
    except (RuntimeError, TypeError):
        return NotImplemented


# The NumPy dtypes of the standard's dtypes: what a view may carry (bfloat16 comes from
# ml_dtypes, which JAX loads).
_VIEWABLE = frozenset(np.dtype(name) for name in DTYPES if name != "bfloat16")
# JAX shardings seen so far -> whether they place the whole array in this host's memory.
_ON_HOST: dict[Any, bool] = {}


def _jax_view(x: Any) -> Any:
    # A read-only view of a JAX array in host memory; dtypes beyond the standard's, tracers
    # and deleted arrays get planned.
    try:
        view = np.asarray(x)
    except Exception:  # noqa: BLE001 - whatever it is, the planner explains it
        return NotImplemented
    if view.dtype in _VIEWABLE or view.dtype.name == "bfloat16":
        return view
    return NotImplemented


def _fast_from_jax(x: Any) -> Any:
    # With an accelerator or several devices, only arrays wholly on one CPU device are
    # viewed here (np.asarray of a GPU array would keep a host copy cached on it).
    try:
        sharding = x.sharding
        on_host = _ON_HOST.get(sharding)
        if on_host is None:
            devices = sharding.device_set
            on_host = len(devices) == 1 and next(iter(devices)).platform == "cpu"
            _ON_HOST[sharding] = on_host
    except Exception:  # noqa: BLE001 - a tracer or a deleted array: the planner explains
        return NotImplemented
    return _jax_view(x) if on_host else NotImplemented


def _fast_from_dask(x: Any) -> Any:
    # Dask computes into new NumPy memory, as the planner's compute step does; CuPy-backed
    # arrays and dtypes beyond the standard's get planned.
    if type(x._meta) is not np.ndarray or x.dtype not in _VIEWABLE:
        return NotImplemented
    from . import get_adapter

    return get_adapter("dask").compute(x)  # type: ignore[attr-defined]  # DaskAdapter's


def _jax_route() -> Callable[[Any], Any]:
    import jax

    devices = jax.devices()
    if len(devices) == 1 and devices[0].platform == "cpu":
        return _jax_view  # JAX has one device, the CPU: every array is in host memory
    return _fast_from_jax


def _fast_from_strict(x: Any) -> Any:
    try:
        return np.asarray(x)  # the array's own NumPy buffer; refuses its fake devices
    except RuntimeError:
        return NotImplemented


_FAST_IMPORTS = {
    "torch": _fast_from_torch,
    "array_api_strict": _fast_from_strict,
    "dask": _fast_from_dask,
}


def _clip(x: Any, /, min: Any = None, max: Any = None) -> Any:
    # array-api-compat 1.16 writes into array bounds (which fails on read-only ones); this
    # never touches its inputs. The result keeps x's dtype, as the standard says.
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.integer):
        info = np.iinfo(x.dtype)
        # Python ints beyond the dtype's range bound nothing (and NumPy 2 refuses them).
        if isinstance(min, int) and not isinstance(min, bool) and min <= info.min:
            min = None
        if isinstance(max, int) and not isinstance(max, bool) and max >= info.max:
            max = None
    result = x
    if min is not None:
        result = np.maximum(result, min)
    if max is not None:
        result = np.minimum(result, max)
    result = result.astype(x.dtype, copy=result is x)
    return result[()] if result.ndim == 0 else result  # NumPy scalars for 0-d, as NumPy does


def _broadcast_arrays(*arrays: Any) -> tuple[Any, ...]:
    # Read-only views: NumPy warns on any use of the writeable flag of broadcast views and
    # will make them read-only; writing through them would write one element many times.
    views = np.broadcast_arrays(*arrays)
    for view in views:
        view.flags.writeable = False
    return tuple(views)


def writeable(a: Any) -> bool:
    """Whether NumPy lets `a` be written, counting ``broadcast_arrays`` views as read-only.

    NumPy warns (a FutureWarning) on any read of those views' writeable flag, and will make
    them read-only; only broadcast (zero-stride) views carry that flag, so others read it
    directly.
    """
    if 0 not in a.strides:
        return bool(a.flags.writeable)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FutureWarning)
        flag = bool(a.flags.writeable)
    return flag and not caught


class NumpyAdapter(Adapter):
    name = "numpy"
    array_type_name = "numpy.ndarray"
    copy_refusals = ("Unable to avoid creating a copy",)

    def __init__(self) -> None:
        super().__init__()
        self.overrides["clip"] = _clip
        self.overrides["broadcast_arrays"] = _broadcast_arrays

    @cached_property
    def module(self) -> Any:
        return np

    @cached_property
    def xp(self) -> Any:
        return compat_numpy

    def translate_error(self, exc: BaseException, function: str) -> Exception | None:
        # A ufunc without a loop for the inputs' dtypes: strings, objects, dates...
        dtypes = getattr(exc, "dtypes", None)
        if isinstance(exc, TypeError) and (
            dtypes is not None or "not supported for the input types" in str(exc)
        ):
            names = ", ".join(str(d) for d in dtypes) if dtypes else "the inputs' dtypes"
            msg = (
                f"{function}: NumPy cannot compute this for {names}; xpbridge computes "
                "with the array API dtypes (booleans, integers, floats, complex): convert "
                "first, e.g. xb.astype(x, xb.float64)"
            )
            return UnsupportedDTypeError(msg)
        return None

    def fast_implementation(self, path: str) -> Callable[..., Any] | None:
        if path in _NATIVE_WHEN_PLAIN and hasattr(np, path):
            native: Callable[..., Any] = getattr(np, path)
            return native
        return None

    # NumPy's dtype objects rather than its scalar types: they carry byte order and work
    # with ml_dtypes' bfloat16 when that package is loaded.
    def native_dtype(self, dtype: Any) -> Any:
        if dtype is None:
            return None
        name = dtype_name(dtype)
        if name == "bfloat16":
            ml_dtypes = sys.modules.get("ml_dtypes")
            if ml_dtypes is None:
                msg = (
                    "NumPy has no bfloat16 dtype: pass dtype=xb.float32 to widen, or "
                    "`import ml_dtypes` (installed with JAX) for a NumPy bfloat16"
                )
                raise UnsupportedDTypeError(msg)
            return np.dtype(ml_dtypes.bfloat16)
        return np.dtype(str(name))

    def dtype_of(self, x: Any) -> str:
        dtype = x.dtype
        try:
            return _NAMES[dtype]  # dtype.name costs microseconds; a dict lookup does not
        except KeyError:
            pass
        name = dtype_name(dtype, strict=False)
        if name is not None:
            _NAMES[dtype] = name
        if name is None:
            msg = (
                f"NumPy dtype {x.dtype!r} has no array API counterpart (structured, object, "
                "string and datetime arrays are not arrays xpbridge can route or convert)"
            )
            raise UnsupportedDTypeError(msg)
        return name

    def device(self, x: Any) -> Any:
        return "cpu"

    def default_device(self) -> Any:
        return "cpu"

    def devices(self) -> list[Any]:
        return ["cpu"]

    def native_device(self, device: Any) -> Any:
        if device is None:
            return None
        if self.device_str(device) != "cpu":
            msg = (
                f"NumPy arrays live in host memory; device {device!r} is not available to "
                "NumPy. Use backend='torch' or 'cupy' for accelerator arrays"
            )
            raise DeviceMismatchError(msg)
        return "cpu"

    def facts(self, x: Any) -> Facts:
        if isinstance(x, np.generic):
            # A NumPy scalar is an immutable value without memory of its own to share.
            name = self.dtype_of(x)
            return Facts(
                backend=self.name,
                dtype=name,
                shape=(),
                device="cpu",
                itemsize=x.itemsize,
                readonly=True,
                c_contiguous=True,
                f_contiguous=True,
                byteswapped=not x.dtype.isnative,
                extra={"scalar": True},
            )
        name = self.dtype_of(x)
        flags = x.flags
        readonly = not writeable(x)
        return Facts(
            backend=self.name,
            dtype=name,
            shape=x.shape,
            device="cpu",
            strides=x.strides,
            data_ptr=x.__array_interface__["data"][0],
            itemsize=x.itemsize,
            readonly=readonly,
            c_contiguous=flags.c_contiguous,
            f_contiguous=flags.f_contiguous,
            byteswapped=not x.dtype.isnative,
        )

    def asarray(
        self, obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None
    ) -> Any:
        self.native_device(device)
        return np.asarray(obj, dtype=self.native_dtype(dtype), copy=copy)

    def copy(self, x: Any) -> Any:
        # Native byte order and positive strides, so that any library can alias the copy.
        x = np.asarray(x)
        return np.array(x, dtype=x.dtype.newbyteorder("="), copy=True)

    negative_strides_ok = True

    def share_refusals(self, facts: Facts, *, copy: bool | None) -> list[str]:
        return []  # NumPy can describe any host memory, read-only included

    def has_dtype(self, name: str) -> bool:
        return name != "bfloat16" or "ml_dtypes" in sys.modules

    def missing_dtype_message(self, name: str) -> str:
        return (
            "NumPy has no bfloat16 dtype: pass dtype=xb.float32 to widen, or `import "
            "ml_dtypes` (installed with JAX) to get one"
        )

    def native_imports(self) -> dict[str, Route]:
        return {
            "torch": Route("Tensor.numpy()", _tensor_numpy, "torch's own view, faster than DLPack"),
            "jax": Route(
                "numpy.asarray",
                np.asarray,
                "a read-only view of the immutable buffer (DLPack cannot carry bfloat16)",
            ),
            "array_api_strict": Route(
                "numpy.asarray", np.asarray, "the buffer protocol: a view that keeps read-only"
            ),
        }

    def copying_imports(self) -> dict[str, Route]:
        # A view of JAX memory is read-only; a copy asked for should be writable.
        return {"jax": Route("numpy.array", _copy_to_numpy, "a writable copy", copies=True)}

    def fast_import(self, source: str) -> Callable[[Any], Any] | None:
        return _jax_route() if source == "jax" else _FAST_IMPORTS.get(source)

    def to_host(self, x: Any) -> Any:
        return np.array(x, copy=True)

    def from_host(self, a: Any, device: str) -> Any:
        return np.array(a, copy=True)

    def astype(self, x: Any, dtype: Any) -> Any:
        return np.asarray(x).astype(self.native_dtype(dtype))

    def to_device(self, x: Any, device: Any) -> Any:
        self.native_device(device)
        return x

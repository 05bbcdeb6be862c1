"""NumPy: the default backend and the host-memory hub of conversions."""

from __future__ import annotations

import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any

import array_api_compat.numpy as compat_numpy
import numpy as np

from .._deviation import Deviation
from .._dtypes import DTYPES, dtype_name
from .._errors import DeviceNotAvailableError, UnsupportedDTypeError
from ._base import Adapter, Facts, Route
from ._host import frozen, host_copy, ndarray_traits, writeable

if TYPE_CHECKING:
    from collections.abc import Callable

# Standard functions whose array-api-compat version only forwards to NumPy when called with
# arrays alone; NumPy's own function is exact there and saves the wrapper's call.
_NATIVE_WHEN_PLAIN = ("matmul", "permute_dims", "matrix_transpose", "tensordot", "vecdot")


_NAMES: dict[Any, str] = {}
#: Canonical name -> NumPy's dtype object (bfloat16 aside: ml_dtypes may supply it).
_NUMPY_DTYPES = {name: np.dtype(name) for name in DTYPES if name != "bfloat16"}


# NumPy's view of host memory is the array itself: the identity route (no name).
_ITSELF = Route("", lambda a: a)


def _scalar_traits(x: Any) -> Any:
    return x.dtype  # a scalar is a value, always copied out of NumPy: its dtype decides


def _clip(x: Any, /, min: Any = None, max: Any = None) -> Any:
    # array-api-compat 1.16 writes into array bounds (which fails on read-only ones); this
    # never touches its inputs. The result keeps x's dtype, as the standard says.
    # (Python ints beyond the dtype's range never get here: the dispatcher drops such
    # bounds for every backend, _dispatch.standard_cases.)
    x = np.asarray(x)
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


def _no_counterpart(dtype: Any) -> str:
    """Why NumPy `dtype` is no dtype xpbridge computes with, and what to do instead."""
    if dtype.kind in "fc":  # extended precision (longdouble, clongdouble)
        wide = "complex128" if dtype.kind == "c" else "float64"
        return (
            f"NumPy dtype {dtype!r} (extended precision) has no array API counterpart; cast "
            f"it to {wide} first, x.astype(numpy.{wide}) (values round to 64-bit precision)"
        )
    if dtype.kind in "iub":  # an integer of a size no library shares (or non-native bool)
        return f"NumPy dtype {dtype!r} has no array API counterpart; cast it: x.astype(numpy.int64)"
    return (
        f"NumPy dtype {dtype!r} has no array API counterpart (structured, object, string and "
        "datetime arrays are not arrays xpbridge can route or convert); convert the values "
        "to numbers first, e.g. x.astype(numpy.float64)"
    )


#: NumPy's own choices where the standard's special cases say otherwise.
DEVIATIONS = (
    Deviation(
        "numpy",
        "floor_divide",
        "NumPy follows Python's floor division at infinities: an infinity divided by a finite "
        "number gives NaN, and a finite number divided by an infinity of the other sign gives "
        "-1; the standard prefers floor(x1 / x2) (+-infinity and -0) and notes that libraries "
        "may match Python instead",
        dtypes=("float32", "float64"),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "numpy",
        "expm1",
        "NumPy computes complex expm1 without the standard's special cases at infinities and "
        "NaN (expm1(+inf + 0j) gives inf + NaN j, expm1(-inf + inf j) NaN + NaN j, not -1 + 0j)",
        dtypes=("complex64", "complex128"),
        kind="differs",
        case="special cases",
    ),
)


class NumpyAdapter(Adapter):
    name = "numpy"
    deviations = DEVIATIONS
    array_type_name = "numpy.ndarray"
    copy_refusals = ("Unable to avoid creating a copy",)
    numpy_like = True

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
        return super().translate_error(exc, function)

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
        name = str(dtype_name(dtype))  # strict: a str, or it raised
        if name == "bfloat16":
            ml_dtypes = sys.modules.get("ml_dtypes")
            if ml_dtypes is None:
                msg = (
                    "NumPy has no bfloat16 dtype: pass dtype=xb.float32 to widen, or "
                    "`import ml_dtypes` (installed with JAX) for a NumPy bfloat16"
                )
                raise UnsupportedDTypeError(msg)
            return np.dtype(ml_dtypes.bfloat16)
        return _NUMPY_DTYPES[name]

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
            raise UnsupportedDTypeError(_no_counterpart(dtype))
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
            raise DeviceNotAvailableError(msg)
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
                frozen=True,
                c_contiguous=True,
                f_contiguous=True,
                byteswapped=not x.dtype.isnative,
                scalar=True,
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
            frozen=readonly and frozen(x),
            c_contiguous=flags.c_contiguous,
            f_contiguous=flags.f_contiguous,
            byteswapped=not x.dtype.isnative,
        )

    def traits(self, x: Any) -> Any:
        if isinstance(x, np.generic):
            return _scalar_traits(x)
        return ndarray_traits(x)

    def traits_of(self, cls: type) -> Callable[[Any], Any]:
        if cls is np.ndarray:
            return ndarray_traits
        return _scalar_traits if issubclass(cls, np.generic) else self.traits

    def asarray(
        self, obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None
    ) -> Any:
        self.native_device(device)
        return np.asarray(obj, dtype=self.native_dtype(dtype), copy=copy)

    def copy(self, x: Any) -> Any:
        # Native byte order and positive strides, so that any library can alias the copy.
        return host_copy(x)

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

    def host_export(self, dtype: str) -> Route | None:
        return _ITSELF

    def host_import(self, dtype: str, *, chunks: Any = None) -> Route | None:
        return _ITSELF

    def to_host(self, x: Any) -> Any:
        return np.array(x, copy=True)

    def from_host(self, a: Any, device: str) -> Any:
        return np.array(a, copy=True)

    def astype(self, x: Any, dtype: Any) -> Any:
        return np.asarray(x).astype(self.native_dtype(dtype))

    def to_device(self, x: Any, device: Any) -> Any:
        self.native_device(device)
        return x

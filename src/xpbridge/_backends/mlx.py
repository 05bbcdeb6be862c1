"""MLX: Apple's array library (its CPU build runs on Linux too); lazy, with functional grads.

MLX implements most of the array API (``mlx.core`` is close to a namespace of its own) and
evaluates lazily: operations build a graph that runs when a value is needed. Its memory is
host memory (unified memory on Apple silicon), mutable (``x[i] = v`` writes in place, when
``x`` is next evaluated), and NumPy views it zero-copy through the buffer protocol, which
evaluates the array first. MLX cannot alias memory it did not allocate: taking host data in
is always a copy (``mx.from_dlpack`` would also copy, but lazily and narrowing float64 to
float32, so ``mx.array`` is used). Its gradients are functional (``mx.grad``,
``mx.compile``), like JAX's: xb functions work inside them; nothing records a graph to cut,
so conversions never refuse for gradients.

What xpbridge adds, all of it built from MLX's own operations (so it stays lazy and
traceable by ``mx.grad`` and ``mx.compile``):

* the standard's keywords MLX lacks (``device=`` on creation functions, ``dtype=`` on sums,
  ``descending=`` on sorts, ``correction=`` on ``var``...), and the functions it lacks
  (``linalg.trace``, ``linalg.vector_norm``, ``fft.hfft``, ``copysign``...);
* the same integer dtypes as every other backend: MLX's own default integer is int32 and
  its index functions return uint32; xpbridge's MLX namespace has int64 as its default
  integer and index dtype (``argmax``, ``argsort``, ``searchsorted``, ``count_nonzero``,
  ``arange(5)``, ``sum`` of small integers...), one cheap cast. Floating defaults stay MLX's
  own (float32, complex64), as PyTorch's do;
* linear algebra on MLX's CPU stream, where MLX implements it (unified memory: no copy);
* exact integer matrix products (MLX's ``matmul`` multiplies floating-point numbers only).

What MLX cannot do is declared in :data:`DEVIATIONS`: it has no complex128 (so nothing that
would return one, such as the FFT or ``eig`` of float64 input), and no data-dependent
shapes (``nonzero``, ``unique_*``).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

import mlx.core as mx
import numpy as np

from .._deviation import Deviation
from .._dtypes import DTYPES, dtype_name, standard_promotion
from .._errors import (
    CopyRequiredError,
    UnsupportedDTypeError,
    UnsupportedOperationError,
)
from .._sizes import check_count, check_shape
from .._taxonomy import mistake, wording
from ._base import Adapter, Facts, Route, int_seed
from ._host import host_copy, ndarray_traits

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["MlxAdapter"]

#: Canonical name -> MLX dtype (MLX spells bool ``bool_``; it has no complex128).
_BY_NAME = {
    name: getattr(mx, attribute)
    for name in DTYPES
    if hasattr(mx, attribute := "bool_" if name == "bool" else name)
}
_NAMES = {dtype: name for name, dtype in _BY_NAME.items()}

#: xpbridge's default integer and index dtype on MLX: int64, as on every other backend
#: (MLX's own are int32, and uint32 for indices; see the module docstring).
_INT: Final = mx.int64
_UINT: Final = mx.uint64
#: MLX's default floating dtypes (its own; PyTorch's are the same).
_FLOAT: Final = mx.float32
_COMPLEX: Final = mx.complex64
_SCALARS: Final = (bool, int, float, complex)


# ---------------------------------------------------------------------- deviations

_NO_COMPLEX128 = (
    "MLX has no complex128 dtype (its complex numbers are complex64): xpbridge raises "
    "UnsupportedDTypeError rather than narrow them; compute in complex64 or in another "
    "backend (xb.to_numpy)"
)
_COMPLEX128_RESULT = (
    "the result would be complex128 (NumPy's for float64 and integer input), which MLX "
    "lacks: its own FFT and eigenvalues would silently be complex64; xpbridge raises "
    "UnsupportedDTypeError: cast to float32 first, or compute in another backend "
    "(xb.to_numpy)"
)
_NO_DATA_DEPENDENT_SHAPES = (
    "MLX computes only shapes known before the data (no data-dependent shapes); xpbridge "
    "raises UnsupportedOperationError: compute it in NumPy (xb.to_numpy) instead"
)
_FLOAT_MATMUL_ONLY = (
    "MLX's einsum contracts floating-point and complex arrays only (its matrix product has "
    "no integer kernels); xpbridge raises UnsupportedDTypeError: cast to a floating dtype "
    "first (float64 holds integers exactly up to 2^53)"
)
_INTEGRAL = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
#: Functions whose float64 input would give a complex128 result.
_COMPLEX_FROM_FLOAT64 = (
    "fft.fft",
    "fft.ifft",
    "fft.fftn",
    "fft.ifftn",
    "fft.rfft",
    "fft.rfftn",
    "fft.ihfft",
    "linalg.eig",
    "linalg.eigvals",
)

DEVIATIONS = (
    Deviation("mlx", "*", _NO_COMPLEX128, dtypes=("complex128",)),
    *(
        # (NumPy gives complex128 for integer input too: refused likewise.)
        Deviation("mlx", function, _COMPLEX128_RESULT, dtypes=("float64", *_INTEGRAL))
        for function in _COMPLEX_FROM_FLOAT64
    ),
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
    Deviation("mlx", "einsum", _FLOAT_MATMUL_ONLY, dtypes=_INTEGRAL),
    Deviation(
        "mlx",
        "expm1",
        "MLX has no complex expm1; xpbridge raises UnsupportedDTypeError: compute "
        "xb.exp(x) - 1, or in another backend",
        dtypes=("complex64",),
    ),
    # The standard's special cases MLX's kernels do not follow (its zeros' signs, NaN).
    Deviation(
        "mlx",
        "remainder",
        "MLX keeps the dividend's sign for a zero result where the standard gives the "
        "divisor's (remainder(-0, 1) is -0, not +0)",
        dtypes=("float32", "float64"),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "mlx",
        "sign",
        "MLX's sign of NaN is 0, where the standard says NaN",
        dtypes=("float32", "float64"),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "mlx",
        "sin",
        "MLX's sin of -0 is +0, where the standard keeps the zero's sign",
        dtypes=("float32",),
        kind="differs",
        case="special cases",
    ),
)


def _unavailable(path: str, reason: str) -> Callable[..., Any]:
    """A function that raises as xpbridge does for one the backend lacks (for generic
    functions, which would otherwise run until they reach the missing part)."""

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        msg = f"{path} is not available for mlx arrays: {reason}"
        raise UnsupportedOperationError(msg)

    unavailable.__name__ = path
    return unavailable


_PROMOTION: Final = "type promotion"


def _refuse(function: str, reason: str) -> UnsupportedDTypeError:
    return UnsupportedDTypeError(f"{function} is not available for these mlx arrays: {reason}")


def _no_complex128_from(function: str, x: Any) -> None:
    """Refuse input whose FFT or eigenvalues NumPy gives as complex128 (float64, integers)."""
    if x.dtype == mx.float64 or not mx.issubdtype(x.dtype, mx.inexact):
        raise _refuse(function, _COMPLEX128_RESULT)


# ---------------------------------------------------------------------- memory


def _view(x: Any) -> Any:
    """NumPy's zero-copy view of an MLX array (evaluating it; bfloat16 through ml_dtypes)."""
    if x.dtype == mx.bfloat16:
        import ml_dtypes

        return np.asarray(x.view(mx.uint16)).view(ml_dtypes.bfloat16)
    a = np.asarray(x)
    # MLX's buffer says "q"/"Q" (long long) for 64-bit integers, where NumPy's own int64 is
    # "l" on Linux: the same bytes, but a distinct type that torch.from_numpy refuses.
    if a.dtype.type is not np.dtype(a.dtype.name).type:
        return a.view(a.dtype.name)
    return a


def _copy_in(a: Any) -> Any:
    """A new MLX array holding a copy of the NumPy array `a`, in its dtype."""
    a = np.asarray(a)
    if not a.dtype.isnative or min(a.strides, default=0) < 0:
        a = host_copy(a)  # mx.array reads native, positively strided memory only
    name = a.dtype.name
    if name == "bfloat16":
        return mx.array(a.view(np.uint16)).view(mx.bfloat16)
    if name not in _BY_NAME:
        if name == "complex128":
            raise UnsupportedDTypeError(_NO_COMPLEX128)
        msg = f"MLX has no {name} dtype; pass dtype= to convert to one it has"
        raise UnsupportedDTypeError(msg)
    if not a.size:
        # MLX 0.32 reduces empty arrays made from host memory wrongly (all() is False,
        # prod() 0 over every axis): no memory to copy, so make a new one.
        return mx.zeros(a.shape, dtype=_BY_NAME[name])
    return mx.array(a, dtype=_BY_NAME[name])


_EXPORT = Route("numpy.asarray", _view, "MLX's buffer: a view of its memory (evaluates it)")
_IMPORT = Route("mlx.core.array", _copy_in, "MLX copies host memory into its own", copies=True)


def _holds_arrays(obj: Any) -> bool:
    """Whether a (nested) sequence holds anything but Python scalars."""
    if isinstance(obj, list | tuple):
        return any(_holds_arrays(item) for item in obj)
    return not isinstance(obj, _SCALARS)


def _from_python(obj: Any) -> Any:
    """MLX's array of Python scalars or sequences, with xpbridge's default integer (int64;
    MLX's own is int32). Floats and complex numbers take MLX's defaults."""
    made = mx.array(obj)
    if made.dtype == mx.int32 and not _holds_arrays(obj):
        return made.astype(_INT)
    return made


# ---------------------------------------------------------------------- the namespace


@dataclass(frozen=True, slots=True)
class _IInfo:
    """``iinfo`` as the standard has it (MLX's lacks ``bits``)."""

    bits: int
    max: int
    min: int
    dtype: Any


def _dtype_of(value: Any) -> Any:
    return value.dtype if isinstance(value, mx.array) else value


def _kind(dtype: Any) -> int:
    """bool 0 < integer 1 < real floating 2 < complex 3."""
    if dtype == mx.bool_:
        return 0
    if mx.issubdtype(dtype, mx.integer):
        return 1
    return 3 if mx.issubdtype(dtype, mx.complexfloating) else 2


_SCALAR_KIND: Final = {bool: 0, int: 1, float: 2, complex: 3}


def _promote(a: Any, b: Any) -> Any:
    """The standard's result dtype of two MLX dtypes, where it has one (and MLX holds it),
    else MLX's own choice (integers with floats, uint64 with signed integers)."""
    names = _NAMES.get(a), _NAMES.get(b)
    found = standard_promotion(*names) if None not in names else None  # type: ignore[arg-type]
    if found is None:
        return mx.result_type(a, b)
    if found not in _BY_NAME:
        raise _refuse(_PROMOTION, _NO_COMPLEX128)
    return _BY_NAME[found]


def _with_scalar(dtype: Any, scalar: Any) -> Any:
    """The result dtype of an array of `dtype` with a Python scalar (weakly typed)."""
    kind = next(k for t, k in _SCALAR_KIND.items() if isinstance(scalar, t))
    own = _kind(dtype)
    if kind <= own:
        return dtype  # the array's dtype wins within its kind, and over lower kinds
    if kind == 1:
        return _INT
    if kind == 2:
        return _FLOAT  # MLX's choice for integers with floats (unspecified by the standard)
    if dtype == mx.float64:
        raise _refuse(_PROMOTION, _NO_COMPLEX128)
    return _COMPLEX


def _result_type(*arrays_and_dtypes: Any) -> Any:
    dtypes = [_dtype_of(v) for v in arrays_and_dtypes if not isinstance(v, _SCALARS)]
    scalars = [v for v in arrays_and_dtypes if isinstance(v, _SCALARS)]
    if not dtypes:
        msg = "result_type needs at least one array or dtype"
        raise ValueError(msg)
    result = dtypes[0]
    for dtype in dtypes[1:]:
        result = _promote(result, dtype)
    for scalar in scalars:
        result = _with_scalar(result, scalar)
    return result


def _finfo(type: Any, /) -> Any:
    return mx.finfo(_dtype_of(type))


def _iinfo(type: Any, /) -> _IInfo:
    dtype = _dtype_of(type)
    info = mx.iinfo(dtype)
    return _IInfo(bits=dtype.size * 8, max=int(info.max), min=int(info.min), dtype=dtype)


class _Info:
    """MLX's inspection object, with xpbridge's default integer and index dtype (int64)."""

    def __init__(self) -> None:
        self._own = mx.__array_namespace_info__()

    def capabilities(self) -> dict[str, Any]:
        return dict(self._own.capabilities())

    def default_device(self) -> Any:
        return self._own.default_device()

    def devices(self) -> Any:
        return self._own.devices()

    def default_dtypes(self, *, device: Any = None) -> dict[str, Any]:
        return {
            "real floating": _FLOAT,
            "complex floating": _COMPLEX,
            "integral": _INT,
            "indexing": _INT,
        }

    def dtypes(self, *, device: Any = None, kind: Any = None) -> dict[str, Any]:
        return dict(self._own.dtypes(kind=kind))


class _Namespace:
    """``mlx.core`` as xpbridge reads it: MLX's own functions, with the data type functions
    and the inspection object the standard describes (the rest are the adapter's
    overrides)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(mx, name)

    finfo = staticmethod(_finfo)
    iinfo = staticmethod(_iinfo)
    result_type = staticmethod(_result_type)

    @staticmethod
    def __array_namespace_info__() -> _Info:
        return _Info()


# ---------------------------------------------------------------------- helpers


def _cast(x: Any, dtype: Any) -> Any:
    return x if dtype is None or x.dtype == dtype else x.astype(dtype)


def _stream(device: Any) -> Any:
    """Where a creation runs: the device asked for (MLX arrays live in unified memory, so
    this chooses where the operation runs, not where the array is)."""
    return device if isinstance(device, mx.Device) else None


def _axis(axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        msg = f"axis {axis} is out of bounds for an array of {ndim} dimensions"
        raise IndexError(msg)
    return axis % ndim


def _axes(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        return (_axis(axis, ndim),)
    return tuple(_axis(a, ndim) for a in axis)


def _accumulator(x: Any, dtype: Any) -> Any:
    """The dtype the standard sums (and multiplies) `x` in: `dtype` if given, else the
    default integer for booleans and signed integers, its unsigned twin for unsigned ones,
    `x`'s own for floating dtypes."""
    if dtype is not None:
        return dtype
    if x.dtype == mx.bool_ or mx.issubdtype(x.dtype, mx.signedinteger):
        return _INT
    if mx.issubdtype(x.dtype, mx.unsignedinteger):
        return _UINT
    return x.dtype


# ---------------------------------------------------------------------- creation


def _arange(
    start: float,
    /,
    stop: float | None = None,
    step: float = 1,
    *,
    dtype: Any = None,
    device: Any = None,
) -> Any:
    if dtype is None:
        whole = all(isinstance(v, int) for v in (start, stop, step) if v is not None)
        dtype = _INT if whole else _FLOAT
    if stop is None:
        start, stop = 0, start
    return mx.arange(start, stop, step, dtype=dtype, stream=_stream(device))


def _zeros(shape: Any, *, dtype: Any = None, device: Any = None) -> Any:
    return mx.zeros(shape, dtype=dtype or _FLOAT, stream=_stream(device))


def _ones(shape: Any, *, dtype: Any = None, device: Any = None) -> Any:
    return mx.ones(shape, dtype=dtype or _FLOAT, stream=_stream(device))


def _scalar_dtype(value: Any) -> Any:
    if isinstance(value, bool):
        return mx.bool_
    if isinstance(value, int):
        return _INT
    return _COMPLEX if isinstance(value, complex) else _FLOAT


def _full(shape: Any, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Any:
    if dtype is None:
        dtype = fill_value.dtype if isinstance(fill_value, mx.array) else _scalar_dtype(fill_value)
    return mx.full(shape, fill_value, dtype=dtype, stream=_stream(device))


def _eye(
    n_rows: int, n_cols: int | None = None, /, *, k: int = 0, dtype: Any = None, device: Any = None
) -> Any:
    return mx.eye(n_rows, n_cols, k=k, dtype=dtype or _FLOAT, stream=_stream(device))


def _linspace(
    start: Any,
    stop: Any,
    /,
    num: int = 50,
    *,
    dtype: Any = None,
    device: Any = None,
    endpoint: bool = True,
) -> Any:
    if dtype is None:
        dtype = _COMPLEX if isinstance(start, complex) or isinstance(stop, complex) else _FLOAT
    if mx.issubdtype(dtype, mx.complexfloating):
        real = _linspace(
            complex(start).real, complex(stop).real, num, device=device, endpoint=endpoint
        )
        imag = _linspace(
            complex(start).imag, complex(stop).imag, num, device=device, endpoint=endpoint
        )
        return (real + 1j * imag).astype(dtype)
    return mx.linspace(start, stop, num, endpoint=endpoint, dtype=dtype, stream=_stream(device))


def _like(make: Callable[..., Any]) -> Callable[..., Any]:
    def like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Any:
        return make(x, dtype=dtype or x.dtype, stream=_stream(device))

    like.__name__ = make.__name__
    return like


def _full_like(x: Any, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Any:
    return mx.full_like(x, fill_value, dtype=dtype or x.dtype, stream=_stream(device))


def _fftfreq(n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None) -> Any:
    dtype = dtype or _FLOAT
    stream = _stream(device)
    counts = mx.concatenate(
        [
            mx.arange(0, (n - 1) // 2 + 1, dtype=dtype, stream=stream),
            mx.arange(-(n // 2), 0, dtype=dtype, stream=stream),
        ]
    )
    return counts * (1.0 / (n * d))


def _rfftfreq(n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None) -> Any:
    dtype = dtype or _FLOAT
    return mx.arange(0, n // 2 + 1, dtype=dtype, stream=_stream(device)) * (1.0 / (n * d))


# ---------------------------------------------------------------------- data types


def _astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    if x.dtype == dtype:
        return mx.array(x) if copy else x
    return x.astype(dtype)


# ---------------------------------------------------------------------- statistics


def _count(x: Any, axis: Any) -> int:
    return math.prod(x.shape[a] for a in _axes(axis, x.ndim))


def _identity(x: Any, axis: Any, keepdims: bool, value: Any, dtype: Any) -> Any:
    """A reduction over no elements: its identity, in the reduced shape."""
    axes = _axes(axis, x.ndim)
    shape = [1 if a in axes else n for a, n in enumerate(x.shape) if keepdims or a not in axes]
    return mx.full(shape, value, dtype=dtype)


def _sum(x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    return mx.sum(_cast(x, _accumulator(x, dtype)), axis=axis, keepdims=keepdims)


def _prod(x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    dtype = _accumulator(x, dtype)
    if not _count(x, axis):  # MLX 0.32 gives 0 for some arrays without elements
        return _identity(x, axis, keepdims, 1, dtype)
    return mx.prod(_cast(x, dtype), axis=axis, keepdims=keepdims)


def _all(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    if not _count(x, axis):  # MLX 0.32 gives False for some arrays without elements
        return _identity(x, axis, keepdims, True, mx.bool_)
    return mx.all(x, axis=axis, keepdims=keepdims)


def _var(x: Any, /, *, axis: Any = None, correction: float = 0.0, keepdims: bool = False) -> Any:
    if float(correction).is_integer() and axis != ():
        return mx.var(x, axis=axis, keepdims=keepdims, ddof=int(correction))
    # A fractional correction (MLX's ddof is an integer), or no axis to reduce: by hand.
    axes = _axes(axis, x.ndim)
    centred = x - mx.mean(x, axis=axes, keepdims=True)
    squares = mx.sum(centred * centred, axis=axes, keepdims=keepdims)
    return squares / (_count(x, axes) - correction)


def _std(x: Any, /, *, axis: Any = None, correction: float = 0.0, keepdims: bool = False) -> Any:
    return mx.sqrt(_var(x, axis=axis, correction=correction, keepdims=keepdims))


def _cumulative(scan: Callable[..., Any], initial: int) -> Callable[..., Any]:
    def cumulative(
        x: Any, /, *, axis: int | None = None, dtype: Any = None, include_initial: bool = False
    ) -> Any:
        if axis is None:
            if x.ndim > 1:
                msg = "axis must be given for arrays of more than one dimension"
                raise ValueError(msg)
            axis = 0
        x = _cast(x, _accumulator(x, dtype))
        result = scan(x, axis=axis)
        if include_initial:
            shape = list(x.shape)
            shape[axis] = 1
            first = mx.full(shape, initial, dtype=result.dtype)
            result = mx.concatenate([first, result], axis=axis)
        return result

    cumulative.__name__ = scan.__name__
    return cumulative


# ---------------------------------------------------------------------- searching, sorting


def _index(found: Any) -> Any:
    return found.astype(_INT)  # MLX gives uint32 (argmax...) or int32 (count_nonzero)


def _arg(find: Callable[..., Any]) -> Callable[..., Any]:
    def arg(x: Any, /, *, axis: int | None = None, keepdims: bool = False) -> Any:
        if axis is not None:
            return _index(find(x, axis=axis, keepdims=keepdims))
        # Over the flattened array (MLX 0.32 fails on a 0-d array with keepdims=True).
        found = _index(find(mx.reshape(x, (-1,)), axis=0))
        return mx.reshape(found, (1,) * x.ndim) if keepdims else found

    arg.__name__ = find.__name__
    return arg


def _count_nonzero(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    return _index(mx.count_nonzero(x, axis=axis, keepdims=keepdims))


def _sort(x: Any, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Any:
    result = mx.sort(x, axis=axis)
    return mx.flip(result, axis=axis) if descending else result


def _argsort(x: Any, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Any:
    # MLX's sort is stable (a merge sort on every device); descending and stable: sort the
    # reversed array and map the indices back, so that ties keep their order.
    if not descending:
        return _index(mx.argsort(x, axis=axis))
    n = x.shape[axis]
    found = mx.flip(mx.argsort(mx.flip(x, axis=axis), axis=axis), axis=axis)
    return (n - 1) - _index(found)


def _searchsorted(x1: Any, x2: Any, /, *, side: str = "left", sorter: Any = None) -> Any:
    if sorter is not None:
        x1 = mx.take(x1, sorter)
    if isinstance(x2, _SCALARS):
        x2 = mx.array(x2, dtype=_with_scalar(x1.dtype, x2))
    return _index(mx.searchsorted(x1, x2, side=side))


# ---------------------------------------------------------------------- manipulation


def _moveaxis(x: Any, source: Any, destination: Any, /) -> Any:
    sources = _axes(source, x.ndim)
    targets = _axes(destination, x.ndim)
    if len(sources) != len(targets):
        msg = "moveaxis: source and destination must have the same number of axes"
        raise ValueError(msg)
    order = [a for a in range(x.ndim) if a not in sources]
    for target, source_axis in sorted(zip(targets, sources, strict=True)):
        order.insert(target, source_axis)
    return mx.transpose(x, order)


def _repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Any:
    if isinstance(repeats, int):
        length = x.size if axis is None else x.shape[axis]
        check_count(length * max(repeats, 0), "repeat", f"repeat({repeats})")
        return mx.repeat(x, repeats, axis=axis)
    # Per-element counts: the result's length is their sum, which only their values tell,
    # so they are read (evaluated; not inside mx.compile). `x` itself stays in the graph:
    # the result takes its elements by index.
    if axis is None:
        x, axis = mx.reshape(x, (-1,)), 0
    n = x.shape[axis]
    counts = np.broadcast_to(np.asarray(repeats), (n,))
    return mx.take(x, mx.array(np.repeat(np.arange(n), counts)), axis=axis)


def _shares(a: Any, b: Any) -> bool:
    """Whether the two evaluated arrays start at the same address (reshape's views do)."""
    return bool(_view(a).__array_interface__["data"][0] == _view(b).__array_interface__["data"][0])


# MLX's C++ core overflows (or raises TypeError) on shapes beyond 64 bits: these functions
# take a shape from their arguments, so it is checked first.


def _broadcast_to(x: Any, /, shape: tuple[int, ...]) -> Any:
    check_shape(shape, "broadcast_to")
    return mx.broadcast_to(x, shape)


def _tile(x: Any, repetitions: tuple[int, ...], /) -> Any:
    reps = tuple(repetitions)
    ndim = max(x.ndim, len(reps))
    shape = (1,) * (ndim - x.ndim) + tuple(x.shape)
    full = (1,) * (ndim - len(reps)) + reps
    check_shape(tuple(n * max(r, 0) for n, r in zip(shape, full, strict=True)), "tile")
    return mx.tile(x, reps)


# MLX takes indices out of range without a word (gathers clamp): where the values are known
# (not traced inside mx.compile), xpbridge checks them and raises as NumPy and torch do.


def _check_indices(indices: Any, n: int, function: str, axis: int | None) -> None:
    if not isinstance(indices, mx.array) or not indices.size:
        return
    try:
        low, high = int(np.asarray(mx.min(indices))), int(np.asarray(mx.max(indices)))
    except (RuntimeError, ValueError):  # traced: no values to look at
        return
    if low < -n or high >= n:
        bad = high if high >= n else low
        where = "the flattened array" if axis is None else f"axis {axis}"
        error = mistake(
            "index", function, f"index {bad} is out of bounds for {where} with size {n}"
        )
        raise error


def _take(x: Any, indices: Any, /, *, axis: int | None = None) -> Any:
    _check_indices(indices, x.size if axis is None else x.shape[axis], "take", axis)
    return mx.take(x, indices, axis=axis)


def _take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Any:
    _check_indices(indices, x.shape[axis], "take_along_axis", axis)
    return mx.take_along_axis(x, indices, axis=axis)


def _reshape(x: Any, /, shape: Any, *, copy: bool | None = None) -> Any:
    check_shape(tuple(shape), "reshape", wildcard=True)
    result = mx.reshape(x, shape)
    if copy:
        return mx.array(result)
    if copy is False and x.size and not _shares(result, x):
        # MLX decides when it evaluates whether a reshape is a view: copy=False needs the
        # answer now, so the arrays are evaluated.
        msg = (
            "reshape: copy=False, but MLX must copy this array to reshape it (its strides "
            "allow no such view); pass copy=None to allow a copy"
        )
        raise CopyRequiredError(msg)
    return result


def _diff(
    x: Any,
    /,
    *,
    axis: int = -1,
    n: int = 1,
    prepend: Any = None,
    append: Any = None,
) -> Any:
    parts = [part for part in (prepend, x, append) if part is not None]
    if len(parts) > 1:
        x = mx.concatenate(parts, axis=axis)
    return mx.diff(x, n=n, axis=axis)


# ---------------------------------------------------------------------- element-wise


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


def _clip(x: Any, /, min: Any = None, max: Any = None) -> Any:
    # The result keeps x's dtype (the standard); MLX's clip needs a bound, the standard
    # none. (Python ints beyond the dtype's range never get here: the dispatcher drops such
    # bounds for every backend, _dispatch.standard_cases.)
    result = x
    if min is not None:
        result = mx.maximum(result, min)
    if max is not None:
        result = mx.minimum(result, max)
    return mx.array(x) if result is x else _cast(result, x.dtype)


# MLX 0.32 computes exp, sin and cos of float64 to about 1e-6 (float32's accuracy, or
# worse); these build them from float64 functions it computes exactly (expm1, tan, pow),
# with their derivatives given in the same terms (MLX would differentiate tan by its cos).
_LN2_HI: Final = 6.93147180369123816490e-01  # ln 2 in two parts (Cody and Waite):
_LN2_LO: Final = 1.90821492927058770002e-10  # k * _LN2_HI is exact for |k| < 2**11
_INV_LN2: Final = 1.44269504088896338700e00


@mx.custom_function
def _exp64(x: Any) -> Any:
    # exp(x) = 2**k * exp(r), |r| <= ln(2) / 2, and exp(r) = expm1(r) + 1 exactly enough.
    clipped = mx.clip(x, -1100.0, 1100.0)  # beyond, exp is 0 or inf all the same
    k = mx.round(clipped * _INV_LN2)
    r = (clipped - k * _LN2_HI) - k * _LN2_LO
    half = mx.floor(k * 0.5)
    two = mx.array(2.0, dtype=mx.float64)  # 2**k in two steps: no overflow on the way
    result = (mx.expm1(r) + 1.0) * mx.power(two, half) * mx.power(two, k - half)
    return mx.where(mx.isnan(x), x, result)


@mx.custom_function
def _sin64(x: Any) -> Any:
    t = mx.tan(x * 0.5)  # sin x = 2t / (1 + t**2); |t| stays below 2e16
    return 2.0 * t / (1.0 + t * t)


@mx.custom_function
def _cos64(x: Any) -> Any:
    square = mx.square(mx.tan(x * 0.5))  # cos x = (1 - t**2) / (1 + t**2)
    return (1.0 - square) / (1.0 + square)


# For one argument, MLX hands the custom rules arrays: (x, cotangent, output) and
# (x, tangent).
_exp64.vjp(lambda x, cotangent, output: cotangent * output)
_exp64.jvp(lambda x, tangent: tangent * _exp64(x))
_sin64.vjp(lambda x, cotangent, output: cotangent * _cos64(x))
_sin64.jvp(lambda x, tangent: tangent * _cos64(x))
_cos64.vjp(lambda x, cotangent, output: -cotangent * _sin64(x))
_cos64.jvp(lambda x, tangent: -tangent * _sin64(x))


def _exp(x: Any, /) -> Any:
    return _exp64(x) if x.dtype == mx.float64 else mx.exp(x)


def _sin(x: Any, /) -> Any:
    return _sin64(x) if x.dtype == mx.float64 else mx.sin(x)


def _cos(x: Any, /) -> Any:
    return _cos64(x) if x.dtype == mx.float64 else mx.cos(x)


def _logaddexp(x1: Any, x2: Any, /) -> Any:
    x1, x2 = _as_arrays(x1, x2)
    if x1.dtype != mx.float64:
        return mx.logaddexp(x1, x2)
    result = mx.maximum(x1, x2) + mx.log1p(_exp(-mx.abs(x1 - x2)))
    return mx.where(x1 == x2, x1 + math.log(2.0), result)  # equal infinities too


#: Floating dtype -> the signed integer of its size (to read its bits).
_BITS: Final = {
    mx.float16: mx.int16,
    mx.bfloat16: mx.int16,
    mx.float32: mx.int32,
    mx.float64: mx.int64,
}


def _signbit(x: Any, /) -> Any:
    if x.dtype in _BITS:
        return x.view(_BITS[x.dtype]) < 0  # the sign bit, of -0.0 and NaNs too
    return x < 0


def _as_arrays(x1: Any, x2: Any) -> tuple[Any, Any]:
    """Both arguments as MLX arrays of their standard result dtype (Python scalars weakly
    typed)."""
    if isinstance(x1, _SCALARS):
        dtype = _with_scalar(x2.dtype, x1)
        return mx.array(x1, dtype=dtype), _cast(x2, dtype)
    if isinstance(x2, _SCALARS):
        dtype = _with_scalar(x1.dtype, x2)
        return _cast(x1, dtype), mx.array(x2, dtype=dtype)
    dtype = _promote(x1.dtype, x2.dtype)
    return _cast(x1, dtype), _cast(x2, dtype)


def _copysign(x1: Any, x2: Any, /) -> Any:
    x1, x2 = _as_arrays(x1, x2)
    magnitude = mx.abs(x1)
    return mx.where(_signbit(x2), -magnitude, magnitude)


def _nextafter(x1: Any, x2: Any, /) -> Any:
    # Step the bits of x1 by one toward x2: floats are sign-magnitude, so the step is +1
    # away from zero and -1 toward it; from zero, the smallest subnormal of x2's side.
    x1, x2 = _as_arrays(x1, x2)
    bits_dtype = _BITS.get(x1.dtype)
    if bits_dtype is None:
        msg = f"nextafter takes floating-point arrays (the standard's), got {x1.dtype}"
        raise UnsupportedDTypeError(msg)
    bits = x1.view(bits_dtype)
    up = x2 > x1
    step = mx.where(up == (bits >= 0), 1, -1).astype(bits_dtype)
    smallest = mx.where(up, 1, -(2 ** (8 * bits_dtype.size - 1)) + 1).astype(bits_dtype)
    bits = mx.where(x1 == 0, smallest, bits + step)
    result = bits.view(x1.dtype)
    result = mx.where(x1 == x2, x2, result)
    return mx.where(mx.isnan(x1) | mx.isnan(x2), mx.array(math.nan, dtype=x1.dtype), result)


# ---------------------------------------------------------------------- matrix products


#: How many products an integer matrix product forms per step (bounds its memory).
_PRODUCTS_PER_STEP: Final = 1 << 22


def _integer_matmul(a: Any, b: Any) -> Any:
    """``a @ b`` for integer and boolean arrays, exactly (wrapping as NumPy does): sums of
    broadcast products, over chunks of the contracted axis."""
    dtype = _promote(a.dtype, b.dtype)
    boolean = dtype == mx.bool_
    work = _INT if boolean else dtype
    a, b = _cast(a, work), _cast(b, work)
    row, column = a.ndim == 1, b.ndim == 1
    if row:
        a = mx.expand_dims(a, 0)
    if column:
        b = mx.expand_dims(b, -1)
    k = a.shape[-1]
    if b.shape[-2] != k:
        msg = f"matmul: the contracted axes differ in size ({k} and {b.shape[-2]})"
        raise ValueError(msg)
    batch = mx.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    rows, columns = a.shape[-2], b.shape[-1]
    per_slice = max(1, math.prod(batch) * rows * columns)
    chunk = max(1, _PRODUCTS_PER_STEP // per_slice)
    result = mx.zeros((*batch, rows, columns), dtype=work)
    for start in range(0, k, chunk):
        left = mx.expand_dims(a[..., start : start + chunk], -1)
        right = mx.expand_dims(b[..., start : start + chunk, :], -3)
        result = result + mx.sum(left * right, axis=-2)
    if column:
        result = mx.squeeze(result, -1)
    if row:
        result = mx.squeeze(result, -2)
    return result != 0 if boolean else result


def _exact(a: Any, b: Any) -> bool:
    """Whether MLX's matrix product computes `a @ b` (floating or complex result)."""
    return mx.issubdtype(mx.result_type(a, b), mx.inexact)


def _matmul(x1: Any, x2: Any, /) -> Any:
    if _exact(x1, x2):
        return mx.matmul(x1, x2)
    return _integer_matmul(x1, x2)


def _tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    if _exact(x1, x2):
        return mx.tensordot(x1, x2, axes=axes)
    if isinstance(axes, int):
        first = list(range(x1.ndim - axes, x1.ndim))
        second = list(range(axes))
    else:
        first = [a % x1.ndim for a in axes[0]]
        second = [a % x2.ndim for a in axes[1]]
    free1 = [a for a in range(x1.ndim) if a not in first]
    free2 = [a for a in range(x2.ndim) if a not in second]
    size = math.prod(x1.shape[a] for a in first)
    left = mx.reshape(mx.transpose(x1, free1 + first), (-1, size))
    right = mx.reshape(mx.transpose(x2, second + free2), (size, -1))
    shape = [x1.shape[a] for a in free1] + [x2.shape[a] for a in free2]
    return mx.reshape(_integer_matmul(left, right), shape)


# ---------------------------------------------------------------------- linear algebra

# MLX implements its decompositions on the CPU stream only (and float64 there only); its
# memory is unified, so running them there moves nothing.
_CPU: Final = mx.cpu


def _cpu(function: Callable[..., Any]) -> Callable[..., Any]:
    def on_cpu(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs, stream=_CPU)

    on_cpu.__name__ = function.__name__
    return on_cpu


def _solved(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` on the CPU stream, evaluated now: a singular matrix fails only when MLX
    evaluates, which would otherwise be later, outside xpbridge, with MLX's RuntimeError
    (inside mx.compile, where nothing evaluates, MLX's own answer stands)."""

    def evaluated(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs, stream=_CPU)
        try:
            mx.eval(result)
        except ValueError as exc:
            if not any(m in str(exc) for m in _TRACED_MESSAGES):
                raise
        return result

    evaluated.__name__ = function.__name__
    return evaluated


def _results() -> Any:
    from array_api_compat.common import _linalg

    return _linalg


def _cholesky(x: Any, /, *, upper: bool = False) -> Any:
    factor = mx.linalg.cholesky(x, upper=upper, stream=_CPU)
    # MLX factors a matrix that is not positive definite without a word (a negative or NaN
    # diagonal): refused as NumPy and torch do, where the values are known.
    try:
        diagonal_ok = bool(mx.all(mx.diagonal(factor, axis1=-2, axis2=-1) > 0).item())
        finite_input = bool(mx.all(mx.isfinite(x)).item())
    except (RuntimeError, ValueError):  # traced inside mx.compile: MLX's answer stands
        return factor
    if finite_input and not diagonal_ok:
        what = "the matrix is not positive definite (MLX gave a factor without a positive diagonal)"
        error = mistake("not_positive_definite", "linalg.cholesky", what)
        raise error
    return factor


def _eig(x: Any, /) -> Any:
    _no_complex128_from("linalg.eig", x)
    return _results().EigResult(*mx.linalg.eig(x, stream=_CPU))


def _eigvals(x: Any, /) -> Any:
    _no_complex128_from("linalg.eigvals", x)
    return mx.linalg.eigvals(x, stream=_CPU)


def _eigh(x: Any, /) -> Any:
    return _results().EighResult(*mx.linalg.eigh(x, stream=_CPU))


def _slogdet(x: Any, /) -> Any:
    return _results().SlogdetResult(*mx.linalg.slogdet(x, stream=_CPU))


def _svd(x: Any, /, *, full_matrices: bool = True) -> Any:
    u, s, vh = mx.linalg.svd(x, stream=_CPU)  # full matrices
    if not full_matrices:
        k = s.shape[-1]
        u, vh = u[..., :, :k], vh[..., :k, :]
    return _results().SVDResult(u, s, vh)


def _svdvals(x: Any, /) -> Any:
    return mx.linalg.svd(x, compute_uv=False, stream=_CPU)


def _qr(x: Any, /, *, mode: str = "reduced") -> Any:
    if mode == "reduced":
        return _results().QRResult(*mx.linalg.qr(x, stream=_CPU))
    if mode != "complete":
        msg = f"qr: mode must be 'reduced' or 'complete', got {mode!r}"
        raise ValueError(msg)
    # MLX gives the reduced factorization; that of [x, I] has the complete Q (Householder
    # QR handles x's columns first, exactly as alone, then completes the basis).
    m, n = x.shape[-2], x.shape[-1]
    identity = mx.broadcast_to(mx.eye(m, dtype=x.dtype), (*x.shape[:-2], m, m))
    q, r = mx.linalg.qr(mx.concatenate([x, identity], axis=-1), stream=_CPU)
    return _results().QRResult(q, r[..., :, :n])


def _pinv(x: Any, /, *, rtol: float | None = None) -> Any:
    if rtol is None:
        return mx.linalg.pinv(x, stream=_CPU)
    u, s, vh = _svd(x, full_matrices=False)
    cutoff = rtol * mx.max(s, axis=-1, keepdims=True)
    inverse = mx.where(s > cutoff, 1 / mx.where(s > cutoff, s, 1), 0)
    return mx.matmul(mx.swapaxes(vh, -1, -2) * mx.expand_dims(inverse, -2), mx.swapaxes(u, -1, -2))


def _matrix_rank(x: Any, /, *, rtol: Any = None) -> Any:
    s = _svdvals(x)
    if rtol is None:
        rtol = max(x.shape[-2:]) * float(mx.finfo(s.dtype).eps)
    elif isinstance(rtol, mx.array):
        rtol = mx.expand_dims(rtol, -1)
    cutoff = mx.max(s, axis=-1, keepdims=True) * rtol
    return _index(mx.sum(s > cutoff, axis=-1))


def _matrix_power(x: Any, n: int, /) -> Any:
    if n < 0:
        x, n = mx.linalg.inv(x, stream=_CPU), -n
    result = None
    square = x
    while n:  # by squaring
        if n & 1:
            result = square if result is None else _matmul(result, square)
        n >>= 1
        if n:
            square = _matmul(square, square)
    if result is None:
        eye = mx.eye(x.shape[-1], dtype=x.dtype)
        return mx.broadcast_to(eye, x.shape)
    return mx.array(result) if result is x else result


def _diagonal(x: Any, /, *, offset: int = 0) -> Any:
    return mx.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def _trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    diagonal = _diagonal(x, offset=offset)
    return mx.sum(_cast(diagonal, _accumulator(diagonal, dtype)), axis=-1)


def _matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    return mx.linalg.norm(x, ord, axis=[-2, -1], keepdims=keepdims, stream=_CPU)


def _vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:
    axes = _axes(axis, x.ndim)
    magnitude = mx.abs(x)
    if not mx.issubdtype(magnitude.dtype, mx.floating):
        magnitude = magnitude.astype(_FLOAT)
    if ord == math.inf:
        result = mx.max(magnitude, axis=axes, keepdims=keepdims)
    elif ord == -math.inf:
        result = mx.min(magnitude, axis=axes, keepdims=keepdims)
    elif ord == 0:
        result = mx.sum(magnitude != 0, axis=axes, keepdims=keepdims).astype(magnitude.dtype)
    elif ord == 1:
        result = mx.sum(magnitude, axis=axes, keepdims=keepdims)
    elif ord == 2:  # the Euclidean norm
        result = mx.sqrt(mx.sum(magnitude * magnitude, axis=axes, keepdims=keepdims))
    else:
        result = mx.sum(magnitude**ord, axis=axes, keepdims=keepdims) ** (1 / ord)
    return result


# ---------------------------------------------------------------------- FFT


def _fft_of_complex(name: str) -> Callable[..., Any]:
    function = getattr(mx.fft, name)

    def transform(x: Any, /, *args: Any, **kwargs: Any) -> Any:
        _no_complex128_from(f"fft.{name}", x)
        return function(x, *args, **kwargs)

    transform.__name__ = name
    return transform


_SWAPPED_NORM: Final = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _hfft(x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward") -> Any:
    # NumPy's definition: the inverse real FFT of the conjugate, the norm's direction swapped.
    return mx.fft.irfft(mx.conj(x), n=n, axis=axis, norm=_SWAPPED_NORM[norm])


def _ihfft(x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward") -> Any:
    _no_complex128_from("fft.ihfft", x)
    return mx.conj(mx.fft.rfft(x, n=n, axis=axis, norm=_SWAPPED_NORM[norm]))


# ---------------------------------------------------------------------- random numbers


class _MlxRandom:
    """Random numbers from an MLX key, split at every draw (so draws never repeat)."""

    def __init__(self, seed: Any, device: Any) -> None:
        self._key = mx.random.key(int_seed(seed))
        self._stream = _stream(device)
        self._lock = threading.Lock()  # two threads must never draw with the same key

    def _next(self) -> Any:
        with self._lock:
            self._key, key = mx.random.split(self._key)
        return key

    def _words(self, shape: tuple[int, ...]) -> Any:
        """Uniform uint64 values: the counter-mode output of MLX's Threefry (the words that
        ``split`` makes), since ``randint`` scales a float32 and so misses low bits."""
        count = math.prod(shape)
        words = mx.random.split(self._next(), num=max(1, count)).astype(_UINT)
        values = (words[:, 0] << 32) | words[:, 1]
        return mx.reshape(values[:count], shape)

    def random(self, shape: tuple[int, ...], dtype: str) -> Any:
        if dtype == "float64":  # MLX's uniform has no float64: 53 random bits
            bits = self._words(shape) >> 11
            return bits.astype(mx.float64) * (2.0**-53)
        return mx.random.uniform(
            shape=shape, dtype=_BY_NAME[dtype], key=self._next(), stream=self._stream
        )

    def standard_normal(self, shape: tuple[int, ...], dtype: str) -> Any:
        return mx.random.normal(
            shape=shape, dtype=_BY_NAME[dtype], key=self._next(), stream=self._stream
        )

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: str) -> Any:
        span = high - low
        offsets = self._words(shape) % span  # a bias below span / 2**64
        return (offsets.astype(_INT) + low).astype(_BY_NAME[dtype])

    def permutation(self, n: int) -> Any:
        return _index(mx.random.permutation(n, key=self._next(), stream=self._stream))


# ---------------------------------------------------------------------- errors

#: MLX's messages for what it cannot do with some dtypes.
_DTYPE_MESSAGES: Final = (
    "not supported on the GPU",
    "Only inexact types are supported",
    "Unsupported type",
    "Not supported for complex",
)
_TRACED_MESSAGES: Final = ("Attempting to eval an array during function transformations",)


class MlxAdapter(Adapter):
    name = "mlx"
    array_type_name = "mlx.core.array"
    deviations = DEVIATIONS
    #: MLX promotes as the standard says but into complex128, which it lacks (complex64 with
    #: float64 gives complex64): its own functions are used as they are for one dtype only.
    native_promotion = False
    #: MLX reads no boolean masks (``x[mask]`` has a data-dependent shape); it writes them.
    boolean_indexing = False
    demo = (
        "import mlx.core as mx",
        "x = mx.array([0.0, 1.0, 2.0])",
        "xb.sum(xb.sin(x))",
        "mx.grad(lambda v: xb.sum(xb.sin(v)))(x)",
        "xb.argmax(x)",
        "print(xb.plan(x, 'numpy'))",
    )

    def __init__(self) -> None:
        super().__init__()
        overrides: dict[str, Callable[..., Any]] = {
            # creation: device= and xpbridge's default integer
            "arange": _arange,
            "empty": _zeros,
            "zeros": _zeros,
            "ones": _ones,
            "full": _full,
            "eye": _eye,
            "linspace": _linspace,
            "empty_like": _like(mx.zeros_like),
            "zeros_like": _like(mx.zeros_like),
            "ones_like": _like(mx.ones_like),
            "full_like": _full_like,
            "fft.fftfreq": _fftfreq,
            "fft.rfftfreq": _rfftfreq,
            # data types, statistics, searching and sorting
            "astype": _astype,
            "sum": _sum,
            "prod": _prod,
            "all": _all,
            "var": _var,
            "std": _std,
            "cumulative_sum": _cumulative(mx.cumsum, 0),
            "cumulative_prod": _cumulative(mx.cumprod, 1),
            "argmax": _arg(mx.argmax),
            "argmin": _arg(mx.argmin),
            "count_nonzero": _count_nonzero,
            "sort": _sort,
            "argsort": _argsort,
            "searchsorted": _searchsorted,
            # manipulation
            "moveaxis": _moveaxis,
            "repeat": _repeat,
            "reshape": _reshape,
            "broadcast_to": _broadcast_to,
            "tile": _tile,
            "take": _take,
            "take_along_axis": _take_along_axis,
            "diff": _diff,
            # element-wise
            "isin": _isin,
            "hypot": _hypot,
            "clip": _clip,
            "exp": _exp,
            "sin": _sin,
            "cos": _cos,
            "logaddexp": _logaddexp,
            "signbit": _signbit,
            "copysign": _copysign,
            "nextafter": _nextafter,
            # matrix products
            "matmul": _matmul,
            "tensordot": _tensordot,
            # linear algebra
            "linalg.cholesky": _cholesky,
            "linalg.det": _cpu(mx.linalg.det),
            "linalg.diagonal": _diagonal,
            "linalg.eig": _eig,
            "linalg.eigh": _eigh,
            "linalg.eigvals": _eigvals,
            "linalg.eigvalsh": _cpu(mx.linalg.eigvalsh),
            "linalg.inv": _solved(mx.linalg.inv),
            "linalg.matrix_norm": _matrix_norm,
            "linalg.matrix_power": _matrix_power,
            "linalg.matrix_rank": _matrix_rank,
            "linalg.outer": mx.outer,
            "linalg.pinv": _pinv,
            "linalg.qr": _qr,
            "linalg.slogdet": _slogdet,
            "linalg.solve": _solved(mx.linalg.solve),
            "linalg.svd": _svd,
            "linalg.svdvals": _svdvals,
            "linalg.trace": _trace,
            "linalg.vector_norm": _vector_norm,
            # FFT: refuse what would be complex128
            **{
                f"fft.{name}": _fft_of_complex(name)
                for name in ("fft", "ifft", "fftn", "ifftn", "rfft", "rfftn")
            },
            "fft.hfft": _hfft,
            # NumPy's unique (a generic function) needs unique_values, which MLX lacks
            "unique": _unavailable("unique", _NO_DATA_DEPENDENT_SHAPES),
            "fft.ihfft": _ihfft,
        }
        self.overrides.update(overrides)

    @cached_property
    def module(self) -> Any:
        return mx

    @cached_property
    def xp(self) -> Any:
        return _Namespace()

    def random_source(self, seed: Any, device: Any) -> Any:
        return _MlxRandom(seed, self.native_device(device))

    def promoting(self, impl: Callable[..., Any], positions: tuple[int, ...]) -> Callable[..., Any]:
        # MLX promotes as the standard says, except into complex128, which it lacks: it
        # would give complex64 for complex64 with float64. Refuse those pairs.
        first, second = positions[:2]

        def promoted(*args: Any, **kwargs: Any) -> Any:
            if len(args) > max(first, second):
                a, b = args[first], args[second]
                if isinstance(a, mx.array) and isinstance(b, mx.array | complex):
                    _wide_complex(a.dtype, b)
                elif isinstance(b, mx.array) and isinstance(a, complex):
                    _wide_complex(b.dtype, a)
            return impl(*args, **kwargs)

        return promoted

    # Python ints beyond an integer array's dtype: refused by MLX, comparisons included.
    wraps_int_scalars = True
    unchecked_indices = True
    # MLX's wording of the taxonomy's mistakes (its messages start with "[function]").
    error_wording = (
        wording(ValueError, r"cannot be broadcast", "broadcast"),
        wording(ValueError, r"Cannot reshape array", "reshape"),
        wording(ValueError, r"\[matmul\] Last dimension of first input", "matmul"),
        wording(
            ValueError,
            r"must match exactly except for the concatenation axis|"
            r"\[stack\] All arrays must have the same shape",
            "concat",
        ),
        wording(ValueError, r"\[squeeze\] Cannot squeeze", "shape"),
        wording(
            (IndexError, ValueError),
            r"Invalid axis|Axis -?\d+ is out of bounds|Received \d+ axes for array|"
            r"Duplicate axes|Repeat axes",
            "axis",
        ),
        wording(ValueError, r"would result in overflow", "overflow"),
        wording(RuntimeError, r"factorization failed|inversion failed", "singular"),
    )

    def translate_error(self, exc: BaseException, function: str) -> Exception | None:
        text = str(exc)
        if any(m in text for m in _TRACED_MESSAGES):
            msg = (
                f"{function} needs the values of an MLX array inside mx.compile (or vmap), "
                "where arrays have no values yet; call it outside the compiled function. "
                f"MLX said: {text.splitlines()[0]}"
            )
            return UnsupportedOperationError(msg)
        if any(m in text for m in _DTYPE_MESSAGES):
            msg = (
                f"MLX cannot compute {function} for these dtypes ({text.splitlines()[0]}); "
                "cast first (xb.astype), or run it on the CPU stream (with "
                "mx.stream(mx.cpu)) for float64"
            )
            return UnsupportedDTypeError(msg)
        if "boolean indices are not yet supported" in text:
            msg = f"{function}: {_NO_DATA_DEPENDENT_SHAPES}"
            return UnsupportedOperationError(msg)
        return super().translate_error(exc, function)

    # ------------------------------------------------------------------ dtypes

    @cached_property
    def _native_dtypes(self) -> dict[str, Any]:
        return dict(_BY_NAME)

    def missing_dtype_message(self, name: str) -> str:
        if name == "complex128":
            return _NO_COMPLEX128
        return super().missing_dtype_message(name)

    def native_dtype(self, dtype: Any) -> Any:
        if dtype is not None and dtype_name(dtype) == "complex128":
            raise UnsupportedDTypeError(_NO_COMPLEX128)
        return super().native_dtype(dtype)

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
        # Inside mx.grad a gradient must stop here; MLX cannot tell a traced array from a
        # concrete one, so this is always a new array (over the same memory, no copy).
        return mx.stop_gradient(x)

    # ------------------------------------------------------------------ conversion

    def asarray(
        self, obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None
    ) -> Any:
        self.native_device(device)
        native = self.native_dtype(dtype)
        if isinstance(obj, mx.array):
            result = _cast(obj, native)
            return mx.array(result) if copy and result is obj else result
        if isinstance(obj, np.ndarray | np.generic):
            if native is None or obj.dtype.name == dtype_name(dtype):
                return _copy_in(obj)  # mx.array would narrow float64 to float32
            if dtype_name(dtype) != "bfloat16":
                return _copy_in(np.asarray(obj).astype(dtype_name(dtype)))
            return _copy_in(obj).astype(native)
        if native is None:
            if isinstance(obj, (*_SCALARS, list, tuple)):
                return _from_python(obj)
            return _copy_in(np.asarray(obj))  # buffers and array-likes
        name = dtype_name(dtype)
        if name == "bfloat16":
            return mx.array(obj, dtype=native)
        # Through NumPy: mx.array reads Python ints through int64 (uint64 values from 2**63
        # on fail).
        return _copy_in(np.asarray(obj, dtype=name))

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


def _wide_complex(dtype: Any, other: Any) -> None:
    """Refuse a pair whose standard result is complex128 (float64 with complex64 or a
    complex scalar)."""
    other_dtype = mx.complex64 if isinstance(other, complex) else other.dtype
    if {dtype, other_dtype} == {mx.float64, mx.complex64}:
        raise _refuse(_PROMOTION, _NO_COMPLEX128)

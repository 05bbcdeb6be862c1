"""Data type functions of the array API standard (2025.12).

They accept arrays and dtypes of any backend, and xpbridge's own ``xb.float32``... A
function that is given only backend-neutral dtypes answers with backend-neutral ones.

They are xpbridge's own on every backend: ``finfo``/``iinfo`` give Python numbers and the
backend's dtype object, and ``result_type``/``can_cast`` follow the standard's promotion
lattice wherever it defines the answer (uint16/32/64 on torch included, which torch refuses
to promote); where it leaves the answer to the library (integers with floats), the
backend's own ``result_type`` answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from .._backends import adapter_for_type, dtype_owner, get_adapter
from .._config import current_defaults
from .._dispatch import array_function
from .._dtypes import DTYPES, dtype_name, isdtype_name, standard_promotion
from .._errors import BridgeError, UnsupportedDTypeError

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backends._base import Adapter
    from .._typing import ArrayT, DeviceLike, DTypeLike

__all__ = [
    "FloatInfo",
    "IntInfo",
    "astype",
    "bound_data_type_functions",
    "can_cast",
    "finfo",
    "iinfo",
    "isdtype",
    "result_type",
]


@array_function
def astype(
    x: ArrayT, dtype: DTypeLike, /, *, copy: bool = True, device: DeviceLike | None = None
) -> ArrayT:
    """`x` cast to `dtype` (a copy unless ``copy=False`` and the dtype already matches).

    Casting keeps torch autograd history for floating-point targets.
    """


def _owner(obj: Any) -> Adapter | None:
    """The backend an array or a library-specific dtype belongs to, if any."""
    found = adapter_for_type(type(obj))
    if found is not None:
        return found
    return dtype_owner(obj)


def _default() -> Adapter:
    return get_adapter(current_defaults().backend)


def _name_of(obj: Any) -> str:
    """The canonical dtype name of an array or a dtype in any spelling."""
    source = obj.dtype if adapter_for_type(type(obj)) is not None else obj
    name = dtype_name(source)
    assert name is not None  # dtype_name(strict=True) raised otherwise
    return name


def _answer(name: str, adapter: Adapter | None) -> Any:
    """The dtype `name` as `adapter`'s own object, or xpbridge's backend-neutral one."""
    return DTYPES[name] if adapter is None else adapter.native_dtype(name)


def isdtype(dtype: DTypeLike, kind: str | DTypeLike | tuple[str | DTypeLike, ...]) -> bool:
    """Whether `dtype` is of `kind`: a dtype, a kind name (``"real floating"``, ``"integral"``,
    ``"numeric"``...) or a tuple of those. Works with every backend's dtypes."""
    name = dtype_name(dtype)
    assert name is not None
    try:
        return isdtype_name(name, kind)
    except ValueError as exc:
        raise _KindError(str(exc)) from None


class _KindError(BridgeError, ValueError):
    """A data type function was given a dtype or kind it does not take (``isdtype`` with an
    unknown kind, ``finfo`` of an integer dtype...)."""


class FloatInfo(NamedTuple):
    """What :func:`finfo` returns: the standard's ``finfo_object``, with Python numbers.

    For a complex dtype, the limits of its real components (and their dtype).
    """

    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    #: The real floating dtype described, as the backend's own object (or xpbridge's).
    dtype: Any


class IntInfo(NamedTuple):
    """What :func:`iinfo` returns: the standard's ``iinfo_object``, with Python ints."""

    bits: int
    max: int
    min: int
    #: The integer dtype described, as the backend's own object (or xpbridge's).
    dtype: Any


_REAL_PART = {"complex64": "float32", "complex128": "float64"}


def _finfo(type: Any, home: Adapter | None) -> FloatInfo:
    owner = _owner(type)
    name = _name_of(type)
    real = _REAL_PART.get(name, name)
    if not isdtype_name(real, "real floating"):
        msg = f"finfo: {name} is not a floating-point dtype (use iinfo for integers)"
        raise _KindError(msg)
    adapter = owner or home
    # The library's own limits (it knows bfloat16 where NumPy may not), as Python numbers.
    computing = adapter or get_adapter("numpy")
    native = computing.xp.finfo(computing.native_dtype(real))
    return FloatInfo(
        bits=int(native.bits),
        eps=float(native.eps),
        max=float(native.max),
        min=float(native.min),
        smallest_normal=float(native.smallest_normal),
        dtype=_answer(real, adapter),
    )


def _iinfo(type: Any, home: Adapter | None) -> IntInfo:
    owner = _owner(type)
    name = _name_of(type)
    if not isdtype_name(name, "integral"):
        msg = f"iinfo: {name} is not an integer dtype (use finfo for floating-point ones)"
        raise _KindError(msg)
    # Integer limits are the same everywhere: NumPy's, whichever library is asked.
    import numpy as np

    native = np.iinfo(name)
    adapter = owner or home
    return IntInfo(
        bits=int(native.bits),
        max=int(native.max),
        min=int(native.min),
        dtype=_answer(name, adapter),
    )


def finfo(type: ArrayT | DTypeLike, /) -> FloatInfo:
    """Machine limits of a floating-point dtype or array: ``bits``, ``eps``, ``max``, ``min``,
    ``smallest_normal`` (Python numbers) and ``dtype``, the backend's own dtype object
    (xpbridge's for ``xb.float32``...). For a complex dtype, those of its real part.

    Examples
    --------
    >>> import xpbridge as xb
    >>> info = xb.finfo(xb.float32)
    >>> info.bits, info.eps, info.dtype
    (32, 1.1920928955078125e-07, xpbridge.float32)
    """
    return _finfo(type, None)


def iinfo(type: ArrayT | DTypeLike, /) -> IntInfo:
    """Machine limits of an integer dtype or array: ``bits``, ``max``, ``min`` (Python ints)
    and ``dtype``, the backend's own dtype object (xpbridge's for ``xb.int16``...)."""
    return _iinfo(type, None)


def can_cast(from_: ArrayT | DTypeLike, to: DTypeLike, /) -> bool:
    """Whether `from_` (a dtype or array) casts to `to` under the standard's type promotion
    rules: only within a kind and never narrowing (``int8 -> int16`` yes, ``int64 ->
    float64`` and ``float64 -> float32`` no), whatever the backend's own ``can_cast`` says.

    Examples
    --------
    >>> import xpbridge as xb
    >>> xb.can_cast(xb.int8, xb.int16), xb.can_cast(xb.int64, xb.float64)
    (True, False)
    """
    target = dtype_name(to)
    assert target is not None
    return standard_promotion(_name_of(from_), target) == target


#: The dtype kinds a Python scalar of each type joins without changing the dtype (the
#: standard's rules for scalars beside arrays).
_SCALAR_KINDS: dict[type, tuple[str, ...]] = {
    bool: ("bool",),
    int: ("integral", "real floating", "complex floating"),
    float: ("real floating", "complex floating"),
    complex: ("complex floating",),
}
_SCALARS = (bool, int, float, complex)


def _with_scalar(name: str, scalar: complex) -> str | None:
    """The standard's result for dtype `name` with a Python scalar, or None if unspecified."""
    if isdtype_name(name, _SCALAR_KINDS[type(scalar)]):
        return name
    if type(scalar) is complex and name in ("float32", "float64"):
        return "complex64" if name == "float32" else "complex128"
    return None


def _result_type(arguments: tuple[Any, ...], home: Adapter | None) -> Any:
    scalars = [a for a in arguments if type(a) in _SCALARS]
    others = [a for a in arguments if type(a) not in _SCALARS]
    if not others:
        msg = "result_type needs at least one array or dtype (Python scalars alone have none)"
        raise _KindError(msg)
    owners = [o for o in map(_owner, others) if o is not None]
    adapter = max(owners, key=owners.count) if owners else home
    names = [_name_of(a) for a in others]
    result: str | None = names[0]
    for name in names[1:]:
        result = None if result is None else standard_promotion(result, name)
    for scalar in scalars:
        result = None if result is None else _with_scalar(result, scalar)
    if result is not None:
        return _answer(result, adapter)
    # Mixed kinds (or float16...): the standard leaves the answer to the library.
    return _library_result_type(adapter, names, scalars)


def _library_result_type(adapter: Adapter | None, names: list[str], scalars: list[Any]) -> Any:
    library = adapter or get_adapter("numpy")
    args = [*(library.native_dtype(n) for n in names), *scalars]
    try:
        found = library.xp.result_type(*args)
    except (TypeError, ValueError, RuntimeError) as exc:
        msg = (
            f"result_type: the standard leaves {', '.join(names)} with "
            f"{', '.join(type(s).__name__ for s in scalars) or 'each other'} to the library, "
            f"and {library.name} refuses to promote them ({exc}); cast first (xb.astype)"
        )
        raise UnsupportedDTypeError(msg) from exc
    name = dtype_name(found)
    assert name is not None
    return _answer(name, adapter)


def result_type(*arrays_and_dtypes: ArrayT | DTypeLike | complex) -> Any:
    """The dtype that type promotion gives for these arrays, dtypes and Python scalars.

    The standard's promotion table decides wherever it defines the result (on every
    backend: ``xb.result_type(torch.uint8, torch.uint16)`` is ``torch.uint16``, which
    torch itself refuses); mixed kinds, which it leaves open, get the backend's own
    answer. The answer is the backend's dtype when an array or backend-specific dtype is
    given, else xpbridge's backend-neutral one (``xb.float64``).
    """
    return _result_type(arrays_and_dtypes, None)


def bound_data_type_functions(adapter: Adapter) -> dict[str, Callable[..., Any]]:
    """``finfo``, ``iinfo`` and ``result_type`` of `adapter`'s namespace: the same, with
    that backend's dtype objects answering for backend-neutral dtypes."""

    def finfo(type: ArrayT | DTypeLike, /) -> FloatInfo:
        return _finfo(type, adapter)

    def iinfo(type: ArrayT | DTypeLike, /) -> IntInfo:
        return _iinfo(type, adapter)

    def result_type(*arrays_and_dtypes: ArrayT | DTypeLike | complex) -> Any:
        return _result_type(arrays_and_dtypes, adapter)

    functions: dict[str, Callable[..., Any]] = {
        "finfo": finfo,
        "iinfo": iinfo,
        "result_type": result_type,
    }
    for name, function in functions.items():
        function.__doc__ = globals()[name].__doc__
        function.__qualname__ = name
    return functions

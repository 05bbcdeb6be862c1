"""Data type functions of the array API standard (2025.12).

They accept arrays and dtypes of any backend, and xpbridge's own ``xb.float32``... A
function that is given only backend-neutral dtypes answers with backend-neutral ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._backends import adapter_for_type, dtype_owner, get_adapter
from .._config import current_defaults
from .._dispatch import array_function
from .._dtypes import DType, canonical, dtype_name, isdtype_name, standard_promotion
from .._errors import BridgeError

if TYPE_CHECKING:
    from .._backends._base import Adapter
    from .._typing import ArrayT, DeviceLike, DTypeLike

__all__ = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]


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


def _dtype_or_array(adapter: Adapter, obj: Any) -> Any:
    return obj if adapter_for_type(type(obj)) is adapter else adapter.native_dtype(obj)


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
    """``isdtype`` was given a kind that is neither a dtype nor one of the standard's names."""


def finfo(type: ArrayT | DTypeLike, /) -> Any:
    """Machine limits of a floating-point dtype or array (bits, eps, max, min, smallest_normal)."""
    adapter = _owner(type) or _default()
    return adapter.xp.finfo(_dtype_or_array(adapter, type))


def iinfo(type: ArrayT | DTypeLike, /) -> Any:
    """Machine limits of an integer dtype or array (bits, max, min)."""
    adapter = _owner(type) or _default()
    return adapter.xp.iinfo(_dtype_or_array(adapter, type))


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
    found: Any = from_
    source = found.dtype if adapter_for_type(type(from_)) is not None else from_
    start, target = dtype_name(source), dtype_name(to)
    assert start is not None
    assert target is not None
    return standard_promotion(start, target) == target


def result_type(*arrays_and_dtypes: ArrayT | DTypeLike | complex) -> Any:
    """The dtype that type promotion gives for these arrays, dtypes and Python scalars.

    The answer is the backend's dtype when an array or backend-specific dtype is given,
    else xpbridge's backend-neutral one (``xb.float64``).
    """
    owners = [o for o in map(_owner, arrays_and_dtypes) if o is not None]
    if owners:
        adapter = max(owners, key=owners.count)
        args = [
            a if isinstance(a, bool | int | float | complex) else _dtype_or_array(adapter, a)
            for a in arrays_and_dtypes
        ]
        return adapter.xp.result_type(*args)
    numpy = get_adapter("numpy")
    args = [
        a if isinstance(a, bool | int | float | complex) else numpy.native_dtype(a)
        for a in arrays_and_dtypes
    ]
    result = numpy.xp.result_type(*args)
    found: DType = canonical(result)
    return found

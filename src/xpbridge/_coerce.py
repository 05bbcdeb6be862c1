"""Making an array of one backend from a Python scalar, sequence or array-like, with clear
errors and one rule for numbers that do not fit (``xpbridge._overflow``).

Both the dispatcher (an argument that is not an array yet) and the conversions
(``xb.asarray`` of a list) need it, so it sits below both of them. A sequence holding arrays
of a library xpbridge knows is stacked in that library (:func:`stacked`), as ``asarray``
stacks: never sent through NumPy, which would change its library and cut its gradients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._backends import adapter_for_type, names
from ._dtypes import dtype_name
from ._errors import (
    BridgeError,
    DeviceMismatchError,
    GradientBreakError,
    MixedBackendError,
    RaggedSequenceError,
    ShapeError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
)
from ._overflow import (
    FLOAT_LIMITS,
    INT_RANGES,
    check_float,
    check_int,
    check_python_values,
    magnitude,
)
from ._sizes import arange_count
from ._taxonomy import mistake

if TYPE_CHECKING:
    from ._backends._base import Adapter

__all__ = [
    "check_creation_values",
    "coerce",
    "is_array_like",
    "make_array",
    "stacked",
    "unknown_array_message",
]

_SCALARS: Final = (bool, int, float, complex)
#: The protocols through which NumPy reads an object's memory.
_PROTOCOLS: Final = ("__array__", "__array_interface__", "__dlpack__", "__buffer__")


def unknown_array_message(path: str, param: str, value: Any, *, several: bool = False) -> str:
    """The message for `value` standing where an array (or `several`) should be."""
    what = "a sequence of arrays" if several else "an array, a Python scalar or a sequence"
    return (
        f"{path}: {param} must be {what}; got {type(value).__module__}.{type(value).__qualname__}. "
        f"Pass an array of a library xpbridge knows ({names()}), or convert the object with "
        "numpy.asarray first"
    )


def is_array_like(value: Any) -> bool:
    """Whether `value` is data NumPy can read: a Python scalar, sequence or buffer, or an
    object with one of NumPy's protocols (``__array__``, DLPack...)."""
    return isinstance(value, (*_SCALARS, list, tuple, memoryview, bytes, bytearray)) or any(
        hasattr(value, attr) for attr in _PROTOCOLS
    )


def coerce(value: Any, adapter: Adapter, path: str, param: str, device: Any = None) -> Any:
    """``adapter.asarray(value)`` for Python scalars, sequences and array-likes standing where
    a call wants an array, with clear errors.

    `device` is where the call's other arrays are: Python values get there, except on a
    device that holds no values (torch's ``meta``), where they would silently be lost.
    """
    if not is_array_like(value) or hasattr(value, "__array_namespace__"):
        # An array of a library xpbridge does not know: converting it through NumPy would
        # silently change its library (and maybe device), so refuse.
        raise UnknownArrayTypeError(unknown_array_message(path, param, value))
    found = stacked(value, f"{path}: {param}")
    if found is not None:
        owner, array = found
        if owner is not adapter:
            msg = (
                f"{path}: {param} is a sequence of {owner.name} arrays, in a call computed by "
                f"{adapter.name}; pass one array instead (xb.stack(...) or xb.asarray(...) "
                "of the sequence, then xb.to if it must change library)"
            )
            raise MixedBackendError(msg)
        return array
    if device is not None and not isinstance(value, _SCALARS) and not adapter.holds_values(device):
        msg = (
            f"{path}: {param} holds values, and the call's arrays are on {device}, which "
            f"holds none ({adapter.name}'s {device!s} arrays have a shape and dtype only); "
            "xpbridge never drops data silently: make the other arrays on a real device"
        )
        raise DeviceMismatchError(msg)
    return make_array(value, adapter, f"{path}: {param}", device=device)


def make_array(
    value: Any,
    adapter: Adapter,
    what: str,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
) -> Any:
    """``adapter.asarray(value, ...)`` of a Python value or array-like (`what` names it in
    messages): numbers that do not fit the dtype they get are refused (the backend's
    default, or `dtype`), as are ragged sequences and values of no array API dtype."""
    try:
        array = adapter.asarray(value, dtype=dtype, device=device, copy=copy)
    except BridgeError:
        raise
    except Exception as exc:
        raise _refusal(value, adapter, what, exc) from exc
    try:
        name = adapter.dtype_of(array)
    except UnsupportedDTypeError as exc:
        _check_int_range(value, what)  # NumPy's object arrays of ints beyond 64 bits
        msg = (
            f"{what} holds values of no array API dtype ({exc}); pass numbers or booleans "
            "(strings, objects and dates are not arrays xpbridge computes with)"
        )
        raise UnsupportedDTypeError(msg) from None
    if dtype is None and name in FLOAT_LIMITS and isinstance(value, (*_SCALARS, list, tuple)):
        check_python_values(value, name, what, implicit=True)  # torch's float32 default
    return array


def _refusal(value: Any, adapter: Adapter, what: str, exc: Exception) -> BridgeError:
    """The error for `adapter` failing to make an array of `value`."""
    if not isinstance(value, (*_SCALARS, list, tuple)):
        # An array-like whose own protocol (__array__, the buffer...) failed, whatever it
        # raised: the object cannot be read, which no taxonomy kind but this one says.
        msg = f"{what}: cannot read the {type(value).__qualname__}: {type(exc).__name__}: {exc}"
        return UnknownArrayTypeError(msg)
    _check_int_range(value, what)
    owner = adapter_for_type(type(_first_leaf(value)))
    if owner is not None and owner is not adapter:
        return _arrays_refusal(owner, adapter, _first_leaf(value), what, exc)
    translated = adapter.translate_error(exc, what)
    if isinstance(translated, BridgeError) and not isinstance(translated, ShapeError):
        return translated
    text = str(exc)
    ragged = ("inhomogeneous", "non-uniform length")  # NumPy's and MLX's wording
    if (
        any(w in text for w in ragged)
        or "sequence" in text.lower()
        or isinstance(translated, ShapeError)
    ):
        msg = (
            f"{what} is a ragged nested sequence (rows of different lengths); pad the rows "
            "to one length or build the array row by row"
        )
        return RaggedSequenceError(msg)
    msg = f"{what}: cannot make a {adapter.name} array of it: {type(exc).__name__}: {exc}"
    return UnknownArrayTypeError(msg)


def _arrays_refusal(
    owner: Adapter, adapter: Adapter, first: Any, what: str, exc: Exception
) -> BridgeError:
    """The error for a sequence of `owner`'s arrays that `adapter` could not take."""
    advice = (
        f"stack them in {owner.name} first (xb.asarray(x) keeps their library and "
        f"gradients), then convert the one array (xb.to(..., {adapter.name!r}))"
    )
    if owner.requires_grad(first):
        msg = (
            f"{what} holds {owner.array_noun}s that require grad, and making a {adapter.name} "
            f"array of them would cut their autograd graph; {advice} with detach=True to cut "
            "it on purpose"
        )
        return GradientBreakError(msg)
    msg = f"{what} holds {owner.name} arrays that {adapter.name} cannot take ({exc}); {advice}"
    return UnknownArrayTypeError(msg)


def _check_int_range(value: Any, what: str) -> None:
    """Refuse Python ints beyond the default integer dtype (int64): the library failed, or
    NumPy made an object array of them."""
    largest = magnitude(value)
    if isinstance(largest, int) and largest >= 2**63:
        check_python_values(value, "int64", what, implicit=True)


# ---------------------------------------------------------------------- sequences of arrays


def _first_leaf(value: Any) -> Any:
    """The first element of nested sequence `value` that is not a sequence (None if empty):
    whether a sequence holds arrays is read from it, so plain data costs no walk."""
    for _ in range(64):
        if not isinstance(value, list | tuple):
            return value
        if not value:
            return None
        value = value[0]
    return None


def stacked(value: Any, what: str) -> tuple[Adapter, Any] | None:
    """A nested sequence of arrays of a known library, stacked in that library, on the first
    array's device (Python numbers among them become arrays there): its adapter and the
    array. None if `value` does not start with such an array. Arrays of several libraries
    are refused (:class:`MixedBackendError`): which one should win is the mixing policy's
    call, which ``xb.stack`` applies."""
    if not isinstance(value, list | tuple):
        return None
    first = _first_leaf(value)
    adapter = adapter_for_type(type(first))
    if adapter is None:
        return None
    return adapter, _stack(value, adapter, adapter.device(first), what)


def _stack(value: Any, adapter: Adapter, device: Any, what: str) -> Any:
    if not isinstance(value, list | tuple):
        owner = adapter_for_type(type(value))
        if owner is adapter:
            return value
        if owner is not None:
            msg = (
                f"{what} is a sequence of arrays from {adapter.name} and {owner.name}; stack "
                "them with xb.stack (which brings them into one library by the mixing "
                "policy) or convert them to one library first (xb.to)"
            )
            raise MixedBackendError(msg)
        return make_array(value, adapter, what, device=device)
    parts = [_stack(item, adapter, device, what) for item in value]
    if not parts:
        error = mistake("shape", what, "an empty sequence among arrays has no shape to stack")
        raise error
    try:
        return adapter.xp.stack(parts)
    except Exception as exc:
        translated = adapter.translate_error(exc, what)
        if isinstance(translated, ShapeError):
            msg = (
                f"{what} is a ragged sequence of arrays (shapes "
                f"{sorted({tuple(p.shape) for p in parts})}); stacking needs equal shapes"
            )
            raise RaggedSequenceError(msg) from exc
        if translated is not None:
            raise translated from exc
        raise


# ---------------------------------------------------------------------- creation functions

#: What every default dtype holds: an int of 32 bits, a float of float32's range.
_SMALL_INT: Final = 2**31 - 1
_KINDS: Final = {int: "integral", float: "real floating", complex: "complex floating"}


def check_creation_values(path: str, options: dict[str, Any], adapter: Adapter) -> None:
    """Refuse Python numbers a creation function would make elements of (``full``'s
    ``fill_value``, ``arange``'s and ``linspace``'s ends) that do not fit the result's
    dtype: the one asked for, else the backend's default for their kind (int32 and float32
    on JAX without 64-bit mode, where the library would wrap or give inf)."""
    values = _creation_values(path, options)
    if not values:
        return
    dtype = options.get("dtype")
    if dtype is None and all(_fits_every_default(v) for v in values):
        return
    if dtype is None:
        kind = _KINDS[complex if any(isinstance(v, complex) for v in values) else float]
        if all(isinstance(v, int) for v in values) and path != "linspace":
            kind = _KINDS[int]
        device = adapter.native_device(options.get("device"))
        info = adapter.xp.__array_namespace_info__()
        name = dtype_name(info.default_dtypes(device=device)[kind], strict=False)
    else:
        name = dtype_name(dtype, strict=False)
    if name is None:
        return
    for value in values:
        if isinstance(value, int) and name in INT_RANGES:
            check_int(value, name, path)
        elif isinstance(value, int | float) and name in FLOAT_LIMITS:
            check_float(value, name, path)


def _fits_every_default(value: Any) -> bool:
    if isinstance(value, int):
        return -_SMALL_INT - 1 <= value <= _SMALL_INT
    return bool(abs(value) <= FLOAT_LIMITS["float32"])


def _creation_values(path: str, options: dict[str, Any]) -> list[Any]:
    """The Python numbers that become elements of a creation function's result."""
    if path == "full":
        found = [options.get("fill_value")]
    elif path == "linspace":
        found = [options.get("start"), options.get("stop")]
    elif path == "arange":
        start, stop, step = options.get("start"), options.get("stop"), options.get("step", 1)
        if stop is None:
            start, stop = 0, start
        count = arange_count(start, stop, step)
        found = [start] if not count else [start, start + (count - 1) * step]
    else:
        return []
    return [v for v in found if isinstance(v, int | float | complex) and not isinstance(v, bool)]

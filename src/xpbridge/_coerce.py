"""Making an array of one backend from a Python scalar, sequence or array-like, with clear
errors.

Both the dispatcher (an argument that is not an array yet) and the conversions
(``xb.asarray`` of a list) need it, so it sits below both of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._backends import names
from ._errors import (
    BridgeError,
    RaggedSequenceError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
)

if TYPE_CHECKING:
    from ._backends._base import Adapter

__all__ = ["coerce", "unknown_array_message"]

_SCALARS: Final = (bool, int, float, complex)


def unknown_array_message(path: str, param: str, value: Any, *, several: bool = False) -> str:
    """The message for `value` standing where an array (or `several`) should be."""
    what = "a sequence of arrays" if several else "an array, a Python scalar or a sequence"
    return (
        f"{path}: {param} must be {what}; got {type(value).__module__}.{type(value).__qualname__}. "
        f"Pass an array of a library xpbridge knows ({names()}), or convert the object with "
        "numpy.asarray first"
    )


def coerce(value: Any, adapter: Adapter, path: str, param: str, device: Any = None) -> Any:
    """``adapter.asarray(value)`` for Python scalars, sequences and array-likes, with clear
    errors."""
    array_like = isinstance(value, (*_SCALARS, list, tuple, memoryview, bytes)) or any(
        hasattr(value, attr)
        for attr in ("__array__", "__array_interface__", "__dlpack__", "__buffer__")
    )
    if not array_like or hasattr(value, "__array_namespace__"):
        # An array of a library xpbridge does not know: converting it through NumPy would
        # silently change its library (and maybe device), so refuse.
        raise UnknownArrayTypeError(unknown_array_message(path, param, value))
    try:
        array = adapter.asarray(value, device=device)
    except BridgeError:
        raise
    except (ValueError, TypeError, RuntimeError) as exc:
        text = str(exc)
        if "inhomogeneous" in text or "sequence" in text.lower():
            msg = (
                f"{path}: {param} is a ragged nested sequence (rows of different lengths); "
                "pad the rows to one length or build the array row by row"
            )
            raise RaggedSequenceError(msg) from exc
        msg = f"{path}: cannot make a {adapter.name} array of {param}: {exc}"
        raise UnknownArrayTypeError(msg) from exc
    try:
        adapter.dtype_of(array)
    except UnsupportedDTypeError as exc:
        msg = (
            f"{path}: {param} holds values of no array API dtype ({exc}); pass numbers or "
            "booleans (strings, objects and dates are not arrays xpbridge computes with)"
        )
        raise UnsupportedDTypeError(msg) from None
    return array

"""One rule for what the public API takes as an array, and how it takes it.

Every function that takes "an array" (``xb.item``, ``xb.info``, ``xb.backend_of``, the
namespace functions...) takes the same inputs, the way ``xb.asarray`` would:

* an array of a library xpbridge knows: itself, in its own library;
* a Python scalar or nested sequence: a new array of the context's default backend (on its
  default device), a sequence of arrays stacked in their own library;
* an array-like (the buffer protocol, ``__array__``, ``__array_interface__``, a DLPack
  producer: pandas objects, ``bytes``...): NumPy's view of its memory, brought to the
  default backend as ``xb.to`` brings a NumPy array (zero-copy where it can);
* anything else, and arrays of libraries xpbridge does not know (objects with
  ``__array_namespace__``: taking them through NumPy would silently change their library
  and maybe their device): :class:`UnknownArrayTypeError`.

The conversions (``xb.to_*``, ``xb.asarray``, ``xb.from_dlpack``) are the explicit form of
the same rule: asked by name for a library, they also take arrays of unknown libraries
through NumPy's view. Containers of arrays and data frames (``xpbridge._tree``,
``xpbridge._frames``) are handled first where a function keeps its input's kind
(``detach`` and ``clone`` map containers leaf by leaf; ``info`` and ``backend_of`` describe
a frame as the frame it is; ``clone`` leaves copying a frame to its library); elsewhere a
frame is the array-like it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._backends import adapter_for_type, get_adapter, names
from ._coerce import is_array_like, make_array, stacked
from ._config import current_defaults
from ._errors import UnknownArrayTypeError

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._backends._base import Adapter

__all__ = ["accept", "provide_conversion"]

#: ``xb.to``, handed down by ``xpbridge._convert`` when it is imported (it sits above):
#: array-likes are converted with its plans and guards.
_CONVERSIONS: list[Callable[..., Any]] = []


def provide_conversion(to: Callable[..., Any]) -> None:
    """Register ``xb.to`` for :func:`accept` to bring array-likes to the default backend."""
    _CONVERSIONS[:] = [to]


def accept(x: Any, what: str) -> tuple[Adapter, Any]:
    """The adapter and the array that `what` (a public function's name) works on for input
    `x`, by the rule above; :class:`UnknownArrayTypeError` for what it refuses."""
    adapter = adapter_for_type(type(x))
    if adapter is not None:
        return adapter, x
    if not is_array_like(x) or hasattr(x, "__array_namespace__"):
        msg = (
            f"{what}: {type(x).__module__}.{type(x).__qualname__} is not an array of a library "
            f"xpbridge knows ({names()}), nor a Python scalar, sequence or array-like; "
            "convert it explicitly first (xb.to_numpy(x), or numpy.asarray(x))"
        )
        raise UnknownArrayTypeError(msg)
    found = stacked(x, what)
    if found is not None:
        return found
    defaults = current_defaults()
    if isinstance(x, bool | int | float | complex | list | tuple):
        target = get_adapter(defaults.backend)
        return target, make_array(x, target, what, device=defaults.device)
    array = _CONVERSIONS[0](x, defaults.backend, device=defaults.device)
    owner = adapter_for_type(type(array))
    assert owner is not None
    return owner, array

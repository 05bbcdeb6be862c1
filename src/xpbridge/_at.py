"""``xb.at(x)[idx].set(v)``: one safe way to update part of an array on every backend.

In place where the library allows it and nothing can go wrong; out of place otherwise,
with ``copy=`` deciding between the two when it matters (the convention of
array-api-extra's ``at``). What "can go wrong" is the point of this module:

* JAX arrays are immutable: the update is ``x.at[idx].set(v)``, always a new array.
* Read-only NumPy arrays (and broadcast views whose elements share memory) cannot be
  written: a copy is updated instead.
* torch autograd: a leaf that requires grad must not be written while operations are being
  recorded (torch refuses; its ``.grad`` would lose its meaning), and writing a tensor that
  is part of a graph may overwrite a value saved for backward. Such tensors are cloned
  first (the clone keeps the graph, so gradients stay right). Under ``xb.no_grad()`` the
  write is in place: that is how optimizers update parameters.
* A library that refuses an index in ``__setitem__`` (array-api-strict and integer-array
  indices) gets the update computed on a host copy.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any, Final, Literal, Self

from ._backends import adapter_for_type, get_adapter, names
from ._coerce import make_array
from ._config import get_policy
from ._dtypes import dtype_name, isdtype_name
from ._errors import (
    BridgeError,
    CopyRequiredError,
    MixedBackendError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
)
from ._lazy import public_function
from ._overflow import check_int, check_python_values
from ._taxonomy import mistake

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._backends._base import Adapter, Facts

__all__ = ["at"]

_Op = Literal["set", "add", "subtract", "multiply", "divide", "power", "min", "max"]
_SCALARS: Final = (bool, int, float, complex)
_UNSET: Final[Any] = object()
# The element-wise function of each update (applied as ``x[idx] = f(x[idx], v)``).
_FUNCTION: Final = {
    "add": "add",
    "subtract": "subtract",
    "multiply": "multiply",
    "divide": "divide",
    "power": "pow",
    "min": "minimum",
    "max": "maximum",
}
_ARITHMETIC: Final = frozenset({"add", "subtract", "multiply", "divide", "power"})


class _AtUsageError(BridgeError, ValueError):
    pass


@functools.cache
def _kind(dtype_name: str) -> int:
    """Rank of a dtype's kind: bool < integer < real floating < complex."""
    if dtype_name == "bool":
        return 0
    if dtype_name.startswith(("int", "uint")):
        return 1
    if dtype_name.startswith(("float", "bfloat")):
        return 2
    return 3


_SCALAR_KIND: Final = {bool: 0, int: 1, float: 2, complex: 3}


class at:  # noqa: N801 - reads as a verb: xb.at(x)[idx].set(v), like array-api-extra's
    """Update ``x[idx]`` on any backend, in place where that is possible and safe.

    ``xb.at(x)[idx].set(v)`` (or ``xb.at(x, idx).set(v)``) is ``x[idx] = v``;
    ``.add(v)``, ``.subtract(v)``, ``.multiply(v)``, ``.divide(v)``, ``.power(v)`` are the
    augmented assignments (``x[idx] += v``...), ``.min(v)`` and ``.max(v)`` keep the
    smaller or larger of ``x[idx]`` and `v`. Each returns the updated array: always use the
    return value (``x = xb.at(x)[0].set(1.0)``), since the update may or may not happen in
    place depending on the backend.

    Parameters
    ----------
    x : array
        An array of any supported library.
    idx : index, optional
        What ``x[idx]`` accepts in `x`'s library: integers, slices, ``...``, ``None``,
        boolean masks and (outside array-api-strict's ``__setitem__``) integer arrays.
        Give it here or with ``[...]``.

    Notes
    -----
    Each update method takes the value `v` (a Python scalar, or an array; an array of
    another library is converted to `x`'s, on `x`'s device, following the mixing policy and
    the gradient mode) and ``copy``:

    ``copy=None`` (default)
        Update `x` in place if its library allows it and it is safe, else update a copy.
    ``copy=True``
        Never modify `x`: update a copy (for torch, ``x.clone()``, which keeps the graph).
    ``copy=False``
        Update `x` in place, or raise :class:`CopyRequiredError` saying why it cannot be.

    When the update cannot be in place:

    * JAX (immutable arrays): ``x.at[idx].<op>(v)``, a new array;
    * read-only NumPy arrays, and views whose elements share memory (``broadcast_to``,
      torch's ``expand``): a writable copy is updated;
    * torch, while operations are recorded (not under :func:`xpbridge.no_grad`), a tensor
      that requires grad: a leaf would lose its gradient and a tensor in a graph may be a
      value saved for backward, so ``x.clone()`` is updated; gradients flow to `x` (for the
      elements not overwritten) and to `v`. Under ``xb.no_grad()`` the write is in place,
      as an optimizer step is.
    * array-api-strict refuses integer-array indices in ``__setitem__``: the update runs
      on a host copy and comes back on `x`'s device.

    A tensor that does *not* require grad but was saved for backward by another operation
    (say ``c`` in ``loss = (c * w).sum()``) can be written in place; torch's version
    counter then makes ``loss.backward()`` raise instead of computing a wrong gradient.
    Pass ``copy=True`` to keep such a tensor intact.

    The result has `x`'s dtype: a value of a higher kind (a float into an integer array, a
    complex into a real one) is refused, as is ``divide`` on integer arrays and arithmetic
    on boolean ones. With integer-array indices holding the same index twice, ``add`` and
    the other updates apply once on NumPy, torch, CuPy and Dask but accumulate on JAX.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> x = np.zeros(4)
    >>> x = xb.at(x)[1:3].set(2.0)
    >>> x = xb.at(x)[0].add(5.0)
    >>> x
    array([5., 2., 2., 0.])
    >>> y = xb.at(x)[0].set(-1.0, copy=True)  # x is left unchanged
    >>> float(x[0]), float(y[0])
    (5.0, -1.0)
    """

    __slots__ = ("_idx", "_x")
    _x: Any
    _idx: Any

    # __new__ rather than __init__: the signature users see then returns the object.
    def __new__(cls, x: Any, idx: Any = _UNSET, /) -> Self:
        if adapter_for_type(type(x)) is None:
            msg = (
                f"xb.at: x must be an array of a library xpbridge knows ({names()}); got "
                f"{type(x).__module__}.{type(x).__qualname__}"
            )
            raise UnknownArrayTypeError(msg)
        self = super().__new__(cls)
        self._x = x
        self._idx = idx
        return self

    def __getitem__(self, idx: Any, /) -> at:
        if self._idx is not _UNSET:
            msg = "xb.at: the index is already given; use xb.at(x)[idx] or xb.at(x, idx)"
            raise _AtUsageError(msg)
        return at(self._x, idx)

    def __repr__(self) -> str:
        where = "" if self._idx is _UNSET else f"[{self._idx!r}]"
        return f"xb.at(<{type(self._x).__qualname__}>){where}"

    # ------------------------------------------------------------------ the updates

    def set(self, v: Any, /, *, copy: bool | None = None) -> Any:
        """``x[idx] = v``; returns the updated array (see :class:`at` for `copy`)."""
        return self._update("set", v, copy)

    def add(self, v: Any, /, *, copy: bool | None = None) -> Any:
        """``x[idx] += v``; returns the updated array."""
        return self._update("add", v, copy)

    def subtract(self, v: Any, /, *, copy: bool | None = None) -> Any:
        """``x[idx] -= v``; returns the updated array."""
        return self._update("subtract", v, copy)

    def multiply(self, v: Any, /, *, copy: bool | None = None) -> Any:
        """``x[idx] *= v``; returns the updated array."""
        return self._update("multiply", v, copy)

    def divide(self, v: Any, /, *, copy: bool | None = None) -> Any:
        """``x[idx] /= v`` (floating-point arrays); returns the updated array."""
        return self._update("divide", v, copy)

    def power(self, v: Any, /, *, copy: bool | None = None) -> Any:
        """``x[idx] **= v``; returns the updated array."""
        return self._update("power", v, copy)

    def min(self, v: Any, /, *, copy: bool | None = None) -> Any:
        """``x[idx] = minimum(x[idx], v)``; returns the updated array."""
        return self._update("min", v, copy)

    def max(self, v: Any, /, *, copy: bool | None = None) -> Any:
        """``x[idx] = maximum(x[idx], v)``; returns the updated array."""
        return self._update("max", v, copy)

    # ------------------------------------------------------------------ how

    def _update(self, op: _Op, v: Any, copy: bool | None) -> Any:
        x, idx = self._x, self._idx
        if idx is _UNSET:
            msg = f"xb.at: no index given; write xb.at(x)[idx].{op}(v) or xb.at(x, idx).{op}(v)"
            raise _AtUsageError(msg)
        if copy not in (None, True, False):
            msg = f"xb.at(...).{op}: copy must be None, True or False; got {copy!r}"
            raise _AtUsageError(msg)
        adapter = adapter_for_type(type(x))
        assert adapter is not None
        try:
            return _apply(x, idx, op, v, copy, adapter)
        except BridgeError:
            raise
        except Exception as exc:
            # The library's own error (an index out of range, a value that does not fit),
            # as the error taxonomy words it on every backend.
            translated = adapter.translate_error(exc, f"xb.at(...).{op}")
            if translated is None:
                raise
            raise translated from exc


def _apply(x: Any, idx: Any, op: _Op, v: Any, copy: bool | None, adapter: Adapter) -> Any:
    facts = adapter.facts(x)
    v = _as_value(v, x, adapter, op, facts.dtype)
    _check_dtypes(op, facts.dtype, v)
    refusals = _in_place_refusals(
        facts, recorded=adapter.records_autograd(x), noun=adapter.array_noun
    )
    if copy is False and refusals:
        msg = (
            f"xb.at(...).{op}: copy=False, but this {facts.backend} array cannot be "
            f"updated in place: {'; '.join(refusals)}. Pass copy=None to update a copy"
        )
        raise CopyRequiredError(msg)
    if adapter.unchecked_indices:  # JAX drops, MLX clamps, indices out of range
        _check_bounds(idx, tuple(x.shape), op)
    functional = getattr(x, "at", None) if facts.immutable else None
    if functional is not None:
        return getattr(functional[idx], op)(v)
    try:
        return _write(x, idx, op, v, adapter, in_place=not (copy or refusals), lazy=facts.lazy)
    except (IndexError, TypeError, NotImplementedError) as exc:
        if facts.requires_grad:
            raise
        # Some libraries refuse an index in __setitem__ that NumPy takes (array-api-strict
        # and integer arrays): compute the update on a host copy, leaving `x` untouched.
        # If NumPy refuses it too, the library's own error was the right one.
        try:
            updated = _on_host(x, idx, op, v, adapter)
        except Exception:  # noqa: BLE001 - NumPy refusing too: report the original
            raise exc from None
        if copy is False:
            msg = (
                f"xb.at(...).{op}: copy=False, but {facts.backend} cannot write this "
                f"index in place ({exc}). Pass copy=None to update a copy"
            )
            raise CopyRequiredError(msg) from exc
        return updated


def _check_bounds(idx: Any, shape: tuple[int, ...], op: _Op) -> None:
    """Refuse integer indices (Python ints, integer arrays with values) outside `shape`."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    used = sum(_axes_used(part) for part in parts if part is not Ellipsis)
    axis = 0
    for part in parts:
        if part is Ellipsis:
            axis += max(len(shape) - used, 0)
            continue
        if axis < len(shape) and _is_index(part):
            low, high = _index_range(part)
            n = shape[axis]
            if low is not None and high is not None and not (-n <= low and high < n):
                bad = high if high >= n else low
                what = f"index {bad} is out of bounds for axis {axis} with size {n}"
                error = mistake("index", f"xb.at(...).{op}", what)
                raise error
        axis += _axes_used(part)


def _is_index(part: Any) -> bool:
    if isinstance(part, bool):
        return False
    if isinstance(part, int):
        return True
    dtype = getattr(part, "dtype", None)
    return dtype is not None and isdtype_name(dtype_name(dtype, strict=False) or "bool", "integral")


def _axes_used(part: Any) -> int:
    """How many axes of the array an index part consumes (None adds one, consumes none)."""
    if part is None:
        return 0
    dtype = getattr(part, "dtype", None)
    if dtype is not None and dtype_name(dtype, strict=False) == "bool":
        return len(getattr(part, "shape", ())) or 1
    return 1


def _index_range(part: Any) -> tuple[int | None, int | None]:
    """The smallest and largest index in `part` (None: not known without its values)."""
    if isinstance(part, int):
        return part, part
    owner = adapter_for_type(type(part))
    if owner is not None and (owner.facts(part).unsupported or not math.prod(part.shape)):
        return None, None  # traced inside jit, or empty: nothing to check here
    try:
        return int(public_function("min")(part)), int(public_function("max")(part))
    except Exception:  # noqa: BLE001 - its values cannot be read here (a tracer): unchecked
        return None, None


def _check_dtypes(op: _Op, dtype: str, v: Any) -> None:
    kind = _kind(dtype)
    if op in _ARITHMETIC and kind == 0:
        msg = f"xb.at(...).{op}: arithmetic on a boolean array; use set, min or max, or cast it"
        raise UnsupportedDTypeError(msg)
    if op == "divide" and kind == 1:
        msg = (
            f"xb.at(...).divide: true division of an {dtype} array cannot be stored in it; "
            "cast it to a floating dtype first (xb.astype)"
        )
        raise UnsupportedDTypeError(msg)
    owner = adapter_for_type(type(v))
    if owner is not None:
        v_name = owner.dtype_of(v)
        v_kind = _kind(v_name)
    elif isinstance(v, _SCALARS):
        v_name = f"Python {type(v).__name__}"
        v_kind = next(k for t, k in _SCALAR_KIND.items() if isinstance(v, t))
        if isinstance(v, int) and kind == 1:
            check_int(v, dtype, f"xb.at(...).{op}")  # JAX would wrap it (300 -> 44)
    else:
        return
    if v_kind > kind:
        msg = (
            f"xb.at(...).{op}: a {v_name} value cannot be stored in a {dtype} array without "
            "losing information; cast the array (xb.astype) or the value first"
        )
        raise UnsupportedDTypeError(msg)


def _as_value(v: Any, x: Any, adapter: Adapter, op: _Op, dtype: str) -> Any:
    """`v` as a value `x`'s library can take: scalars stay, sequences become arrays (in the
    library's default dtypes: their kind decides, as a scalar's does; their ints must fit
    `x`'s `dtype`), other arrays are converted."""
    owner = adapter_for_type(type(v))
    if owner is adapter or (owner is None and isinstance(v, _SCALARS)):
        return v
    device = adapter.device(x)
    if owner is None:
        what = f"xb.at(...).{op}: v"
        array = make_array(v, adapter, what, device=device)
        if isinstance(v, list | tuple):
            check_python_values(v, dtype, what, implicit=False)
        return array
    if get_policy() == "strict":
        msg = (
            f"xb.at(...).{op}: a {owner.name} value for a {adapter.name} array while the "
            f"mixing policy is 'strict'; convert it first: xb.to(v, {adapter.name!r})"
        )
        raise MixedBackendError(msg)
    from ._convert import lift

    return lift(v, adapter, device=device, context=f"xb.at(...).{op}")


def _in_place_refusals(facts: Facts, *, recorded: bool, noun: str) -> list[str]:
    """Why `x` (described by `facts`; `recorded`: autograd records operations on it right
    now; `noun`: what its library calls arrays) must not be written in place; empty: it
    may be."""
    reasons = []
    if facts.immutable:
        reasons.append(f"{facts.backend} arrays are immutable")
    elif facts.readonly:
        reasons.append("the array is read-only")
    if facts.zero_strides:
        reasons.append("several of its elements share memory (a broadcast view)")
    if recorded:
        if facts.is_leaf:
            reasons.append(
                f"it is a leaf {noun} that requires grad, which {facts.backend} never writes in "
                "place while recording operations (write under xb.no_grad(), as optimizers do)"
            )
        else:
            reasons.append(
                "it requires grad and is part of an autograd graph: writing it in place may "
                "overwrite a value saved for backward"
            )
    return reasons


def _write(
    x: Any, idx: Any, op: _Op, v: Any, adapter: Adapter, *, in_place: bool, lazy: bool
) -> Any:
    """``x[idx] = op(x[idx], v)`` into `x` itself, or into a copy of `x`."""
    target = x if in_place else adapter.copy(x)
    if op == "set":
        target[idx] = v
        return target
    function = _elementwise(op)
    if (lazy or not adapter.boolean_indexing) and _is_mask_of(idx, x):
        # Dask cannot assign values of unknown length (x[mask]), and some libraries cannot
        # read them at all: select with where instead.
        target[...] = _elementwise("where")(idx, function(target, v), target)
        return target
    old = x[idx]  # read from x: when copying, x is never written, so autograd may save it
    if in_place and adapter_for_type(type(v)) is adapter and adapter.records_autograd(v):
        old = adapter.copy(
            old
        )  # the op saves `old` to differentiate by v; the write would change it
    target[idx] = function(old, v)
    return target


def _is_mask_of(idx: Any, x: Any) -> bool:
    dtype = getattr(idx, "dtype", None)
    return dtype is not None and "bool" in str(dtype) and tuple(idx.shape) == tuple(x.shape)


def _elementwise(op: str) -> Callable[..., Any]:
    return public_function(_FUNCTION.get(op, op))


def _on_host(x: Any, idx: Any, op: _Op, v: Any, adapter: Adapter) -> Any:
    from ._convert import to

    host = adapter.to_host(x)
    if not isinstance(v, _SCALARS):
        v = adapter.to_host(v)
    if adapter_for_type(type(idx)) is adapter:
        idx = adapter.to_host(idx)
    elif isinstance(idx, tuple):
        idx = tuple(adapter.to_host(i) if adapter_for_type(type(i)) is adapter else i for i in idx)
    updated = _write(host, idx, op, v, get_adapter("numpy"), in_place=True, lazy=False)
    return to(updated, adapter.name, device=adapter.device(x))

"""The sizes xpbridge asks a library for, checked before it asks.

A shape whose element count overflows 64 bits makes XLA (JAX) abort the whole process
(``jnp.empty((2**40, 2**40))``: "Bad StatusOr access", even when a dimension is 0), where
NumPy and torch raise. So every size xpbridge requests (creation functions, ``reshape``,
``broadcast_to``, ``tile``, ``repeat``, random draws) is checked here first, on every
backend alike: dimensions must be non-negative and the count of elements, times the
largest item size, must fit in a signed 64-bit integer. Only the first call on a size pays
(a few integer operations); what the check leaves out (the result of an operation on
existing zero-size arrays with huge dimensions) is the library's own, and
``docs/errors.md`` says so.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Final

from ._taxonomy import mistake

__all__ = ["LIMIT", "arange_count", "check_count", "check_request", "check_shape"]

#: The largest byte count a size may reach (a signed 64-bit integer).
LIMIT: Final = 2**63 - 1
#: The item size sizes are checked with: the largest of the standard's dtypes (complex128).
_ITEMSIZE: Final = 16


def _dims(shape: Any) -> tuple[int, ...] | None:
    """`shape` as a tuple of ints, or None when it is no shape (the library then says why)."""
    try:
        return (operator.index(shape),)
    except TypeError:
        pass
    try:
        return tuple(operator.index(n) for n in shape)
    except TypeError:
        return None


def check_shape(shape: Any, function: str, *, wildcard: bool = False) -> None:
    """Refuse (:class:`ShapeError`) a `shape` with a negative dimension or more elements
    than 64 bits can count. `wildcard`: one ``-1`` stands for a dimension to be inferred
    (``reshape``)."""
    dims = _dims(shape)
    if dims is None:
        return
    for n in dims:
        if n < 0 and not (wildcard and n == -1):
            error = mistake("size", function, f"shape {dims} has a negative dimension")
            raise error
    check_count(math.prod(n for n in dims if n > 0), function, f"shape {dims}")


def check_count(count: int, function: str, what: str) -> None:
    """Refuse (:class:`ShapeError`) `count` elements (of `what`) beyond 64 bits' reach."""
    if count * _ITEMSIZE > LIMIT:
        msg = f"{what} asks for {count} elements, more than a 64-bit size can count"
        error = mistake("size", function, msg)
        raise error


def check_request(path: str, options: dict[str, Any]) -> None:
    """Check the sizes a creation function's arguments ask for (``shape``, ``eye``'s
    ``n_rows``/``n_cols``, ``linspace``'s ``num``, ``arange``'s count)."""
    if "shape" in options:
        check_shape(options["shape"], path)
    if "n_rows" in options:
        n_cols = options.get("n_cols")
        check_shape((options["n_rows"], options["n_rows"] if n_cols is None else n_cols), path)
    if "num" in options:
        check_shape((options["num"],), path)
    if path == "arange":
        _check_arange(options)


def arange_count(start: Any, stop: Any = None, step: Any = 1) -> int | None:
    """How many elements ``arange(start, stop, step)`` makes, for Python numbers (None for
    anything else, or a step of 0: the library decides)."""
    if stop is None:
        start, stop = 0, start
    values = (start, stop, step)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return None  # arrays or complex: the library decides
    if step == 0 or not all(math.isfinite(v) for v in values):
        return None
    if isinstance(start, int) and isinstance(stop, int) and isinstance(step, int):
        return int(max(-((start - stop) // step), 0))  # exact, however large
    return int(max(math.ceil((stop - start) / step), 0))


def _check_arange(options: dict[str, Any]) -> None:
    start, stop, step = options.get("start"), options.get("stop"), options.get("step", 1)
    count = arange_count(start, stop, step)
    if count is not None:
        check_count(count, "arange", f"arange({start}, {stop}, {step})")

"""One rule for Python numbers that do not fit the dtype they would get: refused.

NumPy 2 refuses ``np.array([1], np.uint8) + 300`` (``OverflowError``), and so do Dask and
array-api-strict; torch and JAX wrap the value silently (``45``), and JAX without 64-bit
mode turns ``1e300`` into ``inf`` and ``2**31`` into ``-2**31``. xpbridge applies NumPy 2's
rule on every backend, raising :class:`ValueOverflowError`:

* a Python int beside an integer array (``xb.add(x, 300)``, ``xb.at(x)[0].set(300)``) must
  fit the array's dtype;
* a Python int or float made into an array (``xb.asarray``, ``xb.to``, creation functions)
  must fit the dtype it gets: the one asked for (ints), or the backend's default
  (``float32`` on torch and on JAX without 64-bit mode).

An explicit floating ``dtype=`` narrower than the value keeps IEEE rounding to ``inf``, as
NumPy does: the caller asked for that dtype.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np

from ._taxonomy import mistake

__all__ = [
    "FLOAT_LIMITS",
    "INT_RANGES",
    "check_float",
    "check_int",
    "check_python_values",
    "magnitude",
]

_INTEGERS: Final = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
#: Integer dtype name -> (smallest, largest) value.
INT_RANGES: Final = {name: (int(np.iinfo(name).min), int(np.iinfo(name).max)) for name in _INTEGERS}
#: Floating (and complex) dtype name -> the largest finite magnitude of one component.
FLOAT_LIMITS: Final = {
    "float16": float(np.finfo(np.float16).max),
    "bfloat16": 3.3895313892515355e38,
    "float32": float(np.finfo(np.float32).max),
    "complex64": float(np.finfo(np.float32).max),
}


_NUMBERS: Final = frozenset({bool, int, float, complex})


def check_int(value: int, dtype: str, function: str) -> None:
    """Refuse the Python int `value` where it would become an element of `dtype`."""
    bounds = INT_RANGES.get(dtype)
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        what = f"the Python int {value} does not fit {dtype} (from {bounds[0]} to {bounds[1]})"
        error = mistake("overflow", function, what)
        raise error


def check_float(value: float, dtype: str, function: str) -> None:
    """Refuse the finite Python number `value` where it would become ``inf`` in `dtype`."""
    limit = FLOAT_LIMITS.get(dtype)
    if limit is None or (isinstance(value, float) and not math.isfinite(value)):
        return
    if abs(value) > limit:
        kind = type(value).__name__
        what = (
            f"the Python {kind} {value!r} does not fit {dtype} (largest {limit:.6g}): it would "
            "become inf"
        )
        error = mistake("overflow", function, what)
        raise error


def magnitude(obj: Any) -> Any:
    """The largest magnitude among the Python numbers in `obj` (a number, or a nested
    sequence of them; complex numbers by their absolute value); 0 if there is none."""
    if isinstance(obj, list | tuple):
        if not obj:
            return 0
        if type(obj[0]) in _NUMBERS:
            try:
                largest = max(map(abs, obj))  # a flat row of numbers: one loop in C
            except TypeError:
                pass  # something else further on (a row, an array)
            else:
                if type(largest) in _NUMBERS:
                    return largest
        return max(magnitude(v) for v in obj)  # rows of rows, or numbers among other things
    return abs(obj) if isinstance(obj, int | float | complex) else 0  # arrays: not numbers


def _extremes(obj: Any) -> tuple[int, int]:
    """The smallest and largest Python int in `obj` (exactly: for values at a range's edge)."""
    if isinstance(obj, list | tuple):
        found = [_extremes(v) for v in obj] or [(0, 0)]
        return min(lo for lo, _ in found), max(hi for _, hi in found)
    if isinstance(obj, int):
        return int(obj), int(obj)
    return 0, 0


def check_python_values(obj: Any, dtype: str, function: str, *, implicit: bool) -> None:
    """Refuse Python numbers in `obj` that do not fit `dtype`, the dtype of the array made
    of them; `implicit`: the dtype is the backend's default, not one asked for.

    Integers need no look here: every library refuses an int beyond the dtype it makes
    (NumPy's object arrays aside, which no backend computes with). Floats do: a finite
    float beyond a narrower default (torch's float32) becomes ``inf`` silently.
    """
    if dtype in INT_RANGES:
        largest = magnitude(obj)
        if isinstance(largest, int):
            lo, hi = INT_RANGES[dtype]
            if largest > min(hi, -lo - 1):
                low, high = _extremes(obj)
                for value in (low, high):
                    check_int(value, dtype, function)
    elif implicit and dtype in FLOAT_LIMITS:
        check_float(magnitude(obj), dtype, function)

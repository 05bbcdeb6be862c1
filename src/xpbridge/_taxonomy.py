"""The error taxonomy: each kind of user mistake, the one xpbridge exception it raises on every
backend, and the fix its message names.

Libraries word one mistake differently: a broadcasting mismatch is NumPy's ``ValueError``
("could not be broadcast"), torch's ``RuntimeError`` ("must match the size of tensor") and
JAX's ``TypeError`` ("incompatible shapes for broadcasting"), so code that catches one of them
works on one backend only. Each adapter lists how its library words the mistakes
(``Adapter.error_wording``); what most libraries word alike is listed here once
(:data:`SHARED_WORDING`). :func:`recognise` finds the kind of a library's error and
:func:`explain` makes it xpbridge's, chained to the original (``raise ... from exc``). Only
failures pay for it: a call that succeeds never gets here.

xpbridge's own checks (sizes, bounds, overflow) raise through :func:`mistake`, so their
messages and classes are the same as those of the library errors they stand for.
The table of kinds is written out in ``docs/errors.md``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, NamedTuple

import numpy as np

from ._errors import (
    AxisOutOfBoundsError,
    BridgeError,
    DeviceMismatchError,
    DeviceNotAvailableError,
    DivisionByZeroError,
    IndexOutOfBoundsError,
    LinAlgError,
    OutOfMemoryError,
    ShapeError,
    UnsupportedDTypeError,
    ValueOverflowError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MISTAKES", "SHARED_WORDING", "Mistake", "Wording", "explain", "mistake", "recognise"]


class Mistake(NamedTuple):
    """One kind of mistake: the exception it raises and the advice that fixes it."""

    error: type[BridgeError]
    advice: str


_SHAPES = (
    "arrays combine when their shapes broadcast (each dimension equal, or one of them 1): "
    "xb.broadcast_shapes(a.shape, b.shape) checks it, and xb.reshape or xb.expand_dims "
    "adjust a shape"
)

#: Every kind of mistake the taxonomy knows, by name.
MISTAKES: Final[dict[str, Mistake]] = {
    "broadcast": Mistake(ShapeError, _SHAPES),
    "reshape": Mistake(
        ShapeError,
        "a reshape keeps the number of elements (the product of the shape); pass -1 for one "
        "dimension to have it computed",
    ),
    "concat": Mistake(
        ShapeError,
        "concat needs equal shapes except along its axis, and stack needs equal shapes: "
        "check each array's .shape",
    ),
    "matmul": Mistake(
        ShapeError,
        "matmul needs the last dimension of x1 to equal the second-to-last of x2 "
        "(xb.matrix_transpose swaps the last two)",
    ),
    "shape": Mistake(
        ShapeError, "check the arrays' shapes (.shape) against what the function needs"
    ),
    "size": Mistake(
        ShapeError,
        "a shape is a tuple of non-negative ints whose product (times the item size) fits "
        "in 64 bits; check the shape's values",
    ),
    "index": Mistake(
        IndexOutOfBoundsError,
        "an index into an axis of length n must lie in [-n, n); check it against x.shape",
    ),
    "axis": Mistake(
        AxisOutOfBoundsError,
        "an axis of an array with ndim dimensions must lie in [-ndim, ndim), and axes "
        "given together must be distinct; check it against x.ndim",
    ),
    "singular": Mistake(
        LinAlgError,
        "the matrix is singular (its rows are linearly dependent); check its rank "
        "(xb.linalg.matrix_rank), or use xb.linalg.pinv for a least-squares answer",
    ),
    "not_positive_definite": Mistake(
        LinAlgError,
        "cholesky needs a symmetric (Hermitian) positive-definite matrix; check its "
        "eigenvalues (xb.linalg.eigvalsh) or add a small multiple of the identity",
    ),
    "linalg": Mistake(
        LinAlgError,
        "the algorithm could not produce an answer for this matrix; check it for NaN, inf "
        "and rank deficiency (xb.linalg.matrix_rank)",
    ),
    "overflow": Mistake(
        ValueOverflowError,
        "the value does not fit the dtype: keep it within xb.iinfo(dtype) or xb.finfo(dtype), "
        "or use a wider dtype (dtype=xb.int64, dtype=xb.float64, or xb.astype first)",
    ),
    "zero_division": Mistake(
        DivisionByZeroError,
        "integer division by zero has no value; replace zero divisors first, e.g. "
        "xb.where(d == 0, 1, d), or divide floating-point arrays",
    ),
    "memory": Mistake(
        OutOfMemoryError,
        "the array does not fit in memory: use a smaller shape or dtype, or compute it in "
        "chunks on a lazy, chunked backend (the docs' page on scaling out)",
    ),
    "dtype": Mistake(
        UnsupportedDTypeError,
        "cast first to a dtype the function takes, e.g. xb.astype(x, xb.float64)",
    ),
    "device": Mistake(
        DeviceMismatchError,
        "xpbridge never moves data implicitly: move the arrays to one device first, e.g. "
        "xb.to(x, backend, device=...)",
    ),
    "no_device": Mistake(
        DeviceNotAvailableError,
        "choose one of the backend's devices here (xb.namespace(backend)"
        ".__array_namespace_info__().devices() lists them)",
    ),
}

#: How a library words a mistake: (the exception classes it raises, a regular expression
#: its message matches, the kind of mistake).
Wording = tuple[type[BaseException] | tuple[type[BaseException], ...], str, str]


def wording(
    classes: type[BaseException] | tuple[type[BaseException], ...], pattern: str, kind: str
) -> Wording:
    """One :data:`Wording` entry (the pattern is matched case-insensitively, compiled on
    first use: only failures pay for it)."""
    assert kind in MISTAKES, kind
    return classes, pattern, kind


_SHAPE_ERRORS: Final = (ValueError, TypeError, RuntimeError)

#: Wording most libraries share (NumPy's, which array-api-strict, Dask and CuPy repeat), and
#: the exception classes that say the kind by themselves. Adapters' own wording is tried
#: first.
SHARED_WORDING: Final[tuple[Wording, ...]] = (
    wording(
        _SHAPE_ERRORS, r"could not be broadcast|broadcast.*shape|shapes? .*broadcast", "broadcast"
    ),
    wording(_SHAPE_ERRORS, r"cannot reshape|total size of new array must be unchanged", "reshape"),
    wording(
        _SHAPE_ERRORS,
        r"except for the concatenation axis|must have the same shape|shapes do not align",
        "concat",
    ),
    wording(_SHAPE_ERRORS, r"mismatch in its core dimension|shapes not aligned", "matmul"),
    wording(
        _SHAPE_ERRORS,
        r"negative dimensions|array is too big|maximum supported dimension|must be non-negative|"
        r"iterator is too large",
        "size",
    ),
    wording(
        (IndexError, ValueError),
        r"\baxis\b.*out of (bounds|range)|axes don't match|repeated axis",
        "axis",
    ),
    wording(_SHAPE_ERRORS, r"squeeze|chunks do not add up to shape", "shape"),
    wording(np.linalg.LinAlgError, r"singular", "singular"),
    wording(np.linalg.LinAlgError, r"positive.definite", "not_positive_definite"),
    wording(np.linalg.LinAlgError, r"", "linalg"),
    wording(IndexError, r"out of (bounds|range)", "index"),
    wording(OverflowError, r"", "overflow"),
    wording(RuntimeWarning, r"overflow", "overflow"),  # NumPy's warning, raised as an error
    wording(MemoryError, r"", "memory"),
    wording(ZeroDivisionError, r"", "zero_division"),
)


def recognise(exc: BaseException, own: Iterable[Wording] = ()) -> str | None:
    """The kind of mistake `exc` reports (by a library's `own` wording first), or None."""
    text = str(exc)
    for classes, pattern, kind in (*own, *SHARED_WORDING):
        if isinstance(exc, classes) and re.search(pattern, text, re.IGNORECASE):
            return kind
    return None


def _what(exc: BaseException, function: str) -> str:
    """The library's own account, in one line (JAX appends pages of notes), without the
    function's name where the library starts with it (``"linalg.inv: ..."``)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    name = re.escape(function.rpartition(".")[2])
    text = re.sub(rf"^(\w+\.)*{name}(\(\))?:\s*", "", text) or text
    if len(text) > 300:
        text = text[:297] + "..."
    return text.rstrip(".")


def explain(exc: BaseException, kind: str, function: str) -> BridgeError:
    """xpbridge's error for `exc`, a mistake of `kind` in `function` (to raise from `exc`)."""
    return mistake(kind, function, _what(exc, function))


def mistake(kind: str, function: str, what: str) -> BridgeError:
    """The error for a mistake of `kind` in `function`: `what` happened, then the fix."""
    found = MISTAKES[kind]
    advice = found.advice[0].upper() + found.advice[1:]
    return found.error(f"{function}: {what}. {advice}")

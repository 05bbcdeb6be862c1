"""Searching, sorting, set and indexing functions of the array API standard (2025.12)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .._dispatch import array_function

if TYPE_CHECKING:
    from .._typing import ArrayT


@array_function
def argmax(x: ArrayT, /, *, axis: int | None = None, keepdims: bool = False) -> ArrayT:
    """Index of the first largest element along `axis` (of the flattened array if None)."""


@array_function
def argmin(x: ArrayT, /, *, axis: int | None = None, keepdims: bool = False) -> ArrayT:
    """Index of the first smallest element along `axis` (of the flattened array if None)."""


@array_function
def argsort(
    x: ArrayT, /, *, axis: int = -1, descending: bool = False, stable: bool = True
) -> ArrayT:
    """Indices that sort `x` along `axis` (stable by default)."""


@array_function
def count_nonzero(
    x: ArrayT, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> ArrayT:
    """Number of non-zero elements along `axis`."""


@array_function(promotes=("x1", "x2"))
def isin(x1: ArrayT | int, x2: ArrayT | int, /, *, invert: bool = False) -> ArrayT:
    """Whether each element of `x1` is in `x2` (new in 2025.12)."""


@array_function
def nonzero(x: ArrayT, /) -> tuple[ArrayT, ...]:
    """Indices of the non-zero elements, one array per axis."""


@array_function
def searchsorted(
    x1: ArrayT,
    x2: ArrayT | float,
    /,
    *,
    side: Literal["left", "right"] = "left",
    sorter: ArrayT | None = None,
) -> ArrayT:
    """Indices where the elements of `x2` would be inserted to keep the 1-d `x1` sorted."""


@array_function
def sort(x: ArrayT, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> ArrayT:
    """A sorted copy of `x` along `axis` (stable by default)."""


@array_function
def take(x: ArrayT, indices: ArrayT, /, *, axis: int | None = None) -> ArrayT:
    """Elements of `x` at integer `indices` along `axis`."""


@array_function
def take_along_axis(x: ArrayT, indices: ArrayT, /, *, axis: int = -1) -> ArrayT:
    """Elements of `x` picked by `indices` of the same rank along `axis`."""


@array_function
def unique_all(x: ArrayT, /) -> tuple[ArrayT, ArrayT, ArrayT, ArrayT]:
    """Unique values of `x` with first indices, inverse indices and counts."""


@array_function
def unique_counts(x: ArrayT, /) -> tuple[ArrayT, ArrayT]:
    """Unique values of `x` and how often each occurs."""


@array_function
def unique_inverse(x: ArrayT, /) -> tuple[ArrayT, ArrayT]:
    """Unique values of `x` and the indices that rebuild `x` from them."""


@array_function
def unique_values(x: ArrayT, /) -> ArrayT:
    """Unique values of `x` (order unspecified by the standard)."""


@array_function(promotes=("x1", "x2"))
def where(condition: ArrayT, x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Elements of `x1` where `condition` is true, else of `x2`."""

"""Statistical and utility functions of the array API standard (2025.12).

Reductions follow the standard, not each library's habit: ``axis``/``keepdims`` everywhere,
``correction`` for ``var``/``std`` (0 by default, where ``torch.var`` uses 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._dispatch import array_function

if TYPE_CHECKING:
    from .._typing import ArrayT, DTypeLike


@array_function
def all(
    x: ArrayT, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> ArrayT:
    """Whether every element along `axis` is true (a boolean array)."""


@array_function
def any(
    x: ArrayT, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> ArrayT:
    """Whether any element along `axis` is true (a boolean array)."""


@array_function
def cumulative_prod(
    x: ArrayT,
    /,
    *,
    axis: int | None = None,
    dtype: DTypeLike | None = None,
    include_initial: bool = False,
) -> ArrayT:
    """Cumulative product of `x` along `axis` (required for arrays of more than one axis)."""


@array_function
def cumulative_sum(
    x: ArrayT,
    /,
    *,
    axis: int | None = None,
    dtype: DTypeLike | None = None,
    include_initial: bool = False,
) -> ArrayT:
    """Cumulative sum of `x` along `axis` (required for arrays of more than one axis)."""


@array_function
def diff(
    x: ArrayT,
    /,
    *,
    axis: int = -1,
    n: int = 1,
    prepend: ArrayT | None = None,
    append: ArrayT | None = None,
) -> ArrayT:
    """The `n`-th discrete difference of `x` along `axis`."""


@array_function
def max(
    x: ArrayT, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> ArrayT:
    """Largest element along `axis` (NaN propagated)."""


@array_function
def mean(
    x: ArrayT, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> ArrayT:
    """Arithmetic mean of a floating-point `x` along `axis`."""


@array_function
def min(
    x: ArrayT, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> ArrayT:
    """Smallest element along `axis` (NaN propagated)."""


@array_function
def prod(
    x: ArrayT,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    dtype: DTypeLike | None = None,
    keepdims: bool = False,
) -> ArrayT:
    """Product of the elements of `x` along `axis`."""


@array_function
def std(
    x: ArrayT,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: float = 0.0,
    keepdims: bool = False,
) -> ArrayT:
    """Standard deviation along `axis`; ``correction=1`` for the unbiased estimate."""


@array_function
def sum(
    x: ArrayT,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    dtype: DTypeLike | None = None,
    keepdims: bool = False,
) -> ArrayT:
    """Sum of the elements of `x` along `axis`."""


@array_function
def var(
    x: ArrayT,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: float = 0.0,
    keepdims: bool = False,
) -> ArrayT:
    """Variance along `axis`; ``correction=1`` for the unbiased estimate."""

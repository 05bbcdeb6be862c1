"""Manipulation functions of the array API standard (2025.12).

Whether a result is a view or a copy follows the backend (as in the standard); ``reshape``
takes ``copy=`` to insist on one or the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._dispatch import array_function

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._typing import ArrayT


@array_function
def broadcast_arrays(*arrays: ArrayT) -> list[ArrayT]:
    """The arrays broadcast against each other (read-only views where the library has them)."""


@array_function
def broadcast_to(x: ArrayT, /, shape: tuple[int, ...]) -> ArrayT:
    """`x` broadcast to `shape` (a view where the library has one)."""


@array_function
def concat(arrays: Sequence[ArrayT], /, *, axis: int | None = 0) -> ArrayT:
    """The arrays joined along an existing `axis` (``None``: flattened first)."""


@array_function
def expand_dims(x: ArrayT, /, axis: int | tuple[int, ...] = 0) -> ArrayT:
    """`x` with new axes of length one inserted at the positions `axis` (int or tuple)."""


@array_function
def flip(x: ArrayT, /, *, axis: int | tuple[int, ...] | None = None) -> ArrayT:
    """`x` with the order of elements reversed along `axis` (all axes by default)."""


@array_function
def moveaxis(
    x: ArrayT, source: int | tuple[int, ...], destination: int | tuple[int, ...], /
) -> ArrayT:
    """`x` with the axes `source` moved to the positions `destination`."""


@array_function
def permute_dims(x: ArrayT, /, axes: tuple[int, ...]) -> ArrayT:
    """`x` with its axes permuted to `axes` (negative axes allowed, as of 2025.12)."""


@array_function
def repeat(x: ArrayT, repeats: int | ArrayT, /, *, axis: int | None = None) -> ArrayT:
    """Each element of `x` repeated `repeats` times along `axis` (flattened if None)."""


@array_function
def reshape(x: ArrayT, /, shape: tuple[int, ...], *, copy: bool | None = None) -> ArrayT:
    """`x` with a new `shape`; ``copy=True`` always copies, ``copy=False`` never does."""


@array_function
def roll(
    x: ArrayT,
    /,
    shift: int | tuple[int, ...],
    *,
    axis: int | tuple[int, ...] | None = None,
) -> ArrayT:
    """`x` with its elements shifted by `shift` along `axis` (flattened if None), wrapping."""


@array_function
def squeeze(x: ArrayT, /, axis: int | tuple[int, ...]) -> ArrayT:
    """`x` without the length-one axes `axis`."""


@array_function
def stack(arrays: Sequence[ArrayT], /, *, axis: int = 0) -> ArrayT:
    """The arrays joined along a new `axis`."""


@array_function
def tile(x: ArrayT, repetitions: tuple[int, ...], /) -> ArrayT:
    """`x` repeated `repetitions` times along each axis."""


@array_function
def unstack(x: ArrayT, /, *, axis: int = 0) -> tuple[ArrayT, ...]:
    """The arrays obtained by splitting `x` along `axis` (the inverse of ``stack``)."""

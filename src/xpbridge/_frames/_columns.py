"""What a frame reader produces: columns as read-only NumPy views, with the facts that decide.

Written once for every library: the readers (``pandas``, ``polars``, ``arrow``) only say,
per column, what their library exports without copying.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from .._dtypes import DTYPES, dtype_name

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "Column",
    "Frame",
    "no_values",
    "numeric_dtype",
    "one_buffer",
    "promoted_dtype",
    "readonly",
]

#: NumPy dtype kinds arrays hold: booleans, integers, floats, complex.
_NUMERIC_KINDS: Final = frozenset("biufc")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a frame (or the values of a Series or Arrow array).

    ``dtype`` is the canonical name of its dtype, or None for what arrays cannot hold
    (strings, categories, dates...: ``spelling`` is the library's name for it, ``fix`` how
    to make it numbers). ``view`` is a read-only NumPy view of its values, made without
    copying, or None (``no_view`` says why: nulls, booleans packed in bits, chunks...).
    ``values(dtype)`` gives the values in a NumPy dtype with nulls as NaN: new memory or a
    view, which the caller copies from.
    """

    label: str
    dtype: str | None
    spelling: str
    nulls: int
    view: Any
    no_view: str
    values: Callable[[Any], Any]
    fix: str = ""


@dataclass(frozen=True, slots=True)
class Frame:
    """A frame as columns: a Series or array is one column of shape ``(n,)``; a table is
    ``(rows, columns)``.

    ``block`` is the whole table as one read-only 2-D view when its library keeps the
    columns in one buffer (None otherwise: stacking them is a copy); ``export`` names the
    library call that made the views, ``fill_hint`` how to fill nulls in that library.
    """

    kind: str
    shape: tuple[int, ...]
    columns: tuple[Column, ...]
    export: str
    fill_hint: str
    block: Any = None

    @property
    def nbytes(self) -> int:
        """The size of its values in bytes (0 for columns that are not numbers)."""
        rows = self.shape[0]
        return sum(rows * DTYPES[c.dtype].itemsize for c in self.columns if c.dtype is not None)

    def view(self, dtype: str) -> Any:
        """The frame as one read-only view of `dtype`, or None if that needs a copy.

        An empty frame has nothing to share or copy: its view is a new empty array.
        """
        if 0 in self.shape:
            return np.empty(self.shape, dtype=np.dtype(dtype))
        if any(c.nulls or c.dtype != dtype for c in self.columns):
            return None
        return self.columns[0].view if len(self.shape) == 1 else self.block

    def copy_reasons(self, dtype: str, nan: bool) -> list[str]:
        """Why converting to `dtype` (with nulls as NaN if `nan`) needs new memory."""
        reasons = []
        if len(self.shape) == 2 and self.block is None and len(self.columns) > 1:
            reasons.append(
                f"its {len(self.columns)} columns are separate buffers: stacked into one new "
                f"{self.shape[0]} x {len(self.columns)} array"
            )
        names = sorted({c.dtype for c in self.columns if c.dtype != dtype}, key=str)
        if names:
            why = " (nulls='nan' gives a floating result)" if nan else ""
            reasons.append(f"{', '.join(map(str, names))} -> {dtype}{why}")
        for c in self.columns:
            if c.nulls:
                reasons.append(f"nulls='nan': the {c.nulls} null(s) of {c.label} become NaN")
            elif c.view is None and c.no_view:
                reasons.append(f"{c.label}: {c.no_view}")
        return reasons

    def fill(self, out: Any) -> Any:
        """Write the frame's values into `out` (new memory of the result's shape)."""
        dtype = out.dtype
        for j, c in enumerate(self.columns):
            source = c.view if c.view is not None and not c.nulls else c.values(dtype)
            if len(self.shape) == 1:
                out[...] = source
            else:
                out[:, j] = source
        return out


def no_values(np_dtype: Any) -> Any:
    """The ``values`` of a column that is not numbers: never read (refused before)."""
    msg = "a column that is not numbers has no values to read (it is refused first)"
    raise AssertionError(msg)


def readonly(a: Any) -> Any:
    """`a`, or a view of it that cannot be written: a frame's memory is its library's (pandas
    copies on write; Arrow memory is immutable), never ours to write."""
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


def numeric_dtype(dtype: Any) -> str | None:
    """The canonical name of NumPy dtype `dtype` if arrays hold it (booleans and numbers)."""
    if not isinstance(dtype, np.dtype) or dtype.kind not in _NUMERIC_KINDS:
        return None
    name = dtype_name(dtype, strict=False)
    return name if name in DTYPES else None


def promoted_dtype(columns: Sequence[Column], *, nan: bool) -> str:
    """The dtype of the array `columns` become: NumPy's promotion of theirs (the standard's
    where it defines one; integers with floats, which it leaves open, give floats as in
    ``DataFrame.to_numpy()``). With `nan` (``nulls="nan"``) the result is floating:
    booleans and integers become float64."""
    dtypes = [np.dtype(str(c.dtype)) for c in columns]
    if nan:
        dtypes = [d if d.kind in "fc" else np.dtype("float64") for d in dtypes]
    if not dtypes:
        return "float64"  # no column: NumPy's default, as for np.empty((n, 0))
    name = dtype_name(np.result_type(*dtypes))
    assert name is not None
    return str(name)


def _root(a: Any) -> Any:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def one_buffer(views: Sequence[Any]) -> Any:
    """`views` (1-D columns of one length and dtype) as one read-only 2-D ``(rows,
    columns)`` view, when they lie in one buffer at a regular distance (a pandas block);
    None otherwise (stacking them is a copy)."""
    if not views or any(v is None for v in views):
        return None
    first = views[0]
    if len(views) == 1:
        return first[:, None]
    if any(v.dtype != first.dtype or v.shape != first.shape for v in views):
        return None
    root = _root(first)
    if any(_root(v) is not root or v.strides != first.strides for v in views):
        return None  # separate buffers, kept alive by separate owners
    address = [v.__array_interface__["data"][0] for v in views]
    step = address[1] - address[0]
    if any(b - a != step for a, b in itertools.pairwise(address)):
        return None
    # Every column lies in `root`, which `first` keeps alive (through its base).
    return np.lib.stride_tricks.as_strided(
        first, shape=(first.shape[0], len(views)), strides=(first.strides[0], step), writeable=False
    )

"""Data frames as sources: pandas, polars and pyarrow objects read as NumPy host views.

A frame is recognised by its type through ``sys.modules``, never by importing its library
(an object of it exists, so the library is imported). Reading goes through each library's
own zero-copy export, column by column (``Series.to_numpy()``, polars'
``to_numpy(allow_copy=False)``, Arrow's ``to_numpy(zero_copy_only=True)``), counting nulls
and naming each column's dtype; it never copies data. What a conversion then does with the
views (share them, stack the columns, fill nulls) is decided by the one planner,
``xpbridge._plan``.

Frames are not backends: nothing converts *to* them, so they have readers here rather than
adapters in ``xpbridge._backends``. Adding a library is one :class:`FrameSpec` line and one
reader module, which finds the library in ``sys.modules`` (it never imports it).
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

from .._errors import BridgeError, NullValuesError, UnsupportedDTypeError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._columns import Column, Frame

__all__ = [
    "FRAMES",
    "NULL_POLICIES",
    "FrameSpec",
    "NullPolicy",
    "check_nulls_policy",
    "frame_dtype",
    "frame_kind",
    "frame_spec",
    "is_frame_type",
    "promoted_dtype",
    "read",
]

NullPolicy = Literal["raise", "nan"]
NULL_POLICIES: Final = ("raise", "nan")


class FrameSpec(NamedTuple):
    """How to recognise a library's frames without importing it, and its reader."""

    library: str
    #: The module that must already be imported for such objects to exist.
    module: str
    #: Classes of that module whose instances (and subclasses') are frames.
    classes: tuple[str, ...]
    #: Its reader, a module of ``xpbridge._frames`` with ``read(obj, kind) -> Frame``,
    #: imported when a frame of the library is first read.
    reader: str
    #: Its memory is never written, not even by the library (Arrow's).
    immutable: bool


FRAMES: Final = (
    FrameSpec("pandas", "pandas", ("Series", "DataFrame"), "pandas", immutable=False),
    FrameSpec("polars", "polars", ("Series", "DataFrame"), "polars", immutable=True),
    FrameSpec(
        "pyarrow",
        "pyarrow",
        ("Array", "ChunkedArray", "Table", "RecordBatch"),
        "arrow",
        immutable=True,
    ),
)

#: type -> (spec, kind) or None; plain dict, as the backend registry's cache.
_BY_TYPE: dict[type, tuple[FrameSpec, str] | None] = {}


def _lookup(cls: type) -> tuple[FrameSpec, str] | None:
    try:
        return _BY_TYPE[cls]
    except KeyError:
        pass
    found = None
    for spec in FRAMES:
        module = sys.modules.get(spec.module)  # never triggers an import
        if module is None:
            continue
        for name in spec.classes:
            base = getattr(module, name, None)
            if isinstance(base, type) and issubclass(cls, base):
                found = spec, f"{spec.library}.{name}"
                break
        if found:
            break
    _BY_TYPE[cls] = found
    return found


def frame_kind(x: Any) -> str | None:
    """``"pandas.DataFrame"``, ``"polars.Series"``, ``"pyarrow.Table"``... for a frame; None
    for anything else. Never imports a library."""
    found = _lookup(type(x))
    return None if found is None else found[1]


def frame_spec(x: Any) -> FrameSpec | None:
    """The :class:`FrameSpec` of frame `x`'s library, or None for anything else."""
    found = _lookup(type(x))
    return None if found is None else found[0]


def is_frame_type(cls: type) -> bool:
    """Whether instances of `cls` are frames (cached per type, never imports)."""
    return _lookup(cls) is not None


def read(x: Any) -> Frame:
    """The columns of frame `x` as read-only NumPy views where its library exports them
    without copying (see :class:`Frame`); nothing is copied or converted."""
    found = _lookup(type(x))
    assert found is not None, "read() is for frames (see frame_kind)"
    spec, kind = found
    name = f"{__name__}.{spec.reader}"
    reader = sys.modules.get(name) or importlib.import_module(name)
    frame: Frame = reader.read(x, kind)
    return frame


def promoted_dtype(columns: Sequence[Column], *, nan: bool) -> str:
    """The dtype `columns` become as one array (see ``_columns.promoted_dtype``)."""
    from ._columns import promoted_dtype as promote

    return promote(columns, nan=nan)


class _NullsOptionError(BridgeError, ValueError):
    pass


def check_nulls_policy(nulls: Any) -> None:
    """Refuse a `nulls=` value that is not one of :data:`NULL_POLICIES`."""
    if nulls not in NULL_POLICIES:
        msg = (
            f"nulls= must be one of {', '.join(map(repr, NULL_POLICIES))}; got {nulls!r} "
            "('raise': refuse columns with nulls; 'nan': a floating result with NaN for them)"
        )
        raise _NullsOptionError(msg)


def frame_dtype(frame: Frame, nulls: NullPolicy) -> str:
    """The dtype `frame` converts to under the `nulls` policy, after checking every column:
    :class:`UnsupportedDTypeError` names the columns that are not numbers (and the fix),
    :class:`NullValuesError` those with nulls when `nulls` is ``"raise"``."""
    check_nulls_policy(nulls)
    bad = [c for c in frame.columns if c.dtype is None]
    if bad:
        listed = "; ".join(f"{c.label} is {c.spelling}: {c.fix}" for c in bad)
        msg = (
            f"cannot convert this {frame.kind} to an array: {listed}. Arrays hold booleans "
            "and numbers only"
        )
        raise UnsupportedDTypeError(msg)
    with_nulls = [c for c in frame.columns if c.nulls]
    if with_nulls and nulls == "raise":
        listed = "; ".join(f"{c.label} has {c.nulls} null{'s' * (c.nulls > 1)}" for c in with_nulls)
        msg = (
            f"cannot convert this {frame.kind}: {listed}, which arrays cannot hold. Fill them "
            f"first ({frame.fill_hint}), or pass nulls='nan' for a floating result with NaN "
            "in their place (a copy)"
        )
        raise NullValuesError(msg)
    return promoted_dtype(frame.columns, nan=nulls == "nan")

"""polars Series and DataFrames, read through ``to_numpy(allow_copy=False)``.

polars holds Arrow memory, immutable: its views are read-only. A numeric column of one
chunk without nulls is viewed without copying; a DataFrame is one 2-D view only where
polars itself can give one (its columns in one Fortran-ordered buffer, as
``pl.from_numpy`` of such an array makes).
"""

from __future__ import annotations

import sys
from typing import Any, Final

from ._columns import Column, Frame, no_values, readonly

__all__ = ["read"]

_EXPORT = "polars' to_numpy(allow_copy=False)"
_FILL = ".fill_null(value) or .drop_nulls()"
#: polars dtype -> canonical name, for the dtypes arrays hold.
_NUMERIC: Final = {
    "Boolean": "bool",
    "Int8": "int8",
    "Int16": "int16",
    "Int32": "int32",
    "Int64": "int64",
    "UInt8": "uint8",
    "UInt16": "uint16",
    "UInt32": "uint32",
    "UInt64": "uint64",
    "Float16": "float16",
    "Float32": "float32",
    "Float64": "float64",
}


def read(x: Any, kind: str) -> Frame:
    pl = sys.modules["polars"]
    if isinstance(x, pl.Series):
        label = f"the Series {x.name!r}" if x.name else "the Series"
        return Frame(kind, (len(x),), (_column(x, label),), _EXPORT, _FILL)
    columns = tuple(_column(s, f"column {s.name!r}") for s in x.iter_columns())
    block = None
    if len({c.dtype for c in columns}) == 1 and not any(c.nulls for c in columns):
        try:  # polars knows when its columns are one buffer
            block = readonly(x.to_numpy(allow_copy=False))
        except RuntimeError:
            block = None
    return Frame(kind, x.shape, columns, _EXPORT, _FILL, block)


def _column(s: Any, label: str) -> Column:
    pl = sys.modules["polars"]
    dtype = s.dtype
    name = _NUMERIC.get(str(dtype))
    if name is None:
        return Column(label, None, str(dtype), 0, None, "", no_values, _fix(dtype))
    nulls = int(s.null_count())

    def values(np_dtype: Any) -> Any:
        data = s
        if nulls and not dtype.is_float():
            data = data.cast(pl.Float64)  # to_numpy gives NaN for the nulls of floats
        return data.to_numpy()

    view, no_view = None, ""
    if nulls:
        no_view = "it has nulls"
    elif dtype == pl.Boolean:
        no_view = "polars packs booleans in bits, NumPy in bytes"
    elif s.n_chunks() > 1:
        no_view = f"its values are in {s.n_chunks()} chunks (s.rechunk() joins them)"
    else:
        try:
            view = readonly(s.to_numpy(allow_copy=False))
        except RuntimeError as exc:
            no_view = f"polars cannot view it without copying ({exc})"
    return Column(label, name, str(dtype), nulls, view, no_view, values)


def _fix(dtype: Any) -> str:
    """How to make a polars column of `dtype` numbers."""
    text = str(dtype)
    if text.startswith(("Categorical", "Enum")):
        return "use its integer codes (s.to_physical())"
    if dtype.is_temporal():
        return "make it numbers first (s.to_physical(), or s.dt.epoch('s'))"
    if text in ("String", "Utf8", "Binary"):
        return "encode it first (s.cast(pl.Categorical).to_physical()), or drop it"
    if text.startswith(("Decimal", "Int128", "UInt128")):
        return "cast it first (s.cast(pl.Float64) or s.cast(pl.Int64))"
    return "cast it to a numeric dtype first (s.cast(...)), or drop it"

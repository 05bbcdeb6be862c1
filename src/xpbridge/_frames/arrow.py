"""pyarrow arrays, chunked arrays, tables and record batches (and the Arrow columns pandas
holds), read through Arrow's ``to_numpy(zero_copy_only=True)``.

Arrow memory is immutable: its views are read-only. A numeric array of one chunk without
nulls is viewed without copying; booleans (packed in bits), several chunks and nulls need
new memory, which the plan says.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._columns import Column, Frame, no_values, numeric_dtype, one_buffer, readonly

__all__ = ["column", "read"]

_EXPORT = "Arrow's to_numpy(zero_copy_only=True)"
_FILL = "pyarrow.compute.fill_null(x, value) or x.drop_null()"


def read(x: Any, kind: str) -> Frame:
    pa = sys.modules["pyarrow"]
    if isinstance(x, (pa.Array, pa.ChunkedArray)):
        return Frame(kind, (len(x),), (column(x, "the array"),), _EXPORT, _FILL)
    columns = tuple(
        column(x.column(i), f"column {name!r}") for i, name in enumerate(x.column_names)
    )
    block = None
    if len(columns) == 1 and not columns[0].nulls:
        block = one_buffer([columns[0].view])  # else: separate buffers, stacked
    return Frame(kind, (x.num_rows, len(columns)), columns, _EXPORT, _FILL, block)


def column(x: Any, label: str, *, fix: str = "") -> Column:
    """The :class:`Column` of Arrow array or chunked array `x` (`fix`: the library's own
    advice for a column that is not numbers, where it is not pyarrow's)."""
    pa = sys.modules["pyarrow"]
    kind = x.type
    name = _numeric(kind)
    if name is None:
        return Column(label, None, str(kind), 0, None, "", no_values, fix or _fix(kind))
    nulls = int(x.null_count)

    def values(np_dtype: Any) -> Any:
        data = x
        if nulls and not pa.types.is_floating(kind):
            data = data.cast(pa.float64())  # to_numpy gives NaN for the nulls of floats
        return data.to_numpy(zero_copy_only=False)

    chunks = x.chunks if isinstance(x, pa.ChunkedArray) else [x]
    view, no_view = None, ""
    if nulls:
        no_view = "it has nulls"
    elif pa.types.is_boolean(kind):
        no_view = "Arrow packs booleans in bits, NumPy in bytes"
    elif len(chunks) > 1:
        no_view = f"its values are in {len(chunks)} chunks (combine_chunks() joins them)"
    elif chunks:
        try:
            view = readonly(chunks[0].to_numpy(zero_copy_only=True))
        except pa.ArrowInvalid as exc:
            no_view = f"Arrow cannot view it without copying ({exc})"
    return Column(label, name, str(kind), nulls, view, no_view, values)


def _numeric(kind: Any) -> str | None:
    pa = sys.modules["pyarrow"]
    if pa.types.is_boolean(kind):
        return "bool"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return numeric_dtype(np.dtype(kind.to_pandas_dtype()))
    return None


def _fix(kind: Any) -> str:
    """How to make an Arrow column of type `kind` numbers."""
    pa = sys.modules["pyarrow"]
    types = pa.types
    if types.is_dictionary(kind):
        return "use its integer indices (array.indices) or decode it"
    if types.is_temporal(kind):
        return "make it numbers first (array.cast(pa.int64()))"
    if types.is_string(kind) or types.is_large_string(kind) or types.is_binary(kind):
        return "encode it first (array.dictionary_encode().indices), or drop it"
    return "cast it to a numeric type first (array.cast(...)), or drop it"

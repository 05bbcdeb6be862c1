"""pandas Series and DataFrames, read column by column through ``Series.to_numpy()``.

NumPy-backed columns and nullable ones (``Int64``, ``Float64``, ``boolean``) without nulls
export their values without copying; Arrow-backed ones (``int64[pyarrow]``...) are read by
the Arrow reader from the Arrow array pandas holds. pandas copies on write, so its memory
is only ever viewed read-only, as ``to_numpy()`` itself returns it. NaN in a NumPy float
column is a value, as it is in NumPy; nulls are the missing values of nullable dtypes.
The index is not data: rows are taken in order.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._columns import Column, Frame, no_values, numeric_dtype, one_buffer, readonly
from .arrow import column as arrow_column

__all__ = ["read"]

_EXPORT = "pandas' Series.to_numpy()"
_FILL = ".fillna(value) or .dropna()"


def read(x: Any, kind: str) -> Frame:
    pd = sys.modules["pandas"]
    if isinstance(x, pd.Series):
        label = "the Series" if x.name is None else f"the Series {x.name!r}"
        return Frame(kind, (len(x),), (_column(x, label),), _EXPORT, _FILL)
    columns = tuple(_column(s, f"column {name!r}") for name, s in x.items())
    block = None
    if len({c.dtype for c in columns}) == 1 and not any(c.nulls for c in columns):
        block = one_buffer([c.view for c in columns])  # one pandas block: a 2-D view
    return Frame(kind, x.shape, columns, f"{_EXPORT} of each column (one block)", _FILL, block)


def _column(s: Any, label: str) -> Column:
    pd = sys.modules["pandas"]
    dtype = s.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return arrow_column(s.array.__arrow_array__(), label, fix=_fix(s))
    masked = isinstance(s.array, (pd.arrays.IntegerArray, pd.arrays.FloatingArray))
    masked = masked or isinstance(s.array, pd.arrays.BooleanArray)
    numpy_backed = isinstance(dtype, np.dtype)
    name = numeric_dtype(dtype if numpy_backed else getattr(dtype, "numpy_dtype", None))
    if name is None or not (numpy_backed or masked):
        return Column(label, None, _spelling(dtype), 0, None, "", no_values, _fix(s))
    # NaN in a NumPy float column is a value; nulls are the masked values of nullable dtypes.
    nulls = int(s.isna().sum()) if masked else 0

    def values(np_dtype: Any) -> Any:
        if nulls:
            return s.to_numpy(dtype=np_dtype, na_value=np.nan)
        return s.to_numpy()

    if nulls:
        return Column(label, name, str(dtype), nulls, None, "it has nulls", values)
    view = s.to_numpy()
    # A second export sharing memory with the first shows both are views of the column,
    # not new memory made for each call (as pandas makes for what it cannot view).
    if not np.shares_memory(view, s.to_numpy()):
        return Column(label, name, str(dtype), 0, None, "pandas copies it to export it", values)
    return Column(label, name, str(dtype), 0, readonly(view), "", values)


def _spelling(dtype: Any) -> str:
    return f"{dtype} ({type(dtype).__name__})" if not isinstance(dtype, np.dtype) else str(dtype)


def _fix(s: Any) -> str:
    """How to make column `s` numbers, in pandas' terms."""
    pd = sys.modules["pandas"]
    dtype = s.dtype
    kind = getattr(dtype, "kind", "")
    if isinstance(dtype, pd.CategoricalDtype):
        return "use its integer codes (s.cat.codes) or one-hot columns (pd.get_dummies)"
    if kind in "mM" or isinstance(dtype, (pd.DatetimeTZDtype, pd.PeriodDtype)):
        return (
            "make it numbers first, e.g. (s - s.min()).dt.total_seconds(), or s.astype('int64') "
            "for nanoseconds"
        )
    if isinstance(dtype, pd.SparseDtype):
        return "make it dense first (s.sparse.to_dense())"
    if isinstance(dtype, pd.StringDtype) or kind in "OSU":
        return (
            "encode it first (s.astype('category').cat.codes), make it numbers if it holds "
            "them (pd.to_numeric(s)), or drop it (df.drop(columns=...))"
        )
    return "convert it to a numeric dtype first (s.astype(...)), or drop it"

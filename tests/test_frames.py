"""Data frames as sources: pandas, polars and pyarrow, into every registered backend.

Each frame is built on NumPy memory its library takes without copying, so aliasing is seen
by writing there: a result that shares memory with the frame shows the write, a copy does
not. The oracle is the rule of ``docs/pipelines.md``, not the planner: a column without
nulls is shared with every target that cannot write it (NumPy as a read-only view, JAX
where the memory is 64-byte aligned, array-api-strict, Dask) and copied into torch; nulls
raise unless ``nulls="nan"``; strings, categories and dates raise naming the column.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge import CopyRequiredError, NullValuesError, UnsupportedDTypeError
from xpbridge._backends import get_adapter

FRAME_LIBRARIES = ("pandas", "polars", "pyarrow")
#: Targets that may share read-only memory (torch tensors are writable: always a copy).
SHARES_READONLY = {"numpy", "jax", "array_api_strict", "dask"}
JAX_ALIGNMENT = 64


@pytest.fixture(params=FRAME_LIBRARIES)
def frame_library(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed (requirements/test.txt installs it)")
    return name


def _series(library: str, values: Any) -> Any:
    """A one-column frame of `library` on the memory of NumPy array `values`."""
    if library == "pandas":
        import pandas as pd

        return pd.Series(values, copy=False, name="x")
    if library == "polars":
        import polars as pl

        return pl.Series("x", values)
    import pyarrow as pa

    return pa.array(values)


def _with_nulls(library: str, values: list[Any], dtype: str) -> Any:
    if library == "pandas":
        import pandas as pd

        nullable = {"int64": "Int64", "float32": "Float32", "bool": "boolean"}[dtype]
        return pd.Series(values, dtype=nullable, name="x")
    if library == "polars":
        import polars as pl

        kind = {"int64": pl.Int64, "float32": pl.Float32, "bool": pl.Boolean}[dtype]
        return pl.Series("x", values, dtype=kind)
    import pyarrow as pa

    kind = {"int64": pa.int64(), "float32": pa.float32(), "bool": pa.bool_()}[dtype]
    return pa.array(values, type=kind)


def _shares(target: str, frame: Any, copy: bool | None = None) -> bool:
    """The oracle: does a conversion of `frame` (one viewable column) share memory?"""
    if target not in SHARES_READONLY:
        return False
    if target == "jax":
        # JAX may alias only memory nobody can write, or with copy=False (at the caller's
        # risk): these frames view `base`, which stays writable.
        info = xb.info(frame)
        aligned = info.data_ptr is not None and info.data_ptr % JAX_ALIGNMENT == 0
        return aligned and copy is False
    return True


def _read(result: Any) -> Any:
    return xb.to_numpy(result, copy=True)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32", "float64"])
@pytest.mark.parametrize("copy", [None, True, False])
def test_a_numeric_column_shares_or_copies_as_the_rules_say(
    frame_library: str, target: str, dtype: str, copy: bool | None
) -> None:
    base = np.arange(6).astype(dtype)
    column = _series(frame_library, base)
    shares = _shares(target, column, copy) and copy is not True
    plan = xb.plan(column, target, copy=copy)
    if copy is False and not shares:
        assert isinstance(plan.error, CopyRequiredError)
        with pytest.raises(CopyRequiredError, match="copy=False"):
            xb.to(column, target, copy=False)
        return
    assert plan.error is None
    assert plan.shares_memory == shares, str(plan)
    result = xb.to(column, target, copy=copy)
    assert xb.backend_of(result) == target
    assert xb.info(result).dtype == xb.info(base).dtype
    np.testing.assert_array_equal(_read(result), np.arange(6).astype(dtype))
    base[0] = 42  # the frame's memory, written where it lives
    assert (_read(result)[0] == 42) == shares, "aliasing differs from the plan"
    if shares and target == "numpy":
        assert not result.flags.writeable  # read-only memory stays read-only
        assert xb.shares_memory(column, result)


def test_a_table_is_rows_by_columns(frame_library: str) -> None:
    base = np.asfortranarray(np.arange(6.0).reshape(3, 2))  # column-major: one buffer
    if frame_library == "pandas":
        import pandas as pd

        table = pd.DataFrame(base.T.copy().T, copy=False, columns=["a", "b"])
        one_buffer = True
    elif frame_library == "polars":
        import polars as pl

        table = pl.from_numpy(base, schema=["a", "b"])
        one_buffer = True
    else:
        import pyarrow as pa

        table = pa.table({"a": base[:, 0], "b": base[:, 1]})
        one_buffer = False  # Arrow keeps each column in its own buffer
    plan = xb.plan(table, "numpy")
    assert plan.shares_memory == one_buffer, str(plan)
    result = xb.to_numpy(table)
    assert result.shape == (3, 2)
    np.testing.assert_array_equal(result, np.arange(6.0).reshape(3, 2))
    if one_buffer:
        assert xb.shares_memory(table, result)
        assert not result.flags.writeable
        with pytest.raises(CopyRequiredError, match="read-only"):
            xb.to_torch(table, copy=False)
    else:
        assert "stack" in str(plan)
        assert "separate buffers" in str(plan)
        with pytest.raises(CopyRequiredError, match="separate buffers"):
            xb.to_numpy(table, copy=False)
    if importlib.util.find_spec("torch"):
        tensor = xb.to_torch(table)
        assert tuple(tensor.shape) == (3, 2)
        assert not xb.shares_memory(table, tensor)


def test_columns_of_several_dtypes_promote_in_one_copy(frame_library: str) -> None:
    ints, floats = np.array([1, 2, 3], dtype=np.int64), np.array([0.5, 1.5, 2.5])
    if frame_library == "pandas":
        import pandas as pd

        table = pd.DataFrame({"n": ints, "w": floats})
    elif frame_library == "polars":
        import polars as pl

        table = pl.DataFrame({"n": ints, "w": floats})
    else:
        import pyarrow as pa

        table = pa.record_batch({"n": ints, "w": floats})
    plan = xb.plan(table, "numpy")
    assert plan.copies
    assert "int64 -> float64" in str(plan)
    assert [step.action for step in plan.steps] == ["stack"]
    result = xb.to_numpy(table)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, np.stack([ints, floats], axis=1))
    assert result.flags.writeable  # new memory, ours to write
    assert xb.to_numpy(table, dtype=xb.float32).dtype == np.float32  # cast in the same copy


@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_nulls_raise_unless_asked_for_as_nan(frame_library: str, target: str, dtype: str) -> None:
    values = {"int64": [1, None, 3], "float32": [1.5, None, 3.5], "bool": [True, None, False]}
    column = _with_nulls(frame_library, values[dtype], dtype)
    with pytest.raises(NullValuesError, match=r"1 null\b.*nulls='nan'") as caught:
        xb.to(column, target)
    assert isinstance(caught.value, ValueError)
    assert "fill" in str(caught.value).lower()
    assert isinstance(xb.plan(column, target).error, NullValuesError)
    plan = xb.plan(column, target, nulls="nan")
    assert plan.copies
    assert "become NaN" in str(plan)
    result = xb.to(column, target, nulls="nan")
    expected_dtype = "float32" if dtype == "float32" else "float64"
    assert xb.info(result).dtype == getattr(xb, expected_dtype)
    read = _read(result)
    assert np.isnan(read[1])
    np.testing.assert_array_equal(read[[0, 2]], np.array(values[dtype], dtype=object)[[0, 2]])
    with pytest.raises(CopyRequiredError, match="nulls='nan'"):
        xb.to(column, target, nulls="nan", copy=False)
    with pytest.raises(ValueError, match="nulls= must be one of"):
        xb.to(column, target, nulls="zero")  # type: ignore[arg-type]


def test_nulls_name_the_column_and_count(frame_library: str) -> None:
    if frame_library == "pandas":
        import pandas as pd

        table = pd.DataFrame({"age": pd.array([1, None, None], dtype="Int64"), "ok": [1, 2, 3]})
    elif frame_library == "polars":
        import polars as pl

        table = pl.DataFrame({"age": [1, None, None], "ok": [1, 2, 3]})
    else:
        import pyarrow as pa

        table = pa.table({"age": [1, None, None], "ok": [1, 2, 3]})
    with pytest.raises(NullValuesError, match=r"column 'age' has 2 nulls") as caught:
        xb.to_numpy(table)
    assert "'ok'" not in str(caught.value)
    filled = xb.to_numpy(table, nulls="nan")
    assert filled.dtype == np.float64
    assert np.isnan(filled[1:, 0]).all()
    np.testing.assert_array_equal(filled[:, 1], [1.0, 2.0, 3.0])


def test_columns_that_are_not_numbers_are_refused_by_name(frame_library: str) -> None:
    import datetime

    days = [datetime.datetime(2024, 1, d) for d in (1, 2)]
    if frame_library == "pandas":
        import pandas as pd

        table = pd.DataFrame({"name": ["a", "b"], "n": [1, 2]})
        cases = {
            "string": (table, "column 'name'", "cat.codes"),
            "category": (pd.Series(["a", "b"], dtype="category", name="c"), "'c'", "cat.codes"),
            "datetime": (pd.Series(days, name="when"), "'when'", "total_seconds"),
        }
    elif frame_library == "polars":
        import polars as pl

        table = pl.DataFrame({"name": ["a", "b"], "n": [1, 2]})
        cases = {
            "string": (table, "column 'name'", "Categorical"),
            "category": (pl.Series("c", ["a", "b"], dtype=pl.Categorical), "'c'", "to_physical"),
            "datetime": (pl.Series("when", days), "'when'", "to_physical"),
        }
    else:
        import pyarrow as pa

        table = pa.table({"name": ["a", "b"], "n": [1, 2]})
        cases = {
            "string": (table, "column 'name'", "dictionary_encode"),
            "category": (pa.array(["a", "b"]).dictionary_encode(), "the array", "indices"),
            "datetime": (pa.array(days), "the array", "cast"),
        }
    for case, (frame, label, fix) in cases.items():
        with pytest.raises(UnsupportedDTypeError, match=label) as caught:
            xb.to_numpy(frame)
        assert fix in str(caught.value), case
        assert "'n'" not in str(caught.value)  # the numeric column is not blamed


def test_booleans_and_chunks_are_copied_and_say_why(frame_library: str) -> None:
    flags = _series(frame_library, np.array([True, False, True]))
    plan = xb.plan(flags, "numpy")
    result = xb.to_numpy(flags)
    np.testing.assert_array_equal(result, [True, False, True])
    if frame_library == "pandas":
        assert plan.shares_memory  # a NumPy bool column: bytes, viewed
    else:
        assert plan.copies
        assert "packs booleans in bits" in str(plan)
    if frame_library == "pyarrow":
        import pyarrow as pa

        chunked = pa.chunked_array([[1.0, 2.0], [3.0]])
        assert "2 chunks" in str(xb.plan(chunked, "numpy"))
        np.testing.assert_array_equal(xb.to_numpy(chunked), [1.0, 2.0, 3.0])


def test_pandas_nullable_and_arrow_backed_columns_are_viewed() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    for dtype in ("Int64", "Float32", "boolean", "int64[pyarrow]", "double[pyarrow]"):
        column = pd.Series([1, 0, 1], dtype=dtype)
        plan = xb.plan(column, "numpy")
        assert plan.shares_memory, (dtype, str(plan))
        result = xb.to_numpy(column)
        assert not result.flags.writeable
        np.testing.assert_array_equal(result, [1, 0, 1])


def test_info_and_shares_memory_accept_frames(frame_library: str) -> None:
    base = np.arange(4.0)
    column = _series(frame_library, base)
    info = xb.info(column)
    assert info.backend == frame_library
    assert info.shape == (4,)
    assert info.dtype == xb.float64
    assert info.readonly
    assert info.nbytes == 32
    assert info.immutable == (frame_library != "pandas")
    assert xb.shares_memory(column, base)
    assert xb.shares_memory(base[2:], column)
    assert not xb.shares_memory(column, np.arange(4.0))
    if importlib.util.find_spec("torch"):
        import torch

        assert not xb.shares_memory(column, torch.ones(4))
        assert not xb.shares_memory(column, xb.to_torch(column))  # torch copies it


def test_frames_inside_containers() -> None:
    pd = pytest.importorskip("pandas")
    features = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    labels = pd.Series([0, 1], name="label")
    batch = xb.to_numpy({"X": features, "y": labels, "split": "train"})
    assert batch["split"] == "train"
    np.testing.assert_array_equal(batch["X"], [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(batch["y"], [0, 1])
    with_nulls = {"y": pd.Series([1, None], dtype="Int64")}
    with pytest.raises(NullValuesError, match=r"^at \['y'\]: "):
        xb.to_numpy(with_nulls)
    np.testing.assert_array_equal(xb.to_numpy(with_nulls, nulls="nan")["y"], [1.0, np.nan])


def test_the_issue_examples() -> None:
    pd = pytest.importorskip("pandas")
    torch = pytest.importorskip("torch")
    column = pd.Series([1, None, 3], dtype="Int64")
    with pytest.raises(NullValuesError):
        xb.to_torch(column, copy=False)
    assert isinstance(xb.plan(column, "torch", copy=False).error, NullValuesError)
    filled = xb.to_torch(column, nulls="nan")
    assert filled.dtype == torch.float64
    assert torch.isnan(filled[1])
    with pytest.raises(UnsupportedDTypeError, match="the Series 'name'"):
        xb.to_torch(pd.Series(["a", "b"], name="name"))
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    with xb.guard(copy="raise"):
        with pytest.raises(xb.ImplicitCopyError, match=r"pandas\.DataFrame"):
            xb.to_torch(frame)  # stacked: a copy nobody asked for
        xb.to_torch(frame, copy=True)  # asked for by name
        xb.to_torch(column, nulls="nan")  # nulls='nan' asks for the float copy


def test_no_frame_library_is_imported() -> None:
    code = textwrap.dedent(
        """
        import json, sys
        import numpy as np
        import xpbridge as xb
        a = np.arange(3.0)
        xb.to_numpy({"a": a, "b": [a, (a, None)]}, copy=True)
        xb.plan({"a": a}, "numpy"); xb.info(a); xb.shares_memory({"a": a}, a)
        with xb.guard(copy="raise"), xb.audit() as log:
            xb.to_numpy(a)
        str(log)
        print(json.dumps([m for m in ("pandas", "polars", "pyarrow") if m in sys.modules]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_empty_frames_convert_without_a_copy(frame_library: str, target: str) -> None:
    column = _series(frame_library, np.empty(0))
    route = get_adapter(target).host_import("float64")
    if route is not None and route.copies:  # the target takes nothing in without copying
        with pytest.raises(xb.CopyRequiredError):
            xb.to(column, target, copy=False)
        return
    result = xb.to(column, target, copy=False)  # nothing to share or copy
    assert tuple(result.shape) == (0,)
    assert xb.info(result).dtype == xb.float64
    assert "an empty" in str(xb.plan(column, target))


def test_asarray_of_a_frame_converts_it() -> None:
    pd = pytest.importorskip("pandas")
    torch = pytest.importorskip("torch")
    tensor = xb.asarray(pd.Series([1.0, 2.0]), backend="torch")
    assert isinstance(tensor, torch.Tensor)
    assert tensor.tolist() == [1.0, 2.0]
    with pytest.raises(NullValuesError):
        xb.asarray(pd.Series([1, None], dtype="Int64"))

"""Dask against the standard: regression tests for the dtypes and values Dask got wrong.

Each test compares with NumPy, the chunks' own library, on arrays split into several
chunks (the bugs only show when Dask combines blocks).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xpbridge as xb

da = pytest.importorskip("dask.array")

SMALL_INTEGERS = ("bool", "int8", "int16", "int32", "uint8", "uint16", "uint32")


def _chunked(a: np.ndarray, chunks: int = 2) -> object:
    return da.from_array(a, chunks=chunks)


def _operand(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    # Large enough values that a uint8/int8 sum wraps around.
    values = np.arange(math.prod(shape)).reshape(shape) * 37 + 100
    return (values % 2).astype(dtype) if dtype == "bool" else values.astype(dtype)


@pytest.mark.parametrize("dtype", SMALL_INTEGERS)
@pytest.mark.parametrize(
    "call",
    [
        lambda ns, a, b: ns.matmul(a, b),
        lambda ns, a, b: ns.tensordot(a, b),
        lambda ns, a, b: ns.tensordot(a, b, axes=1),
        lambda ns, a, b: ns.vecdot(a, b),
        lambda ns, a, b: ns.linalg.vecdot(a, b, axis=0),
        lambda ns, a, b: ns.einsum("ij,jk->ik", a, b),
        lambda ns, a, b: ns.linalg.matrix_power(a, 3),
    ],
    ids=["matmul", "tensordot", "tensordot-1", "vecdot", "linalg.vecdot", "einsum", "power"],
)
def test_contractions_keep_small_dtypes(call: object, dtype: str) -> None:
    a, b = _operand(dtype, (5, 5)), _operand(dtype, (5, 5)).T.copy()
    expected = call(xb.namespace("numpy"), a, b)  # type: ignore[operator]
    for ns in (xb, xb.namespace("dask")):
        got = call(ns, _chunked(a), _chunked(b))  # type: ignore[operator]
        assert got.dtype == expected.dtype
        computed = got.compute()
        assert computed.dtype == expected.dtype
        np.testing.assert_array_equal(computed, expected)


def test_matmul_of_mixed_dtypes_promotes_like_numpy() -> None:
    a, b = _operand("int8", (4, 4)), _operand("uint8", (4, 4))
    got = xb.matmul(_chunked(a), _chunked(b))
    assert got.dtype == np.matmul(a, b).dtype == np.int16
    np.testing.assert_array_equal(got.compute(), np.matmul(a, b))


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("chunks", [2, 3, 6], ids=["uneven", "square-blocks", "one-block"])
def test_inv_keeps_the_dtype(dtype: str, chunks: int) -> None:
    a = (np.eye(6) * 4 + np.arange(36).reshape(6, 6) / 36).astype(dtype)
    got = xb.linalg.inv(_chunked(a, chunks))
    assert got.dtype == np.linalg.inv(a).dtype == np.dtype(dtype)
    computed = got.compute()
    assert computed.dtype == np.dtype(dtype)
    np.testing.assert_allclose(computed, np.linalg.inv(a), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("chunks", [2, 3], ids=["uneven", "square-blocks"])
def test_solve_and_cholesky_with_uneven_chunks(chunks: int) -> None:
    a = (np.eye(5) * 5 + 1).astype("float32")
    b = np.arange(5, dtype="float32")
    x = xb.linalg.solve(_chunked(a, chunks), _chunked(b, chunks))
    assert x.dtype == np.float32
    np.testing.assert_allclose(x.compute(), np.linalg.solve(a, b), rtol=1e-5)
    c = xb.linalg.cholesky(_chunked(a, chunks))
    assert c.dtype == np.float32
    np.testing.assert_allclose(c.compute(), np.linalg.cholesky(a), rtol=1e-5)


@pytest.mark.parametrize(
    ("start", "stop", "num", "endpoint"),
    [
        (-3.7e38, 1e38, 9, True),
        (0.1, 1e20, 1001, True),
        (1e15, -1e16, 257, False),
        (2.5, 2.5, 5, True),
        (0.0, 1.0, 1, True),
        (0.0, 1.0, 0, True),
        (1 + 2j, -3e10 + 5j, 33, True),
    ],
)
def test_linspace_gives_numpys_values(
    start: complex, stop: complex, num: int, endpoint: bool
) -> None:
    got = xb.linspace(start, stop, num, endpoint=endpoint, backend="dask")
    expected = np.linspace(start, stop, num, endpoint=endpoint)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got.rechunk(7).compute(), expected)
    if endpoint and num > 1:
        assert got[-1].compute() == stop


@given(
    fraction=st.tuples(st.floats(-1, 1), st.floats(-1, 1)),
    num=st.integers(0, 300),
    endpoint=st.booleans(),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_linspace_property(
    fraction: tuple[float, float], num: int, endpoint: bool, dtype: str
) -> None:
    # Bounds within the dtype's range, large magnitudes included.
    largest = 1e38 if dtype == "float32" else 1e300
    start, stop = (f * largest for f in fraction)
    ns = xb.namespace("dask")
    got = ns.linspace(start, stop, num, endpoint=endpoint, dtype=getattr(ns, dtype))
    expected = np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype)
    # Many blocks: Dask's own linspace drifted from one block to the next.
    np.testing.assert_array_equal(got.rechunk(16).compute(), expected)


@pytest.mark.parametrize("namespace", [xb, xb.namespace("dask")], ids=["xb", "namespace"])
def test_expand_dims_rejects_bad_axes_like_numpy(namespace: object) -> None:
    x = da.ones((2, 3), chunks=1)
    with pytest.raises(ValueError, match="repeated axis"):
        namespace.expand_dims(x, axis=(0, 0))  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="repeated axis"):
        namespace.expand_dims(x, axis=(1, -3))  # type: ignore[attr-defined]
    with pytest.raises(IndexError, match="out of bounds"):
        namespace.expand_dims(x, axis=(4,))  # type: ignore[attr-defined]
    assert namespace.expand_dims(x, axis=(0, -1)).shape == (1, 2, 3, 1)  # type: ignore[attr-defined]


_CREATION = {
    "arange": lambda ns, device: ns.arange(3, device=device),
    "empty": lambda ns, device: ns.empty(3, device=device),
    "eye": lambda ns, device: ns.eye(3, device=device),
    "full": lambda ns, device: ns.full(3, 1.0, device=device),
    "linspace": lambda ns, device: ns.linspace(0, 1, 3, device=device),
    "ones": lambda ns, device: ns.ones(3, device=device),
    "zeros_like": lambda ns, device: ns.zeros_like(ns.ones(3), device=device),
    "asarray": lambda ns, device: ns.asarray([1.0], device=device),
    "astype": lambda ns, device: ns.astype(ns.ones(3), ns.float32, device=device),
    "fft.fftfreq": lambda ns, device: ns.fft.fftfreq(4, device=device),
    "from_dlpack": lambda ns, device: ns.from_dlpack(np.ones(2), device=device),
}


@pytest.mark.parametrize("name", sorted(_CREATION))
def test_every_listed_device_is_accepted(name: str) -> None:
    ns = xb.namespace("dask")
    for device in ns.__array_namespace_info__().devices():
        result = _CREATION[name](ns, device)
        assert isinstance(result, da.Array)
        assert xb.info(result).device == "cpu"


def test_data_dependent_lengths_are_documented_deviations() -> None:
    from xpbridge._deviations import find

    counts = da.asarray([1, 2, 0])
    repeated = xb.repeat(da.ones(3), counts)
    assert math.isnan(repeated.shape[0])  # the deviation is real...
    deviation = find("dask", "repeat", case="array of counts")  # ...and listed, for that case
    assert deviation is not None
    assert deviation.kind == "differs"
    # A count given as a Python int keeps the length known: no deviation for it.
    assert xb.repeat(da.ones(3), 2).shape == (6,)
    assert find("dask", "repeat") is None
    for function in ("nonzero", "unique_values", "unique_all"):
        deviation = find("dask", function)
        assert deviation is not None
        assert deviation.kind == "differs"

"""The Dask backend: functions stay lazy, values match NumPy, deviations are explicit.

Every case builds its result under :func:`no_compute`, which fails if any task runs, then
computes it once and compares it with the same xpbridge call on NumPy arrays (the reference).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator  # noqa: TC003 - dataclass fields need them
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._backends import get_adapter
from xpbridge._deviations import find
from xpbridge._errors import BridgeError, UnsupportedOperationError
from xpbridge.testing import assert_close

da = pytest.importorskip("dask.array", reason="dask is not installed")
dask = pytest.importorskip("dask")
from dask.callbacks import Callback  # noqa: E402


@contextlib.contextmanager
def no_compute() -> Iterator[list[Any]]:
    """Fail if Dask runs any task inside the block (on any local scheduler)."""
    started: list[Any] = []
    with Callback(start=started.append):
        yield started
    assert not started, f"Dask computed {len(started)} graph(s) while building the result"


@contextlib.contextmanager
def counting_computes() -> Iterator[list[Any]]:
    started: list[Any] = []
    with Callback(start=started.append):
        yield started


def _computed(result: Any) -> Any:
    if isinstance(result, tuple):
        return tuple(_computed(r) for r in result)
    return result.compute() if isinstance(result, da.Array) else result


def _assert_lazy(result: Any) -> None:
    items = result if isinstance(result, tuple) else (result,)
    for item in items:
        assert isinstance(item, da.Array), f"expected a dask array, got {type(item).__qualname__}"


rng = np.random.default_rng(20240601)
TALL = rng.standard_normal((6, 4))
SQUARE = rng.standard_normal((4, 4)) + 4 * np.eye(4)
SPD = SQUARE @ SQUARE.T
BATCH = rng.standard_normal((3, 4, 4)) + 4 * np.eye(4)
BATCH_SPD = BATCH @ np.swapaxes(BATCH, -1, -2)
VEC = rng.standard_normal(7)
INTS = rng.integers(0, 4, size=(5, 6))
VECS3 = rng.standard_normal((5, 3))
PICKS = rng.integers(0, 4, size=(6, 3))


@dataclass(frozen=True)
class Case:
    """One call: `call(*arrays)` on Dask arrays (chunked as given) versus NumPy arrays."""

    id: str
    call: Callable[..., Any]
    inputs: tuple[tuple[np.ndarray[Any, Any], Any], ...]
    #: Maps a result (computed, or NumPy's) to what is compared, for factorizations that
    #: are unique only up to signs.
    compare: Callable[..., Any] | None = None


def _qr_product(q: Any, r: Any) -> Any:
    return np.asarray(q) @ np.asarray(r)


def _svd_product(u: Any, s: Any, vh: Any) -> Any:
    u, s, vh = (np.asarray(v) for v in (u, s, vh))
    k = s.shape[-1]
    return (u[..., :k] * s[..., None, :]) @ vh[..., :k, :]


# Inputs with their Dask chunks: chunked along every axis unless a case needs otherwise.
T = (TALL, (3, 2))
T_ROWS = (TALL, (3, 4))  # tall-and-skinny: one block wide
T_COLS = (TALL, (2, 4))
S = (SQUARE, 2)
B = (BATCH, (1, 2, 2))  # every matrix split over four chunks
V = (VEC, 3)
BS = (BATCH_SPD, (1, 2, 2))
RTOLS = (np.asarray([0.0, 0.5, 2.0]), 1)
COLS3 = ((VECS3.T, (1, 2)), (VECS3.T[:, :1], 3))  # 3-vectors down axis 0, broadcast

CASES = [
    # element-wise, reductions, statistics: Dask's own functions through array-api-compat
    Case("exp", xb.exp, (T,)),
    Case("add-broadcast", xb.add, (T, (TALL[0], 2))),
    Case("mean-axis0", lambda x: xb.mean(x, axis=0), (T,)),
    Case("std-correction", lambda x: xb.std(x, axis=1, correction=1), (T,)),
    Case("var-keepdims", lambda x: xb.var(x, axis=(0, 1), keepdims=True), (T,)),
    Case("argmax", lambda x: xb.argmax(x, axis=1), (T,)),
    Case("cumulative_sum", lambda x: xb.cumulative_sum(x, axis=1), (T,)),
    Case("sort-desc", lambda x: xb.sort(x, axis=0, descending=True), (T,)),
    Case("argsort", xb.argsort, (V,)),
    Case("where", lambda x: xb.where(x > 0, x, 0.0), (T,)),
    Case("matmul", xb.matmul, (T, S)),
    Case("einsum", lambda x: xb.einsum("ij,ij->i", x, x), (T,)),
    Case("take", lambda x: xb.take(x, np.asarray([3, 0, 2]), axis=1), (T,)),
    Case("concat", lambda x: xb.concat([x, x], axis=1), (T,)),
    Case("count_nonzero", lambda x: xb.count_nonzero(x, axis=0), ((INTS, (2, 3)),)),
    Case("isin", xb.isin, ((INTS, (2, 3)), (INTS[0, :2], 1))),
    # replaced by lazy versions (xpbridge._backends._dask_ops)
    Case("reshape-regroup", lambda x: xb.reshape(x, (4, 6)), (T,)),
    Case("reshape-copy-false", lambda x: xb.reshape(x, (24,), copy=False), (T,)),
    Case("repeat-flat", lambda x: xb.repeat(x, 2), (T,)),
    Case("repeat-axis", lambda x: xb.repeat(x, 3, axis=1), (T,)),
    Case("repeat-counts", lambda v, r: xb.repeat(v, r, axis=0), (V, (np.arange(7) % 3, 4))),
    Case("diff-prepend", lambda x: xb.diff(x, axis=1, prepend=x[:, :1] * 2), (T,)),
    Case("diff-append-scalar", lambda v: xb.diff(v, n=2, append=1.5), (V,)),
    Case("searchsorted-scalar", lambda v: xb.searchsorted(xb.sort(v), 0.25, side="right"), (V,)),
    Case("searchsorted-sorter", lambda v: xb.searchsorted(v, v[:3], sorter=xb.argsort(v)), (V,)),
    Case("take_along_axis", lambda x, i: xb.take_along_axis(x, i, axis=1), (T, (PICKS, 2))),
    Case("allclose", lambda x: xb.allclose(x, x + 1e-12), (T,)),
    Case("array_equal", lambda x: xb.array_equal(x, x), (T,)),
    Case("array_equal-nan", lambda x: xb.array_equal(x * np.nan, x * np.nan, equal_nan=True), (T,)),
    Case("fft-chunked-axis", xb.fft.fft, (T,)),
    Case("fftn", xb.fft.fftn, (T,)),
    Case("rfft-axis0", lambda x: xb.fft.rfft(x, axis=0), (T,)),
    Case("irfftn-s", lambda x: xb.fft.irfftn(x, s=(6, 6), axes=(0, 1)), (T,)),
    Case("hfft", lambda x: xb.fft.hfft(x, axis=0), (T,)),
    # linear algebra: Dask's blocked algorithms where they apply, matrix by matrix otherwise
    Case("det", xb.linalg.det, (B,)),
    Case("slogdet", xb.linalg.slogdet, (B,)),
    Case("inv-blocked", xb.linalg.inv, (S,)),
    Case("inv-batch", xb.linalg.inv, ((BATCH, (2, 4, 2)),)),
    Case("inv-uneven", xb.linalg.inv, ((SQUARE, (2, 4)),)),
    Case("cholesky-blocked", xb.linalg.cholesky, ((SPD, 2),)),
    Case("cholesky-batch-upper", lambda x: xb.linalg.cholesky(x, upper=True), (BS,)),
    Case("solve-blocked", xb.linalg.solve, (S, (TALL[:4], (1, 2)))),
    Case("solve-vector", xb.linalg.solve, (S, (VEC[:4], 3))),
    Case("solve-batch", xb.linalg.solve, (B, (TALL[:4, :2], 2))),
    Case("eigh", xb.linalg.eigh, (BS,)),
    Case("eigvalsh", xb.linalg.eigvalsh, ((SPD, 2),)),
    Case("eig", xb.linalg.eig, (B,)),
    Case("eigvals", xb.linalg.eigvals, (S,)),
    Case("qr-tall", xb.linalg.qr, (T_ROWS,), _qr_product),
    Case("qr-chunked", xb.linalg.qr, (T,), _qr_product),
    Case("qr-complete", lambda x: xb.linalg.qr(x, mode="complete"), (T,), _qr_product),
    Case("svd-full", xb.linalg.svd, (T,), _svd_product),
    Case("svd-tall", lambda x: xb.linalg.svd(x, full_matrices=False), (T_COLS,), _svd_product),
    Case("svd-batch", lambda x: xb.linalg.svd(x, full_matrices=False), (B,), _svd_product),
    Case("svdvals", xb.linalg.svdvals, (T,)),
    Case("svdvals-tall", xb.linalg.svdvals, (T_COLS,)),
    Case("pinv", xb.linalg.pinv, (T,)),
    Case("matrix_rank", xb.linalg.matrix_rank, (B,)),
    Case("matrix_rank-rtols", lambda x, r: xb.linalg.matrix_rank(x, rtol=r), (B, RTOLS)),
    Case("matrix_norm-nuc", lambda x: xb.linalg.matrix_norm(x, ord="nuc"), (T,)),
    Case("matrix_norm-2", lambda x: xb.linalg.matrix_norm(x, ord=2, keepdims=True), (B,)),
    Case("matrix_norm-fro", xb.linalg.matrix_norm, (T,)),
    Case("matrix_power-3", lambda x: xb.linalg.matrix_power(x, 3), (S,)),
    Case("matrix_power-0", lambda x: xb.linalg.matrix_power(x, 0), (B,)),
    Case("matrix_power-neg", lambda x: xb.linalg.matrix_power(x, -2), (S,)),
    Case("cross", xb.linalg.cross, ((VECS3, (2, 1)), (VECS3[::-1], (3, 3)))),
    Case("cross-axis0", lambda a, b: xb.linalg.cross(a, b, axis=0), COLS3),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_function_is_lazy_and_matches_numpy(case: Case) -> None:
    arrays = [da.from_array(a, chunks=chunks) for a, chunks in case.inputs]
    with no_compute():
        result = case.call(*arrays)
    _assert_lazy(result)
    expected = case.call(*(a for a, _ in case.inputs))
    actual = _computed(result)
    if case.compare is not None:
        actual, expected = case.compare(*actual), case.compare(*expected)
    if not isinstance(expected, tuple):
        actual, expected = (actual,), (expected,)
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert_close(np.asarray(got), np.asarray(want), check_0d=False, atol=1e-12)


def test_functions_keep_dask_chunks_lazy_through_a_pipeline() -> None:
    x = da.from_array(TALL, chunks=(3, 2))
    with no_compute():
        centred = (x - xb.mean(x, axis=0)) / xb.std(x, axis=0)
        gram = xb.matmul(xb.matrix_transpose(centred), centred)
        result = xb.linalg.eigvalsh(gram)
    _assert_lazy(result)
    reference = (TALL - TALL.mean(0)) / TALL.std(0)
    assert_close(result.compute(), np.linalg.eigvalsh(reference.T @ reference))


class TestDataDependentShapes:
    """Dask results whose length depends on the data: lazy, with a NaN shape until computed."""

    @pytest.mark.parametrize(
        ("function", "call"),
        [
            ("nonzero", lambda x: xb.nonzero(x > 0)[0]),
            ("unique_values", lambda x: xb.unique_values(xb.round(x))),
            ("unique_counts", lambda x: xb.unique_counts(xb.round(x)).counts),
        ],
    )
    def test_lazy_with_unknown_shape_and_registered(self, function: str, call: Any) -> None:
        x = da.from_array(TALL, chunks=(3, 2))
        with no_compute():
            result = call(x)
        assert math.isnan(result.shape[0])
        assert xb.info(result).shape == (None,)
        assert_close(result.compute(), call(TALL), check_0d=False)
        deviation = find("dask", function)
        assert deviation is not None
        assert deviation.kind == "differs"
        assert "compute_chunk_sizes" in deviation.reason

    def test_functions_needing_the_shape_name_the_fix(self) -> None:
        x = da.from_array(TALL, chunks=(3, 2))
        masked = x[x > 0]
        with pytest.raises(UnsupportedOperationError, match="compute_chunk_sizes") as info:
            xb.reshape(masked, (2, -1))
        # Also a ValueError, as Dask's own error was, for code that catches that.
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, BridgeError)
        with pytest.raises(ValueError, match="unknown \\(NaN\\) shape"):
            xb.add(masked, da.from_array(VEC, chunks=3))
        known = masked.compute_chunk_sizes()
        assert_close(xb.reshape(known, (1, -1)).compute(), TALL[TALL > 0].reshape(1, -1))

    def test_reductions_of_unknown_shapes_stay_lazy(self) -> None:
        x = da.from_array(TALL, chunks=(3, 2))
        with no_compute():
            result = xb.mean(x[x > 0])
        assert_close(result.compute(), np.asarray(TALL[TALL > 0].mean()), check_0d=False)

    def test_repeat_with_array_counts_has_unknown_length(self) -> None:
        v = da.from_array(VEC, chunks=3)
        counts = np.arange(7) % 3
        with no_compute():
            result = xb.repeat(v, da.from_array(counts, chunks=4))
        assert math.isnan(result.shape[0])
        assert_close(result.compute(), np.repeat(VEC, counts))


@pytest.mark.parametrize("shape", [(-1, 2), (0, -1), (2, 5)])
def test_impossible_reshapes_raise_numpys_value_error(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="reshape"):
        np.reshape(VEC, shape)
    # Dask's own error for the -1 cases is an IndexError about a non-integer index.
    with no_compute(), pytest.raises(ValueError, match=r"reshape|size"):
        xb.reshape(da.from_array(VEC, chunks=3), shape)


def test_allclose_is_a_lazy_boolean_that_works_in_if() -> None:
    x = da.from_array(TALL, chunks=(3, 2))
    with no_compute():
        close, far = xb.allclose(x, x), xb.allclose(x, x + 1)
    assert close.shape == ()
    assert close.dtype == np.bool_
    assert bool(close) is True
    assert bool(far) is False
    assert find("dask", "allclose") is not None


def test_unknown_dask_failures_become_unsupported_operation_errors() -> None:
    adapter = get_adapter("dask")
    translated = adapter.translate_error(NotImplementedError("no such thing"), "frobnicate")
    assert isinstance(translated, UnsupportedOperationError)
    assert "frobnicate" in str(translated)
    assert "no such thing" in str(translated)
    assert adapter.translate_error(TypeError("bad"), "f") is None


# ---------------------------------------------------------------------- conversions


class TestConversions:
    def test_to_dask_honours_chunks_from_every_library(self, source: str) -> None:
        # Every registered library (the source fixture), and Python lists.
        for value in [xb.asarray(TALL, backend=source), TALL.tolist()]:
            x = xb.to_dask(value, chunks=(4, 3))
            assert isinstance(x, da.Array)
            assert x.chunks == ((4, 2), (3, 1))
            assert_close(x.compute(), TALL)

    def test_to_dask_keeps_or_rechunks_a_dask_array(self) -> None:
        x = da.from_array(TALL, chunks=(3, 2))
        assert xb.to_dask(x) is x
        with no_compute():
            rechunked, plan = xb.to(x, "dask", chunks=(6, 4), explain=True)
        assert rechunked.chunks == ((6,), (4,))
        assert "rechunk" in str(plan)
        assert not plan.copies

    def test_to_dask_default_views_and_copy_true_snapshots(self) -> None:
        source = TALL.copy()
        view, snapshot = xb.to_dask(source, chunks=3), xb.to_dask(source, chunks=3, copy=True)
        source[0, 0] = 1000.0
        assert view.compute()[0, 0] == 1000.0
        assert snapshot.compute()[0, 0] == TALL[0, 0]

    @pytest.mark.parametrize(
        "values",
        [TALL, VEC, np.float64(2.5) * np.ones(()), np.zeros((0, 3)), TALL[::-1, ::2], INTS],
        ids=["2d", "1d", "0d", "empty", "strided", "ints"],
    )
    @pytest.mark.parametrize("chunks", [None, 2, -1], ids=["auto", "small", "whole"])
    def test_to_dask_views_the_input_and_compute_never_hands_it_back(
        self, values: Any, chunks: Any
    ) -> None:
        source = values.copy() if values.ndim else np.array(values)
        x = xb.to_dask(source, chunks=chunks)
        graph_values = [v for v in dict(x.dask).values() if isinstance(v, np.ndarray)]
        assert graph_values, "the chunks should sit in the graph as NumPy views"
        assert all(v is not source for v in graph_values)
        assert all(v.base is not None or v.size == 0 for v in graph_values)
        for result in (x.compute(), xb.to_numpy(x), xb.to_numpy(x, copy=True)):
            assert result is not source
            assert not np.shares_memory(result, source)
            np.testing.assert_array_equal(result, source)
        if source.size:  # views: a write before computing shows in the result
            source[(0,) * source.ndim] = 100
            assert xb.to_numpy(x)[(0,) * source.ndim] == 100

    def test_fast_and_planned_routes_to_dask_agree(self, source: str) -> None:
        if source == "dask":
            pytest.skip("a Dask array converts to itself: no route to compare")
        big = np.arange(3 * 2**14, dtype=np.float32).reshape(3, -1)
        values = [xb.asarray(a, backend=source) for a in (TALL, big, VEC, INTS)]
        with dask.config.set({"array.chunk-size": "16KiB"}):  # "auto" makes several chunks
            for value in values:
                fast = xb.to(value, "dask")
                planned, plan = xb.to(value, "dask", explain=True)
                assert plan.shares_memory
                assert fast.chunks == planned.chunks
                assert fast.dtype == planned.dtype
                assert fast.name != planned.name  # random names: the contents may change
                np.testing.assert_array_equal(fast.compute(), planned.compute())
            assert xb.to(big, "dask").npartitions > 1

    def test_fast_route_to_dask_leaves_refusals_to_the_planner(self) -> None:
        torch = pytest.importorskip("torch")
        with pytest.raises(xb.GradientBreakError):
            xb.to(torch.ones(3, requires_grad=True), "dask")
        detached = xb.to(torch.ones(3, requires_grad=True), "dask", detach=True)
        np.testing.assert_array_equal(detached.compute(), np.ones(3, np.float32))
        big_endian = TALL.astype(">f8")
        np.testing.assert_array_equal(xb.to(big_endian, "dask").compute(), TALL)

    def test_to_numpy_computes_once_into_new_memory(self) -> None:
        source = TALL.copy()
        for chunks in [(6, 4), (3, 2), 1]:
            x = xb.to_dask(source, chunks=chunks)
            for lazy in (x, x.T, x[1:, :2], x.reshape(-1)):
                with counting_computes() as computes:
                    result = xb.to_numpy(lazy)
                assert len(computes) == 1
                assert isinstance(result, np.ndarray)
                assert not np.shares_memory(result, source)
                assert_close(result, lazy.compute())

    def test_plan_says_it_computes_and_copy_false_is_refused(self) -> None:
        x = da.from_array(TALL, chunks=(3, 2))
        plan = xb.plan(x, "numpy")
        assert plan.steps[0].action == "compute"
        assert plan.copies
        with no_compute(), pytest.raises(xb.CopyRequiredError, match="compute"):
            xb.to_numpy(x, copy=False)

    def test_to_every_library_computes(self, target: str) -> None:
        x = da.from_array(TALL.astype(np.float32), chunks=(3, 2))
        out = xb.to(x, target)
        assert xb.backend_of(out) == target
        assert xb.float32 == out.dtype
        assert_close(xb.to_numpy(out), TALL.astype(np.float32))

    def test_mixed_numpy_and_dask_stays_lazy(self) -> None:
        x = da.from_array(TALL, chunks=(3, 2))
        with no_compute():
            result = xb.add(x, TALL)
        _assert_lazy(result)
        assert_close(result.compute(), TALL + TALL)

    def test_device_is_cpu_for_numpy_chunks(self) -> None:
        x = da.from_array(TALL, chunks=(3, 2))
        facts = xb.info(x)
        assert facts.device == "cpu"
        assert facts.lazy
        assert get_adapter("dask").facts(x).computes_into == "numpy"


@pytest.mark.parametrize(
    "function", ["unique_values", "unique_counts", "unique_inverse", "unique_all"]
)
def test_unique_keeps_nans_distinct_as_numpy_does(function: str) -> None:
    """The standard: NaNs are distinct values (Dask's own unique merged them, miscounted
    them, or failed). Lazy until converted, with lengths unknown until then."""
    values = np.array([[np.nan, np.nan], [1.0, 1.0], [2.0, 7.0]])
    lazy = getattr(xb, function)(da.from_array(values, chunks=2))
    expected = getattr(xb, function)(values)
    got = lazy if isinstance(lazy, tuple) else (lazy,)
    want = expected if isinstance(expected, tuple) else (expected,)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert isinstance(g, da.Array)
        np.testing.assert_array_equal(xb.to_numpy(g), w)
    ints = getattr(xb, function)(da.from_array(np.array([3, 1, 3])))
    first = ints[0] if isinstance(ints, tuple) else ints
    assert xb.to_numpy(first).tolist() == [1, 3]

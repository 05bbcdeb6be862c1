"""MLX specifics: dispatch on MLX arrays, conversions that say what MLX's memory allows,
what MLX lacks (complex128, data-dependent shapes) refused clearly, and xb functions inside
``mx.grad`` and ``mx.compile``.

Values across backends are the conformance suite's business (tests/test_namespace.py runs
every case on MLX too); here the point is what only MLX does: its lazy, mutable arrays in
unified memory, which it copies whatever it takes in, and its functional transformations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge.testing import assert_close

mx = pytest.importorskip("mlx.core", reason="mlx is not installed")

rng = np.random.default_rng(7)
X = rng.standard_normal((4, 3)).astype(np.float32)
W = rng.standard_normal(3).astype(np.float32)


def loss_xb(w: Any, x: Any) -> Any:
    """A small model written with xb: it must run as MLX code under mx.grad and mx.compile."""
    hidden = xb.tanh(xb.matmul(x, w))
    penalty = xb.sum(xb.square(w)) * 0.1
    return xb.mean(xb.square(hidden - 0.5)) + penalty + xb.max(xb.abs(w)) * 0.01


def loss_mx(w: Any, x: Any) -> Any:
    hidden = mx.tanh(x @ w)
    return mx.mean((hidden - 0.5) ** 2) + mx.sum(w**2) * 0.1 + mx.max(mx.abs(w)) * 0.01


def _ptr(a: Any) -> int:
    return int(xb.info(a).data_ptr)


class TestDispatch:
    def test_results_are_mlx_arrays_matching_numpy(self) -> None:
        x = mx.array(X)
        result = xb.linalg.vector_norm(xb.exp(x) - xb.mean(x, axis=0), axis=1)
        assert isinstance(result, mx.array)
        assert xb.backend_of(result) == "mlx"
        expected = np.linalg.norm(np.exp(X) - X.mean(0), axis=1)
        assert_close(xb.to_numpy(result), expected.astype(np.float32))

    def test_numpy_arguments_are_lifted_into_mlx_by_a_copy(self) -> None:
        x, host = mx.array(X), X.copy()
        result = xb.add(x, host)
        assert isinstance(result, mx.array)
        assert_close(xb.to_numpy(result), X + X)
        plan = xb.plan(host, "mlx")
        assert not plan.shares_memory
        assert "copy" in str(plan)
        assert "MLX copies host memory" in str(plan)

    def test_index_and_integer_results_are_int64_as_on_every_backend(self) -> None:
        x = mx.array([3.0, 1.0, 2.0, 1.0])
        for result in (
            xb.argmax(x),
            xb.argmin(x, keepdims=True),
            xb.argsort(x),
            xb.searchsorted(xb.sort(x), x),
            xb.count_nonzero(x),
            xb.arange(4, backend="mlx"),
            xb.asarray([1, 2], backend="mlx"),
            xb.sum(mx.array([1, 2], dtype=mx.int8)),
        ):
            assert result.dtype == mx.int64
        assert xb.sum(mx.array([1, 2], dtype=mx.uint8)).dtype == mx.uint64
        # Floating defaults stay MLX's own (float32), as PyTorch's do.
        assert xb.asarray([1.5], backend="mlx").dtype == mx.float32
        assert xb.ones(2, backend="mlx").dtype == mx.float32

    def test_argsort_descending_keeps_ties_in_order(self) -> None:
        x = mx.array([1, 3, 1, 3, 2])
        expected = np.argsort(-np.array([1, 3, 1, 3, 2]), kind="stable")
        np.testing.assert_array_equal(xb.to_numpy(xb.argsort(x, descending=True)), expected)

    def test_integer_matmul_is_exact(self) -> None:
        # Products above 2**53: a float64 product would round them.
        a = np.array([[2**40 + 1, 3], [5, 2**35 + 7]], dtype=np.int64)
        b = np.array([[2**20 + 3, 1], [11, 2**25 + 1]], dtype=np.int64)
        result = xb.matmul(mx.array(a), mx.array(b))
        assert result.dtype == mx.int64
        np.testing.assert_array_equal(xb.to_numpy(result), a @ b)
        np.testing.assert_array_equal(
            xb.to_numpy(xb.tensordot(mx.array(a), mx.array(b), axes=1)), a @ b
        )

    def test_float64_transcendentals_are_float64_accurate(self) -> None:
        # MLX's own exp, sin and cos of float64 are accurate to about 1e-6 only.
        x = np.linspace(-30.0, 30.0, 1001)
        for name in ("exp", "sin", "cos"):
            result = xb.to_numpy(getattr(xb, name)(mx.array(x, dtype=mx.float64)))
            np.testing.assert_allclose(result, getattr(np, name)(x), rtol=1e-13, atol=1e-15)
        result = xb.logaddexp(mx.array(x, dtype=mx.float64), mx.array(-x, dtype=mx.float64))
        np.testing.assert_allclose(xb.to_numpy(result), np.logaddexp(x, -x), rtol=1e-14)

    def test_masked_updates_with_at(self) -> None:
        x = mx.array([1.0, 5.0, 2.0])
        result = xb.at(x)[x > 1.5].add(10.0)
        assert result is x  # in place: MLX arrays are writable
        np.testing.assert_array_equal(xb.to_numpy(x), [1.0, 15.0, 12.0])


class TestConversions:
    def test_to_mlx_copies_in_and_says_so(self) -> None:
        a = np.arange(3.0)
        x = xb.to_mlx(a)
        assert isinstance(x, mx.array)
        assert x.dtype == mx.float64
        assert not xb.shares_memory(a, x)
        a[0] = 9.0  # MLX owns its memory: the input can change, the array does not
        assert x[0].item() == 0.0
        assert xb.to_mlx(x) is x
        assert xb.to_mlx([1, 2]).dtype == mx.int64
        with pytest.raises(xb.CopyRequiredError, match="copy=False"):
            xb.to_mlx(a, copy=False)
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.to_mlx(np.ones(2, dtype=np.complex128))

    def test_to_mlx_keeps_gradients_unless_asked(self) -> None:
        torch = pytest.importorskip("torch")
        g = torch.ones(2, requires_grad=True)
        with pytest.raises(xb.GradientBreakError, match="detach=True"):
            xb.to_mlx(g)
        assert xb.to_mlx(g, detach=True).tolist() == [1.0, 1.0]
        assert list(xb.to_mlx({"w": np.ones(2), "n": 3})) == ["w", "n"]

    def test_to_numpy_is_a_writable_view(self) -> None:
        x = mx.array([1.0, 2.0, 3.0])
        a = xb.to_numpy(x)
        assert xb.shares_memory(x, a)
        assert xb.plan(x, "numpy").shares_memory
        a[0] = 9.0  # writing the view writes MLX's memory
        assert x[0].item() == 9.0

    def test_to_torch_is_a_view(self) -> None:
        torch = pytest.importorskip("torch")
        x = mx.array([1.0, 2.0, 3.0])
        t = xb.to_torch(x)
        assert isinstance(t, torch.Tensor)
        assert xb.shares_memory(x, t)
        t[1] = 7.0
        assert x[1].item() == 7.0

    def test_64_bit_integers_reach_torch(self) -> None:
        torch = pytest.importorskip("torch")
        x = xb.asarray([2**63 + 5], dtype=xb.uint64, backend="mlx")  # mx.array refuses it
        t = xb.to_torch(x)
        assert t.dtype == torch.uint64
        assert xb.shares_memory(x, t)
        assert xb.item(x) == 2**63 + 5

    @pytest.mark.parametrize("source", ["numpy", "torch"])
    def test_into_mlx_is_a_copy(self, source: str) -> None:
        host = np.array([1.0, 2.0, 3.0])
        if source == "torch":
            torch = pytest.importorskip("torch")
            x: Any = torch.from_numpy(host)
        else:
            x = host
        result = xb.to(x, "mlx")
        assert isinstance(result, mx.array)
        assert result.dtype == mx.float64  # float64 stays float64 (mx.array would narrow it)
        assert not xb.shares_memory(x, result)
        host[0] = 100.0
        assert result[0].item() == 1.0

    def test_copy_false_into_mlx_is_refused_honestly(self) -> None:
        host = np.arange(3.0)
        plan = xb.plan(host, "mlx", copy=False)
        assert isinstance(plan.error, xb.CopyRequiredError)
        with pytest.raises(xb.CopyRequiredError, match="copy=False"):
            xb.to(host, "mlx", copy=False)

    def test_copy_true_out_of_mlx_is_new_memory(self) -> None:
        x = mx.array([1.0, 2.0])
        a = xb.to_numpy(x, copy=True)
        assert not xb.shares_memory(x, a)
        a[0] = 5.0
        assert x[0].item() == 1.0

    def test_views_share_memory(self) -> None:
        x = mx.arange(12.0).reshape(3, 4)
        assert xb.shares_memory(x, x[:, 1:])
        assert not xb.shares_memory(x, xb.asarray(x, copy=True))
        assert xb.shares_memory(x, xb.reshape(x, (4, 3), copy=False))
        with pytest.raises(xb.CopyRequiredError):
            xb.reshape(xb.matrix_transpose(x), (12,), copy=False)

    def test_bfloat16_round_trip(self) -> None:
        x = mx.array([1.5, -2.0]).astype(mx.bfloat16)
        host = xb.to_numpy(x)
        assert str(host.dtype) == "bfloat16"
        assert xb.shares_memory(x, host)
        back = xb.to(host, "mlx")
        assert back.dtype == mx.bfloat16
        assert back.tolist() == [1.5, -2.0]


class TestComplex128:
    """MLX has complex64 only: complex128 is refused, never narrowed."""

    def test_converting_complex128_is_refused(self) -> None:
        z = np.array([1 + 2j, 3 - 1j])
        assert isinstance(xb.plan(z, "mlx").error, xb.UnsupportedDTypeError)
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.to(z, "mlx")
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.asarray(z, backend="mlx")
        narrowed = xb.to(z, "mlx", dtype=xb.complex64)  # asked for: fine
        assert narrowed.dtype == mx.complex64

    def test_making_complex128_is_refused(self) -> None:
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.zeros(2, dtype=xb.complex128, backend="mlx")
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.astype(mx.array([1j]), xb.complex128)
        assert not hasattr(xb.namespace("mlx"), "complex128")

    def test_results_that_would_be_complex128_are_refused(self) -> None:
        x64 = mx.array([1.0, 2.0, 3.0], dtype=mx.float64)
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.add(x64, mx.array([1j, 2j, 3j]))  # float64 with complex64
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.multiply(x64, 1j)
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.fft.rfft(x64)
        with pytest.raises(xb.UnsupportedDTypeError, match="complex128"):
            xb.linalg.eigvals(mx.eye(2, dtype=mx.float64))
        # float32 input gives complex64, as NumPy gives complex128 for float64.
        assert xb.fft.rfft(x64.astype(mx.float32)).dtype == mx.complex64


class TestTransformations:
    def test_grad_through_xb_matches_mlx(self) -> None:
        w, x = mx.array(W), mx.array(X)
        ours = mx.grad(loss_xb)(w, x)
        theirs = mx.grad(loss_mx)(w, x)
        assert isinstance(ours, mx.array)
        assert_close(xb.to_numpy(ours), xb.to_numpy(theirs), rtol=1e-6)

    def test_grad_through_functions_xpbridge_completes(self) -> None:
        x = mx.array([0.5, -1.0, 2.0], dtype=mx.float32)

        def ours(v: Any) -> Any:
            spread = xb.var(v, correction=0.5) + xb.std(xb.cumulative_sum(v), correction=1)
            return spread + xb.linalg.vector_norm(v, ord=3) + xb.sum(xb.copysign(v, -1.0))

        def theirs(v: Any) -> Any:
            n = v.shape[0]
            var = mx.sum((v - mx.mean(v)) ** 2) / (n - 0.5)
            std = mx.sqrt(mx.var(mx.cumsum(v), ddof=1))
            return var + std + mx.sum(mx.abs(v) ** 3) ** (1 / 3) - mx.sum(mx.abs(v))

        assert_close(xb.to_numpy(ours(x)), xb.to_numpy(theirs(x)), rtol=1e-5)
        assert_close(xb.to_numpy(mx.grad(ours)(x)), xb.to_numpy(mx.grad(theirs)(x)), rtol=1e-5)

    def test_grad_of_the_float64_transcendentals(self) -> None:
        v = np.array([0.3, 1.2, -2.0])
        x = mx.array(v, dtype=mx.float64)
        for function, derivative in (
            (xb.exp, np.exp(v)),
            (xb.sin, np.cos(v)),
            (xb.cos, -np.sin(v)),
        ):
            found = mx.grad(lambda t, f=function: mx.sum(f(t)))(x)
            np.testing.assert_allclose(xb.to_numpy(found), derivative, rtol=1e-13)
        # Second derivatives and forward mode too.
        second = mx.grad(mx.grad(xb.sin))(mx.array(0.3, dtype=mx.float64))
        assert math.isclose(second.item(), -math.sin(0.3), rel_tol=1e-13)
        _, (tangent,) = mx.jvp(xb.exp, (x,), (mx.ones(3, dtype=mx.float64),))
        np.testing.assert_allclose(xb.to_numpy(tangent), np.exp(v), rtol=1e-13)

    def test_compile_gives_the_eager_result(self) -> None:
        w, x = mx.array(W), mx.array(X)
        compiled = mx.compile(loss_xb)
        assert_close(xb.to_numpy(compiled(w, x)), xb.to_numpy(loss_mx(w, x)), rtol=1e-6)
        step = mx.compile(mx.grad(loss_xb))
        assert_close(xb.to_numpy(step(w, x)), xb.to_numpy(mx.grad(loss_mx)(w, x)), rtol=1e-6)

    def test_detach_stops_the_gradient(self) -> None:
        x = mx.array([1.0, 3.0])
        found = mx.grad(lambda v: mx.sum(xb.detach(v) * v))(x)  # d/dv = detach(v), not 2 v
        assert found.tolist() == [1.0, 3.0]
        d = xb.detach(x)
        assert xb.info(d).data_ptr == xb.info(x).data_ptr  # never a copy

    def test_what_needs_values_inside_compile_says_so(self) -> None:
        def f(v: Any) -> Any:
            return xb.reshape(v, (2, 1), copy=False)  # MLX knows its layout once evaluated

        with pytest.raises(xb.UnsupportedOperationError, match=r"mx\.compile"):
            mx.compile(f)(mx.array([1.0, 2.0]))


class TestNamespace:
    def test_namespace_makes_mlx_arrays(self) -> None:
        xp = xb.namespace("mlx")
        x = xp.linspace(0.0, 1.0, 5)
        assert isinstance(x, mx.array)
        assert isinstance(xp.sum(xp.exp(x)), mx.array)
        assert xp.arange(3).dtype == mx.int64
        assert xp.float32 == mx.float32

    def test_inspection_reports_the_defaults_xpbridge_gives(self) -> None:
        info = xb.namespace("mlx").__array_namespace_info__()
        defaults = info.default_dtypes()
        assert defaults["integral"] == mx.int64
        assert defaults["indexing"] == mx.int64
        assert defaults["real floating"] == mx.float32
        assert info.capabilities()["data-dependent shapes"] is False
        assert info.default_device() == mx.default_device()

    def test_dtype_functions_take_mlx_arrays_and_scalars(self) -> None:
        x = mx.array([1, 2], dtype=mx.int16)
        assert xb.iinfo(x).bits == 16
        assert xb.finfo(mx.array([1.0])).eps == float(np.finfo(np.float32).eps)
        assert xb.result_type(x, 1) == mx.int16
        assert xb.result_type(x, mx.int32) == mx.int32


class TestWhatMlxLacks:
    @pytest.mark.parametrize("name", ["nonzero", "unique_values", "unique"])
    def test_data_dependent_shapes_are_refused(self, name: str) -> None:
        with pytest.raises(xb.UnsupportedOperationError, match="data-dependent shapes"):
            getattr(xb, name)(mx.array([1, 0, 2]))

    def test_integer_einsum_is_refused(self) -> None:
        a = mx.array([[1, 2], [3, 4]])
        with pytest.raises(xb.UnsupportedDTypeError, match="einsum"):
            xb.einsum("ij,jk->ik", a, a)


class TestRandom:
    def test_own_generator_repeatable_by_seed(self) -> None:
        first = xb.random.default_rng(3, backend="mlx").random(4)
        second = xb.random.default_rng(3, backend="mlx").random(4)
        assert isinstance(first, mx.array)
        assert first.tolist() == second.tolist()

    def test_draws_use_every_bit(self) -> None:
        rng = xb.random.default_rng(0, backend="mlx")
        # float64: 53 random bits (MLX's uniform has float32's 24 at most).
        doubles = xb.to_numpy(rng.random(1000, dtype=xb.float64))
        assert doubles.dtype == np.float64
        assert np.all((doubles >= 0) & (doubles < 1))
        assert not np.all(doubles * 2**24 == np.floor(doubles * 2**24))
        # A wide range of integers: odd values occur (a scaled float32 gives none).
        wide = xb.to_numpy(rng.integers(0, 2**40, size=1000))
        assert wide.dtype == np.int64
        assert np.all((wide >= 0) & (wide < 2**40))
        assert 0.4 < np.mean(wide % 2) < 0.6
        assert math.isclose(float(np.mean(wide)) / 2**40, 0.5, abs_tol=0.05)

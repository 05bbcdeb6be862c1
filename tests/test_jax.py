"""JAX specifics: dispatch on arrays and on tracers (``jit``, ``grad``, ``vmap``), DLPack
conversions that respect immutability, and the 64-bit mode.

Values across backends are the conformance suite's business; here the point is that code
written with ``xb`` runs *inside* JAX's transformations and gives what ``jax.numpy`` gives.
The suite runs with 64-bit mode on (tests/conftest.py); tests of the 32-bit behaviour turn
it off for their own block with ``jax.enable_x64(False)``, which restores it on exit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge import _recipes
from xpbridge._errors import BridgeError, UnsupportedDTypeError, UnsupportedOperationError
from xpbridge.testing import assert_close

jax = pytest.importorskip("jax", reason="jax is not installed")
import jax.numpy as jnp  # noqa: E402

rng = np.random.default_rng(11)
X = rng.standard_normal((5, 3))
W = rng.standard_normal(3)


def loss_xb(w: Any, x: Any) -> Any:
    """A small model written with xb: it must work on arrays and on every kind of tracer."""
    hidden = xb.tanh(xb.matmul(x, w))
    penalty = xb.sum(xb.square(w)) * 0.1
    return xb.mean(xb.square(hidden - 0.5)) + penalty + xb.max(xb.abs(w)) * 0.01


def loss_jnp(w: Any, x: Any) -> Any:
    hidden = jnp.tanh(x @ w)
    return jnp.mean((hidden - 0.5) ** 2) + jnp.sum(w**2) * 0.1 + jnp.max(jnp.abs(w)) * 0.01


class TestDispatch:
    def test_results_are_jax_arrays_matching_numpy(self) -> None:
        x = jnp.asarray(X)
        result = xb.linalg.vector_norm(xb.exp(x) - xb.mean(x, axis=0), axis=1)
        assert isinstance(result, jax.Array)
        assert xb.backend_of(result) == "jax"
        expected = np.linalg.norm(np.exp(X) - X.mean(0), axis=1)
        assert_close(xb.to_numpy(result), expected)

    def test_numpy_arguments_are_lifted_into_jax(self) -> None:
        result = xb.add(jnp.asarray(X), X)
        assert isinstance(result, jax.Array)
        assert_close(xb.to_numpy(result), X + X)

    def test_allclose_and_array_equal_give_python_bools_outside_tracing(self) -> None:
        x = jnp.asarray(X)
        assert xb.allclose(x, x + 1e-12) is True
        assert xb.array_equal(x, x + 1) is False


class TestTracers:
    def test_jit_gives_the_eager_result(self) -> None:
        w, x = jnp.asarray(W), jnp.asarray(X)
        assert_close(jax.jit(loss_xb)(w, x), loss_xb(w, x))
        assert_close(jax.jit(loss_xb)(w, x), loss_jnp(w, x))

    def test_grad_through_xb_matches_jax_numpy(self) -> None:
        w, x = jnp.asarray(W), jnp.asarray(X)
        assert_close(jax.grad(loss_xb)(w, x), jax.grad(loss_jnp)(w, x))
        assert_close(jax.jit(jax.grad(loss_xb))(w, x), jax.grad(loss_jnp)(w, x))

    def test_vmap_through_xb(self) -> None:
        ws = jnp.asarray(rng.standard_normal((4, 3)))
        x = jnp.asarray(X)
        batched = jax.vmap(loss_xb, in_axes=(0, None))(ws, x)
        assert_close(batched, jnp.stack([loss_jnp(w, x) for w in ws]))

    def test_dispatch_sees_tracers_as_jax(self) -> None:
        seen: list[tuple[str, str]] = []

        def f(x: Any) -> Any:
            assert isinstance(x, jax.core.Tracer)
            seen.append((xb.backend_of(x), xb.info(x).device))
            y = xb.zeros_like(x) + xb.asarray([1.0, 2.0, 3.0], like=x)  # creation follows x
            return xb.sum(xb.add(y, np.ones(3)))  # a NumPy constant is lifted in

        assert float(jax.jit(f)(jnp.ones(3))) == 9.0
        assert_close(jax.grad(lambda x: f(x) * x[0])(jnp.ones(3)), jnp.asarray([9.0, 0.0, 0.0]))
        assert seen
        assert all(entry == ("jax", "cpu") for entry in seen)

    def test_allclose_and_array_equal_stay_traced_inside_jit(self) -> None:
        @jax.jit
        def checks(x: Any) -> Any:
            return xb.allclose(x, x + 1e-12), xb.array_equal(x, x * 2)

        close, equal = checks(jnp.asarray(X))
        assert isinstance(close, jax.Array)
        assert bool(close) is True
        assert bool(equal) is False

    @pytest.mark.parametrize("function", ["nonzero", "unique_values", "unique_counts"])
    def test_data_dependent_shapes_inside_jit_name_the_fix(self, function: str) -> None:
        call = getattr(xb, function)
        with pytest.raises(UnsupportedOperationError, match="static size") as info:
            jax.jit(call)(jnp.asarray([0.0, 1.0, 1.0]))
        assert isinstance(info.value, TypeError)  # as JAX's own ConcretizationTypeError
        assert function in str(info.value)
        call(jnp.asarray([0.0, 1.0, 1.0]))  # and outside jit they work

    def test_converting_a_tracer_out_of_jax_is_an_xpbridge_error(self) -> None:
        def f(x: Any) -> Any:
            return xb.to_numpy(x)

        with pytest.raises(BridgeError, match="traced"):
            jax.jit(f)(jnp.ones(2))


class TestConversions:
    def test_numpy_to_jax_copies_by_default(self) -> None:
        a = X.copy()
        j = xb.to_jax(a)
        a[0, 0] = 100.0  # JAX arrays are immutable: the default copy keeps j unchanged
        assert float(j[0, 0]) == X[0, 0]
        plan = xb.plan(X, "jax")
        assert plan.copies
        assert "immutable" in str(plan)

    def test_torch_to_jax_with_copy_false_shares_via_dlpack(self) -> None:
        torch = pytest.importorskip("torch")
        t = torch.arange(8.0, dtype=torch.float64)
        j, plan = xb.to(t, "jax", copy=False, explain=True)
        assert "dlpack" in str(plan).lower()
        assert j.unsafe_buffer_pointer() == t.data_ptr()

    def test_jax_to_numpy_is_a_read_only_view(self) -> None:
        j = jnp.arange(6.0)
        a = xb.to_numpy(j)
        assert not a.flags.writeable
        assert a.ctypes.data == j.unsafe_buffer_pointer()
        with pytest.raises(ValueError, match="read-only"):
            a[0] = 1.0

    def test_jax_to_torch_copies_and_copy_false_is_refused(self) -> None:
        pytest.importorskip("torch")
        j = jnp.arange(6.0)
        t = xb.to_torch(j)
        assert t.data_ptr() != j.unsafe_buffer_pointer()
        t[0] = 5.0  # writable, and the JAX array cannot see it
        assert float(j[0]) == 0.0
        with pytest.raises(xb.CopyRequiredError, match="immutable"):
            xb.to_torch(j, copy=False)

    def test_round_trip_keeps_values_and_dtype(self) -> None:
        for dtype in ("float32", "float64", "int32", "int64", "complex128", "bool"):
            a = (np.arange(6) % 3).astype(dtype)
            back = xb.to_numpy(xb.to_jax(a))
            assert back.dtype == a.dtype
            np.testing.assert_array_equal(back, a)


class TestFastRoutes:
    """Plain conversions skip the planner; they must do what the plan does."""

    def test_numpy_array_api_strict_and_torch_copy_into_independent_jax_arrays(self) -> None:
        torch = pytest.importorskip("torch")
        strict = pytest.importorskip("array_api_strict")
        big = np.arange(400_000, dtype=np.float32)  # above the small-copy threshold
        sources = [X.copy(), big.copy(), X.T.copy(), strict.asarray(X.copy())]
        sources += [torch.asarray(X.copy()), torch.asarray(big.copy()), torch.asarray(X).T]
        for source in sources:
            reference = np.array(xb.to_numpy(source), copy=True)
            j = xb.to(source, "jax")
            planned = xb.to(source, "jax", explain=True)[0]
            assert isinstance(j, jax.Array)
            assert j.dtype == planned.dtype
            np.testing.assert_array_equal(np.asarray(j), reference)
            np.testing.assert_array_equal(np.asarray(planned), reference)
            xb.to_numpy(source)[...] = -1  # JAX arrays are immutable: the copy keeps its values
            np.testing.assert_array_equal(np.asarray(j), reference)

    def test_read_only_strict_and_bfloat16_torch_take_the_planned_routes(self) -> None:
        torch = pytest.importorskip("torch")
        strict = pytest.importorskip("array_api_strict")
        frozen = X.copy()
        frozen.flags.writeable = False
        j = xb.to(strict.asarray(frozen), "jax")
        np.testing.assert_array_equal(np.asarray(j), X)
        assert xb.plan(strict.asarray(frozen), "jax").shares_memory == xb.shares_memory(
            j, strict.asarray(frozen)
        )
        t = torch.arange(6, dtype=torch.bfloat16)
        assert str(xb.to(t, "jax").dtype) == "bfloat16"
        np.testing.assert_array_equal(np.asarray(xb.to(t, "jax"), dtype=np.float32), np.arange(6))


class TestFromDask:
    """Dask -> JAX: one copy, computed once into memory JAX then aliases."""

    da = pytest.importorskip("dask.array")

    @pytest.mark.parametrize(
        ("shape", "chunks"),
        [((), ()), ((0, 3), 2), ((7, 5), (3, 2)), ((5, 7), 1), ((300_000,), 70_000)],
        ids=["0d", "empty", "uneven", "one-element-chunks", "large-many-chunks"],
    )
    def test_values_for_every_chunk_layout_and_no_shared_memory(
        self, shape: tuple[int, ...], chunks: Any
    ) -> None:
        source = np.asarray(rng.standard_normal(shape))
        x = self.da.from_array(source, chunks=chunks)
        for lazy, reference in [(x, source), (x * 2, source * 2), (x.T, source.T)]:
            for j in (xb.to(lazy, "jax"), xb.to(lazy, "jax", copy=True)):
                assert isinstance(j, jax.Array)
                assert j.shape == reference.shape
                np.testing.assert_array_equal(np.asarray(j), reference)
                assert not np.shares_memory(np.asarray(j), source)
            as_float32 = xb.to(lazy, "jax", dtype="float32")
            np.testing.assert_array_equal(np.asarray(as_float32), reference.astype(np.float32))

    def test_unknown_shapes_and_lying_metadata_still_convert(self) -> None:
        source = rng.standard_normal(2_000_000)  # 16 MB: the aligned route, when it can
        x = self.da.from_array(source, chunks=500_000)
        picked = x[x > 0]  # an unknown (NaN) length: computed the ordinary way
        np.testing.assert_array_equal(np.asarray(xb.to(picked, "jax")), source[source > 0])
        # Blocks that do not match the declared chunks: assembled as Dask would.
        wrong = x.map_blocks(lambda b: b[:10], dtype=x.dtype)
        np.testing.assert_array_equal(np.asarray(xb.to(wrong, "jax")), np.asarray(wrong.compute()))

    def test_a_large_array_is_copied_once_into_memory_jax_aliases(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from xpbridge._backends import jax as jax_backend

        made: list[int] = []
        aligned_empty = jax_backend._aligned_empty

        def recording_empty(shape: tuple[int, ...], dtype: Any) -> Any:
            out = aligned_empty(shape, dtype)
            made.append(out.ctypes.data)
            return out

        monkeypatch.setattr(jax_backend, "_aligned_empty", recording_empty)
        monkeypatch.setattr(jax_backend.JaxAdapter, "host_empty", staticmethod(recording_empty))
        _recipes.clear()  # decisions made before bound the real allocator
        source = rng.standard_normal((600, 500))  # 2.4 MB, above the small-copy threshold
        x = self.da.from_array(source, chunks=(250, 200))
        for copy in (None, True):  # the fast route, then the planned one
            j = xb.to(x, "jax", copy=copy)
            assert made, "the conversion should compute into the target's memory"
            assert made[-1] % jax_backend.CPU_ALIGNMENT == 0
            assert j.unsafe_buffer_pointer() == made[-1]  # JAX aliases it: no second copy
            np.testing.assert_array_equal(np.asarray(j), source)
        assert len(made) == 2


class TestImmutability:
    def test_jax_facts_say_immutable(self) -> None:
        facts = xb.info(jnp.ones(3))
        assert facts.immutable
        assert facts.readonly

    def test_at_updates_return_new_arrays(self) -> None:
        at = getattr(xb, "at", None)
        if at is None:
            pytest.skip("xb.at comes with the gradient branch (issue 4); this checks it on JAX")
        x = jnp.arange(5.0)
        y = at(x)[1:3].set(7.0)
        assert isinstance(y, jax.Array)
        assert_close(y, jnp.asarray([0.0, 7.0, 7.0, 3.0, 4.0]))
        assert_close(x, jnp.arange(5.0))  # the input is unchanged
        z = jax.jit(lambda v: at(v)[0].add(1.0))(x)
        assert_close(z, jnp.asarray([1.0, 1.0, 2.0, 3.0, 4.0]))


class TestX64:
    def test_float64_is_refused_without_64_bit_mode(self) -> None:
        with jax.enable_x64(False):
            calls = [
                lambda: xb.to_jax(np.arange(3.0)),
                lambda: xb.zeros(3, dtype="float64", backend="jax"),
                lambda: xb.astype(jnp.ones(3, dtype=jnp.float32), "float64"),
                lambda: xb.asarray(np.arange(3), backend="jax"),  # int64 would narrow too
            ]
            for call in calls:
                with pytest.raises(UnsupportedDTypeError, match="jax_enable_x64") as info:
                    call()
                assert isinstance(info.value, TypeError)
        assert jax.config.read("jax_enable_x64")  # restored for the rest of the suite

    def test_32_bit_data_works_without_64_bit_mode(self) -> None:
        with jax.enable_x64(False):
            j = xb.to_jax(X.astype(np.float32))
            result = jax.jit(loss_xb)(xb.to_jax(W.astype(np.float32)), j)
            assert result.dtype == jnp.float32
            # Python floats take JAX's default float dtype, not a narrowed float64.
            assert xb.asarray([1.0, 2.0], backend="jax").dtype == jnp.float32
        expected = loss_jnp(jnp.asarray(W), jnp.asarray(X))
        assert_close(np.asarray(result, dtype=np.float64), np.asarray(expected), rtol=1e-5)

    def test_float64_round_trips_exactly_with_64_bit_mode(self) -> None:
        with jax.enable_x64(True):
            j = xb.to_jax(X)
            assert j.dtype == jnp.float64
            np.testing.assert_array_equal(xb.to_numpy(j), X)


class TestNothingSilent:
    """JAX computes on where the other libraries raise: where the values are known, xpbridge
    raises as they do (traced inside jit, JAX's own answer stands: docs/errors.md)."""

    def test_at_with_an_index_out_of_range_raises(self) -> None:
        x = jnp.zeros(3)
        for index in (10, -4, (Ellipsis, 3), jnp.asarray([0, 5])):
            with pytest.raises(xb.IndexOutOfBoundsError) as info:
                xb.at(x)[index].set(9.0)
            assert isinstance(info.value, IndexError)
        assert xb.at(x)[-3].set(9.0).tolist() == [9.0, 0.0, 0.0]
        assert xb.at(jnp.zeros((2, 3)))[None, 1, jnp.asarray([0, 2])].add(1.0).sum() == 2.0

    def test_at_with_an_int_beyond_the_dtype_raises(self) -> None:
        with pytest.raises(xb.ValueOverflowError):
            xb.at(jnp.zeros(3, dtype=jnp.int8))[0].set(300)  # JAX stored 44

    def test_take_with_an_index_out_of_range_raises(self) -> None:
        x = jnp.arange(3.0)
        with pytest.raises(xb.IndexOutOfBoundsError):
            xb.take(x, jnp.asarray([5]), axis=0)  # JAX filled in NaN
        with pytest.raises(xb.IndexOutOfBoundsError):
            xb.take_along_axis(jnp.ones((2, 3)), jnp.asarray([[0], [3]]), axis=1)
        assert xb.take(x, jnp.asarray([-1, 0])).tolist() == [2.0, 0.0]
        traced = jax.jit(xb.take)(x, jnp.asarray([5]))
        assert np.isnan(np.asarray(traced)).all()  # unknown values: JAX's answer stands

    def test_a_matrix_without_an_answer_raises(self) -> None:
        for call in (
            lambda: xb.linalg.inv(jnp.zeros((2, 2))),
            lambda: xb.linalg.solve(jnp.zeros((2, 2)), jnp.ones((2, 1))),
            lambda: xb.linalg.cholesky(-jnp.eye(2)),
        ):
            with pytest.raises(xb.LinAlgError) as info:
                call()
            assert isinstance(info.value, np.linalg.LinAlgError)
        assert_close(np.asarray(xb.linalg.inv(2 * jnp.eye(2))), 0.5 * np.eye(2))
        # NaN in, NaN out: nothing to refuse.
        assert np.isnan(np.asarray(xb.linalg.inv(jnp.full((2, 2), jnp.nan)))).all()

    def test_clip_neither_wraps_its_bounds_nor_promotes(self) -> None:
        x = jnp.asarray([-100, 100], dtype=jnp.int8)
        assert xb.clip(x, -1000, 1000).tolist() == [-100, 100]  # was [-24, -24]
        f32 = jnp.ones(2, dtype=jnp.float32)
        assert xb.clip(f32, jnp.asarray(0.5), 2.0).dtype == jnp.float32  # was float64

    def test_a_read_only_view_of_writable_memory_is_copied_in(self) -> None:
        """JAX arrays are immutable: they may alias only memory nobody can write."""
        from xpbridge._backends._host import aligned_empty

        base = aligned_empty((16,), np.float32, 64)
        base[:] = 0.0
        view = base[:]
        view.flags.writeable = False
        assert not xb.plan(view, "jax").shares_memory
        j = xb.to_jax(view)
        base[0] = 5.0
        assert float(j[0]) == 0.0
        frozen = aligned_empty((16,), np.float32, 64)
        frozen.flags.writeable = False
        frozen.base.flags.writeable = False  # the buffer it views too: nobody can write it
        assert xb.plan(frozen, "jax").shares_memory
        assert xb.shares_memory(xb.to_jax(frozen), frozen)

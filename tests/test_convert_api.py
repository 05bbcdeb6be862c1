"""The conversion API around the matrix: plans and their text, Python and foreign inputs,
``from_dlpack``, ``asarray``, ``lift`` and the guards on unsafe library routes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._convert import lift
from xpbridge._errors import (
    CopyRequiredError,
    DeviceMismatchError,
    GradientBreakError,
    UnknownArrayTypeError,
)

# ---------------------------------------------------------------------- plans


def test_a_plan_reads_as_a_sentence() -> None:
    torch = pytest.importorskip("torch")
    t = torch.tensor([1 + 2j, 3 - 1j], requires_grad=True).conj()
    text = str(xb.plan(t, "numpy"))
    assert text.startswith("torch -> numpy: ")
    assert "resolve conjugate view -> copy (torch's lazy conj bit" in text
    assert "detach: refused (requires_grad: pass detach=True)" in text
    assert str(xb.plan(np.zeros(2), "numpy")) == (
        "numpy -> numpy: nothing to do (same library, device and dtype); "
        "zero-copy: the result shares memory with the input"
    )
    zero_copy = str(xb.plan(np.zeros(2), "torch"))
    assert "import (numpy -> torch via torch.from_numpy" in zero_copy
    assert zero_copy.endswith("zero-copy: the result shares memory with the input")
    refused = str(xb.plan(np.zeros(2), "torch", dtype="float32", copy=False))
    assert "cast -> copy (float64 -> float32 in numpy)" in refused
    assert "refused: CopyRequiredError: copy=False" in refused


def test_plan_steps_are_records() -> None:
    pytest.importorskip("torch")
    record = xb.plan(np.arange(3.0)[::-1], "torch", copy=True)
    assert [(s.action, s.copies) for s in record.steps] == [("copy", True), ("import", False)]
    copy_step = record.steps[0]
    assert "negative strides" in copy_step.reason
    assert "copy=True" in copy_step.reason
    assert "torch.from_numpy" in record.steps[1].reason
    assert record.copies
    assert not record.shares_memory
    assert not record.detaches
    assert record.error is None
    assert record.source == "numpy"
    assert record.target == "torch"
    assert record == xb.plan(np.arange(3.0)[::-1], "torch", copy=True)  # comparable records


def test_explain_returns_the_plan_that_ran() -> None:
    a = np.arange(4.0)
    result, record = xb.to(a, "numpy", copy=True, explain=True)
    assert str(record) == str(xb.plan(a, "numpy", copy=True))
    assert record.copies
    assert not np.shares_memory(result, a)
    result, record = xb.to(a, "numpy", explain=True)
    assert result is a
    assert record.shares_memory


def test_planning_runs_nothing() -> None:
    da = pytest.importorskip("dask.array")
    calls = []

    def block(b: np.ndarray) -> np.ndarray:
        calls.append(1)
        return b + 1

    lazy = da.ones(4, chunks=2).map_blocks(block, dtype=float)
    calls.clear()
    record = xb.plan(lazy, "numpy")
    assert calls == []
    assert record.steps[0].action == "compute"
    np.testing.assert_array_equal(xb.to_numpy(lazy), np.full(4, 2.0))
    assert calls  # computing happens when converting, not when planning


def test_a_refused_plan_does_not_raise() -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(2, requires_grad=True)
    record = xb.plan(t, "numpy")
    assert isinstance(record.error, GradientBreakError)
    assert not record.shares_memory
    with pytest.raises(GradientBreakError):
        record.execute(t)


# ---------------------------------------------------------------------- Python and foreign inputs


@pytest.mark.parametrize(
    "obj", [[1, 2, 3], [[1.5, 2.5], [3.5, 4.5]], 3.0, True, 2 - 1j, (1, 2)], ids=repr
)
def test_python_values_make_new_arrays(target: str, obj: Any) -> None:
    result, record = xb.to(obj, target, explain=True)
    assert xb.backend_of(result) == target
    assert record.copies
    got = np.asarray(xb.to_numpy(result))  # computes lazy arrays
    np.testing.assert_array_equal(got, np.asarray(obj))
    typed = xb.to(obj, target, dtype=xb.complex64)
    assert xb.info(typed).dtype == xb.complex64
    with pytest.raises(CopyRequiredError, match="no array memory"):
        xb.to(obj, target, copy=False)


def test_python_input_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="ragged"):
        xb.to_numpy([[1, 2], [3]])
    with pytest.raises(UnknownArrayTypeError, match="is not an array"):
        xb.to_numpy({1, 2})  # a set: no container xpbridge walks (a dict is one)
    with pytest.raises(UnknownArrayTypeError, match="object"):
        xb.to(object(), "numpy")


def test_buffers_are_viewed_through_numpy() -> None:
    torch = pytest.importorskip("torch")
    raw = bytearray(b"\x01\x02\x03")
    t, record = xb.to(raw, "torch", explain=True)
    assert t.dtype == torch.uint8
    assert t.tolist() == [1, 2, 3]
    assert record.shares_memory
    t[0] = 9
    assert raw[0] == 9  # zero-copy: the tensor is a view of the bytearray
    readonly = memoryview(b"\x01\x02")  # bytes are immutable
    t2, record = xb.to(readonly, "torch", explain=True)
    assert record.copies
    assert "read-only" in str(record)
    t2[0] = 7
    assert bytes(readonly) == b"\x01\x02"
    c = xb.to(raw, "torch", copy=True)
    c[1] = 0
    assert raw[1] == 2
    n = xb.asarray(raw, backend="numpy", copy=True)
    assert not np.shares_memory(n, np.asarray(raw))


class _Producer:
    """A DLPack producer of an unknown library (backed by a NumPy array)."""

    def __init__(self, a: np.ndarray) -> None:
        self.a = a

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.a.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[int, int]:
        return self.a.__dlpack_device__()


def test_from_dlpack_of_an_unknown_producer() -> None:
    torch = pytest.importorskip("torch")
    a = np.arange(6.0)
    t = xb.from_dlpack(_Producer(a), backend="torch")
    assert isinstance(t, torch.Tensor)
    assert xb.shares_memory(t, a)
    n = xb.from_dlpack(_Producer(a))  # the default backend: NumPy
    assert isinstance(n, np.ndarray)
    assert xb.shares_memory(n, a)
    with pytest.raises(UnknownArrayTypeError, match="__dlpack__"):
        xb.from_dlpack([1, 2])


def test_from_dlpack_of_known_arrays_follows_to() -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(2, requires_grad=True)
    with pytest.raises(GradientBreakError):
        xb.from_dlpack(t, backend="numpy")
    a = np.arange(3.0)
    assert xb.shares_memory(xb.from_dlpack(a, backend="torch"), a)
    assert not xb.shares_memory(xb.from_dlpack(a, backend="torch", copy=True), a)


def test_torch_from_dlpack_guards_read_only_producers() -> None:
    pytest.importorskip("torch")
    a = np.arange(4.0)
    a.flags.writeable = False
    t = xb.from_dlpack(_Producer(a), backend="torch")
    assert not xb.shares_memory(t, a)  # torch tensors are writable: a copy
    t[0] = 5
    assert a[0] == 0
    with pytest.raises(CopyRequiredError, match="read-only"):
        xb.from_dlpack(_Producer(a), backend="torch", copy=False)


def test_torch_from_dlpack_never_sees_negative_strides() -> None:
    """torch.from_dlpack aborts the interpreter on negative strides: run it in a child."""
    code = textwrap.dedent(
        """
        import numpy as np, xpbridge as xb

        class P:
            def __init__(self, a): self.a = a
            def __dlpack__(self, **kw): return self.a.__dlpack__(**kw)
            def __dlpack_device__(self): return self.a.__dlpack_device__()

        a = np.arange(6.0)[::-1]
        t = xb.from_dlpack(P(a), backend="torch")
        assert t.tolist() == a.tolist(), t
        s = xb.to(__import__("array_api_strict").asarray(a), "torch")
        assert s.tolist() == a.tolist(), s
        print("ok")
        """
    )
    pytest.importorskip("torch")
    pytest.importorskip("array_api_strict")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_read_only_numpy_never_reaches_torch_from_numpy() -> None:
    """torch.from_numpy warns (once per process) and aliases read-only arrays."""
    torch = pytest.importorskip("torch")
    a = np.arange(4.0)
    a.flags.writeable = False
    t = xb.to_torch(a)  # pytest turns the warning into an error, were it emitted
    assert not xb.shares_memory(t, a)
    t[0] = 1.0
    assert a[0] == 0.0
    assert torch.equal(xb.to_torch(np.broadcast_to(a, (2, 4))), torch.arange(4.0).expand(2, 4))


# ---------------------------------------------------------------------- asarray and lift


def test_asarray_keeps_arrays_in_their_library() -> None:
    torch = pytest.importorskip("torch")
    t = torch.arange(3.0)
    assert xb.asarray(t) is t
    c = xb.asarray(t, copy=True)
    assert isinstance(c, torch.Tensor)
    assert not xb.shares_memory(c, t)
    n = xb.asarray(t, backend="numpy")
    assert isinstance(n, np.ndarray)
    assert xb.shares_memory(n, t)
    like = xb.asarray([1.0, 2.0], like=t)
    assert isinstance(like, torch.Tensor)
    with pytest.raises(CopyRequiredError):
        xb.asarray([1, 2], copy=False)
    with pytest.raises(UnknownArrayTypeError, match="like="):
        xb.asarray([1], like=[1])


def test_lift_never_moves() -> None:
    xs = pytest.importorskip("array_api_strict")
    torch = pytest.importorskip("torch")
    on_device = xs.asarray([1.0], device=xs.Device("device1"))
    with pytest.raises(DeviceMismatchError, match="never moves data"):
        lift(on_device, xb._backends.get_adapter("torch"), device=None, context="add")
    lifted = lift(np.arange(2.0), xb._backends.get_adapter("torch"), device=None, context="add")
    assert isinstance(lifted, torch.Tensor)


def test_jax_tracers_stay_in_jax() -> None:
    jax = pytest.importorskip("jax")
    from xpbridge._errors import UnsupportedOperationError

    @jax.jit
    def leave(x: Any) -> Any:
        return xb.to_numpy(x)

    @jax.jit
    def stay(x: Any) -> Any:
        return xb.to_jax(x, dtype=xb.float32, copy=True) * 2

    with pytest.raises(UnsupportedOperationError, match="JAX tracer"):
        leave(jax.numpy.ones(2))
    np.testing.assert_array_equal(np.asarray(stay(jax.numpy.ones(2))), [2.0, 2.0])

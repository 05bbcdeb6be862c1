"""The gradient helpers on every backend: no_grad, enable_grad, detach, item, tolist, clone,
requires_grad."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import xpbridge as xb
from xpbridge.testing import Backend, assert_equal


def _host(x):
    return xb.to_numpy(x, detach=True)


# ---------------------------------------------------------------------- item


@pytest.mark.parametrize("shape", [(), (1,), (1, 1, 1)])
def test_item_is_a_python_float(xp, backend: Backend, shape) -> None:
    x = xp.asarray(np.full(shape, 2.5))
    value = xb.item(x)
    assert type(value) is float
    assert value == 2.5


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (np.array([7], dtype=np.int64), int),
        (np.array([True]), bool),
        (np.array([1 + 2j], dtype=np.complex64), complex),  # every backend has complex64
    ],
)
def test_item_type_follows_the_dtype_kind(xp, backend: Backend, values, kind) -> None:
    value = xb.item(xp.asarray(values))
    assert type(value) is kind
    assert value == values.item()


def test_item_refuses_several_elements(xp, backend: Backend) -> None:
    with pytest.raises(ValueError, match=r"exactly one element, got shape \(2,\)") as info:
        xb.item(xp.asarray([1.0, 2.0]))
    assert isinstance(info.value, xb.BridgeError)


def test_item_refuses_an_empty_array() -> None:
    with pytest.raises(xb.BridgeError, match="exactly one element"):
        xb.item(np.zeros((0,)))


def test_item_of_a_dask_array_of_unknown_length_computes_first() -> None:
    da = pytest.importorskip("dask.array")
    x = da.from_array(np.array([1.0, 5.0, 2.0]), chunks=2)
    one = x[x > 4]  # length unknown until computed
    assert np.isnan(one.shape[0])
    assert xb.item(one) == 5.0
    with pytest.raises(xb.BridgeError, match="exactly one element"):
        xb.item(x[x > 1])


def test_item_of_a_tensor_that_requires_grad_keeps_its_graph() -> None:
    torch = pytest.importorskip("torch")
    w = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    loss = (w * w).sum()
    assert xb.item(loss) == 9.0
    loss.backward()  # reading the value did not disturb the graph
    assert w.grad.tolist() == [6.0]


def test_item_passes_python_scalars_and_refuses_unknown_objects() -> None:
    assert xb.item(3) == 3
    assert xb.item(np.float32(1.5)) == 1.5
    with pytest.raises(xb.UnknownArrayTypeError, match="item"):
        xb.item("1.0")


def test_item_of_a_tensor_without_data_says_why() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(xb.UnsupportedOperationError, match="meta"):
        xb.item(torch.zeros((), device="meta"))


def test_item_inside_jax_jit_says_why() -> None:
    jax = pytest.importorskip("jax")
    with pytest.raises(xb.UnsupportedOperationError, match="tracer"):
        jax.jit(xb.item)(jax.numpy.ones(()))


# ---------------------------------------------------------------------- tolist


@pytest.mark.parametrize("values", [np.arange(6.0).reshape(2, 3), np.array(4.0), np.arange(3)])
def test_tolist_matches_numpy(xp, backend: Backend, values) -> None:
    result = xb.tolist(xp.asarray(values))
    expected = values.tolist()
    assert result == expected
    flat = result if isinstance(result, list) else [result]
    while flat and isinstance(flat[0], list):
        flat = [v for row in flat for v in row]
    assert [type(v) for v in flat] == [type(v) for v in np.ravel(values).tolist()]


# ---------------------------------------------------------------------- clone


def test_clone_is_independent_memory_on_the_same_device(xp, backend: Backend) -> None:
    x = xp.asarray([1.0, 2.0, 3.0])
    y = xb.clone(x)
    assert xb.backend_of(y) == backend.library
    assert xb.info(y).device == xb.info(x).device
    assert xb.info(y).dtype == xb.info(x).dtype
    assert_equal(_host(y), _host(x))
    if xb.info(x).immutable:
        # JAX: nothing can write either array; the copy still has its own buffer.
        assert y is not x
        assert xb.info(y).data_ptr != xb.info(x).data_ptr
        return
    y = xb.at(y)[0].set(-1.0)
    assert _host(x).tolist() == [1.0, 2.0, 3.0]
    assert _host(y).tolist() == [-1.0, 2.0, 3.0]


def test_clone_keeps_the_autograd_graph() -> None:
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    c = xb.clone(t)
    assert c.grad_fn is not None
    assert c.data_ptr() != t.data_ptr()
    (c * c).sum().backward()
    assert t.grad.tolist() == [2.0, 4.0]


def test_clone_of_a_readonly_numpy_array_is_writable() -> None:
    a = np.arange(3.0)
    a.flags.writeable = False
    b = xb.clone(a)
    assert b.flags.writeable
    b[0] = 9.0
    assert a[0] == 0.0


def test_clone_of_a_numpy_scalar_stays_a_scalar() -> None:
    s = np.float32(2.0)
    assert type(xb.clone(s)) is np.float32


# ---------------------------------------------------------------------- detach, requires_grad


def test_detach_and_requires_grad(xp, backend: Backend) -> None:
    x = xp.asarray([1.0, 2.0])
    d = xb.detach(x)
    assert xb.requires_grad(d) is False
    assert xb.requires_grad(x) is backend.row.requires_grad
    assert xb.backend_of(d) == backend.library
    if backend.backend_row.make_requires_grad is not None:  # a library with autograd
        assert xb.info(d).data_ptr == xb.info(x).data_ptr  # a view, never a copy
    else:
        # No graph recorded: x itself, or where gradients are functional and the library
        # cannot tell a traced array from a concrete one (MLX), a gradient stop over the
        # same memory; never a copy.
        assert d is x or xb.info(d).data_ptr == xb.info(x).data_ptr


def test_detach_and_requires_grad_of_python_scalars() -> None:
    assert xb.detach(1.5) == 1.5
    assert xb.requires_grad(2) is False
    assert xb.requires_grad([1.0]) is False  # a new array, as xb.asarray makes it
    with pytest.raises(xb.UnknownArrayTypeError):
        xb.requires_grad(object())


def test_detach_stops_jax_gradients() -> None:
    jax = pytest.importorskip("jax")
    x = jax.numpy.asarray([1.0, 3.0])

    def f(v):
        return jax.numpy.sum(xb.detach(v) * v)  # d/dv = detach(v), not 2 v

    assert jax.grad(f)(x).tolist() == [1.0, 3.0]


# ---------------------------------------------------------------------- no_grad, enable_grad


def test_no_grad_stops_recording_and_restores_it() -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(2, requires_grad=True)
    with xb.no_grad():
        assert not torch.is_grad_enabled()
        assert not xb.requires_grad(xb.exp(t))
        with xb.enable_grad():
            assert xb.requires_grad(xb.exp(t))
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    assert xb.requires_grad(xb.exp(t))


def test_no_grad_restores_on_error() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(KeyError), xb.no_grad():
        raise KeyError
    assert torch.is_grad_enabled()


def test_no_grad_as_a_decorator_also_when_recursive() -> None:
    torch = pytest.importorskip("torch")
    seen = []

    @xb.no_grad()
    def depth(n: int) -> int:
        seen.append(torch.is_grad_enabled())
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert seen == [False] * 4
    assert torch.is_grad_enabled()

    @xb.enable_grad()
    def inner() -> bool:
        return bool(torch.is_grad_enabled())

    with xb.no_grad():
        assert inner() is True
        assert not torch.is_grad_enabled()


def test_no_grad_refuses_generators_and_coroutines() -> None:
    def gen():
        yield 1

    async def coro():
        return 1

    for function in (gen, coro):
        with pytest.raises(TypeError, match=r"use `with xpbridge\.no_grad\(\):` inside"):
            xb.no_grad()(function)


def test_no_grad_is_per_thread() -> None:
    torch = pytest.importorskip("torch")
    inside, other = threading.Event(), threading.Event()
    seen = {}

    def worker() -> None:
        inside.wait(5)
        seen["other thread"] = torch.is_grad_enabled()
        other.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with xb.no_grad():
        inside.set()
        other.wait(5)
        seen["this thread"] = torch.is_grad_enabled()
    thread.join(5)
    assert seen == {"other thread": True, "this thread": False}


def test_no_grad_without_torch_imports_nothing_and_switches_torch_once_imported() -> None:
    code = textwrap.dedent(
        """
        import sys
        import xpbridge as xb

        with xb.no_grad():
            pass
        assert "torch" not in sys.modules

        @xb.no_grad()
        def recording():
            return sys.modules["torch"].is_grad_enabled()

        import torch  # after decorating: the switch looks torch up on each call

        assert recording() is False
        assert torch.is_grad_enabled()
        print("ok")
        """
    )
    pytest.importorskip("torch")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

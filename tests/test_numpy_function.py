"""``xb.numpy_function``: NumPy code on any backend's arrays, inside torch autograd via a vjp."""

from __future__ import annotations

import numpy as np
import pytest

import xpbridge as xb
from xpbridge.testing import Backend, assert_close

torch = pytest.importorskip("torch")
gradcheck = torch.autograd.gradcheck


def _t(values, grad: bool = True):
    return torch.tensor(values, dtype=torch.float64, requires_grad=grad)


sin = xb.numpy_function(np.sin, vjp=lambda g, a: g * np.cos(a))


@xb.numpy_function(vjp=lambda g, a, b: (g * b, g * a))
def product(a, b):
    return a * b


@xb.numpy_function(vjp=lambda g, a: g[0] * 2 * a + g[1] * 3 * a**2)
def square_and_cube(a):
    return a**2, a**3


# ---------------------------------------------------------------------- gradients


def test_gradcheck_one_input() -> None:
    assert gradcheck(sin, (_t([0.1, 0.7, -1.3]),))


def test_gradcheck_two_inputs_and_broadcasting_constants() -> None:
    a, b = _t([[0.5, -1.0, 2.0]]), _t([[1.5, 0.25, -0.75]])
    assert gradcheck(product, (a, b))
    assert gradcheck(lambda a: product(a, np.array([[2.0, 3.0, 4.0]])), (a,))  # mixed
    assert gradcheck(lambda b: product(np.array([[2.0, 3.0, 4.0]]), b), (b,))


def test_gradcheck_several_outputs_get_a_tuple_of_gradients() -> None:
    assert gradcheck(square_and_cube, (_t([0.5, -2.0]),))


def test_gradcheck_with_keyword_arguments_and_scipy() -> None:
    special = pytest.importorskip("scipy.special")

    @xb.numpy_function(vjp=lambda g, a, *, scale: g * scale * 2 / np.sqrt(np.pi) * np.exp(-(a**2)))
    def scaled_erf(a, *, scale):
        return scale * special.erf(a)

    assert gradcheck(lambda a: scaled_erf(a, scale=3.0), (_t([0.2, -0.4, 1.1]),))


def test_only_the_inputs_that_require_grad_get_gradients() -> None:
    a, b = _t([1.0, 2.0]), _t([3.0, 4.0], grad=False)
    product(a, b).sum().backward()
    assert a.grad.tolist() == [3.0, 4.0]
    assert b.grad is None


def test_gradients_take_the_inputs_dtype() -> None:
    a = torch.tensor([1.0, 2.0], dtype=torch.float32, requires_grad=True)
    y = sin(a)
    assert y.dtype == torch.float32  # np.sin of float32 is float32
    y.sum().backward()
    assert a.grad.dtype == torch.float32
    assert_close(a.grad, torch.cos(a.detach()))


def test_integer_outputs_do_not_require_grad() -> None:
    top = xb.numpy_function(
        lambda a: (np.max(a), np.argmax(a)),
        vjp=lambda g, a: np.where(np.arange(a.size) == np.argmax(a), g[0], 0.0),
    )
    value, index = top(_t([1.0, 5.0, 2.0]))
    assert value.requires_grad
    assert not index.requires_grad
    assert index.item() == 1
    value.backward()


def test_writing_an_input_after_the_call_makes_backward_raise() -> None:
    a = _t([1.0, 2.0])
    h = a * 1.0
    y = sin(h)
    with torch.no_grad():
        h[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_differentiating_twice_raises_instead_of_treating_the_gradient_as_constant() -> None:
    a = _t([0.3, 0.6])
    (g,) = torch.autograd.grad(sin(a).sum(), a, create_graph=True)
    assert_close(g.detach(), torch.cos(a.detach()))
    penalty = (g**2).sum() + (a**2).sum()  # d/da needs the derivative of the vjp
    with pytest.raises(xb.GradientBreakError, match="second-order"):
        penalty.backward()


# ---------------------------------------------------------------------- the vjp contract


@pytest.mark.parametrize(
    ("vjp", "match"),
    [
        (lambda g, a, b: g * b, "returned 1 gradient"),
        (lambda g, a, b: (g * b, g * a, g), "returned 3 gradient"),
        (lambda g, a, b: (None, g * a), "returned None for argument 0"),
        (lambda g, a, b: (np.sum(g * b), g * a), r"shape \(\) for argument 0"),
    ],
)
def test_bad_vjp_results_are_explained(vjp, match) -> None:
    wrapped = xb.numpy_function(np.multiply, vjp=vjp)
    y = wrapped(_t([1.0, 2.0]), _t([3.0, 4.0]))
    with pytest.raises(ValueError, match=match) as info:
        y.sum().backward()
    assert isinstance(info.value, xb.BridgeError)


def test_outputs_must_be_arrays_with_a_vjp() -> None:
    wrapped = xb.numpy_function(lambda a: "text", vjp=lambda g, a: g)
    with pytest.raises(TypeError, match="output 0 is a str"):
        wrapped(_t([1.0]))


def test_fn_and_vjp_must_be_callable() -> None:
    with pytest.raises(TypeError, match="fn must be callable"):
        xb.numpy_function(3)
    with pytest.raises(TypeError, match="vjp must be callable"):
        xb.numpy_function(np.sin, vjp="cos")


def test_the_wrapper_looks_like_fn() -> None:
    assert product.__name__ == "product"
    assert sin.__wrapped__ is np.sin
    assert sin.vjp is not None


# ---------------------------------------------------------------------- modes, without a vjp


def test_without_vjp_preserve_mode_refuses_a_tensor_that_requires_grad() -> None:
    with pytest.raises(xb.GradientBreakError, match="no vjp"):
        xb.numpy_function(np.sin)(_t([1.0]))


def test_without_vjp_raise_mode_refuses_too() -> None:
    with xb.grad_mode("raise"), pytest.raises(xb.GradientBreakError, match="'raise'"):
        xb.numpy_function(np.sin)(_t([1.0]))


def test_without_vjp_detach_mode_detaches() -> None:
    with xb.grad_mode("detach"):
        y = xb.numpy_function(np.sin)(_t([1.0]))
    assert not y.requires_grad
    assert y.item() == pytest.approx(np.sin(1.0))


def test_without_vjp_nothing_is_cut_when_nothing_records() -> None:
    with xb.no_grad():
        y = xb.numpy_function(np.sin)(_t([1.0]))
    assert not y.requires_grad
    assert xb.numpy_function(np.sin)(_t([1.0], grad=False)).item() == pytest.approx(np.sin(1.0))


def test_raise_mode_keeps_the_graph_through_a_vjp() -> None:
    a = _t([0.5])
    with xb.grad_mode("raise"):
        sin(a).sum().backward()
    assert a.grad.item() == pytest.approx(np.cos(0.5))


def test_a_keyword_tensor_that_requires_grad_is_refused() -> None:
    wrapped = xb.numpy_function(lambda a, *, b: a * b, vjp=lambda g, a, *, b: g * b)
    with pytest.raises(xb.GradientBreakError, match="positionally"):
        wrapped(_t([1.0]), b=_t([2.0]))


# ---------------------------------------------------------------------- libraries and devices


def test_results_come_back_in_the_input_library_and_device(xp, backend: Backend) -> None:
    seen = []

    def record(a):
        seen.append(type(a))
        return np.sin(a)

    wrapped = xb.numpy_function(record, vjp=lambda g, a: g * np.cos(a))
    x = xp.asarray(np.array([0.25, 0.5]))
    y = wrapped(x)
    assert seen == [np.ndarray]
    assert xb.backend_of(y) == backend.library
    assert xb.info(y).device == xb.info(x).device
    assert xb.requires_grad(y) is backend.row.requires_grad
    assert_close(xb.to_numpy(y, detach=True), np.sin([0.25, 0.5]))


def test_fn_gets_read_only_views_of_tensor_memory() -> None:
    t = torch.tensor([1.0, 2.0], dtype=torch.float64)

    def vandal(a):
        assert np.shares_memory(a, t.numpy())  # zero-copy on the CPU
        a[0] = 99.0
        return a

    with pytest.raises(ValueError, match="read-only"):
        xb.numpy_function(vandal)(t)
    assert t.tolist() == [1.0, 2.0]


def test_an_output_that_is_a_view_of_an_input_is_copied() -> None:
    t = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    head = xb.numpy_function(lambda a: a[:2])(t)
    head[0] = 7.0
    assert t.tolist() == [1.0, 2.0, 3.0]


def test_numpy_inputs_are_passed_through_unchanged() -> None:
    a = np.arange(3.0)
    assert xb.numpy_function(lambda v: v)(a) is a


def test_mixed_libraries_go_to_the_highest_priority_one() -> None:
    y = product(np.array([2.0]), _t([3.0]))
    assert isinstance(y, torch.Tensor)
    with xb.policy(mixing="strict"), pytest.raises(xb.MixedBackendError, match="strict"):
        product(np.array([2.0]), _t([3.0]))


def test_arrays_on_different_devices_are_refused() -> None:
    strict = pytest.importorskip("array_api_strict")
    a = strict.asarray([1.0])
    b = strict.asarray([1.0], device=strict.Device("device1"))
    with pytest.raises(xb.DeviceMismatchError, match="different devices"):
        product(a, b)


def test_jax_tracers_are_explained() -> None:
    jax = pytest.importorskip("jax")
    with pytest.raises(xb.BridgeError, match="outside the transformation"):
        jax.jit(xb.numpy_function(np.sin))(jax.numpy.ones(2))


@pytest.mark.gpu
def test_cuda_tensors_round_trip_through_the_host() -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here")
    a = torch.tensor([0.2, 0.4], dtype=torch.float64, device="cuda", requires_grad=True)
    y = sin(a)
    assert y.device == a.device
    y.sum().backward()
    assert a.grad.device == a.device
    assert_close(a.grad.cpu(), torch.cos(a.detach().cpu()))
    assert gradcheck(sin, (a,))

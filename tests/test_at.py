"""``xb.at(x)[idx].<op>(v)``: same values on every backend as NumPy's ``x[idx] = op(x[idx], v)``,
in place exactly where that is possible and safe, and gradients that stay right."""

from __future__ import annotations

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._backends import get_adapter
from xpbridge.testing import Backend, assert_close

BASE = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

REFERENCE = {
    "set": lambda a, v: v + 0 * a,
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "divide": np.divide,
    "power": np.power,
    "min": np.minimum,
    "max": np.maximum,
}


def _index(kind: str, xp):
    """The index of each kind, in the library of `xp` (None for NumPy's own)."""
    if kind == "int":
        return (1, 2)
    if kind == "slice":
        return (slice(None), slice(0, 2))
    if kind == "ellipsis":
        return (..., 1)
    if kind == "mask":
        mask = BASE > 3.5
        return mask if xp is None else xp.asarray(mask)
    rows = np.array([1, 0])
    return rows if xp is None else xp.asarray(rows)


INDEX_KINDS = ("int", "slice", "ellipsis", "mask", "int_array")


def _in_place(backend: Backend, kind: str) -> bool:
    """Where copy=None writes into x itself: not into read-only arrays, arrays in an autograd
    graph (the variant table says which members make those) or immutable ones (JAX); and
    array-api-strict takes no integer-array index in a write."""
    immutable = xb.info(xb.asarray([0.0], backend=backend.library)).immutable
    if backend.row.readonly or backend.row.requires_grad or immutable:
        return False
    return not (backend.library == "array_api_strict" and kind == "int_array")


def _host(x):
    return xb.to_numpy(x, detach=True)


@pytest.mark.parametrize("op", list(REFERENCE))
@pytest.mark.parametrize("kind", INDEX_KINDS)
def test_values_match_numpy_and_copy_none_is_in_place_where_safe(xp, backend, op, kind) -> None:
    x = xp.asarray(BASE.copy())
    before = BASE.copy()
    result = getattr(xb.at(x)[_index(kind, xp)], op)(2.0)
    expected = BASE.copy()
    idx = _index(kind, None)
    expected[idx] = REFERENCE[op](expected[idx], 2.0)
    assert xb.backend_of(result) == backend.library
    assert xb.info(result).device == xb.info(x).device
    assert_close(_host(result), expected)
    if _in_place(backend, kind):
        assert result is x
        assert_close(_host(x), expected)
    else:
        assert result is not x
        assert_close(_host(x), before)


@pytest.mark.parametrize("kind", INDEX_KINDS)
def test_copy_true_never_touches_x(xp, backend, kind) -> None:
    x = xp.asarray(BASE.copy())
    result = xb.at(x)[_index(kind, xp)].add(10.0, copy=True)
    assert result is not x
    assert_close(_host(x), BASE)
    expected = BASE.copy()
    expected[_index(kind, None)] += 10.0
    assert_close(_host(result), expected)


@pytest.mark.parametrize("kind", INDEX_KINDS)
def test_copy_false_writes_x_or_says_why_not(xp, backend, kind) -> None:
    x = xp.asarray(BASE.copy())
    update = xb.at(x)[_index(kind, xp)]
    if not _in_place(backend, kind):
        with pytest.raises(xb.CopyRequiredError, match="copy=False, but"):
            update.set(0.0, copy=False)
        assert_close(_host(x), BASE)
        return
    result = update.set(0.0, copy=False)
    assert result is x
    expected = BASE.copy()
    expected[_index(kind, None)] = 0.0
    assert_close(_host(x), expected)


def test_array_values_broadcast_like_numpy(xp, backend) -> None:
    x = xp.asarray(BASE.copy())
    row = xp.asarray(np.array([10.0, 20.0, 30.0]))
    result = xb.at(x)[0:1].multiply(row)
    expected = BASE.copy()
    expected[0:1] *= [10.0, 20.0, 30.0]
    assert_close(_host(result), expected)


def test_index_given_in_the_call_is_the_same() -> None:
    a = xb.at(np.zeros(3), 1).set(4.0)
    b = xb.at(np.zeros(3))[1].set(4.0)
    assert a.tolist() == b.tolist() == [0.0, 4.0, 0.0]


# ---------------------------------------------------------------------- refusals


def test_usage_errors_are_clear() -> None:
    x = np.zeros(3)
    with pytest.raises(ValueError, match="no index given"):
        xb.at(x).set(1.0)
    with pytest.raises(ValueError, match="index is already given"):
        xb.at(x, 0)[1]
    with pytest.raises(ValueError, match="copy must be None, True or False"):
        xb.at(x)[0].set(1.0, copy="yes")
    with pytest.raises(xb.UnknownArrayTypeError, match=r"xb\.at"):
        xb.at([1.0, 2.0])
    assert repr(xb.at(x)[0]) == "xb.at(<ndarray>)[0]"


@pytest.mark.parametrize(
    ("dtype", "op", "value", "match"),
    [
        ("int64", "set", 1.5, "Python float value cannot be stored in a int64"),
        ("float64", "add", 1j, "complex value cannot be stored"),
        ("int32", "divide", 2, "true division of an int32 array"),
        ("bool", "add", True, "arithmetic on a boolean array"),
    ],
)
def test_lossy_updates_are_refused_on_every_backend(xp, backend, dtype, op, value, match) -> None:
    if not get_adapter(backend.library).has_dtype(dtype):
        pytest.skip(f"{backend.library} has no {dtype} dtype")
    x = xp.asarray(np.zeros(3, dtype=dtype))
    with pytest.raises(xb.UnsupportedDTypeError, match=match):
        getattr(xb.at(x)[0], op)(value)


def test_a_float64_array_value_into_an_int_array_is_refused() -> None:
    with pytest.raises(xb.UnsupportedDTypeError, match="float64 value"):
        xb.at(np.zeros(3, dtype=np.int64))[0].set(np.ones(1))


def test_narrowing_within_a_kind_is_allowed_and_keeps_x_dtype() -> None:
    x = np.zeros(3, dtype=np.float32)
    result = xb.at(x)[0].set(np.float64(1.25))
    assert result.dtype == np.float32
    assert result[0] == 1.25


def test_readonly_numpy_is_copied_never_written() -> None:
    a = np.arange(4.0)
    a.flags.writeable = False
    b = xb.at(a)[0].set(9.0)
    assert b.flags.writeable
    assert a[0] == 0.0
    assert b[0] == 9.0


def test_broadcast_views_are_copied() -> None:
    view = np.broadcast_to(np.arange(3.0), (2, 3))
    result = xb.at(view)[0, 0].set(7.0)
    assert result[0, 0] == 7.0
    assert result[1, 0] == 0.0  # a write through the view would have changed both rows
    torch = pytest.importorskip("torch")
    expanded = torch.zeros(1).expand(3)
    with pytest.raises(xb.CopyRequiredError, match="share memory"):
        xb.at(expanded)[0].set(1.0, copy=False)
    assert xb.at(expanded)[0].set(1.0).tolist() == [1.0, 0.0, 0.0]


# ---------------------------------------------------------------------- values of other libraries


def test_numpy_values_are_lifted_into_torch() -> None:
    torch = pytest.importorskip("torch")
    t = torch.zeros(3, dtype=torch.float64)
    result = xb.at(t)[0:2].set(np.array([1.0, 2.0]))
    assert result is t
    assert t.tolist() == [1.0, 2.0, 0.0]


def test_a_tensor_value_that_requires_grad_is_not_silently_detached_into_numpy() -> None:
    torch = pytest.importorskip("torch")
    v = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    x = np.zeros(3)
    with pytest.raises(xb.GradientBreakError, match=r"xb\.detach\(v\)"):
        xb.at(x)[0].set(v)
    assert x.tolist() == [0.0, 0.0, 0.0]
    with xb.grad_mode("detach"):
        assert xb.at(x)[0].set(v).tolist() == [1.0, 0.0, 0.0]


def test_strict_mixing_policy_refuses_values_of_other_libraries() -> None:
    torch = pytest.importorskip("torch")
    with xb.policy(mixing="strict"), pytest.raises(xb.MixedBackendError, match="strict"):
        xb.at(torch.zeros(2))[0].set(np.ones(1))


# ---------------------------------------------------------------------- autograd


OPS = list(REFERENCE)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("kind", ["int", "slice", "mask", "int_array"])
def test_gradients_of_every_update_are_right(op, kind) -> None:
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(2, 3, generator=gen, dtype=torch.float64) + 0.5).requires_grad_()
    v = (torch.rand((), generator=gen, dtype=torch.float64) + 0.5).requires_grad_()
    idx = _index(kind, torch)

    def update(x, v):
        return getattr(xb.at(x)[idx], op)(v)

    assert torch.autograd.gradcheck(update, (x, v))
    assert torch.autograd.gradgradcheck(update, (x, v))


def test_a_leaf_that_requires_grad_is_never_written() -> None:
    torch = pytest.importorskip("torch")
    w = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    version = w._version
    y = xb.at(w)[1].set(10.0)
    assert y is not w
    assert w._version == version
    assert w.tolist() == [1.0, 2.0, 3.0]
    (y * y).sum().backward()
    assert w.grad.tolist() == [2.0, 0.0, 6.0]  # the overwritten element gets no gradient
    with pytest.raises(xb.CopyRequiredError, match="leaf tensor that requires grad"):
        xb.at(w)[1].set(10.0, copy=False)


def test_a_value_saved_for_backward_is_never_overwritten() -> None:
    torch = pytest.importorskip("torch")
    w = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    h = xb.exp(w)  # exp saves its result for backward
    native = h.clone()
    native[0] = 0.0  # fine: the clone is not saved
    y = xb.at(h)[0].set(0.0)
    assert h.tolist() == pytest.approx(np.exp([0.5, 1.0]).tolist())
    (y.sum() + h.sum()).backward()
    expected = np.exp([0.5, 1.0]) + np.array([0.0, np.exp(1.0)])  # y lost element 0
    assert w.grad.tolist() == pytest.approx(expected.tolist())
    with pytest.raises(xb.CopyRequiredError, match="saved for backward"):
        xb.at(xb.exp(w))[0].set(0.0, copy=False)


def test_torch_itself_would_break_the_backward_pass() -> None:
    """What xb.at prevents: the same write done in place makes backward fail."""
    torch = pytest.importorskip("torch")
    w = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    h = torch.exp(w)
    h[0] = 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        h.sum().backward()


def test_under_no_grad_parameters_are_updated_in_place_like_an_optimizer_step() -> None:
    torch = pytest.importorskip("torch")
    w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (w * w).sum().backward()
    with xb.no_grad():
        stepped = xb.at(w)[...].subtract(0.25 * w.grad)
    assert stepped is w
    assert w.is_leaf
    assert w.requires_grad
    assert w.tolist() == [0.5, 1.0]


def test_writing_a_value_that_requires_grad_into_a_plain_tensor_joins_the_graph() -> None:
    torch = pytest.importorskip("torch")
    buffer = torch.zeros(3, dtype=torch.float64)
    v = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    result = xb.at(buffer)[1].set(v)
    assert result is buffer
    assert buffer.requires_grad
    (buffer * 3.0).sum().backward()
    assert v.grad.item() == 3.0


def test_a_constant_saved_for_backward_and_written_makes_backward_raise_not_lie() -> None:
    torch = pytest.importorskip("torch")
    w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    c = torch.tensor([3.0, 4.0], dtype=torch.float64)
    loss = (c * w).sum()  # saves c, which does not require grad
    kept = xb.at(c)[0].set(0.0, copy=True)
    loss.backward(retain_graph=True)
    assert w.grad.tolist() == [3.0, 4.0]
    assert kept.tolist() == [0.0, 4.0]
    xb.at(c)[0].set(0.0)  # in place: torch's version counter catches it at backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_jax_updates_are_functional_and_differentiable() -> None:
    jax = pytest.importorskip("jax")
    x = jax.numpy.asarray([1.0, 2.0, 3.0])

    def f(v):
        return jax.numpy.sum(xb.at(v)[0].multiply(3.0))

    assert jax.grad(f)(x).tolist() == [3.0, 1.0, 1.0]
    assert jax.jit(lambda v: xb.at(v)[1].set(0.0))(x).tolist() == [1.0, 0.0, 3.0]
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_one_casting_rule_for_scalars_and_sequences() -> None:
    """A sequence of floats into an integer array truncated ([7.9, 8.9] -> [7, 8]) while the
    scalar 7.9 was refused: now both are, and ints are checked against the dtype."""
    x = np.array([1, 2, 3])
    with pytest.raises(xb.UnsupportedDTypeError):
        xb.at(x)[:2].set([7.9, 8.9])
    with pytest.raises(xb.UnsupportedDTypeError):
        xb.at(x)[0].set(7.9)
    assert xb.at(x)[:2].set([7, 8]).tolist() == [7, 8, 3]
    small = np.zeros(2, dtype=np.int8)
    for value in (300, [300, 1]):
        with pytest.raises(xb.ValueOverflowError):
            xb.at(small)[: 1 if isinstance(value, int) else 2].set(value)
    assert small.tolist() == [0, 0]


def test_the_signature_returns_the_update_object() -> None:
    import inspect

    assert inspect.signature(xb.at).return_annotation != "None"
    assert isinstance(xb.at(np.zeros(2))[0], xb.at)

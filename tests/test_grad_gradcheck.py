"""Every function of the namespace keeps torch autograd right, or is listed as unable to.

``DIFFERENTIABLE`` holds each function that carries a gradient, with an input generator that
respects its domain; ``torch.autograd.gradcheck`` (float64) checks it through a plain call on
tensors that require grad and through mixed calls in which the other arguments are NumPy
arrays (lifted into torch by the ``"promote"`` mixing policy). ``NOT_DIFFERENTIABLE`` lists
the functions whose results cannot carry a gradient, with how that shows. A function in
neither table fails ``test_every_public_function_is_classified``: a new function must say
which it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._api.numpy_spellings import ALIASES
from xpbridge._namespace import _registry

torch = pytest.importorskip("torch")

Inputs = Callable[[np.random.Generator], tuple[np.ndarray, ...]]


@dataclass(frozen=True)
class Case:
    """How to gradcheck one function: its differentiable inputs, constants, and the call."""

    inputs: Inputs
    #: Arguments that carry no gradient (indices, masks); NumPy in mixed calls.
    consts: Inputs = lambda rng: ()
    #: ``call(f, *inputs, *consts)``; the default passes them positionally.
    call: Callable[..., Any] | None = None

    def run(self, f: Callable[..., Any], *args: Any) -> Any:
        out = f(*args) if self.call is None else self.call(f, *args)
        return tuple(out) if isinstance(out, list) else out


# ---------------------------------------------------------------------- input generators


def u(*shape: int, lo: float = -1.0, hi: float = 1.0) -> Inputs:
    return lambda rng: (rng.uniform(lo, hi, shape),)


def away_from_zero(*shape: int) -> Inputs:
    return lambda rng: (rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 1.0, shape),)


def off_integers(*shape: int) -> Inputs:
    # floor, ceil, round, trunc are flat away from the points where they jump.
    return lambda rng: (rng.integers(-3, 3, shape) + rng.uniform(0.15, 0.35, shape),)


def cplx(*shape: int) -> Inputs:
    return lambda rng: (rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape),)


def both(first: Inputs, second: Inputs) -> Inputs:
    return lambda rng: first(rng) + second(rng)


def distinct_pair(*shape: int) -> Inputs:
    """Two arrays that differ by at least 0.2 everywhere (maximum, minimum have kinks)."""

    def make(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        a = rng.uniform(-1, 1, shape)
        return a, a + rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 0.8, shape)

    return make


def remainder_pair(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    b = rng.uniform(1.0, 2.0, (2, 3))
    a = b * (rng.integers(-2, 3, (2, 3)) + rng.uniform(0.2, 0.8, (2, 3)))
    return a, b


def matrix(n: int = 3, m: int | None = None) -> Inputs:
    def make(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        a = rng.uniform(-1, 1, (n, m or n))
        if m is None:
            a += 2 * np.eye(n)  # well conditioned
        return (a,)

    return make


def distinct_eigenvalues(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return (q @ np.diag([1.0, 2.5, 4.0]) @ q.T + 0.05 * rng.uniform(-1, 1, (3, 3)),)


def symmetric(f: Callable[..., Any], m: Any) -> Any:
    return f(xb.divide(xb.add(m, xb.matrix_transpose(m)), 2.0))


def spd(f: Callable[..., Any], m: Any) -> Any:
    return f(xb.add(xb.matmul(m, xb.matrix_transpose(m)), 3.0 * torch.eye(3, dtype=torch.float64)))


def phase_free(f: Callable[..., Any], m: Any) -> Any:
    """Eigen/singular vectors are defined up to sign or phase; their magnitudes are not."""
    return tuple(xb.abs(part) for part in f(m))


X = u(2, 3)
POSITIVE = u(2, 3, lo=0.5, hi=2.0)
UNIT = u(2, 3, lo=-0.9, hi=0.9)
PAIR = both(u(2, 3), u(2, 3))
MASK = lambda rng: (rng.uniform(size=(2, 3)) > 0.5,)  # noqa: E731
ROWS = lambda rng: (np.array([2, 0, 1, 0]),)  # noqa: E731
ALONG = lambda rng: (np.array([[2, 0], [1, 1]]),)  # noqa: E731

DIFFERENTIABLE: dict[str, Case] = {
    # -- element-wise, one argument
    "abs": Case(away_from_zero(2, 3)),
    "acos": Case(UNIT),
    "acosh": Case(u(2, 3, lo=1.2, hi=3.0)),
    "asin": Case(UNIT),
    "asinh": Case(X),
    "atan": Case(X),
    "atanh": Case(UNIT),
    "ceil": Case(off_integers(2, 3)),
    "conj": Case(cplx(2, 3)),
    "cos": Case(X),
    "cosh": Case(X),
    "deg2rad": Case(X),
    "exp": Case(X),
    "expm1": Case(X),
    "floor": Case(off_integers(2, 3)),
    "imag": Case(cplx(2, 3)),
    "log": Case(POSITIVE),
    "log10": Case(POSITIVE),
    "log1p": Case(u(2, 3, lo=-0.5, hi=1.0)),
    "log2": Case(POSITIVE),
    "negative": Case(X),
    "positive": Case(X),
    "rad2deg": Case(X),
    "real": Case(cplx(2, 3)),
    "reciprocal": Case(away_from_zero(2, 3)),
    "round": Case(off_integers(2, 3)),
    "sign": Case(away_from_zero(2, 3)),
    "sin": Case(X),
    "sinh": Case(X),
    "sqrt": Case(POSITIVE),
    "square": Case(X),
    "tan": Case(X),
    "tanh": Case(X),
    "trunc": Case(off_integers(2, 3)),
    "clip": Case(off_integers(2, 3), call=lambda f, x: f(x, min=-1.5, max=1.5)),
    # -- element-wise, two arguments
    "add": Case(PAIR),
    "atan2": Case(both(u(2, 3), away_from_zero(2, 3))),
    "copysign": Case(both(away_from_zero(2, 3), away_from_zero(2, 3))),
    "divide": Case(both(u(2, 3), away_from_zero(2, 3))),
    "hypot": Case(both(away_from_zero(2, 3), away_from_zero(2, 3))),
    "logaddexp": Case(PAIR),
    "maximum": Case(distinct_pair(2, 3)),
    "minimum": Case(distinct_pair(2, 3)),
    "multiply": Case(PAIR),
    "nextafter": Case(PAIR),
    "pow": Case(both(POSITIVE, u(2, 3))),
    "remainder": Case(remainder_pair),
    "subtract": Case(PAIR),
    "where": Case(PAIR, consts=MASK, call=lambda f, a, b, mask: f(mask, a, b)),
    # -- reductions and statistics
    "cumprod": Case(away_from_zero(2, 3), call=lambda f, x: f(x, 1)),
    "cumsum": Case(X),
    "cumulative_prod": Case(away_from_zero(2, 3), call=lambda f, x: f(x, axis=0)),
    "cumulative_sum": Case(X, call=lambda f, x: f(x, axis=1, include_initial=True)),
    "diff": Case(X, call=lambda f, x: f(x, axis=0)),
    "max": Case(X, call=lambda f, x: f(x, axis=1)),
    "mean": Case(X, call=lambda f, x: f(x, axis=0)),
    "min": Case(X),
    "prod": Case(away_from_zero(2, 3), call=lambda f, x: f(x, axis=1)),
    "std": Case(X, call=lambda f, x: f(x, axis=1, correction=1)),
    "sum": Case(X, call=lambda f, x: f(x, axis=(0, 1), keepdims=True)),
    "var": Case(X),
    "sort": Case(X, call=lambda f, x: f(x, axis=1, descending=True)),
    # -- manipulation
    "astype": Case(X, call=lambda f, x: f(x, xb.float64)),
    "broadcast_arrays": Case(both(u(3, 1), u(1, 4))),
    "broadcast_to": Case(u(3, 1), call=lambda f, x: f(x, (2, 3, 4))),
    "concat": Case(PAIR, call=lambda f, a, b: f([a, b], axis=1)),
    "concatenate": Case(PAIR, call=lambda f, a, b: f((a, b))),
    "expand_dims": Case(X, call=lambda f, x: f(x, axis=1)),
    "flip": Case(X, call=lambda f, x: f(x, axis=0)),
    "hstack": Case(PAIR, call=lambda f, a, b: f([a, b])),
    "matrix_transpose": Case(u(2, 2, 3)),
    "meshgrid": Case(both(u(3), u(2)), call=lambda f, a, b: f(a, b, indexing="ij")),
    "moveaxis": Case(u(2, 3, 4), call=lambda f, x: f(x, 0, 2)),
    "permute_dims": Case(u(2, 3, 4), call=lambda f, x: f(x, (2, 0, 1))),
    "ravel": Case(X),
    "repeat": Case(X, call=lambda f, x: f(x, 2, axis=1)),
    "reshape": Case(X, call=lambda f, x: f(x, (3, 2))),
    "roll": Case(X, call=lambda f, x: f(x, 1, axis=1)),
    "squeeze": Case(u(2, 1, 3), call=lambda f, x: f(x, 1)),
    "stack": Case(PAIR, call=lambda f, a, b: f([a, b], axis=-1)),
    "swapaxes": Case(u(2, 3, 4), call=lambda f, x: f(x, 0, 2)),
    "take": Case(u(3, 2), consts=ROWS, call=lambda f, x, idx: f(x, idx, axis=0)),
    "take_along_axis": Case(u(2, 3), consts=ALONG, call=lambda f, x, idx: f(x, idx, axis=1)),
    "tile": Case(X, call=lambda f, x: f(x, (2, 1))),
    "transpose": Case(u(2, 3, 4)),
    "tril": Case(u(3, 3)),
    "triu": Case(u(3, 3), call=lambda f, x: f(x, k=1)),
    "unstack": Case(X, call=lambda f, x: f(x, axis=1)),
    "vstack": Case(both(u(3), u(2, 3)), call=lambda f, a, b: f([a, b])),
    # -- products and linear algebra
    "dot": Case(both(u(2, 3), u(3, 4))),
    "einsum": Case(both(u(2, 3), u(3, 4)), call=lambda f, a, b: f("ij,jk->ik", a, b)),
    "matmul": Case(both(u(2, 3), u(3, 4))),
    "outer": Case(both(u(3), u(2, 2))),
    "tensordot": Case(both(u(2, 3), u(3, 4)), call=lambda f, a, b: f(a, b, axes=1)),
    "vecdot": Case(PAIR),
    "linalg.cholesky": Case(matrix(), call=spd),
    "linalg.cross": Case(PAIR),
    "linalg.det": Case(matrix()),
    "linalg.diagonal": Case(u(2, 3, 3), call=lambda f, x: f(x, offset=1)),
    "linalg.eig": Case(distinct_eigenvalues, call=phase_free),
    "linalg.eigh": Case(
        distinct_eigenvalues, call=lambda f, m: symmetric(lambda s: phase_free(f, s), m)
    ),
    "linalg.eigvals": Case(distinct_eigenvalues),
    "linalg.eigvalsh": Case(distinct_eigenvalues, call=symmetric),
    "linalg.inv": Case(matrix()),
    "linalg.matrix_norm": Case(matrix(), call=lambda f, x: f(x, ord="nuc")),
    "linalg.matrix_power": Case(matrix(), call=lambda f, x: f(x, 3)),
    "linalg.outer": Case(both(u(3), u(2))),
    "linalg.pinv": Case(matrix(3, 2)),
    "linalg.qr": Case(matrix(4, 3)),
    "linalg.slogdet": Case(matrix(), call=lambda f, x: f(x)[1]),
    "linalg.solve": Case(both(matrix(), u(3, 2))),
    "linalg.svd": Case(distinct_eigenvalues, call=phase_free),
    "linalg.svdvals": Case(matrix(3, 2)),
    "linalg.trace": Case(u(2, 3, 3)),
    "linalg.vector_norm": Case(away_from_zero(2, 3), call=lambda f, x: f(x, axis=1, ord=3)),
    # -- fft
    "fft.fft": Case(cplx(2, 4)),
    "fft.fftn": Case(cplx(2, 4)),
    "fft.fftshift": Case(X),
    "fft.hfft": Case(cplx(2, 3)),
    "fft.ifft": Case(cplx(2, 4), call=lambda f, x: f(x, norm="ortho")),
    "fft.ifftn": Case(cplx(2, 4)),
    "fft.ifftshift": Case(X),
    "fft.ihfft": Case(u(2, 4)),
    "fft.irfft": Case(cplx(2, 3)),
    "fft.irfftn": Case(cplx(2, 3)),
    "fft.rfft": Case(u(2, 4)),
    "fft.rfftn": Case(u(2, 4)),
    # -- xpbridge's own functions that stay in torch
    "asarray": Case(X),
    "at": Case(X, call=lambda f, x: f(x)[0, 1:].multiply(3.0)),
    "clone": Case(X),
    "from_dlpack": Case(X, call=lambda f, x: f(x, backend="torch")),
    "numpy_function": Case(X, call=lambda f, x: f(np.sinh, vjp=lambda g, a: g * np.cosh(a))(x)),
    "to": Case(X, call=lambda f, x: f(x, "torch", dtype=xb.float64, copy=True)),
    "to_torch": Case(X, call=lambda f, x: f(x, copy=True)),
}

# -- functions whose results cannot carry a gradient, and how that shows:
#    "constant": no result requires grad (booleans, integers, Python bools);
#    "raises": torch has no derivative: backward raises NotImplementedError or RuntimeError
#    (or the call itself raises NotImplementedError where torch has no implementation).
NOT_DIFFERENTIABLE: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "all": ("constant", xb.all),
    "any": ("constant", xb.any),
    "allclose": ("constant", lambda t: xb.allclose(t, t)),
    "array_equal": ("constant", lambda t: xb.array_equal(t, t)),
    "argmax": ("constant", xb.argmax),
    "argmin": ("constant", xb.argmin),
    "argsort": ("constant", xb.argsort),
    "count_nonzero": ("constant", xb.count_nonzero),
    "equal": ("constant", lambda t: xb.equal(t, t)),
    "not_equal": ("constant", lambda t: xb.not_equal(t, 0.5)),
    "greater": ("constant", lambda t: xb.greater(t, 0.5)),
    "greater_equal": ("constant", lambda t: xb.greater_equal(t, t)),
    "less": ("constant", lambda t: xb.less(t, 0.5)),
    "less_equal": ("constant", lambda t: xb.less_equal(t, t)),
    "isclose": ("constant", lambda t: xb.isclose(t, t)),
    "isfinite": ("constant", xb.isfinite),
    "isinf": ("constant", xb.isinf),
    "isnan": ("constant", xb.isnan),
    "isin": ("constant", lambda t: xb.isin(t, t)),
    "signbit": ("constant", xb.signbit),
    "logical_and": ("constant", lambda t: xb.logical_and(t, t)),
    "logical_or": ("constant", lambda t: xb.logical_or(t, t)),
    "logical_xor": ("constant", lambda t: xb.logical_xor(t, t)),
    "logical_not": ("constant", xb.logical_not),
    "nonzero": ("constant", xb.nonzero),
    "searchsorted": ("constant", lambda t: xb.searchsorted(xb.sort(t), t)),
    "linalg.matrix_rank": ("constant", lambda t: xb.linalg.matrix_rank(xb.reshape(t, (2, 2)))),
    "empty_like": ("constant", xb.empty_like),
    "full_like": ("constant", lambda t: xb.full_like(t, 2.0)),
    "ones_like": ("constant", xb.ones_like),
    "zeros_like": ("constant", xb.zeros_like),
    # Integer-only functions: a tensor that requires grad cannot even be made of integers.
    "bitwise_and": ("constant", lambda t: xb.bitwise_and(xb.astype(t, xb.int64), 1)),
    "bitwise_or": ("constant", lambda t: xb.bitwise_or(xb.astype(t, xb.int64), 1)),
    "bitwise_xor": ("constant", lambda t: xb.bitwise_xor(xb.astype(t, xb.int64), 1)),
    "bitwise_invert": ("constant", lambda t: xb.bitwise_invert(xb.astype(t, xb.int64))),
    "bitwise_left_shift": ("constant", lambda t: xb.bitwise_left_shift(xb.astype(t, xb.int64), 1)),
    "bitwise_right_shift": (
        "constant",
        lambda t: xb.bitwise_right_shift(xb.astype(t, xb.int64), 1),
    ),
    # xpbridge's own read-outs: no array result, or one cut from the graph on request.
    "detach": ("constant", xb.detach),
    "requires_grad": ("constant", xb.requires_grad),
    "item": ("constant", lambda t: xb.item(xb.sum(t))),
    "tolist": ("constant", xb.tolist),
    "backend_of": ("constant", xb.backend_of),
    "info": ("constant", lambda t: xb.info(t).requires_grad),
    "shares_memory": ("constant", lambda t: xb.shares_memory(t, t)),
    "may_share_memory": ("constant", lambda t: xb.may_share_memory(t, t)),
    # torch has no derivative for these: backward raises rather than inventing one.
    "floor_divide": ("raises", lambda t: xb.floor_divide(t, 0.3)),
    "unique": ("raises", xb.unique),
    "unique_values": ("raises", xb.unique_values),
    "unique_counts": ("raises", lambda t: xb.unique_counts(t)[0]),
    "unique_inverse": ("raises", lambda t: xb.unique_inverse(t)[0]),
    "unique_all": ("raises", lambda t: xb.unique_all(t)[0]),
}


def _is_creation(path: str) -> bool:
    """A function without array parameters (zeros, arange, random...) has nothing to
    differentiate: its results are new arrays made from Python values."""
    params = _registry()[path].params
    return any(p.role == "backend" for p in params) or all(
        p.role not in {"array", "arrays"} for p in params
    )


def _public(path: str) -> Callable[..., Any]:
    value: Any = xb
    for part in path.split("."):
        value = getattr(value, part)
    return value  # type: ignore[no-any-return]


#: Conversions out of torch: they follow the gradient mode (tests/test_grad_modes.py).
FOLLOW_THE_MODE = frozenset({"to_cupy", "to_dask", "to_jax", "to_mlx", "to_numpy"})
#: Public callables whose results are not arrays derived from their inputs: settings,
#: dtypes, plans, namespaces, context managers.
NO_ARRAY_RESULT = frozenset(
    {
        "__array_namespace_info__",
        "audit",
        "available_backends",
        "broadcast_shapes",
        "can_cast",
        "enable_grad",
        "finfo",
        "get_grad_mode",
        "get_policy",
        "grad_mode",
        "guard",
        "iinfo",
        "isdtype",
        "namespace",
        "no_grad",
        "plan",
        "policy",
        "result_type",
        "set_grad_mode",
        "set_policy",
        "using",
    }
)
#: xb.random: draws shaped by `loc`/`scale` (or `low`/`high`) are differentiable in them
#: (the reparametrization ``loc + scale * draws``); the rest make new arrays.
RANDOM_DIFFERENTIABLE = frozenset({"normal", "uniform"})
RANDOM_CREATION = frozenset({"default_rng", "integers", "rand", "randn", "seed"})


def _random_module() -> Any:
    try:
        from xpbridge import random
    except ImportError:
        return None
    return random


def _public_functions() -> set[str]:
    """Every public function: the declared ones, the NumPy aliases, xpbridge's own."""
    eager = {
        name
        for name in xb.__all__
        if name not in {"fft", "linalg", "random"}
        and callable(getattr(xb, name))
        and not (isinstance(getattr(xb, name), type) and name != "at")
        and not isinstance(getattr(xb, name), xb.DType)
    }
    return set(_registry()) | set(ALIASES) | eager


def _target(name: str) -> str:
    return ALIASES.get(name, name)


# ---------------------------------------------------------------------- the inventory


def test_every_public_function_is_classified() -> None:
    unclassified = sorted(
        name
        for name in _public_functions()
        if _target(name) not in DIFFERENTIABLE
        and _target(name) not in NOT_DIFFERENTIABLE
        and name not in FOLLOW_THE_MODE | NO_ARRAY_RESULT
        and not (name in _registry() and _is_creation(name))
    )
    assert unclassified == [], (
        "add these functions to DIFFERENTIABLE (with an input generator) or to "
        f"NOT_DIFFERENTIABLE (with how that shows): {unclassified}"
    )


def test_every_random_function_is_classified() -> None:
    random = _random_module()
    if random is None:
        pytest.skip("xpbridge.random is not part of this build")
    functions = {
        name
        for name in random.__all__
        if callable(getattr(random, name)) and not isinstance(getattr(random, name), type)
    }
    assert functions - RANDOM_DIFFERENTIABLE - RANDOM_CREATION == set(), (
        "classify these xb.random functions in RANDOM_DIFFERENTIABLE or RANDOM_CREATION"
    )


def test_the_tables_name_only_existing_functions_once() -> None:
    tables = [
        set(DIFFERENTIABLE),
        set(NOT_DIFFERENTIABLE),
        set(FOLLOW_THE_MODE),
        set(NO_ARRAY_RESULT),
    ]
    listed = set().union(*tables)
    assert sum(map(len, tables)) == len(listed), "a function is in two tables"
    assert listed - _public_functions() == set()
    assert not any(_is_creation(name) for name in listed if name in _registry())


def test_aliases_are_the_functions_they_name() -> None:
    for alias, target in ALIASES.items():
        assert _public(alias) is _public(target), alias


# ---------------------------------------------------------------------- gradcheck


def _tensors(arrays: tuple[np.ndarray, ...], grad: bool) -> list[Any]:
    return [torch.tensor(a, requires_grad=grad and a.dtype.kind in "fc") for a in arrays]


def _check(
    case: Case, f: Callable[..., Any], variable: list[Any], fixed: Callable[..., Any]
) -> None:
    def function(*tensors: Any) -> Any:
        out = case.run(f, *fixed(tensors))
        parts = out if isinstance(out, tuple) else (out,)
        assert all(isinstance(part, torch.Tensor) for part in parts), "not all tensors"
        # Several outputs (broadcast_arrays, meshgrid) may each come from one input only.
        assert any(part.requires_grad for part in parts), "the result lost the graph"
        return out

    assert torch.autograd.gradcheck(function, tuple(variable), atol=1e-6, rtol=1e-4)


PLAIN = sorted(DIFFERENTIABLE) + sorted(a for a, t in ALIASES.items() if t in DIFFERENTIABLE)


@pytest.mark.parametrize("name", PLAIN)
def test_gradcheck_plain_call(name: str) -> None:
    case = DIFFERENTIABLE[_target(name)]
    rng = np.random.default_rng(sum(map(ord, name)))
    inputs = _tensors(case.inputs(rng), grad=True)
    consts = _tensors(case.consts(rng), grad=False)
    _check(case, _public(name), inputs, lambda ts: (*ts, *consts))


def _mixed_params() -> list[Any]:
    params = []
    for name, case in sorted(DIFFERENTIABLE.items()):
        count = len(case.inputs(np.random.default_rng(0)))
        if count == 1 and not case.consts(np.random.default_rng(0)):
            continue  # nothing to mix
        params += [pytest.param(name, i, id=f"{name}-torch@{i}") for i in range(count)]
    return params


@pytest.mark.parametrize(("name", "position"), _mixed_params())
def test_gradcheck_mixed_numpy_and_torch(name: str, position: int) -> None:
    """One argument is a torch tensor that requires grad, the others NumPy arrays."""
    case = DIFFERENTIABLE[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    arrays = case.inputs(rng)
    consts = case.consts(rng)
    variable = [torch.tensor(arrays[position], requires_grad=True)]

    def fixed(ts: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(arrays)
        values[position] = ts[0]
        return (*values, *consts)

    _check(case, _public(name), variable, fixed)


def test_a_mixed_call_returns_torch_and_gradients_reach_the_tensor() -> None:
    weights = np.array([1.0, 2.0, 3.0])
    t = torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64, requires_grad=True)
    y = xb.sum(xb.multiply(xb.exp(t), weights))
    assert isinstance(y, torch.Tensor)
    assert y.grad_fn is not None
    y.backward()
    assert np.allclose(t.grad.numpy(), np.exp([0.1, 0.2, 0.3]) * weights)


# ---------------------------------------------------------------------- no gradient


def _tensor_parts(out: Any) -> list[Any]:
    parts = out if isinstance(out, tuple | list) else (out,)
    return [p for p in parts if isinstance(p, torch.Tensor)]


@pytest.mark.parametrize("name", sorted(NOT_DIFFERENTIABLE))
def test_functions_without_a_gradient_say_so(name: str) -> None:
    kind, call = NOT_DIFFERENTIABLE[name]
    t = torch.tensor([0.25, 0.75, 0.5, 1.25], dtype=torch.float64, requires_grad=True)
    if kind == "raises":
        try:
            out = call(t)
        except NotImplementedError:
            return  # no implementation at all, said clearly
    else:
        out = call(t)
    if kind == "constant":
        assert all(not p.requires_grad for p in _tensor_parts(out))
        if not _tensor_parts(out):  # a Python value: nothing left to differentiate
            assert isinstance(out, bool | int | float | str | list), type(out)
        return
    (result,) = _tensor_parts(out)
    assert result.requires_grad
    with pytest.raises((RuntimeError, NotImplementedError), match="not implemented"):
        result.sum().backward()


def test_creation_functions_make_arrays_that_do_not_require_grad() -> None:
    made = [
        xb.zeros(2, backend="torch"),
        xb.ones((2,), backend="torch"),
        xb.empty(2, backend="torch"),
        xb.full(2, 1.0, backend="torch"),
        xb.arange(3, backend="torch"),
        xb.linspace(0, 1, 3, backend="torch"),
        xb.eye(2, backend="torch"),
        xb.fft.fftfreq(4, backend="torch"),
        xb.fft.rfftfreq(4, backend="torch"),
    ]
    assert all(isinstance(m, torch.Tensor) and not m.requires_grad for m in made)


def test_astype_to_integers_cuts_no_graph_silently() -> None:
    t = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)
    assert not xb.astype(t, xb.int64).requires_grad  # integers cannot carry a gradient
    assert xb.astype(t, xb.float32).requires_grad


@pytest.mark.parametrize("name", sorted(RANDOM_DIFFERENTIABLE))
def test_gradcheck_random_draws_in_their_parameters(name: str) -> None:
    random = _random_module()
    if random is None:
        pytest.skip("xpbridge.random is not part of this build")
    low = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    high = torch.tensor([2.0, 3.0], dtype=torch.float64, requires_grad=True)

    def draw(a: Any, b: Any) -> Any:
        random.seed(0)  # the same draws on every call gradcheck makes
        return getattr(random, name)(a, b)

    assert isinstance(draw(low, high), torch.Tensor)
    assert torch.autograd.gradcheck(draw, (low, high))


def test_random_creation_functions_make_arrays_that_do_not_require_grad() -> None:
    random = _random_module()
    if random is None:
        pytest.skip("xpbridge.random is not part of this build")
    with xb.using("torch"):
        made = [random.rand(2), random.randn(2), random.integers(0, 5, size=2)]
        made.append(random.default_rng(0).normal(size=2))
    assert all(isinstance(m, torch.Tensor) and not m.requires_grad for m in made)


# ---------------------------------------------------------------------- operators


def test_operators_between_tensors_and_ndarrays_are_the_libraries_own() -> None:
    """``t * a`` is torch's operator (and ``a * t`` NumPy's): use ``xb.multiply`` instead."""
    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    a = np.array([3.0, 4.0])
    with pytest.raises(RuntimeError, match="requires grad"):
        t * a
    with pytest.raises(TypeError):
        a * t
    for product in (xb.multiply(t, a), xb.multiply(a, t)):
        assert isinstance(product, torch.Tensor)
        assert product.grad_fn is not None
    xb.sum(xb.multiply(a, t)).backward()
    assert t.grad.tolist() == [3.0, 4.0]

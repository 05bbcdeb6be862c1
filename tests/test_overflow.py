"""One rule for Python numbers that do not fit the dtype they would get (NumPy 2's: refused),
and the standard's special cases some libraries got wrong, on every backend."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


def _on(library: str, values: Any, dtype: str) -> Any:
    return xb.to(np.asarray(values, dtype=dtype), library, copy=True)


def _host(x: Any) -> list[Any]:
    return list(np.asarray(xb.to_numpy(x, detach=True)).tolist())


@pytest.fixture
def jax_32_bit() -> Iterator[Any]:
    """JAX with 64-bit mode off (the suite turns it on), for this test only."""
    jax = pytest.importorskip("jax")
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", False)
    try:
        yield jax
    finally:
        jax.config.update("jax_enable_x64", previous)


# ---------------------------------------------------------------------- ints beside arrays


ARITHMETIC: list[tuple[str, Callable[[Any, int], Any]]] = [
    ("add", xb.add),
    ("scalar first", lambda x, v: xb.subtract(v, x)),
    ("multiply", xb.multiply),
    ("maximum", xb.maximum),
    ("where", lambda x, v: xb.where(xb.greater(x, 0), x, v)),
    ("clip above", xb.clip),
    ("at", lambda x, v: xb.at(x)[0].set(v)),
]


@pytest.mark.parametrize(("call"), [pytest.param(c, id=name) for name, c in ARITHMETIC])
@pytest.mark.parametrize(("dtype", "value"), [("uint8", 300), ("int8", 128), ("int64", 2**64)])
def test_an_int_that_does_not_fit_is_refused_on_every_backend(
    library: str, call: Callable[[Any, int], Any], dtype: str, value: int
) -> None:
    x = _on(library, [1, 2], dtype)
    with pytest.raises(xb.ValueOverflowError) as info:
        xb.to_numpy(call(x, value))  # a lazy result computed: Dask raises when building
    assert isinstance(info.value, OverflowError)
    assert "xb.iinfo" in str(info.value)
    assert _host(x) == [1, 2]  # nothing was written


def test_ints_that_fit_are_taken(library: str) -> None:
    x = _on(library, [1, 2], "uint8")
    assert _host(xb.add(x, 253)) == [254, 255]
    assert _host(xb.where(xb.greater(x, 1), x, 255)) == [255, 2]


@pytest.mark.parametrize(
    ("compare", "value", "expected"),
    [
        (xb.less, 300, [True, True]),
        (xb.less_equal, -300, [False, False]),
        (xb.greater, 300, [False, False]),
        (xb.greater_equal, -300, [True, True]),
        (xb.equal, 300, [False, False]),
        (xb.not_equal, 2**70, [True, True]),
        (lambda x, v: xb.less(v, x), 300, [False, False]),
        (lambda x, v: xb.greater(v, x), 300, [True, True]),
    ],
)
def test_comparisons_with_an_int_beyond_the_dtype_have_their_exact_answer(
    library: str, compare: Callable[[Any, int], Any], value: int, expected: list[bool]
) -> None:
    """NumPy's answer (torch and JAX compared the wrapped value; array-api-strict refused)."""
    x = _on(library, [100, -100], "int8")
    assert _host(compare(x, value)) == expected


def test_clip_bounds_beyond_the_dtype_bound_nothing(library: str) -> None:
    """JAX wrapped them into the dtype (``clip(int8, -1000, 1000)`` gave ``[-24, -24]``)."""
    x = _on(library, [-100, 100], "int8")
    assert _host(xb.clip(x, -1000, 1000)) == [-100, 100]
    assert _host(xb.clip(x, None, 1000)) == [-100, 100]
    assert _host(xb.clip(x, -1000, 50)) == [-100, 50]
    with pytest.raises(xb.ValueOverflowError):
        xb.clip(x, None, -1000)  # every element would be -1000: no int8 holds it


def test_clip_keeps_the_dtype_of_x(library: str) -> None:
    """The standard: the result has x's dtype (JAX promoted float32 with a float64 bound)."""
    x = _on(library, [0.0, 3.0], "float32")
    bound = _on(library, 0.5, "float64") if library != "array_api_strict" else 0.5
    result = xb.clip(x, bound, 2.0)
    assert xb.info(result).dtype == xb.float32
    assert _host(result) == [0.5, 2.0]


# ---------------------------------------------------------------------- Python data into arrays


@pytest.mark.parametrize(
    "make",
    [lambda b: xb.asarray([2**70], backend=b), lambda b: xb.to([2**70], b)],
    ids=["asarray", "to"],
)
def test_ints_beyond_64_bits_are_refused_by_asarray_and_to_alike(
    library: str, make: Callable[[str], Any]
) -> None:
    """NumPy made an object array of them for xb.to, and xb.asarray refused (two rules)."""
    with pytest.raises(xb.ValueOverflowError, match="int64"):
        make(library)


def test_floats_beyond_a_narrower_default_are_refused() -> None:
    torch = pytest.importorskip("torch")
    for call in (
        lambda: xb.to([1e300], "torch"),
        lambda: xb.asarray([[1.0], [1e300]], backend="torch"),
        lambda: xb.full(2, 1e300, backend="torch"),
        lambda: xb.linspace(0, 1e300, 3, backend="torch"),
        lambda: xb.add(torch.ones(2), [1e300, 0.0]),
    ):
        with pytest.raises(xb.ValueOverflowError, match="float32"):
            call()
    # Asked for by name, a wide dtype holds them; a narrow one rounds, as NumPy does.
    assert xb.to([1e300], "torch", dtype=xb.float64).tolist() == [1e300]
    assert xb.asarray([1.5, 2.0], backend="torch").tolist() == [1.5, 2.0]


def test_jax_without_64_bit_mode_refuses_instead_of_wrapping(jax_32_bit: Any) -> None:
    """It wrapped ints (arange(2**31, 2**31 + 2)) and turned floats into inf or NaN."""
    for call in (
        lambda: xb.arange(2**31, 2**31 + 2, backend="jax"),
        lambda: xb.to([1e300], "jax"),
        lambda: xb.linspace(0, 1e300, 3, backend="jax"),
        lambda: xb.full(2, 2**31, backend="jax"),
        lambda: xb.asarray([2**31], backend="jax"),
    ):
        with pytest.raises(xb.ValueOverflowError):
            call()
    assert _host(xb.arange(2**31 - 2, 2**31, backend="jax")) == [2**31 - 2, 2**31 - 1]


def test_creation_values_must_fit_an_explicit_dtype(library: str) -> None:
    with pytest.raises(xb.ValueOverflowError):
        xb.full(2, 300, dtype=xb.int8, backend=library)
    with pytest.raises(xb.ValueOverflowError):
        xb.arange(0, 300, dtype=xb.int8, backend=library)
    assert _host(xb.arange(126, 128, dtype=xb.int8, backend=library)) == [126, 127]


# ---------------------------------------------------------------------- var and std


@pytest.mark.parametrize("function", [xb.var, xb.std])
@pytest.mark.parametrize(("n", "correction"), [(3, 3), (3, 4.5), (1, 1)])
def test_var_and_std_are_nan_when_correction_reaches_n(
    library: str, function: Callable[..., Any], n: int, correction: float
) -> None:
    """The standard's special case (NumPy, torch and array-api-strict gave inf)."""
    x = _on(library, np.arange(float(n)) * 2.0, "float64")
    result = xb.to_numpy(function(x, correction=correction))
    assert math.isnan(float(result))
    per_row = xb.to_numpy(function(_on(library, np.ones((2, n)), "float64"), axis=1, correction=n))
    assert np.isnan(per_row).all()
    assert per_row.shape == (2,)
    below = float(xb.to_numpy(function(x, correction=n - 1 if n > 1 else 0)))
    assert math.isfinite(below)


def test_nan_variance_keeps_the_graph() -> None:
    torch = pytest.importorskip("torch")
    t = torch.arange(3.0, requires_grad=True)
    v = xb.var(t, correction=3)
    assert v.requires_grad
    assert torch.isnan(v)

"""Invariants of conversions and of the namespace, drawn with xpbridge.testing's strategies.

The arrays come from :func:`xpbridge.testing.strategies.arrays`, the same strategies library
authors use: every backend, every standard dtype, and every memory layout the backend can
have (transposed, strided slices, negative strides, read-only, torch's lazy conj/neg views,
Dask chunks). For every pair of registered backends (the ``source`` and ``target`` fixtures
of ``tests/conftest.py``):

* ``to(to(x, B), A)`` equals ``x`` (values, dtype, shape, library);
* ``copy=True`` never aliases the input;
* a plan that copies nothing gives a result that aliases the input;
* ``plan()`` and ``to(..., explain=True)`` describe the same steps.

And element-wise functions and reductions give NumPy's values whatever the layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import xpbridge as xb
from xpbridge.testing import assert_close, assert_equal
from xpbridge.testing.strategies import arrays, supported_dtypes

# JAX compiles each new shape; a few fixed shapes keep its share of the run small.
SMALL_SHAPES = st.sampled_from([(), (0,), (3,), (2, 3), (3, 1, 2)])


def common_dtypes(source: str, target: str) -> list[Any]:
    held = {d.name for d in supported_dtypes(target)}
    return [d for d in supported_dtypes(source) if d.name in held]


def lazy(x: Any) -> bool:
    return bool(xb.info(x).lazy)


@given(data=st.data())
def test_conversion_invariants(source: str, target: str, data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(common_dtypes(source, target)), label="dtype")
    x = data.draw(arrays(source, dtype=dtype, shape=SMALL_SHAPES), label="x")
    before = xb.to_numpy(x, copy=True)

    # A round trip gives back the same values, dtype, shape and library.
    there = xb.to(x, target)
    back = xb.to(there, source)
    assert xb.backend_of(there) == target
    assert_equal(back, x, check_0d=False)

    # copy=True never aliases; the input is left as it was.
    copied = xb.to(x, target, copy=True)
    assert not xb.shares_memory(copied, x)
    assert_equal(xb.to(copied, source), x, check_0d=False)

    # plan() says what to() does, and a plan that copies nothing aliases.
    result, record = xb.to(x, target, explain=True)
    assert [(s.action, s.copies) for s in record.steps] == [
        (s.action, s.copies) for s in xb.plan(x, target).steps
    ]
    if record.shares_memory and not lazy(x) and not lazy(result) and xb.info(x).nbytes:
        assert xb.shares_memory(result, x), str(record)
    if record.copies:
        assert not xb.shares_memory(result, x), str(record)
    np.testing.assert_array_equal(xb.to_numpy(x, copy=True), before)


UNARY = ("abs", "negative", "square", "sign")
REDUCTIONS = ("sum", "max", "min", "prod")


@given(data=st.data())
def test_functions_see_values_not_layouts(library: str, data: st.DataObject) -> None:
    # Signed numbers only: torch has no arithmetic on wide unsigned integers, and unsigned
    # negation wraps differently by design.
    kinds = ("signed integer", "real floating")
    dtype = data.draw(st.sampled_from(supported_dtypes(library, kinds)), label="dtype")
    # Small integer values: exact in every dtype, no overflow, and no subnormal products
    # (JAX on CPU flushes those to zero: docs/namespace.md, "differ by design"). What varies
    # is the layout.
    x = data.draw(
        arrays(library, dtype=dtype, shape=SMALL_SHAPES, elements=st.integers(-8, 8)), label="x"
    )
    host = np.asarray(xb.to_numpy(x, copy=True))
    name = data.draw(st.sampled_from(UNARY), label="function")
    expected = xb.to(getattr(np, name)(host), library)
    assert_close(getattr(xb, name)(x), expected, check_0d=False, check_device=False)
    if host.ndim and host.shape[-1]:
        reduce = data.draw(st.sampled_from(REDUCTIONS), label="reduction")
        got = getattr(xb, reduce)(x, axis=-1)
        want = getattr(np, reduce)(host, axis=-1)
        assert_close(xb.to_numpy(got, detach=True), np.asarray(want), check_dtype=False)

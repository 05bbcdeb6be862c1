"""assert_equal / assert_close: each check fails with a message that names what differs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xpbridge as xb
from xpbridge._errors import UnknownArrayTypeError
from xpbridge.testing import (
    Backend,
    assert_allclose,
    assert_close,
    assert_equal,
    default_rtol,
)
from xpbridge.testing.strategies import arrays


@pytest.fixture(params=[assert_equal, assert_close], ids=["equal", "close"])
def check(request: pytest.FixtureRequest) -> Any:
    return request.param


def test_namespace(check: Any) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(
        AssertionError, match="namespaces differ: actual is numpy, desired is torch"
    ):
        check(np.ones(2), torch.ones(2, dtype=torch.float64))
    check(np.ones(2), torch.ones(2, dtype=torch.float64), check_namespace=False)


def test_dtype(check: Any) -> None:
    with pytest.raises(AssertionError, match="dtypes differ: actual float32, desired float64"):
        check(np.ones(2, np.float32), np.ones(2))
    check(np.ones(2, np.float32), np.ones(2), check_dtype=False)


def test_shape(check: Any) -> None:
    with pytest.raises(AssertionError, match=r"shapes differ: actual \(2,\), desired \(1, 2\)"):
        check(np.ones(2), np.ones((1, 2)))


def test_0d(check: Any) -> None:
    scalar, array = np.float64(1.0), np.asarray(1.0)
    check(scalar, array)  # off by default: NumPy's reductions give scalars
    match = "0-d-ness differs: actual is a NumPy scalar, desired is an array"
    with pytest.raises(AssertionError, match=match):
        check(scalar, array, check_0d=True)


def test_device(check: Any) -> None:
    strict = pytest.importorskip("array_api_strict")
    here = strict.asarray([1.0, 2.0])
    there = strict.asarray([1.0, 2.0], device=strict.Device("device1"))
    match = "devices differ: actual on cpu, desired on array_api_strict:device1"
    with pytest.raises(AssertionError, match=match):
        check(here, there)
    check(here, there, check_device=False)


def test_values(check: Any) -> None:
    with pytest.raises(AssertionError, match="Mismatched elements: 1 / 3"):
        check(np.asarray([1.0, 2.0, 3.0]), np.asarray([1.0, 2.5, 3.0]))


def test_err_msg_leads(check: Any) -> None:
    with pytest.raises(AssertionError, match=r"^in my_norm: dtypes differ"):
        check(np.ones(1, np.int8), np.ones(1, np.int16), err_msg="in my_norm")


def test_nan_equals_nan(check: Any) -> None:
    check(np.asarray([np.nan, 1.0]), np.asarray([np.nan, 1.0]))


def test_kinds_are_checked_before_values(check: Any) -> None:
    # Different dtype *and* values: the dtype is what the message names.
    with pytest.raises(AssertionError, match="dtypes differ"):
        check(np.asarray([1, 2], np.int32), np.asarray([5, 6], np.int64))


def test_not_an_array(check: Any) -> None:
    with pytest.raises(UnknownArrayTypeError, match="not an array of a known library: list"):
        check([1.0], np.ones(1))


# ---------------------------------------------------------------------- tolerances


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "complex64", "complex128"])
def test_default_rtol_follows_machine_epsilon(name: str) -> None:
    real = {"complex64": "float32", "complex128": "float64"}.get(name, name)
    assert default_rtol(name) == pytest.approx(4 * float(np.finfo(real).eps) ** 0.5)


def test_default_rtol_of_bfloat16_and_exact_dtypes() -> None:
    assert default_rtol("bfloat16") == pytest.approx(4 * (2.0**-7) ** 0.5)  # 8-bit mantissa
    for name in ["bool", "int8", "uint64"]:
        assert default_rtol(name) == 0.0


def test_tolerance_follows_the_dtype() -> None:
    desired = np.asarray([1.0, 1000.0])
    off = desired * (1 + 1e-4)  # far above float64's tolerance, well within float32's
    assert_close(off.astype(np.float32), desired.astype(np.float32))
    with pytest.raises(AssertionError, match="Not equal to tolerance"):
        assert_close(off, desired)
    # The less precise dtype decides when dtypes are not compared.
    assert_close(off.astype(np.float32), desired, check_dtype=False)


def test_integers_compare_exactly() -> None:
    with pytest.raises(AssertionError, match="Mismatched elements: 1 / 1"):
        assert_close(np.asarray([1_000_001]), np.asarray([1_000_000]))


def test_explicit_tolerances() -> None:
    assert_close(np.asarray([1.0]), np.asarray([1.1]), rtol=0.2)
    assert_close(np.asarray([0.0]), np.asarray([0.01]), atol=0.05)
    with pytest.raises(AssertionError):
        assert_close(np.asarray([0.0]), np.asarray([0.01]), atol=0.001)


def test_allclose_is_close() -> None:
    assert assert_allclose is assert_close


# ---------------------------------------------------------------------- every backend


@given(data=st.data())
def test_a_copy_equals_its_original(backend: Backend, data: st.DataObject) -> None:
    x = data.draw(arrays(backend, shape=(2, 3)))
    copy = xb.to(x, backend.library, copy=True)
    assert_equal(copy, x)
    assert_close(copy, x)


def test_gradients_stay_untouched() -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(3, dtype=torch.float64, requires_grad=True)
    y = t * 2
    assert_close(y, torch.full((3,), 2.0, dtype=torch.float64))
    assert y.requires_grad
    y.sum().backward()  # the graph is intact
    assert t.grad is not None


def test_bfloat16() -> None:
    torch = pytest.importorskip("torch")
    a = torch.tensor([1.0, 2.0], dtype=torch.bfloat16)
    assert_close(a, a.clone())
    with pytest.raises(AssertionError, match="Not equal to tolerance"):
        assert_close(a, a * 2)


def test_dask_is_computed() -> None:
    da = pytest.importorskip("dask.array")
    assert_equal(da.arange(4, chunks=2), da.from_array(np.arange(4)))
    with pytest.raises(AssertionError, match="Arrays are not equal"):
        assert_equal(da.arange(4, chunks=2), da.from_array(np.arange(1, 5)))


# ---------------------------------------------------------------------- tracebacks


def test_frames_are_hidden(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fail="""
        import numpy as np
        from xpbridge.testing import assert_close

        def test_norm():
            assert_close(np.ones(2, np.float32), np.ones(2))
        """
    )
    # A subprocess: this project needs no backend, and the run stays out of this process.
    result = pytester.runpytest_subprocess("--tb=long", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "dtypes differ: actual float32, desired float64" in output
    assert ">       assert_close(np.ones(2, np.float32), np.ones(2))" in output
    assert "_asserts.py" not in output  # xpbridge's own frames are not shown

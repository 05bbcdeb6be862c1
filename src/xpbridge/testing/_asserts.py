"""Assertions that check what an array *is* before what it holds.

``assert_equal(actual, desired)`` fails unless both arrays belong to the same library, have
the same dtype, shape, 0-d-ness (NumPy scalar versus 0-d array) and device, and then equal
values. The values are compared on the host with NumPy, after detaching and computing, which
never changes the arrays under test.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._backends import adapter_for_type
from .._errors import UnknownArrayTypeError

__all__ = ["assert_allclose", "assert_close", "assert_equal", "default_rtol"]


def _describe(x: Any) -> tuple[str, str, tuple[Any, ...], str]:
    adapter = adapter_for_type(type(x))
    if adapter is None:
        msg = f"not an array of a known library: {type(x).__qualname__}"
        raise UnknownArrayTypeError(msg)
    facts = adapter.facts(x)
    return adapter.name, facts.dtype, facts.shape, facts.device


def _host(x: Any) -> np.ndarray[Any, Any]:
    from .._convert import to_numpy

    if str(getattr(x, "dtype", "")).endswith("bfloat16"):
        from .. import float32

        return np.asarray(to_numpy(x, detach=True, copy=True, dtype=float32))
    return np.asarray(to_numpy(x, detach=True, copy=True))


def _check_kind(
    actual: Any,
    desired: Any,
    *,
    check_namespace: bool,
    check_dtype: bool,
    check_shape: bool,
    check_0d: bool,
    check_device: bool,
    err_msg: str,
) -> None:
    __tracebackhide__ = True
    a_backend, a_dtype, a_shape, a_device = _describe(actual)
    d_backend, d_dtype, d_shape, d_device = _describe(desired)
    prefix = f"{err_msg}: " if err_msg else ""
    if check_namespace and a_backend != d_backend:
        msg = f"{prefix}namespaces differ: actual is {a_backend}, desired is {d_backend}"
        raise AssertionError(msg)
    if check_dtype and a_dtype != d_dtype:
        msg = f"{prefix}dtypes differ: actual {a_dtype}, desired {d_dtype}"
        raise AssertionError(msg)
    if check_shape and a_shape != d_shape:
        msg = f"{prefix}shapes differ: actual {a_shape}, desired {d_shape}"
        raise AssertionError(msg)
    if check_0d and isinstance(actual, np.generic) != isinstance(desired, np.generic):
        kinds = [
            "a NumPy scalar" if isinstance(v, np.generic) else "an array" for v in (actual, desired)
        ]
        msg = f"{prefix}0-d-ness differs: actual is {kinds[0]}, desired is {kinds[1]}"
        raise AssertionError(msg)
    if check_device and a_device != d_device:
        msg = f"{prefix}devices differ: actual on {a_device}, desired on {d_device}"
        raise AssertionError(msg)


def assert_equal(
    actual: Any,
    desired: Any,
    *,
    err_msg: str = "",
    check_namespace: bool = True,
    check_dtype: bool = True,
    check_shape: bool = True,
    check_0d: bool = False,
    check_device: bool = True,
) -> None:
    """Assert that `actual` and `desired` are the same kind of array holding equal values.

    NaNs compare equal to NaNs. Each ``check_*`` flag turns one of the kind checks off;
    ``check_0d=True`` also requires both to be NumPy scalars or both arrays (NumPy's
    reductions return scalars where the standard says 0-d arrays, so it is off by default).

    Examples
    --------
    >>> import numpy as np
    >>> from xpbridge.testing import assert_equal
    >>> assert_equal(np.arange(3), np.asarray([0, 1, 2]))
    """
    __tracebackhide__ = True
    _check_kind(
        actual,
        desired,
        check_namespace=check_namespace,
        check_dtype=check_dtype,
        check_shape=check_shape,
        check_0d=check_0d,
        check_device=check_device,
        err_msg=err_msg,
    )
    # The kinds were checked above: NumPy's strict=True would compare dtypes even with
    # check_dtype=False.
    np.testing.assert_array_equal(_host(actual), _host(desired), err_msg=err_msg)


def default_rtol(dtype_name: str) -> float:
    """The relative tolerance used when none is given: four times the square root of the
    dtype's machine epsilon (about 1.4e-3 for float32, 6e-8 for float64); 0 for exact dtypes."""
    if dtype_name in {"float16", "bfloat16", "float32", "float64"}:
        # bfloat16 has 8 bits of mantissa (NumPy has no finfo for it).
        eps = 2.0**-7 if dtype_name == "bfloat16" else float(np.finfo(dtype_name).eps)
        return float(4 * eps**0.5)
    if dtype_name in {"complex64", "complex128"}:
        return default_rtol("float32" if dtype_name == "complex64" else "float64")
    return 0.0


def assert_close(
    actual: Any,
    desired: Any,
    *,
    rtol: float | None = None,
    atol: float = 0.0,
    err_msg: str = "",
    check_namespace: bool = True,
    check_dtype: bool = True,
    check_shape: bool = True,
    check_0d: bool = False,
    check_device: bool = True,
) -> None:
    """Assert that `actual` and `desired` are the same kind of array with close values.

    ``|actual - desired| <= atol + rtol * |desired|``, with ``rtol`` by default from the
    dtypes (:func:`default_rtol` of the less precise one), so float32 results are not held
    to float64 precision and integer results are compared exactly. NaNs compare equal to
    NaNs; the ``check_*`` flags are those of :func:`assert_equal`.

    Examples
    --------
    >>> import numpy as np
    >>> from xpbridge.testing import assert_close
    >>> assert_close(np.asarray([0.1 + 0.2]), np.asarray([0.3]))
    """
    __tracebackhide__ = True
    _check_kind(
        actual,
        desired,
        check_namespace=check_namespace,
        check_dtype=check_dtype,
        check_shape=check_shape,
        check_0d=check_0d,
        check_device=check_device,
        err_msg=err_msg,
    )
    if rtol is None:
        rtol = max(default_rtol(_describe(actual)[1]), default_rtol(_describe(desired)[1]))
    np.testing.assert_allclose(
        _host(actual),
        _host(desired),
        rtol=rtol,
        atol=atol,
        err_msg=err_msg,
        equal_nan=True,
    )


#: NumPy's name for :func:`assert_close`.
assert_allclose = assert_close

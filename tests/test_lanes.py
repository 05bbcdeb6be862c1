"""Lanes route general calls once per argument types; they must give what the general path
gives, and hand back to it every call it would refuse.

``Function.call`` is the laned general path; ``Function._general`` the general path alone.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._backends import available_backends, get_adapter
from xpbridge._dispatch import REGISTRY

LIBRARIES = [name for name in available_backends() if name != "cupy"]
BINARY = ("add", "multiply", "maximum", "atan2", "equal", "where", "matmul")


def _array(library: str, dtype: str, shape: tuple[int, ...] = (2, 2)) -> Any:
    values = (np.arange(int(np.prod(shape))).reshape(shape) % 3 + 1).astype(dtype)
    return xb.to(values, library, copy=True)


def _host(x: Any) -> np.ndarray:
    if xb.backend_of(x) == "dask":
        x = x.compute()
    return np.asarray(xb.to_numpy(x, detach=True))


def _outcome(function: Any, values: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "ok", function(values)
    except xb.BridgeError as exc:
        return "error", type(exc)
    except Exception as exc:  # noqa: BLE001 - compared below: both paths must agree
        return "raw", type(exc)


def _values(path: str, a: Any, b: Any) -> tuple[Any, ...]:
    function = REGISTRY[path]
    arrays = iter((a, b))
    values = []
    for p in function.params:
        if p.name == "condition":  # where's: a boolean array of the first library
            values.append(xb.greater(a, a))
        elif p.role == "array":
            values.append(next(arrays))
        else:
            values.append(p.default)
    return tuple(values)


@pytest.mark.parametrize(("first", "second"), list(itertools.product(LIBRARIES, LIBRARIES)))
@pytest.mark.parametrize("path", BINARY)
def test_a_lane_gives_what_the_general_path_gives(first: str, second: str, path: str) -> None:
    function = REGISTRY[path]
    for dtypes in (("float32", "float32"), ("float32", "float64"), ("int16", "int32")):
        if not all(
            get_adapter(lib).has_dtype(d) for lib, d in zip((first, second), dtypes, strict=True)
        ):
            continue
        a, b = _array(first, dtypes[0]), _array(second, dtypes[1])
        values = _values(path, a, b)
        expected = _outcome(function._general, values)
        for attempt in ("decides", "reuses"):
            got = _outcome(function.call, values)
            assert got[0] == expected[0], (path, first, second, dtypes, attempt)
            if got[0] != "ok":
                assert got[1] is expected[1], (path, first, second, dtypes, attempt)
                continue
            assert xb.backend_of(got[1]) == xb.backend_of(expected[1])
            assert xb.info(got[1]).dtype == xb.info(expected[1]).dtype
            np.testing.assert_array_equal(_host(got[1]), _host(expected[1]))


def test_the_mixing_policy_is_read_on_every_call() -> None:
    torch = pytest.importorskip("torch")
    t, a = torch.ones(3), np.ones(3, np.float32)
    assert isinstance(xb.add(t, a), torch.Tensor)  # the lane is made
    with xb.policy(mixing="strict"), pytest.raises(xb.MixedBackendError):
        xb.add(t, a)
    assert isinstance(xb.add(t, a), torch.Tensor)


def test_arrays_on_two_devices_are_refused_after_a_lane_was_made() -> None:
    strict = pytest.importorskip("array_api_strict")
    a = strict.asarray([1.0, 2.0])
    b = strict.asarray([1.0, 2.0], dtype=strict.float64)
    xb.add(a, b)  # a lane for two strict arrays
    moved = strict.asarray([1.0, 2.0], dtype=strict.float64, device=strict.Device("device1"))
    with pytest.raises(xb.DeviceMismatchError):
        xb.add(a, moved)


def test_a_lift_follows_the_gradient_mode_of_each_call() -> None:
    torch = pytest.importorskip("torch")
    g = torch.ones(3, requires_grad=True)
    a = np.ones(3)
    assert xb.multiply(a, g).requires_grad  # lifted into torch: the graph is kept
    with xb.grad_mode("raise"):
        assert xb.multiply(a, g).requires_grad  # nothing leaves torch


def test_python_scalars_and_default_options_ride_the_lane() -> None:
    a = np.arange(3.0)
    function = REGISTRY["clip"]
    first = function.call((a, 1.0, None))
    assert function.lanes.by_types  # the combination (ndarray, float, NoneType) has a lane
    np.testing.assert_array_equal(first, np.clip(a, 1.0, None))
    np.testing.assert_array_equal(function.call((a, 1.0, None)), first)


def test_unknown_objects_take_the_general_path() -> None:
    function = REGISTRY["add"]
    assert function.call(([1.0, 2.0], np.ones(2))).tolist() == [2.0, 3.0]
    assert function.lanes.by_types[(list, np.ndarray)] is None

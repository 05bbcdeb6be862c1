"""The examples of the README, end to end, on the backends installed here."""

from __future__ import annotations

import numpy as np
import pytest

import xpbridge as xb
from xpbridge.testing import Backend, assert_close, assert_equal


def test_numpy_in_numpy_out() -> None:
    result = xb.sum(xb.exp(np.ones(3)))
    assert xb.backend_of(result) == "numpy"
    assert float(result) == pytest.approx(3 * np.e)


def test_every_backend_computes_a_mean(xp, backend: Backend) -> None:
    x = xp.asarray([1.0, 2.0, 3.0, 4.0])
    result = xb.mean(xb.sin(x) * 2)
    assert xb.backend_of(result) == backend.library
    expected = xp.asarray(float(np.mean(np.sin([1.0, 2.0, 3.0, 4.0]) * 2)))
    assert_close(result, expected, check_0d=False)  # computes lazy arrays (Dask) to compare


def test_assert_equal_checks_the_namespace() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError, match="namespaces differ"):
        assert_equal(torch.ones(2), np.ones(2))

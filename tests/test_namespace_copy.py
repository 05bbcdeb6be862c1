"""``copy=`` in ``asarray``, ``astype`` and ``reshape``, on every backend.

``copy=True`` always gives new memory; ``copy=False`` never copies (it raises where it
would have to); ``copy=None`` shares where it can. Memory is compared with
``xb.shares_memory`` on backends whose arrays have memory of their own (not lazy Dask
arrays, which share nothing until computed; JAX arrays are immutable, so sharing is
invisible there but still checked where JAX exposes it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb

if TYPE_CHECKING:
    from xpbridge.testing import Backend


def _has_memory(x: Any) -> bool:
    return xb.info(x).data_ptr is not None


def _mutable(x: Any) -> bool:
    """Views are a promise only where arrays can be written (not JAX's immutable ones)."""
    facts = xb.info(x)
    return facts.data_ptr is not None and not facts.immutable


def _values(x: Any) -> Any:
    return xb.to_numpy(x, detach=True)  # computes lazy arrays


@pytest.fixture
def x(xp: Any) -> Any:
    return xp.asarray(np.arange(6.0).reshape(2, 3))


def test_asarray_copy_true_is_new_memory(x: Any, backend: Backend) -> None:
    copied = xb.asarray(x, copy=True)
    assert xb.backend_of(copied) == backend.library
    np.testing.assert_array_equal(_values(copied), _values(x))
    if _has_memory(x):
        assert not xb.shares_memory(copied, x)


def test_asarray_copy_false_and_none_keep_the_array(x: Any) -> None:
    for copy in (False, None):
        same = xb.asarray(x, copy=copy)
        assert same is x or xb.shares_memory(same, x)


def test_asarray_of_a_list_cannot_avoid_a_copy(backend: Backend) -> None:
    with pytest.raises(xb.CopyRequiredError) as info:
        xb.asarray([1.0, 2.0], copy=False, backend=backend.library)
    assert isinstance(info.value, ValueError)
    made = xb.asarray([1.0, 2.0], copy=True, backend=backend.library)
    assert xb.backend_of(made) == backend.library


def test_astype_copy(x: Any, backend: Backend) -> None:
    same = xb.astype(x, x.dtype, copy=False)
    assert same is x or xb.shares_memory(same, x)
    copied = xb.astype(x, x.dtype)  # copy=True is the standard's default
    np.testing.assert_array_equal(_values(copied), _values(x))
    if _has_memory(x):
        assert not xb.shares_memory(copied, x)
    narrowed = xb.astype(x, xb.float32, copy=False)  # a dtype change must copy anyway
    assert xb.float32 == narrowed.dtype
    if _has_memory(x):
        assert not xb.shares_memory(narrowed, x)


def test_reshape_copy(x: Any, backend: Backend) -> None:
    copied = xb.reshape(x, (3, 2), copy=True)
    np.testing.assert_array_equal(_values(copied), np.arange(6.0).reshape(3, 2))
    if _has_memory(x):
        assert not xb.shares_memory(copied, x)
    if _mutable(x):
        view = xb.reshape(x, (3, 2), copy=False)
        assert xb.shares_memory(view, x)
        transposed = xb.matrix_transpose(x)  # not contiguous: flattening it needs a copy
        if _mutable(transposed):
            with pytest.raises((ValueError, RuntimeError, AttributeError)):
                xb.reshape(transposed, (6,), copy=False)

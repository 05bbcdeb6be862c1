"""``xb.namespace(backend, device)``: a complete array API 2025.12 namespace for one backend.

It must serve array API consumers as a module would: every name of the standard, a
``__name__`` and ``__array_api_version__``, creation functions that make arrays of that
backend on that device, and enough for ``hypothesis.extra.array_api`` to build its
strategies and draw arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning
from hypothesis.extra.array_api import make_strategies_namespace

import xpbridge as xb
from xpbridge._backends import get_adapter
from xpbridge._standard import API_VERSION, CONSTANTS, DTYPES, FFT, FUNCTIONS, LINALG

if TYPE_CHECKING:
    from xpbridge.testing import Backend


def test_version_and_name(xp: Any, backend: Backend) -> None:
    namespace = xb.namespace(backend.library)
    assert namespace.__array_api_version__ == API_VERSION == "2025.12"
    assert xb.__array_api_version__ == "2025.12"
    assert backend.library in namespace.__name__
    assert repr(namespace).startswith("<xpbridge.namespace(")
    assert xb.namespace(backend.library) is namespace  # one object per backend and device


def test_every_standard_name(backend: Backend) -> None:
    namespace = xb.namespace(backend.library)
    # The dtypes the backend has (MLX has no complex128: its adapter says so).
    held = [name for name in DTYPES if get_adapter(backend.library).has_dtype(name)]
    missing = [name for name in (*FUNCTIONS, *CONSTANTS, *held) if not hasattr(namespace, name)]
    missing += [f"linalg.{n}" for n in LINALG if not hasattr(namespace.linalg, n)]
    missing += [f"fft.{n}" for n in FFT if not hasattr(namespace.fft, n)]
    assert not missing, f"{namespace.__name__} lacks {missing}"
    for name in FUNCTIONS:
        assert callable(getattr(namespace, name)), name
    assert set(FUNCTIONS) <= set(dir(namespace))
    assert set(LINALG) == set(dir(namespace.linalg))
    with pytest.raises(AttributeError, match="no attribute 'not_a_function'"):
        _ = namespace.not_a_function


def test_dtypes_and_constants_are_the_backends(backend: Backend) -> None:
    namespace = xb.namespace(backend.library)
    own = get_adapter(backend.library)
    for name in DTYPES:
        if own.has_dtype(name):
            assert getattr(namespace, name) == own.native_dtype(name)
        else:  # a dtype the library lacks is no attribute (hasattr tells consumers)
            assert not hasattr(namespace, name), name
    assert namespace.pi == np.pi
    assert namespace.newaxis is None
    assert np.isnan(namespace.nan)


def test_namespace_functions_compute(xp: Any, backend: Backend) -> None:
    """A few calls straight through the namespace (no routing): the backend's own arrays."""
    namespace = xb.namespace(backend.library, device=backend.device())
    x = namespace.asarray([[1.0, 2.0], [3.0, 4.0]])
    wide = get_adapter(backend.library).has_dtype("complex128")  # MLX has complex64 only
    complex_dtype = namespace.complex128 if wide else namespace.complex64
    results = [
        namespace.sum(namespace.exp(x), axis=0),
        namespace.linalg.inv(x),
        namespace.fft.fft(namespace.astype(x, complex_dtype)),
        namespace.concatenate([x, x]),  # the NumPy spellings are there too
        namespace.arccos(namespace.asarray([0.5])),
    ]
    expected = [
        np.exp([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0),
        np.linalg.inv([[1.0, 2.0], [3.0, 4.0]]),
        np.fft.fft(np.asarray([[1.0, 2.0], [3.0, 4.0]], dtype=complex)),
        np.concatenate([[[1.0, 2.0], [3.0, 4.0]]] * 2),
        np.arccos([0.5]),
    ]
    for result, want in zip(results, expected, strict=True):
        assert xb.backend_of(result) == backend.library
        # (to_numpy computes lazy arrays)
        np.testing.assert_allclose(xb.to_numpy(result, detach=True), want, rtol=1e-6)


def _creations(namespace: Any) -> dict[str, Any]:
    return {
        "arange": namespace.arange(4),
        "asarray": namespace.asarray([1.0, 2.0]),
        "empty": namespace.empty((2,)),
        "eye": namespace.eye(2),
        "full": namespace.full((2,), 3.0),
        "linspace": namespace.linspace(0.0, 1.0, 5),
        "ones": namespace.ones((2, 2)),
        "zeros": namespace.zeros(3),
        "fft.fftfreq": namespace.fft.fftfreq(4),
        "fft.rfftfreq": namespace.fft.rfftfreq(4),
        "from_dlpack": namespace.from_dlpack(np.ones(2)),
    }


def test_creation_functions_honour_the_device(backend: Backend, device: Any) -> None:
    """The plugin's ``device`` is a non-default one where the backend has one (torch's meta,
    array-api-strict's device1), so a creation function that forgets it fails here."""
    adapter = get_adapter(backend.library)
    if device is None:  # JAX's inspection names no default device
        device = adapter.default_device()
    namespace = xb.namespace(backend.library, device=device)
    want = adapter.device_str(device)
    for name, made in _creations(namespace).items():
        if name == "from_dlpack" and want == "meta":
            continue  # the meta device holds no data to import
        assert xb.backend_of(made) == backend.library, name
        assert adapter.device_str(adapter.device(made)) == want, name
    x = namespace.ones(3)
    assert adapter.device_str(adapter.device(namespace.zeros_like(x))) == want
    # An explicit device still wins over the namespace's.
    default = adapter.default_device()
    assert adapter.device_str(adapter.device(namespace.ones(2, device=default))) == (
        adapter.device_str(default)
    )


def _strategies(namespace: Any) -> Any:
    """hypothesis' strategies namespace; it warns only where the backend's arrays lack the
    standard's ``__array_namespace__`` method (torch tensors, Dask arrays)."""
    probe = namespace.zeros(1)
    if hasattr(probe, "__array_namespace__"):
        return make_strategies_namespace(namespace)
    with pytest.warns(HypothesisWarning, match="Could not determine"):
        return make_strategies_namespace(namespace)


def _reads_large_uint64(namespace: Any) -> bool:
    if not hasattr(namespace, "uint64"):
        return True  # no uint64 to draw
    try:
        return int(namespace.asarray(2**63, dtype=namespace.uint64)) == 2**63
    except (RuntimeError, OverflowError, ValueError, TypeError):
        return False


def test_hypothesis_strategies_namespace(library: str) -> None:
    namespace = xb.namespace(library)
    xps = _strategies(namespace)
    assert xps.api_version == "2025.12"
    # The complex sizes the backend has (MLX: 64 only), or hypothesis warns of the others.
    sizes = tuple(n for n in (64, 128) if get_adapter(library).has_dtype(f"complex{n}"))
    dtypes = st.one_of(xps.boolean_dtypes(), xps.real_dtypes(), xps.complex_dtypes(sizes=sizes))
    if not _reads_large_uint64(namespace):
        # hypothesis reads every element back with int(); torch's int() of a uint64 tensor
        # holding 2**63 or more raises (a limit of the tensor itself, not of xpbridge).
        dtypes = dtypes.filter(lambda d: d != namespace.uint64)
    drawn = xps.arrays(dtype=dtypes, shape=xps.array_shapes(max_dims=3, max_side=3))

    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
    @given(drawn, xps.arrays(dtype=xps.floating_dtypes(), shape=2, elements={"min_value": 0}))
    def check(x: Any, y: Any) -> None:
        assert xb.backend_of(x) == library
        assert xb.backend_of(y) == library
        host = xb.to_numpy(y)  # computes lazy arrays
        assert np.all(host >= 0)

    check()

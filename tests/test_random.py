"""``xb.random``: the backend's own generators, checked statistically on every backend.

Streams differ across backends (a seed reproduces numbers on its backend only), so values are
checked by their distribution: moments within five standard errors for ``N`` draws (a false
failure about once in three million runs), ranges, frequencies.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._backends import adapter_for_type, get_adapter
from xpbridge._backends._base import NumpyRandom
from xpbridge.testing import Backend, assert_equal

N = 20_000
#: Five standard errors of the mean of N draws of unit standard deviation.
FIVE_SIGMA = 5 / math.sqrt(N)


def _host(x: Any) -> Any:
    assert adapter_for_type(type(x)) is not None
    return np.asarray(xb.to_numpy(x, detach=True))  # computes lazy arrays


def _rng(backend: Backend, seed: Any = 0) -> xb.random.Generator:
    return xb.random.default_rng(seed, backend=backend.library, device=backend.device())


def _defaults(backend: Backend) -> dict[str, Any]:
    info = xb.namespace(backend.library).__array_namespace_info__()
    return {kind: xb.DType(_name(d)) for kind, d in info.default_dtypes().items() if d is not None}


def _name(dtype: Any) -> str:
    from xpbridge._dtypes import dtype_name

    found = dtype_name(dtype)
    assert found is not None
    return found


def test_kind_of_arrays(backend: Backend) -> None:
    """The backend's arrays, on the generator's device, lazy where the backend is (Dask),
    default dtypes."""
    rng = _rng(backend)
    adapter = get_adapter(backend.library)
    lazy = xb.info(xb.asarray([0.0], backend=backend.library)).lazy
    device = backend.device() or adapter.default_device()
    defaults = _defaults(backend)
    draws = {
        "random": (rng.random((3, 2)), "real floating", (3, 2)),
        "standard_normal": (rng.standard_normal(4), "real floating", (4,)),
        "normal": (rng.normal(1.0, 2.0, size=(2,)), "real floating", (2,)),
        "uniform": (rng.uniform(size=()), "real floating", ()),
        "integers": (rng.integers(5, size=3), "integral", (3,)),
        "permutation": (rng.permutation(4), "integral", (4,)),
        "choice": (rng.choice(6, size=(2, 2)), "integral", (2, 2)),
        "scalar": (rng.random(), "real floating", ()),
    }
    for name, (x, kind, shape) in draws.items():
        assert xb.backend_of(x) == backend.library, name
        assert tuple(x.shape) == shape, name
        assert defaults[kind] == x.dtype, name
        assert adapter.device_str(adapter.device(x)) == adapter.device_str(device), name
        assert not adapter.requires_grad(x), name
        if lazy:
            assert xb.info(x).lazy, f"{name}: {backend.library} draws stay lazy"


def test_dtype_argument(backend: Backend) -> None:
    rng = _rng(backend)
    assert xb.float32 == rng.random(3, dtype=xb.float32).dtype
    assert xb.float32 == rng.standard_normal(3, dtype=xb.float32).dtype
    assert xb.int16 == rng.integers(0, 5, 3, dtype=xb.int16).dtype
    with pytest.raises(xb.UnsupportedDTypeError, match="real floating"):
        rng.random(3, dtype=xb.int32)
    with pytest.raises(xb.UnsupportedDTypeError, match="integral"):
        rng.integers(0, 5, 3, dtype=xb.float64)
    with pytest.raises(ValueError, match="less than high"):
        rng.integers(5, 5)


def test_same_seed_same_numbers(backend: Backend) -> None:
    def draws(seed: Any) -> list[Any]:
        rng = _rng(backend, seed)
        return [
            rng.random(5),
            rng.standard_normal(5),
            rng.integers(0, 100, 5),
            rng.permutation(8),
            rng.choice(10, 3, replace=False),
        ]

    first, again = draws(123), draws(123)
    for a, b in zip(first, again, strict=True):
        assert_equal(a, b)
    assert not np.array_equal(_host(draws(124)[0]), _host(first[0]))
    # Successive draws of one generator differ.
    rng = _rng(backend, 1)
    assert not np.array_equal(_host(rng.random(5)), _host(rng.random(5)))
    # Sequences of ints seed too (through NumPy's SeedSequence on every backend).
    assert_equal(_rng(backend, [1, 2]).random(3), _rng(backend, [1, 2]).random(3))


def test_numpy_draws_are_numpys() -> None:
    for seed in (0, 42, [3, 4]):
        np.testing.assert_array_equal(
            xb.random.default_rng(seed).random(5), np.random.default_rng(seed).random(5)
        )
        np.testing.assert_array_equal(
            xb.random.default_rng(seed).integers(0, 9, 5),
            np.random.default_rng(seed).integers(0, 9, 5),
        )


def test_streams_differ_across_backends(library: str) -> None:
    """Documented: the same seed does not draw the same numbers on another library, where
    that library has a generator of its own (torch, JAX, Dask); one without draws NumPy's
    stream, copied into its arrays (its adapter's random source is NumPy's generator)."""
    numpy_draw = xb.random.default_rng(0).random(5)
    draw = _host(xb.random.default_rng(0, backend=library).random(5))
    own_generator = not isinstance(get_adapter(library).random_source(0, None), NumpyRandom)
    assert np.allclose(draw, numpy_draw) is not own_generator


def _moments(x: Any) -> tuple[float, float]:
    host = _host(x).astype(np.float64)
    return float(host.mean()), float(host.std())


def test_distributions(backend: Backend) -> None:
    rng = _rng(backend, 2024)

    mean, std = _moments(rng.random(N))
    assert abs(mean - 0.5) < FIVE_SIGMA * math.sqrt(1 / 12)
    assert abs(std - math.sqrt(1 / 12)) < 0.01
    host = _host(rng.random(N))
    assert host.min() >= 0.0
    assert host.max() < 1.0

    mean, std = _moments(rng.standard_normal(N))
    assert abs(mean) < FIVE_SIGMA
    assert abs(std - 1.0) < 5 * math.sqrt(0.5 / N)

    mean, std = _moments(rng.normal(3.0, 2.0, size=N))
    assert abs(mean - 3.0) < 2 * FIVE_SIGMA
    assert abs(std - 2.0) < 2 * 5 * math.sqrt(0.5 / N)

    host = _host(rng.uniform(-2.0, 4.0, size=N))
    assert host.min() >= -2.0
    assert host.max() < 4.0
    assert abs(host.mean() - 1.0) < 6 * FIVE_SIGMA * math.sqrt(1 / 12)

    counts = np.bincount(_host(rng.integers(0, 10, size=N)), minlength=10)
    assert counts.size == 10  # nothing outside [0, 10)
    expected = N / 10
    assert np.all(np.abs(counts - expected) < 5 * math.sqrt(expected * 0.9))
    assert _host(rng.integers(3, 4, size=50, endpoint=True)).min() >= 3
    assert set(_host(rng.integers(3, 4, size=200, endpoint=True)).tolist()) == {3, 4}


def test_permutation_and_choice(backend: Backend, xp: Any) -> None:
    rng = _rng(backend, 7)
    np.testing.assert_array_equal(np.sort(_host(rng.permutation(50))), np.arange(50))
    values = xp.asarray(np.arange(10.0) * 10)
    shuffled = rng.permutation(values)
    assert xb.backend_of(shuffled) == backend.library
    np.testing.assert_array_equal(np.sort(_host(shuffled)), np.arange(10.0) * 10)

    picked = _host(rng.choice(20, size=15, replace=False))
    assert len(set(picked.tolist())) == 15
    assert picked.min() >= 0
    assert picked.max() < 20
    with pytest.raises(ValueError, match="without replacement"):
        rng.choice(3, size=4, replace=False)

    drawn = _host(rng.choice(values, size=(4, 5)))
    assert drawn.shape == (4, 5)
    assert set(drawn.ravel().tolist()) <= set((np.arange(10.0) * 10).tolist())

    p = [0.1, 0.2, 0.7]
    counts = np.bincount(_host(rng.choice(3, size=N, p=p)), minlength=3)
    for count, prob in zip(counts, p, strict=True):
        assert abs(count / N - prob) < 5 * math.sqrt(prob * (1 - prob) / N)


def test_module_functions_follow_the_context(backend: Backend) -> None:
    adapter = get_adapter(backend.library)
    with xb.using(backend.library, backend.device()):
        xb.random.seed(5)
        first = [xb.random.rand(2, 3), xb.random.randn(4), xb.random.normal(size=2),
                 xb.random.uniform(1.0, 2.0, 3), xb.random.integers(0, 7, 3)]  # fmt: skip
        xb.random.seed(5)
        again = [xb.random.rand(2, 3), xb.random.randn(4), xb.random.normal(size=2),
                 xb.random.uniform(1.0, 2.0, 3), xb.random.integers(0, 7, 3)]  # fmt: skip
    for a, b in zip(first, again, strict=True):
        assert xb.backend_of(a) == backend.library
        assert_equal(a, b)
    assert first[0].shape == (2, 3)
    host = _host(first[3])
    assert np.all((host >= 1.0) & (host < 2.0))
    device = backend.device() or adapter.default_device()
    assert adapter.device_str(adapter.device(first[0])) == adapter.device_str(device)


def test_seed_is_local_to_a_thread() -> None:
    xb.random.seed(11)
    expected = xb.random.rand(3)
    xb.random.seed(11)

    def reseed_elsewhere() -> None:
        xb.random.seed(999)
        xb.random.rand(100)

    thread = threading.Thread(target=reseed_elsewhere)
    thread.start()
    thread.join()
    np.testing.assert_array_equal(xb.random.rand(3), expected)


def test_generator_repr_and_properties() -> None:
    rng = xb.random.default_rng(0)
    assert rng.backend == "numpy"
    assert rng.device is None
    assert "numpy" in repr(rng)
    with xb.using("numpy", "cpu"):
        assert xb.random.default_rng().device == "cpu"


def test_module_functions_take_the_options_of_every_creation_function() -> None:
    """backend=, device=, like=, dtype= (they took only a shape)."""
    assert xb.random.rand(2, 3, dtype=xb.float32).dtype == np.float32
    assert xb.random.randn(4).shape == (4,)
    assert xb.backend_of(xb.random.rand(2, backend="numpy", device="cpu")) == "numpy"
    assert xb.random.uniform(1.0, 2.0, size=3, dtype=xb.float32).dtype == np.float32
    assert xb.random.integers(0, 5, size=2, backend="numpy").shape == (2,)
    torch = pytest.importorskip("torch")
    like = torch.ones(1, dtype=torch.float64)
    drawn = xb.random.randn(2, like=like)
    assert isinstance(drawn, torch.Tensor)
    assert xb.random.normal(size=2, backend="torch").dtype == torch.float32
    with pytest.raises(xb.UnknownArrayTypeError, match="like"):
        xb.random.rand(2, like=object())


def test_dir_lists_the_api_only() -> None:
    assert dir(xb.random) == sorted(xb.random.__all__)
    assert not {"np", "Any", "ContextVar"} & set(dir(xb.random))

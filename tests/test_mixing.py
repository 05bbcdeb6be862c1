"""Arrays of several libraries in one call, and where calls without arrays go.

* The mixing policy: ``"promote"`` (default) lifts every array into the highest-priority
  library present (torch > cupy > jax > dask > array_api_strict > numpy), zero-copy where it
  can, autograd intact; ``"strict"`` raises :class:`xpbridge.MixedBackendError`.
* ``xb.using(backend, device)`` for creation functions and all-scalar calls; per-call
  ``backend=``/``device=``/``like=``; both are context variables, so threads and asyncio
  tasks never see each other's settings.
* Arrays on different devices are never moved: :class:`xpbridge.DeviceMismatchError`.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

import array_api_compat
import numpy as np
import pytest

import xpbridge as xb
from xpbridge._backends import BACKENDS, get_adapter
from xpbridge.testing import Backend, assert_close, plugin

#: Registered backends by mixing priority (highest first).
PRIORITY = [spec.name for spec in sorted(BACKENDS, key=lambda spec: -spec.priority)]
#: Those that run here (installed; a GPU where they need one).
LOCAL = [name for name in PRIORITY if Backend.parse(name).missing() is None]


def use(library: str) -> None:
    """Skip the test where `library` cannot run here (fail it where it is required)."""
    plugin._use(Backend.parse(library))


def _array(library: str, values: Any) -> Any:
    return xb.asarray(np.asarray(values, dtype=np.float64), backend=library)


def _host(x: Any) -> Any:
    return xb.to_numpy(x, detach=True)  # computes lazy arrays


def test_priority_order_is_the_documented_one() -> None:
    order = [spec.name for spec in sorted(BACKENDS, key=lambda s: -s.priority)]
    assert order == ["torch", "cupy", "mlx", "jax", "dask", "array_api_strict", "numpy"]


@pytest.mark.parametrize(("high", "low"), list(itertools.combinations(PRIORITY, 2)))
def test_promote_lifts_into_the_higher_priority_library(high: str, low: str) -> None:
    use(high)
    use(low)
    a, b = _array(high, [1.0, 2.0, 3.0]), _array(low, [10.0, 20.0, 30.0])
    for args in ((a, b), (b, a)):
        result = xb.add(*args)
        assert xb.backend_of(result) == high
        np.testing.assert_allclose(_host(result), [11.0, 22.0, 33.0])
    stacked = xb.stack([b, a, b])
    assert xb.backend_of(stacked) == high
    np.testing.assert_allclose(_host(stacked)[1], [1.0, 2.0, 3.0])


def test_numpy_lifted_into_torch_is_shared_not_copied() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed")
    a = np.arange(3.0)
    t = torch.zeros(2, 3, dtype=torch.float64)
    _, lifted = xb.broadcast_arrays(t, a)  # views of the (lifted) inputs
    assert isinstance(lifted, torch.Tensor)
    assert lifted.data_ptr() == a.ctypes.data
    assert xb.shares_memory(lifted, a)


def test_promote_keeps_gradients() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed")
    t = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    weights = np.array([0.5, -1.0, 2.0])
    loss = xb.sum(xb.multiply(t, weights) + xb.concat([t[:1], np.zeros(2)]))
    assert isinstance(loss, torch.Tensor)
    assert loss.grad_fn is not None
    loss.backward()
    np.testing.assert_allclose(t.grad.numpy(), weights + np.array([1.0, 0.0, 0.0]))


def test_strict_policy_refuses_mixing(library: str) -> None:
    a, b = np.ones(2), _array(library, [1.0, 2.0])
    assert xb.get_policy() == "promote"
    with xb.policy(mixing="strict"):
        assert xb.get_policy() == "strict"
        if library != "numpy":  # NumPy with NumPy: nothing to mix
            with pytest.raises(xb.MixedBackendError) as info:
                xb.add(a, b)
            assert isinstance(info.value, TypeError)
            assert "xb.to(" in str(info.value)
            assert "promote" in str(info.value)
        assert xb.backend_of(xb.add(a, a)) == "numpy"  # one library: nothing to refuse
        assert xb.backend_of(xb.add(b, b)) == library
    assert xb.get_policy() == "promote"
    assert xb.backend_of(xb.add(a, b)) == library


def test_set_policy_is_local_to_the_context() -> None:
    def in_fresh_context() -> str:
        xb.set_policy(mixing="strict")
        return xb.get_policy()

    import contextvars

    assert contextvars.copy_context().run(in_fresh_context) == "strict"
    assert xb.get_policy() == "promote"


# ---------------------------------------------------------------------- calls without arrays


def test_using_routes_creation_and_scalar_calls(library: str) -> None:
    with xb.using(library):
        made = [xb.zeros(2), xb.arange(3), xb.asarray([1.0, 2.0]), xb.add(1.0, 2.0),
                xb.linspace(0, 1, 3), xb.full((2,), 7)]  # fmt: skip
        for x in made:
            assert xb.backend_of(x) == library
        np.testing.assert_allclose(_host(made[3]), 3.0)
    assert xb.backend_of(xb.zeros(2)) == "numpy"
    assert xb.backend_of(xb.add(1.0, 2.0)) == "numpy"


def test_arrays_decide_inside_using(library: str) -> None:
    with xb.using(library):
        assert xb.backend_of(xb.sin(np.ones(2))) == "numpy"


@pytest.fixture
def device1() -> Any:
    strict = pytest.importorskip("array_api_strict", reason="array-api-strict not installed")
    return strict.Device("device1")


def _where(x: Any) -> str:
    return str(xb.info(x).device)


def test_using_device(backend: Backend, device: Any) -> None:
    """The plugin's ``device``: a non-default one where the backend has one (torch's meta,
    array-api-strict's device1)."""
    adapter = get_adapter(backend.library)
    want, default = adapter.device_str(device), adapter.device_str(adapter.default_device())
    with xb.using(backend.library, device):
        for x in (xb.ones(2), xb.eye(2), xb.add(1, 2), xb.asarray([1.0]), xb.random.rand(2)):
            assert xb.backend_of(x) == backend.library
            assert _where(x) == want
        # An explicit device wins.
        assert _where(xb.ones(2, device=adapter.default_device())) == default


def test_per_call_backend_device_and_like(backend: Backend, device: Any) -> None:
    want = get_adapter(backend.library).device_str(device)
    x = xb.ones(3, backend=backend.library, device=device)
    assert xb.backend_of(x) == backend.library
    assert _where(x) == want
    like = xb.zeros_like(x)
    assert _where(like) == want
    made = xb.arange(4, like=x)
    assert xb.backend_of(made) == backend.library
    assert _where(made) == want
    # (array-api-strict dtypes compare False to foreign objects, so xb.float32 goes first)
    assert xb.float32 == xb.full((2,), 1.5, like=x, dtype=xb.float32).dtype


def test_device_object_chooses_the_backend(device1: Any) -> None:
    x = xb.zeros(2, device=device1)
    assert xb.backend_of(x) == "array_api_strict"
    assert x.device == device1


def test_using_is_isolated_between_threads() -> None:
    library = (
        LOCAL[0] if LOCAL[0] != "numpy" else pytest.skip("only NumPy here: nothing to isolate")
    )
    inside, ready = threading.Event(), threading.Event()
    seen: dict[str, str] = {}

    def worker() -> None:
        with xb.using(library):
            inside.set()
            ready.wait(5)
            seen["worker"] = xb.backend_of(xb.zeros(1))

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(5)
    seen["main"] = xb.backend_of(xb.zeros(1))  # while the worker is inside its block
    with xb.policy(mixing="strict"):
        ready.set()
        thread.join(5)
    assert seen == {"worker": library, "main": "numpy"}


def test_using_and_policy_are_isolated_between_asyncio_tasks() -> None:
    library = (
        LOCAL[0] if LOCAL[0] != "numpy" else pytest.skip("only NumPy here: nothing to isolate")
    )

    async def task(backend: str, mixing: str) -> tuple[str, str]:
        with xb.using(backend), xb.policy(mixing=mixing):  # type: ignore[arg-type]
            await asyncio.sleep(0)  # let the other task run inside its own block
            await asyncio.sleep(0)
            return xb.backend_of(xb.ones(1)), xb.get_policy()

    async def main() -> list[tuple[str, str]]:
        return list(await asyncio.gather(task(library, "strict"), task("numpy", "promote")))

    assert asyncio.run(main()) == [(library, "strict"), ("numpy", "promote")]


# ---------------------------------------------------------------------- devices


def test_arrays_on_two_devices_never_mix(backend: Backend, device: Any) -> None:
    adapter = get_adapter(backend.library)
    if adapter.device_str(device) == adapter.device_str(adapter.default_device()):
        pytest.skip(f"{backend.value}: the plugin's device is the default one: nothing to mix")
    on_default = xb.ones(2, backend=backend.library, device=adapter.default_device())
    elsewhere = xb.ones(2, backend=backend.library, device=device)
    for call in (
        lambda: xb.add(on_default, elsewhere),
        lambda: xb.concat([on_default, elsewhere]),
        lambda: xb.multiply(np.ones(2), elsewhere),  # lifting NumPy would move it
    ):
        with pytest.raises(xb.DeviceMismatchError, match="never moves data") as info:
            call()
        assert isinstance(info.value, ValueError)


def test_strict_fake_devices_never_mix(device1: Any) -> None:
    import array_api_strict as strict

    on_cpu, elsewhere = strict.ones(2), strict.ones(2, device=device1)
    for call in (
        lambda: xb.add(on_cpu, elsewhere),  # the fast path (the library refuses)
        lambda: xb.add(on_cpu, strict.ones(2, dtype=strict.float32, device=device1)),
        lambda: xb.concat([on_cpu, elsewhere]),
        lambda: xb.add(np.ones(2), elsewhere),  # lifting NumPy would move it
    ):
        with pytest.raises(xb.DeviceMismatchError) as info:
            call()
        assert isinstance(info.value, ValueError)
        assert "never moves data" in str(info.value)


def test_torch_meta_and_cpu_never_mix() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed")
    meta, cpu = torch.ones(2, device="meta"), torch.ones(2)
    for call in (
        lambda: xb.add(meta, cpu),
        lambda: xb.add(meta, cpu.double()),
        lambda: xb.stack([cpu, meta]),
        lambda: xb.multiply(meta, np.ones(2)),
    ):
        with pytest.raises(xb.DeviceMismatchError, match="never moves data"):
            call()


def test_torch_meta_device_is_honoured() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed")
    meta = torch.ones(3, device="meta")
    assert xb.sin(meta).device.type == "meta"
    assert xb.zeros(2, backend="torch", device="meta").device.type == "meta"
    with xb.using("torch", device="meta"):
        assert xb.ones(2).device.type == "meta"
        assert xb.add(1.0, 2.0).device.type == "meta"
    assert xb.ones_like(meta).device.type == "meta"
    assert_close(xb.sin(torch.zeros(2)), torch.zeros(2))


# ---------------------------------------------------------------------- kinds


def _library_refuses(function: str, *args: Any) -> bool:
    """Whether the library's own standard namespace refuses ``function(*args)``."""
    own = array_api_compat.array_namespace(*args)
    try:
        getattr(own, function)(*args)
    except TypeError:
        return True
    return False


def test_mixed_kinds_follow_each_library(library: str) -> None:
    """An integer array with a floating one: unspecified by the standard, so xpbridge follows
    the library (NumPy and Dask: float64, PyTorch and JAX: float32) or, where the library
    refuses (array-api-strict), raises a clear error. Never asserted to agree."""
    ints = xb.asarray(np.arange(3, dtype=np.int32), backend=library)
    floats = xb.asarray(np.ones(3, dtype=np.float32), backend=library)
    if _library_refuses("add", ints, floats):
        with pytest.raises(xb.UnsupportedDTypeError, match=r"xb\.astype") as info:
            xb.add(ints, floats)
        assert isinstance(info.value, TypeError)
        return
    result = xb.add(ints, floats)
    assert xb.isdtype(result.dtype, "real floating")
    np.testing.assert_allclose(_host(result), [1.0, 2.0, 3.0])


def test_einsum_promotes_mixed_dtypes_like_numpy() -> None:
    # torch.einsum insists on one dtype; NumPy's promotes (float32 with float64 -> float64).
    torch = pytest.importorskip("torch")
    t = torch.arange(6.0, dtype=torch.float32).reshape(2, 3).requires_grad_()
    w = np.arange(3.0).reshape(3, 1)
    result = xb.einsum("ij,jk->ik", t, w)
    expected = np.einsum("ij,jk->ik", t.detach().numpy(), w)
    assert result.dtype == torch.float64
    np.testing.assert_allclose(result.detach().numpy(), expected)
    result.sum().backward()
    assert t.grad is not None

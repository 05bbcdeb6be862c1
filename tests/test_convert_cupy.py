"""The CuPy adapter's conversion policy, on a CPU-only machine (a CuPy test double), plus
real-GPU tests (``@pytest.mark.gpu``) that run where CUDA exists.

The double (``tests/fake_cupy.py``) stands in for device memory: conversions that need no
real device memory run for real (host -> device uploads, device -> host copies, refusals);
the zero-copy DLPack route between CuPy and torch on CUDA is checked as a plan.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge import _backends, _recipes
from xpbridge._errors import (
    CopyRequiredError,
    DeviceMismatchError,
    GradientBreakError,
    UnsupportedDTypeError,
)


def _load_fake() -> Any:
    spec = importlib.util.spec_from_file_location("cupy", Path(__file__).with_name("fake_cupy.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _forget_adapters() -> None:
    # Adapters are cached per name and per array type; the double's must not outlive it.
    sys.modules.pop("xpbridge._backends.cupy", None)
    _backends.get_adapter.cache_clear()
    _backends.adapter_for_type.cache_clear()
    _recipes.clear()  # decisions made with the real adapters (or the double)


@pytest.fixture
def cupy(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CuPy double, installed as ``cupy`` for one test."""
    if "cupy" in sys.modules and not hasattr(sys.modules["cupy"], "transfers"):
        pytest.skip("the real CuPy is imported; its own tests run under @pytest.mark.gpu")
    fake = _load_fake()
    monkeypatch.setitem(sys.modules, "cupy", fake)
    _forget_adapters()
    yield fake
    monkeypatch.undo()
    _forget_adapters()


def values(shape: tuple[int, ...] = (2, 3), dtype: str = "float32") -> np.ndarray:
    return (np.arange(int(np.prod(shape))).reshape(shape) + 1).astype(dtype)


# ---------------------------------------------------------------------- to NumPy: a host copy


@pytest.mark.parametrize("copy", [None, True])
def test_to_numpy_of_a_device_array_is_a_host_copy(cupy: Any, copy: bool | None) -> None:
    a = values()
    d = cupy.array(a)
    cupy.transfers.clear()
    result, record = xb.to(d, "numpy", copy=copy, explain=True)
    assert type(result) is np.ndarray
    np.testing.assert_array_equal(result, a)
    assert cupy.transfers == ["cuda:0 -> host"]  # one transfer, no extra copy for copy=True
    assert [s.action for s in record.steps] == ["move"]
    assert "cuda:0 -> cpu" in str(record)
    assert record.copies
    result[0, 0] = -1  # independent of the device array
    assert cupy.asnumpy(d)[0, 0] == 1


def test_to_numpy_copy_false_names_the_device(cupy: Any) -> None:
    d = cupy.array(values())
    with pytest.raises(CopyRequiredError, match=r"cuda:0 -> cpu"):
        xb.to_numpy(d, copy=False)
    assert xb.plan(d, "numpy", copy=False).error is not None


def test_to_numpy_from_the_second_device(cupy: Any) -> None:
    with cupy.cuda.Device(1):
        d = cupy.array(values())
    assert xb.info(d).device == "cuda:1"
    np.testing.assert_array_equal(xb.to_numpy(d), values())


def test_numpy_refuses_a_device_argument(cupy: Any) -> None:
    d = cupy.array(values())
    with pytest.raises(DeviceMismatchError, match="host memory"):
        xb.to(d, "numpy", device="cuda:0")


# ---------------------------------------------------------------------- host data to CuPy: uploads


@pytest.mark.parametrize("copy", [None, True])
def test_numpy_to_cupy_uploads(cupy: Any, copy: bool | None) -> None:
    a = values()
    cupy.transfers.clear()
    d, record = xb.to(a, "cupy", copy=copy, explain=True)
    assert isinstance(d, cupy.ndarray)
    assert xb.info(d).device == "cuda:0"
    np.testing.assert_array_equal(cupy.asnumpy(d), a)
    assert cupy.transfers[0] == "host -> cuda:0"
    assert [s.action for s in record.steps] == ["move"]
    assert record.copies
    a[0, 0] = -1
    assert cupy.asnumpy(d)[0, 0] == 1  # an upload is a copy


def test_numpy_to_cupy_copy_false_is_refused(cupy: Any) -> None:
    a = values()
    with pytest.raises(CopyRequiredError, match=r"cpu -> cuda:0"):
        xb.to_cupy(a, copy=False)


def test_upload_to_a_chosen_device(cupy: Any) -> None:
    d = xb.to_cupy(values(), device="cuda:1")
    assert xb.info(d).device == "cuda:1"
    d = xb.to(values(), "cupy", device=cupy.cuda.Device(1))
    assert xb.info(d).device == "cuda:1"


@pytest.mark.parametrize(
    "layout",
    [
        lambda a: a[:, ::2],
        lambda a: a.T,
        lambda a: a[::-1],
        lambda a: np.broadcast_to(a[0], a.shape),
    ],
    ids=["strided", "transposed", "negative", "broadcast"],
)
def test_uploads_keep_values_of_every_layout(cupy: Any, layout: Any) -> None:
    a = layout(values((4, 6)))
    np.testing.assert_array_equal(cupy.asnumpy(xb.to_cupy(a)), a)


def test_bfloat16_has_no_cupy_dtype(cupy: Any) -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(3, dtype=torch.bfloat16)
    with pytest.raises(UnsupportedDTypeError, match="bfloat16"):
        xb.to_cupy(t)
    d = xb.to_cupy(t, dtype=xb.float32)  # widening, because it was asked for
    np.testing.assert_array_equal(cupy.asnumpy(d), np.ones(3, np.float32))


# ---------------------------------------------------------------------- torch and CuPy


def test_cpu_tensor_to_cupy_goes_through_the_host(cupy: Any) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("with CUDA, torch itself moves the tensor (a different plan)")
    t = torch.arange(6.0).reshape(2, 3)
    d, record = xb.to(t, "cupy", explain=True)
    assert [s.action for s in record.steps] == ["import", "move"]
    assert "Tensor.numpy()" in record.steps[0].reason
    assert not record.steps[0].copies
    assert record.steps[1].copies
    np.testing.assert_array_equal(cupy.asnumpy(d), t.numpy())
    with pytest.raises(CopyRequiredError):
        xb.to_cupy(t, copy=False)


def test_tensor_requiring_grad_is_not_uploaded_silently(cupy: Any) -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(3, requires_grad=True)
    with pytest.raises(GradientBreakError, match="detach=True"):
        xb.to_cupy(t)
    d = xb.to_cupy(t, detach=True)
    np.testing.assert_array_equal(cupy.asnumpy(d), np.ones(3, np.float32))
    assert t.requires_grad


def test_cupy_to_cuda_torch_is_planned_as_dlpack_zero_copy(
    cupy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With CUDA, a CuPy array becomes a tensor on the same device without a copy."""
    pytest.importorskip("torch")
    torch_adapter = _backends.get_adapter("torch")
    # What torch reports on a CUDA machine: it can hold arrays on cuda:0 and cuda:1.
    devices = frozenset({"cpu", "meta", "cuda:0", "cuda:1"})
    monkeypatch.setitem(torch_adapter.__dict__, "_device_names", devices)
    d = cupy.array(values())
    record = xb.plan(d, "torch")
    assert record.error is None
    assert [s.action for s in record.steps] == ["import"]
    assert "torch.from_dlpack" in record.steps[0].reason
    assert record.shares_memory
    assert "zero-copy" in str(record)
    assert xb.plan(d, "torch", copy=False).error is None
    copy = xb.plan(d, "torch", copy=True)
    assert [s.action for s in copy.steps] == ["copy", "import"]
    assert copy.copies
    with cupy.cuda.Device(1):
        d1 = cupy.array(values())
    assert xb.plan(d1, "torch").shares_memory  # stays on cuda:1


def test_cupy_to_cpu_torch_is_a_host_copy(cupy: Any) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("with CUDA, the tensor stays on the GPU (a different plan)")
    d = cupy.array(values())
    t, record = xb.to(d, "torch", explain=True)
    assert isinstance(t, torch.Tensor)
    assert t.device.type == "cpu"
    assert [s.action for s in record.steps] == ["move", "import"]
    np.testing.assert_array_equal(t.numpy(), values())
    with pytest.raises(CopyRequiredError, match="cuda:0 -> cpu"):
        xb.to_torch(d, copy=False)


def test_cupy_to_cupy(cupy: Any) -> None:
    d = cupy.array(values())
    assert xb.to_cupy(d) is d
    c = xb.to_cupy(d, copy=True)
    assert not xb.shares_memory(c, d)
    c[0, 0] = -1
    assert cupy.asnumpy(d)[0, 0] == 1
    moved, record = xb.to(d, "cupy", device="cuda:1", explain=True)
    assert xb.info(moved).device == "cuda:1"
    assert record.copies
    with pytest.raises(CopyRequiredError, match="cuda:0 -> cuda:1"):
        xb.to(d, "cupy", device="cuda:1", copy=False)


def test_cupy_dtype_casts(cupy: Any) -> None:
    d = cupy.array(values())
    c = xb.to_cupy(d, dtype=xb.float64)
    assert xb.info(c).dtype == xb.float64
    n = xb.to_numpy(d, dtype="int16")
    assert n.dtype == np.int16
    np.testing.assert_array_equal(n, values().astype(np.int16))


# ---------------------------------------------------------------------- inspection


def test_info_and_sharing_of_device_arrays(cupy: Any) -> None:
    d = cupy.array(values((3, 4)))
    found = xb.info(d)
    assert (found.backend, found.device, found.shape, found.strides) == (
        "cupy",
        "cuda:0",
        (3, 4),
        (16, 4),
    )
    assert found.contiguous
    assert not found.readonly
    assert found.requires_grad is False
    assert found.grad is None
    assert found.grad_fn is None
    assert found.is_leaf is None
    assert xb.shares_memory(d, d[1:])
    assert not xb.shares_memory(d[:, ::2], d[:, 1::2])
    assert xb.may_share_memory(d[:, ::2], d[:, 1::2])
    # The double keeps its values in host memory; a real device pointer never equals a host
    # one, and arrays on different devices never share memory.
    assert not xb.shares_memory(d, d._host)


# ---------------------------------------------------------------------- real GPUs


def _cuda_torch() -> Any:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here")
    return torch


def _real_cupy() -> Any:
    cupy = pytest.importorskip("cupy")
    if hasattr(cupy, "transfers"):
        pytest.skip("the CuPy double is installed")
    try:
        cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # noqa: BLE001 - CuPy raises its own CUDARuntimeError
        pytest.skip(f"CuPy cannot reach a CUDA device ({type(exc).__name__})")
    return cupy


@pytest.mark.gpu
def test_gpu_cuda_tensor_to_numpy_is_a_host_copy() -> None:
    torch = _cuda_torch()
    t = torch.arange(6.0, device="cuda").reshape(2, 3)
    a, record = xb.to(t, "numpy", explain=True)
    np.testing.assert_array_equal(a, np.arange(6.0, dtype=np.float32).reshape(2, 3))
    assert record.copies
    assert "cuda:0 -> cpu" in str(record)
    with pytest.raises(CopyRequiredError, match="cuda:0 -> cpu"):
        xb.to_numpy(t, copy=False)


@pytest.mark.gpu
def test_gpu_numpy_to_cuda_tensor_and_back() -> None:
    torch = _cuda_torch()
    a = np.arange(6.0).reshape(2, 3)
    t = xb.to_torch(a, device="cuda")
    assert t.device.type == "cuda"
    np.testing.assert_array_equal(xb.to_numpy(t), a)
    with pytest.raises(CopyRequiredError):
        xb.to_torch(a, device="cuda", copy=False)
    assert torch.equal(xb.to_torch(t), t)


@pytest.mark.gpu
def test_gpu_cupy_torch_zero_copy() -> None:
    torch = _cuda_torch()
    cupy = _real_cupy()
    d = cupy.arange(6, dtype=cupy.float32)
    t, record = xb.to(d, "torch", explain=True)
    assert t.device.type == "cuda"
    assert record.shares_memory
    assert xb.shares_memory(t, d)
    t[0] = 42
    assert float(d[0]) == 42.0  # the same device memory
    back = xb.to_cupy(t)
    assert xb.shares_memory(back, t)
    c = xb.to_cupy(t, copy=True)
    assert not xb.shares_memory(c, t)
    assert torch.equal(xb.to_torch(c), t)


@pytest.mark.gpu
def test_gpu_cupy_to_numpy_and_back() -> None:
    cupy = _real_cupy()
    d = cupy.arange(6, dtype=cupy.float64).reshape(2, 3)
    a = xb.to_numpy(d)
    np.testing.assert_array_equal(a, np.arange(6.0).reshape(2, 3))
    with pytest.raises(CopyRequiredError):
        xb.to_numpy(d, copy=False)
    np.testing.assert_array_equal(cupy.asnumpy(xb.to_cupy(a)), a)

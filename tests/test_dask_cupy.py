"""Dask arrays of CuPy chunks keep their GPU: facts, plans and lazy device moves.

There is no GPU here, so these run on the CuPy double of ``tests/fake_cupy.py`` (its
arrays report a CUDA device and refuse implicit host conversion). The double stands in for
device memory, not for CuPy's functions, so the tests check what xpbridge decides (devices,
plans, lazy moves) rather than computing on the chunks.
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

da = pytest.importorskip("dask.array", reason="dask is not installed")

FAKE = Path(__file__).with_name("fake_cupy.py")


def _forget_adapters() -> None:
    # Adapters are cached per name and per array type; the double's must not outlive it.
    sys.modules.pop("xpbridge._backends.cupy", None)
    _backends.get_adapter.cache_clear()
    _backends.adapter_for_type.cache_clear()
    _recipes.clear()  # decisions made with the real adapters (or the double)


@pytest.fixture
def cupy(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CuPy double, installed as ``cupy`` for one test."""
    if not FAKE.exists():
        pytest.skip("tests/fake_cupy.py (the CuPy double of the conversion tests) is absent")
    if "cupy" in sys.modules and not hasattr(sys.modules["cupy"], "transfers"):
        pytest.skip("the real CuPy is imported: these policy tests need the double")
    spec = importlib.util.spec_from_file_location("cupy", FAKE)
    assert spec is not None
    assert spec.loader is not None
    fake = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fake)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    _forget_adapters()
    yield fake
    monkeypatch.undo()
    _forget_adapters()


def _values() -> np.ndarray[Any, Any]:
    return np.arange(24.0).reshape(4, 6)


@pytest.mark.parametrize("device", [0, 1])
def test_a_dask_array_of_cupy_chunks_lives_on_their_gpu(cupy: Any, device: int) -> None:
    with cupy.cuda.Device(device):
        chunks = cupy.array(_values())
    x = xb.to_dask(chunks, chunks=(2, 3))
    assert isinstance(x, da.Array)
    assert isinstance(x._meta, cupy.ndarray)
    facts = _backends.get_adapter("dask").facts(x)
    assert facts.device == f"cuda:{device}"
    assert facts.computes_into == "cupy"
    assert xb.info(x).device == f"cuda:{device}"


def test_to_numpy_computes_then_copies_to_the_host(cupy: Any) -> None:
    x = xb.to_dask(cupy.array(_values()), chunks=(2, 3))
    record = xb.plan(x, "numpy")
    actions = [step.action for step in record.steps]
    assert actions[:2] == ["compute", "move"]
    assert "cuda:0 -> cpu" in str(record.steps[1])
    assert record.copies
    assert xb.plan(x, "numpy", copy=False).error is not None


def test_to_torch_on_a_cuda_machine_keeps_the_gpu(
    cupy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("torch")
    torch_adapter = _backends.get_adapter("torch")
    # What torch reports on a CUDA machine: it can hold arrays on cuda:0 and cuda:1.
    monkeypatch.setitem(
        torch_adapter.__dict__, "_device_names", frozenset({"cpu", "meta", "cuda:0", "cuda:1"})
    )
    x = xb.to_dask(cupy.array(_values()), chunks=(2, 3))
    record = xb.plan(x, "torch")
    assert record.error is None
    actions = [step.action for step in record.steps]
    assert actions[0] == "compute"
    assert "move" not in actions  # computed into CuPy, handed to torch on the same GPU
    assert "into new cupy memory" in str(record.steps[0])


def test_to_cupy_computes_into_cupy(cupy: Any) -> None:
    x = xb.to_dask(cupy.array(_values()), chunks=(2, 3))
    record = xb.plan(x, "cupy")
    assert [step.action for step in record.steps] == ["compute"]


def test_moving_chunks_between_host_and_gpu_is_lazy(cupy: Any) -> None:
    host = xb.to_dask(_values(), chunks=(2, 3))  # 4 chunks
    on_gpu, record = xb.to(host, "dask", device="cuda:1", explain=True)
    assert [step.action for step in record.steps] == ["move"]
    assert isinstance(on_gpu, da.Array)
    assert xb.info(on_gpu).device == "cuda:1"
    assert isinstance(on_gpu._meta, cupy.ndarray)
    # At most the empty meta array went up (Dask needs the chunk type), no chunk: the
    # move is a task of the graph.
    assert len(cupy.transfers) <= 1

    back = xb.to(on_gpu, "dask", device="cpu")
    assert xb.info(back).device == "cpu"
    gpu_data = xb.to_dask(cupy.array(_values()), chunks=(2, 3))
    before = len(cupy.transfers)
    host_again = xb.to(gpu_data, "dask", device="cpu")
    assert xb.info(host_again).device == "cpu"
    np.testing.assert_array_equal(host_again.compute(), _values())
    assert len(cupy.transfers) - before >= 4  # each chunk came to the host as the graph ran

"""What each gradient mode does at every boundary a tensor that requires grad can reach, and
that the mode is local to a thread or an asyncio task.

``preserve`` (default): nothing cuts a graph implicitly; leaving torch needs ``detach=True``.
``detach``: conversions out of torch detach, and their plans say so.
``raise``: nothing may cut a graph, not even ``detach=True``.
Operations that stay in torch (mixed calls lift NumPy into torch) keep the graph in every mode.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge import _backends, _recipes
from xpbridge._backends._base import Adapter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

torch = pytest.importorskip("torch")

MODES = ("preserve", "detach", "raise")
VALUES = [0.5, 1.5, 2.5]


def _leaf() -> Any:
    return torch.tensor(VALUES, dtype=torch.float64, requires_grad=True)


numpy_sin = xb.numpy_function(np.sin)
numpy_sin_with_vjp = xb.numpy_function(np.sin, vjp=lambda g, a: g * np.cos(a))


RAISES, KEEPS, CUTS = "raises GradientBreakError", "keeps the graph", "cuts, on purpose"

# boundary: (what it does with t, outcome per mode)
BOUNDARIES: dict[str, tuple[Callable[[Any], Any], dict[str, str]]] = {
    "to_numpy": (xb.to_numpy, {"preserve": RAISES, "detach": CUTS, "raise": RAISES}),
    "to_numpy(detach=True)": (
        lambda t: xb.to_numpy(t, detach=True),
        {"preserve": CUTS, "detach": CUTS, "raise": RAISES},
    ),
    "to_jax": (xb.to_jax, {"preserve": RAISES, "detach": CUTS, "raise": RAISES}),
    "to_dask": (xb.to_dask, {"preserve": RAISES, "detach": CUTS, "raise": RAISES}),
    "to array_api_strict": (
        lambda t: xb.to(t, "array_api_strict"),
        {"preserve": RAISES, "detach": CUTS, "raise": RAISES},
    ),
    "asarray into numpy": (
        lambda t: xb.asarray(t, backend="numpy"),
        {"preserve": RAISES, "detach": CUTS, "raise": RAISES},
    ),
    "asarray like a NumPy array": (
        lambda t: xb.asarray(t, like=np.zeros(1)),
        {"preserve": RAISES, "detach": CUTS, "raise": RAISES},
    ),
    "asarray in torch": (xb.asarray, dict.fromkeys(MODES, KEEPS)),
    "to torch float32 (a cast)": (
        lambda t: xb.to(t, "torch", dtype=xb.float32),
        dict.fromkeys(MODES, KEEPS),
    ),
    "to torch with detach=True": (
        lambda t: xb.to(t, "torch", detach=True),
        {"preserve": CUTS, "detach": CUTS, "raise": RAISES},
    ),
    "mixed op: tensor * ndarray (xb.multiply)": (
        lambda t: xb.multiply(t, np.array([2.0, 3.0, 4.0])),
        dict.fromkeys(MODES, KEEPS),
    ),
    "mixed op: ndarray + tensor (xb.add)": (
        lambda t: xb.add(np.ones(3), t),
        dict.fromkeys(MODES, KEEPS),
    ),
    "mixed op: stack of ndarray and tensor": (
        lambda t: xb.stack([np.ones(3), t]),
        dict.fromkeys(MODES, KEEPS),
    ),
    "numpy_function without vjp": (
        numpy_sin,
        {"preserve": RAISES, "detach": CUTS, "raise": RAISES},
    ),
    "numpy_function with vjp": (numpy_sin_with_vjp, dict.fromkeys(MODES, KEEPS)),
    "xb.at: a tensor written into a NumPy array": (
        lambda t: xb.at(np.zeros(3))[:].set(t),  # noqa: PLW0108 - a new target each time
        {"preserve": RAISES, "detach": CUTS, "raise": RAISES},
    ),
    "xb.at: a NumPy array written into a tensor": (
        lambda t: xb.at(t)[0].set(np.float64(7.0)),
        dict.fromkeys(MODES, KEEPS),
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("boundary", list(BOUNDARIES))
def test_each_mode_at_each_boundary(boundary: str, mode: str) -> None:
    action, outcomes = BOUNDARIES[boundary]
    _check_boundary(boundary, action, outcomes[mode], mode)


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_on_the_way_to_every_library(target: str, mode: str) -> None:
    """``xb.to(t, target)`` for every registered backend: torch keeps the graph, any other
    library is a boundary (the to_<lib> shortcuts are in BOUNDARIES)."""
    leaving = {"preserve": RAISES, "detach": CUTS, "raise": RAISES}
    expected = KEEPS if target == "torch" else leaving[mode]
    _check_boundary(f"to {target}", lambda t: xb.to(t, target), expected, mode)


def _check_boundary(boundary: str, action: Callable[[Any], Any], expected: str, mode: str) -> None:
    t = _leaf()
    with xb.grad_mode(mode):
        if expected == RAISES:
            with pytest.raises(xb.GradientBreakError, match=mode if mode == "raise" else "detach"):
                action(t)
            return
        result = action(t)
    if expected == KEEPS:
        assert isinstance(result, torch.Tensor)
        assert result.requires_grad
        xb.sum(result).backward()
        assert t.grad is not None
        assert t.grad.shape == t.shape
        return
    assert not xb.requires_grad(result)
    host = xb.to_numpy(result)
    expected_values = np.sin(VALUES) if "numpy_function" in boundary else VALUES
    assert np.allclose(np.ravel(host), expected_values)


@pytest.mark.parametrize("mode", MODES)
def test_read_outs_and_explicit_detach_work_in_every_mode(mode: str) -> None:
    t = _leaf()
    loss = xb.sum(xb.square(t))
    with xb.grad_mode(mode):
        assert xb.item(loss) == pytest.approx(sum(v * v for v in VALUES))
        assert xb.tolist(t) == VALUES
        assert not xb.requires_grad(xb.detach(t))
        assert xb.requires_grad(xb.clone(t))
    loss.backward()  # none of them touched the graph
    assert t.grad.tolist() == [2 * v for v in VALUES]


# ---------------------------------------------------------------------- plans


def test_plans_say_what_each_mode_does() -> None:
    t = _leaf()
    refused = xb.plan(t, "numpy")
    assert isinstance(refused.error, xb.GradientBreakError)
    assert "refused" in str(refused)
    with xb.grad_mode("detach"):
        detached = xb.plan(t, "numpy")
    assert detached.error is None
    assert detached.detaches
    assert detached.steps[0].action == "detach"
    assert "the gradient mode is 'detach'" in str(detached)
    explicit = xb.plan(t, "numpy", detach=True)
    assert "detach=True" in str(explicit)
    assert explicit.shares_memory  # detaching copies nothing
    with xb.grad_mode("raise"):
        assert isinstance(xb.plan(t, "numpy", detach=True).error, xb.GradientBreakError)
        assert xb.plan(t, "torch", dtype=xb.float32).error is None


class _FakeCupy(Adapter):
    """Just enough of a CUDA-only library for the planner (no GPU here)."""

    name = "cupy"
    array_type_name = "cupy.ndarray"

    def devices(self) -> list[Any]:
        return ["cuda:0"]

    def default_device(self) -> Any:
        return "cuda:0"

    def device_str(self, device: Any) -> str:
        return str(device)

    def native_device(self, device: Any) -> Any:
        return device

    def has_dtype(self, name: str) -> bool:
        return True


@pytest.fixture
def fake_cupy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Adapter]:
    fake = _FakeCupy()
    monkeypatch.setitem(_backends._ADAPTERS, "cupy", fake)
    _recipes.clear()  # decisions must be made with the double
    yield fake
    monkeypatch.undo()
    _recipes.clear()


def test_to_cupy_follows_the_mode(fake_cupy: Adapter) -> None:
    t = _leaf()
    with pytest.raises(xb.GradientBreakError, match="to cupy would cut its autograd graph"):
        xb.to_cupy(t)
    assert isinstance(xb.plan(t, "cupy").error, xb.GradientBreakError)
    with xb.grad_mode("detach"):
        detached = xb.plan(t, "cupy")
    assert detached.error is None
    assert [s.action for s in detached.steps][:1] == ["detach"]
    assert any(s.action == "move" and "cuda" in s.reason for s in detached.steps)
    with xb.grad_mode("raise"):
        assert isinstance(xb.plan(t, "cupy", detach=True).error, xb.GradientBreakError)
        with pytest.raises(xb.GradientBreakError, match="'raise'"):
            xb.to_cupy(t, detach=True)


@pytest.mark.gpu
def test_to_cupy_on_a_gpu_follows_the_mode() -> None:
    pytest.importorskip("cupy", reason="CuPy is not installed here")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here")
    t = torch.tensor(VALUES, dtype=torch.float64, device="cuda", requires_grad=True)
    with pytest.raises(xb.GradientBreakError):
        xb.to_cupy(t)
    with xb.grad_mode("detach"):
        c = xb.to_cupy(t)
    assert xb.backend_of(c) == "cupy"
    assert c.get().tolist() == VALUES


# ---------------------------------------------------------------------- threads and tasks


def test_two_threads_with_different_modes_do_not_see_each_others() -> None:
    both_inside = threading.Barrier(2, timeout=10)
    done = threading.Barrier(2, timeout=10)
    seen: dict[str, Any] = {}

    def work(mode: str) -> None:
        t = _leaf()
        with xb.grad_mode(mode):
            both_inside.wait()  # both modes are set at this point
            seen[f"{mode} mode"] = xb.get_grad_mode()
            try:
                seen[f"{mode} result"] = type(xb.to_numpy(t)).__name__
            except xb.GradientBreakError:
                seen[f"{mode} result"] = "GradientBreakError"
            done.wait()

    threads = [threading.Thread(target=work, args=(m,)) for m in ("preserve", "detach")]
    with xb.grad_mode("raise"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert xb.get_grad_mode() == "raise"
    assert seen == {
        "preserve mode": "preserve",
        "preserve result": "GradientBreakError",
        "detach mode": "detach",
        "detach result": "ndarray",
    }
    assert xb.get_grad_mode() == "preserve"


def test_set_grad_mode_in_a_thread_stays_in_that_thread() -> None:
    seen = []

    def work() -> None:
        xb.set_grad_mode("detach")
        seen.append(xb.get_grad_mode())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert seen == ["detach"]
    assert xb.get_grad_mode() == "preserve"


def test_two_asyncio_tasks_with_different_modes_do_not_see_each_others() -> None:
    async def work(mode: str, log: list[tuple[str, str]]) -> str:
        t = _leaf()
        with xb.grad_mode(mode):
            for _ in range(3):
                await asyncio.sleep(0)  # let the other task run inside its own mode
                log.append((mode, xb.get_grad_mode()))
            try:
                return type(xb.to_numpy(t)).__name__
            except xb.GradientBreakError:
                return "GradientBreakError"

    async def unscoped() -> str:
        xb.set_grad_mode("raise")  # a task's context is a copy: this stays in the task
        await asyncio.sleep(0)
        return xb.get_grad_mode()

    async def main() -> Any:
        log: list[tuple[str, str]] = []
        results = await asyncio.gather(work("preserve", log), work("detach", log), unscoped())
        return results, log, xb.get_grad_mode()

    results, log, outer = asyncio.run(main())
    assert results == ["GradientBreakError", "ndarray", "raise"]
    assert all(mode == seen for mode, seen in log)
    assert {mode for mode, _ in log} == {"preserve", "detach"}
    assert outer == "preserve"
    assert xb.get_grad_mode() == "preserve"


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="grad mode must be one of"):
        xb.set_grad_mode("sometimes")  # type: ignore[arg-type]

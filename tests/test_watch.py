"""``xb.guard`` and ``xb.audit``: every trigger, explicit requests let through, isolation
between threads and asyncio tasks, and the ``file:line`` they report is the caller's.

The triggers, each an implicit step of the planner's (``Step.asked`` False): a copy (read-
only NumPy memory into torch, a lift inside ``xb.add``), a move (an array-api-strict array
on its second device into NumPy), a compute (Dask into NumPy), a detach (the gradient mode
``"detach"``).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import warnings
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge import (
    ImplicitComputeError,
    ImplicitConversionError,
    ImplicitConversionWarning,
    ImplicitCopyError,
    ImplicitDetachError,
    ImplicitMoveError,
)
from xpbridge._watch import ACTIVE

HERE = __file__.rsplit("/", 1)[-1]


def _next_line(lines: int = 1) -> int:
    """The caller's line plus `lines`: where the conversion under test is."""
    return sys._getframe(1).f_lineno + lines


def _readonly() -> Any:
    a = np.arange(3.0)
    a.flags.writeable = False
    return a


def _trigger(kind: str) -> tuple[Any, str]:
    """An array and a target whose plain conversion takes an implicit step of `kind`."""
    if kind == "copy":
        pytest.importorskip("torch")
        return _readonly(), "torch"
    if kind == "move":
        strict = pytest.importorskip("array_api_strict")
        return strict.asarray([1.0, 2.0], device=strict.Device("device1")), "numpy"
    if kind == "compute":
        da = pytest.importorskip("dask.array")
        return da.ones(4, chunks=2), "numpy"
    torch = pytest.importorskip("torch")
    return torch.ones(2, requires_grad=True), "numpy"


ERRORS = {
    "copy": ImplicitCopyError,
    "move": ImplicitMoveError,
    "compute": ImplicitComputeError,
    "detach": ImplicitDetachError,
}


def _convert(x: Any, target: str, **options: Any) -> Any:
    with xb.grad_mode("detach"):  # the detach trigger; changes nothing for the others
        return xb.to(x, target, **options)


@pytest.mark.parametrize("kind", list(ERRORS))
def test_each_trigger_raises_naming_the_caller(kind: str) -> None:
    x, target = _trigger(kind)
    line = _next_line(2)
    with xb.guard(**{kind: "raise"}), pytest.raises(ERRORS[kind]) as caught:
        xb.to(x, target) if kind != "detach" else _convert(x, target)
    error = caught.value
    assert isinstance(error, ImplicitConversionError)
    assert isinstance(error, xb.BridgeError)
    assert isinstance(error, RuntimeError)
    message = str(error)
    if kind != "detach":  # _convert's own line for the detach case (a helper of this file)
        assert f"{HERE}:{line}: " in message
    assert f"xb.guard({kind}='raise')" in message
    assert "without being asked" in message
    assert xb.backend_of(x) in message


@pytest.mark.parametrize("kind", list(ERRORS))
def test_each_trigger_warns_at_the_callers_line(kind: str) -> None:
    x, target = _trigger(kind)
    with xb.guard(**{kind: "warn"}), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = _next_line()
        result = _convert(x, target) if kind == "detach" else xb.to(x, target)
    assert xb.backend_of(result) == target  # warned, then converted
    found = [w for w in caught if issubclass(w.category, ImplicitConversionWarning)]
    assert len(found) == 1
    assert found[0].filename == __file__
    if kind != "detach":
        assert found[0].lineno == line


@pytest.mark.parametrize("kind", list(ERRORS))
def test_other_settings_let_a_trigger_through(kind: str) -> None:
    x, target = _trigger(kind)
    others = {other: "raise" for other in ERRORS if other != kind}
    with xb.guard(**others):
        _convert(x, target)
    with xb.guard(**{kind: "raise"}), xb.guard(**{kind: "allow"}):
        _convert(x, target)  # an inner guard relaxes the outer one


def test_explicit_requests_are_never_refused() -> None:
    torch = pytest.importorskip("torch")
    strict = pytest.importorskip("array_api_strict")
    everything = {"copy": "raise", "move": "raise", "compute": "raise", "detach": "raise"}
    with xb.guard(**everything):  # type: ignore[arg-type]
        assert not xb.shares_memory(xb.to_torch(_readonly(), copy=True), _readonly())
        on_device1 = strict.asarray([1.0], device=strict.Device("device1"))
        xb.to(on_device1, "numpy", device="cpu")
        xb.to_numpy(torch.ones(2, requires_grad=True), detach=True)
        xb.to_torch(np.arange(3.0))  # zero-copy: nothing implicit
        xb.to_numpy([1, 2, 3])  # Python values have no memory to share: no copy to spare
        xb.to_torch(np.float32(1.5))  # nor has a NumPy scalar
        xb.add(torch.ones(3), np.ones(3))  # a lift that shares memory


def test_a_lift_inside_a_mixed_call_is_checked() -> None:
    torch = pytest.importorskip("torch")
    line = _next_line(3)
    lifting = r"xb\.add lifts a numpy array"
    with xb.guard(copy="raise"), pytest.raises(ImplicitCopyError, match=lifting) as caught:
        xb.add(torch.ones(3), _readonly())
    assert f"{HERE}:{line}: " in str(caught.value)
    assert "xb.to(x, 'torch', copy=True)" in str(caught.value)


def test_containers_report_the_line_of_the_call() -> None:
    pytest.importorskip("torch")
    line = _next_line(2)
    with xb.guard(copy="raise"), pytest.raises(ImplicitCopyError) as caught:
        xb.to_torch({"ok": np.ones(2), "frozen": _readonly()})
    assert f"{HERE}:{line}: " in str(caught.value)
    assert str(caught.value).startswith("at ['frozen']: ")


def test_setting_values_are_checked() -> None:
    with pytest.raises(ValueError, match="must be one of 'allow', 'warn', 'raise'"):
        xb.guard(copy="loud")  # type: ignore[arg-type]


def test_guard_decorates_functions_but_not_generators() -> None:
    pytest.importorskip("torch")

    @xb.guard(copy="raise")
    def step(a: Any) -> Any:
        return xb.to_torch(a)

    with pytest.raises(ImplicitCopyError):
        step(_readonly())
    step(np.ones(2))  # shares: fine
    xb.to_torch(_readonly())  # outside the function: no guard

    with pytest.raises(TypeError, match="generator or coroutine"):

        @xb.guard(copy="raise")
        def generator() -> Any:
            yield 1


def test_guard_is_per_thread() -> None:
    pytest.importorskip("torch")
    results: dict[str, Any] = {}
    inside = threading.Event()
    done = threading.Event()

    def guarded() -> None:
        with xb.guard(copy="raise"):
            inside.set()
            done.wait(10)
            try:
                xb.to_torch(_readonly())
            except ImplicitCopyError as exc:
                results["guarded"] = exc

    thread = threading.Thread(target=guarded)
    thread.start()
    assert inside.wait(10)
    results["free"] = xb.to_torch(_readonly())  # another thread's guard does not apply
    done.set()
    thread.join(10)
    assert isinstance(results["guarded"], ImplicitCopyError)
    assert results["free"] is not None


def test_guard_and_audit_are_per_asyncio_task() -> None:
    pytest.importorskip("torch")

    async def guarded(started: asyncio.Event, go: asyncio.Event) -> str:
        with xb.guard(copy="raise"):
            started.set()
            await go.wait()
            try:
                xb.to_torch(_readonly())
            except ImplicitCopyError:
                return "refused"
            return "converted"

    async def free(started: asyncio.Event, go: asyncio.Event) -> tuple[str, int]:
        await started.wait()
        with xb.audit() as log:
            xb.to_torch(_readonly())
            go.set()
            await asyncio.sleep(0)
        return "converted", len(log)

    async def main() -> list[Any]:
        started, go = asyncio.Event(), asyncio.Event()
        return list(await asyncio.gather(guarded(started, go), free(started, go)))

    refused, (converted, recorded) = asyncio.run(main())
    assert refused == "refused"
    assert converted == "converted"
    assert recorded == 1  # the guarded task's conversion is not in the other task's audit


def test_nothing_stays_open() -> None:
    assert ACTIVE[0] == 0  # the fast paths check only this
    with xb.guard(copy="raise"), xb.audit():
        assert ACTIVE[0] == 2
    assert ACTIVE[0] == 0
    with pytest.raises(KeyError), xb.guard(copy="warn"):
        raise KeyError
    assert ACTIVE[0] == 0


# ---------------------------------------------------------------------- the audit


def test_audit_records_every_conversion() -> None:
    torch = pytest.importorskip("torch")
    a = np.ones((2, 3), dtype=np.float32)
    with xb.audit() as log:
        first = _next_line()
        xb.to_torch(a)
        xb.to_numpy(torch.ones(4), copy=True)
        for _ in range(3):
            xb.add(torch.ones(3), np.ones(3))  # a lift each time
    records = list(log)
    assert len(log) == len(records) == 5
    one = records[0]
    assert (one.source.library, one.source.dtype, one.source.shape) == ("numpy", "float32", (2, 3))
    assert (one.target.library, one.target.device, one.target.shape) == ("torch", "cpu", (2, 3))
    assert one.nbytes == 24
    assert not one.copied
    assert not one.moved
    assert not one.computed
    assert not one.detached
    assert one.implicit == ()
    assert one.where == f"tests/{HERE}:{first}" or one.where.endswith(f"{HERE}:{first}")
    assert one.call == "to_torch"
    assert "torch.from_numpy" in one.route
    assert one.seconds >= 0
    assert records[1].copied
    assert records[1].implicit == ()  # copy=True asked for it
    lifts = records[2:]
    assert {r.call for r in lifts} == {"add (lift)"}
    assert len({r.where for r in lifts}) == 1
    exported = log.to_dicts()
    assert exported[0]["source"] == {
        "library": "numpy",
        "device": "cpu",
        "dtype": "float32",
        "shape": (2, 3),
    }
    assert exported[0]["nbytes"] == 24
    assert set(exported[0]) >= {"source", "target", "nbytes", "copied", "where"}


def test_audit_prints_a_table_by_call_site() -> None:
    pytest.importorskip("torch")
    with xb.audit() as log:
        for _ in range(4):
            xb.to_torch(_readonly())  # copies, implicitly
        line = _next_line()
        xb.to_numpy(np.ones(10))
    text = str(log)
    header, rule, *rows = text.splitlines()
    assert header.split() == [
        "call",
        "site",
        "calls",
        "conversions",
        "bytes",
        "copies",
        "moves",
        "computes",
        "detaches",
        "implicit",
        "time",
    ]
    assert set(rule) <= {"-", " "}
    assert len(rows) == 2
    copies = rows[0].split()
    assert copies[1:6] == ["to_torch", "4", "96", "B", "4"]
    assert "copy" in rows[0]
    assert f"{HERE}:{line}" in rows[1]
    assert repr(log) == "<AuditLog: 5 conversions at 2 call sites>"


def test_audits_nest_and_see_implicit_steps() -> None:
    da = pytest.importorskip("dask.array")
    with xb.audit() as outer:
        xb.to_numpy(np.ones(2))
        with xb.audit() as inner:
            xb.to_numpy(da.ones(4, chunks=2))
    assert len(outer) == 2
    assert len(inner) == 1
    assert inner[0].computed
    assert inner[0].implicit == ("compute",)
    assert inner[0].source.library == "dask"
    assert inner[0].nbytes == 32


def test_failed_conversions_are_not_recorded() -> None:
    torch = pytest.importorskip("torch")
    with xb.audit() as log, xb.guard(copy="raise"):
        with pytest.raises(ImplicitCopyError):
            xb.to_torch(_readonly())
        with pytest.raises(xb.GradientBreakError):
            xb.to_numpy(torch.ones(1, requires_grad=True))
    assert len(log) == 0


def test_audit_records_frames_and_containers() -> None:
    pd = pytest.importorskip("pandas")
    with xb.audit() as log:
        xb.to_numpy({"a": np.ones(2), "b": [np.ones(3)]})
        xb.to_numpy(pd.Series([1.0, 2.0]))
    assert [r.source.library for r in log] == ["numpy", "numpy", "pandas.Series"]
    assert log[2].target.shape == (2,)
    assert not log[2].copied

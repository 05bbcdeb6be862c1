"""Decisions are reused only where they are right: the cache of ``xpbridge._recipes``.

A conversion is decided once per (array type, traits, request) and the decision reused.
These tests hold the cache to the planner: arrays with equal traits get equal plans, the
cached path gives what planning afresh gives (values, dtype, aliasing, errors) for every
backend pair and option, and a fact that changes between calls (``requires_grad_()``, a
NumPy array's writeable flag, the gradient mode of this thread or another, JAX's 64-bit
mode) changes the decision.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xpbridge as xb
from xpbridge import _recipes
from xpbridge._backends import adapter_for_type, available_backends, get_adapter
from xpbridge._plan import decide
from xpbridge.testing.strategies import arrays, supported_dtypes

LIBRARIES = [name for name in available_backends() if name != "cupy"]
OPTIONS = [
    {},
    {"copy": True},
    {"copy": False},
    {"detach": True},
    {"dtype": "float32"},
    {"copy": True, "detach": True},
]


def _steps(plan: xb.Plan) -> list[tuple[str, str, bool]]:
    return [(s.action, s.reason, s.copies) for s in plan.steps]


def _host(x: Any) -> np.ndarray:
    if xb.backend_of(x) == "dask":
        x = x.compute()
    return np.asarray(xb.to_numpy(x, detach=True, copy=True))


def _outcome(run: Any) -> tuple[str, Any]:
    try:
        return "ok", run()
    except xb.BridgeError as exc:
        return "error", type(exc)


# ---------------------------------------------------------------------- the traits contract


def _reused_safely(plan: xb.Plan, own: xb.Plan, x: Any) -> bool:
    """Whether `plan` (decided for an array with `x`'s traits) either refuses `x` (the call
    then goes to the full planner) or gives what `x`'s own plan gives: the same values,
    dtype and library, sharing `x`'s memory exactly when `plan` says it does."""
    try:
        result = plan.execute(x)
    except Exception:  # noqa: BLE001 - any refusal sends the call to the planner
        return True
    expected = own.execute(x)
    same = (
        xb.backend_of(result) == xb.backend_of(expected)
        and xb.info(result).dtype == xb.info(expected).dtype
        and np.array_equal(_host(result), _host(expected), equal_nan=True)
    )
    shares = xb.info(x).nbytes and xb.backend_of(result) != "dask"
    return same and (not shares or xb.shares_memory(result, x) == plan.shares_memory)


@pytest.mark.parametrize("library", LIBRARIES)
@settings(max_examples=40)
@given(data=st.data())
def test_equal_traits_mean_equal_plans(library: str, data: st.DataObject) -> None:
    """What ``Adapter.traits`` promises: arrays with equal traits get equal plans, or the
    plan of one refuses the other (then the full planner decides it)."""
    dtype = data.draw(st.sampled_from(supported_dtypes(library)), label="dtype")
    grad = get_adapter(library).has_autograd and dtype.kind in {"real floating", "complex floating"}
    drawn = data.draw(
        st.lists(
            arrays(library, dtype=dtype, requires_grad=data.draw(st.booleans()) and grad),
            min_size=2,
            max_size=5,
        ),
        label="arrays",
    )
    groups: dict[Any, list[Any]] = {}
    for x in drawn:
        source = adapter_for_type(type(x))
        assert source is not None
        groups.setdefault((type(x), source.traits(x)), []).append(x)
    for (_, traits), members in groups.items():
        for target in LIBRARIES:
            for options in OPTIONS:
                if options.get("copy") is False:
                    continue  # always planned in full: the traits need not decide it
                plans = [decide(x, get_adapter(target), **options) for x in members]
                for (x, plan), (y, other) in itertools.combinations(
                    zip(members, plans, strict=True), 2
                ):
                    if _steps(plan) == _steps(other) and type(plan.error) is type(other.error):
                        continue
                    where = (traits, target, options)
                    if plan.error is None and other.error is None:
                        assert _reused_safely(plan, other, y), (where, str(plan), str(other))
                        assert _reused_safely(other, plan, x), (where, str(other), str(plan))
                    # Else one refuses: refusals are never remembered (see below), so each
                    # such call is planned afresh.


def test_refusals_are_not_remembered() -> None:
    torch = pytest.importorskip("torch")
    _recipes.clear()
    t = torch.ones(2, requires_grad=True)
    with pytest.raises(xb.GradientBreakError):
        xb.to_numpy(t)
    request = _recipes.plain_requests("numpy")[torch.Tensor]
    assert not request.recipes  # decided, refused, not kept
    assert xb.shares_memory(xb.to_numpy(t, detach=True), t)


# ---------------------------------------------------------------------- cached == planned


def _make(library: str) -> list[Any]:
    """A few arrays of `library` whose conversions differ: plain, read-only, strided..."""
    base = np.arange(6, dtype=np.float64).reshape(2, 3)
    found = [xb.to(base, library, copy=True), xb.to(base.astype(np.int32), library, copy=True)]
    if library == "numpy":
        readonly = base.copy()
        readonly.flags.writeable = False
        found += [readonly, base[:, ::-1], base.T, base.astype(">f8")]
    adapter = get_adapter(library)
    if adapter.has_autograd:
        found.append(adapter.asarray(base).requires_grad_(True))
    return found


@pytest.mark.parametrize(("source", "target"), list(itertools.product(LIBRARIES, LIBRARIES)))
def test_the_cached_path_agrees_with_planning_afresh(source: str, target: str) -> None:
    for x, options in itertools.product(_make(source), OPTIONS):
        _recipes.clear()
        planned = _outcome(lambda: xb.plan(x, target, **options).execute(x))  # noqa: B023
        first = _outcome(lambda: xb.to(x, target, **options))  # noqa: B023 - decides
        again = _outcome(lambda: xb.to(x, target, **options))  # noqa: B023 - reuses
        for label, (kind, value) in (("first", first), ("cached", again)):
            assert kind == planned[0], (label, source, target, options)
            if kind == "error":
                assert value is planned[1], (label, source, target, options)
                continue
            expected = planned[1]
            assert xb.backend_of(value) == target
            assert xb.info(value).dtype == xb.info(expected).dtype
            np.testing.assert_array_equal(_host(value), _host(expected))
            assert xb.shares_memory(value, x) == xb.shares_memory(expected, x), (
                label,
                source,
                target,
                options,
            )


# ---------------------------------------------------------------------- facts that change


def test_requires_grad_changes_the_decision() -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(3)
    assert xb.shares_memory(xb.to_numpy(t), t)  # decided, and cached, for a plain tensor
    t.requires_grad_(True)
    with pytest.raises(xb.GradientBreakError):
        xb.to_numpy(t)
    # Tensor.numpy() lets a tensor that requires grad out under no_grad; the plan does not.
    with torch.no_grad(), pytest.raises(xb.GradientBreakError):
        xb.to_numpy(t)
    with xb.grad_mode("raise"), torch.no_grad(), pytest.raises(xb.GradientBreakError):
        xb.to_numpy(t)
    assert isinstance(xb.plan(t, "numpy").error, xb.GradientBreakError)


def test_the_writeable_flag_changes_the_decision() -> None:
    torch = pytest.importorskip("torch")
    a = np.ones(4)
    assert xb.shares_memory(xb.to_torch(a), a)
    a.flags.writeable = False
    t = xb.to_torch(a)  # no warning (filterwarnings=error): torch never aliases it
    assert not xb.shares_memory(t, a)
    a.flags.writeable = True
    assert xb.shares_memory(xb.to_torch(a), a)
    assert isinstance(t, torch.Tensor)


def test_torchs_grad_switch_does_not_change_the_decision() -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(3)
    with torch.no_grad():
        inside = xb.to_numpy(t)
    assert xb.shares_memory(xb.to_numpy(t), t)
    assert xb.shares_memory(inside, t)


def test_each_thread_gets_the_decision_of_its_own_grad_mode() -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(3, requires_grad=True)
    start = threading.Barrier(2)
    seen: dict[str, Any] = {}

    def convert(mode: str) -> None:
        with xb.grad_mode(mode):  # type: ignore[arg-type]
            start.wait()
            for _ in range(200):
                seen[mode] = _outcome(lambda: xb.to_numpy(t))[0]
                if seen[mode] != ("ok" if mode == "detach" else "error"):
                    return

    threads = [threading.Thread(target=convert, args=(m,)) for m in ("detach", "preserve")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"detach": "ok", "preserve": "error"}


def test_jax_64_bit_mode_changes_the_decision() -> None:
    jax = pytest.importorskip("jax")
    a = np.ones(3)
    previous = jax.config.jax_enable_x64
    try:
        jax.config.update("jax_enable_x64", True)
        assert xb.to_jax(a).dtype == np.float64
        jax.config.update("jax_enable_x64", False)
        with pytest.raises(xb.UnsupportedDTypeError, match="64-bit"):
            xb.to_jax(a)
        jax.config.update("jax_enable_x64", True)
        assert xb.to_jax(a).dtype == np.float64
    finally:
        jax.config.update("jax_enable_x64", previous)


def test_an_unhashable_option_is_planned_for_the_call_alone() -> None:
    class Device(str):
        __hash__ = None  # type: ignore[assignment]

    a = np.ones(2)
    assert xb.to(a, "numpy", device=Device("cpu")) is a

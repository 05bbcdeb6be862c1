"""Conversion flags: gradients and ``detach``, device moves, ``dtype=`` casts, bfloat16 and
JAX's 64-bit mode. The layouts x dtypes matrix is ``test_convert_matrix.py``.

Sources and targets are the registered backends (the ``source`` and ``target`` fixtures of
``tests/conftest.py``); torch's tensors that require grad and its meta device, and
array-api-strict's fake device, are the inputs that need those libraries.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge import _recipes
from xpbridge._backends import get_adapter
from xpbridge._errors import (
    CopyRequiredError,
    DeviceMismatchError,
    GradientBreakError,
    UnsupportedDTypeError,
    UnsupportedOperationError,
)

torch = pytest.importorskip("torch")
COPIES = (None, True, False)


def lazy(library: str) -> bool:
    """Whether `library` computes on demand (Dask): its arrays snapshot what they take."""
    return bool(xb.info(xb.asarray([0.0], backend=library)).lazy)


def imports_by_copy(library: str) -> bool:
    """Whether `library` takes host memory in only by copying it (MLX), as its adapter says."""
    route = get_adapter(library).host_import("float32")
    return route is not None and route.copies


def convert(x: Any, target: str, **options: Any) -> Any:
    """``xb.to`` checked against ``xb.plan``: the record it ran is the one planned."""
    planned = xb.plan(x, target, **options)
    if planned.error is not None:
        with pytest.raises(type(planned.error)):  # to() refuses exactly as planned
            xb.to(x, target, explain=True, **options)
        raise planned.error
    result, ran = xb.to(x, target, explain=True, **options)
    assert str(ran) == str(planned)
    assert [(s.action, s.reason, s.copies) for s in ran.steps] == [
        (s.action, s.reason, s.copies) for s in planned.steps
    ]
    return result


def host(x: Any) -> np.ndarray:
    name = xb.backend_of(x)
    if name == "torch":
        t = x.detach().cpu().resolve_conj()
        return t.float().numpy() if t.dtype == torch.bfloat16 else t.numpy()
    if name == "dask":
        return np.asarray(x.compute())
    if name == "array_api_strict":
        import array_api_strict

        return np.array(x.to_device(array_api_strict.Device("CPU_DEVICE")))
    if name in {"numpy", "jax"}:
        return np.array(x)
    return np.asarray(xb.to_numpy(x, detach=True, copy=True))  # any other library


def snapshot(x: Any) -> np.ndarray:
    return np.array(host(x), copy=True)


# ---------------------------------------------------------------------- gradients


def _grad_sources() -> dict[str, Any]:
    leaf = torch.arange(1.0, 7.0).reshape(2, 3).requires_grad_(True)
    return {
        "leaf": leaf,
        "non-leaf": leaf * 2,
        "complex": torch.tensor([1 + 2j, 3 - 1j], requires_grad=True),
        "float64": torch.arange(4.0, dtype=torch.float64, requires_grad=True),
    }


GRAD_CASES = list(itertools.product(_grad_sources(), (None, True, False), COPIES))


@pytest.mark.parametrize("mode", ["preserve", "detach", "raise"])
def test_gradients_are_never_cut_silently(mode: str, target: str) -> None:
    failures = []
    for name, detach, copy in GRAD_CASES:
        x = _grad_sources()[name]
        before = snapshot(x)
        grad_fn = x.grad_fn
        leaving = target != "torch"
        cuts = leaving or detach is True
        refused = cuts and (
            mode == "raise" or detach is False or (detach is None and mode != "detach")
        )
        if leaving and detach is None and mode == "detach":
            refused = False
        try:
            with xb.grad_mode(mode):  # type: ignore[arg-type]
                result = convert(x, target, detach=detach, copy=copy)
        except GradientBreakError as exc:
            if not np.array_equal(snapshot(x), before) or not x.requires_grad:
                failures.append(f"{name}->{target}: a refused conversion changed its input")
            if not refused:
                failures.append(f"{name}->{target} detach={detach} copy={copy}: raised {exc}")
            elif "detach=True" not in str(exc) and mode != "raise":
                failures.append(f"{name}->{target}: the message does not name detach=True")
            continue
        except CopyRequiredError:
            # Dask's from_array snapshots its input, and a library whose host import copies
            # (MLX) cannot alias it: copy=False cannot be honoured.
            if not (copy is False and (lazy(target) or imports_by_copy(target))):
                failures.append(f"{name}->{target} copy={copy}: CopyRequiredError")
            continue
        if refused:
            failures.append(f"{name}->{target} detach={detach} mode={mode}: not refused")
            continue
        if not np.array_equal(host(result), before):
            failures.append(f"{name}->{target}: wrong values")
        if not x.requires_grad or x.grad_fn is not grad_fn:
            failures.append(f"{name}->{target}: the source lost its graph")
        if target == "torch":
            keeps = not cuts
            if result.requires_grad != keeps:
                failures.append(f"{name}->torch detach={detach}: requires_grad={keeps} expected")
            if copy and keeps and result.grad_fn is None:
                failures.append(f"{name}->torch copy=True: the copy left the graph")
    assert not failures, "\n".join(failures)


def test_a_refused_detach_is_in_the_plan() -> None:
    t = torch.tensor([1 + 2j, 3 - 1j], requires_grad=True).conj()
    record = xb.plan(t, "numpy")
    assert isinstance(record.error, GradientBreakError)
    text = str(record)
    assert "resolve conjugate view -> copy" in text
    assert "detach: refused (requires_grad: pass detach=True)" in text
    assert not record.detaches
    assert record.steps[0].refused
    with pytest.raises(GradientBreakError, match="detach=True"):
        xb.to_numpy(t)


def test_detach_shares_memory_like_tensor_detach_numpy() -> None:
    t = torch.arange(3.0, requires_grad=True)
    a, record = xb.to(t, "numpy", detach=True, explain=True)
    assert record.detaches
    assert record.shares_memory
    assert "cut the autograd graph: detach=True" in str(record)
    assert xb.shares_memory(a, t)
    c = xb.to_numpy(t, detach=True, copy=True)
    assert not xb.shares_memory(c, t)


def test_detach_mode_says_so_in_the_plan() -> None:
    t = torch.arange(3.0, requires_grad=True)
    with xb.grad_mode("detach"):
        record = xb.plan(t, "numpy")
        assert "the gradient mode is 'detach'" in str(record)
        assert record.error is None
        np.testing.assert_array_equal(xb.to_numpy(t), np.arange(3.0, dtype=np.float32))
        with pytest.raises(GradientBreakError):
            xb.to_numpy(t, detach=False)  # an explicit False wins over the mode


def test_raise_mode_refuses_even_detach() -> None:
    t = torch.arange(3.0, requires_grad=True)
    with xb.grad_mode("raise"):
        with pytest.raises(GradientBreakError, match="'raise'"):
            xb.to_numpy(t, detach=True)
        assert xb.to_torch(t) is t  # staying in torch cuts nothing


# ---------------------------------------------------------------------- devices


def _strict() -> Any:
    return pytest.importorskip("array_api_strict")


@pytest.mark.parametrize("copy", COPIES)
def test_from_a_fake_device_is_a_host_copy(target: str, copy: bool | None) -> None:
    xs = _strict()
    x = xs.asarray(np.arange(12.0).reshape(3, 4), device=xs.Device("device1"))
    before = snapshot(x)
    if target == "array_api_strict":
        result = convert(x, target, copy=copy)
        assert xb.info(result).device == "array_api_strict:device1"
        assert (result is x) == (not copy)
        return
    if copy is False:
        with pytest.raises(CopyRequiredError, match="array_api_strict:device1 -> cpu"):
            convert(x, target, copy=copy)
        np.testing.assert_array_equal(snapshot(x), before)
        return
    result = convert(x, target, copy=copy)
    assert xb.backend_of(result) == target
    assert xb.info(result).device == "cpu"
    np.testing.assert_array_equal(host(result), before)
    xb.at(result)[0, 0].set(-1.0)  # in place where the result can be written: new memory
    np.testing.assert_array_equal(snapshot(x), before)


@pytest.mark.parametrize("device", ["device1", "array_api_strict:device1", "Device"])
def test_to_a_fake_device_moves(source: str, device: str) -> None:
    xs = _strict()
    target_device = xs.Device("device1") if device == "Device" else device
    x = xb.to(np.arange(6.0), source)
    result, record = xb.to(x, "array_api_strict", device=target_device, explain=True)
    assert xb.info(result).device == "array_api_strict:device1"
    assert "move" in [s.action for s in record.steps]
    assert record.copies
    np.testing.assert_array_equal(host(result), np.arange(6.0))
    with pytest.raises(CopyRequiredError, match="device1"):
        xb.to(x, "array_api_strict", device=target_device, copy=False)


def test_to_torch_meta(source: str) -> None:
    x = xb.to(np.arange(6.0).reshape(2, 3), source)
    result = convert(x, "torch", device="meta")
    assert result.device.type == "meta"
    assert result.shape == (2, 3)
    assert result.dtype == torch.float64
    with pytest.raises(CopyRequiredError, match="meta"):
        xb.to(x, "torch", device="meta", copy=False)


def test_meta_tensors_have_nothing_to_convert(target: str) -> None:
    m = torch.empty(2, 3, device="meta")
    if target != "torch":
        with pytest.raises(UnsupportedOperationError, match="meta tensor"):
            convert(m, target)
    with pytest.raises(UnsupportedOperationError, match="meta tensor"):
        convert(m, "torch", device="cpu")
    assert convert(m, "torch") is m
    assert convert(m, "torch", dtype=xb.float16).dtype == torch.float16
    assert not xb.shares_memory(m, m)  # no memory at all


def test_unknown_devices_are_refused() -> None:
    a = np.arange(3.0)
    with pytest.raises(DeviceMismatchError, match="host memory"):
        xb.to(a, "numpy", device="cuda:0")
    with pytest.raises(DeviceMismatchError):
        xb.to(a, "torch", device="nonsense")
    pytest.importorskip("jax")
    with pytest.raises(DeviceMismatchError):
        xb.to(a, "jax", device="cuda:7")


def test_jax_device_objects_are_accepted() -> None:
    jax = pytest.importorskip("jax")
    out = xb.to(np.arange(3.0), "jax", device=jax.devices()[0])
    assert xb.info(out).device == "cpu"


# ---------------------------------------------------------------------- dtype=


CASTS = [
    ("float64", "float32"),
    ("int32", "float64"),
    ("bool", "int8"),
    ("float32", "complex64"),
    ("uint8", "int16"),
    ("float32", "bfloat16"),
    ("bfloat16", "float32"),
]


def _np_dtype(name: str) -> Any:
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _source(library: str, dtype: str) -> Any:
    base = (np.arange(6).reshape(2, 3) % 3).astype(_np_dtype(dtype))
    if library == "torch" and dtype == "bfloat16":
        return torch.from_numpy(base.astype(np.float32)).to(torch.bfloat16)
    return xb.to(base, library)


def _wide(a: np.ndarray) -> np.ndarray:
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def test_dtype_casts(source: str, target: str) -> None:
    pytest.importorskip("ml_dtypes")  # for bfloat16 in NumPy
    import ml_dtypes  # noqa: F401 - NumPy has bfloat16 from now on

    holds_bf16 = {name for name in (source, target) if get_adapter(name).has_dtype("bfloat16")}
    failures = []
    for given, wanted in CASTS:
        if "bfloat16" in (given, wanted) and holds_bf16 != {source, target}:
            continue
        x = _source(source, given)
        expected = snapshot(x).astype(_np_dtype(given)).astype(_np_dtype(wanted))
        for copy in COPIES:
            try:
                result = convert(x, target, dtype=wanted, copy=copy)
            except CopyRequiredError:
                if copy is not False:
                    failures.append(f"{given}->{wanted} copy={copy}: CopyRequiredError")
                continue
            if copy is False:
                failures.append(f"{given}->{wanted}: copy=False allowed a cast")
            found = xb.info(result)
            got = host(result)
            if found.dtype != getattr(xb, wanted) or not np.array_equal(
                _wide(got), _wide(expected)
            ):
                failures.append(f"{given}->{wanted}: got {found.dtype} {got}")
            if found.device == "cpu" and xb.shares_memory(x, result):
                failures.append(f"{given}->{wanted}: a cast aliases its input")
    assert not failures, "\n".join(failures)


def test_a_dtype_the_target_lacks_is_refused() -> None:
    xs = _strict()
    with pytest.raises(UnsupportedDTypeError, match="float16"):
        xb.to(np.ones(2, np.float16), "array_api_strict")
    out = xb.to(np.ones(2, np.float16), "array_api_strict", dtype="float32")
    assert out.dtype == xs.float32
    with pytest.raises(UnsupportedDTypeError, match="bfloat16"):
        xb.to(np.ones(2), "array_api_strict", dtype=xb.bfloat16)


# ---------------------------------------------------------------------- bfloat16


def test_bfloat16_to_numpy_needs_ml_dtypes(monkeypatch: pytest.MonkeyPatch) -> None:
    t = torch.tensor([1.5, -2.0], dtype=torch.bfloat16)
    monkeypatch.delitem(sys.modules, "ml_dtypes", raising=False)
    _recipes.clear()  # decisions made while ml_dtypes was imported
    with pytest.raises(UnsupportedDTypeError) as info:
        xb.to_numpy(t)
    assert "dtype=xb.float32" in str(info.value)
    assert "import ml_dtypes" in str(info.value)
    record = xb.plan(t, "numpy")
    assert isinstance(record.error, UnsupportedDTypeError)
    # Widening happens only when asked for, and says so.
    a, record = xb.to(t, "numpy", dtype=xb.float32, explain=True)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, [1.5, -2.0])
    assert "cast -> copy (bfloat16 -> float32 in torch)" in str(record)


def test_bfloat16_with_ml_dtypes_is_zero_copy_both_ways() -> None:
    ml_dtypes = pytest.importorskip("ml_dtypes")
    t = torch.tensor([1.5, -2.0], dtype=torch.bfloat16)
    a = xb.to_numpy(t)
    assert a.dtype == np.dtype(ml_dtypes.bfloat16)
    assert xb.shares_memory(a, t)
    back = xb.to_torch(a)
    assert back.dtype == torch.bfloat16
    assert xb.shares_memory(back, a)
    assert torch.equal(back, t)


def test_bfloat16_between_torch_and_jax() -> None:
    jnp = pytest.importorskip("jax.numpy")
    t = torch.arange(8.0, dtype=torch.bfloat16)  # torch allocations are 64-byte aligned
    j, record = xb.to(t, "jax", copy=False, explain=True)
    assert j.dtype == jnp.bfloat16
    assert record.shares_memory
    assert xb.shares_memory(j, t)
    assert "bfloat16" in str(record)  # the route that carries bfloat16 (DLPack or the view)
    j2 = xb.to_jax(t)  # copy=None: JAX must not alias writable memory
    assert not xb.shares_memory(j2, t)
    back, record = xb.to(j2, "torch", explain=True)
    assert back.dtype == torch.bfloat16
    assert torch.equal(back, t)
    assert not xb.shares_memory(back, j2)
    assert "immutable" in str(record)
    with pytest.raises(CopyRequiredError, match="immutable"):
        xb.to_torch(j2, copy=False)


# ---------------------------------------------------------------------- JAX's 64-bit mode


@pytest.fixture
def x64_off() -> Any:
    jax = pytest.importorskip("jax")
    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", False)
    yield jax
    jax.config.update("jax_enable_x64", before)


@pytest.mark.parametrize("dtype", ["float64", "complex128", "int64", "uint64"])
@pytest.mark.parametrize("source", ["numpy", "torch"])
def test_jax_without_x64_refuses_wide_dtypes(x64_off: Any, source: str, dtype: str) -> None:
    x = xb.to(np.arange(3).astype(dtype), source)
    with pytest.raises(UnsupportedDTypeError, match="jax_enable_x64"):
        xb.to_jax(x)
    assert isinstance(xb.plan(x, "jax").error, UnsupportedDTypeError)
    narrow = {"float64": "float32", "complex128": "complex64", "int64": "int32"}.get(dtype)
    if narrow:
        out = xb.to_jax(x, dtype=narrow)  # narrowing only when asked for
        assert str(out.dtype) == narrow
        np.testing.assert_array_equal(np.asarray(out), np.arange(3))


def test_jax_without_x64_takes_32_bit_dtypes(x64_off: Any) -> None:
    out = xb.to_jax(np.arange(3, dtype=np.float32))
    assert str(out.dtype) == "float32"


def test_sparse_tensors_are_refused_clearly() -> None:
    s = torch.eye(3).to_sparse()
    with pytest.raises(UnsupportedOperationError, match="to_dense"):
        xb.to_numpy(s)
    assert xb.to_torch(s) is s  # staying in torch is fine

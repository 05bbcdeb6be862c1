"""The fast paths stay lean and never answer differently from the general path.

No timing here (that is ``python -m benchmarks``): these tests pin down the structure the
speed comes from (the library's own function resolved once per type, nothing else on the
hot path) and check that every shortcut gives what the general path gives, on the inputs
where the two could differ (0-d tensors, mixed dtypes, read-only, byte-swapped or lazily
negated memory, fake devices).
"""

from __future__ import annotations

import inspect
import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._backends import get_adapter
from xpbridge._dispatch import REGISTRY
from xpbridge.testing import Backend, assert_equal

if TYPE_CHECKING:
    from xpbridge._typing import ArrayT

SRC = Path(xb.__file__).parent.parent


def _general(path: str, *required: Any) -> Any:
    """What the general path computes for a call with only the required arguments."""
    function = REGISTRY[path]
    given = iter(required)
    return function.call(tuple(next(given) if p.required else p.default for p in function.params))


# ---------------------------------------------------------------------- structure


def test_numpy_calls_resolve_to_numpys_own_functions() -> None:
    a = np.ones((2, 2))
    xb.add(a, a), xb.exp(a), xb.matmul(a, a)
    assert REGISTRY["add"].fast[np.ndarray] is np.add
    assert REGISTRY["exp"].fast[np.ndarray] is np.exp
    assert REGISTRY["matmul"].fast[np.ndarray] is np.matmul


def test_generated_hot_path_is_type_checks_and_one_lookup() -> None:
    source = inspect.getsource(xb.add)
    hot = source.split("return _call")[0]  # up to the first way out to the general path
    assert hot.count(".__class__") == 2
    assert hot.count("_ROWS[_t]") == 1  # the row of the type; then list indexing
    for costly in ("isinstance", "**", "dict(", "getattr", "type(", "_d"):
        assert costly not in hot, costly
    # Keyword-only options arrive in **_kw: the call without them checks one empty dict
    # (no per-call filling of their defaults); given ones are read from it.
    sum_source = inspect.getsource(xb.sum)
    assert sum_source.startswith("def sum(x, /, **_kw):")
    assert "if not _kw:" in sum_source
    assert "if not _kw:" in inspect.getsource(xb.sort)
    # One or two options: Python's own defaults are as cheap as an empty **_kw dict.
    assert inspect.getsource(xb.reshape).startswith("def reshape(x, /, shape, *, copy=None):")


def test_rows_grow_with_functions_compiled_after_them() -> None:
    from xpbridge._dispatch import array_function, materialize
    from xpbridge._dispatch.tables import FILLERS, ROWS

    x = np.array([-1.5, 2.0])
    xb.add(x, x)  # the ndarray row exists before the new function
    before = len(FILLERS)

    @array_function(backend_path="abs")
    def _probe_abs(x: ArrayT, /) -> ArrayT:  # type: ignore[empty-body]
        """abs, under another name."""

    try:
        probe = materialize("_probe_abs", __name__)
        assert len(FILLERS) > before
        assert all(len(row) == len(FILLERS) for row in ROWS.values())
        np.testing.assert_array_equal(probe(x), np.abs(x))
        assert REGISTRY["_probe_abs"].fast[np.ndarray] is np.abs  # resolved, then cached
        row = ROWS[np.ndarray]
        assert row[REGISTRY["_probe_abs"].slots["fast"]] is np.abs
        # Builtin-named functions are not left in the shared scope (sum, max...).
        assert "sum" not in xb.add.__globals__
        assert "_probe_abs" not in xb.add.__globals__
    finally:
        del REGISTRY["_probe_abs"]


def test_keyword_options_keep_python_semantics() -> None:
    x = np.arange(6.0).reshape(2, 3)
    # The public signature is the stub's, keyword-only parameters included.
    params = inspect.signature(xb.sum).parameters
    assert [p.kind for p in params.values()][1:] == [inspect.Parameter.KEYWORD_ONLY] * 3
    assert xb.sum(x, axis=0, keepdims=True).shape == (1, 3)
    assert xb.sum(x, axis=None).shape == ()  # a default given explicitly
    assert float(xb.sum(x)) == 15.0
    with pytest.raises(TypeError, match=r"sum\(\) got an unexpected keyword argument 'axes'"):
        xb.sum(x, axes=0)
    with pytest.raises(TypeError, match="positional argument"):
        xb.sum(x, 0)  # keyword-only stays keyword-only
    with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
        xb.sum(x, x=x)  # x is positional-only


def test_torch_binary_functions_check_dtypes_but_matmul_does_not() -> None:
    torch = pytest.importorskip("torch")
    t = torch.ones(2, 2)
    xb.add(t, t)
    xb.matmul(t, t)
    # None: torch.add is exact only for identical dtypes, which the generated code checks.
    assert REGISTRY["add"].fast[torch.Tensor] is None
    assert REGISTRY["add"].same[torch.Tensor] is torch.add
    # torch.matmul raises (never promotes) for two dtypes: called without the check.
    assert REGISTRY["matmul"].fast[torch.Tensor] is torch.matmul


# ---------------------------------------------------------------------- same answers

_DTYPES = ["bool", "int8", "uint8", "int32", "int64", "float32", "float64", "complex64"]
_BINARY = ["add", "multiply", "less", "maximum", "logical_and", "bitwise_and", "divide", "pow"]


def _arrays(library: str, dtype: str, shape: tuple[int, ...]) -> Any:
    values = np.asarray(np.arange(1, 1 + int(np.prod(shape)), dtype=np.int64).reshape(shape) % 3)
    if library == "numpy":
        return values.astype(dtype)
    return xb.asarray(values.astype(dtype), backend=library, copy=True)


def _with_fast_paths(library: str, paths: list[str]) -> None:
    """Skip the test where the adapter of `library` has no faster callable for any of
    `paths` (its calls then take the standard namespace's function, nothing to compare)."""
    adapter = get_adapter(library)
    if not any(
        adapter.fast_implementation(p) is not None or adapter.scalar_implementation(p) is not None
        for p in paths
    ):
        pytest.skip(f"{library}: its adapter has no fast implementation of these functions")


def _same_outcome(path: str, *args: Any) -> None:
    """``xb.<path>(*args)`` and the general path return equal arrays, or raise alike."""
    try:
        expected = _general(path, *args)
    except Exception as exc:  # noqa: BLE001 - the general path may refuse (torch uint ops)
        with pytest.raises(type(exc)):
            getattr(xb, path)(*args)
        return
    assert_equal(getattr(xb, path)(*args), expected)


@pytest.mark.parametrize("path", _BINARY)
def test_binary_fast_path_agrees_with_the_general_path(library: str, path: str) -> None:
    _with_fast_paths(library, [path])
    shapes = [(), (3,), (2, 3)]
    for d1, d2 in itertools.product(_DTYPES, repeat=2):
        for s1, s2 in [((), (3,)), ((3,), ()), *((s, s) for s in shapes)]:
            _same_outcome(path, _arrays(library, d1, s1), _arrays(library, d2, s2))


def _scalar_functions() -> list[str]:
    """Every binary function that takes a Python scalar on either side."""
    return sorted(
        path
        for path, f in REGISTRY.items()
        if len(f.params) == 2
        and all(p.required and p.role == "array" for p in f.params)
        and any(p.scalar_ok for p in f.params)
    )


_SCALAR_VALUES = [True, 2, -3, 0.5, 1.5 - 2j, 1000]


@pytest.mark.parametrize("path", _scalar_functions())
def test_array_scalar_calls_agree_with_the_general_path(library: str, path: str) -> None:
    _with_fast_paths(library, [path])
    scalar_first = REGISTRY[path].params[0].scalar_ok
    for dtype in _DTYPES:
        for shape in [(), (2, 3)]:
            x = _arrays(library, dtype, shape)
            for value in _SCALAR_VALUES:
                _same_outcome(path, x, value)
                if scalar_first:
                    _same_outcome(path, value, x)


def test_array_scalar_calls_skip_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.arange(3.0)

    def general(values: tuple[Any, ...]) -> Any:
        msg = "took the general path"
        raise AssertionError(msg)

    general_name = f"_call{REGISTRY['multiply'].slots['fast']}"
    monkeypatch.setitem(xb.multiply.__globals__, general_name, general)
    np.testing.assert_array_equal(xb.multiply(x, 2.0), x * 2.0)
    np.testing.assert_array_equal(xb.multiply(2.0, x), x * 2.0)
    assert xb.multiply(x.astype(np.float32), 0.1).dtype == np.float32  # weakly typed
    with pytest.raises(AssertionError, match="general path"):
        xb.multiply(x, [1.0, 2.0, 3.0])  # a list is no scalar: the general path coerces it


def test_torch_zero_d_promotion_follows_the_standard_not_torch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.ones(3, dtype=torch.float32)
    y = torch.tensor(2.0, dtype=torch.float64)  # torch alone: float32 (0-d loses)
    assert torch.add(x, y).dtype == torch.float32
    assert xb.add(x, y).dtype == torch.float64
    assert xb.matmul(torch.ones(2, 2), torch.ones(2, 2, dtype=torch.float64)).dtype == (
        torch.float64
    )


_ONE_ARRAY = ["exp", "sum", "prod", "max", "abs", "negative", "sqrt"]


def test_one_array_fast_paths_agree_with_the_general_path(library: str) -> None:
    _with_fast_paths(library, [*_ONE_ARRAY, "where", "reshape"])
    for dtype in _DTYPES:
        for shape in [(), (2, 3)]:
            x = _arrays(library, dtype, shape)
            for path in _ONE_ARRAY:
                _same_outcome(path, x)
            _same_outcome("where", _arrays(library, "bool", shape), x, x)
            _same_outcome("reshape", x, (-1,))


def test_a_failing_fast_call_raises_the_general_paths_error_unchained() -> None:
    """The error is xpbridge's, caused by the library's error of the general path; the
    fast call's own error is in no chain."""
    with pytest.raises(xb.ShapeError, match="broadcast") as info:
        xb.add(np.ones(2), np.ones(3))
    library_error = info.value.__cause__
    assert isinstance(library_error, ValueError)
    assert not isinstance(library_error, xb.BridgeError)
    assert library_error.__context__ is None


# ---------------------------------------------------------------------- conversions


def _conversion_inputs() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("numpy", np.arange(6.0))]
    readonly = np.arange(3.0)
    readonly.flags.writeable = False
    found += [
        ("numpy read-only", readonly),
        ("numpy byte-swapped", np.arange(3.0, dtype=">f8")),
        ("numpy reversed", np.arange(4.0)[::-1]),
        ("numpy scalar", np.float64(2.0)),
        ("numpy float16", np.ones(2, dtype=np.float16)),
    ]
    try:
        import torch
    except ImportError:
        pass
    else:
        z = torch.tensor([1 + 2j, 3 - 1j])
        found += [
            ("torch", torch.arange(4.0)),
            ("torch conj view", z.conj()),
            ("torch neg view", z.conj().imag),
            ("torch requires grad", torch.ones(2, requires_grad=True)),
            ("torch bfloat16", torch.ones(2, dtype=torch.bfloat16)),
        ]
    try:
        import jax.numpy as jnp
    except ImportError:
        pass
    else:
        found += [("jax", jnp.arange(3.0)), ("jax bfloat16", jnp.ones(2, dtype=jnp.bfloat16))]
    try:
        import dask.array as da
    except ImportError:
        pass
    else:
        found += [
            ("dask", da.from_array(np.arange(6.0), chunks=2)),
            ("dask float16", da.ones(3, dtype=np.float16)),
        ]
    try:
        import array_api_strict as strict
    except ImportError:
        pass
    else:
        found += [
            ("strict", strict.asarray([1.0, 2.0])),
            ("strict on a fake device", strict.asarray([1.0], device=strict.Device("device1"))),
        ]
    # A plain array of every registered backend that runs here.
    for member in Backend:
        if not member.variant and member.missing() is None:
            found.append(
                (f"{member.library} (plain)", xb.asarray([1.0, 2.0], backend=member.library))
            )
    return found


def _planned(x: Any, target: str) -> Any:
    return xb.to(x, target, explain=True)[0]  # explain=True always takes the planner


def test_fast_conversions_agree_with_the_planner(target: str) -> None:
    for name, x in _conversion_inputs():
        try:
            expected = _planned(x, target)
        except Exception as exc:  # noqa: BLE001 - refused by the planner: refused fast too
            with pytest.raises(type(exc)):
                xb.to(x, target)
            continue
        result = xb.to(x, target)
        assert type(result) is type(expected), name
        assert xb.backend_of(result) == target, name
        assert str(result.dtype) == str(expected.dtype), name
        np.testing.assert_array_equal(
            xb.to_numpy(result, detach=True), xb.to_numpy(expected, detach=True), err_msg=name
        )
        assert xb.shares_memory(x, result) == xb.shares_memory(x, expected), name


# ---------------------------------------------------------------------- torch.compile


def test_torch_compile_traces_xb_calls_without_graph_breaks() -> None:
    """In a fresh interpreter, so the first xb call (adapter import, table fill) is traced."""
    pytest.importorskip("torch")
    code = textwrap.dedent(
        """
        import torch
        import xpbridge as xb

        def f(x, w):
            h = xb.tanh(xb.matmul(x, w))
            h = xb.where(h > 0, h, xb.multiply(h, 0.1))
            return xb.sum(xb.exp(-(h**2)), axis=-1) + xb.mean(h, axis=-1)

        x, w = torch.randn(4, 3), torch.randn(3, 2)
        compiled = torch.compile(f, backend="eager", fullgraph=True)  # raises on a break
        torch.testing.assert_close(compiled(x, w), f(x, w))
        # The tables are reached by one route: no Python-level aliasing guard, which
        # torch.compile would evaluate on every call.
        guards = torch._dynamo.explain(f)(x, w).out_guards
        assert not [g.name for g in guards if g.create_fn_name() == "DUPLICATE_INPUT"]
        """
    )
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_fast_conversion_to_jax_keeps_the_32_bit_mode_refusal() -> None:
    jax = pytest.importorskip("jax")
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", False)
    try:
        with pytest.raises(xb.UnsupportedDTypeError, match="64-bit"):
            xb.to(np.arange(3.0), "jax")  # float64: JAX would narrow it silently
        assert str(xb.to(np.arange(3.0, dtype=np.float32), "jax").dtype) == "float32"
    finally:
        jax.config.update("jax_enable_x64", previous)


# ---------------------------------------------------------------------- threads


def test_first_calls_from_many_threads_fill_the_rows_consistently() -> None:
    """New array types and newly compiled functions met by several threads at once: every
    call computes the right value, and every row ends as long as the slot list."""
    import threading

    from xpbridge._dispatch import array_function, materialize
    from xpbridge._dispatch.tables import FILLERS, ROWS

    class Fresh(np.ndarray):
        """A NumPy subclass no xb function has seen: its own row."""

    @array_function(backend_path="negative")
    def _probe_negative(x: ArrayT, /) -> ArrayT:  # type: ignore[empty-body]
        """negative, under another name."""

    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        try:
            barrier.wait()
            x = np.arange(4.0).view(Fresh) if i % 2 else np.arange(4.0)
            probe = materialize("_probe_negative", __name__)
            for _ in range(50):
                np.testing.assert_array_equal(probe(x), -np.arange(4.0))
                np.testing.assert_array_equal(xb.add(x, x), 2 * np.arange(4.0))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[0]
        assert all(len(row) == len(FILLERS) for row in ROWS.values())
        assert Fresh in ROWS
    finally:
        del REGISTRY["_probe_negative"]

"""The debugging switch: public functions built without generated code answer exactly as the
generated ones do (values, dtypes, errors), only slower."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._dispatch import REGISTRY, materialize, use_generated, uses_generated
from xpbridge.testing import Backend, assert_equal

if TYPE_CHECKING:
    from collections.abc import Callable

SRC = Path(xb.__file__).parent.parent


def _both(path: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The public function of `path` built from generated code, and without."""
    module = ("xpbridge." + path.rpartition(".")[0]).rstrip(".")
    with use_generated(True):
        generated = materialize(path, module)
    with use_generated(False):
        general = materialize(path, module)
    return generated, general


def _outcome(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return function(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - compared below
        return exc


def _assert_same_outcome(path: str, *args: Any, **kwargs: Any) -> None:
    generated, general = _both(path)
    expected = _outcome(generated, args, kwargs)
    actual = _outcome(general, args, kwargs)
    if isinstance(expected, Exception):
        assert type(actual) is type(expected), (path, actual, expected)
        assert str(actual) == str(expected), path
        return
    assert not isinstance(actual, Exception), (path, actual)
    if isinstance(expected, tuple):  # unique_counts, svd...
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            assert_equal(a, e, err_msg=path)
    elif isinstance(expected, bool):
        assert actual is expected, path
    else:
        assert_equal(actual, expected, err_msg=path)


def test_the_switch_builds_plain_functions_with_the_stubs_signature() -> None:
    generated, general = _both("sum")
    assert "_ROWS" in generated.__code__.co_names
    assert "_ROWS" not in general.__code__.co_names
    for built in (generated, general):
        assert inspect.signature(built) == inspect.signature(REGISTRY["sum"].stub)
        assert built.__name__ == "sum"
        assert built.__module__ == "xpbridge"
        assert built.__doc__ == REGISTRY["sum"].stub.__doc__
        assert built.__xpbridge_function__ is REGISTRY["sum"]  # type: ignore[attr-defined]


def test_the_switch_is_restored_after_the_block() -> None:
    before = uses_generated()
    with use_generated(not before):
        assert uses_generated() is (not before)
    assert uses_generated() is before


def test_both_paths_agree_across_backends(backend: Backend, xp: Any) -> None:
    x = xp.asarray(np.arange(6.0).reshape(2, 3))
    i = xp.asarray(np.arange(6).reshape(2, 3))
    mask = xp.asarray(np.arange(6).reshape(2, 3) % 2 == 0)
    v, w = xp.asarray(np.arange(3.0)), xp.asarray(np.arange(1.0, 4.0))
    for path, args, kwargs in [
        ("exp", (x,), {}),
        ("add", (x, x), {}),
        ("add", (x, i), {}),  # promotion
        ("multiply", (x, 0.5), {}),  # array, Python scalar
        ("subtract", (2, x), {}),  # Python scalar, array
        ("less", (i, 3), {}),
        ("sum", (x,), {}),
        ("sum", (x,), {"axis": 0, "keepdims": True}),
        ("sum", (i,), {"dtype": "float64"}),
        ("mean", (x,), {"axis": 1}),
        ("reshape", (x, (3, 2)), {}),
        ("where", (mask, x, i), {}),
        ("matmul", (x, xp.asarray(np.ones((3, 2)))), {}),
        ("astype", (i, "float32"), {}),
        ("concat", ([x, x],), {"axis": 0}),
        ("outer", (v, w), {}),  # generic
        ("allclose", (x, x), {}),  # generic, a Python bool
        ("linalg.vector_norm", (x,), {}),
        ("zeros", ((2,),), {"backend": backend.library}),
        ("ones_like", (x,), {}),
    ]:
        _assert_same_outcome(path, *args, **kwargs)


def test_both_paths_raise_the_same_errors() -> None:
    x = np.arange(3.0)
    _assert_same_outcome("add", x, np.ones(2))  # ValueError: shapes do not broadcast
    _assert_same_outcome("add", x, object())  # UnknownArrayTypeError
    _assert_same_outcome("add", x, [[1.0], [2.0, 3.0]])  # RaggedSequenceError
    _assert_same_outcome("exp", np.asarray(["a"]))  # NumPy's TypeError, translated or not
    _assert_same_outcome("concat", x)  # not a sequence of arrays
    _assert_same_outcome("zeros", (2,), backend="no-such-library")
    with xb.policy(mixing="strict"):
        strict = pytest.importorskip("array_api_strict")
        _assert_same_outcome("add", x, strict.asarray([1.0, 2.0, 3.0]))  # MixedBackendError


def test_both_paths_refuse_wrong_arguments_alike() -> None:
    """Python's own argument errors: same type (the wording of inspect's binding differs)."""
    x = np.arange(3.0)
    generated, general = _both("sum")
    for args, kwargs in [((x, 0), {}), ((x,), {"axes": 0}), ((), {"x": x}), ((), {})]:
        with pytest.raises(TypeError):
            generated(*args, **kwargs)
        with pytest.raises(TypeError):
            general(*args, **kwargs)


def test_environment_variable_turns_generated_code_off() -> None:
    """``XPBRIDGE_DISPATCH=general``, read at import, in a fresh interpreter."""
    code = textwrap.dedent(
        """
        import numpy as np
        import xpbridge as xb
        from xpbridge._dispatch import uses_generated

        assert not uses_generated()
        assert "_ROWS" not in xb.add.__code__.co_names
        assert "_ROWS" not in xb.linalg.solve.__code__.co_names
        a = np.arange(3.0)
        assert xb.add(a, 1).dtype == np.float64
        assert float(xb.sum(a, axis=0)) == 3.0
        assert xb.absolute is xb.abs
        """
    )
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": path, "XPBRIDGE_DISPATCH": "general"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]

"""The error taxonomy: one xpbridge exception per kind of mistake, the same on every backend
and every path (fast, general, laned, namespace, Dask-computed), also the builtin a NumPy
user catches, with a message that names what happened and a fix.

The table of kinds is ``xpbridge._taxonomy.MISTAKES``, written out in ``docs/errors.md``.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xpbridge as xb
from xpbridge import _taxonomy
from xpbridge._backends import available_backends, get_adapter
from xpbridge._dispatch import REGISTRY, materialize, use_generated

if TYPE_CHECKING:
    from collections.abc import Callable

LIBRARIES = [name for name in available_backends() if name != "cupy"]
DOCS = Path(__file__).parents[1] / "docs" / "errors.md"

#: Each class of the taxonomy and the builtin (or NumPy class) code without xpbridge catches.
CLASSES: list[tuple[type[Exception], tuple[type[BaseException], ...]]] = [
    (xb.ShapeError, (ValueError,)),
    (xb.RaggedSequenceError, (ValueError,)),
    (xb.IndexOutOfBoundsError, (IndexError,)),
    (xb.AxisOutOfBoundsError, (IndexError, ValueError, np.exceptions.AxisError)),
    (xb.LinAlgError, (ValueError, np.linalg.LinAlgError)),
    (xb.ValueOverflowError, (OverflowError,)),
    (xb.DivisionByZeroError, (ZeroDivisionError,)),
    (xb.OutOfMemoryError, (MemoryError,)),
    (xb.DeviceMismatchError, (ValueError,)),
    (xb.DeviceNotAvailableError, (ValueError,)),
    (xb.UnsupportedDTypeError, (TypeError,)),
    (xb.ArgumentTypeError, (TypeError,)),
    (xb.UnknownArrayTypeError, (TypeError,)),
    (xb.CopyRequiredError, (BufferError, ValueError)),
    (xb.GradientBreakError, (RuntimeError,)),
    (xb.UnsupportedOperationError, (NotImplementedError,)),
]


@pytest.mark.parametrize(("error", "builtins"), CLASSES, ids=lambda c: getattr(c, "__name__", ""))
def test_each_class_is_a_bridge_error_and_the_builtin(
    error: type[Exception], builtins: tuple[type[BaseException], ...]
) -> None:
    assert issubclass(error, xb.BridgeError)
    for builtin in builtins:
        assert issubclass(error, builtin), (error, builtin)
    raised = error("what happened. the fix")
    assert str(raised) == "what happened. the fix"
    # Dask's distributed scheduler pickles errors; so do multiprocessing pools.
    again = pickle.loads(pickle.dumps(raised))
    assert type(again) is error
    assert str(again) == str(raised)


def test_every_kind_has_a_class_and_advice() -> None:
    for kind, mistake in _taxonomy.MISTAKES.items():
        assert issubclass(mistake.error, xb.BridgeError), kind
        assert len(mistake.advice) > 20, kind
        made = _taxonomy.mistake(kind, "f", "something happened")
        assert isinstance(made, mistake.error)
        assert str(made).startswith("f: something happened. ")


def test_the_docs_list_every_class_of_the_taxonomy() -> None:
    text = DOCS.read_text()
    for error, _ in CLASSES:
        assert f"`{error.__name__}`" in text, error.__name__
    for mistake in _taxonomy.MISTAKES.values():
        assert f"`{mistake.error.__name__}`" in text


# ---------------------------------------------------------------------- the same mistake everywhere


def _on(library: str, values: Any, dtype: str = "float64") -> Any:
    return xb.to(np.asarray(values, dtype=dtype), library, copy=True)


def _raised(call: Callable[[], Any]) -> BaseException | None:
    """What `call` raises, computing a lazy result (Dask) the way users do: converting it."""
    try:
        result = call()
        if result is not None and xb.info(result).lazy:
            xb.to_numpy(result)
    except Exception as exc:  # noqa: BLE001 - returned for the test to judge
        return exc
    return None


#: (id, the mistake on one backend's arrays, the class it must raise, words of the fix)
MISTAKES: list[tuple[str, Callable[[str], Any], type[Exception], str]] = [
    ("broadcast", lambda b: xb.add(_on(b, np.ones(3)), _on(b, np.ones(4))), xb.ShapeError,
     "broadcast_shapes"),
    ("broadcast in where", lambda b: xb.where(_on(b, [True, False], "bool"), _on(b, np.ones(2)),
     _on(b, np.ones(3))), xb.ShapeError, "broadcast"),
    ("reshape", lambda b: xb.reshape(_on(b, np.ones(3)), (2,)), xb.ShapeError, "-1"),
    ("concat", lambda b: xb.concat([_on(b, np.ones((2, 3))), _on(b, np.ones((2, 4)))]),
     xb.ShapeError, "Concat needs"),
    ("stack", lambda b: xb.stack([_on(b, np.ones(2)), _on(b, np.ones(3))]), xb.ShapeError,
     "stack needs"),
    ("matmul", lambda b: xb.matmul(_on(b, np.ones((2, 3))), _on(b, np.ones((2, 3)))),
     xb.ShapeError, "matrix_transpose"),
    ("squeeze", lambda b: xb.squeeze(_on(b, np.ones((2, 3))), axis=0), xb.ShapeError, "shape"),
    ("take", lambda b: xb.take(_on(b, np.ones(3)), _on(b, [5], "int64"), axis=0),
     xb.IndexOutOfBoundsError, "[-n, n)"),
    ("axis", lambda b: xb.sum(_on(b, np.ones(3)), axis=4), xb.AxisOutOfBoundsError, "ndim"),
    ("expand_dims", lambda b: xb.expand_dims(_on(b, np.ones(3)), axis=4),
     xb.AxisOutOfBoundsError, "ndim"),
    ("permute_dims", lambda b: xb.permute_dims(_on(b, np.ones((2, 3))), (0,)),
     xb.AxisOutOfBoundsError, "distinct"),
    ("inv", lambda b: xb.linalg.inv(_on(b, np.zeros((2, 2)))), xb.LinAlgError, "pinv"),
    ("solve", lambda b: xb.linalg.solve(_on(b, np.zeros((2, 2))), _on(b, np.ones((2, 1)))),
     xb.LinAlgError, "singular"),
    ("cholesky", lambda b: xb.linalg.cholesky(_on(b, -np.eye(2))), xb.LinAlgError,
     "positive-definite"),
    ("negative shape", lambda b: xb.zeros((-1, 2), backend=b), xb.ShapeError, "non-negative"),
    ("huge shape", lambda b: xb.empty((2**40, 2**40), backend=b), xb.ShapeError, "64 bits"),
    ("int beyond uint8", lambda b: xb.add(_on(b, [1], "uint8"), 300), xb.ValueOverflowError,
     "xb.iinfo"),
    ("int beyond int64", lambda b: xb.multiply(_on(b, [1], "int64"), 2**64),
     xb.ValueOverflowError, "wider dtype"),
    ("int scalar first", lambda b: xb.subtract(-300, _on(b, [1], "int8")),
     xb.ValueOverflowError, "xb.iinfo"),
    ("at: index", lambda b: xb.at(_on(b, np.zeros(3)))[10].set(1.0), xb.IndexOutOfBoundsError,
     "[-n, n)"),
    ("at: int", lambda b: xb.at(_on(b, [0, 0], "int8"))[0].set(300), xb.ValueOverflowError,
     "xb.iinfo"),
    ("at: float into int", lambda b: xb.at(_on(b, [1, 2, 3], "int64"))[:2].set([7.9, 8.9]),
     xb.UnsupportedDTypeError, "cast"),
    ("list beyond int64", lambda b: xb.asarray([2**70], backend=b), xb.ValueOverflowError,
     "int64"),
    ("to: list beyond int64", lambda b: xb.to([2**70], b), xb.ValueOverflowError, "int64"),
    ("item of many", lambda b: xb.item(_on(b, np.ones(2))), xb.ShapeError, "reduce it first"),
    ("ragged list", lambda b: xb.asarray([[1.0, 2.0], [3.0]], backend=b),
     xb.RaggedSequenceError, "pad the rows"),
    ("unknown device", lambda b: xb.zeros(2, backend=b, device="no-such-device:7"),
     xb.DeviceNotAvailableError, "device"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "fix"), [pytest.param(*m[1:], id=m[0]) for m in MISTAKES]
)
def test_the_same_mistake_raises_the_same_class_on_every_backend(
    library: str, call: Callable[[str], Any], error: type[Exception], fix: str
) -> None:
    raised = _raised(lambda: call(library))
    assert raised is not None, f"{library} raised nothing"
    assert isinstance(raised, error), f"{library}: {type(raised).__name__}: {raised}"
    assert fix in str(raised), f"{library}: the fix {fix!r} is not in {raised}"


# ---------------------------------------------------------------------- every path


def _paths(path: str, args: tuple[Any, ...]) -> dict[str, Callable[[], Any]]:
    """The ways one call can go: generated fast path, general path alone, laned general
    path, plain functions (XPBRIDGE_DISPATCH=general), the namespace's function."""
    function = REGISTRY[path]
    with use_generated(False):
        plain = materialize(path, "xpbridge")
    backend = xb.backend_of(args[0])
    # In signature order, with the defaults of the options not given.
    values = (*args, *(p.default for p in function.params[len(args) :]))
    found: dict[str, Callable[[], Any]] = {
        "fast": lambda: getattr(xb, path)(*args),
        "general": lambda: function._general(values),
        "laned": lambda: function.call(values),
        "plain": lambda: plain(*args),
        "namespace": lambda: getattr(xb.namespace(backend), path)(*args),
    }
    return found


@pytest.mark.parametrize(
    ("path", "make", "error"),
    [
        ("add", lambda b: (_on(b, np.ones(3)), _on(b, np.ones(4))), xb.ShapeError),
        ("reshape", lambda b: (_on(b, np.ones(3)), (2,)), xb.ShapeError),
        ("add", lambda b: (_on(b, [1], "uint8"), 300), xb.ValueOverflowError),
        ("matmul", lambda b: (_on(b, np.ones((2, 3))), _on(b, np.ones((2, 3)))), xb.ShapeError),
    ],
    ids=["broadcast", "reshape", "overflow", "matmul"],
)
def test_every_path_raises_the_same_class(
    library: str, path: str, make: Callable[[str], tuple[Any, ...]], error: type[Exception]
) -> None:
    args = make(library)
    for name, call in _paths(path, args).items():
        raised = _raised(call)
        assert isinstance(raised, error), f"{library} {name}: {raised!r}"


def test_a_mixed_call_raises_the_same_class_as_a_plain_one() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(xb.ShapeError):
        xb.add(torch.ones(3), np.ones(4))  # lifted into torch, then torch's own refusal
    with pytest.raises(xb.ShapeError):
        xb.add(np.ones(3), torch.ones(4))


# ---------------------------------------------------------------------- the Dask-computed path


def test_a_mistake_inside_a_dask_graph_raises_the_taxonomy_class_on_every_path() -> None:
    da = pytest.importorskip("dask.array")
    singular = xb.linalg.inv(da.zeros((2, 2)))  # lazy: computing it fails
    calls = {
        "to_numpy": lambda: xb.to_numpy(singular),
        "to numpy": lambda: xb.to(singular, "numpy"),
        "copy": lambda: xb.to(singular, "numpy", copy=True),
        "dtype": lambda: xb.to(singular, "numpy", dtype=xb.float32),
        "item": lambda: xb.item(xb.sum(singular)),
        "tolist": lambda: xb.tolist(singular),
    }
    for target in LIBRARIES:
        if target != "dask":
            calls[f"to {target}"] = lambda t=target: xb.to(singular, t)
    for name, call in calls.items():
        raised = _raised(call)
        assert isinstance(raised, xb.LinAlgError), f"{name}: {raised!r}"
        assert isinstance(raised, np.linalg.LinAlgError)


def test_an_error_of_the_users_own_dask_graph_stays_as_it_is_and_computes_once() -> None:
    """A function in the graph raising is not xpbridge's mistake to reword: the same
    exception on every path (it was UnsupportedOperationError with copy=True), computed
    once (a failing decision is explained, not run again)."""
    da = pytest.importorskip("dask.array")
    calls = [0]

    def fails(block: Any) -> Any:
        calls[0] += 1
        msg = "the user's own mistake"
        raise ValueError(msg)

    x = da.ones(3, chunks=3).map_blocks(fails, dtype="float64")
    paths: dict[str, Callable[[], Any]] = {
        "to_numpy": lambda: xb.to_numpy(x),
        "again": lambda: xb.to_numpy(x),
        "copy": lambda: xb.to(x, "numpy", copy=True),
        "dtype": lambda: xb.to(x, "numpy", dtype=xb.float32),
        "item": lambda: xb.item(x[0]),
    }
    for target in LIBRARIES:
        if target != "dask":
            paths[f"to {target}"] = lambda t=target: xb.to(x, t)
    for name, call in paths.items():
        calls[0] = 0
        with pytest.raises(ValueError, match="the user's own mistake") as info:
            call()
        assert type(info.value) is ValueError, name
        assert calls[0] == 1, f"{name}: the graph ran {calls[0]} times"


# ---------------------------------------------------------------------- drawn: error parity


@st.composite
def _mistakes(draw: st.DrawFn) -> tuple[str, Callable[[str], Any], type[Exception]]:
    """A mistake with drawn sizes and values: (its kind, the call on a backend, the class)."""
    kind = draw(st.sampled_from(["broadcast", "reshape", "take", "axis", "overflow", "at"]))
    n = draw(st.integers(2, 5))
    if kind == "broadcast":
        m = draw(st.integers(2, 5).filter(lambda v: v != n))
        return kind, lambda b: xb.multiply(_on(b, np.ones(n)), _on(b, np.ones(m))), xb.ShapeError
    if kind == "reshape":
        m = draw(st.integers(1, 12).filter(lambda v: v != n))
        return kind, lambda b: xb.reshape(_on(b, np.ones(n)), (m,)), xb.ShapeError
    if kind == "take":
        index = draw(st.one_of(st.integers(n, 50), st.integers(-50, -n - 1)))
        return (
            kind,
            lambda b: xb.take(_on(b, np.arange(float(n))), _on(b, [index], "int64"), axis=0),
            xb.IndexOutOfBoundsError,
        )
    if kind == "axis":
        axis = draw(st.one_of(st.integers(1, 9), st.integers(-9, -2)))
        return kind, lambda b: xb.sum(_on(b, np.ones(n)), axis=axis), xb.AxisOutOfBoundsError
    dtype = draw(st.sampled_from(["int8", "uint8", "int16", "int32", "uint32"]))
    info = np.iinfo(dtype)
    value = draw(
        st.one_of(st.integers(int(info.max) + 1, 2**70), st.integers(-(2**70), int(info.min) - 1))
    )
    if kind == "overflow":
        return kind, lambda b: xb.add(_on(b, [1], dtype), value), xb.ValueOverflowError
    return kind, lambda b: xb.at(_on(b, [0, 0], dtype))[0].set(value), xb.ValueOverflowError


@given(drawn=_mistakes())
def test_drawn_mistakes_raise_one_class_on_every_backend(
    drawn: tuple[str, Callable[[str], Any], type[Exception]],
) -> None:
    kind, call, error = drawn
    seen = {}
    for library in LIBRARIES:
        raised = _raised(lambda b=library: call(b))
        seen[library] = type(raised).__name__ if raised is not None else "nothing"
        assert isinstance(raised, error), (kind, library, raised)
    assert len(set(seen.values())) == 1, seen


# ---------------------------------------------------------------------- the library's own error


def test_the_librarys_error_is_kept_as_the_cause() -> None:
    with pytest.raises(xb.ShapeError) as info:
        xb.reshape(np.ones(3), (2,))
    cause = info.value.__cause__
    assert isinstance(cause, ValueError)
    assert not isinstance(cause, xb.BridgeError)
    assert re.search(r"cannot reshape array of size 3", str(info.value))


def test_an_adapter_recognises_only_its_own_wording() -> None:
    """Wording is data: an error another library words differently is left alone."""
    numpy = get_adapter("numpy")
    assert numpy.translate_error(RuntimeError("something else went wrong"), "f") is None
    translated = numpy.translate_error(ValueError("cannot reshape array of size 3"), "f")
    assert isinstance(translated, xb.ShapeError)

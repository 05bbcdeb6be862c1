"""Conformance of ``xb.<name>`` on every backend, against NumPy as the reference.

One table (:data:`CASES`) holds at least one case for every name of the array API standard
2025.12 (main namespace, ``linalg``, ``fft``), every NumPy spelling and ``xb.random``;
:func:`test_every_name_has_a_case` fails when a name has none. Each case runs through
``xb.<name>`` on every backend of the plugin's ``backend`` fixture, with inputs made by its
``xp`` fixture from NumPy arrays, and is compared with the same call made by NumPy (through
``array_api_compat.numpy`` for the standard's names, plain NumPy for its own spellings):
library, dtype (exactly), shape, device (the input's, or the one asked for) and values.

Element-wise functions, reductions and manipulation functions are also checked property-based
(hypothesis) from the same table's specifications: dtypes, shapes, axes, Python scalars and the
standard's type promotion pairs.

Promotion of integer arrays with floating arrays is unspecified by the standard, and xpbridge
follows each library there (NumPy: ``int32 + float32 -> float64``; PyTorch and JAX:
``float32``; array-api-strict refuses): those pairs are never asserted to agree.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import operator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import array_api_compat.numpy as cnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import xpbridge as xb
from xpbridge import _deviations
from xpbridge._api.numpy_spellings import ALIASES
from xpbridge._backends import adapter_for_type, get_adapter
from xpbridge._standard import FFT, FUNCTIONS, LINALG
from xpbridge.testing import Backend, assert_close, assert_equal
from xpbridge.testing.plugin import mark_deviation

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

# ---------------------------------------------------------------------- dtypes

SIGNED = ("int8", "int16", "int32", "int64")
UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
INTS = SIGNED + UNSIGNED
FLOATS = ("float32", "float64")
COMPLEX = ("complex64", "complex128")
REAL = INTS + FLOATS
NUMERIC = REAL + COMPLEX
INEXACT = FLOATS + COMPLEX

#: Pairs of different dtypes the standard promotes (within a kind, or complex with float).
PROMOTION_PAIRS = (
    ("int8", "int16"),
    ("int16", "int64"),
    ("int32", "int8"),
    ("uint8", "uint32"),
    ("uint16", "uint8"),
    ("uint8", "int16"),
    ("int8", "uint8"),
    ("uint32", "int64"),
    ("float32", "float64"),
    ("complex64", "float64"),
    ("float32", "complex128"),
    ("complex64", "complex128"),
)

#: Which Python scalars may stand next to an array of each kind (the standard's rule).
SCALAR_KINDS = {
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "complex": (int, float, complex),
}


def _kind(dtype: str) -> str:
    if dtype == "bool":
        return "bool"
    if dtype in INTS:
        return "int"
    return "complex" if dtype in COMPLEX else "float"


_RNG = np.random.default_rng(20251200)


def uniform(*shape: int, low: float = -2.0, high: float = 2.0, dtype: str = "float64") -> Any:
    return _RNG.uniform(low, high, shape).astype(dtype)


def integers(*shape: int, low: int = -5, high: int = 6, dtype: str = "int64") -> Any:
    return _RNG.integers(low, high, shape).astype(dtype)


def complexes(*shape: int, dtype: str = "complex128") -> Any:
    return (uniform(*shape) + 1j * uniform(*shape)).astype(dtype)


def booleans(*shape: int) -> Any:
    return _RNG.integers(0, 2, shape).astype(bool)


def spd(n: int) -> Any:
    a = uniform(n, n)
    return a @ a.T + n * np.eye(n)


# ---------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Elementwise:
    """An element-wise function: its dtypes and the domain its inputs are drawn from."""

    name: str
    arity: int
    dtypes: tuple[str, ...]
    low: float = -50.0
    high: float = 50.0
    #: Domain of the second argument when it differs (divisors, exponents, shifts).
    low2: float | None = None
    high2: float | None = None
    #: Second arguments with ``|x2| < away`` are excluded (divisions by zero).
    away: float = 0.0
    rtol: float | None = None


@dataclass(frozen=True)
class Reduction:
    name: str
    dtypes: tuple[str, ...]
    #: "tuple": axis may be None, an int or a tuple; "int": None or an int; "required": an int.
    axes: str = "tuple"
    keepdims: bool = True
    correction: bool = False
    include_initial: bool = False
    low: float = -3.0
    high: float = 3.0
    empty_ok: bool = True


@dataclass(frozen=True)
class Case:
    """One table-driven call: ``xb.<path>(*args, **kwargs)`` against the NumPy reference.

    NumPy arrays in `args`/`kwargs` (alone or in a list) become arrays of the backend under
    test. `reference` defaults to the same path in ``array_api_compat.numpy`` (standard
    names) or NumPy (its spellings). `check` replaces the value comparison for results the
    standard leaves partly unspecified (eigenvector phases, ``empty``'s contents...).
    """

    path: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    reference: Callable[..., Any] | None = None
    check: Callable[[Any, Any], None] | None = None
    #: "function", "creation" (no array input: run with backend=/device=, like= and using),
    #: "dtype" (answers about dtypes, not arrays), "random".
    kind: str = "function"
    rtol: float | None = None
    atol: float = 0.0
    id: str = ""
    #: The input dtype the deviations registry is asked about.
    dtype: str | None = None
    #: The result's floating dtype is the backend's default one (NumPy's float64, PyTorch's
    #: float32...), as for creation functions without ``dtype=``.
    default_float: bool | None = None
    #: The result's length depends on the values of an argument (not only of the function):
    #: lazy libraries may leave it unknown until computed.
    unknown_length: bool = False


def _check_eig(actual: Any, x: Any) -> None:
    """``x @ v == v * w`` column by column (the standard leaves order and phase open)."""
    w, v = actual
    np.testing.assert_allclose(x @ v, v * w[..., None, :], rtol=1e-6, atol=1e-8)


def _check_eigvals(actual: Any, x: Any) -> None:
    expected = np.linalg.eigvals(x)
    np.testing.assert_allclose(np.sort_complex(actual), np.sort_complex(expected), rtol=1e-8)


def _check_eigh(actual: Any, x: Any) -> None:
    w, v = actual
    np.testing.assert_allclose(w, np.linalg.eigvalsh(x), rtol=1e-8)
    np.testing.assert_allclose(x @ v, v * w[..., None, :], rtol=1e-6, atol=1e-8)


def _check_qr(actual: Any, x: Any) -> None:
    q, r = actual
    np.testing.assert_allclose(q @ r, x, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(np.triu(r), r, atol=0)


def _check_svd(actual: Any, x: Any) -> None:
    u, s, vh = actual
    np.testing.assert_allclose(s, np.linalg.svd(x, compute_uv=False), rtol=1e-8)
    k = s.shape[-1]
    np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], x, atol=1e-10)


def _check_unique(actual: Any, x: Any) -> None:
    """The unique values in any order, with consistent indices and counts."""
    flat = np.reshape(x, (-1,))
    fields = getattr(actual, "_fields", None) or ("values",)
    parts = dict(zip(fields, actual if fields != ("values",) else (actual,), strict=True))
    values = parts["values"]
    np.testing.assert_array_equal(np.sort(values), np.unique(flat))
    if "counts" in parts:
        np.testing.assert_array_equal(parts["counts"], [np.sum(flat == v) for v in values])
    if "indices" in parts:
        np.testing.assert_array_equal(flat[parts["indices"]], values)
    if "inverse_indices" in parts:
        np.testing.assert_array_equal(np.reshape(values[parts["inverse_indices"]], np.shape(x)), x)


def _values_unchecked(actual: Any, x: Any) -> None:
    """``empty``/``empty_like``: only the kind of array is defined, not its contents."""


ELEMENTWISE = (
    Elementwise("abs", 1, SIGNED + FLOATS + COMPLEX),
    Elementwise("acos", 1, INEXACT, -1, 1),
    Elementwise("acosh", 1, FLOATS, 1, 50),
    Elementwise("add", 2, NUMERIC),
    Elementwise("asin", 1, INEXACT, -1, 1),
    Elementwise("asinh", 1, INEXACT),
    Elementwise("atan", 1, FLOATS, -5, 5),  # complex atan has poles at +-1j
    Elementwise("atan2", 2, FLOATS),
    Elementwise("atanh", 1, FLOATS, -0.99, 0.99),
    Elementwise("bitwise_and", 2, ("bool", *INTS)),
    Elementwise("bitwise_invert", 1, ("bool", *INTS), 0, 50),
    Elementwise("bitwise_left_shift", 2, INTS, 0, 15, 0, 3),
    Elementwise("bitwise_or", 2, ("bool", *INTS)),
    Elementwise("bitwise_right_shift", 2, INTS, 0, 100, 0, 5),
    Elementwise("bitwise_xor", 2, ("bool", *INTS)),
    Elementwise("ceil", 1, REAL),
    Elementwise("conj", 1, COMPLEX),
    Elementwise("copysign", 2, FLOATS),
    Elementwise("cos", 1, INEXACT, -10, 10),
    Elementwise("cosh", 1, INEXACT, -10, 10),
    Elementwise("divide", 2, INEXACT, away=0.5),
    Elementwise("equal", 2, ("bool", *NUMERIC)),
    Elementwise("exp", 1, INEXACT, -10, 10),
    Elementwise("expm1", 1, FLOATS, -10, 10),
    Elementwise("floor", 1, REAL),
    Elementwise("floor_divide", 2, REAL, 0, 50, away=1),
    Elementwise("greater", 2, REAL),
    Elementwise("greater_equal", 2, REAL),
    Elementwise("hypot", 2, FLOATS),
    Elementwise("imag", 1, COMPLEX),
    Elementwise("isfinite", 1, NUMERIC),
    Elementwise("isinf", 1, NUMERIC),
    Elementwise("isnan", 1, NUMERIC),
    Elementwise("less", 2, REAL),
    Elementwise("less_equal", 2, REAL),
    Elementwise("log", 1, INEXACT, 0.01, 100),
    Elementwise("log1p", 1, FLOATS, -0.9, 100),
    Elementwise("log2", 1, FLOATS, 0.01, 100),
    Elementwise("log10", 1, FLOATS, 0.01, 100),
    Elementwise("logaddexp", 2, FLOATS, -20, 20),
    Elementwise("logical_and", 2, ("bool",)),
    Elementwise("logical_not", 1, ("bool",)),
    Elementwise("logical_or", 2, ("bool",)),
    Elementwise("logical_xor", 2, ("bool",)),
    Elementwise("maximum", 2, REAL),
    Elementwise("minimum", 2, REAL),
    Elementwise("multiply", 2, NUMERIC, -10, 10),
    Elementwise("negative", 1, SIGNED + INEXACT),
    Elementwise("nextafter", 2, FLOATS),
    Elementwise("not_equal", 2, ("bool", *NUMERIC)),
    Elementwise("positive", 1, NUMERIC),
    Elementwise("pow", 2, FLOATS, 0.1, 10, -3, 3),
    Elementwise("real", 1, COMPLEX),
    Elementwise("reciprocal", 1, FLOATS, 0.5, 50),
    Elementwise("remainder", 2, REAL, 0, 50, away=1),
    Elementwise("round", 1, REAL),
    Elementwise("sign", 1, SIGNED + FLOATS),
    Elementwise("signbit", 1, FLOATS),
    Elementwise("sin", 1, INEXACT, -10, 10),
    Elementwise("sinh", 1, INEXACT, -10, 10),
    Elementwise("sqrt", 1, FLOATS, 0, 100),
    Elementwise("square", 1, SIGNED + INEXACT, -10, 10),
    Elementwise("subtract", 2, SIGNED + INEXACT),
    Elementwise("tan", 1, FLOATS, -1.5, 1.5),
    Elementwise("tanh", 1, INEXACT, -10, 10),
    Elementwise("trunc", 1, REAL),
    Elementwise("clip", 3, REAL),
)

REDUCTIONS = (
    Reduction("all", ("bool", "int64", "float64")),
    Reduction("any", ("bool", "int32", "float32")),
    Reduction("argmax", REAL, axes="int", empty_ok=False),
    Reduction("argmin", REAL, axes="int", empty_ok=False),
    Reduction("count_nonzero", ("bool", "int16", "float64")),
    Reduction(
        "cumulative_prod",
        ("int32", "int64", *FLOATS),
        axes="required",
        keepdims=False,
        include_initial=True,
        low=-2,
        high=2,
    ),
    Reduction(
        "cumulative_sum",
        ("uint8", "int32", "int64", *FLOATS),
        axes="required",
        keepdims=False,
        include_initial=True,
    ),
    Reduction("max", REAL, empty_ok=False),
    Reduction("mean", FLOATS, empty_ok=False),
    Reduction("min", REAL, empty_ok=False),
    Reduction("prod", ("int8", "int64", *FLOATS), low=-2, high=2),
    Reduction("std", FLOATS, correction=True, empty_ok=False),
    Reduction("sum", ("uint8", "int16", "int64", *FLOATS)),
    Reduction("var", FLOATS, correction=True, empty_ok=False),
)


def _elementwise_case(spec: Elementwise) -> Case:
    """A fixed example of an element-wise function for the table (the first dtype listed)."""
    dtype = next(d for d in spec.dtypes if d not in UNSIGNED[1:])
    args = [_fixed(dtype, spec.low, spec.high, (2, 3))]
    if spec.arity >= 2:
        low = spec.low if spec.low2 is None else spec.low2
        high = spec.high if spec.high2 is None else spec.high2
        second = _fixed(dtype, low, high, (3,))
        if spec.away:
            second = np.where(
                np.abs(second) < spec.away, np.asarray(spec.away, second.dtype), second
            )
        args.append(second)
    if spec.arity == 3:  # clip(x, min, max)
        args = [args[0], np.asarray(-1, dtype=dtype), np.asarray(2, dtype=dtype)]
    return Case(spec.name, tuple(args), id=dtype, dtype=dtype)


def _fixed(dtype: str, low: float, high: float, shape: tuple[int, ...]) -> Any:
    if dtype == "bool":
        return booleans(*shape)
    if dtype in INTS:
        return integers(*shape, low=math.ceil(low), high=int(high) + 1, dtype=dtype)
    if dtype in COMPLEX:
        return (
            uniform(*shape, low=low, high=high) + 0.5j * uniform(*shape, low=low, high=high)
        ).astype(dtype)
    return uniform(*shape, low=low, high=high, dtype=dtype)


def _reduction_cases(spec: Reduction) -> list[Case]:
    dtype = spec.dtypes[-1]
    x = _fixed(dtype, spec.low, spec.high, (3, 4))
    cases = [Case(spec.name, (x,), {"axis": 1}, id=f"{dtype}-axis1", dtype=dtype)]
    if spec.axes != "required":
        cases.append(Case(spec.name, (x,), id=f"{dtype}-all", dtype=dtype))
    if spec.keepdims:
        cases.append(
            Case(spec.name, (x,), {"axis": -1, "keepdims": True}, id="keepdims", dtype=dtype)
        )
    if spec.correction:
        cases.append(
            Case(spec.name, (x,), {"axis": 0, "correction": 1}, id="correction", dtype=dtype)
        )
    if spec.include_initial:
        cases.append(
            Case(spec.name, (x,), {"axis": 0, "include_initial": True}, id="initial", dtype=dtype)
        )
    return cases


X = uniform(3, 4)
X3 = uniform(2, 3, 4)
XI = integers(3, 4)
V = uniform(5)
VI = integers(6, low=0, high=4)
SQUARE = uniform(3, 3) + 3 * np.eye(3)
SPD = spd(3)
ZC = complexes(8)
ZR = uniform(8)


def _linspace_reference(start: Any, stop: Any, num: int = 50, **kwargs: Any) -> Any:
    return np.linspace(start, stop, num, **kwargs)


def _standard_can_cast(from_: Any, to: Any) -> bool:
    """The standard's answer (array-api-strict's), where NumPy's ``can_cast`` is laxer."""
    import array_api_strict as strict

    def own(dtype: Any) -> Any:
        return getattr(strict, np.dtype(getattr(dtype, "dtype", dtype)).name)

    return bool(strict.can_cast(own(from_), own(to)))


def _from_compat(path: str) -> Callable[..., Any]:
    obj: Any = cnp
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[no-any-return]


STANDARD_CASES: list[Case] = [
    # creation
    Case("arange", (5,), kind="creation"),
    Case("arange", (1, 7, 2), {"dtype": xb.float32}, kind="creation", id="float32"),
    Case("arange", (0.0, 1.0, 0.25), kind="creation", id="floats"),
    Case("asarray", ([[1, 2], [3, 4]],), kind="creation", reference=np.asarray),
    Case("asarray", ([1.5, 2.5],), {"dtype": xb.float32}, kind="creation", id="dtype"),
    Case("empty", ((2, 3),), kind="creation", check=_values_unchecked),
    Case("empty_like", (X,), check=_values_unchecked),
    Case("empty_like", (X,), {"dtype": xb.int32}, check=_values_unchecked, id="dtype"),
    Case("eye", (3,), kind="creation"),
    Case("eye", (3, 4), {"k": 1, "dtype": xb.int32}, kind="creation", id="k-int32"),
    Case("from_dlpack", (X,), kind="creation", reference=np.asarray, default_float=False),
    Case("full", ((2, 2), 3.5), kind="creation"),
    Case("full", ((2,), 7), kind="creation", id="int"),
    Case("full", ((2,), True), kind="creation", id="bool"),
    Case("full_like", (X, 2.0)),
    Case("full_like", (XI, 7), {"dtype": xb.int16}, id="int16"),
    Case("linspace", (0, 1, 5), kind="creation"),
    Case(
        "linspace",
        (0.0, 2.0),
        {"endpoint": False},
        kind="creation",
        id="numpy-default-num",
        reference=_linspace_reference,
    ),
    Case("meshgrid", (V, uniform(3))),
    Case("meshgrid", (V, uniform(3)), {"indexing": "ij"}, id="ij"),
    Case("ones", ((2, 3),), kind="creation"),
    Case("ones", (4,), {"dtype": xb.int8}, kind="creation", id="int8"),
    Case("ones_like", (X,)),
    Case("ones_like", (X,), {"dtype": xb.int32}, id="int32"),
    Case("tril", (X,)),
    Case("tril", (X3,), {"k": -1}, id="batched"),
    Case("triu", (X,), {"k": 1}),
    Case("zeros", ((2, 3),), kind="creation"),
    Case("zeros", ((2,),), {"dtype": xb.complex64}, kind="creation", id="complex64"),
    Case("zeros_like", (XI,)),
    # data types
    Case("astype", (X, xb.float32)),
    Case("astype", (X, xb.int32), id="to-int"),
    Case("astype", (XI, xb.float64), {"copy": False}, id="copy-false"),
    Case("astype", (XI.astype("int32"), xb.int64), id="widen", dtype="int32"),
    Case("can_cast", (xb.int8, xb.int16), kind="dtype", reference=_standard_can_cast),
    Case(
        "can_cast",
        (xb.float64, xb.float32),
        kind="dtype",
        id="narrowing",
        reference=_standard_can_cast,
    ),
    Case("can_cast", (XI, xb.float64), kind="dtype", id="array", reference=_standard_can_cast),
    Case(
        "can_cast",
        (xb.uint8, xb.int16),
        kind="dtype",
        id="mixed-sign",
        reference=_standard_can_cast,
    ),
    Case(
        "can_cast",
        (xb.float32, xb.complex64),
        kind="dtype",
        id="complex",
        reference=_standard_can_cast,
    ),
    Case("finfo", (xb.float32,), kind="dtype"),
    Case("finfo", (X,), kind="dtype", id="array"),
    Case("iinfo", (xb.int16,), kind="dtype"),
    Case("iinfo", (XI,), kind="dtype", id="array"),
    Case("isdtype", (xb.float32, "real floating"), kind="dtype"),
    Case("isdtype", (xb.int8, ("integral", xb.float64)), kind="dtype", id="tuple"),
    Case("isdtype", (xb.uint8, "signed integer"), kind="dtype", id="false"),
    Case("result_type", (xb.int8, xb.int16), kind="dtype"),
    Case("result_type", (X.astype("float32"), XI.astype("float64")), kind="dtype", id="arrays"),
    Case("result_type", (XI.astype("int16"), 1), kind="dtype", id="scalar"),
    # indexing
    Case("take", (X, VI[:3] % 3), {"axis": 0}),
    Case("take", (V, VI), id="1d"),
    Case("take_along_axis", (X, np.argsort(X, axis=1)), {"axis": 1}),
    # inspection
    Case("__array_namespace_info__", kind="dtype"),
    # linear algebra in the main namespace
    Case("matmul", (X, uniform(4, 2))),
    Case("matmul", (X3, uniform(4, 5)), id="batched"),
    Case("matmul", (XI, integers(4)), id="int-vector"),
    Case("matrix_transpose", (X3,)),
    Case("tensordot", (X, uniform(4, 2)), {"axes": 1}),
    Case("tensordot", (X3, uniform(3, 4)), {"axes": ([1, 2], [0, 1])}, id="pairs"),
    Case("vecdot", (X, uniform(3, 4))),
    Case("vecdot", (X, uniform(3, 4)), {"axis": 0}, id="axis0"),
    Case("vecdot", (complexes(2, 3), complexes(2, 3)), id="complex"),
    # manipulation
    Case("broadcast_arrays", (uniform(3, 1), uniform(1, 4))),
    Case("broadcast_shapes", ((2, 1), (3,)), kind="dtype"),
    Case("broadcast_to", (V, (2, 5))),
    Case("concat", ([X, uniform(2, 4)],)),
    Case("concat", ([X, uniform(3, 2)],), {"axis": 1}, id="axis1"),
    Case("concat", ([X, V],), {"axis": None}, id="flat"),
    Case("concat", ([XI.astype("int8"), XI.astype("int16")],), id="promotes", dtype="int8"),
    Case("expand_dims", (X,), {"axis": 1}),
    Case("expand_dims", (X,), {"axis": (0, -1)}, id="tuple"),
    Case("flip", (X,)),
    Case("flip", (X3,), {"axis": (0, 2)}, id="axes"),
    Case("moveaxis", (X3, 0, -1)),
    Case("moveaxis", (X3, (0, 1), (2, 0)), id="tuple"),
    Case("permute_dims", (X3, (2, 0, 1))),
    Case("permute_dims", (X3, (-1, 0, -2)), id="negative"),
    Case("repeat", (X, 2)),
    Case(
        "repeat",
        (X, np.asarray([1, 0, 2])),
        {"axis": 0},
        id="array",
        unknown_length=True,
    ),
    Case("reshape", (X, (4, 3))),
    Case("reshape", (X, (2, -1)), {"copy": True}, id="copy"),
    Case("roll", (X, 1)),
    Case("roll", (X, (1, -2)), {"axis": (0, 1)}, id="axes"),
    Case("squeeze", (uniform(3, 1, 2),), {"axis": 1}),
    Case("squeeze", (uniform(1, 3, 1),), {"axis": (0, -1)}, id="tuple"),
    Case("stack", ([X, X],)),
    Case("stack", ([X, X],), {"axis": -1}, id="last"),
    Case("tile", (X, (2, 1))),
    Case("tile", (V, (2, 3)), id="rank-up"),
    Case("unstack", (X,)),
    Case("unstack", (X3,), {"axis": -1}, id="last"),
    # searching
    Case("argmax", (X,)),
    Case("argmax", (X,), {"axis": 1, "keepdims": True}, id="axis"),
    Case("argmin", (X,), {"axis": 0}),
    Case("count_nonzero", (XI,)),
    Case("count_nonzero", (XI,), {"axis": 1, "keepdims": True}, id="axis"),
    Case("nonzero", (XI,)),
    Case("searchsorted", (np.sort(V), uniform(4))),
    Case("searchsorted", (np.sort(V), uniform(4)), {"side": "right"}, id="right"),
    Case("searchsorted", (V, uniform(3)), {"sorter": np.argsort(V)}, id="sorter"),
    Case("searchsorted", (np.sort(V), 0.25), id="scalar"),
    Case("where", (X > 0, X, -X)),
    Case("where", (X > 0, X, 0.0), id="scalar"),
    Case("where", (X > 0, XI.astype("float32"), X), id="promotes"),
    # sets
    Case("isin", (XI, VI)),
    Case("isin", (XI, VI), {"invert": True}, id="invert"),
    Case("unique_all", (XI,), check=_check_unique),
    Case("unique_counts", (XI,), check=_check_unique),
    Case("unique_inverse", (XI,), check=_check_unique),
    Case("unique_values", (XI,), check=_check_unique),
    # sorting
    Case("argsort", (X,)),
    Case("argsort", (XI,), {"axis": 0, "descending": True}, id="descending"),
    Case("sort", (X,)),
    Case("sort", (XI,), {"axis": 0, "descending": True}, id="descending"),
    # utility
    Case("diff", (X,)),
    Case("diff", (X,), {"axis": 0, "n": 2}, id="n2"),
    Case("diff", (V,), {"prepend": np.asarray([0.0]), "append": np.asarray([1.0, 2.0])}, id="pend"),
    # reductions not covered by the generated cases
    Case("sum", (XI.astype("int32"),), {"dtype": xb.float64}, id="dtype", dtype="int32"),
    Case("prod", (XI.astype("int16"),), {"axis": 0, "dtype": xb.int64}, id="dtype", dtype="int16"),
    Case("sum", (integers(3, low=0, high=9, dtype="uint8"),), id="uint8", dtype="uint8"),
    Case("prod", (integers(3, low=0, high=5, dtype="uint8"),), id="uint8", dtype="uint8"),
    Case("mean", (uniform(2, 3, 4, dtype="float32"),), {"axis": (0, 2)}, id="axes"),
    Case("cumulative_sum", (V,), id="1d"),
    # unsigned arithmetic where PyTorch has none
    Case(
        "add",
        (integers(4, low=0, high=9, dtype="uint16"), integers(4, low=0, high=9, dtype="uint16")),
        id="uint16",
        dtype="uint16",
    ),
    Case("multiply", (integers(4, low=0, high=9, dtype="uint32"), 3), id="uint32", dtype="uint32"),
    Case("max", (integers(4, low=0, high=9, dtype="uint64"),), id="uint64", dtype="uint64"),
]

LINALG_CASES: list[Case] = [
    Case("linalg.cholesky", (SPD,)),
    Case("linalg.cholesky", (SPD,), {"upper": True}, id="upper"),
    Case("linalg.cross", (uniform(2, 3), uniform(2, 3))),
    Case("linalg.cross", (uniform(3, 2), uniform(3, 2)), {"axis": 0}, id="axis0"),
    Case("linalg.det", (SQUARE,)),
    Case("linalg.det", (np.stack([SQUARE, SPD]),), id="batched"),
    Case("linalg.diagonal", (X,)),
    Case("linalg.diagonal", (X3,), {"offset": 1}, id="offset"),
    Case("linalg.eig", (SQUARE,), check=_check_eig),
    Case("linalg.eigh", (SPD,), check=_check_eigh),
    Case("linalg.eigvals", (SQUARE,), check=_check_eigvals),
    Case("linalg.eigvalsh", (SPD,)),
    Case("linalg.inv", (SQUARE,)),
    Case("linalg.matmul", (X, uniform(4, 2))),
    Case("linalg.matrix_norm", (X,)),
    Case("linalg.matrix_norm", (X,), {"ord": "nuc"}, id="nuc"),
    Case("linalg.matrix_norm", (X3,), {"ord": 2, "keepdims": True}, id="2-keepdims"),
    Case("linalg.matrix_norm", (X,), {"ord": -math.inf}, id="-inf"),
    Case("linalg.matrix_power", (SQUARE, 3)),
    Case("linalg.matrix_power", (SQUARE, -1), id="inverse"),
    Case("linalg.matrix_rank", (X,)),
    Case("linalg.matrix_rank", (np.outer(V, V),), {"rtol": 1e-6}, id="rank1"),
    Case("linalg.matrix_transpose", (X,)),
    Case("linalg.outer", (V, uniform(3))),
    Case("linalg.pinv", (X,)),
    Case("linalg.qr", (X,), check=_check_qr),
    Case("linalg.qr", (X.T,), {"mode": "complete"}, check=_check_qr, id="complete"),
    Case("linalg.slogdet", (SQUARE,)),
    Case("linalg.solve", (SQUARE, uniform(3, 2))),
    Case("linalg.solve", (np.stack([SQUARE, SPD]), uniform(2, 3, 1)), id="batched"),
    Case("linalg.svd", (X,), check=_check_svd),
    Case("linalg.svd", (X,), {"full_matrices": False}, check=_check_svd, id="reduced"),
    Case("linalg.svdvals", (X,)),
    Case("linalg.tensordot", (X, uniform(4, 2)), {"axes": 1}),
    Case("linalg.trace", (X,)),
    Case("linalg.trace", (X3,), {"offset": -1}, id="offset"),
    Case("linalg.vecdot", (X, uniform(3, 4))),
    Case("linalg.vector_norm", (X,)),
    Case("linalg.vector_norm", (X,), {"axis": 1, "ord": 1, "keepdims": True}, id="l1"),
    Case("linalg.vector_norm", (X,), {"ord": math.inf}, id="inf"),
    Case("linalg.vector_norm", (X3,), {"axis": (0, 2), "ord": 3}, id="axes"),
]

FFT_CASES: list[Case] = [
    Case("fft.fft", (ZC,)),
    Case(
        "fft.fft",
        (complexes(3, 8, dtype="complex64"),),
        {"n": 6, "axis": 0, "norm": "ortho"},
        id="options",
    ),
    Case("fft.ifft", (ZC,)),
    Case("fft.fftn", (complexes(4, 6),)),
    Case("fft.fftn", (complexes(4, 6),), {"s": (3, 4), "axes": (0, 1), "norm": "forward"}, id="s"),
    Case("fft.ifftn", (complexes(4, 6),)),
    Case("fft.rfft", (ZR,)),
    Case("fft.rfft", (uniform(8, dtype="float32"),), id="float32"),
    Case("fft.irfft", (ZC[:5],)),
    Case("fft.irfft", (ZC[:5],), {"n": 9}, id="odd"),
    Case("fft.rfftn", (uniform(4, 6),)),
    Case("fft.irfftn", (complexes(4, 4),)),
    Case("fft.hfft", (ZC[:5],)),
    Case("fft.ihfft", (ZR,)),
    Case("fft.fftfreq", (8,), {"d": 0.5}, kind="creation"),
    Case("fft.fftfreq", (5,), {"dtype": xb.float32}, kind="creation", id="float32"),
    Case("fft.rfftfreq", (8,), kind="creation"),
    Case("fft.fftshift", (ZR,)),
    Case("fft.fftshift", (uniform(3, 4),), {"axes": 1}, id="axes"),
    Case("fft.ifftshift", (uniform(3, 4),)),
]

NUMPY_CASES: list[Case] = [
    Case("allclose", (X, X + 1e-9)),
    Case("allclose", (X, X + 1e-3), id="far"),
    Case("allclose", (X, 0.0), {"atol": 10.0}, id="scalar"),
    Case("array_equal", (XI, XI.copy())),
    Case("array_equal", (XI, XI[:2]), id="shapes"),
    Case(
        "array_equal",
        (np.asarray([1.0, np.nan]), np.asarray([1.0, np.nan])),
        {"equal_nan": True},
        id="nan",
    ),
    Case("concatenate", ([X, uniform(2, 4)],)),
    Case("concatenate", ([X, uniform(3, 1)], 1), id="axis-positional"),
    Case("cumprod", (uniform(2, 3),)),
    Case("cumprod", (uniform(2, 3),), {"axis": 1}, id="axis"),
    Case("cumsum", (XI,)),
    Case("cumsum", (X,), {"axis": 0}, id="axis"),
    Case("deg2rad", (X * 90,)),
    Case("deg2rad", (XI,), id="int", default_float=True),
    Case("dot", (X, uniform(4, 2))),
    Case("dot", (V, V), id="inner"),
    Case("dot", (X3, uniform(4, 2)), id="nd"),
    Case("einsum", ("ij,jk->ik", X, uniform(4, 2))),
    Case("einsum", ("ii", SQUARE), id="trace"),
    Case("hstack", ([X, uniform(3, 2)],)),
    Case("hstack", ([V, V],), id="1d"),
    Case("isclose", (X, X + 1e-9)),
    Case(
        "isclose",
        (np.asarray([np.inf, np.nan, 1.0]), np.asarray([np.inf, np.nan, 1.1])),
        {"equal_nan": True},
        id="special",
    ),
    Case("isclose", (XI, 1), id="int-scalar"),
    Case("outer", (X, V)),
    Case("rad2deg", (X,)),
    Case("ravel", (X3,)),
    Case("swapaxes", (X3, 0, 2)),
    Case("transpose", (X3,)),
    Case("transpose", (X3, (1, 0, 2)), id="axes"),
    Case("unique", (XI,)),
    Case("vstack", ([X, uniform(2, 4)],)),
    Case("vstack", ([V, V],), id="1d"),
]
NUMPY_CASES += [
    Case(alias, case.args, case.kwargs, reference=getattr(np, alias), id=f"alias-{case.id}")
    for alias, target in ALIASES.items()
    for case in [
        next(
            c
            for c in (
                *(_elementwise_case(s) for s in ELEMENTWISE),
                *(c for s in REDUCTIONS for c in _reduction_cases(s)),
                *STANDARD_CASES,
            )
            if c.path == target
        )
    ]
]

RANDOM_CASES: list[Case] = [
    Case("random.Generator", kind="random"),
    Case("random.default_rng", kind="random"),
    Case("random.seed", kind="random"),
    Case("random.rand", kind="random"),
    Case("random.randn", kind="random"),
    Case("random.normal", kind="random"),
    Case("random.uniform", kind="random"),
    Case("random.integers", kind="random"),
]

CASES: list[Case] = [
    *(_elementwise_case(spec) for spec in ELEMENTWISE),
    *(case for spec in REDUCTIONS for case in _reduction_cases(spec)),
    *STANDARD_CASES,
    *LINALG_CASES,
    *FFT_CASES,
    *NUMPY_CASES,
    *RANDOM_CASES,
]


def _case_id(case: Case) -> str:
    return f"{case.path}-{case.id}" if case.id else case.path


# ---------------------------------------------------------------------- coverage of the table


def _numpy_spellings() -> set[str]:
    from xpbridge._dispatch import REGISTRY
    from xpbridge._namespace import _registry

    _registry()
    declared = {
        path
        for path, function in REGISTRY.items()
        if function.stub.__module__.endswith("numpy_spellings")
    }
    return declared | set(ALIASES)


def test_every_name_has_a_case() -> None:
    names = {
        *FUNCTIONS,
        *(f"linalg.{n}" for n in LINALG),
        *(f"fft.{n}" for n in FFT),
        *_numpy_spellings(),
        *(f"random.{n}" for n in xb.random.__all__),
    }
    covered = {case.path for case in CASES}
    missing = sorted(names - covered)
    assert not missing, f"names without a conformance case: {missing}"
    unknown = sorted(covered - names)
    assert not unknown, f"cases for names that are not public: {unknown}"


def test_every_declared_function_is_public() -> None:
    from xpbridge._dispatch import REGISTRY

    for path in REGISTRY:
        module, _, name = path.rpartition(".")
        owner = getattr(xb, module) if module else xb
        assert name in dir(owner), path
        assert callable(getattr(owner, name)), path


# ---------------------------------------------------------------------- running a case


def _resolve(path: str, root: Any = xb) -> Any:
    obj = root
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _to_backend(value: Any, xp: Any) -> Any:
    if isinstance(value, np.ndarray):
        _require_dtype(xp, value.dtype)
        return xp.asarray(value)
    if isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
        for v in value:
            _require_dtype(xp, v.dtype)
        return [xp.asarray(v) for v in value]
    return value


def _require_dtype(xp: Any, dtype: np.dtype[Any]) -> None:
    """Skip the test where the backend of `xp` lacks `dtype` (as its adapter says)."""
    if not xp._adapter.has_dtype(dtype.name):
        pytest.skip(f"{xp.__name__} has no {dtype.name} dtype")


def _device_str(x: Any) -> str:
    adapter = adapter_for_type(type(x))
    assert adapter is not None, f"not an array of a known library: {type(x)}"
    return adapter.device_str(adapter.device(x))


def _reference(case: Case) -> Callable[..., Any]:
    if case.reference is not None:
        return case.reference
    if case.path in ALIASES or case.path in _numpy_spellings():
        return _resolve(case.path, np)  # type: ignore[no-any-return]
    return _from_compat(case.path)


def _numpy_dtype(value: Any) -> Any:
    return np.dtype(value.name) if isinstance(value, xb.DType) else value


def _run_reference(case: Case) -> Any:
    args = [_numpy_dtype(a) for a in case.args]
    kwargs = {k: _numpy_dtype(v) for k, v in case.kwargs.items()}
    return _reference(case)(*args, **kwargs)


def _grad_inputs(values: Sequence[Any]) -> bool:
    return any(
        adapter_for_type(type(v)) is not None and xb.requires_grad(v)
        for value in values
        for v in (value if isinstance(value, list) else [value])
    )


@functools.cache
def _lazy(library: str) -> bool:
    """Whether `library` computes on demand (Dask): its results must stay lazy."""
    return bool(xb.info(xb.asarray([0.0], backend=library)).lazy)


def check_result(
    actual: Any,
    expected: Any,
    member: Backend,
    device: str,
    *,
    rtol: float | None = None,
    atol: float = 0.0,
    check: Callable[[Any, Any], None] | None = None,
    check_input: Any = None,
    grad: bool = False,
    unknown_length: bool = False,
) -> None:
    """`actual` is `member`'s own array(s) on `device`, matching NumPy's `expected`.

    Shapes are compared before anything is computed: a lazy result must know its shape,
    unless `unknown_length` says the length depends on the data (Dask leaves it NaN).
    """
    __tracebackhide__ = True
    if check is not None:
        actual = _host_tree(
            actual, member, device, grad=grad, expected=expected, unknown_length=unknown_length
        )
        check(actual, check_input)
        return
    if isinstance(expected, tuple | list):
        assert isinstance(actual, tuple | list), f"expected a sequence, got {type(actual)}"
        assert len(actual) == len(expected)
        for name in getattr(expected, "_fields", ()):
            assert hasattr(actual, name), f"result has no field {name!r}"
        for a, e in zip(actual, expected, strict=True):
            check_result(
                a, e, member, device, rtol=rtol, atol=atol, grad=grad, unknown_length=unknown_length
            )
        return
    if isinstance(expected, bool | int | float) and not isinstance(expected, np.generic):
        assert type(actual) is type(expected), f"{type(actual)} is not {type(expected)}"
        assert actual == expected
        return
    if not unknown_length:
        assert tuple(actual.shape) == np.shape(expected), (
            f"shape {tuple(actual.shape)}, NumPy's {np.shape(expected)}"
        )
    host = _host(actual, member, device, grad=grad, unknown_length=unknown_length)
    if member.library == "numpy":
        # xpbridge returns what NumPy does, NumPy scalars included.
        compare = assert_equal if rtol == 0 else assert_close
        kwargs = {} if rtol == 0 else {"rtol": rtol, "atol": atol}
        compare(actual, expected, **kwargs)
        return
    expected = np.asarray(expected)
    if np.issubdtype(expected.dtype, np.inexact):
        assert_close(host, expected, rtol=rtol, atol=atol, check_0d=False)
    else:
        assert_equal(host, expected, check_0d=False)


def _host(
    actual: Any, member: Backend, device: str, *, grad: bool, unknown_length: bool = False
) -> Any:
    """Check what `actual` is (library, laziness, known shape, device, autograd) and bring
    it to NumPy."""
    __tracebackhide__ = True
    owner = xb.backend_of(actual)
    assert owner == member.library, f"result is a {owner} array, not {member.library}"
    assert _device_str(actual) == device, f"result on {_device_str(actual)}, input on {device}"
    if not unknown_length:
        assert all(isinstance(n, int) for n in actual.shape), f"unknown shape {actual.shape}"
    if _lazy(member.library):
        assert xb.info(actual).lazy, f"{member.library} results must stay lazy"
        return xb.to_numpy(actual, copy=True)  # computes
    if grad and xb.isdtype(actual.dtype, "real floating"):
        assert xb.requires_grad(actual), (
            "a floating result of inputs that require grad lost its graph"
        )
    return xb.to_numpy(actual, detach=True, copy=True)


def _host_tree(
    actual: Any, member: Backend, device: str, *, grad: bool, expected: Any, unknown_length: bool
) -> Any:
    if isinstance(actual, tuple | list):
        parts = [_host(a, member, device, grad=grad, unknown_length=unknown_length) for a in actual]
        fields = getattr(expected, "_fields", None)
        if fields:
            for name in fields:
                assert hasattr(actual, name), f"result has no field {name!r}"
            return type(expected)(*parts)
        return tuple(parts)
    return _host(actual, member, device, grad=grad, unknown_length=unknown_length)


def _case_dtype(case: Case) -> str:
    """The dtype a case is about: its own, else its first array argument's ("" if none)."""
    if case.dtype is not None:
        return case.dtype
    for value in (*case.args, *case.kwargs.values()):
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, np.ndarray):
                return str(v.dtype)
    return ""


def _apply_deviation(request: pytest.FixtureRequest, member: Backend, case: Case) -> Any:
    """Mark the test strict-xfail for a "differs" deviation; return an "unsupported" one."""
    name = case.path
    found = _deviations.find(member.library, name, _case_dtype(case))
    if found is None:
        return None
    if found.kind == "differs":
        mark_deviation(request, member, name, _case_dtype(case))
        return None
    return found


def _default_floats(expected: Any, library: str) -> Any:
    """NumPy's float64/complex128 results as the backend's default floating dtypes."""
    defaults = xb.namespace(library).__array_namespace_info__().default_dtypes()
    real = _dtype_str(defaults["real floating"])
    complex_ = _dtype_str(defaults["complex floating"])

    def cast(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return (
                type(value)(*map(cast, value))
                if hasattr(value, "_fields")
                else type(value)(map(cast, value))
            )
        dtype = np.asarray(value).dtype
        if dtype == np.float64:
            return np.asarray(value).astype(real)
        if dtype == np.complex128:
            return np.asarray(value).astype(complex_)
        return value

    return cast(expected)


def _dtype_str(dtype: Any) -> str:
    from xpbridge._dtypes import dtype_name

    name = dtype_name(dtype)
    assert name is not None
    return name


def _expected(case: Case, library: str) -> Any:
    expected = _copied(_run_reference(case))
    default_float = case.default_float
    if default_float is None:
        default_float = case.kind == "creation" and "dtype" not in case.kwargs
    if default_float:
        expected = _default_floats(expected, library)
    return expected


def _copied(value: Any) -> Any:
    """NumPy results as plain writable arrays (NumPy warns on the flags of broadcast views)."""
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    if isinstance(value, tuple | list):
        parts = [_copied(v) for v in value]
        return type(value)(*parts) if hasattr(value, "_fields") else type(value)(parts)
    return value


#: Functions whose floating results do not depend on the input values, so torch gives them
#: no autograd graph.
NO_GRAPH = frozenset({"empty_like", "full_like", "ones_like", "zeros_like"})


def _run(
    case: Case,
    member: Backend,
    request: pytest.FixtureRequest,
    call: Callable[[], Any],
    device: str,
    grad: bool,
) -> None:
    deviation = _apply_deviation(request, member, case)
    if deviation is not None:
        with pytest.raises((xb.UnsupportedDTypeError, xb.UnsupportedOperationError)) as info:
            call()
        assert case.path.rpartition(".")[2] in str(info.value), "the error must name the call"
        return
    actual = call()
    check_result(
        actual,
        _expected(case, member.library),
        member,
        device,
        rtol=case.rtol,
        atol=case.atol,
        check=case.check,
        check_input=case.args[0] if case.args else None,
        grad=grad and case.path not in NO_GRAPH,
        unknown_length=case.unknown_length and _lazy(member.library),
    )


FUNCTION_CASES = [c for c in CASES if c.kind == "function"]
CREATION_CASES = [c for c in CASES if c.kind == "creation"]


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=_case_id)
def test_function(case: Case, backend: Backend, xp: Any, request: pytest.FixtureRequest) -> None:
    args = [_to_backend(a, xp) for a in case.args]
    kwargs = {k: _to_backend(v, xp) for k, v in case.kwargs.items()}
    first = next(
        (v for a in args for v in (a if isinstance(a, list) else [a]) if adapter_for_type(type(v))),
        None,
    )
    assert first is not None, "a function case needs an array input"
    function = _resolve(case.path)
    grad = backend.row.requires_grad and _grad_inputs([*args, *kwargs.values()])
    _run(case, backend, request, lambda: function(*args, **kwargs), _device_str(first), grad)


def _creation_ways() -> list[Any]:
    """Each creation case with each way of choosing its backend (``like=`` where it exists)."""
    return [
        pytest.param(case, how, id=f"{_case_id(case)}-{how}")
        for case in CREATION_CASES
        for how in ("backend", "like", "using")
        if how != "like" or "like" in inspect.signature(_resolve(case.path)).parameters
    ]


@pytest.mark.parametrize(("case", "how"), _creation_ways())
def test_creation(
    case: Case, how: str, backend: Backend, xp: Any, request: pytest.FixtureRequest
) -> None:
    """Creation functions make arrays of the backend and device asked for: by ``backend=``
    and ``device=``, by ``like=``, or by ``xb.using``."""
    function = _resolve(case.path)
    template = xp.asarray(np.zeros(2))
    device = _device_str(template)
    kwargs = dict(case.kwargs)
    context: Any = contextlib.nullcontext()
    if how == "backend":
        kwargs.update(backend=backend.library, device=backend.device())
    elif how == "like":
        kwargs.update(like=template)
    else:
        context = xb.using(backend.library, backend.device())
        if case.path == "from_dlpack":
            device = "cpu"  # the standard's from_dlpack keeps the input's device by default

    def call() -> Any:
        with context:
            return function(*case.args, **kwargs)

    _run(case, backend, request, call, device, grad=False)


# ---------------------------------------------------------------------- dtype functions


DTYPE_CASES = [c for c in CASES if c.kind == "dtype"]


def _native(value: Any, xp: Any) -> Any:
    """xpbridge dtypes as the backend's own; NumPy arrays as the backend's arrays."""
    if isinstance(value, xb.DType):
        return getattr(xp, value.name)
    if isinstance(value, tuple):
        return tuple(_native(v, xp) for v in value)
    return _to_backend(value, xp)


@pytest.mark.parametrize("neutral", [False, True], ids=["native-dtypes", "xb-dtypes"])
@pytest.mark.parametrize("case", DTYPE_CASES, ids=_case_id)
def test_dtype_function(case: Case, neutral: bool, backend: Backend, xp: Any) -> None:
    """Data type functions answer as NumPy does, for the backend's dtypes and arrays (or
    xpbridge's backend-neutral dtypes), in the backend's own dtype objects."""
    if case.path == "__array_namespace_info__":
        _check_inspection(backend)
        return
    args = [a if neutral and isinstance(a, xb.DType) else _native(a, xp) for a in case.args]
    actual = _resolve(case.path)(*args)
    expected = _run_reference(case)
    if case.path in {"finfo", "iinfo"}:
        fields = ("bits", "max", "min") + (
            ("eps", "smallest_normal") if case.path == "finfo" else ()
        )
        for name in fields:
            assert float(getattr(actual, name)) == float(getattr(expected, name)), name
        assert _dtype_str(actual.dtype) == _dtype_str(expected.dtype)
    elif case.path == "result_type":
        assert _dtype_str(actual) == _dtype_str(expected)
        if not (neutral and all(isinstance(a, xb.DType) for a in case.args)):
            assert actual == getattr(xp, _dtype_str(actual)), "not the backend's own dtype"
    else:
        assert type(actual) is type(expected)
        assert actual == expected


def _check_inspection(member: Backend) -> None:
    own = xb.namespace(member.library).__array_namespace_info__()
    with xb.using(member.library, member.device()):
        info = xb.__array_namespace_info__()
    for method in ("capabilities", "default_device", "default_dtypes", "devices", "dtypes"):
        assert callable(getattr(info, method)), method
    assert info.default_dtypes() == own.default_dtypes()
    assert set(info.dtypes()) == set(own.dtypes())
    adapter = get_adapter(member.library)
    assert adapter.device_str(info.default_device()) == adapter.device_str(own.default_device())


# ---------------------------------------------------------------------- random


def _random_calls(member: Backend) -> dict[str, Callable[[], tuple[Any, tuple[int, ...], str]]]:
    """Per ``xb.random`` name: a call on `member`, with the shape and kind it must give."""
    library, device = member.library, member.device()

    def in_context(function: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with xb.using(library, device):
                return function()

        return run

    def seeded() -> Any:
        xb.random.seed(7)
        first = xb.random.rand(4)
        xb.random.seed(7)
        second = xb.random.rand(4)
        assert_equal(first, second)
        return first

    def generator() -> Any:
        rng = xb.random.default_rng(1, backend=library, device=device)
        assert isinstance(rng, xb.random.Generator)
        assert rng.backend == library
        return rng.permutation(6)

    return {
        "random.Generator": lambda: (generator(), (6,), "int"),
        "random.default_rng": lambda: (
            xb.random.default_rng(0, backend=library, device=device).random((3, 2)),
            (3, 2),
            "float",
        ),
        "random.seed": lambda: (in_context(seeded)(), (4,), "float"),
        "random.rand": lambda: (in_context(lambda: xb.random.rand(2, 3))(), (2, 3), "float"),
        "random.randn": lambda: (in_context(lambda: xb.random.randn(5))(), (5,), "float"),
        "random.normal": lambda: (
            in_context(lambda: xb.random.normal(1.0, 2.0, (3,)))(),
            (3,),
            "float",
        ),
        "random.uniform": lambda: (
            in_context(lambda: xb.random.uniform(-1.0, 1.0, (2, 2)))(),
            (2, 2),
            "float",
        ),
        "random.integers": lambda: (
            in_context(lambda: xb.random.integers(0, 10, (4,)))(),
            (4,),
            "int",
        ),
    }


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "random"], ids=_case_id)
def test_random(case: Case, backend: Backend, xp: Any) -> None:
    """Random arrays are the backend's, on its device, of its default dtypes (values are
    checked statistically in test_random.py: streams differ across backends)."""
    actual, shape, kind = _random_calls(backend)[case.path]()
    template = xp.asarray(np.zeros(1))
    host = _host(actual, backend, _device_str(template), grad=False)
    assert host.shape == shape
    defaults = xb.namespace(backend.library).__array_namespace_info__().default_dtypes()
    expected = defaults["real floating" if kind == "float" else "integral"]
    assert _dtype_str(actual.dtype) == _dtype_str(expected)
    if kind == "float" and case.path not in {"random.normal", "random.randn"}:
        assert np.all((host >= -1.0) & (host < 1.0))
    if kind == "int":
        assert np.all((host >= 0) & (host < 10))
    if case.path == "random.Generator":  # a permutation
        np.testing.assert_array_equal(np.sort(host), np.arange(6))


# ---------------------------------------------------------------------- property-based


def examples(member: Backend) -> settings:
    """The profile's number of examples; a third for JAX, which compiles every operation
    for each new shape and dtype (about 20 ms each)."""
    count = settings.default.max_examples
    return settings(max_examples=max(5, count // 3) if member.library == "jax" else count)


UNARY = [s for s in ELEMENTWISE if s.arity == 1]
BINARY = [s for s in ELEMENTWISE if s.arity == 2]


#: The shapes JAX is tested with: XLA compiles every operation once per shape and dtype, so
#: a few shapes keep the suite fast while covering 0-d, empty, broadcast and 3-d cases.
JAX_SHAPES = ((), (0,), (3,), (1, 3), (2, 3), (2, 0), (2, 1, 3))
JAX_PAIRS = (((3,), (3,)), ((2, 3), (3,)), ((), (2, 3)), ((2, 1), (1, 3)), ((0,), ()))


def shapes(
    member: Backend, *, min_dims: int = 0, max_dims: int = 3, min_side: int = 0, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, from a few fixed ones for JAX (see :data:`JAX_SHAPES`)."""
    if member.library != "jax":
        return hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
        )
    return st.sampled_from(
        [
            s
            for s in JAX_SHAPES
            if min_dims <= len(s) <= max_dims and all(min_side <= n <= max_side for n in s)
        ]
    )


def shape_pairs(member: Backend) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Pairs of shapes that broadcast together."""
    if member.library == "jax":
        return st.sampled_from(JAX_PAIRS)
    return hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4).map(
        lambda found: found.input_shapes
    )


def _float_bound(value: float, dtype: str, *, up: bool) -> float:
    """`value` moved inward to the nearest number of `dtype` (hypothesis wants exact bounds)."""
    cast = np.dtype(dtype).type(value)
    if (float(cast) < value and up) or (float(cast) > value and not up):
        cast = np.nextafter(cast, np.dtype(dtype).type(np.inf if up else -np.inf))
    return float(cast)


def elements(dtype: str, low: float, high: float, *, away: float = 0.0) -> st.SearchStrategy[Any]:
    """Values of `dtype` in ``[low, high]`` (parts of complex ones), none with ``|v| < away``."""
    if dtype == "bool":
        return st.booleans()
    if dtype in INTS:
        info = np.iinfo(dtype)
        found: st.SearchStrategy[Any] = st.integers(
            max(math.ceil(low), int(info.min)), min(math.floor(high), int(info.max))
        )
    else:
        real = "float32" if dtype in ("float32", "complex64") else "float64"
        part = st.floats(
            _float_bound(low, real, up=True),
            _float_bound(high, real, up=False),
            width=32 if real == "float32" else 64,
            allow_nan=False,
            allow_infinity=False,
            allow_subnormal=False,  # XLA flushes subnormals to zero
        )
        # No negative zeros in complex parts: on a branch cut their sign picks the side,
        # a special case (checked with its deviations by xpbridge.testing.conformance).
        unsigned = part.map(lambda v: v + 0.0)
        found = st.builds(complex, unsigned, unsigned) if dtype in COMPLEX else part
    if away:
        found = found.filter(lambda v: abs(v) >= away)
    return found


def _python_scalar(
    dtype: str, value: Any, data: st.DataObject, low: float, high: float, away: float = 0.0
) -> Any:
    """A Python scalar of a kind the standard allows next to an array of `dtype`, from the
    drawn `value` (kept in ``[low, high]`` and away from zero by `away`)."""
    kind = data.draw(st.sampled_from(SCALAR_KINDS[_kind(dtype)]), label="scalar kind")
    if isinstance(value, complex) and kind is not complex:
        value = value.real
    if kind is int and not isinstance(value, int | np.integer):
        whole = min(max(round(value), math.ceil(low)), math.floor(high))
        value = whole if low <= whole <= high else value
    found = kind(value) if isinstance(value, int) or kind is not int else value
    if abs(found) < away:  # the real part of a complex draw can be near zero
        found = math.ceil(away) if isinstance(found, int) else float(away)
    return found


def _atol(dtype: str, scale: float = 1.0) -> float:
    """Absolute tolerance next to :func:`default_rtol`: for results near zero (and flushed
    subnormals), proportional to the size of the inputs."""
    from xpbridge.testing import default_rtol

    if dtype not in INEXACT:
        return 0.0
    real = "float32" if dtype in ("float32", "complex64") else "float64"
    return default_rtol(real) * 1e-3 * scale + 4 * float(np.finfo(real).smallest_normal)


def held(member: Backend, dtypes: Sequence[str]) -> list[str]:
    """The dtypes of `dtypes` the backend has (MLX has no complex128), as its adapter says:
    the property tests draw only those (a missing one would skip the whole test)."""
    adapter = get_adapter(member.library)
    return [d for d in dtypes if adapter.has_dtype(d)]


def _unsupported(member: Backend, path: str, dtypes: Sequence[str]) -> Any:
    for dtype in dtypes:
        found = _deviations.find(member.library, path, dtype)
        if found is not None:
            return found
    return None


def _differs(member: Backend, path: str, dtype: str) -> bool:
    found = _deviations.find(member.library, path, dtype)
    return found is not None and found.kind == "differs"


def compare_call(
    path: str,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    member: Backend,
    xp: Any,
    dtypes: Sequence[str],
    *,
    atol: float = 0.0,
) -> None:
    """``xb.<path>`` on the backend's versions of `args` equals NumPy's call on `args`.

    Where the deviations registry says the backend cannot compute this (torch's uint16/32/64),
    a clear xpbridge error is the other accepted outcome.
    """
    __tracebackhide__ = True
    inputs = [_to_backend(a, xp) for a in args]
    arrays = [
        v for a in inputs for v in (a if isinstance(a, list) else [a]) if adapter_for_type(type(v))
    ]
    deviation = _unsupported(member, path, dtypes)
    try:
        actual = _resolve(path)(*inputs, **kwargs)
    except (xb.UnsupportedDTypeError, xb.UnsupportedOperationError):
        if deviation is None or deviation.kind != "unsupported":
            raise
        return
    expected = _copied(_reference(Case(path))(*args, **kwargs))
    check_result(
        actual,
        expected,
        member,
        _device_str(arrays[0]),
        atol=atol,
        grad=member.row.requires_grad and _grad_inputs(inputs) and path not in NO_GRAPH,
    )


@pytest.mark.parametrize("spec", UNARY, ids=operator.attrgetter("name"))
def test_unary_property(spec: Elementwise, backend: Backend, xp: Any) -> None:
    @examples(backend)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        dtype = data.draw(st.sampled_from(held(backend, spec.dtypes)), label="dtype")
        shape = data.draw(shapes(backend), label="shape")
        x = data.draw(
            hnp.arrays(dtype, shape, elements=elements(dtype, spec.low, spec.high)), label="x"
        )
        scale = float(np.max(np.abs(x), initial=1.0)) if x.dtype.kind in "fc" else 1.0
        compare_call(spec.name, [x], {}, backend, xp, [dtype], atol=_atol(dtype, scale))

    check()


def _binary_dtypes(spec: Elementwise, member: Backend, data: st.DataObject) -> tuple[str, str]:
    dtypes = held(member, spec.dtypes)
    pairs = [(d, d) for d in dtypes]
    pairs += [p for p in PROMOTION_PAIRS if p[0] in dtypes and p[1] in dtypes]
    return data.draw(st.sampled_from(pairs), label="dtypes")


@pytest.mark.parametrize("spec", BINARY, ids=operator.attrgetter("name"))
def test_binary_property(spec: Elementwise, backend: Backend, xp: Any) -> None:
    """Arrays of the same or promotable dtypes, broadcasting shapes, or a Python scalar on
    either side (weakly typed, as the standard says)."""

    @examples(backend)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        dtype1, dtype2 = _binary_dtypes(spec, backend, data)
        shape1, shape2 = data.draw(shape_pairs(backend), label="shapes")
        low2 = spec.low if spec.low2 is None else spec.low2
        high2 = spec.high if spec.high2 is None else spec.high2
        x1 = data.draw(
            hnp.arrays(dtype1, shape1, elements=elements(dtype1, spec.low, spec.high)),
            label="x1",
        )
        x2 = data.draw(
            hnp.arrays(dtype2, shape2, elements=elements(dtype2, low2, high2, away=spec.away)),
            label="x2",
        )
        args: list[Any] = [x1, x2]
        where = data.draw(
            st.sampled_from(["arrays", "scalar second", "scalar first"]), label="form"
        )
        if where == "scalar second":
            value = data.draw(elements(dtype1, low2, high2, away=spec.away), label="scalar")
            args = [x1, _python_scalar(dtype1, value, data, low2, high2, spec.away)]
            dtype2 = dtype1
        elif where == "scalar first" and not spec.away:
            value = data.draw(elements(dtype2, spec.low, spec.high), label="scalar")
            args, dtype1 = [_python_scalar(dtype2, value, data, spec.low, spec.high), x2], dtype2
        inputs = [a for a in args if isinstance(a, np.ndarray)]
        scale = max(
            (float(np.max(np.abs(a), initial=1.0)) for a in inputs if a.dtype.kind in "fc"),
            default=1.0,
        )
        result = str(np.result_type(*(a.dtype for a in inputs)))
        # A backend may refuse a pair whose result dtype it lacks (MLX: complex64 with
        # float64 promotes to complex128), where its deviations say so.
        compare_call(
            spec.name,
            args,
            {},
            backend,
            xp,
            [dtype1, dtype2, result],
            atol=_atol(result, scale**2),
        )

    check()


def test_clip_property(backend: Backend, xp: Any) -> None:
    """``clip`` with bounds that are arrays of the same dtype, Python scalars or None."""

    @examples(backend)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        dtype = data.draw(st.sampled_from(REAL), label="dtype")
        x = data.draw(
            hnp.arrays(dtype, shapes(backend, max_dims=2), elements=elements(dtype, -50, 50)),
            label="x",
        )
        low, high = sorted(data.draw(st.lists(elements(dtype, -60, 60), min_size=2, max_size=2)))
        bounds = []
        for bound in (low, high):
            form = data.draw(st.sampled_from(["none", "scalar", "array"]), label="bound")
            if form == "scalar":
                bounds.append(_python_scalar(dtype, bound, data, -60, 60))
            elif form == "array":
                bounds.append(np.asarray(bound, dtype=dtype))
            else:
                bounds.append(None)
        if bounds[0] is not None and bounds[1] is not None:
            assume(float(bounds[0]) <= float(bounds[1]))  # rounding to an int may swap them
        compare_call("clip", [x, *bounds], {}, backend, xp, [dtype], atol=_atol(dtype))

    check()


def _axis(ndim: int, data: st.DataObject, *, tuples: bool, optional: bool = True) -> Any:
    """None, an axis (maybe negative) or a tuple of distinct axes of an `ndim`-d array."""
    options: list[st.SearchStrategy[Any]] = [st.none()] if optional else []
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
        if tuples:
            options.append(
                st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).flatmap(
                    lambda axes: st.tuples(*(st.sampled_from([a, a - ndim]) for a in axes))
                )
            )
    return data.draw(st.one_of(options), label="axis")


@pytest.mark.parametrize("spec", REDUCTIONS, ids=operator.attrgetter("name"))
def test_reduction_property(spec: Reduction, backend: Backend, xp: Any) -> None:
    """Reductions over None, one axis or several (negative ones too), with ``keepdims``,
    ``correction`` and ``include_initial`` where the function has them."""

    @examples(backend)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        dtypes = [d for d in held(backend, spec.dtypes) if not _differs(backend, spec.name, d)]
        dtype = data.draw(st.sampled_from(dtypes), label="dtype")
        required = spec.axes == "required"
        shape = data.draw(
            shapes(backend, min_dims=1 if required else 0, min_side=0 if spec.empty_ok else 1),
            label="shape",
        )
        x = data.draw(
            hnp.arrays(dtype, shape, elements=elements(dtype, spec.low, spec.high)), label="x"
        )
        kwargs: dict[str, Any] = {}
        axis = _axis(
            x.ndim, data, tuples=spec.axes == "tuple", optional=not required or x.ndim == 1
        )
        if axis is not None:
            kwargs["axis"] = axis
        if spec.keepdims:
            kwargs["keepdims"] = data.draw(st.booleans(), label="keepdims")
        if spec.correction:
            reduced = (axis,) if isinstance(axis, int) else range(x.ndim) if axis is None else axis
            count = math.prod(x.shape[a] for a in reduced)
            kwargs["correction"] = data.draw(
                st.integers(0, max(0, min(1, count - 1))), label="correction"
            )
        if spec.include_initial:
            kwargs["include_initial"] = data.draw(st.booleans(), label="include_initial")
        scale = float(np.max(np.abs(x), initial=1.0)) ** 2 * max(1, x.size)
        compare_call(spec.name, [x], kwargs, backend, xp, [dtype], atol=_atol(str(x.dtype), scale))

    check()


MANIPULATION_DTYPES = ("bool", "uint8", "int16", "uint16", "float32", "float64", "complex64")


def _manipulation_call(name: str, x: Any, data: st.DataObject) -> tuple[list[Any], dict[str, Any]]:
    """Arguments for manipulation function `name` on `x`, drawn to be valid."""
    ndim = x.ndim
    if name == "flip":
        return [x], {"axis": _axis(ndim, data, tuples=True)}
    if name == "permute_dims":
        order = data.draw(st.permutations(range(ndim)), label="order")
        return [x, tuple(data.draw(st.sampled_from([a, a - ndim])) for a in order)], {}
    if name == "moveaxis":
        count = data.draw(st.integers(1, max(1, ndim)), label="count")
        source = data.draw(
            st.lists(st.integers(0, ndim - 1), min_size=count, max_size=count, unique=True)
        )
        target = data.draw(
            st.lists(
                st.integers(-ndim, ndim - 1),
                min_size=count,
                max_size=count,
                unique_by=lambda a: a % ndim,
            )
        )
        return [x, tuple(source), tuple(target)], {}
    if name == "roll":
        axis = _axis(ndim, data, tuples=True)
        assume(axis != ())  # no axis to roll along: degenerate, and torch and Dask refuse it
        count = len(axis) if isinstance(axis, tuple) else 1
        shift = data.draw(st.lists(st.integers(-5, 5), min_size=count, max_size=count))
        return [x], {"shift": tuple(shift) if isinstance(axis, tuple) else shift[0], "axis": axis}
    if name == "expand_dims":
        axis = data.draw(st.integers(-ndim - 1, ndim), label="axis")
        return [x], {"axis": axis}
    if name == "squeeze":
        ones = [i for i, n in enumerate(x.shape) if n == 1]
        axes = data.draw(st.lists(st.sampled_from(ones), unique=True, min_size=1), label="axes")
        return [x], {"axis": tuple(axes) if len(axes) > 1 else axes[0]}
    if name == "concat":
        axis = data.draw(st.integers(-ndim, ndim - 1), label="axis")
        return [
            [x, x[tuple(slice(0, 1) if i == axis % ndim else slice(None) for i in range(ndim))]]
        ], {"axis": axis}
    if name == "stack":
        return [[x, x]], {"axis": data.draw(st.integers(-ndim - 1, ndim), label="axis")}
    if name == "unstack":
        return [x], {"axis": data.draw(st.integers(-ndim, ndim - 1), label="axis")}
    if name == "tile":
        reps = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=ndim + 1), label="reps")
        return [x, tuple(reps)], {}
    if name == "repeat":
        return [x, data.draw(st.integers(0, 3))], {"axis": _axis(ndim, data, tuples=False)}
    raise AssertionError(name)


MANIPULATIONS = (
    "flip",
    "permute_dims",
    "moveaxis",
    "roll",
    "expand_dims",
    "squeeze",
    "concat",
    "stack",
    "unstack",
    "tile",
    "repeat",
)


@pytest.mark.parametrize("name", MANIPULATIONS)
def test_manipulation_property(name: str, backend: Backend, xp: Any) -> None:
    @examples(backend)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        dtype = data.draw(st.sampled_from(MANIPULATION_DTYPES), label="dtype")
        min_dims = 0 if name in {"expand_dims", "stack", "tile"} else 1
        shape = data.draw(shapes(backend, min_dims=min_dims, max_side=3), label="shape")
        if name == "squeeze":
            shape = (*shape, 1)
        x = data.draw(hnp.arrays(dtype, shape, elements=elements(dtype, -50, 50)), label="x")
        args, kwargs = _manipulation_call(name, x, data)
        compare_call(name, args, kwargs, backend, xp, [dtype])

    check()

"""``xb.namespace(b)`` is the facade: the same functions, signatures, errors and data types.

The namespace's functions are built from the same declarations as ``xb.<name>``: their
signature is the stub's less the routing parameters, a call with arrays behaves as the
facade's, and a call without arrays runs on the namespace's backend.
"""

from __future__ import annotations

import inspect
import itertools
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._dispatch import REGISTRY
from xpbridge._standard import DTYPES, FFT, FUNCTIONS, LINALG

if TYPE_CHECKING:
    from xpbridge.testing import Backend

ROUTING = {"backend", "like", "xp"}
STANDARD_PATHS = sorted(
    [name for name in FUNCTIONS if name in REGISTRY]
    + [f"linalg.{name}" for name in LINALG if f"linalg.{name}" in REGISTRY]
    + [f"fft.{name}" for name in FFT]
)


def _get(root: Any, path: str) -> Any:
    for part in path.split("."):
        root = getattr(root, part)
    return root


@pytest.mark.parametrize("path", STANDARD_PATHS)
def test_signature_is_the_facades_less_routing(path: str, backend: Backend, xp: Any) -> None:
    facade = inspect.signature(_get(xb, path))
    own = inspect.signature(_get(xp, path))
    expected = [p for p in facade.parameters.values() if p.name not in ROUTING]
    assert list(own.parameters.values()) == expected
    assert own.return_annotation == facade.return_annotation


def test_every_standard_name_is_there(xp: Any) -> None:
    for name in FUNCTIONS:
        assert callable(getattr(xp, name)), name
    for name in LINALG:
        assert callable(getattr(xp.linalg, name)), name
    for name in FFT:
        assert callable(getattr(xp.fft, name)), name


def test_a_call_without_arrays_runs_on_the_namespace(backend: Backend, xp: Any) -> None:
    result = xp.add(1, 2)
    assert xb.backend_of(result) == backend.library
    assert xb.backend_of(xp.sum([1.0, 2.0])) == backend.library
    # Arrays route themselves, as in the facade.
    assert xb.backend_of(xp.add(np.ones(2), np.ones(2))) in {"numpy", backend.library}


def test_default_device_of_a_namespace() -> None:
    strict = pytest.importorskip("array_api_strict")
    xp = xb.namespace("array_api_strict", device=strict.Device("device1"))
    for made in (xp.ones(2), xp.arange(3), xp.add(1, 2), xp.linspace(0, 1, 3)):
        assert made.device == strict.Device("device1")
    x = strict.ones(2)  # on the default device: results stay there
    assert xp.zeros_like(x).device == x.device
    assert xp.exp(x).device == x.device


def test_torch_namespace_translates_errors_like_the_facade() -> None:
    torch = pytest.importorskip("torch")
    xp = xb.namespace("torch")
    a = torch.ones(3, dtype=torch.uint16)
    for function in ("subtract", "add", "isin", "maximum"):
        with pytest.raises(xb.UnsupportedDTypeError) as from_facade:
            getattr(xb, function)(a, a)
        with pytest.raises(xb.UnsupportedDTypeError) as from_namespace:
            getattr(xp, function)(a, a)
        assert str(from_namespace.value) == str(from_facade.value)


def test_promotion_of_wide_unsigned_on_torch() -> None:
    torch = pytest.importorskip("torch")
    xp = xb.namespace("torch")
    a, b = torch.ones(2, dtype=torch.uint8), torch.ones(2, dtype=torch.uint16)
    assert xp.multiply(a, b).dtype == torch.uint16
    assert xp.equal(a, torch.ones(2, dtype=torch.uint32)).dtype == torch.bool


@pytest.mark.parametrize(
    ("library", "call"),
    [
        ("torch", lambda xp: xp.linalg.inv(xp.ones((2, 2), dtype=xp.int64))),
        (
            "torch",
            lambda xp: xp.matmul(xp.ones((2, 2), dtype=xp.bool), xp.ones((2, 2), dtype=xp.bool)),
        ),
        (
            "array_api_strict",
            lambda xp: xp.hypot(xp.ones(2, dtype=xp.int8), xp.ones(2, dtype=xp.int8)),
        ),
        ("jax", lambda xp: xp.bitwise_and(xp.ones(2), xp.ones(2))),
        ("dask", lambda xp: xp.bitwise_and(xp.ones(2), xp.ones(2))),
        ("numpy", lambda xp: xp.bitwise_and(xp.ones(2), xp.ones(2))),
    ],
    ids=["torch-inv-int", "torch-matmul-bool", "strict-hypot-int", "jax", "dask", "numpy"],
)
def test_dtype_refusals_are_xpbridge_errors(library: str, call: Any) -> None:
    pytest.importorskip(library)
    xp = xb.namespace(library)
    with pytest.raises(xb.UnsupportedDTypeError, match=f"(?i){library.split('_', maxsplit=1)[0]}"):
        call(xp)
    with pytest.raises(TypeError):  # what a NumPy user catches
        call(xp)


# ---------------------------------------------------------------------- data type functions

_FLOATS = {"float32": np.float32, "float64": np.float64}


@pytest.mark.parametrize("name", ["float32", "float64", "complex64", "complex128"])
def test_finfo_is_the_standards(name: str, backend: Backend, xp: Any) -> None:
    if not xb.namespace(backend.library) or not hasattr(xp, name):
        pytest.skip(f"{backend.library} has no {name}")
    real = {"complex64": "float32", "complex128": "float64"}.get(name, name)
    info = xp.finfo(getattr(xp, name))
    reference = np.finfo(real)
    assert info.dtype == getattr(xp, real)  # the backend's own object
    assert xb.isdtype(info.dtype, "real floating")
    for field in ("eps", "max", "min", "smallest_normal"):
        assert type(getattr(info, field)) is float, field
        assert getattr(info, field) == float(getattr(reference, field)), field
    assert type(info.bits) is int
    assert info.bits == reference.bits
    array = xp.ones(2, dtype=getattr(xp, name))
    assert xp.finfo(array) == info
    assert xb.finfo(array) == info


@pytest.mark.parametrize("name", [n for n in DTYPES if "int" in n])
def test_iinfo_is_the_standards(name: str, backend: Backend, xp: Any) -> None:
    info = xp.iinfo(getattr(xp, name))
    reference = np.iinfo(name)
    assert info.dtype == getattr(xp, name)
    assert (info.bits, info.min, info.max) == (reference.bits, reference.min, reference.max)
    assert all(type(v) is int for v in (info.bits, info.min, info.max))


def test_finfo_of_neutral_dtypes_is_neutral() -> None:
    assert xb.finfo(xb.float32).dtype is xb.float32
    assert xb.finfo(xb.complex128).dtype is xb.float64
    assert xb.iinfo(xb.uint16).dtype is xb.uint16


def test_finfo_and_iinfo_refuse_the_wrong_kind() -> None:
    with pytest.raises(ValueError, match="not a floating-point dtype") as info:
        xb.finfo(xb.int32)
    assert isinstance(info.value, xb.BridgeError)
    with pytest.raises(ValueError, match="not an integer dtype"):
        xb.iinfo(xb.float32)


# The standard's promotion table, written out pair by pair (the test's own copy).
_TABLE = """
int8 int16 int16 | int8 int32 int32 | int8 int64 int64 | int16 int32 int32 | int16 int64 int64
int32 int64 int64 | uint8 uint16 uint16 | uint8 uint32 uint32 | uint8 uint64 uint64
uint16 uint32 uint32 | uint16 uint64 uint64 | uint32 uint64 uint64
int8 uint8 int16 | int8 uint16 int32 | int8 uint32 int64 | int16 uint8 int16 | int16 uint16 int32
int16 uint32 int64 | int32 uint8 int32 | int32 uint16 int32 | int32 uint32 int64
int64 uint8 int64 | int64 uint16 int64 | int64 uint32 int64
float32 float64 float64 | complex64 complex128 complex128 | float32 complex64 complex64
float32 complex128 complex128 | float64 complex64 complex128 | float64 complex128 complex128
"""
PAIRS = {
    frozenset((a, b)): c
    for row in re.split(r"[|\n]", _TABLE)
    if row.strip()
    for a, b, c in [row.split()]
}
for _name in DTYPES:
    PAIRS[frozenset((_name,))] = _name


@pytest.mark.parametrize("neutral", [False, True], ids=["native", "neutral"])
def test_result_type_and_can_cast_follow_the_lattice(
    neutral: bool, backend: Backend, xp: Any
) -> None:
    names = [n for n in DTYPES if hasattr(xp, n)]
    for a, b in itertools.product(names, repeat=2):
        expected = PAIRS.get(frozenset((a, b)))
        da_, db = (getattr(xb, n) if neutral else getattr(xp, n) for n in (a, b))
        assert xp.can_cast(da_, db) == (expected == b), (a, b)
        if expected is None:
            continue  # left to the library (mixed kinds, uint64 with signed)
        if expected not in names:  # the standard's answer is a dtype the backend lacks
            with pytest.raises(xb.UnsupportedDTypeError):
                xp.result_type(da_, db)
            continue
        found = xp.result_type(da_, db)
        assert found == getattr(xp, expected), (a, b, found)
        if not neutral:
            assert xb.result_type(da_, db) == getattr(xp, expected), (a, b)


def test_result_type_on_torch_promotes_wide_unsigned() -> None:
    torch = pytest.importorskip("torch")
    assert xb.result_type(torch.uint8, torch.uint16) is torch.uint16
    assert xb.result_type(torch.int8, torch.uint32) is torch.int64
    assert xb.result_type(torch.ones(1, dtype=torch.uint64), 3) is torch.uint64
    # Pairs the standard leaves open are the library's; torch refuses these: our error.
    with pytest.raises(xb.UnsupportedDTypeError, match="leaves"):
        xb.result_type(torch.uint64, torch.int64)


@pytest.mark.parametrize(
    ("dtype", "scalar", "expected"),
    [
        ("int8", 1, "int8"),
        ("uint16", 7, "uint16"),
        ("float32", 1, "float32"),
        ("float32", 1.5, "float32"),
        ("float32", 1j, "complex64"),
        ("float64", 1j, "complex128"),
        ("complex64", 2.0, "complex64"),
        ("bool", True, "bool"),
    ],
)
def test_result_type_with_python_scalars(dtype: str, scalar: Any, expected: str, xp: Any) -> None:
    if not hasattr(xp, expected):  # the standard's answer is a dtype the backend lacks
        with pytest.raises(xb.UnsupportedDTypeError):
            xp.result_type(getattr(xp, dtype), scalar)
        return
    assert xp.result_type(getattr(xp, dtype), scalar) == getattr(xp, expected)


def test_result_type_needs_an_array_or_dtype() -> None:
    with pytest.raises(ValueError, match="at least one array or dtype"):
        xb.result_type(1, 2.0)

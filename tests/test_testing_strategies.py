"""xpbridge.testing.strategies: every layout really has its property, on every backend."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import errors, given
from hypothesis import strategies as st

import xpbridge as xb
from xpbridge._errors import BridgeError
from xpbridge.testing import Backend, assert_equal
from xpbridge.testing import strategies as xst
from xpbridge.testing.strategies import (
    LAYOUTS,
    InvalidArgumentError,
    arrays,
    dtypes,
    shapes,
    supported_dtypes,
    supported_layouts,
)

# Shapes whose every axis is at least 2 long, so that each layout's property shows.
_SHOWING = shapes(min_dims=2, max_dims=3, min_side=2, max_side=3)


def _host_view(x: Any) -> np.ndarray[Any, Any]:
    """The NumPy array that holds `x`'s memory, for the strided libraries."""
    if isinstance(x, np.ndarray):
        return x
    # array-api-strict wraps a NumPy array in the private attribute _array; reading it is
    # the only way to see the layout of arrays on its fake devices.
    return x._array  # type: ignore[no-any-return]


def _strides(x: Any) -> tuple[int, ...]:
    """Strides in elements."""
    if xb.backend_of(x) == "torch":
        return tuple(x.stride())
    host = _host_view(x)
    return tuple(s // host.itemsize for s in host.strides)


def _c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(math.prod(shape[i + 1 :]) for i in range(len(shape)))


def _check_layout(x: Any, layout: str) -> None:
    """Assert that `x` (every axis at least 2 long) has the property `layout` promises."""
    library = xb.backend_of(x)
    shape = tuple(x.shape)
    if layout == "contiguous":
        if library in {"numpy", "array_api_strict"}:
            assert _host_view(x).flags.c_contiguous
        elif library == "torch":
            assert x.is_contiguous()
        elif library == "dask":
            assert all(n == 1 for n in x.numblocks)
    elif layout == "transposed":
        f_order = tuple(reversed(_c_strides(tuple(reversed(shape)))))
        assert _strides(x) == f_order
        assert _strides(x) != _c_strides(shape)
    elif layout == "sliced":
        strides = _strides(x)
        assert all(s > c for s, c in zip(strides, _c_strides(shape), strict=True)), strides
    elif layout == "negative_strides":
        assert all(s < 0 for s in _strides(x))
    elif layout == "readonly":
        assert not x.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            x[...] = 0
    elif layout == "conj":
        assert x.is_conj()
    elif layout == "neg":
        assert x.is_neg()
    elif layout == "chunked":
        assert all(n > 1 for n in x.numblocks)
    else:  # pragma: no cover - a new layout needs its check here
        raise AssertionError(layout)


@given(data=st.data())
def test_every_layout_has_its_property(backend: Backend, data: st.DataObject) -> None:
    for layout in supported_layouts(backend):
        x = data.draw(arrays(backend, layout=layout, shape=_SHOWING), label=layout)
        assert xb.backend_of(x) == backend.library
        if backend.device() is not None:
            assert x.device == backend.device()
        _check_layout(x, layout)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_need_their_backend(layout: str) -> None:
    # A layout is offered exactly where the library can have it; a registered backend this
    # table does not know has contiguous arrays only (its row of the variant table adds more).
    libraries = {b.library for b in Backend if layout in supported_layouts(b)}
    known = {"numpy", "array_api_strict", "torch", "cupy", "dask", "jax"}
    others = {b.library for b in Backend} - known if layout == "contiguous" else set()
    expected = {
        "contiguous": {"numpy", "array_api_strict", "torch", "cupy", "dask", "jax"},
        "transposed": {"numpy", "array_api_strict", "torch", "cupy"},
        "sliced": {"numpy", "array_api_strict", "torch", "cupy"},
        "negative_strides": {"numpy", "array_api_strict", "cupy"},
        "readonly": {"numpy"},
        "conj": {"torch"},
        "neg": {"torch"},
        "chunked": {"dask"},
    }[layout] | others
    assert libraries == expected


def test_torch_cannot_have_negative_strides() -> None:
    # The reason the layout is not offered: torch refuses negative steps outright.
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="step must be greater than zero"):
        torch.arange(3)[::-1]


@given(data=st.data())
def test_layouts_keep_the_values(backend: Backend, data: st.DataObject) -> None:
    # The same values, whatever the layout: compare with the host array drawn first.
    name = data.draw(st.sampled_from(["bool", "int16", "float32", "float64", "complex64"]))
    host = data.draw(xst._host_values(name, data.draw(_SHOWING), None, False))
    layout = data.draw(st.sampled_from(supported_layouts(backend, name)))
    x = xst._with_layout(data.draw, host, name, layout, _request(backend))
    assert_equal(xb.to_numpy(x, copy=True, detach=True), host)


def _request(backend: Backend) -> Any:
    library, member = xst._library(backend)
    return xst._Request(
        library=library,
        dtype=None,
        shape=None,
        layout=None,
        device=backend.device(),
        elements=None,
        unique=False,
        requires_grad=member is not None and member.row.requires_grad,
        readonly=member is not None and member.row.readonly,
    )


@given(data=st.data())
def test_variants_apply_to_every_array(backend: Backend, data: st.DataObject) -> None:
    x = data.draw(arrays(backend, shape=shapes(max_side=2)))
    assert xb.backend_of(x) == backend.library
    if backend.row.requires_grad:
        inexact = xb.isdtype(x.dtype, ("real floating", "complex floating"))
        assert xb.requires_grad(x) == inexact
    else:
        assert not xb.requires_grad(x)
    if backend.row.readonly:
        assert xb.info(x).readonly


@given(x=arrays("numpy", dtype="float32", shape=(4,), layout="readonly"))
def test_readonly_arrays_refuse_writes(x: np.ndarray[Any, Any]) -> None:
    assert not x.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        x[0] = 1


# ---------------------------------------------------------------------- dtypes and elements


@pytest.mark.parametrize(
    "kind", ["bool", "signed integer", "unsigned integer", "real floating", "complex floating"]
)
@given(data=st.data())
def test_dtypes_of_a_kind(backend: Backend, kind: str, data: st.DataObject) -> None:
    dtype = data.draw(dtypes(backend, kind))
    assert xb.isdtype(getattr(xb.namespace(backend.library), dtype.name), kind)
    x = data.draw(arrays(backend, dtype=dtype, shape=(2,)))
    assert dtype == x.dtype  # xb dtypes compare equal to every library's own


def test_dtypes_cover_what_the_backend_has() -> None:
    standard = {d.name for d in supported_dtypes("numpy")}
    assert standard == {
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float32", "float64", "complex64", "complex128",
    }  # fmt: skip
    extended = {d.name for d in supported_dtypes("numpy", nonstandard=True)}
    assert extended - standard == {"float16"} | ({"bfloat16"} & _numpy_bfloat16())


def _numpy_bfloat16() -> set[str]:
    return {"bfloat16"} if xb.namespace("numpy")._adapter.has_dtype("bfloat16") else set()


def test_dtypes_leave_out_what_the_registry_marks_unsupported(monkeypatch: Any) -> None:
    from xpbridge import _deviations

    fake = _deviations.Deviation("numpy", "frobnicate", "no reason", dtypes=("int8", "uint8"))
    monkeypatch.setattr(_deviations, "DEVIATIONS", (fake,))
    names = {d.name for d in supported_dtypes("numpy", "integral", function="frobnicate")}
    assert "int8" not in names
    assert "uint8" not in names
    assert "int16" in names
    all_names = {d.name for d in supported_dtypes("numpy", "integral")}
    assert {"int8", "uint8"} <= all_names


def test_jax_dtypes_follow_64_bit_mode() -> None:
    jax = pytest.importorskip("jax")
    was = jax.config.read("jax_enable_x64")
    try:
        jax.config.update("jax_enable_x64", False)
        narrow = {d.name for d in supported_dtypes("jax")}
        with pytest.raises(InvalidArgumentError, match="64-bit mode"):
            arrays("jax", dtype="float64")
    finally:
        jax.config.update("jax_enable_x64", was)
    assert "float64" not in narrow
    assert "float32" in narrow


@given(data=st.data())
def test_nonstandard_float_dtypes(data: st.DataObject) -> None:
    pytest.importorskip("torch")
    half = data.draw(arrays("torch", dtype="float16", shape=3))
    brain = data.draw(arrays("torch", dtype="bfloat16", shape=(2, 3), layout="transposed"))
    assert str(half.dtype) == "torch.float16"
    assert str(brain.dtype) == "torch.bfloat16"


@given(
    x=arrays(
        "numpy",
        dtype="float64",
        shape=shapes(min_dims=1),
        elements={"min_value": -2.0, "max_value": 3.0},
        allow_nan=False,
    )
)
def test_elements_are_bounded(x: np.ndarray[Any, Any]) -> None:
    assert not np.isnan(x).any()
    assert ((x >= -2.0) & (x <= 3.0)).all()


@given(x=arrays("numpy", dtype="float32", shape=(8,), allow_nan=False, allow_infinity=False))
def test_elements_can_be_finite(x: np.ndarray[Any, Any]) -> None:
    assert np.isfinite(x).all()


@given(x=arrays("numpy", dtype="int8", shape=(5,), elements=st.integers(0, 3)))
def test_elements_from_a_strategy(x: np.ndarray[Any, Any]) -> None:
    assert ((x >= 0) & (x <= 3)).all()


@given(x=arrays("numpy", dtype="int16", shape=(6,), unique=True))
def test_unique_elements(x: np.ndarray[Any, Any]) -> None:
    assert len(set(x.tolist())) == 6


@given(x=arrays("numpy", dtype="uint8", shape=(3, 2)))
def test_integers_fit_their_dtype(x: np.ndarray[Any, Any]) -> None:
    # Drawn in the dtype itself: no value wrapped around on the way in.
    assert x.dtype == np.uint8
    assert x.shape == (3, 2)


@given(shape=shapes())
def test_default_shapes_are_small(shape: tuple[int, ...]) -> None:
    assert len(shape) <= 3
    assert all(0 <= n <= 4 for n in shape)


@given(data=st.data())
def test_requires_grad_on_demand(data: st.DataObject) -> None:
    pytest.importorskip("torch")
    x = data.draw(
        arrays("torch", dtype="float64", shape=(2, 3), layout="transposed", requires_grad=True)
    )
    assert x.requires_grad
    assert not x.is_leaf  # a view of the leaf that requires grad
    x.sum().backward()  # the graph is real


@given(data=st.data())
def test_device_argument(data: st.DataObject) -> None:
    strict = pytest.importorskip("array_api_strict")
    device = strict.Device("device1")
    x = data.draw(arrays("array_api_strict", shape=(2, 2), device=device, layout="sliced"))
    assert x.device == device


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"layout": "diagonal"}, "unknown layout 'diagonal'"),
        ({"layout": "conj"}, "numpy arrays cannot have the 'conj' layout"),
        ({"requires_grad": True}, "requires_grad=True needs torch arrays"),
        ({"dtype": "float32", "layout": "readonly", "shape": "3"}, "shape must be a tuple"),
        ({"dtype": "not-a-dtype"}, "not a dtype xpbridge knows"),
        ({"elements": st.floats(), "allow_nan": False}, "in the elements strategy itself"),
        ({"elements": [1, 2]}, "elements must be a dict"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match) as info:
        arrays("numpy", **kwargs)
    # Both hypothesis' error for strategy arguments and xpbridge's own.
    assert isinstance(info.value, errors.InvalidArgument)
    assert isinstance(info.value, BridgeError)


def test_layout_and_dtype_must_agree() -> None:
    pytest.importorskip("torch")
    with pytest.raises(InvalidArgumentError, match="'conj' layout needs a dtype among"):
        arrays("torch", dtype="float32", layout="conj")


def test_unknown_backend() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown backend 'tensorflow'"):
        arrays("tensorflow")
    with pytest.raises(InvalidArgumentError, match="backend must be a name"):
        arrays(3)  # type: ignore[arg-type]


def test_unknown_kind() -> None:
    with pytest.raises(InvalidArgumentError, match="kind must be a dtype or one of"):
        dtypes("numpy", "floaty")
    with pytest.raises(InvalidArgumentError, match="no dtype of kind 'float16' is available"):
        dtypes("numpy", "float16")  # a nonstandard dtype, not asked for


def test_layout_needs_dimensions() -> None:
    strategy = arrays("numpy", dtype="int8", shape=(3,), layout="transposed")

    @given(strategy)
    def draw(x: Any) -> None:
        raise AssertionError  # pragma: no cover - never drawn

    with pytest.raises(InvalidArgumentError, match="needs at least 2 dimensions; shape"):
        draw()


def test_layout_strategy_is_checked() -> None:
    @given(arrays("numpy", layout=st.just("chunked")))
    def draw(x: Any) -> None:
        raise AssertionError  # pragma: no cover - never drawn

    with pytest.raises(InvalidArgumentError, match="numpy arrays cannot have the 'chunked' layout"):
        draw()


def test_public_names() -> None:
    from xpbridge import testing

    assert testing.strategies is xst
    assert testing.arrays is arrays
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = testing.nope


@given(data=st.data())
def test_strategies_as_arguments(data: st.DataObject) -> None:
    x = data.draw(arrays("numpy", dtype=dtypes("numpy", "integral"), layout=xst.layouts("numpy")))
    assert xb.isdtype(x.dtype, "integral")


@given(data=st.data())
def test_a_layout_strategy_picks_dtypes_and_shapes_that_suit(data: st.DataObject) -> None:
    pytest.importorskip("torch")
    x = data.draw(arrays("torch", layout=st.sampled_from(["conj", "transposed"])))
    if x.is_conj():
        assert x.is_complex()
    else:
        assert x.ndim >= 2


@given(x=arrays("numpy", dtype="float16", shape=(3,), elements=st.floats(-1, 1, width=32)))
def test_half_precision_elements_from_a_strategy(x: np.ndarray[Any, Any]) -> None:
    assert x.dtype == np.float16
    assert ((x >= -1) & (x <= 1)).all()


def test_backend_members() -> None:
    assert Backend.TORCH_GRAD.library == "torch"
    assert Backend.TORCH_GRAD.variant == "grad"
    assert Backend.NUMPY.variant == ""
    assert {m for m in Backend if m.needs_gpu} == {Backend.TORCH_CUDA, Backend.CUPY}
    assert Backend.parse("TORCH_GRAD") is Backend.parse("torch:grad") is Backend.TORCH_GRAD
    with pytest.raises(ValueError, match="unknown backend 'tf'; choose from numpy, "):
        Backend.parse("tf")
    assert Backend.NUMPY.device() is None

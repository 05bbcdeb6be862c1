"""Hypothesis strategies for arrays of every backend, dtype, shape and memory layout.

Values are drawn on the host by :mod:`hypothesis.extra.array_api` (over
``xpbridge.namespace("numpy")``, itself an array API namespace), so they always fit the dtype;
they are then copied to the backend and device with :func:`xpbridge.to` and given a layout:

* ``contiguous``: a fresh C-ordered array (for Dask: one chunk); every backend.
* ``transposed``: Fortran-ordered memory, the axes of a C-ordered array of the reversed
  shape reversed (a view); numpy, array_api_strict, torch, cupy.
* ``sliced``: a view taking every 2nd or 3rd element of each axis of a larger array, from an
  offset (the gaps hold NaN or the dtype's maximum, so reading them shows); numpy,
  array_api_strict, torch, cupy.
* ``negative_strides``: a view stepping backwards along every axis; numpy,
  array_api_strict, cupy (torch has no negative strides).
* ``readonly``: a NumPy array whose ``flags.writeable`` is False; numpy.
* ``conj``: a complex tensor with torch's lazy conjugate bit (``x.is_conj()``); torch.
* ``neg``: a float32/float64 tensor with torch's lazy negative bit (``x.is_neg()``); torch.
* ``chunked``: a Dask array with more than one chunk along each axis longer than one; dask.

Which backend has which layout is its row of the test-variant table
(:data:`xpbridge.testing._backends.VARIANTS`); a backend without a row has ``contiguous``
arrays. A layout shows only where the shape lets it (a 1-d array is both C- and Fortran-ordered, an
empty one has no strides to speak of), so when a layout is asked for, the default shapes have
the dimensions it needs.

Examples
--------
>>> from hypothesis import given, settings
>>> from xpbridge.testing.strategies import arrays
>>> @settings(max_examples=5)
... @given(arrays("numpy", dtype="float32", shape=(2, 3), layout="transposed"))
... def test_fortran(x):
...     assert x.flags.f_contiguous and not x.flags.c_contiguous
>>> test_fortran()
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from hypothesis import errors
from hypothesis import strategies as st
from hypothesis.extra import array_api

from .._backends import get_adapter
from .._dtypes import DTYPES, DType, dtype_name, isdtype_name
from .._errors import BridgeError
from .._standard import DTYPES as STANDARD_DTYPES
from ._backends import VARIANTS, Backend, Row

__all__ = [
    "LAYOUTS",
    "InvalidArgumentError",
    "arrays",
    "dtypes",
    "layouts",
    "shapes",
    "supported_dtypes",
    "supported_layouts",
]


class InvalidArgumentError(BridgeError, errors.InvalidArgument):
    """A strategy was asked for something it cannot make (hypothesis' error, and ours)."""


@dataclass(frozen=True, slots=True)
class _Layout:
    #: The dimensions an array needs for the layout to show.
    min_dims: int = 0
    #: Which dtypes can have it (None: all).
    dtypes: frozenset[str] | None = None


# Which backends have each layout: their rows of the variant table (``Row.layouts``).
_SPECS: Final = {
    "contiguous": _Layout(),
    "transposed": _Layout(min_dims=2),
    "sliced": _Layout(min_dims=1),
    "negative_strides": _Layout(min_dims=1),
    "readonly": _Layout(),
    "conj": _Layout(dtypes=frozenset({"complex64", "complex128"})),
    # The imaginary part of a conjugate view of a complex64/complex128 array.
    "neg": _Layout(dtypes=frozenset({"float32", "float64"})),
    "chunked": _Layout(min_dims=1),
}

#: Every layout :func:`arrays` can make (see the module docstring for what each one is).
LAYOUTS: Final[tuple[str, ...]] = tuple(_SPECS)

_GRAD_KINDS: Final = ("real floating", "complex floating")


# ---------------------------------------------------------------------- small strategies


@functools.cache
def _xps() -> Any:
    from .._namespace import namespace

    return array_api.make_strategies_namespace(namespace("numpy"))


def _library(backend: str | Backend) -> tuple[str, Backend | None]:
    """The registry name of `backend` and the :class:`Backend` member it names, if any."""
    if isinstance(backend, Backend):
        return backend.library, backend
    if not isinstance(backend, str):
        msg = f"backend must be a name like 'numpy' or a Backend member, got {backend!r}"
        raise InvalidArgumentError(msg)
    try:
        member: Backend | None = Backend.parse(backend)
    except ValueError:
        member = None
    if member is not None:
        return member.library, member
    try:
        return get_adapter(backend).name, None
    except BridgeError as exc:
        raise InvalidArgumentError(str(exc)) from None


def _row(library: str) -> Row:
    """The variant table's row of backend `library` (its defaults if it has none)."""
    return VARIANTS.get(library) or Row()


def _has_dtype(library: str, name: str) -> bool:
    return bool(get_adapter(library).has_dtype(name))


def supported_dtypes(
    backend: str | Backend = "numpy",
    kind: str | tuple[str, ...] | None = None,
    *,
    function: str | None = None,
    nonstandard: bool = False,
) -> tuple[DType, ...]:
    """The dtypes that arrays of `backend` can have, as ``xb`` dtypes (``xb.float32``...).

    ``xb`` dtypes compare equal to every library's own when on the left (``d == x.dtype``;
    array-api-strict's dtypes answer False to any foreign object when on the left) and are
    accepted wherever xpbridge takes a dtype; ``getattr(xp, d.name)`` is the backend's own.

    Parameters
    ----------
    backend : str or Backend
        Its library is imported (you asked for it).
    kind : str or tuple of str, optional
        An array API kind (``"real floating"``, ``"integral"``, ``"numeric"``...) or a tuple
        of kinds and dtype names; default: every dtype.
    function : str, optional
        Leave out the dtypes for which the deviations registry says `function` is
        unsupported on `backend` (torch's ``uint16``/``uint32``/``uint64`` arithmetic).
    nonstandard : bool
        Also ``float16`` and ``bfloat16`` (not in the standard), where the backend has them.

    Examples
    --------
    >>> from xpbridge.testing.strategies import supported_dtypes
    >>> supported_dtypes("numpy", "real floating")
    (xpbridge.float32, xpbridge.float64)
    """
    from .._deviations import find

    library, _ = _library(backend)
    names = [n for n in DTYPES if nonstandard or n in STANDARD_DTYPES]
    if kind is not None:
        try:
            names = [n for n in names if isdtype_name(n, kind)]
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None
    names = [n for n in names if _has_dtype(library, n)]
    if function is not None:
        names = [
            n
            for n in names
            if (found := find(library, function, n)) is None or found.kind != "unsupported"
        ]
    return tuple(DTYPES[n] for n in names)


def dtypes(
    backend: str | Backend = "numpy",
    kind: str | tuple[str, ...] | None = None,
    *,
    function: str | None = None,
    nonstandard: bool = False,
) -> st.SearchStrategy[DType]:
    """A strategy of :func:`supported_dtypes` (same arguments).

    Examples
    --------
    >>> from xpbridge.testing.strategies import dtypes
    >>> dtypes("numpy", "complex floating")
    sampled_from((xpbridge.complex64, xpbridge.complex128))
    """
    found = supported_dtypes(backend, kind, function=function, nonstandard=nonstandard)
    if not found:
        msg = f"no dtype of kind {kind!r} is available on {_library(backend)[0]}"
        raise InvalidArgumentError(msg)
    return st.sampled_from(found)


def shapes(
    *, min_dims: int = 0, max_dims: int = 3, min_side: int = 0, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, 0-d and empty ones included by default (small, for fast tests)."""
    found: st.SearchStrategy[tuple[int, ...]] = _xps().array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )
    return found


def supported_layouts(
    backend: str | Backend, dtype: Any = None, *, ndim: int | None = None
) -> tuple[str, ...]:
    """The layouts :func:`arrays` can give arrays of `backend` (with `dtype`, `ndim` dims).

    Examples
    --------
    >>> from xpbridge.testing.strategies import supported_layouts
    >>> supported_layouts("numpy")
    ('contiguous', 'transposed', 'sliced', 'negative_strides', 'readonly')
    >>> supported_layouts("numpy", ndim=1)
    ('contiguous', 'sliced', 'negative_strides', 'readonly')
    """
    library, _ = _library(backend)
    name = None if dtype is None else dtype_name(dtype)
    return tuple(
        layout
        for layout, spec in _SPECS.items()
        if layout in _row(library).layouts
        and (name is None or spec.dtypes is None or name in spec.dtypes)
        and (ndim is None or ndim >= spec.min_dims)
    )


def layouts(backend: str | Backend, dtype: Any = None) -> st.SearchStrategy[str]:
    """A layout (see :data:`LAYOUTS`) that arrays of `backend` (and `dtype`) can have."""
    return st.sampled_from(supported_layouts(backend, dtype))


# ---------------------------------------------------------------------- arrays


@dataclass(frozen=True, slots=True)
class _Request:
    library: str
    #: None: any dtype the layout allows.
    dtype: st.SearchStrategy[Any] | None
    #: None: shapes with the dimensions the layout needs.
    shape: st.SearchStrategy[tuple[int, ...]] | None
    #: None: any layout the drawn dtype and shape allow.
    layout: st.SearchStrategy[str] | None
    device: Any
    elements: Mapping[str, Any] | st.SearchStrategy[Any] | None
    unique: bool
    requires_grad: bool
    readonly: bool


def arrays(
    backend: str | Backend = "numpy",
    *,
    dtype: Any = None,
    shape: int | tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    layout: str | st.SearchStrategy[str] | None = None,
    device: Any = None,
    elements: Mapping[str, Any] | st.SearchStrategy[Any] | None = None,
    allow_nan: bool | None = None,
    allow_infinity: bool | None = None,
    unique: bool = False,
    requires_grad: bool | None = None,
) -> st.SearchStrategy[Any]:
    """Arrays of `backend` with the given (or drawn) dtype, shape, layout and device.

    Every array is new memory of the backend's own type; values fit the dtype exactly.

    Parameters
    ----------
    backend : str or Backend
        ``"numpy"``, ``"torch"``... or a :class:`~xpbridge.testing.Backend` member, whose
        variant applies: ``torch:grad`` arrays require grad, ``numpy:readonly`` ones are
        read-only, ``array_api_strict:device1`` ones live on that device.
    dtype : dtype or strategy, optional
        Any dtype spelling (``"float32"``, ``xb.float32``, ``torch.float32``), or a strategy
        of them; default: :func:`dtypes` of the backend (those the layout allows).
    shape : int, tuple or strategy, optional
        Default: :func:`shapes`, with at least the dimensions the layout needs.
    layout : str or strategy, optional
        One of :data:`LAYOUTS`; default: any of :func:`supported_layouts` for the drawn
        dtype and shape.
    device : device, optional
        Where the arrays live (any spelling :func:`xpbridge.to` takes); default: the
        variant's device or the backend's default.
    elements : dict or strategy, optional
        Keyword arguments of :func:`hypothesis.extra.array_api.from_dtype` (``min_value``,
        ``max_value``, ``allow_subnormal``...) or a strategy of Python scalars.
    allow_nan, allow_infinity : bool, optional
        Whether floating point elements may be NaN or infinite (default: hypothesis'
        default, yes); ignored for other dtypes.
    unique : bool
        All elements distinct (for float16 and bfloat16: before rounding to them).
    requires_grad : bool, optional
        Floating point arrays require grad (the non-contiguous layouts are then views of a
        leaf that does), for backends with autograd (torch). Default: only for the
        variants whose arrays require grad (``torch:grad``).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import xpbridge as xb
    >>> from xpbridge.testing.strategies import arrays
    >>> @settings(max_examples=5)
    ... @given(arrays("numpy", dtype=xb.int8, shape=(3,), layout="negative_strides"))
    ... def test_reversed(x):
    ...     assert x.strides == (-1,)
    >>> test_reversed()
    """
    library, member = _library(backend)
    if device is None and member is not None:
        device = member.device()
    if requires_grad is None:
        requires_grad = member is not None and member.row.requires_grad
    if requires_grad and _row(library).make_requires_grad is None:
        having = [k for k, row in VARIANTS.items() if row.make_requires_grad is not None]
        msg = (
            f"requires_grad=True needs {' or '.join(having) or 'autograd'} arrays; {library} "
            "has no autograd"
        )
        raise InvalidArgumentError(msg)
    if isinstance(layout, str):
        _check_layout(library, layout)
    elements = _elements(elements, allow_nan=allow_nan, allow_infinity=allow_infinity)
    request = _Request(
        library=library,
        dtype=_dtype_strategy(library, dtype, layout),
        shape=_shape_strategy(shape),
        layout=st.just(layout) if isinstance(layout, str) else layout,
        device=device,
        elements=elements,
        unique=unique,
        requires_grad=requires_grad,
        readonly=member is not None and member.row.readonly,
    )
    return _draw_array(request)


def _check_layout(library: str, layout: str) -> _Layout:
    spec = _SPECS.get(layout)
    if spec is None:
        msg = f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}"
        raise InvalidArgumentError(msg)
    if layout not in _row(library).layouts:
        msg = (
            f"{library} arrays cannot have the {layout!r} layout; theirs are "
            f"{', '.join(supported_layouts(library))}"
        )
        raise InvalidArgumentError(msg)
    return spec


def _elements(
    elements: Mapping[str, Any] | st.SearchStrategy[Any] | None,
    *,
    allow_nan: bool | None,
    allow_infinity: bool | None,
) -> Mapping[str, Any] | st.SearchStrategy[Any] | None:
    flags = {
        key: value
        for key, value in (("allow_nan", allow_nan), ("allow_infinity", allow_infinity))
        if value is not None
    }
    if isinstance(elements, st.SearchStrategy):
        if flags:
            msg = "pass allow_nan/allow_infinity in the elements strategy itself, not beside it"
            raise InvalidArgumentError(msg)
        return elements
    if elements is not None and not isinstance(elements, Mapping):
        msg = f"elements must be a dict of from_dtype arguments or a strategy, got {elements!r}"
        raise InvalidArgumentError(msg)
    return {**(elements or {}), **flags} or None


def _dtype_strategy(library: str, dtype: Any, layout: Any) -> st.SearchStrategy[Any] | None:
    if dtype is None or isinstance(dtype, st.SearchStrategy):
        return dtype
    name = _dtype_name(dtype)
    if not _has_dtype(library, name):
        raise InvalidArgumentError(get_adapter(library).missing_dtype_message(name))
    if isinstance(layout, str):
        _check_dtype(layout, name)
    return st.just(DTYPES[name])


def _dtype_name(dtype: Any) -> str:
    name = dtype_name(dtype, strict=False)
    if name is None:
        msg = f"{dtype!r} is not a dtype xpbridge knows (try 'float32' or xb.float32)"
        raise InvalidArgumentError(msg)
    return name


def _check_dtype(layout: str, name: str) -> None:
    allowed = _SPECS[layout].dtypes
    if allowed is not None and name not in allowed:
        msg = f"the {layout!r} layout needs a dtype among {sorted(allowed)}, not {name}"
        raise InvalidArgumentError(msg)


def _shape_strategy(shape: Any) -> st.SearchStrategy[tuple[int, ...]] | None:
    if shape is None or isinstance(shape, st.SearchStrategy):
        return shape
    if isinstance(shape, int):
        shape = (shape,)
    if not (isinstance(shape, tuple) and all(isinstance(n, int) and n >= 0 for n in shape)):
        msg = f"shape must be a tuple of non-negative ints or a strategy, got {shape!r}"
        raise InvalidArgumentError(msg)
    return st.just(shape)


def _draw_array(request: _Request) -> st.SearchStrategy[Any]:
    library = request.library

    @st.composite
    def draw_array(draw: st.DrawFn) -> Any:
        # The layout first (when given), so that the default dtypes and shapes suit it.
        layout = None if request.layout is None else draw(request.layout)
        spec = None if layout is None else _check_layout(library, layout)
        if request.dtype is not None:
            name = _dtype_name(draw(request.dtype))
        else:
            allowed = None if spec is None or spec.dtypes is None else tuple(sorted(spec.dtypes))
            name = draw(dtypes(library, allowed)).name
        min_dims = 0 if spec is None else spec.min_dims
        shape = draw(shapes(min_dims=min_dims) if request.shape is None else request.shape)
        if layout is None:
            layout = draw(st.sampled_from(supported_layouts(library, name, ndim=len(shape))))
        _check_dtype(layout, name)
        needed = _SPECS[layout].min_dims
        if len(shape) < needed:
            msg = (
                f"the {layout!r} layout needs at least {needed} dimension"
                f"{'s' if needed > 1 else ''}; shape {shape} has {len(shape)}"
            )
            raise InvalidArgumentError(msg)
        host = draw(_host_values(name, shape, request.elements, request.unique))
        return _with_layout(draw, host, name, layout, request)

    return draw_array()


def _host_values(
    name: str, shape: tuple[int, ...], elements: Any, unique: bool
) -> st.SearchStrategy[Any]:
    """A NumPy array of the values (float16 standing in for bfloat16, which NumPy lacks)."""
    if name in STANDARD_DTYPES:
        return _xps().arrays(name, shape, elements=elements, unique=unique)  # type: ignore[no-any-return]
    # Half precision: float32 values within float16's range, rounded (hypothesis' own
    # float16 elements filter so much that two draws in a test trip its health check).
    # float16's range lies within bfloat16's, so the values fit both.
    if elements is None or isinstance(elements, Mapping):
        elements = {"min_value": -_HALF_MAX, "max_value": _HALF_MAX, **(elements or {})}
    values = _xps().arrays("float32", shape, elements=elements, unique=unique)
    return values.map(lambda a: a.astype(np.float16))  # type: ignore[no-any-return]


_HALF_MAX: Final = float(np.finfo(np.float16).max)


# ---------------------------------------------------------------------- layouts


def _upload(host: Any, name: str, request: _Request, *, chunks: Any = None) -> Any:
    """`host` copied into the backend, on the device, with the dtype `name` (a leaf)."""
    from .. import astype
    from .._convert import to

    x = to(host, request.library, device=request.device, copy=True, chunks=chunks)
    if host.dtype.name != name:
        x = astype(x, DTYPES[name])  # bfloat16, drawn as float16
    make_requires_grad = _row(request.library).make_requires_grad
    if request.requires_grad and make_requires_grad is not None and isdtype_name(name, _GRAD_KINDS):
        x = make_requires_grad(x)
    return x


def _readonly_view(x: Any, library: str) -> Any:
    make_readonly = _row(library).make_readonly
    if make_readonly is None:
        msg = f"{library} arrays cannot be made read-only (no make_readonly in its row)"
        raise InvalidArgumentError(msg)
    return make_readonly(x)


def _every_axis(ndim: int, index: slice) -> tuple[Any, ...]:
    # The trailing Ellipsis keeps 0-d results arrays and satisfies array-api-strict,
    # which wants every axis indexed.
    return (*(index,) * ndim, Ellipsis)


def _sentinel(dtype: np.dtype[Any]) -> Any:
    if dtype.kind == "b":
        return True
    if dtype.kind in "iu":
        return np.iinfo(dtype).max
    return np.nan


def _contiguous(draw: st.DrawFn, host: Any, name: str, request: _Request) -> Any:
    return _upload(host, name, request)


def _transposed(draw: st.DrawFn, host: Any, name: str, request: _Request) -> Any:
    from .. import permute_dims

    axes = tuple(reversed(range(host.ndim)))
    return permute_dims(_upload(np.ascontiguousarray(host.transpose(axes)), name, request), axes)


def _sliced(draw: st.DrawFn, host: Any, name: str, request: _Request) -> Any:
    steps = [draw(st.integers(2, 3)) for _ in range(host.ndim)]
    starts = [draw(st.integers(0, step - 1)) for step in steps]
    index = tuple(
        slice(start, start + step * n, step)
        for start, step, n in zip(starts, steps, host.shape, strict=True)
    )
    base_shape = tuple(
        start + step * n + 1 for start, step, n in zip(starts, steps, host.shape, strict=True)
    )
    base = np.full(base_shape, _sentinel(host.dtype), dtype=host.dtype)
    base[index] = host
    return _upload(base, name, request)[(*index, Ellipsis)]


def _negative_strides(draw: st.DrawFn, host: Any, name: str, request: _Request) -> Any:
    backwards = _every_axis(host.ndim, slice(None, None, -1))
    return _upload(np.ascontiguousarray(host[backwards]), name, request)[backwards]


def _readonly(draw: st.DrawFn, host: Any, name: str, request: _Request) -> Any:
    return _readonly_view(_upload(host, name, request), request.library)


def _conj(draw: st.DrawFn, host: Any, name: str, request: _Request) -> Any:
    return _upload(np.conj(host), name, request).conj()  # a lazy conjugate view


_COMPLEX_OF: Final = {"float32": "complex64", "float64": "complex128"}


def _neg(draw: st.DrawFn, host: Any, name: str, request: _Request) -> Any:
    # The imaginary part of the conjugate view of (0 - i*host) is host, viewed through a
    # lazy negative bit.
    wide = _COMPLEX_OF[name]
    values = np.zeros(host.shape, dtype=wide)
    values.imag = -host
    return _upload(values, wide, request).conj().imag


def _chunked(draw: st.DrawFn, host: Any, name: str, request: _Request) -> Any:
    chunks = tuple(draw(st.integers(1, n - 1)) if n > 1 else max(n, 1) for n in host.shape)
    return _upload(host, name, request, chunks=chunks)


_MAKERS: Final[dict[str, Callable[[st.DrawFn, Any, str, _Request], Any]]] = {
    "contiguous": _contiguous,
    "transposed": _transposed,
    "sliced": _sliced,
    "negative_strides": _negative_strides,
    "readonly": _readonly,
    "conj": _conj,
    "neg": _neg,
    "chunked": _chunked,
}


def _with_layout(draw: st.DrawFn, host: Any, name: str, layout: str, request: _Request) -> Any:
    """An array of the request's backend holding `host`'s values with `layout`."""
    x = _MAKERS[layout](draw, host, name, request)
    if request.readonly:
        x = _readonly_view(x, request.library)
    return x

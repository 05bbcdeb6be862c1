"""The NumPy spellings people type from habit, on every backend.

Exact synonyms of standard functions are aliases (``xb.arccos is xb.acos``). The others
are written once against the standard namespace ``xp`` of the inputs' backend, with NumPy's
semantics (``transpose`` with no axes reverses them, ``concatenate`` takes ``axis``
positionally, ``dot`` contracts the last axis of `a` with the second-to-last of `b`...).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final, cast

from .._backends import adapter_for_type
from .._dispatch import array_function

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._typing import ArrayAttributes, ArrayT, DTypeLike, Namespace

#: NumPy name -> standard name, for the exact synonyms.
ALIASES: Final = {
    "absolute": "abs",
    "amax": "max",
    "amin": "min",
    "arccos": "acos",
    "arccosh": "acosh",
    "arcsin": "asin",
    "arcsinh": "asinh",
    "arctan": "atan",
    "arctan2": "atan2",
    "arctanh": "atanh",
    "bitwise_not": "bitwise_invert",
    "conjugate": "conj",
    "invert": "bitwise_invert",
    "left_shift": "bitwise_left_shift",
    "mod": "remainder",
    "power": "pow",
    "right_shift": "bitwise_right_shift",
    "true_divide": "divide",
}


@array_function
def allclose(
    a: ArrayT | complex,
    b: ArrayT | complex,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
    *,
    xp: Namespace = None,
) -> bool:
    """Whether all elements of `a` and `b` are close, as :func:`isclose` says (a Python bool)."""
    return bool(xp.all(isclose(a, b, rtol, atol, equal_nan, xp=xp)))


@array_function
def array_equal(a: ArrayT, b: ArrayT, equal_nan: bool = False, *, xp: Namespace = None) -> bool:
    """Whether `a` and `b` have the same shape and elements (a Python bool)."""
    if tuple(_routed(a).shape) != tuple(_routed(b).shape):
        return False
    same = xp.equal(a, b)
    if equal_nan and _inexact(xp, a) and _inexact(xp, b):
        same = xp.logical_or(same, xp.logical_and(xp.isnan(a), xp.isnan(b)))
    return bool(xp.all(same))


@array_function
def concatenate(arrays: Sequence[ArrayT], axis: int | None = 0, *, xp: Namespace = None) -> ArrayT:
    """The arrays joined along `axis` (NumPy's spelling of ``concat``)."""
    return xp.concat(arrays, axis=axis)


@array_function
def cumprod(
    x: ArrayT, axis: int | None = None, dtype: DTypeLike | None = None, *, xp: Namespace = None
) -> ArrayT:
    """Cumulative product along `axis`, over the flattened array if None (NumPy's rule)."""
    if axis is None:
        x, axis = xp.reshape(x, (-1,)), 0
    return xp.cumulative_prod(x, axis=axis, dtype=dtype)


@array_function
def cumsum(
    x: ArrayT, axis: int | None = None, dtype: DTypeLike | None = None, *, xp: Namespace = None
) -> ArrayT:
    """Cumulative sum along `axis`, over the flattened array if None (NumPy's rule)."""
    if axis is None:
        x, axis = xp.reshape(x, (-1,)), 0
    return xp.cumulative_sum(x, axis=axis, dtype=dtype)


@array_function
def deg2rad(x: ArrayT, /, *, xp: Namespace = None) -> ArrayT:
    """Angles in degrees converted to radians."""
    return xp.multiply(_float(xp, x), math.pi / 180)


@array_function
def dot(a: ArrayT, b: ArrayT, /, *, xp: Namespace = None) -> ArrayT:
    """NumPy's ``dot``: the matrix product for 2-d arrays, the inner product for 1-d, and in
    general a contraction of the last axis of `a` with the second-to-last axis of `b`."""
    ndim_a, ndim_b = _routed(a).ndim, _routed(b).ndim
    if ndim_a == 0 or ndim_b == 0:
        return xp.multiply(a, b)
    if ndim_a <= 2 and ndim_b <= 2:
        return xp.matmul(a, b)
    return xp.tensordot(a, b, axes=([ndim_a - 1], [max(ndim_b - 2, 0)]))


@array_function
def einsum(subscripts: str, /, *operands: ArrayT) -> ArrayT:
    """Einstein summation over `operands`, as ``numpy.einsum`` spells it."""


@array_function
def hstack(arrays: Sequence[ArrayT], *, xp: Namespace = None) -> ArrayT:
    """The arrays joined column-wise (along axis 1, or axis 0 for 1-d arrays)."""
    return xp.concat(arrays, axis=0 if _routed(arrays[0]).ndim == 1 else 1)


@array_function
def isclose(
    a: ArrayT | complex,
    b: ArrayT | complex,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
    *,
    xp: Namespace = None,
) -> ArrayT:
    """Whether ``|a - b| <= atol + rtol * |b|`` element-wise (NumPy's definition); infinities
    are close only to the same infinity, NaNs only with ``equal_nan=True``."""
    a, b = _float(xp, _array(xp, a, b)), _float(xp, _array(xp, b, a))
    finite = xp.logical_and(xp.isfinite(a), xp.isfinite(b))
    # Non-finite pairs are compared by equality; zeroing them first keeps NumPy from
    # warning about inf - inf.
    zero = xp.zeros_like(finite, dtype=_routed(a).dtype)
    b_zero = xp.astype(zero, _routed(b).dtype)
    a_finite, b_finite = xp.where(finite, a, zero), xp.where(finite, b, b_zero)
    with_tolerance = xp.less_equal(
        xp.abs(xp.subtract(a_finite, b_finite)), xp.add(atol, xp.multiply(rtol, xp.abs(b_finite)))
    )
    close = xp.where(finite, with_tolerance, xp.equal(a, b))
    if equal_nan:
        close = xp.logical_or(close, xp.logical_and(xp.isnan(a), xp.isnan(b)))
    return close


@array_function
def outer(a: ArrayT, b: ArrayT, /, *, xp: Namespace = None) -> ArrayT:
    """Outer product of `a` and `b`, flattened first (NumPy's rule)."""
    return xp.linalg.outer(xp.reshape(a, (-1,)), xp.reshape(b, (-1,)))


@array_function
def rad2deg(x: ArrayT, /, *, xp: Namespace = None) -> ArrayT:
    """Angles in radians converted to degrees."""
    return xp.multiply(_float(xp, x), 180 / math.pi)


@array_function
def ravel(x: ArrayT, /, *, xp: Namespace = None) -> ArrayT:
    """`x` flattened to one axis (a view where the backend can, as ``numpy.ravel``)."""
    return xp.reshape(x, (-1,))


@array_function
def swapaxes(x: ArrayT, axis1: int, axis2: int, /, *, xp: Namespace = None) -> ArrayT:
    """`x` with axes `axis1` and `axis2` interchanged."""
    axes = list(range(_routed(x).ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return xp.permute_dims(x, tuple(axes))


@array_function
def transpose(x: ArrayT, axes: Sequence[int] | None = None, *, xp: Namespace = None) -> ArrayT:
    """`x` with its axes permuted to `axes`, reversed when None (``numpy.transpose``)."""
    order = tuple(range(_routed(x).ndim - 1, -1, -1)) if axes is None else tuple(axes)
    return xp.permute_dims(x, order)


@array_function
def unique(x: ArrayT, /, *, xp: Namespace = None) -> ArrayT:
    """The sorted unique values of `x`, flattened (``numpy.unique`` without options)."""
    return xp.sort(xp.unique_values(xp.reshape(x, (-1,))))


@array_function
def vstack(arrays: Sequence[ArrayT], *, xp: Namespace = None) -> ArrayT:
    """The arrays joined row-wise (1-d arrays become rows)."""
    rows = [xp.reshape(a, (1, -1)) if _routed(a).ndim == 1 else a for a in arrays]
    return xp.concat(rows, axis=0)


def _routed(x: object) -> ArrayAttributes:
    """`x` as a generic body receives it: an array of the call's backend (the dispatcher
    turns lists and Python scalars into arrays before the body runs)."""
    return cast("ArrayAttributes", x)


def _inexact(xp: Namespace, x: object) -> bool:
    return bool(xp.isdtype(_routed(x).dtype, ("real floating", "complex floating")))


def _float(xp: Namespace, x: ArrayT | complex) -> ArrayT:
    """`x` as a floating array: integers and booleans go to the default float dtype."""
    if isinstance(x, bool | int | float | complex):
        return x  # type: ignore[return-value]  # scalars pass through, weakly typed
    if _inexact(xp, x):
        return x
    return xp.astype(x, xp.__array_namespace_info__().default_dtypes()["real floating"])


def _array(xp: Namespace, value: ArrayT | complex, other: ArrayT | complex) -> ArrayT:
    """`value` as an array next to `other` (a Python scalar takes `other`'s device)."""
    if not isinstance(value, bool | int | float | complex):
        return value
    owner = adapter_for_type(type(other))  # every registered library's arrays, not only
    device = None if owner is None else owner.device(other)  # those array-api-compat knows
    return xp.asarray(value, device=device)

"""Creation functions of the array API standard (2025.12).

With no array argument there is nothing to route by, so the backend comes from, in order:
``backend=``, ``like=`` (an array whose library and device to use), a ``device=`` object of a
library (``torch.device("cuda")``), and the context default (:func:`xpbridge.using`, NumPy
unless changed), whose device then applies too unless ``device=`` is given. ``*_like``
functions follow their array argument.

Without ``dtype=``, floating results take the backend's default floating dtype, the one its
``__array_namespace_info__().default_dtypes()`` reports: ``float64`` on NumPy, Dask,
array-api-strict and JAX in 64-bit mode; ``torch.get_default_dtype()`` (``float32`` unless
changed) on PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._dispatch import array_function

if TYPE_CHECKING:
    from .._typing import Array, ArrayT, BackendName, DeviceLike, DTypeLike


@array_function
def arange(
    start: float,
    /,
    stop: float | None = None,
    step: float = 1,
    *,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """Evenly spaced values in ``[start, stop)``; ``arange(n)`` counts from 0 to ``n - 1``."""


@array_function
def empty(
    shape: int | tuple[int, ...],
    *,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """An uninitialized array of `shape` (its values are whatever memory held)."""


@array_function
def empty_like(
    x: ArrayT, /, *, dtype: DTypeLike | None = None, device: DeviceLike | None = None
) -> ArrayT:
    """An uninitialized array with the shape of `x`, and its dtype and device by default."""


@array_function
def eye(
    n_rows: int,
    n_cols: int | None = None,
    /,
    *,
    k: int = 0,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """A 2-d array with ones on the `k`-th diagonal and zeros elsewhere."""


@array_function
def full(
    shape: int | tuple[int, ...],
    fill_value: complex,
    *,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """An array of `shape` filled with `fill_value` (dtype inferred from it by default)."""


@array_function
def full_like(
    x: ArrayT,
    /,
    fill_value: complex,
    *,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
) -> ArrayT:
    """An array like `x` (shape, dtype, device) filled with `fill_value`."""


@array_function
def linspace(
    start: complex,
    stop: complex,
    /,
    num: int = 50,
    *,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    endpoint: bool = True,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """`num` evenly spaced numbers over ``[start, stop]`` (NumPy's default ``num=50``)."""


@array_function
def meshgrid(*arrays: ArrayT, indexing: str = "xy") -> list[ArrayT]:
    """Coordinate matrices from 1-d coordinate arrays (``indexing="xy"`` or ``"ij"``)."""


@array_function
def ones(
    shape: int | tuple[int, ...],
    *,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """An array of `shape` filled with ones (the default floating dtype unless `dtype`)."""


@array_function
def ones_like(
    x: ArrayT, /, *, dtype: DTypeLike | None = None, device: DeviceLike | None = None
) -> ArrayT:
    """An array of ones with the shape of `x`, and its dtype and device by default."""


@array_function
def tril(x: ArrayT, /, *, k: int = 0) -> ArrayT:
    """The lower triangle of the matrices in `x` (elements above diagonal `k` zeroed)."""


@array_function
def triu(x: ArrayT, /, *, k: int = 0) -> ArrayT:
    """The upper triangle of the matrices in `x` (elements below diagonal `k` zeroed)."""


@array_function
def zeros(
    shape: int | tuple[int, ...],
    *,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """An array of `shape` filled with zeros (the default floating dtype unless `dtype`)."""


@array_function
def zeros_like(
    x: ArrayT, /, *, dtype: DTypeLike | None = None, device: DeviceLike | None = None
) -> ArrayT:
    """An array of zeros with the shape of `x`, and its dtype and device by default."""

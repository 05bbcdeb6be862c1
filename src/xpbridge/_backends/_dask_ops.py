"""Lazy Dask versions of the functions Dask lacks, or would compute eagerly.

Every function here builds a task graph and computes nothing. They take the arguments of
the xpbridge declarations (routing parameters removed) and are installed as overrides of the
Dask adapter.

Linear algebra that works one matrix at a time runs the chunk library's own function
(NumPy's or CuPy's, through array-api-compat) on every matrix with ``da.apply_gufunc``,
after rechunking so that each matrix is one chunk: batches of small matrices parallelise,
and the device of CuPy chunks is kept. Where Dask has an algorithm for one chunked 2-d
matrix (blocked LU for ``inv``/``solve``/``cholesky``, tall-and-skinny QR and SVD), that is
used instead, so large matrices never need to fit in one task.
"""

from __future__ import annotations

import math
import operator
import re
from typing import TYPE_CHECKING, Any

import array_api_compat
import array_api_compat.dask.array as _compat_dask
import dask.array as da
import numpy as np
from array_api_compat.common._linalg import (
    EighResult,
    EigResult,
    QRResult,
    SlogdetResult,
    SVDResult,
)
from dask.array.core import normalize_chunks

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["OVERRIDES"]

# array-api-compat builds this namespace at import time; type checkers cannot see into it.
compat_dask: Any = _compat_dask


# ---------------------------------------------------------------------- helpers


def _chunk_namespace(*arrays: Any) -> Any:
    """The standard namespace of the chunks' library (array-api-compat's NumPy or CuPy)."""
    metas = [x._meta if isinstance(x, da.Array) else x for x in arrays]
    return array_api_compat.array_namespace(*metas)


_CORE = re.compile(r"\(([^)]*)\)")


def _sample(ns: Any, dims: list[str], dtype: Any) -> Any:
    """A tiny, well-conditioned array with core dims `dims` (2 unless the name is a size)."""
    shape = [int(d) if d.isdigit() else 2 for d in dims]
    if len(shape) == 2:
        return ns.eye(*shape, dtype=dtype)
    return ns.ones(shape, dtype=dtype)


def _gufunc(
    func: Callable[..., Any],
    signature: str,
    *arrays: Any,
    axes: list[tuple[int, ...]] | None = None,
    output_sizes: dict[str, int] | None = None,
) -> Any:
    """``func`` applied to the core dims of `arrays` chunk by chunk (a tuple for several
    outputs). Output dtypes come from `func` itself on a tiny sample, so they are whatever
    the chunk library returns for these input dtypes."""
    ns = _chunk_namespace(*arrays)
    inputs, _, outputs = signature.partition("->")
    core = [[d.strip() for d in dims.split(",") if d.strip()] for dims in _CORE.findall(inputs)]
    sample = func(*(_sample(ns, dims, x.dtype) for dims, x in zip(core, arrays, strict=True)))
    several = len(_CORE.findall(outputs)) > 1
    dtypes = [r.dtype for r in sample] if several else sample.dtype
    return da.apply_gufunc(
        func,
        signature,
        *arrays,
        axes=axes,
        output_dtypes=dtypes,
        output_sizes=output_sizes,
        allow_rechunk=True,
    )


def _per_matrix(name: str, signature: str, *arrays: Any, **options: Any) -> Any:
    """``linalg.<name>`` of the chunk library, matrix by matrix."""
    ns = _chunk_namespace(*arrays)
    function = getattr(ns.linalg, name)

    def on_chunks(*blocks: Any) -> Any:
        return function(*blocks, **options)

    m, n = arrays[0].shape[-2:]
    sizes = {"k": min(m, n)} if "k" in signature.partition("->")[2] else None
    return _gufunc(on_chunks, signature, *arrays, output_sizes=sizes)


def _square_chunks(x: Any) -> bool:
    """Whether Dask's blocked LU/Cholesky accept `x`: one 2-d matrix whose blocks are all
    square, i.e. every chunk of both axes has one size (a last, smaller chunk makes
    rectangular blocks beside the diagonal, which Dask refuses)."""
    return bool(x.ndim == 2 and len(set(x.chunks[0] + x.chunks[1])) == 1)


def _chunk_dtype(function: Callable[..., Any], *dtypes: Any) -> Any:
    """The dtype the chunks' library gives for `function` of 1x1 identity matrices of
    `dtypes` (what a one-block computation would return)."""
    return function(*(np.eye(1, dtype=d) for d in dtypes)).dtype


def _contraction(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` (a product that sums over an axis) keeping the dtype of the inputs'
    promotion. Dask adds up the partial products of several blocks with ``sum``, which
    widens small integers and booleans to int64/uint64; the sum of the widened values cast
    back is the wrapped-around sum NumPy computes (and ``any`` for booleans)."""

    def contracted(x1: Any, x2: Any, /, **options: Any) -> Any:
        result = function(x1, x2, **options)
        expected = np.result_type(x1.dtype, x2.dtype)
        return result if result.dtype == expected else result.astype(expected)

    contracted.__name__ = function.__name__
    return contracted


def _one_block_wide(x: Any) -> bool:
    """Whether Dask's tall-and-skinny (or short-and-fat) QR and SVD accept `x`."""
    return bool(x.ndim == 2 and 1 in x.numblocks)


# ---------------------------------------------------------------------- linalg


def det(x: Any, /) -> Any:
    return _per_matrix("det", "(m,m)->()", x)


def slogdet(x: Any, /) -> Any:
    return SlogdetResult(*_per_matrix("slogdet", "(m,m)->(),()", x))


def eig(x: Any, /) -> Any:
    return EigResult(*_per_matrix("eig", "(m,m)->(m),(m,m)", x))


def eigvals(x: Any, /) -> Any:
    return _per_matrix("eigvals", "(m,m)->(m)", x)


def eigh(x: Any, /) -> Any:
    return EighResult(*_per_matrix("eigh", "(m,m)->(m),(m,m)", x))


def eigvalsh(x: Any, /) -> Any:
    return _per_matrix("eigvalsh", "(m,m)->(m)", x)


def inv(x: Any, /) -> Any:
    if _square_chunks(x):
        # Dask's own inv solves against a float64 identity, which promotes float32 and
        # complex64 inputs; an identity of the result's dtype keeps them.
        dtype = _chunk_dtype(np.linalg.inv, x.dtype)
        eye = da.eye(x.shape[0], chunks=x.chunks[0][0], dtype=dtype)
        return da.linalg.solve(x, eye).astype(dtype, copy=False)
    return _per_matrix("inv", "(m,m)->(m,m)", x)


def cholesky(x: Any, /, *, upper: bool = False) -> Any:
    if _square_chunks(x):
        # Not array-api-compat's: it passes no `lower`, and Dask's default is the upper factor.
        return da.linalg.cholesky(x, lower=not upper)
    return _per_matrix("cholesky", "(m,m)->(m,m)", x, upper=upper)


def solve(x1: Any, x2: Any, /) -> Any:
    # The standard treats x2 as a stack of vectors only when it is 1-d.
    if _square_chunks(x1) and x2.ndim in (1, 2) and x2.shape[0] == x1.shape[0]:
        return compat_dask.linalg.solve(x1, x2.rechunk({0: x1.chunks[0]}))
    signature = "(m,m),(m)->(m)" if x2.ndim == 1 else "(m,m),(m,k)->(m,k)"
    ns = _chunk_namespace(x1, x2)
    return _gufunc(ns.linalg.solve, signature, x1, x2)


def qr(x: Any, /, *, mode: str = "reduced") -> Any:
    if mode == "reduced" and _one_block_wide(x):
        return QRResult(*da.linalg.qr(x))
    signature = "(m,n)->(m,k),(k,n)" if mode == "reduced" else "(m,n)->(m,m),(m,n)"
    return QRResult(*_per_matrix("qr", signature, x, mode=mode))


def svd(x: Any, /, *, full_matrices: bool = True) -> Any:
    if not full_matrices and _one_block_wide(x):
        return SVDResult(*da.linalg.svd(x, coerce_signs=False))
    signature = "(m,n)->(m,m),(k),(n,n)" if full_matrices else "(m,n)->(m,k),(k),(k,n)"
    return SVDResult(*_per_matrix("svd", signature, x, full_matrices=full_matrices))


def svdvals(x: Any, /) -> Any:
    if _one_block_wide(x):
        return da.linalg.svd(x, coerce_signs=False)[1]
    return _per_matrix("svdvals", "(m,n)->(k)", x)


def _with_rtol(name: str, signature: str, x: Any, rtol: Any) -> Any:
    if isinstance(rtol, da.Array):  # one tolerance per matrix, broadcast over the batch
        ns = _chunk_namespace(x, rtol)
        function = getattr(ns.linalg, name)
        inputs, _, output = signature.partition("->")
        return _gufunc(lambda a, r: function(a, rtol=r), f"{inputs},()->{output}", x, rtol)
    return _per_matrix(name, signature, x, rtol=rtol)


def pinv(x: Any, /, *, rtol: Any = None) -> Any:
    return _with_rtol("pinv", "(m,n)->(n,m)", x, rtol)


def matrix_rank(x: Any, /, *, rtol: Any = None) -> Any:
    return _with_rtol("matrix_rank", "(m,n)->()", x, rtol)


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    # Dask's norm reaches the spectral norms through its tall-and-skinny SVD only.
    if ord not in (2, -2, "nuc"):
        return compat_dask.linalg.matrix_norm(x, keepdims=keepdims, ord=ord)
    s = svdvals(x)
    reduce = {2: da.max, -2: da.min, "nuc": da.sum}[ord]
    result = reduce(s, axis=-1)
    return result[..., None, None] if keepdims else result


def matrix_power(x: Any, n: int, /) -> Any:
    """By repeated squaring with Dask's matmul, so chunked matrices stay chunked."""
    n = operator.index(n)
    dtype = x.dtype
    if n < 0:
        x, n = inv(x), -n
    result = None
    while n:
        if n & 1:
            result = x if result is None else result @ x
        n >>= 1
        if n:
            x = x @ x
    if result is None:
        m = x.shape[-1]
        eye = da.eye(m, dtype=x.dtype, chunks=x.chunks[-1][0] if x.chunks[-1] else m)
        return da.broadcast_to(eye, x.shape).rechunk(x.chunks)
    # Products of several blocks widen small integers (see _contraction).
    return result if result.dtype == dtype else result.astype(dtype)


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    ns = _chunk_namespace(x1, x2)
    ndim = max(x1.ndim, x2.ndim)
    axis = axis % ndim if axis < 0 else axis

    def on_chunks(a: Any, b: Any) -> Any:
        return ns.linalg.cross(a, b, axis=-1)

    # Core dims are counted from the end so that 1-d inputs broadcast like the others.
    where: list[tuple[int, ...]] = [(axis - ndim,)] * 3
    return _gufunc(on_chunks, "(3),(3)->(3)", x1, x2, axes=where)


# ---------------------------------------------------------------------- indexing and shapes


def take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Any:
    ns = _chunk_namespace(x, indices)

    def on_chunks(a: Any, i: Any) -> Any:
        return ns.take_along_axis(a, i, axis=-1)

    return _gufunc(on_chunks, "(n),(k)->(k)", x, indices, axes=[(axis,), (axis,), (axis,)])


def reshape(x: Any, /, shape: tuple[int, ...], *, copy: bool | None = None) -> Any:
    # Dask arrays are values: a lazy reshape shares nothing the caller could write, so
    # copy=False holds; copy=True asks for a new graph node, which Dask's copy gives.
    x = x.copy() if copy else x
    known = math.prod(n for n in shape if n != -1)
    if -1 in shape and not math.isnan(x.size) and (known == 0 or x.size % known):
        # NumPy's error: Dask's own is an IndexError about a non-integer index.
        msg = f"cannot reshape array of size {x.size} into shape {tuple(shape)}"
        raise ValueError(msg)
    try:
        return da.reshape(x, shape)
    except NotImplementedError:
        # Dask reshapes only by merging or splitting whole axes; going through the
        # flattened array always does one then the other (with a rechunk in between).
        return da.reshape(da.reshape(x, (-1,)), shape)


def expand_dims(x: Any, /, axis: int | tuple[int, ...] = 0) -> Any:
    # Dask's own leaks a StopIteration for a repeated axis: NumPy's errors instead.
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = x.ndim + len(axes)
    positions = []
    for a in map(operator.index, axes):
        if not -ndim <= a < ndim:
            msg = f"axis {a} is out of bounds for array of dimension {ndim}"
            raise np.exceptions.AxisError(msg)
        positions.append(a % ndim)
    if len(set(positions)) != len(positions):
        msg = "repeated axis"
        raise ValueError(msg)
    return da.expand_dims(x, axis=tuple(positions))


def repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Any:
    if axis is None:
        x, axis = da.reshape(x, (-1,)), 0
    if not isinstance(repeats, da.Array):
        if x.size == 0:  # dask.array.repeat fails on empty arrays
            shape = list(x.shape)
            shape[axis] *= operator.index(repeats)
            return da.empty(tuple(shape), dtype=x.dtype, meta=x._meta)
        return da.repeat(x, operator.index(repeats), axis=axis)
    if repeats.ndim == 0 or repeats.shape == (1,):
        # One count for every element: the length stays unknown until computed.
        repeats = da.broadcast_to(da.reshape(repeats, (1,)), (x.shape[axis],))
    n = x.shape[axis]

    def positions(counts: Any) -> Any:
        ns = array_api_compat.array_namespace(counts)
        return ns.repeat(ns.arange(n), counts)

    # The output length depends on the counts' values: Dask gives it an unknown (NaN) size.
    index = da.map_blocks(
        positions,
        repeats.rechunk(-1),
        chunks=((math.nan,),),
        dtype=np.intp,
        meta=repeats._meta.astype(np.intp),
    )
    return da.take(x, index, axis=axis)


def diff(
    x: Any,
    /,
    *,
    axis: int = -1,
    n: int = 1,
    prepend: Any = None,
    append: Any = None,
) -> Any:
    # Dask's own diff computes `prepend`/`append` when they are Dask arrays.
    if prepend is None and append is None:
        return da.diff(x, n=n, axis=axis)
    shape = list(x.shape)
    shape[axis] = 1
    parts = [
        v if isinstance(v, da.Array) and v.ndim else da.broadcast_to(da.asarray(v), tuple(shape))
        for v in (prepend, x, append)
        if v is not None
    ]
    x = da.concatenate(parts, axis=axis)
    return da.diff(x, n=n, axis=axis)


def roll(x: Any, /, shift: Any, *, axis: Any = None) -> Any:
    if x.size == 0:  # dask.array.roll fails on empty arrays; rolling nothing is a copy
        return x.copy()
    return da.roll(x, shift, axis=axis)


def searchsorted(x1: Any, x2: Any, /, *, side: str = "left", sorter: Any = None) -> Any:
    if sorter is not None:
        # Dask has no sorter argument; sorting first gives the same insertion points.
        x1 = da.take(x1, sorter, axis=0)
    if not isinstance(x2, da.Array):  # a Python scalar: Dask wants a 1-d array of values
        values = da.from_array(np.asarray([x2]), chunks=1)
        return compat_dask.searchsorted(x1, values, side=side)[0]
    return compat_dask.searchsorted(x1, x2, side=side)


def eye(
    n_rows: int,
    n_cols: int | None = None,
    /,
    *,
    k: int = 0,
    dtype: Any = None,
    device: Any = None,
) -> Any:
    """Each block is NumPy's ``eye`` with the diagonal shifted to its position.

    ``da.eye`` needs square blocks and loses blocks when they exceed the smaller side,
    which its ``"auto"`` chunks do for non-square shapes.
    """
    if device not in (None, "cpu"):
        return compat_dask.eye(n_rows, n_cols, k=k, dtype=dtype, device=device)
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    shape = (n_rows, n_rows if n_cols is None else n_cols)
    chunks = normalize_chunks("auto", shape, dtype=dtype)
    return da.map_blocks(
        _eye_block, k, dtype, chunks=chunks, dtype=dtype, meta=np.empty((0, 0), dtype)
    )


def _eye_block(k: int, dtype: Any, block_info: Any = None) -> Any:
    (r0, r1), (c0, c1) = block_info[None]["array-location"]
    return np.eye(r1 - r0, c1 - c0, k=k + r0 - c0, dtype=dtype)


def linspace(
    start: complex,
    stop: complex,
    /,
    num: int,
    *,
    dtype: Any = None,
    device: Any = None,
    endpoint: bool = True,
) -> Any:
    """Each block computes NumPy's values at its positions, with NumPy's formula.

    ``da.linspace`` accumulates block starts (the last values drift in the last digits at
    large magnitudes, and the stop is not exact) and takes no complex bounds.
    """
    if device not in (None, "cpu"):
        return compat_dask.linspace(start, stop, num, dtype=dtype, device=device, endpoint=endpoint)
    exact = np.result_type(start, stop, float(num))  # what NumPy computes in
    dtype = exact if dtype is None else np.dtype(dtype)
    chunks = normalize_chunks("auto", (operator.index(num),), dtype=dtype)
    return da.map_blocks(
        _linspace_block,
        (start, stop, num, endpoint, exact, dtype),
        chunks=chunks,
        dtype=dtype,
        meta=np.empty((0,), dtype),
    )


def _linspace_block(arguments: tuple[Any, ...], block_info: Any = None) -> Any:
    start, stop, num, endpoint, exact, dtype = arguments
    ((lo, hi),) = block_info[None]["array-location"]
    div = (num - 1) if endpoint else num
    y = np.arange(lo, hi, dtype=exact)
    delta = stop - start
    step = delta / div if div > 0 else math.nan
    if div > 0 and step == 0:
        y = y / div * delta
    elif div > 0:
        y = y * step
    else:
        y = y * delta
    y += start
    if endpoint and num > 1 and hi == num:
        y[-1] = stop
    if np.issubdtype(dtype, np.integer):
        y = np.floor(y)
    return y.astype(dtype, copy=False)


# ---------------------------------------------------------------------- fft


def _whole_axes(function: Callable[..., Any], *, several: bool) -> Callable[..., Any]:
    """`function` with the transformed axes rechunked to one chunk each (Dask requires it)."""

    def transform(x: Any, /, **options: Any) -> Any:
        if several:
            axes: Sequence[int] | None = options.get("axes")
            s = options.get("s")
            if axes is None:
                axes = range(x.ndim) if s is None else range(-len(s), 0)
        else:
            axes = (options.get("axis", -1),)
        x = x.rechunk({a % x.ndim: -1 for a in axes})
        return function(x, **options)

    transform.__name__ = function.__name__
    return transform


# ---------------------------------------------------------------------- NumPy spellings


def allclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Any:
    """A lazy 0-d boolean Dask array (``bool()`` of it computes), not a Python bool."""
    return da.all(da.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def array_equal(a: Any, b: Any, equal_nan: bool = False) -> Any:
    """A lazy 0-d boolean Dask array (``bool()`` of it computes), not a Python bool."""
    a, b = da.asarray(a), da.asarray(b)
    if any(math.isnan(n) for n in (*a.shape, *b.shape)):
        msg = "array_equal: a shape is unknown (NaN)"
        raise ValueError(msg)  # the adapter turns it into its unknown-shape error
    if a.shape != b.shape:
        return da.asarray(False)
    same = a == b
    if equal_nan and a.dtype.kind in "fc" and b.dtype.kind in "fc":
        same = same | (da.isnan(a) & da.isnan(b))
    return da.all(same)


_FFT_ONE = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
_FFT_SEVERAL = ("fftn", "ifftn", "rfftn", "irfftn")


def _einsum(subscripts: str, /, *operands: Any) -> Any:
    # Like the contractions: Dask sums blocks' partial products with a widening sum.
    result = da.einsum(subscripts, *operands)
    expected = np.result_type(*(o.dtype for o in operands))
    return result if result.dtype == expected else result.astype(expected)


_CONTRACTIONS = ("matmul", "tensordot", "vecdot")

OVERRIDES: dict[str, Callable[..., Any]] = {
    **{f"linalg.{f.__name__}": f for f in (
        det, slogdet, eig, eigvals, eigh, eigvalsh, inv, cholesky, solve, qr, svd, svdvals,
        pinv, matrix_rank, matrix_norm, matrix_power, cross,
    )},
    **{f"fft.{n}": _whole_axes(getattr(compat_dask.fft, n), several=False) for n in _FFT_ONE},
    **{f"fft.{n}": _whole_axes(getattr(compat_dask.fft, n), several=True) for n in _FFT_SEVERAL},
    **{f.__name__: f for f in (
        take_along_axis, reshape, repeat, roll, diff, searchsorted, allclose, array_equal, eye,
        expand_dims, linspace,
    )},
    **{name: _contraction(getattr(compat_dask, name)) for name in _CONTRACTIONS},
    "einsum": _einsum,
}  # fmt: skip

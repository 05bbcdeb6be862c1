"""Standard functions that Dask (through array-api-compat) lacks or gets wrong, kept lazy.

* Linear algebra runs the chunks' own library (NumPy or CuPy, via array-api-compat) on whole
  matrices with :func:`dask.array.apply_gufunc`: each matrix is gathered into one chunk and
  stacks of matrices stay split along their leading axes. Dask itself has no ``det``,
  ``eig``, ``slogdet``..., batches nothing, and array-api-compat's ``cholesky`` returns the
  upper factor where the standard asks for the lower one.
* ``take_along_axis`` runs blockwise once `axis` is in one chunk; ``eye`` avoids a Dask bug
  with ``k`` and rectangular shapes; ``repeat`` and ``searchsorted`` accept what the
  standard allows (``axis=None``, a ``sorter``, a scalar).

Data-dependent shapes (``repeat`` with an array of counts) cannot be lazy: they raise
:class:`~xpbridge.UnsupportedOperationError` with the deviations registry's reason.

Dask is imported in each function: this module is imported by the Dask adapter only, but
tools that import every module (doctest collection) must not need Dask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import array_api_compat
import numpy as np

from .._errors import UnsupportedOperationError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["OVERRIDES"]

# Matrix functions: path -> how many trailing axes each array argument contributes (None:
# the standard's rule for `solve`'s right-hand side, one axis if it is 1-d, else two).
_PER_MATRIX: dict[str, tuple[int | None, ...]] = {
    "linalg.cholesky": (2,),
    "linalg.det": (2,),
    "linalg.eig": (2,),
    "linalg.eigh": (2,),
    "linalg.eigvals": (2,),
    "linalg.eigvalsh": (2,),
    "linalg.inv": (2,),
    "linalg.matrix_norm": (2,),
    "linalg.matrix_power": (2,),
    "linalg.matrix_rank": (2,),
    "linalg.pinv": (2,),
    "linalg.qr": (2,),
    "linalg.slogdet": (2,),
    "linalg.solve": (2, None),
    "linalg.svd": (2,),
    "linalg.svdvals": (2,),
}


def _chunk_function(path: str, meta: Any) -> Callable[..., Any]:
    """The standard function `path` of the library holding the chunks (NumPy or CuPy)."""
    obj: Any = array_api_compat.array_namespace(meta)
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[no-any-return]


def _sample(shape: tuple[int, ...], dtype: Any, meta: Any) -> Any:
    """A well-conditioned (identity-like) array of `shape`, to learn a function's outputs."""
    xp = array_api_compat.array_namespace(meta)
    if len(shape) < 2:
        return xp.ones(shape, dtype=dtype)
    return xp.eye(shape[-2], shape[-1], dtype=dtype)


def _per_matrix(path: str, cores: tuple[int | None, ...]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        import dask.array as da

        arrays = [da.asarray(a) for a in args[: len(cores)]]
        extra = args[len(cores) :]
        ndims = [
            (1 if a.ndim == 1 else 2) if core is None else core
            for a, core in zip(arrays, cores, strict=True)
        ]
        meta = arrays[0]._meta
        function = _chunk_function(path, meta)
        core_shapes = [tuple(a.shape[a.ndim - n :]) for a, n in zip(arrays, ndims, strict=True)]
        if any(np.isnan(n) for shape in core_shapes for n in shape):
            msg = (
                f"{path}: the matrices of a Dask array need known shapes; call "
                "x.compute_chunk_sizes() first"
            )
            raise UnsupportedOperationError(msg)
        sample = function(
            *(_sample(s, a.dtype, meta) for s, a in zip(core_shapes, arrays, strict=True)),
            *extra,
            **kwargs,
        )
        outputs = sample if isinstance(sample, tuple) else (sample,)
        inputs = ",".join(
            "(" + ",".join(f"i{k}_{j}" for j in range(n)) + ")" for k, n in enumerate(ndims)
        )
        sizes = {f"o{k}_{j}": n for k, out in enumerate(outputs) for j, n in enumerate(out.shape)}
        results = ",".join(
            "(" + ",".join(f"o{k}_{j}" for j in range(out.ndim)) + ")"
            for k, out in enumerate(outputs)
        )
        found = da.apply_gufunc(
            lambda *blocks: _chunk_function(path, blocks[0])(*blocks, *extra, **kwargs),
            f"{inputs}->{results}",
            *arrays,
            output_dtypes=[out.dtype for out in outputs],
            output_sizes=sizes,
            allow_rechunk=True,
        )
        if not isinstance(sample, tuple):
            return found
        return type(sample)(*found) if hasattr(sample, "_fields") else tuple(found)

    run.__name__ = path.rpartition(".")[2]
    return run


def _cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    import dask.array as da

    x1, x2 = da.broadcast_arrays(x1, x2)
    moved = [da.moveaxis(x, axis, -1) for x in (x1, x2)]
    result = da.apply_gufunc(
        lambda a, b: _chunk_function("linalg.cross", a)(a, b),
        "(i),(i)->(i)",
        *moved,
        output_dtypes=np.result_type(x1.dtype, x2.dtype),
        allow_rechunk=True,
    )
    return da.moveaxis(result, -1, axis)


def _take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Any:
    import dask.array as da

    axis %= x.ndim
    # Broadcast every other axis, then put `axis` in one chunk so each block is complete.
    shape = np.broadcast_shapes(
        tuple(1 if i == axis else n for i, n in enumerate(x.shape)),
        tuple(1 if i == axis else n for i, n in enumerate(indices.shape)),
    )
    x = da.broadcast_to(x, (*shape[:axis], x.shape[axis], *shape[axis + 1 :]))
    indices = da.broadcast_to(indices, (*shape[:axis], indices.shape[axis], *shape[axis + 1 :]))
    x = x.rechunk({axis: -1})
    indices = indices.rechunk({i: -1 if i == axis else c for i, c in enumerate(x.chunks)})
    return da.map_blocks(
        lambda a, i: _chunk_function("take_along_axis", a)(a, i, axis=axis),
        x,
        indices,
        dtype=x.dtype,
        chunks=indices.chunks,
        meta=x._meta,
    )


def _eye(
    n_rows: int, n_cols: int | None = None, /, *, k: int = 0, dtype: Any = None, device: Any = None
) -> Any:
    import dask.array as da

    # dask.array.eye computes wrong task graphs for k != 0 with n_cols != n_rows.
    n_cols = n_rows if n_cols is None else n_cols
    diagonal = da.arange(n_cols)[None, :] - da.arange(n_rows)[:, None] == k
    return diagonal.astype(np.float64 if dtype is None else dtype)


def _repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Any:
    import dask.array as da

    if not isinstance(repeats, int):
        from .._deviations import reason_for

        reason = reason_for("dask", "repeat(repeats=array)")
        msg = f"repeat is not available for dask arrays with repeats given as an array: {reason}"
        raise UnsupportedOperationError(msg)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.size == 0:  # dask.array.repeat fails on empty arrays
        shape = tuple(n * repeats if i == axis % x.ndim else n for i, n in enumerate(x.shape))
        return da.empty(shape, dtype=x.dtype)
    return da.repeat(x, repeats, axis=axis)


def _roll(x: Any, /, shift: Any, *, axis: Any = None) -> Any:
    import dask.array as da

    if x.size == 0:  # dask.array.roll fails on empty arrays; rolling nothing is a copy
        return x.copy()
    return da.roll(x, shift, axis=axis)


def _searchsorted(x1: Any, x2: Any, /, *, side: str = "left", sorter: Any = None) -> Any:
    import dask.array as da

    if sorter is not None:
        x1 = x1[sorter]
    if not isinstance(x2, da.Array):  # a Python scalar: Dask wants a 1-d array
        return da.searchsorted(x1, da.asarray(np.asarray([x2])), side=side)[0]
    return da.searchsorted(x1, x2, side=side)


OVERRIDES: dict[str, Callable[..., Any]] = {
    **{path: _per_matrix(path, cores) for path, cores in _PER_MATRIX.items()},
    "linalg.cross": _cross,
    "take_along_axis": _take_along_axis,
    "eye": _eye,
    "repeat": _repeat,
    "roll": _roll,
    "searchsorted": _searchsorted,
}

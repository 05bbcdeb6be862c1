"""Conversion between libraries that says what it does: the public functions.

Every conversion is decided by :func:`xpbridge._plan.decide` (the rules, and the record
:func:`plan` returns) and run by ``xpbridge._recipes`` (which reuses a decision while the
facts that decide stay the same). ``explain=True`` hands the plan that ran back with the
result.

Containers (dicts, lists, tuples, namedtuples, dataclasses of arrays) convert leaf by leaf
(``xpbridge._convert_tree``); data frames (pandas, polars, pyarrow) through their
libraries' zero-copy views (``xpbridge._frames``), decided by the same planner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._accept import provide_conversion
from ._backends import adapter_for_type, get_adapter
from ._coerce import make_array, stacked
from ._config import current_defaults
from ._convert_tree import TreePlan, convert_tree, plan_tree
from ._errors import CopyRequiredError, UnknownArrayTypeError
from ._frames import check_nulls_policy
from ._plan import SCALARS, Plan, Step, check_array_like, decide_any
from ._recipes import (
    after_failure,
    check_independent,
    convert,
    detached_requests,
    plain_requests,
    run_plan,
    run_watched,
)
from ._recipes import lift as _lift
from ._tree import is_container_type, is_tree, map_if_tree, map_tree
from ._watch import ACTIVE

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._backends._base import Adapter
    from ._frames import NullPolicy

__all__ = [
    "Plan",
    "Step",
    "TreePlan",
    "asarray",
    "from_dlpack",
    "lift",
    "plan",
    "to",
    "to_cupy",
    "to_dask",
    "to_jax",
    "to_mlx",
    "to_numpy",
    "to_torch",
]


def plan(
    x: Any,
    backend: str,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    nulls: NullPolicy = "raise",
) -> Plan | TreePlan:
    """The steps converting `x` to `backend` would take, without running them.

    Takes the same arguments as :func:`to`. A conversion that would be refused returns a
    plan whose ``error`` says why (``str(plan)`` shows it) instead of raising. For a
    container the result is a :class:`TreePlan`: every leaf's plan by its path, with the
    bytes copied and the leaves shared in total.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> print(xb.plan(np.arange(3.0)[::-1], "numpy", copy=True))
    numpy -> numpy: copy (copy=True asks for independent memory)
    """
    target = get_adapter(backend)
    options: dict[str, Any] = {"device": device, "dtype": dtype, "copy": copy, "detach": detach}
    if adapter_for_type(type(x)) is None:
        check_nulls_policy(nulls)
        if is_tree(x):
            return plan_tree(x, target, chunks=None, nulls=nulls, **options)
    return decide_any(x, target, chunks=None, nulls=nulls, **options)


# ---------------------------------------------------------------------- running


def to(
    x: Any,
    backend: str,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    explain: bool = False,
    chunks: Any = None,
    nulls: NullPolicy = "raise",
) -> Any:
    """Convert `x` to an array of `backend` (``"numpy"``, ``"torch"``, ``"cupy"``, ``"dask"``,
    ``"jax"``, ``"array_api_strict"``).

    Parameters
    ----------
    x : array, data frame, container, Python scalar or nested sequence
        An array of any supported library, data NumPy would accept, a data frame (pandas
        Series or DataFrame, polars Series or DataFrame, pyarrow Array, ChunkedArray, Table
        or RecordBatch: a table becomes rows x columns), or a container of them (dict,
        list, tuple, namedtuple, dataclass: converted leaf by leaf, its type kept).
    backend : str
        The library of the result.
    device : device, optional
        Where the result lives; default: where `x` is, if the target library can live
        there, else its default device (NumPy: the host). A different device always copies.
    dtype : dtype, optional
        The result's dtype (any spelling); a different dtype always copies.
    copy : bool, optional
        ``None``: share memory when possible. ``True``: always new memory. ``False``: never
        copy; raise :class:`CopyRequiredError` saying why a copy is needed.
    detach : bool, optional
        ``True`` cuts the autograd graph of a tensor that requires grad (sharing memory like
        ``t.detach().numpy()``; with ``copy=True`` the result is a copy). By default leaving
        torch with such a tensor follows the gradient mode and, in ``"preserve"`` mode,
        raises :class:`GradientBreakError`.
    explain : bool
        Return ``(result, plan)`` where ``plan`` is the :class:`Plan` that ran.
    chunks : optional
        Chunk sizes for a Dask result (see :func:`to_dask`).
    nulls : {"raise", "nan"}
        Data frames only: a column with nulls raises :class:`NullValuesError` (default),
        or, with ``"nan"``, the result is floating (integer and boolean columns become
        float64) with NaN for each null: a copy.

    Returns
    -------
    array
        An array of `backend`'s own type, never a wrapper; for a container, the same
        container with its leaves converted (see ``docs/pipelines.md``).

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> a = np.arange(3.0)
    >>> b = xb.to(a, "numpy", copy=True)
    >>> b[0] = 7.0
    >>> float(a[0])
    0.0
    """
    if (
        device is None
        and dtype is None
        and copy is None
        and detach is None
        and chunks is None
        and not explain
    ):
        try:
            request = plain_requests(backend)[x.__class__]
            recipe = request.recipes[request.traits(x)]
        except Exception:  # noqa: BLE001 - not decided yet: below
            request = None
        if request is not None:
            if ACTIVE[0]:
                return run_watched(request, recipe, x)  # an open guard or audit sees it
            try:
                return recipe.run(x)
            except Exception as exc:  # noqa: BLE001 - a route refused, or the input failed
                return after_failure(request, recipe, x, exc)
    if is_container_type(x.__class__) and is_tree(x):
        check_nulls_policy(nulls)
        target = get_adapter(backend)
        return _to_tree(x, target, device, dtype, copy, detach, explain, chunks, nulls)
    if chunks is None and explain is False and copy is not False:
        result = convert(x, backend, device, dtype, copy, detach)
        if result is not NotImplemented:
            return result
    target = get_adapter(backend)
    if adapter_for_type(type(x)) is None:
        check_nulls_policy(nulls)
    record = decide_any(
        x,
        target,
        device=device,
        dtype=dtype,
        copy=copy,
        detach=detach,
        chunks=chunks,
        nulls=nulls,
    )
    result = run_plan(record, x, copy=copy)
    if copy is True and adapter_for_type(type(x)) is not None:
        check_independent(x, result)
    return (result, record) if explain else result


def _to_tree(
    x: Any,
    target: Adapter,
    device: Any,
    dtype: Any,
    copy: bool | None,
    detach: bool | None,
    explain: bool,
    chunks: Any,
    nulls: NullPolicy,
) -> Any:
    """Container `x` converted leaf by leaf (``(result, TreePlan)`` with `explain`)."""
    name = target.name
    if device is None and dtype is None and copy is None and detach is None and chunks is None:
        leaf = _plain_leaf(name, nulls)
    elif chunks is None and nulls == "raise":

        def leaf(v: Any) -> Any:
            result = convert(v, name, device, dtype, copy, detach)
            if result is NotImplemented:
                result = to(v, name, device=device, dtype=dtype, copy=copy, detach=detach)
            return result

    else:

        def leaf(v: Any) -> Any:
            return to(
                v,
                name,
                device=device,
                dtype=dtype,
                copy=copy,
                detach=detach,
                chunks=chunks,
                nulls=nulls,
            )

    if copy is not False and not explain:
        return map_tree(leaf, x)
    return convert_tree(
        x,
        target,
        leaf,
        device=device,
        dtype=dtype,
        copy=copy,
        detach=detach,
        chunks=chunks,
        nulls=nulls,
        explain=explain,
    )


#: (target, nulls) -> the function converting one leaf with no other option.
_PLAIN_LEAVES: dict[tuple[str, str], Callable[[Any], Any]] = {}


def _plain_leaf(name: str, nulls: NullPolicy) -> Callable[[Any], Any]:
    try:
        return _PLAIN_LEAVES[name, nulls]
    except KeyError:
        pass
    check_nulls_policy(nulls)
    get_adapter(name)  # an unknown name fails here, with the list of backends
    requests = plain_requests(name)

    def leaf(v: Any) -> Any:
        # An array takes the shortcut it would take alone; the rest goes through `to`.
        try:
            request = requests[v.__class__]
            recipe = request.recipes[request.traits(v)]
        except Exception:  # noqa: BLE001 - not decided yet: below
            request = None
        if request is not None:
            if ACTIVE[0]:
                return run_watched(request, recipe, v)  # an open guard or audit sees it
            try:
                return recipe.run(v)
            except Exception as exc:  # noqa: BLE001 - a route refused, or the input failed
                return after_failure(request, recipe, v, exc)
        return to(v, name, nulls=nulls)

    _PLAIN_LEAVES[name, nulls] = leaf
    return leaf


def lift(x: Any, target: Adapter, *, device: Any, context: str) -> Any:
    """Bring `x` into `target` for a mixed call: zero-copy where possible, never moved.

    Used by the ``"promote"`` mixing policy. A device change is refused with
    :class:`DeviceMismatchError`; gradients follow the gradient mode as in :func:`to`.
    """
    return _lift(x, target, device, context)


# ---------------------------------------------------------------------- shortcuts

# The plain requests of each shortcut's target, looked up first (see _recipes.PLAIN).
_PLAIN_NUMPY = plain_requests("numpy")
_DETACHED_NUMPY = detached_requests("numpy")
_PLAIN_TORCH = plain_requests("torch")
_PLAIN_CUPY = plain_requests("cupy")
_PLAIN_JAX = plain_requests("jax")


def to_numpy(
    x: Any,
    /,
    *,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    nulls: NullPolicy = "raise",
) -> Any:
    """``to(x, "numpy", ...)``: a NumPy array in host memory.

    Zero-copy from torch CPU tensors (``Tensor.numpy()``), JAX arrays (a read-only view) and
    array-api-strict arrays; a device-to-host copy for GPU arrays (refused with
    ``copy=False``); computed for Dask. A tensor that requires grad needs ``detach=True``
    (see :func:`to` for every argument).

    Examples
    --------
    >>> import xpbridge as xb
    >>> xb.to_numpy([1, 2, 3])
    array([1, 2, 3])
    """
    if dtype is None and copy is None and detach is not False:
        # Plain, or detach=True alone (logging a loss each step): one lookup by type.
        requests = _PLAIN_NUMPY if detach is None else _DETACHED_NUMPY
        try:
            request = requests[x.__class__]
            recipe = request.recipes[request.traits(x)]
        except Exception:  # noqa: BLE001 - not decided yet: below
            request = None
        if request is not None:
            if ACTIVE[0]:
                return run_watched(request, recipe, x)  # an open guard or audit sees it
            try:
                return recipe.run(x)
            except Exception as exc:  # noqa: BLE001 - a route refused, or the input failed
                return after_failure(request, recipe, x, exc)
        if detach is None:
            tree = map_if_tree(_plain_leaf("numpy", nulls), x)  # a container: leaf by leaf
            if tree is not NotImplemented:
                return tree
    if copy is not False:
        result = convert(x, "numpy", None, dtype, copy, detach)
        if result is not NotImplemented:
            return result
    return to(x, "numpy", dtype=dtype, copy=copy, detach=detach, nulls=nulls)


def to_torch(
    x: Any,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    nulls: NullPolicy = "raise",
) -> Any:
    """``to(x, "torch", ...)``: a ``torch.Tensor``.

    Zero-copy from writable NumPy and array-api-strict memory (``torch.from_numpy``) and
    from CuPy on the same GPU (DLPack); read-only, byte-swapped or negatively strided input
    and JAX arrays are copied (tensors are writable). ``device=`` moves (a copy). Staying in
    torch keeps the autograd graph (see :func:`to`).
    """
    if device is None and dtype is None and copy is None and detach is None:
        try:
            request = _PLAIN_TORCH[x.__class__]
            recipe = request.recipes[request.traits(x)]
        except Exception:  # noqa: BLE001 - not decided yet: below
            request = None
        if request is not None:
            if ACTIVE[0]:
                return run_watched(request, recipe, x)  # an open guard or audit sees it
            try:
                return recipe.run(x)
            except Exception as exc:  # noqa: BLE001 - a route refused, or the input failed
                return after_failure(request, recipe, x, exc)
        tree = map_if_tree(_plain_leaf("torch", nulls), x)  # a container: leaf by leaf
        if tree is not NotImplemented:
            return tree
    if copy is not False:
        result = convert(x, "torch", device, dtype, copy, detach)
        if result is not NotImplemented:
            return result
    return to(x, "torch", device=device, dtype=dtype, copy=copy, detach=detach, nulls=nulls)


def to_cupy(
    x: Any,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    nulls: NullPolicy = "raise",
) -> Any:
    """``to(x, "cupy", ...)``: a CuPy array on `device` (default: the current GPU).

    Host data (NumPy, CPU tensors...) is uploaded, a copy (refused with ``copy=False``);
    a CUDA tensor on the same device is shared through DLPack (see :func:`to`).
    """
    if device is None and dtype is None and copy is None and detach is None:
        try:
            request = _PLAIN_CUPY[x.__class__]
            recipe = request.recipes[request.traits(x)]
        except Exception:  # noqa: BLE001 - not decided yet: below
            request = None
        if request is not None:
            if ACTIVE[0]:
                return run_watched(request, recipe, x)  # an open guard or audit sees it
            try:
                return recipe.run(x)
            except Exception as exc:  # noqa: BLE001 - a route refused, or the input failed
                return after_failure(request, recipe, x, exc)
        tree = map_if_tree(_plain_leaf("cupy", nulls), x)  # a container: leaf by leaf
        if tree is not NotImplemented:
            return tree
    if copy is not False:
        result = convert(x, "cupy", device, dtype, copy, detach)
        if result is not NotImplemented:
            return result
    return to(x, "cupy", device=device, dtype=dtype, copy=copy, detach=detach, nulls=nulls)


def to_jax(
    x: Any,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    nulls: NullPolicy = "raise",
) -> Any:
    """``to(x, "jax", ...)``: a JAX array.

    JAX arrays are immutable, so writable memory is copied unless ``copy=False`` (which
    shares it, at your own risk); read-only memory is shared when it is row-major and
    64-byte aligned. Without 64-bit mode, float64/int64/complex128/uint64 input is refused
    rather than narrowed (pass a 32-bit ``dtype=``). See :func:`to`.
    """
    if device is None and dtype is None and copy is None and detach is None:
        try:
            request = _PLAIN_JAX[x.__class__]
            recipe = request.recipes[request.traits(x)]
        except Exception:  # noqa: BLE001 - not decided yet: below
            request = None
        if request is not None:
            if ACTIVE[0]:
                return run_watched(request, recipe, x)  # an open guard or audit sees it
            try:
                return recipe.run(x)
            except Exception as exc:  # noqa: BLE001 - a route refused, or the input failed
                return after_failure(request, recipe, x, exc)
        tree = map_if_tree(_plain_leaf("jax", nulls), x)  # a container: leaf by leaf
        if tree is not NotImplemented:
            return tree
    if copy is not False:
        result = convert(x, "jax", device, dtype, copy, detach)
        if result is not NotImplemented:
            return result
    return to(x, "jax", device=device, dtype=dtype, copy=copy, detach=detach, nulls=nulls)


def to_mlx(
    x: Any,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    nulls: NullPolicy = "raise",
) -> Any:
    """``to(x, "mlx", ...)``: an MLX array.

    MLX arrays own their memory, so data from other libraries is copied in (``copy=False``
    is refused, naming why); out of MLX, NumPy views its memory after evaluating it. MLX
    has no complex128: such input is refused rather than narrowed. See :func:`to`.
    """
    if copy is not False:
        result = convert(x, "mlx", device, dtype, copy, detach)
        if result is not NotImplemented:
            return result
    return to(x, "mlx", device=device, dtype=dtype, copy=copy, detach=detach, nulls=nulls)


def to_dask(
    x: Any,
    /,
    *,
    chunks: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    nulls: NullPolicy = "raise",
) -> Any:
    """``to(x, "dask", ...)``: a Dask array split into `chunks` (Dask's chunk spellings).

    With ``copy=None`` the chunks are views of `x`, read when the graph runs (recent Dask's
    own ``from_array`` would snapshot `x`), so writes to `x` before computing show in the
    result; ``copy=True`` snapshots `x` first.
    ``chunks=None`` means Dask's ``"auto"`` for new arrays and keeps a Dask array's chunks
    (given chunks rechunk it, lazily).
    """
    return to(x, "dask", dtype=dtype, copy=copy, detach=detach, chunks=chunks, nulls=nulls)


def from_dlpack(
    x: Any, /, *, device: Any = None, copy: bool | None = None, backend: str | None = None
) -> Any:
    """An array of `backend` (default: the context's default backend) from a DLPack producer.

    Arrays of known libraries go through :func:`to`, with its guards and gradient rules.
    A producer of another library is read through NumPy when its memory is on the host (so
    read-only and negatively strided memory get the same guards) and handed to the
    target's ``from_dlpack`` when it is on a device. ``copy`` as in :func:`to`.
    """
    target = get_adapter(backend or current_defaults().backend)
    if adapter_for_type(type(x)) is None and not hasattr(x, "__dlpack__"):
        msg = f"from_dlpack: {type(x).__qualname__} does not export __dlpack__"
        raise UnknownArrayTypeError(msg)
    return to(x, target.name, device=device, copy=copy)


def asarray(
    obj: Any,
    /,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    backend: str | None = None,
    like: Any = None,
) -> Any:
    """An array from `obj`: an array of any library, a Python scalar or nested sequence.

    Without ``backend=``/``like=`` an array stays in its own library (standard ``asarray``
    semantics, with ``copy=`` honoured); anything else goes to the context's default backend.
    Converting to another library follows :func:`to` (zero-copy where possible, gradients
    never dropped silently).

    Examples
    --------
    >>> import xpbridge as xb
    >>> xb.asarray([1.0, 2.0])
    array([1., 2.])
    """
    if like is not None:
        owner = adapter_for_type(type(like))
        if owner is None:
            msg = f"asarray: like= must be an array; got {type(like).__qualname__}"
            raise UnknownArrayTypeError(msg)
        backend = backend or owner.name
        if device is None:
            device = owner.device(like)
    source = adapter_for_type(type(obj))
    if source is None and isinstance(obj, list | tuple):
        found = stacked(obj, "asarray: obj")  # arrays in a sequence: stacked in their library
        if found is not None:
            if copy is False:
                msg = (
                    "asarray: copy=False, but stacking a sequence of arrays makes new memory; "
                    "pass copy=None"
                )
                raise CopyRequiredError(msg)
            source, obj = found
            copy = None  # new memory already
    if backend is None:
        backend = source.name if source is not None else current_defaults().backend
        if device is None and source is None:
            device = current_defaults().device
    if (
        source is not None
        and source.name == get_adapter(backend).name
        and dtype is None
        and device is None
    ):
        if copy is True:
            return to(obj, backend, copy=True)
        return obj
    if source is None:
        target = get_adapter(backend)
        check_array_like(obj, f"make a {target.name} array")
        if not isinstance(obj, (*SCALARS, list, tuple)):
            # A buffer or foreign array: through a NumPy view, with the guards of `to`.
            return to(obj, target.name, dtype=dtype, device=device, copy=copy)
        if copy is False:
            msg = (
                f"asarray: copy=False, but a Python {type(obj).__name__} has no array memory "
                "to share; pass copy=None"
            )
            raise CopyRequiredError(msg)
        return make_array(obj, target, "asarray: obj", dtype=dtype, device=device, copy=copy)
    return to(obj, backend, dtype=dtype, device=device, copy=copy)


provide_conversion(to)  # array-likes taken by item, info... convert as `to` does

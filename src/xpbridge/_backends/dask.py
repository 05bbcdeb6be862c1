"""Dask: lazy, chunked arrays; every function stays lazy where Dask can, conversions compute.

Functions go through array-api-compat's Dask namespace, with lazy replacements
(``_dask_ops``) where Dask has no function or would compute eagerly. A Dask array's device
is its chunks' device: host memory for NumPy chunks, the GPU for CuPy chunks.

Two limits of Dask remain, and are reported rather than hidden: results whose length
depends on the data (``nonzero``, ``unique_*``, ``x[mask]``, ``repeat`` with an array of
counts) have an unknown (NaN) shape until computed, and some functions need it known
(:class:`UnknownShapeError` says so, naming the fix).
"""

from __future__ import annotations

import math
import re
import uuid
from functools import cached_property
from itertools import product
from typing import TYPE_CHECKING, Any

import array_api_compat.dask.array as compat_dask
import dask
import dask.array as da
import numpy as np
from dask.array.core import finalize as dask_finalize
from dask.array.core import normalize_chunks, slices_from_chunks
from dask.core import flatten

from .._deviation import Deviation
from .._dtypes import dtype_name
from .._errors import DeviceMismatchError, DeviceNotAvailableError, UnsupportedOperationError
from .._taxonomy import explain
from . import device_chunk_libraries
from ._base import Adapter, Facts, Route
from ._dask_ops import OVERRIDES

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DaskAdapter", "UnknownShapeError"]


class UnknownShapeError(UnsupportedOperationError, ValueError):
    """A Dask array's shape depends on data not computed yet, and the function needs it."""


_DLPACK_CPU = 1  # kDLCPU in DLPack's device enum

DEVIATIONS = (
    Deviation(
        "dask",
        "floor_divide",
        "Dask (NumPy's kernels, chunk by chunk) follows Python's floor division at "
        "infinities: an infinity divided by a finite number gives NaN, and a finite "
        "number divided by an infinity of the other sign gives -1; the standard "
        "prefers floor(x1 / x2) (+-infinity and -0) and notes that libraries "
        "may match Python instead",
        dtypes=("float32", "float64"),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "dask",
        "expm1",
        "Dask (NumPy's kernels, chunk by chunk) computes complex expm1 without the standard's "
        "special cases at infinities and NaN (expm1(+inf + 0j) gives inf + NaN j, "
        "expm1(-inf + inf j) NaN + NaN j, not -1 + 0j)",
        dtypes=("complex64", "complex128"),
        kind="differs",
        case="special cases",
    ),
    # Laziness: results whose length depends on the data get a NaN shape.
    *(
        Deviation(
            "dask",
            function,
            "the result's length depends on the data, so Dask leaves it unknown (NaN in "
            "shape) until computed; functions that need it raise UnknownShapeError: call "
            "x.compute_chunk_sizes() first (this computes x)",
            kind="differs",
        )
        for function in (
            "nonzero",
            "unique",
            "unique_all",
            "unique_counts",
            "unique_inverse",
            "unique_values",
        )
    ),
    Deviation(
        "dask",
        "repeat",
        "with an array of counts, the result's length depends on their values, so Dask "
        "leaves it unknown (NaN in shape) until computed (an int count keeps it known)",
        kind="differs",
        case="array of counts",
    ),
    *(
        Deviation(
            "dask",
            function,
            "returns a lazy 0-d boolean Dask array instead of a Python bool, so the check "
            "stays in the graph; bool() of it (as in `if`) computes it",
            kind="differs",
        )
        for function in ("allclose", "array_equal")
    ),
)

compat_dask_any: Any = compat_dask  # built at import time: type checkers cannot see into it
#: Devices that array-api-compat's inspection lists for Dask besides "cpu" (its
#: ``DASK_DEVICE`` placeholder): accepted wherever a device is.
_PLACEHOLDER_DEVICES = tuple(
    d for d in compat_dask_any.__array_namespace_info__().devices() if not isinstance(d, str)
)

# How Dask words its complaints about NaN shapes and chunks.
_PRODUCTS = frozenset({"matmul", "linalg.matmul", "tensordot", "linalg.tensordot"})
_WRAPPED = re.compile(r"An error occurred while calling the \w+ method registered")
_UNKNOWN_SHAPE = re.compile(r"\bnan\b|chunk sizes are unknown|unknown.*shape", re.IGNORECASE)


class _DaskRandom:
    """Random numbers from Dask's generator: lazy arrays, one NumPy stream per chunk."""

    def __init__(self, seed: Any) -> None:
        self._rng = da.random.default_rng(seed)

    def random(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self._rng.random(shape, dtype=dtype)

    def standard_normal(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self._rng.standard_normal(shape, dtype=dtype)

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: str) -> Any:
        return self._rng.integers(low, high, shape, dtype=dtype)

    def permutation(self, n: int) -> Any:
        return self._rng.permutation(n)


def _unique_of_chunks_library(name: str, a: Any) -> Any:
    """``unique_<name>`` of a computed array by its own library's standard namespace (a
    picklable task: workers import the library themselves)."""
    import array_api_compat

    result = getattr(array_api_compat.array_namespace(a), name)(a)
    return tuple(result) if isinstance(result, tuple) else (result,)


class _UniqueInOneTask:
    """``unique_*`` of Dask arrays where NaN can occur (floating dtypes), as one task of the
    chunks' library, which keeps every NaN distinct as the standard says (Dask's own unique
    merges them, and miscounts or fails with them). The lengths are unknown until computed,
    as with Dask's own."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, x: Any, /) -> Any:
        plain = getattr(compat_dask, self.name)
        if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.complexfloating)):
            return plain(x)
        import array_api_compat

        sample = getattr(array_api_compat.array_namespace(x._meta), self.name)(x._meta.reshape(-1))
        fields = tuple(sample) if isinstance(sample, tuple) else (sample,)
        parts = dask.delayed(_unique_of_chunks_library, nout=len(fields))(self.name, x)
        names = getattr(sample, "_fields", ("values",))
        arrays = [
            da.from_delayed(
                part,
                shape=tuple(x.shape) if field == "inverse_indices" else (math.nan,),
                dtype=like.dtype,
                meta=like[:0],
            )
            for part, field, like in zip(parts, names, fields, strict=True)
        ]
        return type(sample)(*arrays) if isinstance(sample, tuple) else arrays[0]


class DaskAdapter(Adapter):
    name = "dask"
    array_type_name = "dask.array.Array"
    deviations = DEVIATIONS
    # NumPy's refusals, raised when Dask builds the graph (it calls the ufunc on metadata).
    dtype_refusals = (r"not supported for the input types", r"Parameters of such types")

    def __init__(self) -> None:
        super().__init__()
        self.overrides.update(OVERRIDES)
        for name in ("unique_values", "unique_counts", "unique_inverse", "unique_all"):
            self.overrides.setdefault(name, _UniqueInOneTask(name))

    @cached_property
    def module(self) -> Any:
        return da

    @cached_property
    def xp(self) -> Any:
        return compat_dask

    @cached_property
    def version(self) -> str:
        return str(dask.__version__)

    def translate_error(self, exc: BaseException, function: str) -> Exception | None:
        if exc.__cause__ is not None and _WRAPPED.match(str(exc)):
            exc = exc.__cause__  # Dask's backend dispatch rewords the chunk library's error
        if isinstance(exc, (ValueError, NotImplementedError)) and _UNKNOWN_SHAPE.search(str(exc)):
            msg = (
                f"{function}: a Dask array here has an unknown (NaN) shape, because it came "
                "from a step whose output length depends on the data (a boolean mask, "
                "nonzero, unique_*, repeat with an array of counts), and Dask cannot plan "
                f"{function} without it. Call x.compute_chunk_sizes() on that array first "
                "(it computes it), or keep the shape known, e.g. xb.where(mask, x, 0) "
                f"instead of x[mask]. Dask said: {exc}"
            )
            return UnknownShapeError(msg)
        if isinstance(exc, NotImplementedError):
            msg = f"{function}: Dask cannot do this: {exc}"
            return UnsupportedOperationError(msg)
        if function in _PRODUCTS and "Chunks do not add up to shape" in str(exc):
            return explain(exc, "matmul", function)  # how Dask words mismatched operands
        return super().translate_error(exc, function)

    # ------------------------------------------------------------------ devices

    def _chunk_adapter(self, x: Any) -> Adapter | None:
        """The adapter of the chunks' library (CuPy's for CuPy chunks), or None for NumPy."""
        from . import adapter_for_type

        owner = adapter_for_type(type(getattr(x, "_meta", None)))
        return None if owner is None or owner.name == "numpy" else owner

    def _device_chunks(self, device: Any = None) -> Adapter | None:
        """The library whose arrays hold chunks on accelerator `device` (a native object or
        a :meth:`device_str` name; None: any accelerator), if one is installed. Dask takes
        chunks of any NumPy-like library (CuPy's on CUDA devices)."""
        for owner in device_chunk_libraries():
            if device is None or _holds(owner, device):
                return owner
        return None

    def device(self, x: Any) -> Any:
        owner = self._chunk_adapter(x)
        return "cpu" if owner is None else owner.device(x._meta)

    def default_device(self) -> Any:
        return "cpu"

    def devices(self) -> list[Any]:
        found: list[Any] = ["cpu"]
        for owner in device_chunk_libraries():
            found += _devices(owner)
        return found

    def device_str(self, device: Any) -> str:
        if isinstance(device, str) or device is None:
            return super().device_str(device)
        owner = self._device_chunks(device)
        if owner is not None:
            return owner.device_str(device)
        return super().device_str(device)

    def supports_device(self, device: str) -> bool:
        return device == "cpu" or self._device_chunks(device) is not None

    def native_device(self, device: Any) -> Any:
        if device is None or device == "cpu":
            return device
        if device in _PLACEHOLDER_DEVICES:
            # array-api-compat's DASK_DEVICE, which its __array_namespace_info__().devices()
            # lists: its creation functions make NumPy-backed arrays for it, so it stands
            # for the default device.
            return "cpu"
        owner = self._device_chunks(device if not isinstance(device, str) else None)
        if owner is None:
            msg = (
                "Dask arrays live where their chunks do: host memory (NumPy chunks) or an "
                f"accelerator (chunks of a NumPy-like library such as CuPy); device {device!r} "
                "needs such a library, and none is installed"
            )
            raise DeviceNotAvailableError(msg)
        return owner.native_device(device)

    def owns_device(self, device: Any) -> bool:
        return False  # device objects belong to the chunks' library

    def to_device(self, x: Any, device: Any) -> Any:
        """Move the chunks lazily: each chunk moves when it is computed."""
        target = self.device_str(self.native_device(device))
        if target == self.device_str(self.device(x)):
            return x
        if target == "cpu":
            owner = self._chunk_adapter(x)
            assert owner is not None
            return x.map_blocks(owner.to_host, dtype=x.dtype, meta=owner.to_host(x._meta))
        owner = self._device_chunks(target)
        assert owner is not None
        move = _Uploader(owner, target)
        return x.map_blocks(move, dtype=x.dtype, meta=move(x._meta))

    # ------------------------------------------------------------------ facts and conversion

    def facts(self, x: Any) -> Facts:
        base = super().facts(x)
        shape = tuple(None if isinstance(n, float) and math.isnan(n) else n for n in x.shape)
        owner = self._chunk_adapter(x)
        return Facts(
            backend=self.name,
            dtype=base.dtype,
            shape=shape,
            device=base.device,
            itemsize=base.itemsize,
            lazy=True,
            computes_into=(owner or self._host).name,
            chunks=x.chunks,
        )

    @cached_property
    def _host(self) -> Adapter:
        from . import get_adapter

        return get_adapter("numpy")

    def traits(self, x: Any) -> Any:
        # Conversions compute: the chunks' library, device and dtype decide.
        meta = x._meta
        return x.dtype, type(meta), getattr(meta, "device", None)

    def rechunk(self, x: Any, chunks: Any) -> Any:
        return x.rechunk(chunks)

    def copy(self, x: Any) -> Any:
        return x.copy()

    def random_source(self, seed: Any, device: Any) -> Any:
        return _DaskRandom(seed)

    def compute(self, x: Any, empty: Callable[[tuple[int, ...], Any], Any] | None = None) -> Any:
        """Evaluate `x` into a NumPy (or CuPy) array in new memory, on the current scheduler.

        With `empty` (``empty(shape, dtype)``, new NumPy memory laid out as a target library
        wants it, e.g. aligned for JAX to alias) the blocks of NumPy-backed arrays of known
        shape are assembled into that memory: still one copy.
        """
        if empty is not None and type(x._meta) is np.ndarray and not math.isnan(x.size):
            (result,) = dask.compute(_Assembled(x, empty))
            return result
        result = x.compute()
        flags = getattr(result, "flags", None)
        if flags is not None and not flags.owndata:
            # Dask's finalize step copies today; a view of an input would break copy=True.
            result = result.copy()
        return result

    def has_dtype(self, name: str) -> bool:
        # Dask holds any NumPy dtype, float16 included (array-api-compat's namespace lacks
        # it); bfloat16 only exists in NumPy through ml_dtypes, which Dask does not know.
        return name != "bfloat16"

    def astype(self, x: Any, dtype: Any) -> Any:
        return x.astype(np.dtype(dtype_name(dtype)))

    def to_host(self, x: Any) -> Any:
        result = self.compute(x)
        owner = self._chunk_adapter(x)
        return owner.to_host(result) if owner is not None else np.asarray(result)

    def from_host(self, a: Any, device: str) -> Any:
        if device == "cpu":
            return _from_array(a.copy(), None)
        owner = self._device_chunks(device)
        assert owner is not None
        return _from_array(owner.from_host(a, device), None)

    def share_refusals(self, facts: Facts, *, copy: bool | None) -> list[str]:
        # Dask never writes into its chunks, so it may view read-only memory.
        return []

    negative_strides_ok = True

    def host_import(self, dtype: str, *, chunks: Any = None) -> Route | None:
        if chunks is None:
            return _HOST_IMPORT
        return Route("dask.array.from_array", _FromArray(chunks), f"chunk views of {chunks!r}")

    def wrap_import(self, source: Adapter, *, chunks: Any = None) -> Route | None:
        # Chunks of any NumPy-like library, on its device (CuPy's on a GPU).
        return self.host_import("", chunks=chunks) if source.numpy_like else None

    def from_dlpack(self, x: Any, *, device: Any = None, copy: bool | None = None) -> Any:
        where = x.__dlpack_device__()
        if where[0] == _DLPACK_CPU:
            return _from_array(np.from_dlpack(x, copy=copy), None)
        # Device memory: chunks of the library that holds arrays there (CuPy's on CUDA).
        owner = self._device_chunks()
        if owner is None:
            msg = (
                "Dask holds device memory only in chunks of a NumPy-like library (CuPy), "
                "and none is installed"
            )
            raise DeviceMismatchError(msg)
        return _from_array(owner.from_dlpack(x, copy=copy), None)


def _holds(owner: Adapter, device: Any) -> bool:
    """Whether `owner` holds arrays on `device` (a native object or a name)."""
    try:
        if isinstance(device, str):
            return owner.supports_device(device)
        return owner.owns_device(device)
    except Exception:  # noqa: BLE001 - installed without a usable driver
        return False


def _devices(owner: Adapter) -> list[Any]:
    try:
        return owner.devices()
    except Exception:  # noqa: BLE001 - installed without a usable driver
        return []


def _from_array(x: Any, chunks: Any) -> Any:
    """A Dask array whose chunks are views of the NumPy or CuPy array `x`, read at compute.

    What ``da.from_array`` does for an ndarray, without its snapshot (``x.copy()``):
    xpbridge's contract is zero-copy unless a copy is asked for (``copy=True`` snapshots
    first). The graph holds views (``x[...]`` even for one block), never `x` itself: Dask's
    finalize copies a single block, and ``DaskAdapter.compute`` copies what does not own
    its memory, so compute never hands the caller's own array back. A random name, not a
    hash of the contents: they may change before the graph runs.
    """
    chunks = normalize_chunks("auto" if chunks is None else chunks, x.shape, dtype=x.dtype)
    name = f"array-{uuid.uuid4().hex}"
    if all(len(sizes) == 1 for sizes in chunks):
        graph = {(name,) + (0,) * x.ndim: x[...]}
    else:
        keys = product([name], *(range(len(sizes)) for sizes in chunks))
        graph = dict(zip(keys, [x[where] for where in slices_from_chunks(chunks)], strict=True))
    meta = x[(slice(0, 0),) * x.ndim] if x.ndim else x.reshape((1,))[:0]
    return da.Array(graph, name, chunks, meta=meta, dtype=x.dtype)


class _Assembled:
    """A Dask collection: the array `x` computed into ``empty(x.shape, x.dtype)``.

    Dask's collection protocol with `x`'s own graph, scheduler and optimization; only the
    final step differs (Dask's own concatenates into memory it allocates). It runs where
    Dask runs that step (a worker, on a distributed cluster), never writes into memory it
    did not allocate, and computes once, however many blocks.
    """

    def __init__(self, x: Any, empty: Callable[[tuple[int, ...], Any], Any]) -> None:
        self.x, self.empty = x, empty

    def __dask_graph__(self) -> Any:
        return self.x.__dask_graph__()

    def __dask_keys__(self) -> Any:
        return self.x.__dask_keys__()

    def __dask_layers__(self) -> Any:
        return self.x.__dask_layers__()

    def __dask_tokenize__(self) -> Any:
        return ("xpbridge-assembled", self.x.name)

    __dask_optimize__ = staticmethod(da.Array.__dask_optimize__)
    __dask_scheduler__ = staticmethod(da.Array.__dask_scheduler__)

    def __dask_postcompute__(self) -> Any:
        return _assemble, (self.x.shape, self.x.chunks, self.x.dtype, self.empty)


def _assemble(blocks: Any, shape: Any, chunks: Any, dtype: Any, empty: Any) -> Any:
    """The computed blocks (nested lists, as the keys) copied into ``empty(shape, dtype)``."""
    out = empty(shape, dtype)
    for where, block in zip(slices_from_chunks(chunks), flatten(blocks), strict=True):
        if np.shape(block) != out[where].shape:  # a graph whose metadata lies: Dask's way
            return dask_finalize(blocks)
        out[where] = block
    return out


class _FromArray:
    """Chunk views of a NumPy or CuPy array (CuPy chunks keep their device)."""

    def __init__(self, chunks: Any) -> None:
        self.chunks = chunks

    def __call__(self, x: Any) -> Any:
        return _from_array(x, self.chunks)


def _auto_chunks(x: Any) -> Any:
    return _from_array(x, None)


_HOST_IMPORT = Route("dask.array.from_array", _auto_chunks, "chunk views of the input")


class _Uploader:
    """A picklable chunk mover to one CUDA device (tasks may run on distributed workers)."""

    def __init__(self, cupy: Adapter, device: str) -> None:
        self.cupy, self.device = cupy, device

    def __call__(self, block: Any) -> Any:
        return self.cupy.from_host(block, self.device)

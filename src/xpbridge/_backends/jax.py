"""JAX: immutable arrays; its own namespace already follows the standard.

Functions also run on tracers, inside ``jax.jit``, ``jax.grad`` and ``jax.vmap``: the
registry recognises ``jax.core.Tracer``, and nothing here asks a traced value for its data.
What JAX cannot trace (results whose shape depends on the data, such as ``nonzero`` and
``unique_*``) raises :class:`TracedValueError`, naming the fix.
"""

from __future__ import annotations

import functools
from functools import cached_property
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from .._deviation import Deviation
from .._errors import UnsupportedDTypeError, UnsupportedOperationError
from .._sizes import check_count, check_shape
from .._taxonomy import mistake, wording
from ._base import Adapter, Facts, Route, int_seed
from ._host import aligned_empty, c_strides

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

__all__ = ["JaxAdapter", "TracedValueError"]

_WIDE = {"float64", "complex128", "int64", "uint64"}
#: JAX's CPU client aliases host memory only at this alignment; elsewhere it copies.
CPU_ALIGNMENT = 64


def _put(a: Any) -> Any:
    # device_put aliases aligned, row-major host memory (read-only included, which
    # DLPack cannot export to JAX) and takes ml_dtypes' bfloat16, which DLPack cannot.
    return jax.device_put(np.asarray(a))


#: Below this size JAX's own copy wins (its fixed costs are lower than DLPack's).
_SMALL_COPY = 1_000_000


@functools.cache
def _default_on_host() -> bool:
    return bool(jax.devices()[0].platform == "cpu")


def _new_from_host(a: Any) -> Any:
    """A JAX array holding a copy of the NumPy array `a`, made once."""
    a = np.asarray(a)
    a = a.astype(a.dtype.newbyteorder("="), copy=False)  # JAX has native byte order only
    if a.nbytes < _SMALL_COPY and _default_on_host():
        return jnp.array(a, copy=True)
    # One NumPy copy into new row-major memory at JAX's alignment, which JAX then aliases
    # (on the CPU): above a megabyte jnp.array costs 2 to 7 times a NumPy copy.
    copy = _aligned_empty(a.shape, a.dtype)
    np.copyto(copy, a)
    return _aliased(copy)


def _aligned_empty(shape: tuple[int, ...], dtype: Any) -> Any:
    """New row-major NumPy memory at the alignment JAX's CPU client aliases."""
    return aligned_empty(shape, dtype, CPU_ALIGNMENT)


def _aliased(a: Any) -> Any:
    """A JAX array of the aligned NumPy memory `a`, which nobody else holds (no copy on CPU)."""
    if a.dtype.name == "bfloat16" or not a.size:  # DLPack cannot carry bfloat16
        return _put(a)
    return jax.dlpack.from_dlpack(a)


_EXPORT = Route("numpy.asarray", np.asarray, "a read-only view of the immutable buffer")
# The planner passes only memory nobody can write (or copy=False), row-major and aligned.
_IMPORT = Route("jax.device_put", _put, "aliases host memory, read-only and bfloat16 too")
_COPY_IMPORT = Route(
    "an aligned NumPy copy + jax.dlpack.from_dlpack",
    _new_from_host,
    "one copy, at the alignment JAX aliases",
    copies=True,
)


class TracedValueError(UnsupportedOperationError, TypeError):
    """A function needed the values of a traced JAX array (inside ``jit``, ``grad``, ``vmap``)."""


def _permute_dims(x: Any, /, axes: tuple[int, ...]) -> Any:
    # Negative axes are standard since 2025.12; jax.numpy refuses them.
    return jnp.permute_dims(x, tuple(a % x.ndim if a < 0 else a for a in axes))


def _astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    # jax.numpy defaults to copy=False; the standard's copy=True must give a new buffer
    # (one that jit's buffer donation, say, can consume without deleting the original).
    return jnp.astype(x, dtype, copy=copy, device=device)


def _searchsorted(x1: Any, x2: Any, /, *, side: str = "left", sorter: Any = None) -> Any:
    # jax.numpy returns int32 indices even in 64-bit mode; the standard says the default
    # index dtype.
    found = jnp.searchsorted(x1, x2, side=side, sorter=sorter)
    return found.astype(jnp.asarray(0).dtype)


def _cumulative_prod(
    x: Any, /, *, axis: int | None = None, dtype: Any = None, include_initial: bool = False
) -> Any:
    # jax.numpy keeps small integer dtypes; the standard (and cumulative_sum) widen them to
    # the default integer dtype of their signedness.
    if dtype is None and jnp.issubdtype(x.dtype, jnp.integer):
        wide = jnp.asarray(0).dtype
        if jnp.issubdtype(x.dtype, jnp.unsignedinteger):
            wide = jnp.dtype(f"uint{wide.itemsize * 8}")
        dtype = jnp.promote_types(x.dtype, wide)
    return jnp.cumulative_prod(x, axis=axis, dtype=dtype, include_initial=include_initial)


# XLA aborts the process on a shape whose element count overflows 64 bits (even with a zero
# dimension); these functions take a shape from their arguments, so it is checked first.


def _reshape(x: Any, /, shape: tuple[int, ...], *, copy: bool | None = None) -> Any:
    check_shape(shape, "reshape", wildcard=True)
    return jnp.reshape(x, shape, copy=copy)


def _broadcast_to(x: Any, /, shape: tuple[int, ...]) -> Any:
    check_shape(shape, "broadcast_to")
    return jnp.broadcast_to(x, shape)


def _tile(x: Any, repetitions: tuple[int, ...], /) -> Any:
    reps = tuple(repetitions)
    if all(isinstance(r, int) for r in reps):
        ndim = max(x.ndim, len(reps))
        shape = (1,) * (ndim - x.ndim) + tuple(x.shape)
        reps_full = (1,) * (ndim - len(reps)) + reps
        check_shape(tuple(n * max(r, 0) for n, r in zip(shape, reps_full, strict=True)), "tile")
    return jnp.tile(x, reps)


def _repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Any:
    if isinstance(repeats, int):
        length = x.size if axis is None else x.shape[axis]
        check_count(length * max(repeats, 0), "repeat", f"repeat({repeats})")
    return jnp.repeat(x, repeats, axis=axis)


# JAX computes on: indices out of range are filled (take gives NaN), a singular matrix gives
# NaN and inf (see silent_linalg). Where the values are known (not traced inside jit or
# grad), xpbridge checks them and raises as the other libraries do; traced, JAX's own answer
# stands (docs/errors.md).


def _concrete(*values: Any) -> bool:
    return not any(isinstance(v, jax.core.Tracer) for v in values)


def _check_indices(indices: Any, n: int, function: str, axis: int | None) -> None:
    if not _concrete(indices) or not getattr(indices, "size", 0):
        return
    low, high = int(jnp.min(indices)), int(jnp.max(indices))
    if low < -n or high >= n:
        bad = high if high >= n else low
        where = "the flattened array" if axis is None else f"axis {axis}"
        what = f"index {bad} is out of bounds for {where} with size {n}"
        error = mistake("index", function, what)
        raise error


def _take(x: Any, indices: Any, /, *, axis: int | None = None) -> Any:
    _check_indices(indices, x.size if axis is None else x.shape[axis], "take", axis)
    return jnp.take(x, indices, axis=axis)


def _take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Any:
    _check_indices(indices, x.shape[axis], "take_along_axis", axis)
    return jnp.take_along_axis(x, indices, axis=axis)


class _JaxRandom:
    """Random numbers from a JAX key, split at every draw (so draws never repeat)."""

    def __init__(self, seed: Any, device: Any) -> None:
        import threading

        self._key = jax.random.key(int_seed(seed))
        self._device = device
        self._lock = threading.Lock()  # two threads must never draw with the same key

    def _next(self) -> Any:
        with self._lock:
            self._key, key = jax.random.split(self._key)
        return key

    def _placed(self, x: Any) -> Any:
        return x if self._device is None else jax.device_put(x, self._device)

    def random(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self._placed(jax.random.uniform(self._next(), shape, jnp.dtype(dtype)))

    def standard_normal(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self._placed(jax.random.normal(self._next(), shape, jnp.dtype(dtype)))

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: str) -> Any:
        return self._placed(jax.random.randint(self._next(), shape, low, high, jnp.dtype(dtype)))

    def permutation(self, n: int) -> Any:
        return self._placed(jax.random.permutation(self._next(), n))


#: Complex functions for which XLA lacks some of the standard's (C99's) special cases.
_COMPLEX_SPECIAL_CASES = (
    "acos", "asinh", "atanh", "cosh", "exp", "expm1", "log", "log1p", "sinh", "sqrt", "tanh",
)  # fmt: skip

#: XLA's choices where the standard's special cases say otherwise.
DEVIATIONS = (
    Deviation(
        "jax",
        "floor_divide",
        "JAX follows Python's floor division at infinities (an infinity divided by a finite "
        "number gives NaN, a finite number divided by an infinity of the other sign gives -1) "
        "and gives floor_divide(-0, 1) as +0; the standard prefers floor(x1 / x2) (+-infinity, "
        "-0) and notes that libraries may match Python instead",
        dtypes=("float32", "float64"),
        kind="differs",
        case="special cases",
    ),
    *(
        Deviation(
            "jax",
            function,
            "XLA computes complex " + function + " without some of the standard's special "
            "cases at infinities and NaN (it gives NaN + NaN j, or a different finite part, "
            "where the standard's C99 rules give an infinity, a zero or pi/2)",
            dtypes=("complex64", "complex128"),
            kind="differs",
            case="special cases",
        )
        for function in _COMPLEX_SPECIAL_CASES
    ),
    Deviation(
        "jax",
        "abs",
        "XLA's complex abs of an infinity with a NaN part gives NaN, where the standard "
        "gives +infinity",
        dtypes=("complex64", "complex128"),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "jax",
        "remainder",
        "JAX's remainder of a zero keeps the dividend's sign (remainder(-0, 1) is -0), where "
        "the standard takes the divisor's (+0)",
        dtypes=("float32", "float64"),
        kind="differs",
        case="special cases",
    ),
)


def _tracer_traits(x: Any) -> Any:
    return x.dtype


class JaxAdapter(Adapter):
    name = "jax"
    deviations = DEVIATIONS
    array_type_name = "jax.Array"
    #: New host memory laid out so that JAX aliases it: lazy sources compute into it.
    host_empty = staticmethod(_aligned_empty)
    #: Whether 64-bit dtypes exist (jax_enable_x64) changes what converts.
    stateful = True
    # Python ints beyond an integer dtype: wrapped (JAX) or refused in comparisons (strict).
    wraps_int_scalars = True
    # A singular matrix's inverse is NaN and inf, without a word.
    silent_linalg = True
    unchecked_indices = True
    dtype_refusals = (r"does not accept dtype", r"does not support complex-valued inputs")

    def __init__(self) -> None:
        super().__init__()
        self.overrides.update({"allclose": _allclose, "array_equal": _array_equal})
        self.overrides["permute_dims"] = _permute_dims
        self.overrides["astype"] = _astype
        self.overrides["searchsorted"] = _searchsorted
        self.overrides["cumulative_prod"] = _cumulative_prod
        self.overrides.update(
            {"reshape": _reshape, "broadcast_to": _broadcast_to, "tile": _tile, "repeat": _repeat}
        )
        self.overrides.update({"take": _take, "take_along_axis": _take_along_axis})

    def translate_error(self, exc: BaseException, function: str) -> Exception | None:
        if isinstance(exc, jax.errors.ConcretizationTypeError):
            msg = (
                f"{function} needs the values of a traced JAX array: it ran inside jax.jit, "
                "jax.grad or jax.vmap, where arrays are abstract (shape and dtype only). "
                "Results whose shape depends on the data (nonzero, unique_*) cannot be traced: "
                "call it outside the traced function, or use the jax.numpy function with a "
                f"static size= argument. JAX said: {str(exc).splitlines()[0]}"
            )
            return TracedValueError(msg)
        return super().translate_error(exc, function)

    error_wording = (
        wording(TypeError, r"incompatible shapes for broadcasting", "broadcast"),
        wording(TypeError, r"cannot reshape array", "reshape"),
        wording(
            (TypeError, ValueError),
            r"cannot concatenate arrays with shapes|all input arrays must have the same shape",
            "concat",
        ),
        wording(TypeError, r"contracting dimensions to have the same shape", "matmul"),
        wording(TypeError, r"isn't a permutation of operand dimensions", "axis"),
        wording(TypeError, r"must have every element be nonnegative", "size"),
        wording(RuntimeError, r"RESOURCE_EXHAUSTED|out of memory", "memory"),
    )

    @cached_property
    def module(self) -> Any:
        return jax

    @cached_property
    def xp(self) -> Any:
        return jnp

    def random_source(self, seed: Any, device: Any) -> Any:
        return _JaxRandom(seed, self.native_device(device))

    def native_dtype(self, dtype: Any) -> Any:
        native = super().native_dtype(dtype)
        if native is not None and not jax.config.read("jax_enable_x64"):
            name = str(jnp.dtype(native))
            if name in _WIDE:
                msg = (
                    f"JAX holds {name} only with 64-bit mode on; it would silently narrow to "
                    "32 bits. Enable it with jax.config.update('jax_enable_x64', True), or "
                    "choose a 32-bit dtype"
                )
                raise UnsupportedDTypeError(msg)
        return native

    def _native_device(self, x: Any) -> Any:
        devices = getattr(x, "devices", None)
        if devices is None:
            return None
        try:
            found = devices()
        except Exception:  # noqa: BLE001 - a tracer inside jit or grad has no concrete device
            return None
        return next(iter(found)) if len(found) == 1 else None

    def device(self, x: Any) -> Any:
        device = self._native_device(x)
        return device if device is not None else self.default_device()

    def default_device(self) -> Any:
        return jax.devices()[0]

    def devices(self) -> list[Any]:
        return list(jax.devices())

    def device_str(self, device: Any) -> str:
        platform = getattr(device, "platform", None)
        if platform is None:
            return super().device_str(device)
        if platform == "cpu":
            return "cpu"
        return f"{'cuda' if platform == 'gpu' else platform}:{device.id}"

    def owns_device(self, device: Any) -> bool:
        return isinstance(device, jax.Device)

    def state(self) -> Any:
        return bool(jax.config.jax_enable_x64)

    def traits(self, x: Any) -> Any:
        # Immutable, row-major memory: the dtype and where it lives decide.
        return x.dtype, x.sharding

    def traits_of(self, cls: type) -> Callable[[Any], Hashable]:
        # Tracers (their own classes) have no sharding and convert to nothing.
        return _tracer_traits if issubclass(cls, jax.core.Tracer) else self.traits

    def facts(self, x: Any) -> Facts:
        base = super().facts(x)
        ptr = strides = unsupported = None
        if isinstance(x, jax.core.Tracer):
            unsupported = (
                "JAX tracer (a traced value inside jit, grad or vmap has no values yet: "
                "convert the function's result instead)"
            )
        elif isinstance(x, jax.Array):
            try:
                ptr = x.unsafe_buffer_pointer()
            except Exception:  # noqa: BLE001 - sharded or deleted arrays have no single buffer
                ptr = None
            strides = c_strides(base.shape, base.itemsize)
        return Facts(
            backend=self.name,
            dtype=base.dtype,
            shape=base.shape,
            device=base.device,
            strides=strides,
            data_ptr=ptr,
            itemsize=base.itemsize,
            readonly=True,
            frozen=True,
            immutable=True,
            c_contiguous=True,
            f_contiguous=sum(n != 1 for n in base.shape) <= 1,
            unsupported=unsupported,
        )

    def detach(self, x: Any) -> Any:
        # JAX has no recorded graph to cut; stop_gradient is its way to block a gradient
        # (it returns concrete arrays themselves, and zeroes the gradient inside jax.grad).
        return jax.lax.stop_gradient(x)

    def copy(self, x: Any) -> Any:
        return jnp.array(x, copy=True)

    def has_dtype(self, name: str) -> bool:
        if name in _WIDE and not jax.config.read("jax_enable_x64"):
            return False
        return super().has_dtype(name)

    def missing_dtype_message(self, name: str) -> str:
        if name in _WIDE:
            return (
                f"JAX holds {name} only in 64-bit mode, and would silently narrow it: enable "
                "it with jax.config.update('jax_enable_x64', True), or pass a 32-bit dtype="
            )
        return super().missing_dtype_message(name)

    def share_refusals(self, facts: Facts, *, copy: bool | None) -> list[str]:
        reasons = []
        # JAX arrays are immutable: they may alias memory nobody can write, nothing else
        # (a read-only view of a writable array is written through its base).
        if not (facts.frozen or facts.immutable or copy is False):
            where = "its base array or buffer" if facts.readonly else "this memory"
            reasons.append(
                f"JAX arrays are immutable, and {where} stays writable in {facts.backend} "
                "(copy=False shares it anyway, at your own risk)"
            )
            # Copied anyway: the layout does not change the decision (and is not among the
            # traits of writable memory, see ndarray_traits).
            return reasons
        if facts.byteswapped:
            reasons.append("JAX has only native byte order")
        elif facts.size:
            if facts.data_ptr is None:
                reasons.append(f"this {facts.backend} array exposes no memory to alias")
            elif not facts.c_contiguous:
                reasons.append("JAX aliases only row-major (C-contiguous) memory")
            elif facts.device == "cpu" and not facts.aligned(CPU_ALIGNMENT):
                reasons.append(f"JAX aliases host memory only at {CPU_ALIGNMENT}-byte alignment")
        return reasons

    def host_export(self, dtype: str) -> Route | None:
        return _EXPORT

    def host_import(self, dtype: str, *, chunks: Any = None) -> Route | None:
        return _IMPORT

    def host_copy_import(self, dtype: str) -> Route | None:
        # One aligned copy that JAX aliases; a copy made beforehand could be misaligned,
        # and JAX would then copy it again.
        return _COPY_IMPORT

    def to_host(self, x: Any) -> Any:
        return np.array(jax.device_get(x), copy=True)

    def from_host(self, a: Any, device: str) -> Any:
        return jax.device_put(jnp.array(a, copy=True), self.native_device(device))

    def to_device(self, x: Any, device: Any) -> Any:
        return jax.device_put(x, self.native_device(device))


def _concrete_bool(result: Any) -> Any:
    """A Python bool, as NumPy gives; a traced 0-d array inside jit or grad."""
    return result if isinstance(result, jax.core.Tracer) else bool(result)


def _allclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Any:
    return _concrete_bool(jnp.all(jnp.isclose(a, b, rtol, atol, equal_nan)))


def _array_equal(a: Any, b: Any, equal_nan: bool = False) -> Any:
    # jnp.array_equal compares shapes first (static, even when traced) and never concretizes.
    return _concrete_bool(jnp.array_equal(a, b, equal_nan=equal_nan))

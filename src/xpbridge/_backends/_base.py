"""What every backend adapter provides, with the generic behaviour written once.

An adapter is one small class per library. The generic code here works through the
library's standard namespace (array-api-compat's, or the library itself where it already
conforms); a subclass overrides only what its library does differently.
"""

from __future__ import annotations

import functools
import math
import sys
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol

import array_api_compat

from .._dtypes import DTYPES, dtype_name
from .._errors import DeviceNotAvailableError, UnsupportedDTypeError
from .._taxonomy import explain, mistake, recognise

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from .._deviation import Deviation
    from .._taxonomy import Wording

__all__ = ["Adapter", "Facts", "HostCall", "NumpyRandom", "Route", "int_seed"]


class Facts(NamedTuple):
    """What xpbridge knows about one array: the basis of ``info``, ``plan`` and aliasing checks.

    ``None`` means the library has no such notion (strides of a lazy array, say).
    """

    backend: str
    dtype: str
    shape: tuple[int | None, ...]
    device: str
    #: Strides in bytes, or None for libraries without exposed strides.
    strides: tuple[int, ...] | None = None
    #: Address of the first element in the device's memory, if the library exposes it.
    data_ptr: int | None = None
    itemsize: int = 0
    readonly: bool = False
    #: Nobody can write the memory: the array is read-only, and so is every array and
    #: buffer it views (a read-only view of a writable array is not frozen). Immutable
    #: libraries (JAX) may alias only such memory.
    frozen: bool = False
    #: The library never lets its arrays be written (JAX).
    immutable: bool = False
    #: Values are computed on demand (Dask): converting means computing.
    lazy: bool = False
    c_contiguous: bool | None = None
    f_contiguous: bool | None = None
    #: Byte order differs from the machine's (NumPy only).
    byteswapped: bool = False
    requires_grad: bool = False
    #: Lazy torch views that must be resolved (copied) before leaving torch.
    lazy_bits: tuple[str, ...] = ()
    #: Anything else that makes the memory unusable as plain strided data (sparse, meta...).
    unsupported: str | None = None
    #: A NumPy scalar: an immutable value without memory of its own.
    scalar: bool = False
    #: Lazy arrays: the backend whose arrays computing gives (Dask: its chunks' library).
    computes_into: str | None = None
    #: Lazy arrays: the chunking, as the library spells it.
    chunks: Any = None
    #: Autograd: whether the array is a leaf of its graph (None: no autograd), its gradient
    #: and the function that made it.
    is_leaf: bool | None = None
    grad: Any = None
    grad_fn: Any = None
    #: Why the memory must not be read (a torch tensor whose storage was freed or shrunk
    #: reaches past it): conversions into another library refuse, zero-copy ones too (the
    #: view would hand on memory nobody owns).
    unreadable: str | None = None

    @property
    def size(self) -> int | None:
        if any(n is None for n in self.shape):
            return None
        return math.prod(n for n in self.shape if n is not None)

    @property
    def nbytes(self) -> int | None:
        size = self.size
        return None if size is None else size * self.itemsize

    @property
    def negative_strides(self) -> bool:
        return bool(self.strides) and any(s < 0 for s in self.strides or ())

    @property
    def zero_strides(self) -> bool:
        return bool(self.strides) and any(
            s == 0 and n > 1 for s, n in zip(self.strides or (), self.shape, strict=True) if n
        )

    def aligned(self, alignment: int) -> bool:
        """Whether the first element sits at a multiple of `alignment` bytes (False: unknown)."""
        return self.data_ptr is not None and self.data_ptr % alignment == 0

    def extent(self) -> tuple[int, int] | None:
        """The byte range ``[lo, hi)`` the array can touch, or None when unknown or empty."""
        if self.data_ptr is None or self.strides is None or not self.size:
            return None
        lo = hi = self.data_ptr
        for n, s in zip(self.shape, self.strides, strict=True):
            assert n is not None
            if s < 0:
                lo += (n - 1) * s
            else:
                hi += (n - 1) * s
        return lo, hi + self.itemsize


if TYPE_CHECKING or sys.version_info >= (3, 12):
    cached_property = functools.cached_property
else:

    class cached_property(functools.cached_property):  # type: ignore[type-arg] # noqa: N801
        """``functools.cached_property`` without the lock Python 3.11 takes on a first read.

        torch.compile cannot trace that lock, and the first xpbridge call inside a compiled
        function reads adapter attributes for the first time (Python 3.12 dropped the lock).
        """

        def __get__(self, instance: Any, owner: type | None = None) -> Any:
            if instance is None:
                return self
            cache = instance.__dict__
            try:
                return cache[self.attrname]
            except KeyError:
                value = cache[self.attrname] = self.func(instance)
                return value


class HostCall(Protocol):
    """A computation on the host that joins an autograd graph (``Adapter.record_host_call``)."""

    #: The name of the function, for messages.
    name: str

    def forward(self) -> tuple[Any, ...]:
        """Run the computation; its outputs as arrays of the recording library."""
        ...

    def backward(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        """The gradient of each input given those of the outputs (None: no gradient)."""
        ...


class Route(NamedTuple):
    """How a library takes in an array of another library on the same device.

    ``name`` is the call (``"torch.from_numpy"``), ``why`` the reason it was chosen over
    DLPack or the other way round, and ``copies`` whether the route itself makes new memory.
    """

    name: str
    run: Callable[[Any], Any]
    why: str = ""
    copies: bool = False


def int_seed(seed: Any) -> int:
    """A non-negative int seed (below 2**63) for generators that take only ints; None draws
    fresh entropy, other seeds (sequences...) go through NumPy's ``SeedSequence``."""
    import numpy as np

    if isinstance(seed, int) and 0 <= seed < 2**63:
        return seed
    state = np.random.SeedSequence(seed).generate_state(1, np.uint64)[0]
    return int(state) % 2**63


class NumpyRandom:
    """Random numbers from NumPy's ``Generator``, made into another library's arrays.

    The source of :meth:`Adapter.random_source` for libraries without a generator of their
    own; dtypes are canonical names (``"float32"``), sizes tuples.
    """

    def __init__(self, seed: Any, convert: Callable[[Any], Any]) -> None:
        import numpy as np

        # Any: NumPy's stubs type dtype= by literal names only.
        self._rng: Any = np.random.default_rng(seed)
        self._convert = convert

    def random(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self._convert(self._rng.random(shape, dtype=dtype))

    def standard_normal(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self._convert(self._rng.standard_normal(shape, dtype=dtype))

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: str) -> Any:
        return self._convert(self._rng.integers(low, high, shape, dtype=dtype))

    def permutation(self, n: int) -> Any:
        return self._convert(self._rng.permutation(n))


class Adapter:
    """One backend's behaviour. Subclasses set the class attributes and override deviations."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Adapters use functools.cached_property; give them the lock-free one on 3.11.
        for name, value in list(vars(cls).items()):
            if type(value) is functools.cached_property:
                replacement = cached_property(value.func)
                replacement.__set_name__(cls, name)
                setattr(cls, name, replacement)

    #: Registry name of the backend (``"torch"``).
    name: ClassVar[str]
    #: The library's own array type, for messages and typing.
    array_type_name: ClassVar[str]
    #: What the library calls its arrays, for messages ("tensor").
    array_noun: ClassVar[str] = "array"
    #: Function paths (``"add"``, ``"linalg.solve"``) replaced by the adapter's own callable.
    overrides: dict[str, Callable[..., Any]]

    def __init__(self) -> None:
        self.overrides = {}

    # ------------------------------------------------------------------ library and namespace

    @cached_property
    def module(self) -> Any:
        """The library's top-level module (``torch``, ``numpy``...)."""
        raise NotImplementedError

    @cached_property
    def xp(self) -> Any:
        """The library's standard-conforming namespace (array-api-compat's where it fixes
        things)."""
        raise NotImplementedError

    @cached_property
    def version(self) -> str:
        return str(getattr(self.module, "__version__", "unknown"))

    def implementation(self, path: str) -> Callable[..., Any] | None:
        """The standard-conforming callable for `path` (``"sum"``, ``"linalg.svd"``), or None."""
        if path in self.overrides:
            return self.overrides[path]
        obj: Any = self.xp
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj if callable(obj) else None

    #: Whether the library's own binary functions promote differing dtypes as the standard
    #: says. If not, :meth:`fast_implementation` is used only for identical dtypes.
    native_promotion: ClassVar[bool] = True

    #: Paths whose :meth:`fast_implementation` raises for arrays of differing dtypes rather
    #: than promoting them its own way; the fast path then skips comparing the dtypes (the
    #: error sends the call down the general path, which promotes).
    refuses_mixed_dtypes: ClassVar[frozenset[str]] = frozenset()

    def fast_implementation(self, path: str) -> Callable[..., Any] | None:
        """A faster callable, exact when only the required arguments are passed (options at
        their defaults) and, unless :attr:`native_promotion`, the dtypes are identical.

        None means: use :meth:`implementation`. Adapters return the library's own function
        where it is exact there (array-api-compat's wrappers cost about a microsecond).
        """
        return None

    def scalar_implementation(self, path: str) -> Callable[..., Any] | None:
        """The library's own function for `path` called as ``f(array, python_scalar)``, where
        that is exact (the scalar weakly typed, as the standard says); None: use
        :meth:`implementation`."""
        return None

    #: Whether the library's linear algebra returns NaN and inf for a matrix without an
    #: answer (singular, not positive definite) instead of raising (JAX, CuPy): xpbridge
    #: then checks the result where the values are known.
    silent_linalg: ClassVar[bool] = False

    #: Whether the library mishandles a Python int beyond an integer array's dtype beside
    #: it: wraps it silently (torch and JAX: ``uint8 + 300`` is 45) or refuses comparisons
    #: with it (array-api-strict). xpbridge then checks such scalars on the scalar fast
    #: path too; libraries that refuse them and compare exactly (NumPy 2) are left alone
    #: there.
    wraps_int_scalars: ClassVar[bool] = False

    #: Whether the library writes at indices out of range without a word (JAX drops them,
    #: MLX clamps): ``xb.at`` then checks them first.
    unchecked_indices: ClassVar[bool] = False

    def promoting(self, impl: Callable[..., Any], positions: tuple[int, ...]) -> Callable[..., Any]:
        """`impl` (a function whose arguments at `positions` combine by type promotion) made
        to promote as the standard says, where the library cannot itself."""
        return impl

    def random_source(self, seed: Any, device: Any) -> Any:
        """A random generator making this library's arrays on `device` (see ``NumpyRandom``
        for the methods); by default NumPy's generator, its draws copied in."""
        return NumpyRandom(seed, lambda a: self.asarray(a, device=device))

    #: Whether ``x[mask]`` reads the elements a boolean mask selects (the standard's
    #: "boolean indexing" capability). Where not, ``xb.at`` updates masked elements with
    #: ``where`` instead.
    boolean_indexing: ClassVar[bool] = True

    #: How the library words "copy=False, but a copy is needed" (e.g. reshape), so that it
    #: becomes a CopyRequiredError.
    copy_refusals: ClassVar[tuple[str, ...]] = ()

    #: How the library words the mistakes of the error taxonomy (``xpbridge._taxonomy``):
    #: (exception classes, message pattern, kind of mistake), tried before the wording most
    #: libraries share.
    error_wording: ClassVar[tuple[Wording, ...]] = ()

    def translate_error(self, exc: BaseException, function: str) -> Exception | None:
        """An xpbridge error explaining `exc` raised by the library in `function`, or None.

        By default the taxonomy's error for the mistake `exc` reports (:attr:`error_wording`,
        then the shared wording); adapters with special cases handle them first and then
        defer to this.
        """
        kind = recognise(exc, self.error_wording)
        if kind == "dtype":  # the library's limit, not the standard's: say whose
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return mistake(
                kind, function, f"{self.name} cannot compute this for these dtypes ({text})"
            )
        return None if kind is None else explain(exc, kind, function)

    #: Regular expressions for how the library words "no such function for this dtype"
    #: (torch's ``"addmm" not implemented for 'Bool'``), so that a TypeError, RuntimeError
    #: or NotImplementedError saying so becomes an UnsupportedDTypeError (after
    #: :meth:`translate_error`, which may explain it better).
    dtype_refusals: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------------ dtypes

    @cached_property
    def _native_dtypes(self) -> dict[str, Any]:
        found = {}
        for name in DTYPES:
            native = getattr(self.xp, name, None)
            if native is not None:
                found[name] = native
        return found

    def native_dtype(self, dtype: Any) -> Any:
        """This library's dtype object for any dtype spelling; None stays None."""
        if dtype is None:
            return None
        name = dtype_name(dtype)
        assert name is not None
        try:
            return self._native_dtypes[name]
        except KeyError:
            msg = f"{self.name} has no {name} dtype; choose another dtype (see xb.astype)"
            raise UnsupportedDTypeError(msg) from None

    def dtype_of(self, x: Any) -> str:
        """The canonical name of `x`'s dtype."""
        name = dtype_name(x.dtype)
        assert name is not None
        return name

    # ------------------------------------------------------------------ devices

    def device(self, x: Any) -> Any:
        """The device object `x` lives on, as the library spells it."""
        # The standard's attribute, read directly: array_api_compat.device asks every
        # library in sys.modules about x first, and one still being imported (in another
        # thread) raises there.
        return x.device

    def default_device(self) -> Any:
        return self.xp.__array_namespace_info__().default_device()

    def devices(self) -> list[Any]:
        """The devices this library can place arrays on here."""
        return list(self.xp.__array_namespace_info__().devices())

    def native_device(self, device: Any) -> Any:
        """The library's device object for `device` (a native object or a string like ``"cpu"``;
        another library's device object stands for the device of the same name)."""
        if device is None or self.owns_device(device):
            return device
        name = device if isinstance(device, str) else self.device_str(device)
        for candidate in self.devices():
            if self.device_str(candidate) == name or str(candidate) == name:
                return candidate
        msg = (
            f"{self.name} has no device {device!r} here; its devices are "
            f"{[self.device_str(d) for d in self.devices()]}"
        )
        raise DeviceNotAvailableError(msg)

    def device_str(self, device: Any) -> str:
        """A library-independent name for `device`: ``"cpu"``, ``"cuda:0"``, ``"meta"``..."""
        text = str(device).lower()
        return "cpu" if text in {"cpu", "cpu:0", "cpu_device"} else text

    def owns_device(self, device: Any) -> bool:
        """Whether `device` is one of this library's device objects (not a string)."""
        return False

    def holds_values(self, device: Any) -> bool:
        """Whether arrays on `device` hold values (torch's ``meta`` device holds none:
        Python data sent there would be lost)."""
        return True

    # ------------------------------------------------------------------ facts

    def facts(self, x: Any) -> Facts:
        """Layout, device and gradient facts of `x` (see :class:`Facts`)."""
        name = self.dtype_of(x)
        return Facts(
            backend=self.name,
            dtype=name,
            shape=tuple(x.shape),
            device=self.device_str(self.device(x)),
            itemsize=DTYPES[name].itemsize,
        )

    #: Whether an array's memory can be unreadable (see :attr:`Facts.unreadable`): then
    #: every conversion that reads it asks :meth:`memory_refusal` first.
    guards_memory: ClassVar[bool] = False

    def memory_refusal(self, x: Any) -> str | None:
        """Why reading `x`'s memory would read memory it does not own (None: it would not).

        Checked before xpbridge reads an array whose library sets :attr:`guards_memory`
        (copies, casts, ``item``): reading past a freed buffer can crash the interpreter.
        """
        return None

    def traits(self, x: Any) -> Hashable:
        """A cheap, hashable summary of `x` that decides how it converts.

        Conversions are decided once per (array type, traits, request) and the decision is
        reused (``xpbridge._recipes``). So two arrays with equal traits must get the same
        plan: the traits determine every :class:`Facts` field the planner reads (dtype,
        device, read-only, byte order, negative strides, contiguity, alignment where the
        memory may be aliased, gradients, lazy bits, support). A fact may be left out only
        if every route that could run for the array refuses (raises on) the arrays it
        would mislead, and every step the planner could put in a recipe for it refuses (raises
        on) the arrays it would mislead (``resolve_lazy_bit`` refuses an array without the
        bit): the call then goes to the full planner, which reads ``facts``.
        The default is exact and slow: the facts themselves, without the data pointer.
        """
        facts = self.facts(x)
        return (facts.dtype, facts.device, facts.shape, facts.strides, facts.readonly)

    def traits_of(self, cls: type) -> Callable[[Any], Hashable]:
        """The traits function for arrays of class `cls`: :meth:`traits`, or one written for
        that class (NumPy's scalars and arrays differ), looked up once per class."""
        return self.traits

    def state(self) -> Hashable:
        """Process-wide settings of the library that change conversion decisions (JAX's
        64-bit mode); read only by adapters that set :attr:`stateful`."""
        return None

    #: Whether :meth:`state` can change between calls (then decisions are keyed by it).
    stateful: ClassVar[bool] = False

    # ------------------------------------------------------------------ capability: autograd

    #: The library records operations for reverse-mode autograd on its arrays (torch).
    #: Libraries with functional gradients (JAX, MLX) do not: their transformations trace.
    has_autograd: ClassVar[bool] = False

    def requires_grad(self, x: Any) -> bool:
        return False

    def records_autograd(self, x: Any) -> bool:
        """Whether operations on `x` are being recorded for autograd right now (so writing
        it in place could corrupt a gradient); libraries without autograd never do."""
        return False

    def detach(self, x: Any) -> Any:
        """`x` cut from any gradient computation, sharing its memory."""
        return x

    def set_grad_enabled(self, enabled: bool) -> bool | None:
        """Turn the library's recording of operations on or off for this thread; returns
        the previous setting (None: the library records nothing)."""
        return None

    def record_host_call(self, call: HostCall, args: tuple[Any, ...]) -> tuple[Any, ...]:
        """Run `call` (a computation on host copies of `args`) as one recorded operation of
        this library's autograd: its backward asks ``call.backward`` for the gradients
        (``xb.numpy_function`` with a vjp). Only libraries with autograd implement it."""
        msg = f"{self.name} records no autograd graph for a host computation to join"
        raise TypeError(msg)

    def resolve_lazy_bit(self, x: Any, bit: str) -> Any:
        """`x` with the lazy view `bit` (one of ``Facts.lazy_bits``: torch's ``"conj"`` and
        ``"neg"``) materialized into new memory."""
        return x

    #: Lines of xpbridge code showing what this backend does of its own (run by
    #: ``python -m xpbridge``, in a scope with ``xb``, ``np`` and the library's module).
    demo: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------------ capability: laziness

    def compute(self, x: Any, empty: Callable[..., Any] | None = None) -> Any:
        """Evaluate a lazy array into new memory of :attr:`Facts.computes_into`'s library.

        `empty` (``empty(shape, dtype)``), when given, makes the host memory to compute
        into (laid out as a target library wants to alias it). Only lazy libraries
        (``facts(x).lazy``) implement it.
        """
        msg = f"{self.name} arrays are not lazy: there is nothing to compute"
        raise TypeError(msg)

    def rechunk(self, x: Any, chunks: Any) -> Any:
        """A lazy array split into other `chunks` (lazy libraries with chunks only)."""
        msg = f"{self.name} arrays have no chunks"
        raise TypeError(msg)

    # ------------------------------------------------------------------ capability: deviations

    #: Where the library cannot give the standard's answer, and why (collected by
    #: ``xpbridge._deviations`` for errors, the conformance suite's xfails and the docs).
    deviations: ClassVar[tuple[Deviation, ...]] = ()

    # ------------------------------------------------------------------ conversion primitives

    def asarray(
        self, obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None
    ) -> Any:
        """``asarray`` of the standard namespace with xpbridge dtype and device spellings."""
        return self.xp.asarray(
            obj, dtype=self.native_dtype(dtype), device=self.native_device(device), copy=copy
        )

    def copy(self, x: Any) -> Any:
        """An independent copy of `x` on the same device (keeps autograd history in torch)."""
        return self.xp.asarray(x, copy=True)

    def astype(self, x: Any, dtype: Any) -> Any:
        return self.xp.astype(x, self.native_dtype(dtype))

    def to_device(self, x: Any, device: Any) -> Any:
        return array_api_compat.to_device(x, self.native_device(device))

    # -- what the conversion planner asks of a target library

    @cached_property
    def _device_names(self) -> frozenset[str]:
        return frozenset(self.device_str(d) for d in self.devices())

    def supports_device(self, device: str) -> bool:
        """Whether this library can hold arrays on `device` (a :meth:`device_str` name)."""
        return device in self._device_names

    def has_dtype(self, name: str) -> bool:
        """Whether this library has the dtype of canonical `name`."""
        return name in self._native_dtypes

    def missing_dtype_message(self, name: str) -> str:
        return (
            f"{self.name} has no {name} dtype; pass dtype= to convert to one it has "
            "(e.g. dtype=xb.float32)"
        )

    #: Whether arrays of this library may have negative strides.
    negative_strides_ok: ClassVar[bool] = False

    #: ``(shape, dtype) -> ndarray``: new host memory laid out so that this library aliases
    #: it (JAX: 64-byte aligned), for lazy sources to compute into; None: any will do.
    host_empty: ClassVar[Callable[..., Any] | None] = None

    #: The library's arrays follow NumPy's API closely enough to be Dask chunks (NumPy,
    #: CuPy): lazy libraries pick their device chunks among these.
    numpy_like: ClassVar[bool] = False

    def share_refusals(self, facts: Facts, *, copy: bool | None) -> list[str]:
        """Why an array of this library must not alias memory described by `facts` (empty:
        it may). Writable arrays must never alias read-only or immutable memory."""
        reasons = []
        if facts.immutable:
            reasons.append(
                f"{facts.backend} arrays are immutable and {self.name} arrays are writable"
            )
        elif facts.readonly:
            reasons.append(f"the input is read-only and {self.name} arrays are writable")
        if facts.byteswapped:
            reasons.append(f"the input is byte-swapped, which {self.name} cannot represent")
        if facts.negative_strides and not self.negative_strides_ok:
            reasons.append(f"the input has negative strides, which {self.name} cannot represent")
        return reasons

    # -- routes between libraries: every pair goes through one of three generic routes,
    # chosen by the planner from what each side declares here (never by the peer's name):
    # the source's host view + the target's host import (host memory), the target's
    # copying host import (when a copy is needed anyway), or DLPack (device memory).

    def host_export(self, dtype: str) -> Route | None:
        """How to view an array of `dtype` in host memory as a NumPy array, zero-copy
        (read-only where the array is), or None if this library has no such view."""
        return None

    def host_import(self, dtype: str, *, chunks: Any = None) -> Route | None:
        """How to take a NumPy array of `dtype` in host memory as this library's array,
        zero-copy (after :meth:`share_refusals` allowed it); None: only by
        :meth:`from_host` (a copy to a device)."""
        return None

    def host_copy_import(self, dtype: str) -> Route | None:
        """A route making this library's array from a NumPy array in one copy, where a copy
        made beforehand would not do (JAX: only aligned memory is aliased); None: copy on
        the host first, then :meth:`host_import`."""
        return None

    def wrap_import(self, source: Adapter, *, chunks: Any = None) -> Route | None:
        """How to take `source`'s arrays as they are, wherever they live, as parts of this
        library's arrays (Dask: chunks of a NumPy-like library's arrays); None: no such
        route."""
        return None

    @cached_property
    def dlpack_import(self) -> Route:
        """DLPack, the standard's zero-copy exchange: for memory on a device."""
        name = f"{self.name}.from_dlpack (DLPack)"
        return Route(name, self.from_dlpack, "the standard's zero-copy exchange")

    def to_host(self, x: Any) -> Any:
        """A NumPy copy of `x` in host memory."""
        import numpy as np

        return np.asarray(self.to_device(x, "cpu"))

    def from_host(self, a: Any, device: str) -> Any:
        """An array of this library on `device` holding a copy of the NumPy array `a`."""
        return self.asarray(a, device=device, copy=True)

    def from_dlpack(self, x: Any, *, device: Any = None, copy: bool | None = None) -> Any:
        kwargs: dict[str, Any] = {}
        if device is not None:
            kwargs["device"] = self.native_device(device)
        if copy is not None:
            kwargs["copy"] = copy
        return self.xp.from_dlpack(x, **kwargs)

    def __repr__(self) -> str:
        return f"<xpbridge backend {self.name}>"

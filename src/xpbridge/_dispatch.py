"""Routing one public function to the library that owns its array arguments.

Declaring a function
--------------------
Public functions are declared once, as stubs in ``xpbridge._api``, with the signature of
the array API standard (or of NumPy, for the NumPy spellings)::

    @array_function(promotes=("x1", "x2"))
    def add(x1: ArrayT, x2: ArrayT | complex, /) -> ArrayT:
        '''Add ``x1`` and ``x2`` element-wise.'''

The annotations say which parameters carry arrays, read as text:

* ``ArrayT`` / ``Array``: an array; with ``complex``/``float``/``int``/``bool`` (``Scalar``)
  beside it, a Python scalar may stand there and is passed through weakly typed;
* ``Sequence[ArrayT]`` or ``*arrays: ArrayT``: several arrays;
* ``DTypeLike`` / ``DeviceLike``: a dtype or device, translated to the backend's own objects;
* a ``backend`` or ``like`` parameter: the creation-function routing of xpbridge;
* an ``xp`` parameter: the stub's body is a generic implementation against that namespace.

Stubs without a body map to the backend's standard namespace function of the same path
(array-api-compat's, or an adapter override).

Calling a function
------------------
Each declaration is compiled (on first use) into a function with exactly the stub's
signature. Its fast path is one type check per array argument, identity checks of
the options against their defaults and one lookup in a per-type table, whose entries are
resolved once per array type (often to the library's own function). Everything else, from
Python scalars to mixed libraries, takes :meth:`Function.call`, which applies the mixing
policy and the device rule and then calls the same per-backend implementation.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import linecache
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from . import _config
from ._backends import adapter_for_type, get_adapter, imported_adapters
from ._errors import (
    BridgeError,
    CopyRequiredError,
    DeviceMismatchError,
    MixedBackendError,
    RaggedSequenceError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
    UnsupportedOperationError,
)

if TYPE_CHECKING:
    from ._backends._base import Adapter

__all__ = ["REGISTRY", "Function", "array_function", "materialize"]

F = TypeVar("F", bound=Callable[..., Any])

#: Every declared function by public path (``"add"``, ``"linalg.solve"``).
REGISTRY: Final[dict[str, Function]] = {}

_SCALAR_WORDS: Final = frozenset({"complex", "float", "int", "bool", "Scalar"})
_SCALARS: Final = (bool, int, float, complex)
_SCALAR_TYPES: Final = frozenset(_SCALARS)
_EMPTY = inspect.Parameter.empty
_BY_KEYWORD: Final = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a declared function and the role its annotation gives it."""

    name: str
    kind: inspect._ParameterKind
    default: Any
    #: "array", "arrays", "dtype", "device", "backend", "like", "xp" or "option".
    role: str
    scalar_ok: bool = False

    @property
    def required(self) -> bool:
        return self.default is _EMPTY and self.kind is not inspect.Parameter.VAR_POSITIONAL

    @property
    def positional(self) -> bool:
        return self.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        )


def _role(name: str, annotation: Any, kind: inspect._ParameterKind) -> tuple[str, bool]:
    if name in {"backend", "like", "xp"}:
        return name, False
    words = set(re.findall(r"\w+", annotation if isinstance(annotation, str) else ""))
    if words & {"ArrayT", "Array"}:
        several = "Sequence" in words or kind is inspect.Parameter.VAR_POSITIONAL
        return ("arrays" if several else "array"), bool(words & _SCALAR_WORDS)
    if "DTypeLike" in words:
        return "dtype", False
    if "DeviceLike" in words:
        return "device", False
    return "option", False


class Function:
    """A declared public function: its parameters, and its per-backend implementations."""

    def __init__(
        self,
        stub: Callable[..., Any],
        *,
        path: str,
        backend_path: str,
        promotes: Sequence[str],
    ) -> None:
        self.stub = stub
        self.path = path
        self.name = path.rpartition(".")[2]
        self.backend_path = backend_path
        signature = inspect.signature(stub)
        self.signature = signature
        self.params = tuple(
            Param(p.name, p.kind, p.default, *_role(p.name, p.annotation, p.kind))
            for p in signature.parameters.values()
        )
        roles = {p.name: p.role for p in self.params}
        # The parameters an implementation receives (routing ones removed). Set here, not a
        # cached_property: Python 3.11's takes a lock, which torch.compile cannot trace.
        self._impl_params = tuple(p for p in self.params if p.role not in {"backend", "like", "xp"})
        self._has_optional = any(
            not p.required and p.default is not _EMPTY for p in self._impl_params
        )
        self.generic = "xp" in roles
        self.creation = "backend" in roles or "like" in roles
        # The fast call passes the required parameters, in order; the table is keyed by the
        # type of the first of them that carries an array.
        self.fast_params = tuple(p for p in self.params if p.required)
        self.fast_arrays = tuple(i for i, p in enumerate(self.fast_params) if p.role == "array")
        self.promotes = tuple(i for i, p in enumerate(self.fast_params) if p.name in promotes)
        # Per array type: the callable of the fast path (None: the backend's native function
        # needs identical dtypes, see `same`), of identical-dtype calls, and of full calls.
        self.fast: dict[type, Callable[..., Any] | None] = {}
        self.same: dict[type, Callable[..., Any]] = {}
        self.full: dict[type, Callable[..., Any]] = {}
        #: Per array type: the full call's callable when no dtype or device is given (no
        #: spelling to translate).
        self.full_raw: dict[type, Callable[..., Any]] = {}
        #: Per array type: the callable of (array, Python scalar) calls.
        self.scalar: dict[type, Callable[..., Any]] = {}
        #: Where each table's entries sit in the rows of the generated code (`_ROWS`),
        #: once the public function is compiled.
        self.slots: dict[str, int] = {}
        self._impls: dict[str, Callable[..., Any]] = {}
        self._raw: dict[str, Callable[..., Any]] = {}
        self._unpromoted: dict[str, Callable[..., Any]] = {}

    def __repr__(self) -> str:
        return f"<xpbridge function {self.path}{self.signature}>"

    # ------------------------------------------------------------------ implementations

    def implementation(self, adapter: Adapter) -> Callable[..., Any]:
        """The standard-conforming callable of this function for one backend (cached).

        It takes arguments as the stub does, minus xpbridge's own routing parameters, with
        dtypes and devices given in any spelling.
        """
        try:
            return self._impls[adapter.name]
        except KeyError:
            pass
        impl = adapter.overrides.get(self.backend_path)
        if impl is None and self.generic:
            from ._namespace import namespace

            impl = functools.partial(self.stub, xp=namespace(adapter.name))
        if impl is None:
            impl = adapter.implementation(self.backend_path)
        if impl is None:
            impl = _unsupported(self.path, adapter)
        elif len(self.promotes) > 1:
            promoting = adapter.promoting(impl, self.promotes)
            if promoting is not impl:
                # Exact without the promotion fix when the dtypes are identical (fast path).
                self._unpromoted[adapter.name] = impl
            impl = promoting
        self._raw[adapter.name] = impl
        impl = self._normalizing(impl, adapter)
        self._impls[adapter.name] = impl
        return impl

    def _normalizing(self, impl: Callable[..., Any], adapter: Adapter) -> Callable[..., Any]:
        """Wrap `impl` so dtype and device arguments reach it as the backend's own objects."""
        # Roles, not bound methods: torch.compile can rebuild this closure when the first
        # call for a backend happens while it traces (a bound method of an adapter made
        # during the trace it cannot).
        targets = [
            (i if p.positional else p.name, p.role)
            for i, p in enumerate(self._impl_params)
            if p.role in {"dtype", "device"}
        ]
        if not targets:
            return impl

        @functools.wraps(impl)
        def normalized(*args: Any, **kwargs: Any) -> Any:
            args_list = list(args)
            for where, role in targets:
                convert = adapter.native_dtype if role == "dtype" else adapter.native_device
                if isinstance(where, int):
                    if where < len(args_list):
                        args_list[where] = convert(args_list[where])
                elif where in kwargs:
                    kwargs[where] = convert(kwargs[where])
            return impl(*args_list, **kwargs)

        return normalized

    def _remember(self, kind: str, cls: type, entry: Any) -> None:
        """Put a table entry where the generated code reads it (the row of `cls`)."""
        slot = self.slots.get(kind)
        row = _ROWS.get(cls)
        if slot is not None and row is not None:
            row[slot] = entry

    def fast_miss(self, cls: type) -> Callable[..., Any] | None:
        """Fill the fast-path tables for arrays of type `cls` (first call with that type)."""
        adapter = adapter_for_type(cls)
        entry: Callable[..., Any] | None
        if adapter is None:
            entry = self._fallback_fast
        else:
            self.implementation(adapter)
            # The fast call passes no dtype or device, so the raw callable will do.
            passes_spellings = any(p.role in {"dtype", "device"} for p in self.fast_params)
            entry = self._stub_defaults(
                (self._impls if passes_spellings else self._raw)[adapter.name]
            )
            native = None if self.generic else adapter.fast_implementation(self.backend_path)
            native = native or self._unpromoted.get(adapter.name)
            if (
                native is not None
                and len(self.promotes) > 1
                and not adapter.native_promotion
                and self.backend_path not in adapter.refuses_mixed_dtypes
            ):
                # Exact only for identical dtypes; the generated code checks them.
                self.same[cls] = native
                self._remember("same", cls, native)
                entry = None
            elif native is not None:
                entry = native
        self.fast[cls] = entry
        self._remember("fast", cls, entry)
        return entry

    def _stub_defaults(self, impl: Callable[..., Any]) -> Callable[..., Any]:
        """`impl` for the fast call (required arguments only), passing the stub's defaults
        where the library's function has none (``expand_dims``'s axis)."""
        if not self._has_optional:
            return impl  # nothing to pass (and no inspect.signature for torch.compile to trace)
        try:
            signature = inspect.signature(impl)
        except (TypeError, ValueError):
            return impl
        missing = {}
        for p in self._impl_params:
            own = signature.parameters.get(p.name)
            if p.required or p.default is _EMPTY or own is None:
                continue
            if own.default is _EMPTY and own.kind in _BY_KEYWORD:
                missing[p.name] = p.default
        return functools.partial(impl, **missing) if missing else impl

    def full_miss(self, cls: type) -> Callable[..., Any]:
        """Fill the full-call table for arrays of type `cls`."""
        return self._fill(self.full, ("full", "rfull"), cls, self.implementation)

    def full_raw_miss(self, cls: type) -> Callable[..., Any]:
        """Fill the table of full calls without dtype or device for arrays of type `cls`."""
        return self._fill(self.full_raw, ("fullraw",), cls, self._untranslated)

    def scalar_miss(self, cls: type) -> Callable[..., Any]:
        """Fill the (array, Python scalar) table for arrays of type `cls`: the library's own
        function where the adapter says it treats the scalar as the standard does (weakly
        typed), else the implementation the general path would call."""
        return self._fill(self.scalar, ("scal",), cls, self._with_scalar)

    def _fill(
        self,
        table: dict[type, Callable[..., Any]],
        kinds: tuple[str, ...],
        cls: type,
        resolve: Callable[[Adapter], Callable[..., Any]],
    ) -> Callable[..., Any]:
        adapter = adapter_for_type(cls)
        entry = self._fallback_full if adapter is None else resolve(adapter)
        table[cls] = entry
        for kind in kinds:
            self._remember(kind, cls, entry)
        return entry

    def _untranslated(self, adapter: Adapter) -> Callable[..., Any]:
        self.implementation(adapter)
        return self._raw[adapter.name]

    def _with_scalar(self, adapter: Adapter) -> Callable[..., Any]:
        native = adapter.scalar_implementation(self.backend_path)
        return native if native is not None else self.implementation(adapter)

    def _fallback_fast(self, *required: Any) -> Any:
        given = dict(zip((p.name for p in self.fast_params), required, strict=True))
        return self.call(tuple(given[p.name] if p.required else p.default for p in self.params))

    def _fallback_full(self, *args: Any, **kwargs: Any) -> Any:
        positional = [p for p in self._impl_params if p.positional]
        given = dict(zip((p.name for p in positional), args, strict=False))
        given.update(kwargs)
        return self.call(tuple(given.get(p.name, p.default) for p in self.params))

    # ------------------------------------------------------------------ the general path

    def call(self, values: tuple[Any, ...]) -> Any:
        """Run the function on arguments given in signature order (the general path)."""
        options = dict(zip((p.name for p in self.params), values, strict=True))
        if self.generic and options.get("xp") is not None:
            args, kwargs = self._arguments(options)
            return self.stub(*args, xp=options["xp"], **kwargs)
        adapter = self._route(options)
        impl = self.implementation(adapter)
        args, kwargs = self._arguments(options)
        try:
            return impl(*args, **kwargs)
        except Exception as exc:
            reraise_translated(exc, adapter, self.path)
            raise

    def _arguments(self, options: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Split `options` into an implementation's positional and keyword arguments."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for p in self._impl_params:
            value = options[p.name]
            if p.kind is inspect.Parameter.VAR_POSITIONAL:
                args.extend(value)
            elif p.positional:
                args.append(value)
            elif value is not p.default:
                kwargs[p.name] = value
        return args, kwargs

    def _arrays(self, options: dict[str, Any]) -> list[tuple[Any, Adapter]]:
        """Every argument that is an array of a known library, with its adapter."""
        found = []
        for p in self.params:
            if p.role == "array":
                candidates: Any = (options[p.name],)
            elif p.role == "arrays":
                candidates = options[p.name]
                if not isinstance(candidates, tuple | list):
                    msg = _unknown_message(self.path, p.name, candidates, several=True)
                    raise UnknownArrayTypeError(msg)
            else:
                continue
            for value in candidates:
                owner = adapter_for_type(type(value))
                if owner is not None:
                    found.append((value, owner))
        return found

    def _route(self, options: dict[str, Any]) -> Adapter:
        """Choose the backend; lift, coerce and device-check the array arguments in place."""
        arrays = self._arrays(options)
        owners = {owner.name: owner for _, owner in arrays}
        adapter = self._explicit_backend(options) if self.creation else None
        if adapter is None:
            adapter = self._choose(owners)
            if not owners:
                self._default_device(options)
        native = [x for x, owner in arrays if owner is adapter]
        _check_devices(self.path, adapter, native)
        device = adapter.device(native[0]) if native else None
        if len(owners) > 1 or (owners and adapter.name not in owners):
            self._map_arrays(options, lambda v: _lift_foreign(v, adapter, device, self.path))
        if device is None and self.creation:
            device = options.get("device")
        if device is None and not owners:
            device = _config.current_defaults().device
        self._coerce(options, adapter, device)
        return adapter

    def _default_device(self, options: dict[str, Any]) -> None:
        """A creation function routed by the context's default backend also takes its
        default device (``xb.using("torch", device="cuda")``), unless given one."""
        device = _config.current_defaults().device
        if device is not None and "device" in options and options["device"] is None:
            options["device"] = device

    def _map_arrays(self, options: dict[str, Any], convert: Callable[[Any], Any]) -> None:
        for p in self.params:
            if p.role == "array":
                options[p.name] = convert(options[p.name])
            elif p.role == "arrays":
                values = options[p.name]
                options[p.name] = type(values)(convert(v) for v in values)

    def _explicit_backend(self, options: dict[str, Any]) -> Adapter | None:
        """The backend a creation function was asked for: ``backend=``, ``like=``, a device
        object."""
        backend, like = options.get("backend"), options.get("like")
        if backend is not None:
            return get_adapter(backend)
        if like is not None:
            owner = adapter_for_type(type(like))
            if owner is None:
                raise UnknownArrayTypeError(_unknown_message(self.path, "like", like))
            if "device" in options and options["device"] is None:
                options["device"] = owner.device(like)
            return owner
        device = options.get("device")
        if device is not None and not isinstance(device, str):
            for owner in imported_adapters():
                if owner.owns_device(device):
                    return owner
        return None

    def _choose(self, owners: dict[str, Adapter]) -> Adapter:
        if not owners:
            return get_adapter(_config.current_defaults().backend)
        if len(owners) == 1:
            return next(iter(owners.values()))
        target = max(owners.values(), key=_priority)
        if _config.get_policy() == "strict":
            names = " and ".join(sorted(owners))
            msg = (
                f"{self.path}: arrays from {names} met while the mixing policy is 'strict'; "
                f"convert explicitly (e.g. xb.to(x, {target.name!r})) or use "
                "xb.policy(mixing='promote')"
            )
            raise MixedBackendError(msg)
        return target

    def _coerce(self, options: dict[str, Any], adapter: Adapter, device: Any) -> None:
        """Turn Python scalars and sequences in array positions into arrays of `adapter`.

        A scalar stays a scalar (weakly typed, as the standard says) where the parameter
        allows one and another argument is an array.
        """
        holders = [p for p in self.params if p.role == "array"]
        some_array = any(p.role == "arrays" for p in self.params) or any(
            adapter_for_type(type(options[p.name])) is not None for p in holders
        )
        for p in holders:
            value = options[p.name]
            if (value is None and not p.required) or adapter_for_type(type(value)) is not None:
                continue
            if p.scalar_ok and isinstance(value, _SCALARS) and some_array:
                continue
            options[p.name] = coerce(value, adapter, self.path, p.name, device)
            some_array = True
        for p in self.params:
            if p.role == "arrays":
                values = options[p.name]
                options[p.name] = type(values)(
                    v
                    if adapter_for_type(type(v)) is not None
                    else coerce(v, adapter, self.path, p.name, device)
                    for v in values
                )


def _lift_foreign(value: Any, target: Adapter, device: Any, path: str) -> Any:
    owner = adapter_for_type(type(value))
    if owner is None or owner is target:
        return value
    from ._convert import lift

    return lift(value, target, device=device, context=path)


def _priority(adapter: Adapter) -> int:
    from ._backends import BACKENDS

    return next(spec.priority for spec in BACKENDS if spec.name == adapter.name)


def _check_devices(path: str, adapter: Adapter, arrays: list[Any]) -> None:
    if len(arrays) < 2:
        return
    devices = {adapter.device_str(adapter.device(x)) for x in arrays}
    if len(devices) > 1:
        msg = (
            f"{path}: the arrays are on different devices ({', '.join(sorted(devices))}); "
            "xpbridge never moves data implicitly: move them first with "
            f"xb.to(x, {adapter.name!r}, device=...)"
        )
        raise DeviceMismatchError(msg)


def _unknown_message(path: str, param: str, value: Any, *, several: bool = False) -> str:
    what = "a sequence of arrays" if several else "an array, a Python scalar or a sequence"
    return (
        f"{path}: {param} must be {what}; got {type(value).__module__}.{type(value).__qualname__}. "
        "Pass an array of NumPy, PyTorch, CuPy, Dask, JAX or array-api-strict, or convert "
        "the object with numpy.asarray first"
    )


def coerce(value: Any, adapter: Adapter, path: str, param: str, device: Any = None) -> Any:
    """``adapter.asarray(value)`` for Python scalars, sequences and array-likes, with clear
    errors."""
    array_like = isinstance(value, (*_SCALARS, list, tuple, memoryview, bytes)) or any(
        hasattr(value, attr)
        for attr in ("__array__", "__array_interface__", "__dlpack__", "__buffer__")
    )
    if not array_like or hasattr(value, "__array_namespace__"):
        # An array of a library xpbridge does not know: converting it through NumPy would
        # silently change its library (and maybe device), so refuse.
        raise UnknownArrayTypeError(_unknown_message(path, param, value))
    try:
        array = adapter.asarray(value, device=device)
    except BridgeError:
        raise
    except (ValueError, TypeError, RuntimeError) as exc:
        text = str(exc)
        if "inhomogeneous" in text or "sequence" in text.lower():
            msg = (
                f"{path}: {param} is a ragged nested sequence (rows of different lengths); "
                "pad the rows to one length or build the array row by row"
            )
            raise RaggedSequenceError(msg) from exc
        msg = f"{path}: cannot make a {adapter.name} array of {param}: {exc}"
        raise UnknownArrayTypeError(msg) from exc
    try:
        adapter.dtype_of(array)
    except UnsupportedDTypeError as exc:
        msg = (
            f"{path}: {param} holds values of no array API dtype ({exc}); pass numbers or "
            "booleans (strings, objects and dates are not arrays xpbridge computes with)"
        )
        raise UnsupportedDTypeError(msg) from None
    return array


def reraise_translated(exc: Exception, owner: Adapter | type | None, path: str) -> None:
    """Raise the xpbridge error that explains `exc`, if the adapter knows one; else return.

    `owner` is the adapter, or the array type whose adapter to ask.
    """
    if isinstance(exc, BridgeError):
        return
    adapter = adapter_for_type(owner) if isinstance(owner, type) else owner
    if adapter is None:
        return
    translated = adapter.translate_error(exc, path)
    if translated is None and any(m in str(exc) for m in adapter.copy_refusals):
        msg = (
            f"{path}: copy=False, but {adapter.name} cannot do this without copying (the "
            "array's strides allow no such view); pass copy=None to allow a copy"
        )
        translated = CopyRequiredError(msg)
    if translated is not None:
        raise translated from exc


def _unsupported(path: str, adapter: Adapter) -> Callable[..., Any]:
    from ._deviations import reason_for

    reason = reason_for(adapter.name, path) or f"{adapter.name} has no {path}"

    def unsupported(*args: Any, **kwargs: Any) -> Any:
        msg = f"{path} is not available for {adapter.name} arrays: {reason}"
        raise UnsupportedOperationError(msg)

    return unsupported


# ---------------------------------------------------------------------- declaration


@overload
def array_function(stub: F, /) -> F: ...


@overload
def array_function(
    *, promotes: Sequence[str] = (), namespace: str = "", backend_path: str | None = None
) -> Callable[[F], F]: ...


def array_function(
    stub: F | None = None,
    /,
    *,
    promotes: Sequence[str] = (),
    namespace: str = "",
    backend_path: str | None = None,
) -> F | Callable[[F], F]:
    """Declare a public function from its stub (see the module docstring).

    `promotes` names the array arguments whose dtypes combine by type promotion (the fast
    path may skip promotion only when their dtypes are identical). `namespace` is
    ``"linalg"`` or ``"fft"`` for the extensions. The stub is returned unchanged (so type
    checkers read the public function's signature from it); the public function is built
    by :func:`materialize`.
    """

    def register(f: F) -> F:
        path = f"{namespace}.{f.__name__}" if namespace else f.__name__
        REGISTRY[path] = Function(
            f, path=path, backend_path=backend_path or path, promotes=promotes
        )
        return f

    return register(stub) if stub is not None else register


_counter = itertools.count()

# The tables of the generated code. Every public function's fast path reads its callables
# from one row per array type, ``_ROWS[type(x)][slot]``: one dict lookup and one list index,
# as cheap as a dict per function, and torch.compile then reaches every table by a single
# route (one dict, one global scope), which it guards in C++ (one dict per function made it
# check, on every call of a compiled function, that their keys are the same type object,
# in Python). A slot not yet resolved for a type holds its `_Filler`.

#: Array type -> its row: slot -> the callable (or None: see ``Function.fast``).
_ROWS: dict[type, list[Any]] = {}
#: Slot -> the filler a new row starts with.
_FILLERS: list[_Filler] = []
_ROWS_LOCK = threading.Lock()


class _GeneralPath(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a filler when the call must take the general path (dtypes differ)."""


class _Filler:
    """The first call of one slot for one array type: resolves the slot, then calls it."""

    __slots__ = ("function", "index", "kind")

    def __init__(self, function: Function, kind: str, index: int) -> None:
        # `index`: the positional argument whose class keys the row.
        self.function, self.kind, self.index = function, kind, index

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        function, cls = self.function, args[self.index].__class__
        if self.kind in {"fast", "same"}:
            entry = function.fast_miss(cls)
            if entry is None:
                # The library's own function is exact only for identical dtypes (torch).
                first, *others = (args[i] for i in function.promotes)
                if any(first.dtype is not other.dtype for other in others):
                    raise _GeneralPath
                entry = function.same[cls]
        elif self.kind == "scal":
            entry = function.scalar_miss(cls)
        elif self.kind == "fullraw":
            entry = function.full_raw_miss(cls)
        else:
            entry = function.full_miss(cls)
        return entry(*args, **kwargs)


def _new_row(cls: type) -> list[Any]:
    """The row of a type met for the first time: every slot unresolved."""
    row = _ROWS.setdefault(cls, list(_FILLERS))
    if len(row) < len(_FILLERS):  # a function was compiled meanwhile
        with _ROWS_LOCK:
            _extend(row)
    return row


def _extend(row: list[Any]) -> None:
    row.extend(_FILLERS[len(row) :])


def _allocate_all_slots() -> None:
    """Slots for every declared function at once (on the first compile), so that rows made
    while torch.compile traces (symbolically, not extended by later compiles) are whole."""
    for function in list(REGISTRY.values()):
        if not function.slots:
            _allocate_slots(function)


def _allocate_slots(function: Function) -> None:
    """Give `function` its slots in every row (old and new)."""
    arrays = function.fast_arrays
    carrier = next(
        (i for i, p in enumerate(function._impl_params) if p.role == "array" and p.positional),
        0,
    )
    indices = {
        "fast": arrays[0] if arrays else 0,
        "same": arrays[0] if arrays else 0,
        "full": carrier,
        "fullraw": carrier,
        "scal": 0,
        "rfull": 1,
    }
    with _ROWS_LOCK:
        for kind, index in indices.items():
            function.slots[kind] = len(_FILLERS)
            _FILLERS.append(_Filler(function, kind, index))
        for row in list(_ROWS.values()):
            _extend(row)


#: The one global scope of every generated function (see `_ROWS`).
_SCOPE: dict[str, Any] = {}


def _shared_scope() -> dict[str, Any]:
    if not _SCOPE:
        _SCOPE.update(
            _ROWS=_ROWS,
            _new_row=_new_row,
            _reraise=reraise_translated,
            _scalars=_SCALAR_TYPES,
            _unexpected=_unexpected_keyword,
        )
    return _SCOPE


def materialize(path: str, module: str) -> Callable[..., Any]:
    """Compile the public function for `path` with exactly its stub's signature."""
    function = REGISTRY[path]
    if not _FILLERS:
        _allocate_all_slots()
    if not function.slots:  # declared after the first compile
        _allocate_slots(function)
    source, names = _source(function)
    filename = f"<xpbridge.{path} #{next(_counter)}>"
    # Let tracebacks and inspect.getsource show the generated code.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope = _shared_scope()
    scope.update(names)
    code = compile(source, filename, "exec")
    exec(code, scope)  # noqa: S102 - code built from our own stubs
    # Taken back out of the shared scope: a public function named like a builtin (sum,
    # max...) must not shadow it for the other generated functions.
    public: Callable[..., Any] = scope.pop(function.name)
    public.__doc__ = function.stub.__doc__
    public.__module__ = module
    public.__qualname__ = function.name
    public.__annotations__ = dict(function.stub.__annotations__)
    public.__signature__ = function.signature  # type: ignore[attr-defined]
    public.__xpbridge_function__ = function  # type: ignore[attr-defined]
    return public


def _source(function: Function) -> tuple[str, dict[str, Any]]:
    """The text of the public function and the globals of its own that it uses (added to
    the shared scope under names unique to it: ``_call3``, ``_d3_axis``)."""
    tag = function.slots["fast"]
    names: dict[str, Any] = {f"_call{tag}": function.call}
    header: list[str] = []
    keyword_only = False
    fast = _fast_body(function)
    options = _keyword_options(function) if fast else []
    for i, p in enumerate(function.params):
        text = p.name
        if p.default is not _EMPTY:
            names[_default_name(function, p)] = p.default
        if p in options:
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            text, keyword_only = f"*{p.name}", True
        elif p.kind is inspect.Parameter.KEYWORD_ONLY and not keyword_only:
            header.append("*")
            keyword_only = True
        if p.default is not _EMPTY:
            text += f"={_default(function, p)}"
        header.append(text)
        following = function.params[i + 1].kind if i + 1 < len(function.params) else None
        if p.kind is inspect.Parameter.POSITIONAL_ONLY and following is not p.kind:
            header.append("/")
    body = fast
    if options:
        # Keyword-only options arrive in **_kw: a call without them (the fast path) then
        # costs one empty dict instead of filling each default.
        header.append("**_kw")
        body += [f"{p.name} = _kw.pop({p.name!r}, {_default(function, p)})" for p in options]
        body += ["if _kw:", f"    _unexpected({function.name!r}, _kw)"]
    body += _scalar_body(function) + _full_body(function)
    values = ", ".join(p.name for p in function.params)
    body.append(f"return _call{tag}(({values},))" if values else f"return _call{tag}(())")
    lines = [f"def {function.name}({', '.join(header)}):", *("    " + line for line in body)]
    return "\n".join(lines) + "\n", names


def _keyword_options(function: Function) -> list[Param]:
    """The keyword-only parameters the generated code takes as ``**_kw``: all of them when
    there are three or more, all with defaults; else none (Python's own handling)."""
    options = [p for p in function.params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    # CPython 3.11 fills each missing keyword-only default per call (~4 ns each) while
    # **_kw costs one empty dict (~12 ns): only worth it from three options up.
    if len(options) < 3 or any(p.required for p in options):
        return []
    return options


def _unexpected_keyword(name: str, extra: dict[str, Any]) -> None:
    """Python's own error for a keyword the signature lacks."""
    msg = f"{name}() got an unexpected keyword argument {next(iter(extra))!r}"
    raise TypeError(msg)


def _lookup(function: Function, kind: str) -> list[str]:
    """``_f``: the callable of table `kind` for `_t` (its row made on first sight)."""
    slot = function.slots[kind]
    return [
        "try:",
        f"    _f = _ROWS[_t][{slot}]",
        "except KeyError:",
        f"    _f = _new_row(_t)[{slot}]",
    ]


def _guarded_call(function: Function, call: str, kind: str) -> list[str]:
    """Look up table `kind` for `_t`, then run `call`, translating errors."""
    return [*_lookup(function, kind), *_translated(function, call)]


def _translated(function: Function, call: str) -> list[str]:
    return [
        "try:",
        f"    return {call}",
        "except Exception as _exc:",
        f"    _reraise(_exc, _t, {function.path!r})",
        "    raise",
    ]


def _default_name(function: Function, p: Param) -> str:
    return f"_d{function.slots['fast']}_{p.name}"


def _default(function: Function, p: Param) -> str:
    """How the generated code spells `p`'s default: a literal for None, True and False (a
    constant load, cheaper than a global one), else its global."""
    if p.default is None or p.default is True or p.default is False:
        return repr(p.default)
    return _default_name(function, p)


def _value(function: Function, p: Param, options: list[Param]) -> str:
    """How the fast path passes `p` on to the general path (options not given: defaults)."""
    return _default(function, p) if p in options else p.name


def _fast_body(function: Function) -> list[str]:
    """One type check per array argument, identity checks of the options, one lookup.

    Any error of the fast call sends the call down the general path, which applies the
    full rules: it promotes where the library's own function refused (torch's matmul of
    two dtypes), or raises the error explained (after the except block, so the traceback
    does not chain the fast call's error).
    """
    variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in function.params)
    if not function.fast_arrays or function.creation or variadic:
        return []
    arrays = [function.fast_params[i].name for i in function.fast_arrays]
    required = ", ".join(p.name for p in function.fast_params)
    checks = [f"{name}.__class__ is _t" for name in arrays[1:]]
    options = _keyword_options(function)
    checks += [
        f"{p.name} is {_default(function, p)}"
        for p in function.params
        if not p.required and p not in options
    ]
    if options:
        checks.append("not _kw")
    values = ", ".join(_value(function, p, options) for p in function.params)
    general = f"return _call{function.slots['fast']}(({values},))"
    if len(function.promotes) > 1:
        # None: the library's own function is exact only for identical dtypes (torch).
        first, *others = (function.fast_params[i].name for i in function.promotes)
        differ = " or ".join(f"{first}.dtype is not {other}.dtype" for other in others)
        inner = [
            "try:",
            "    _r = _ROWS[_t]",
            "except KeyError:",
            "    _r = _new_row(_t)",
            f"_f = _r[{function.slots['fast']}]",
            "if _f is None:",
            f"    if {differ}:",
            f"        {general}",
            f"    _f = _r[{function.slots['same']}]",
        ]
    else:
        inner = _lookup(function, "fast")
    inner += ["try:", f"    return _f({required})", "except Exception:", "    pass"]
    # ``x.__class__``, not ``type(x)``: as fast (a specialized attribute load in CPython 3.11)
    # and torch.compile then guards the table lookup in C++ (``type(x)`` reaches the class
    # through a second route, torch's module, and costs a Python-level aliasing guard on
    # every compiled call).
    lines = [f"_t = {arrays[0]}.__class__"]
    if checks:
        lines.append(f"if {' and '.join(checks)}:")
        lines += ["    " + line for line in [*inner, general]]
    else:
        lines += inner  # falls through to the general path below
    return lines


def _scalar_body(function: Function) -> list[str]:
    """Binary functions of an array and a Python scalar (``xb.multiply(x, 0.5)``).

    The general path would pass the scalar through unchanged (weakly typed) to the
    backend's implementation, so call that directly: (array, scalar) through its own
    table (the library's function where the adapter says it is exact), (scalar, array)
    through the implementation.
    """
    params = function.params
    if (
        len(params) != 2
        or not all(p.required and p.role == "array" for p in params)
        or function.generic
        or function.creation
    ):
        return []
    first, second = (p.name for p in params)
    call = f"_f({first}, {second})"
    lines = []
    if params[1].scalar_ok:
        # type(), not __class__, for the scalar: torch.compile mis-guards ``float.__class__``
        # membership in a frozenset (its guard fails on the frame that made it).
        lines += [f"if type({second}) in _scalars:"]
        lines += ["    " + line for line in _guarded_call(function, call, "scal")]
    if params[0].scalar_ok:
        lines += [f"if type({first}) in _scalars:", f"    _t = {second}.__class__"]
        lines += ["    " + line for line in _guarded_call(function, call, "rfull")]
    return lines


def _full_body(function: Function) -> list[str]:
    """Functions of one array with options given: one lookup, no argument rewriting."""
    carriers = [p for p in function.params if p.role in {"array", "arrays"}]
    has_options = any(not p.required for p in function.params)
    if (
        len(carriers) != 1
        or carriers[0].role != "array"
        or not carriers[0].required
        or not has_options
        or function.creation
        or function.generic
    ):
        return []
    args = [p.name if p.positional else f"{p.name}={p.name}" for p in function._impl_params]
    call = f"_f({', '.join(args)})"
    spellings = [p.name for p in function._impl_params if p.role in {"dtype", "device"}]
    if not spellings:
        return _guarded_call(function, call, "full")
    # No dtype or device given: nothing to translate, so the untranslating callable.
    plain = " and ".join(f"{name} is None" for name in spellings)
    raw = ["    " + line for line in _guarded_call(function, call, "fullraw")]
    return [f"if {plain}:", *raw, *_guarded_call(function, call, "full")]

"""Which callable computes a declared function for one backend, resolved once per backend.

In order: the adapter's override, the stub's own body for generic stubs (run against the
backend's namespace), the backend's standard function; else a function that raises the
documented reason. Functions of several promoting arrays get the adapter's promotion fix,
and dtype and device arguments are translated to the backend's own objects.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, Final

from .._errors import UnsupportedOperationError
from .signature import EMPTY, Declaration
from .standard_cases import fixed, fixes_plain_calls, scalar_second

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backends._base import Adapter

__all__ = ["Implementations", "provide_generic_namespace"]

_BY_KEYWORD: Final = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)

# A generic stub computes with a namespace of the backend (its ``xp``), and namespaces are
# made of dispatched functions: the module that makes them, xpbridge._namespace, sits above
# the dispatcher. It hands its factory down here when it is imported, which the package's
# __init__ does before any function can be called.
_generic_namespaces: list[Callable[[str], Any]] = []


def provide_generic_namespace(factory: Callable[[str], Any]) -> None:
    """Register `factory` (backend name -> namespace) as the ``xp`` of generic stubs."""
    _generic_namespaces[:] = [factory]


def _generic_namespace(backend: str) -> Any:
    if not _generic_namespaces:
        msg = "xpbridge._namespace has not registered the namespaces of generic stubs"
        raise RuntimeError(msg)
    return _generic_namespaces[0](backend)


class Implementations:
    """The per-backend callables of one declared function (each resolved on first need)."""

    def __init__(self, declaration: Declaration) -> None:
        self.declaration = declaration
        #: Backend name -> callable taking dtypes and devices in any spelling.
        self._translating: dict[str, Callable[..., Any]] = {}
        #: Backend name -> the same callable before that translation.
        self._raw: dict[str, Callable[..., Any]] = {}
        #: Backend name -> the callable before the promotion fix, where one was applied.
        self._unpromoted: dict[str, Callable[..., Any]] = {}
        #: Backend name -> the callable of the fast call: without the fixes of
        #: ``standard_cases`` that concern only Python scalars and options, which it never
        #: passes (the check of a matrix without an answer stays).
        self._fast: dict[str, Callable[..., Any]] = {}
        #: Backends whose callable has a fix the fast call's leaves out.
        self._fixed: set[str] = set()

    def get(self, adapter: Adapter) -> Callable[..., Any]:
        """The standard-conforming callable of this function for one backend (cached).

        It takes arguments as the stub does, minus xpbridge's own routing parameters, with
        dtypes and devices given in any spelling.
        """
        try:
            return self._translating[adapter.name]
        except KeyError:
            pass
        declaration = self.declaration
        impl = adapter.overrides.get(declaration.backend_path)
        if impl is None and declaration.generic:
            impl = functools.partial(declaration.stub, xp=_generic_namespace(adapter.name))
        if impl is None:
            impl = adapter.implementation(declaration.backend_path)
        if impl is None:
            impl = _unsupported(declaration.path, adapter)
        elif len(declaration.promotes) > 1:
            promoting = adapter.promoting(impl, declaration.promotes)
            if promoting is not impl:
                # Exact without the promotion fix when the dtypes are identical (fast path).
                self._unpromoted[adapter.name] = impl
            impl = promoting
        self._fast[adapter.name] = impl
        # No identity tests of the fixed callable: torch.compile may trace this first call.
        wrapped = fixed(impl, adapter, declaration)
        if wrapped is not None:
            impl = wrapped
            if fixes_plain_calls(declaration):
                self._fast[adapter.name] = impl
            else:
                self._fixed.add(adapter.name)
        self._raw[adapter.name] = impl
        impl = self._translating_spellings(impl, adapter)
        self._translating[adapter.name] = impl
        return impl

    def untranslated(self, adapter: Adapter) -> Callable[..., Any]:
        """:meth:`get` without the translation of dtype and device spellings (for calls
        that pass none)."""
        self.get(adapter)
        return self._raw[adapter.name]

    def unpromoted(self, adapter: Adapter) -> Callable[..., Any] | None:
        """The callable before the adapter's promotion fix, if one was applied: exact when
        the promoting arrays have identical dtypes."""
        self.get(adapter)
        return self._unpromoted.get(adapter.name)

    def for_fast_call(self, adapter: Adapter) -> Callable[..., Any]:
        """The callable for the fast call (required arguments only, no routing)."""
        declaration = self.declaration
        # It passes a dtype or device only where one is required (no default to skip).
        passes_spellings = any(p.role in {"dtype", "device"} for p in declaration.fast_params)
        self.get(adapter)
        impl = self._fast[adapter.name]
        if passes_spellings:
            impl = self._translating[adapter.name]
            if adapter.name in self._fixed:
                impl = self._translating_spellings(self._fast[adapter.name], adapter)
        return self._with_stub_defaults(impl)

    def with_scalar(self, adapter: Adapter) -> Callable[..., Any]:
        """The callable of (array, Python scalar) calls: the library's own function where
        the adapter says it treats the scalar as the standard does (weakly typed)."""
        native = adapter.scalar_implementation(self.declaration.backend_path)
        if not adapter.wraps_int_scalars:
            # The library refuses an int beyond the dtype, and compares with it exactly.
            if native is not None:
                return native
            self.get(adapter)
            return self._fast[adapter.name]
        if native is None:
            return self.get(adapter)
        wrapped = fixed(native, adapter, self.declaration)
        return native if wrapped is None else scalar_second(native, wrapped)

    def _translating_spellings(
        self, impl: Callable[..., Any], adapter: Adapter
    ) -> Callable[..., Any]:
        """Wrap `impl` so dtype and device arguments reach it as the backend's own objects."""
        # Roles, not bound methods: torch.compile can rebuild this closure when the first
        # call for a backend happens while it traces (a bound method of an adapter made
        # during the trace it cannot).
        targets = [
            (i if p.positional else p.name, p.role)
            for i, p in enumerate(self.declaration.impl_params)
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

    def _with_stub_defaults(self, impl: Callable[..., Any]) -> Callable[..., Any]:
        """`impl` for the fast call (required arguments only), passing the stub's defaults
        where the library's function has none (``expand_dims``'s axis)."""
        declaration = self.declaration
        if not declaration.has_optional:
            return impl  # nothing to pass (and no inspect.signature for torch.compile to trace)
        try:
            signature = inspect.signature(impl)
        except (TypeError, ValueError):
            return impl
        missing = {}
        for p in declaration.impl_params:
            own = signature.parameters.get(p.name)
            if p.required or p.default is EMPTY or own is None:
                continue
            if own.default is EMPTY and own.kind in _BY_KEYWORD:
                missing[p.name] = p.default
        return functools.partial(impl, **missing) if missing else impl


def _unsupported(path: str, adapter: Adapter) -> Callable[..., Any]:
    from .._deviations import reason_for

    reason = reason_for(adapter.name, path) or f"{adapter.name} has no {path}"

    def unsupported(*args: Any, **kwargs: Any) -> Any:
        msg = f"{path} is not available for {adapter.name} arrays: {reason}"
        raise UnsupportedOperationError(msg)

    return unsupported

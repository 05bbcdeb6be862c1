"""Declared functions: :func:`array_function` reads a stub into a :class:`Function` and
registers it under its public path in :data:`REGISTRY`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from .general_path import general_call
from .implementations import Implementations
from .lanes import Lanes
from .signature import Declaration
from .tables import Tables

if TYPE_CHECKING:
    from .._backends._base import Adapter

__all__ = ["REGISTRY", "Function", "array_function"]

F = TypeVar("F", bound=Callable[..., Any])

#: Every declared function by public path (``"add"``, ``"linalg.solve"``).
REGISTRY: Final[dict[str, Function]] = {}


class Function(Declaration):
    """A declared public function: what its stub declares (the :class:`Declaration` it
    is), its per-backend implementations, its general path and the tables its generated
    code reads."""

    def __init__(
        self,
        stub: Callable[..., Any],
        *,
        path: str,
        backend_path: str,
        promotes: Sequence[str],
    ) -> None:
        super().__init__(stub, path=path, backend_path=backend_path, promotes=promotes)
        self.implementations = Implementations(self)
        self.lanes = Lanes(self, self.implementations, self._general)
        #: The general path, by the arguments' lane where their types have one (an
        #: attribute rather than a method: one call less on every general call).
        self.call = self.lanes.run
        self.tables = Tables(self, self.implementations, self.call)
        # The tables by array type, as the fillers left them (for inspection and tests).
        self.fast = self.tables.fast
        self.same = self.tables.same
        self.full = self.tables.full
        self.full_raw = self.tables.full_raw
        self.scalar = self.tables.scalar
        self.slots = self.tables.slots

    def __repr__(self) -> str:
        return f"<xpbridge function {self.path}{self.signature}>"

    def implementation(self, adapter: Adapter) -> Callable[..., Any]:
        """The standard-conforming callable of this function for one backend (cached); see
        :meth:`Implementations.get`."""
        return self.implementations.get(adapter)

    def _general(self, values: tuple[Any, ...]) -> Any:
        """Run the function on arguments given in signature order (the general path)."""
        return general_call(self, self.implementations, values)

    def bound_call(self, adapter: Adapter, device: Any) -> Callable[[tuple[Any, ...]], Any]:
        """The general path of `adapter`'s namespace (default `device`): it takes the
        arguments without the routing parameters (``backend``, ``like``, ``xp``: left at
        their defaults), and runs a call with no array argument on that backend."""
        params, implementations = self.params, self.implementations
        given = [i for i, p in enumerate(params) if p in self.impl_params]
        defaults = tuple(p.default for p in params)
        home = (adapter, device)

        def call(values: tuple[Any, ...]) -> Any:
            full = list(defaults)
            for i, value in zip(given, values, strict=True):
                full[i] = value
            return general_call(self, implementations, tuple(full), home)

        return call


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
    """Declare a public function from its stub (see :mod:`xpbridge._dispatch`).

    `promotes` names the array arguments whose dtypes combine by type promotion (the fast
    path may skip promotion only when their dtypes are identical). `namespace` is
    ``"linalg"`` or ``"fft"`` for the extensions. The stub is returned unchanged (so type
    checkers read the public function's signature from it); the public function is built
    by :func:`~xpbridge._dispatch.materialize`.
    """

    def register(f: F) -> F:
        path = f"{namespace}.{f.__name__}" if namespace else f.__name__
        REGISTRY[path] = Function(
            f, path=path, backend_path=backend_path or path, promotes=promotes
        )
        return f

    return register(stub) if stub is not None else register

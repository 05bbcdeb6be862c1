"""The tables the generated code reads: per array type, the callable of each kind of call.

Every public function's fast path reads its callables from one row per array type,
``ROWS[type(x)][slot]``: one dict lookup and one list index, as cheap as a dict per
function, and torch.compile then reaches every table by a single route (one dict, one
global scope), which it guards in C++ (one dict per function made it check, on every call
of a compiled function, that their keys are the same type object, in Python). A slot not
yet resolved for a type holds its :class:`Filler`, which resolves it on the first call.

Each function has six slots, one per kind of call (:data:`KINDS`); :class:`Tables` keeps
the same entries by type too, for the fillers and for inspection.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final

from .._backends import adapter_for_type

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .._backends._base import Adapter
    from .implementations import Implementations
    from .signature import Declaration

__all__ = [
    "FILLERS",
    "KINDS",
    "ROWS",
    "Filler",
    "GeneralPath",
    "Tables",
    "allocate_slots",
    "new_row",
]

#: The kinds of call, in slot order: the fast call (required arguments only), its variant
#: for identical dtypes, a call with options, the same without dtype or device, (array,
#: Python scalar) and (Python scalar, array).
KINDS: Final = ("fast", "same", "full", "fullraw", "scal", "rfull")

#: Array type -> its row: slot -> the callable (or None: see ``Tables.fast``).
ROWS: dict[type, list[Any]] = {}
#: Slot -> the filler a new row starts with.
FILLERS: list[Filler] = []
_ROWS_LOCK = threading.Lock()


class Tables:
    """One function's table entries by array type, filled on the first call per type."""

    def __init__(
        self,
        declaration: Declaration,
        implementations: Implementations,
        general: Callable[[tuple[Any, ...]], Any],
    ) -> None:
        self.declaration = declaration
        self.implementations = implementations
        #: The general path (kept for inspection; entries of types no backend owns raise
        #: GeneralPath, so that each generated function takes its own).
        self.general = general
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
        #: Where each kind's entries sit in the rows (`ROWS`), once the public function is
        #: compiled.
        self.slots: dict[str, int] = {}

    def fast_miss(self, cls: type) -> Callable[..., Any] | None:
        """Fill the fast-path tables for arrays of type `cls` (first call with that type)."""
        declaration = self.declaration
        adapter = adapter_for_type(cls)
        entry: Callable[..., Any] | None
        if adapter is None:
            entry = self._general_fast
        else:
            entry = self.implementations.for_fast_call(adapter)
            native = None
            if not declaration.generic:
                native = adapter.fast_implementation(declaration.backend_path)
            native = native or self.implementations.unpromoted(adapter)
            if (
                native is not None
                and len(declaration.promotes) > 1
                and not adapter.native_promotion
                and declaration.backend_path not in adapter.refuses_mixed_dtypes
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

    def full_miss(self, cls: type) -> Callable[..., Any]:
        """Fill the full-call table for arrays of type `cls`."""
        return self._fill(self.full, ("full", "rfull"), cls, self.implementations.get)

    def full_raw_miss(self, cls: type) -> Callable[..., Any]:
        """Fill the table of full calls without dtype or device for arrays of type `cls`."""
        return self._fill(self.full_raw, ("fullraw",), cls, self.implementations.untranslated)

    def scalar_miss(self, cls: type) -> Callable[..., Any]:
        """Fill the (array, Python scalar) table for arrays of type `cls`: the library's own
        function where the adapter says it treats the scalar as the standard does (weakly
        typed), else the implementation the general path would call."""
        return self._fill(self.scalar, ("scal",), cls, self.implementations.with_scalar)

    def _fill(
        self,
        table: dict[type, Callable[..., Any]],
        kinds: tuple[str, ...],
        cls: type,
        resolve: Callable[[Adapter], Callable[..., Any]],
    ) -> Callable[..., Any]:
        adapter = adapter_for_type(cls)
        entry = self._general_full if adapter is None else resolve(adapter)
        table[cls] = entry
        for kind in kinds:
            self._remember(kind, cls, entry)
        return entry

    def _remember(self, kind: str, cls: type, entry: Any) -> None:
        """Put a table entry where the generated code reads it (the row of `cls`)."""
        slot = self.slots.get(kind)
        row = ROWS.get(cls)
        if slot is not None and row is not None:
            row[slot] = entry

    @staticmethod
    def _general_fast(*required: Any) -> Any:
        """Arrays of a type no backend owns (Python scalars, lists): the generated function
        takes its own general path (the facade's, or a namespace's bound to its backend)."""
        raise GeneralPath

    _general_full = _general_fast


class GeneralPath(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a table entry when the call must take the general path (dtypes differ, or
    no backend owns the arguments); the generated code catches it and calls its own."""


_GeneralPath = GeneralPath


class Filler:
    """The first call of one slot for one array type: resolves the slot, then calls it."""

    __slots__ = ("index", "kind", "tables")

    def __init__(self, tables: Tables, kind: str, index: int) -> None:
        # `index`: the positional argument whose class keys the row.
        self.tables, self.kind, self.index = tables, kind, index

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tables, cls = self.tables, args[self.index].__class__
        if self.kind in {"fast", "same"}:
            entry = tables.fast_miss(cls)
            if entry is None:
                # The library's own function is exact only for identical dtypes (torch).
                first, *others = (args[i] for i in tables.declaration.promotes)
                if any(first.dtype is not other.dtype for other in others):
                    raise _GeneralPath
                entry = tables.same[cls]
        elif self.kind == "scal":
            entry = tables.scalar_miss(cls)
        elif self.kind == "fullraw":
            entry = tables.full_raw_miss(cls)
        else:
            entry = tables.full_miss(cls)
        return entry(*args, **kwargs)


def new_row(cls: type) -> list[Any]:
    """The row of a type met for the first time: every slot unresolved."""
    row = ROWS.setdefault(cls, list(FILLERS))
    if len(row) < len(FILLERS):  # a function was compiled meanwhile
        with _ROWS_LOCK:
            _extend(row)
    return row


def _extend(row: list[Any]) -> None:
    row.extend(FILLERS[len(row) :])


def allocate_slots(all_tables: Iterable[Tables]) -> None:
    """Give each of `all_tables` that has none its slots, in every row (old and new)."""
    with _ROWS_LOCK:
        for tables in all_tables:
            if not tables.slots:
                _allocate(tables)
        for row in list(ROWS.values()):
            _extend(row)


def _allocate(tables: Tables) -> None:
    declaration = tables.declaration
    arrays = declaration.fast_arrays
    carrier = next(
        (i for i, p in enumerate(declaration.impl_params) if p.role == "array" and p.positional),
        0,
    )
    # The positional argument whose class keys the row, per kind.
    indices = {
        "fast": arrays[0] if arrays else 0,
        "same": arrays[0] if arrays else 0,
        "full": carrier,
        "fullraw": carrier,
        "scal": 0,
        "rfull": 1,
    }
    for kind in KINDS:
        tables.slots[kind] = len(FILLERS)
        FILLERS.append(Filler(tables, kind, indices[kind]))

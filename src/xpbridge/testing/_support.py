"""What each backend supports, computed from the deviations registry and the adapters.

:func:`support_table` writes the Markdown table of the docs: one row per declared function,
one column per backend. A backend that is not installed where the table is built is never
imported: its column shows only what the registry says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from .. import _deviations
from .._backends import BACKENDS, available_backends, get_adapter
from .._deviations import Deviation

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .._dispatch import Function

__all__ = ["Support", "backend_support", "support_table"]

Status = Literal["supported", "differs", "partial", "unsupported", "unchecked"]

_CELLS: Final[dict[str, str]] = {
    "supported": "✓",
    "differs": "differs",
    "partial": "partial",
    "unsupported": "✗",
    "unchecked": "?",
}


@dataclass(frozen=True, slots=True)
class Support:
    """How one backend supports one function."""

    status: Status
    #: The registry entries behind the status (or one made up from the adapter's answer).
    deviations: tuple[Deviation, ...] = ()


def _declared() -> dict[str, Function]:
    from .._namespace import _registry

    return _registry()


def _implemented(backend: str, path: str) -> bool:
    """Whether xpbridge has an implementation of `path` for `backend` (imports it)."""
    function = _declared()[path]
    if getattr(function, "generic", False):
        return True  # written once against the namespace: runs wherever its parts do
    adapter = get_adapter(backend)
    return adapter.implementation(getattr(function, "backend_path", path)) is not None


def backend_support(
    backend: str, function: str, *, installed: Sequence[str] | None = None
) -> Support:
    """How `backend` supports `function` (a declared path like ``"linalg.solve"``): one
    cell of :func:`support_table`.

    `installed` lists the backends that may be imported to check (default: those
    installed here); for the others, only the registry answers.

    Examples
    --------
    >>> from xpbridge.testing import backend_support
    >>> backend_support("numpy", "add")
    Support(status='supported', deviations=())
    """
    if installed is None:
        installed = available_backends()
    entries = tuple(d for d in _deviations_of(backend, installed) if d.function == function)
    if any(d.kind == "unsupported" and not d.dtypes for d in entries):
        return Support("unsupported", tuple(d for d in entries if not d.dtypes))
    if backend in installed and not _implemented(backend, function):
        missing = Deviation(
            backend,
            function,
            f"{backend}'s standard namespace has no {function}; xpbridge raises "
            "UnsupportedOperationError",
        )
        return Support("unsupported", (missing,))
    if any(d.kind == "unsupported" for d in entries):
        return Support("partial", entries)
    if entries:
        return Support("differs", entries)
    return Support("supported" if backend in installed else "unchecked")


def _deviations_of(backend: str, installed: Sequence[str]) -> tuple[Deviation, ...]:
    """The deviations `backend`'s adapter declares (none known if it is not installed)."""
    if _deviations.DEVIATIONS is None and backend not in installed:
        return ()
    return _deviations.deviations_of(backend)


def support_table(
    backends: Sequence[str] | None = None, functions: Sequence[str] | None = None
) -> str:
    """The Markdown table of what every backend supports, with the reasons as notes.

    Rows are the declared functions (default: all of them), columns the backends (default:
    all that xpbridge knows). Cells: ✓ supported; "differs": runs, but the result differs
    from NumPy's in a documented way; "partial": unsupported for some dtypes; ✗ unsupported;
    ? not checked (the backend is not installed where the table was built). Backends that
    are not installed are not imported.

    Examples
    --------
    >>> from xpbridge.testing import support_table
    >>> print(support_table(["numpy"], ["add"]))  # doctest: +NORMALIZE_WHITESPACE
    | function | numpy |
    |---|---|
    | `add` | ✓ |
    """
    names = list(backends) if backends is not None else _default_columns()
    installed = [name for name in available_backends() if name in names]
    paths = list(functions) if functions is not None else _ordered(_declared())
    notes: dict[tuple[str, str, tuple[str, ...], str], int] = {}
    lines = [
        "| function | " + " | ".join(names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for path in paths:
        cells = []
        for name in names:
            found = backend_support(name, path, installed=installed)
            refs = [_note(notes, d) for d in found.deviations]
            suffix = "".join(f" [{n}]" for n in refs)
            cells.append(_CELLS[found.status] + suffix)
        lines.append(f"| `{path}` | " + " | ".join(cells) + " |")
    lines += _footer(names, installed, notes)
    return "\n".join(lines)


def _default_columns() -> list[str]:
    # NumPy, the reference, first; then by mixing priority (torch, cupy, jax...).
    return ["numpy", *(spec.name for spec in BACKENDS if spec.name != "numpy")]


def _ordered(registry: Iterable[str]) -> list[str]:
    # Top-level functions first, then each extension (linalg, fft...), alphabetically.
    return sorted(registry, key=lambda path: (path.count("."), path))


def _note(notes: dict[tuple[str, str, tuple[str, ...], str], int], d: Deviation) -> int:
    key = (d.backend, d.function, d.dtypes, d.reason)
    return notes.setdefault(key, len(notes) + 1)


def _footer(
    names: list[str],
    installed: list[str],
    notes: dict[tuple[str, str, tuple[str, ...], str], int],
) -> list[str]:
    lines = [""]
    for (backend, function, dtypes, reason), number in notes.items():
        scope = f" ({', '.join(dtypes)})" if dtypes else ""
        lines.append(f"{number}. {backend}, `{function}`{scope}: {reason}.")
    general = [d for name in names for d in _deviations_of(name, installed) if d.function == "*"]
    if general:
        lines += ["", "For every function:", ""]
        for d in general:
            scope = f" ({', '.join(d.dtypes)})" if d.dtypes else ""
            lines.append(f"* {d.backend}{scope}: {d.reason}.")
    unchecked = [name for name in names if name not in installed]
    if unchecked:
        note = (
            "Not installed where this table was built, so checked against the registry "
            f"only: {', '.join(unchecked)}."
        )
        lines += ["", note]
    while lines and not lines[-1]:
        lines.pop()
    return lines

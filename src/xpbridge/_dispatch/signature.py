"""What a stub declares: its parameters, and the role each annotation gives them.

Annotations are read as text (the stubs' modules use ``from __future__ import
annotations``), so nothing in ``xpbridge._typing`` has to exist at run time.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["EMPTY", "SCALARS", "SCALAR_TYPES", "Declaration", "Param"]

EMPTY: Final = inspect.Parameter.empty
#: The Python scalars that may stand beside an array (weakly typed, as the standard says).
SCALARS: Final = (bool, int, float, complex)
SCALAR_TYPES: Final = frozenset(SCALARS)

_SCALAR_WORDS: Final = frozenset({"complex", "float", "int", "bool", "Scalar"})
#: Parameters that route the call and never reach an implementation.
_ROUTING: Final = frozenset({"backend", "like", "xp"})


class Param(NamedTuple):
    """One parameter of a declared function and the role its annotation gives it."""

    name: str
    kind: inspect._ParameterKind
    default: Any
    #: "array", "arrays", "dtype", "device", "backend", "like", "xp" or "option".
    role: str
    scalar_ok: bool = False

    @property
    def required(self) -> bool:
        return self.default is EMPTY and self.kind is not inspect.Parameter.VAR_POSITIONAL

    @property
    def positional(self) -> bool:
        return self.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        )


@functools.cache  # 434 parameters, 90 distinct: read each once at import
def role_of(name: str, annotation: Any, kind: inspect._ParameterKind) -> tuple[str, bool]:
    """The role of a parameter, and whether a Python scalar may stand in for its array."""
    if name in _ROUTING:
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


class Declaration:
    """A stub read once: its path, parameters and the facts the dispatcher derives from
    them (which parameters the fast call passes, which arrays promote...)."""

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
            Param(p.name, p.kind, p.default, *role_of(p.name, p.annotation, p.kind))
            for p in signature.parameters.values()
        )
        roles = {p.name: p.role for p in self.params}
        #: The parameters an implementation receives (routing ones removed). Set here, not
        #: a cached_property: Python 3.11's takes a lock, which torch.compile cannot trace.
        self.impl_params = tuple(p for p in self.params if p.role not in _ROUTING)
        self.has_optional = any(not p.required and p.default is not EMPTY for p in self.impl_params)
        self.generic = "xp" in roles
        self.creation = "backend" in roles or "like" in roles
        #: The fast call passes the required parameters, in order; its table is keyed by the
        #: type of the first of them that carries an array.
        self.fast_params = tuple(p for p in self.params if p.required)
        self.fast_arrays = tuple(i for i, p in enumerate(self.fast_params) if p.role == "array")
        self.promotes = tuple(i for i, p in enumerate(self.fast_params) if p.name in promotes)

    @property
    def namespace_signature(self) -> inspect.Signature:
        """The signature of a backend namespace's function: the stub's, less the routing
        parameters (the standard's own, for the standard's functions). Built when a
        namespace's function is, not for every declaration at import."""
        parameters = self.signature.parameters.values()
        return self.signature.replace(parameters=[p for p in parameters if p.name not in _ROUTING])

"""Building the dispatched functions of a public module on first use (PEP 562).

The first ``xb.add`` compiles ``add`` from its declaration and stores it in the module's
globals, so later lookups are plain attribute reads: no cost per call, and ``import
xpbridge`` does not pay for functions a program never uses. Modules inside xpbridge get
the same function objects from :func:`public_function` (or :data:`dispatched`), without
importing the facade.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._dispatch import Function

__all__ = ["dispatched", "dispatched_names", "module_getattr", "public_function"]

_SUBMODULES = {"linalg", "fft", "random", "testing"}
#: Public path -> its public function, built once (``xb.add is public_function("add")``).
_BUILT: dict[str, Callable[..., Any]] = {}


def _registry() -> dict[str, Function]:
    from ._namespace import _registry

    return _registry()


def dispatched_names(prefix: str = "") -> list[str]:
    """Public names of the declared functions under `prefix` (``""``, ``"linalg"``, ``"fft"``)."""
    from ._api.numpy_spellings import ALIASES

    names = [path.rpartition(".")[2] for path in _registry() if path.rpartition(".")[0] == prefix]
    return sorted(names + (list(ALIASES) if not prefix else []))


def public_function(path: str) -> Callable[..., Any]:
    """The public function of a declared `path` (``"add"``, ``"linalg.solve"``): the very
    object ``xb.add`` or ``xb.linalg.solve`` is, built on first use."""
    try:
        return _BUILT[path]
    except KeyError:
        pass
    from ._dispatch import materialize

    if path not in _registry():
        raise KeyError(path)
    prefix = path.rpartition(".")[0]
    built = materialize(path, f"xpbridge.{prefix}" if prefix else "xpbridge")
    # Two threads may build it at once: both then return the first one stored.
    return _BUILT.setdefault(path, built)


def module_getattr(module: str, scope: dict[str, Any], name: str) -> Any:
    """``__getattr__`` of a public module whose functions are declared under a prefix."""
    prefix = module.removeprefix("xpbridge").lstrip(".")
    value: Any
    if not prefix and name in _SUBMODULES:
        value = importlib.import_module(f"xpbridge.{name}")
        scope[name] = value
        return value
    from ._api.numpy_spellings import ALIASES

    path = f"{prefix}.{name}" if prefix else name
    if not prefix and name in ALIASES:
        value = public_function(ALIASES[name])
    elif path in _registry():
        value = public_function(path)
    else:
        msg = f"module {module!r} has no attribute {name!r}"
        raise AttributeError(msg)
    scope[name] = value
    return value


class _Dispatched:
    """Attribute access to the main namespace's public functions for modules inside
    xpbridge, which must not import the facade: ``dispatched.take`` is ``xb.take``."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        try:
            return public_function(name)
        except KeyError:
            msg = f"xpbridge has no public function {name!r}"
            raise AttributeError(msg) from None


dispatched: Final = _Dispatched()

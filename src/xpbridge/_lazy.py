"""Building the dispatched functions of a public module on first use (PEP 562).

The first ``xb.add`` compiles ``add`` from its declaration and stores it in the module's
globals, so later lookups are plain attribute reads: no cost per call, and ``import
xpbridge`` does not pay for functions a program never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._dispatch import Function

__all__ = ["dispatched_names", "module_getattr"]

_SUBMODULES = {"linalg", "fft", "random", "testing"}


def _registry() -> dict[str, Function]:
    from ._namespace import _registry

    return _registry()


def dispatched_names(prefix: str = "") -> list[str]:
    """Public names of the declared functions under `prefix` (``""``, ``"linalg"``, ``"fft"``)."""
    from ._api.numpy_spellings import ALIASES

    names = [path.rpartition(".")[2] for path in _registry() if path.rpartition(".")[0] == prefix]
    return sorted(names + (list(ALIASES) if not prefix else []))


def module_getattr(module: str, scope: dict[str, Any], name: str) -> Any:
    """``__getattr__`` of a public module whose functions are declared under a prefix."""
    prefix = module.removeprefix("xpbridge").lstrip(".")
    value: Any
    if not prefix and name in _SUBMODULES:
        value = importlib.import_module(f"xpbridge.{name}")
        scope[name] = value
        return value
    from ._api.numpy_spellings import ALIASES
    from ._dispatch import materialize

    registry = _registry()
    path = f"{prefix}.{name}" if prefix else name
    if not prefix and name in ALIASES:
        value = getattr(importlib.import_module(module), ALIASES[name])
    elif path in registry:
        value = materialize(path, module)
    else:
        msg = f"module {module!r} has no attribute {name!r}"
        raise AttributeError(msg)
    scope[name] = value
    return value

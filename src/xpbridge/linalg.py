"""The ``linalg`` extension of the array API standard, routed like the main namespace.

``xb.linalg.matmul``, ``matrix_transpose``, ``tensordot`` and ``vecdot`` are the main
namespace's functions themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import dispatched_names, module_getattr

if TYPE_CHECKING:
    from ._api.linalg import *  # noqa: F403

_SHARED = ("matmul", "matrix_transpose", "tensordot", "vecdot")
__all__ = sorted([*dispatched_names("linalg"), *_SHARED])


def __getattr__(name: str) -> Any:
    if name in _SHARED:
        import xpbridge

        value = getattr(xpbridge, name)
        globals()[name] = value
        return value
    return module_getattr(__name__, globals(), name)


def __dir__() -> list[str]:
    return __all__

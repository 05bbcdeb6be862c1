"""The ``fft`` extension of the array API standard, routed like the main namespace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import dispatched_names, module_getattr

if TYPE_CHECKING:
    from ._api.fft import *  # noqa: F403

__all__ = dispatched_names("fft")


def __getattr__(name: str) -> Any:
    return module_getattr(__name__, globals(), name)


def __dir__() -> list[str]:
    return __all__

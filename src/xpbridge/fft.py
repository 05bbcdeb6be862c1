"""The ``fft`` extension of the array API standard, routed like the main namespace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import module_getattr

if TYPE_CHECKING:
    # Type checkers read the declarations; at run time __getattr__ builds each function on
    # first use (tests/test_public_api.py checks these names against the registry).
    from ._api.fft import (
        fft,
        fftfreq,
        fftn,
        fftshift,
        hfft,
        ifft,
        ifftn,
        ifftshift,
        ihfft,
        irfft,
        irfftn,
        rfft,
        rfftfreq,
        rfftn,
    )

__all__ = [
    "fft",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "ifft",
    "ifftn",
    "ifftshift",
    "ihfft",
    "irfft",
    "irfftn",
    "rfft",
    "rfftfreq",
    "rfftn",
]


def __getattr__(name: str) -> Any:
    return module_getattr(__name__, globals(), name)


def __dir__() -> list[str]:
    return __all__

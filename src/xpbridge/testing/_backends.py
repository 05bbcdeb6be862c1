"""The backends a test can run on, with behavioural variants, as one enum.

A member's value is ``"<backend>[:<variant>]"``: ``"torch:grad"`` makes float arrays that
require grad, ``"numpy:readonly"`` read-only arrays, ``"array_api_strict:device1"`` arrays on
a fake non-default device (so device propagation bugs show on a CPU-only machine).
"""

from __future__ import annotations

import importlib.util
import os
from enum import Enum
from typing import Any, Final

__all__ = ["REQUIRED_ENV", "Backend", "required_backends"]

#: Environment variable listing backends that must be importable (comma-separated); a
#: missing one fails the run instead of being skipped.
REQUIRED_ENV: Final = "XPBRIDGE_REQUIRED_BACKENDS"


class Backend(Enum):
    """A backend (library) and an optional variant of how test arrays are made."""

    NUMPY = "numpy"
    NUMPY_READONLY = "numpy:readonly"
    ARRAY_API_STRICT = "array_api_strict"
    ARRAY_API_STRICT_DEVICE = "array_api_strict:device1"
    TORCH = "torch"
    TORCH_GRAD = "torch:grad"
    TORCH_CUDA = "torch:cuda"
    CUPY = "cupy"
    DASK = "dask"
    JAX = "jax"

    @property
    def library(self) -> str:
        """The backend's registry name (``"torch"`` for ``Backend.TORCH_GRAD``)."""
        return self.value.partition(":")[0]

    @property
    def variant(self) -> str:
        """The variant tag (``"grad"``), or ``""``."""
        return self.value.partition(":")[2]

    @property
    def needs_gpu(self) -> bool:
        return self in {Backend.TORCH_CUDA, Backend.CUPY}

    def missing(self) -> str | None:
        """Why this backend cannot run here (not installed, no GPU), or None."""
        if importlib.util.find_spec(self.library) is None:
            return f"{self.library} is not installed"
        if self is Backend.TORCH_CUDA:
            import torch

            if not torch.cuda.is_available():
                return "no CUDA device here"
        if self is Backend.CUPY:  # needs CUDA: without CuPy, find_spec answered above
            try:
                import cupy

                cupy.cuda.runtime.getDeviceCount()
            except (ImportError, OSError, RuntimeError) as exc:
                # CUDARuntimeError is a RuntimeError; a CuPy without CUDA libraries cannot import.
                return f"CuPy cannot reach a CUDA device here ({type(exc).__name__})"
        return None

    def device(self) -> Any:
        """The device this member's arrays live on (None: the library's default)."""
        if self is Backend.TORCH_CUDA:
            return "cuda"  # needs CUDA: the member is skipped before anything asks
        if self is Backend.ARRAY_API_STRICT_DEVICE:
            import array_api_strict

            return array_api_strict.Device("device1")
        return None

    @classmethod
    def parse(cls, value: Backend | str) -> Backend:
        """A member from itself, its value (``"torch:grad"``) or its name (``"TORCH_GRAD"``)."""
        if isinstance(value, Backend):
            return value
        for member in cls:
            if value in (member.value, member.name):
                return member
        names = ", ".join(m.value for m in cls)
        msg = f"unknown backend {value!r}; choose from {names}"
        raise ValueError(msg)


def required_backends() -> set[str]:
    """Backends listed in :data:`REQUIRED_ENV`: library names (``"torch"``) or member values
    (``"torch:cuda"``). An unknown name is a ``ValueError``, so a typo cannot make the
    requirement silently empty."""
    listed = {name.strip() for name in os.environ.get(REQUIRED_ENV, "").split(",")}
    listed.discard("")
    known = {m.value for m in Backend} | {m.library for m in Backend}
    unknown = sorted(listed - known)
    if unknown:
        msg = (
            f"{REQUIRED_ENV} lists unknown backends {unknown}; use library names or Backend "
            f"values: {', '.join(sorted(known))}"
        )
        raise ValueError(msg)
    return listed

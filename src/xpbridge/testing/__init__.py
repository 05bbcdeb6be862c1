"""Test backend-agnostic code the way xpbridge tests itself.

* :func:`assert_equal`, :func:`assert_close` (alias :func:`assert_allclose`): check library,
  dtype, shape, 0-d-ness and device before values.
* :class:`Backend`: the backends and their variants (``torch:grad``, ``numpy:readonly``...).
* :mod:`xpbridge.testing.plugin`: the pytest fixtures ``backend``, ``xp``, ``device`` and the
  ``skip_backend``/``xfail_backend`` markers (``pytest_plugins = ["xpbridge.testing.plugin"]``).
* :mod:`xpbridge.testing.strategies`: hypothesis strategies for arrays of any backend, dtype,
  shape and layout (imported on first use: hypothesis is only needed for them).
"""

from __future__ import annotations

from typing import Any

from ._asserts import assert_allclose, assert_close, assert_equal, default_rtol
from ._backends import REQUIRED_ENV, Backend, required_backends

__all__ = [
    "REQUIRED_ENV",
    "Backend",
    "arrays",
    "assert_allclose",
    "assert_close",
    "assert_equal",
    "default_rtol",
    "required_backends",
    "strategies",
]


def __getattr__(name: str) -> Any:
    if name in {"strategies", "arrays"}:
        from . import strategies

        return strategies if name == "strategies" else strategies.arrays
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)

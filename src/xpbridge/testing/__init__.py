"""Test backend-agnostic code the way xpbridge tests itself.

* :func:`assert_equal`, :func:`assert_close` (alias :func:`assert_allclose`): check library,
  dtype, shape, 0-d-ness and device before values.
* :class:`Backend`: the backends and their variants (``torch:grad``, ``numpy:readonly``...).
* :mod:`xpbridge.testing.plugin`: the pytest fixtures ``backend``, ``xp``, ``device`` and the
  ``skip_backend``/``xfail_backend`` markers (``pytest_plugins = ["xpbridge.testing.plugin"]``).
* :mod:`xpbridge.testing.strategies` (and its :func:`arrays`): hypothesis strategies for
  arrays of any backend, dtype, shape and layout (imported on first use: hypothesis is only
  needed for them).
* :func:`support_table`: the Markdown table of what each backend supports, from the
  known-deviations registry and the adapters; :func:`backend_support` answers one cell.
* :mod:`xpbridge.testing.conformance`: a self-check of any namespace against the standard's
  signatures, dtype lattice and special cases (``python -m xpbridge.testing.conformance``).
"""

from __future__ import annotations

import importlib
from typing import Any

from ._asserts import assert_allclose, assert_close, assert_equal, default_rtol
from ._backends import REQUIRED_ENV, Backend, required_backends
from ._support import Support, backend_support, support_table

__all__ = [
    "REQUIRED_ENV",
    "Backend",
    "Support",
    "arrays",
    "assert_allclose",
    "assert_close",
    "assert_equal",
    "backend_support",
    "default_rtol",
    "required_backends",
    "strategies",
    "support_table",
]


def __getattr__(name: str) -> Any:
    if name in {"strategies", "arrays"}:
        # import_module, not `from . import`: that would ask this __getattr__ again.
        strategies = importlib.import_module(f"{__name__}.strategies")
        return strategies if name == "strategies" else strategies.arrays
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)

"""xpbridge.testing is safe to load from a downstream conftest.

(Its docstring examples run with the library's, by ``--doctest-modules``.)
"""

from __future__ import annotations

import subprocess
import sys


def test_the_testing_package_imports_no_backend() -> None:
    # A downstream conftest loads the plugin and the strategies at startup: neither may
    # import torch, JAX, Dask or array-api-strict before a test asks for them.
    code = (
        "import sys, xpbridge.testing, xpbridge.testing.plugin, xpbridge.testing.strategies\n"
        "xpbridge.testing.support_table(['numpy'], ['add'])\n"
        "print(sorted(m for m in ('torch', 'jax', 'dask', 'array_api_strict', 'cupy')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"

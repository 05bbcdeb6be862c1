"""xpbridge.testing is safe to load from a downstream conftest.

(Its docstring examples run with the library's, by ``--doctest-modules``.)
"""

from __future__ import annotations

import subprocess
import sys

from xpbridge._backends import BACKENDS


def test_the_testing_package_imports_no_backend() -> None:
    # A downstream conftest loads the plugin and the strategies at startup: neither may
    # import an optional library (torch, JAX, Dask, array-api-strict...) before a test asks
    # for one. Building `Backend` reads the registry, not the libraries.
    optional = tuple(spec.import_name for spec in BACKENDS if spec.name != "numpy")
    code = (
        "import sys, xpbridge.testing, xpbridge.testing.plugin, xpbridge.testing.strategies\n"
        "xpbridge.testing.support_table(['numpy'], ['add'])\n"
        "[m.value for m in xpbridge.testing.Backend]\n"
        f"print(sorted(m for m in {optional!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"

"""The docstring examples of xpbridge.testing run, and say what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

_MODULES = [
    "xpbridge.testing._asserts",
    "xpbridge.testing._support",
    "xpbridge.testing.strategies",
]


@pytest.mark.parametrize("name", _MODULES)
def test_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_testing_package_imports_no_backend() -> None:
    # A downstream conftest loads the plugin and the strategies at startup: neither may
    # import torch, JAX, Dask or array-api-strict before a test asks for them.
    import subprocess
    import sys

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

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

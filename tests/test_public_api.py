"""The ``__all__`` lists of the public modules against the dispatch registry.

The functions built on first use (PEP 562 ``__getattr__``) are listed by hand in ``__all__``
and imported from their declarations under ``TYPE_CHECKING``, so that mypy and ruff see them.
These tests keep both lists equal to what the registry declares.
"""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

import xpbridge as xb
from xpbridge._api.numpy_spellings import ALIASES
from xpbridge._dispatch import REGISTRY
from xpbridge._lazy import dispatched_names

PUBLIC = ["xpbridge", "xpbridge.linalg", "xpbridge.fft"]
SUBMODULES = {"fft", "linalg", "random"}


def _prefix(module: str) -> str:
    return module.removeprefix("xpbridge").lstrip(".")


def _type_checking_names(module: str) -> tuple[set[str], dict[str, str]]:
    """Names imported in the module's ``if TYPE_CHECKING:`` block: under their own name,
    and under another (``acos as arccos``, with the declaration's name)."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module)))
    blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    assert len(blocks) == 1, f"{module}: expected one `if TYPE_CHECKING:` block"
    imported: set[str] = set()
    aliases: dict[str, str] = {}
    for node in blocks[0].body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            if alias.asname is None:
                imported.add(alias.name)
            else:
                aliases[alias.asname] = alias.name
    return imported, aliases


@pytest.mark.parametrize("module", PUBLIC)
def test_all_lists_every_declared_function(module: str) -> None:
    missing = set(dispatched_names(_prefix(module))) - set(importlib.import_module(module).__all__)
    assert not missing, f"declared but not in {module}.__all__: {sorted(missing)}"


@pytest.mark.parametrize("module", PUBLIC)
def test_every_name_in_all_resolves(module: str) -> None:
    # A name left in __all__ after its declaration was removed raises AttributeError here.
    public = importlib.import_module(module)
    unresolved = [name for name in public.__all__ if not hasattr(public, name)]
    assert not unresolved


@pytest.mark.parametrize("module", PUBLIC)
def test_all_is_sorted_without_duplicates(module: str) -> None:
    names = importlib.import_module(module).__all__
    assert names == sorted(set(names))


@pytest.mark.parametrize("module", PUBLIC)
def test_type_checkers_see_every_function(module: str) -> None:
    """The ``TYPE_CHECKING`` block declares exactly the functions built by ``__getattr__``."""
    imported, aliases = _type_checking_names(module)
    if module == "xpbridge":
        expected = set(dispatched_names()) | SUBMODULES
    else:  # the extensions have no eager names
        expected = set(importlib.import_module(module).__all__)
    assert imported | set(aliases) == expected


def test_linalg_shares_only_main_namespace_functions() -> None:
    shared = set(xb.linalg.__all__) - set(dispatched_names("linalg"))
    assert shared == {"matmul", "matrix_transpose", "tensordot", "vecdot"}
    for name in shared:
        assert name in REGISTRY
        assert getattr(xb.linalg, name) is getattr(xb, name)


def test_type_checking_aliases_are_the_numpy_synonyms() -> None:
    _, aliases = _type_checking_names("xpbridge")
    assert aliases == ALIASES
    for alias, target in ALIASES.items():
        assert getattr(xb, alias) is getattr(xb, target)

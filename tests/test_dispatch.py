"""How declarations become public functions: signatures, laziness, aliases, fast and general
paths agreeing."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._api.numpy_spellings import ALIASES
from xpbridge._dispatch import REGISTRY, array_function


def _public(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(getattr(xb, module) if module else xb, name)


@pytest.mark.parametrize("path", sorted(REGISTRY))
def test_public_function_has_the_stubs_signature_and_docstring(path: str) -> None:
    function = REGISTRY[path]
    public = _public(path)
    assert inspect.signature(public) == inspect.signature(function.stub)
    assert public.__doc__ == function.stub.__doc__
    assert public.__doc__, f"{path} has no docstring"
    assert public.__name__ == path.rpartition(".")[2]
    assert public.__module__ == ("xpbridge." + path.rpartition(".")[0]).rstrip(".")
    assert public.__xpbridge_function__ is function
    assert _public(path) is public  # built once, then a plain attribute
    assert path in repr(function)
    assert inspect.getsource(public).startswith("def ")  # tracebacks show the routing code


def test_aliases_are_the_same_functions() -> None:
    for alias, target in ALIASES.items():
        assert getattr(xb, alias) is getattr(xb, target), alias


def test_linalg_shares_the_main_namespace_functions() -> None:
    for name in ("matmul", "matrix_transpose", "tensordot", "vecdot"):
        assert getattr(xb.linalg, name) is getattr(xb, name)


def test_dir_and_all_list_every_function() -> None:
    names = set(dir(xb))
    for path in REGISTRY:
        module, _, name = path.rpartition(".")
        assert name in (dir(getattr(xb, module)) if module else names), path
    assert set(ALIASES) <= names
    assert {"linalg", "fft", "random"} <= set(xb.__all__)
    with pytest.raises(AttributeError, match="no attribute 'not_a_function'"):
        _ = xb.not_a_function


def test_unknown_submodule_attribute() -> None:
    with pytest.raises(AttributeError, match=r"xpbridge\.linalg.*no attribute 'nope'"):
        _ = xb.linalg.nope


@pytest.mark.parametrize(
    ("call", "general"),
    [
        (xb.sum, lambda x: xb.sum(x, axis=None, keepdims=False)),
        (lambda x: xb.add(x, x), lambda x: xb.add(x, xb.astype(x, x.dtype))),
        (xb.expand_dims, lambda x: xb.expand_dims(x, axis=0)),
        (lambda x: xb.matmul(x, x), lambda x: xb.matmul(x, xb.astype(x, x.dtype, copy=True))),
        (xb.std, lambda x: xb.std(x, correction=0.0, axis=(0, 1))),
    ],
    ids=["sum", "add", "expand_dims", "matmul", "std"],
)
def test_fast_and_general_paths_agree(call: Any, general: Any, xp: Any) -> None:
    """Arguments at their defaults take the generated fast path; spelled out, the general one."""
    x = xp.asarray(np.arange(9.0).reshape(3, 3))
    fast, slow = call(x), general(x)
    if xb.backend_of(x) == "dask":
        fast, slow = fast.compute(), slow.compute()
    np.testing.assert_allclose(xb.to_numpy(fast, detach=True), xb.to_numpy(slow, detach=True))


def test_keyword_and_positional_spellings_route_alike() -> None:
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(xb.reshape(x, (3, 2)), xb.reshape(x, shape=(3, 2)))
    np.testing.assert_array_equal(xb.concatenate([x, x], 1), xb.concatenate([x, x], axis=1))
    with pytest.raises(TypeError):
        xb.sum(x, 0)  # axis is keyword-only, as in the standard


def test_generic_implementation_takes_an_explicit_namespace() -> None:
    """Generic stubs (an ``xp`` parameter) run against the namespace given, skipping routing."""
    strict = pytest.importorskip("array_api_strict", reason="array-api-strict not installed")
    x = strict.asarray([[1.0, 2.0], [3.0, 4.0]])
    result = xb.transpose(x, xp=strict)
    assert isinstance(result, type(x))
    assert result.shape == (2, 2)


def test_declarations_register_under_their_namespace() -> None:
    before = dict(REGISTRY)
    try:

        @array_function(namespace="linalg")
        def made_up(x: Any, /) -> Any:
            """A made-up function."""

        assert REGISTRY["linalg.made_up"].path == "linalg.made_up"
        assert REGISTRY["linalg.made_up"].name == "made_up"
    finally:
        REGISTRY.clear()
        REGISTRY.update(before)

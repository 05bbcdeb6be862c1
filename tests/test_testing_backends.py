"""``xpbridge.testing.Backend``: one member per registered backend, plus the variant table's.

Adding a backend to ``xpbridge._backends.BACKENDS`` makes it a member (and so a parameter of
every test that uses the plugin's fixtures) with defaults that suit any library; its row of
``VARIANTS`` (in ``xpbridge/testing/_backends.py``) adds what the defaults lack.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from xpbridge import _backends as registry
from xpbridge.testing import Backend, plugin, strategies
from xpbridge.testing import _backends as variants
from xpbridge.testing.strategies import LAYOUTS, InvalidArgumentError, arrays


def test_every_registered_backend_is_a_member() -> None:
    registered = {spec.name for spec in registry.BACKENDS}
    assert {m.value for m in Backend if not m.variant} == registered
    rows = {key for key in variants.VARIANTS if ":" in key}
    assert {m.value for m in Backend if m.variant} == rows
    for member in Backend:
        assert member.library in registered
        assert Backend.parse(member.value) is Backend.parse(member.name) is member


def test_the_order_is_the_tables_then_the_registrys() -> None:
    values = [m.value for m in Backend]
    libraries = list(dict.fromkeys(m.library for m in Backend))
    in_table = [key for key in variants.VARIANTS if ":" not in key]
    assert libraries[: len(in_table)] == in_table
    assert libraries[len(in_table) :] == [
        spec.name for spec in registry.BACKENDS if spec.name not in in_table
    ]
    for member in Backend:  # a variant comes right after its backend (or another variant)
        if member.variant:
            before = values[values.index(member.value) - 1]
            assert before.partition(":")[0] == member.library


def test_the_rows_are_consistent() -> None:
    registered = {spec.name for spec in registry.BACKENDS}
    for key, row in variants.VARIANTS.items():
        library, _, variant = key.partition(":")
        assert library in registered, f"{key}: not a registered backend"
        assert row.layouts <= set(LAYOUTS), key
        assert "contiguous" in row.layouts, key
        assert ("readonly" in row.layouts) == (row.make_readonly is not None), key
        backend_row = variants.VARIANTS.get(library, variants.Row())
        if row.requires_grad:
            assert backend_row.make_requires_grad is not None, f"{key}: {library} has no autograd"
        if row.readonly:
            assert backend_row.make_readonly is not None, f"{key}: no read-only {library} arrays"
        if variant:  # the backend's facts are the backend row's alone
            defaults = variants.Row()
            for field in ("layouts", "test_device", "make_requires_grad", "make_readonly"):
                assert getattr(row, field) == getattr(defaults, field), f"{key}: {field}"


def test_type_checkers_see_the_runtime_members() -> None:
    """The ``TYPE_CHECKING`` declaration of ``Backend`` (for mypy) names real members."""
    tree = ast.parse(Path(inspect.getfile(variants)).read_text())
    declared = {
        target.id: node.value.value
        for klass in ast.walk(tree)
        if isinstance(klass, ast.ClassDef) and klass.name == "Backend"
        for node in klass.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert declared, "no TYPE_CHECKING declaration found"
    for name, value in declared.items():
        assert Backend[name].value == value
    # Every variant is declared (a backend's plain member need not be: it is reached by
    # iteration or Backend.parse until someone writes Backend.<NAME> in typed code).
    assert {m.name for m in Backend if m.variant} <= set(declared)


def _with_new_backend(monkeypatch: pytest.MonkeyPatch) -> type[Any]:
    """The enum as it is built when a backend ``newlib`` is registered (and not installed)."""
    spec = registry.BackendSpec("newlib", (("newlib", "Array"),), "newlib:NewAdapter", "newlib", 5)
    monkeypatch.setattr(registry, "BACKENDS", (*registry.BACKENDS, spec))
    return variants._Backend("Backend", variants._members())  # type: ignore[return-value]


def test_a_newly_registered_backend_is_a_member_with_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enum = _with_new_backend(monkeypatch)
    assert [m.value for m in enum][: len(Backend)] == [m.value for m in Backend]
    new = enum["NEWLIB"]
    assert enum.parse("newlib") is new
    assert (new.library, new.variant) == ("newlib", "")
    assert new.row == variants.Row()
    assert not new.needs_gpu
    assert new.device() is None
    assert importlib.util.find_spec("newlib") is None
    assert new.missing() == "newlib is not installed"
    # The strategies give it contiguous arrays; the plugin's fixtures its default device.
    assert strategies._row("newlib").layouts == {"contiguous"}
    assert new.backend_row.test_device is None


def test_a_variant_needs_what_its_backend_row_provides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        variants,
        "VARIANTS",
        {**variants.VARIANTS, "numpy:grad": variants.Row(requires_grad=True)},
    )
    fake = variants._Backend("Fake", [("NUMPY_GRAD", "numpy:grad")])
    member: Any = fake["NUMPY_GRAD"]
    with pytest.raises(TypeError, match="numpy has no autograd"):
        plugin._variant_array(member, np.ones(2))
    with pytest.raises(InvalidArgumentError, match=r"needs torch arrays; numpy has no autograd"):
        arrays("numpy", requires_grad=True)


def test_gpu_members_come_from_the_table() -> None:
    gpu = {m for m in Backend if m.needs_gpu}
    assert gpu == {m for m in Backend if m.row.needs_gpu or m.backend_row.needs_gpu}
    for member in gpu:  # a library name does not require them; their value does
        assert plugin._required(member) is False or member.value in variants.required_backends()


def test_rows_are_frozen() -> None:
    row = variants.VARIANTS["numpy"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.needs_gpu = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        variants.VARIANTS["numpy"] = row  # type: ignore[index]

"""The known-deviations registry and the support table generated from it."""

from __future__ import annotations

import re
from typing import Any

import pytest

import xpbridge as xb
from xpbridge import _deviations
from xpbridge._backends import BACKENDS, available_backends, get_adapter
from xpbridge._dtypes import DTYPES
from xpbridge._errors import UnsupportedOperationError
from xpbridge._namespace import _registry
from xpbridge.testing import _support, backend_support, support_table

Deviation = _deviations.Deviation


def _parse(table: str) -> tuple[list[str], dict[str, dict[str, str]], list[str]]:
    """Columns, cells by function and backend, and the lines after the table."""
    lines = table.splitlines()
    rows_end = next((i for i, line in enumerate(lines) if not line.startswith("|")), len(lines))
    columns = [c.strip() for c in lines[0].strip("|").split("|")][1:]
    rows: dict[str, dict[str, str]] = {}
    for line in lines[2:rows_end]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = dict(zip(columns, cells[1:], strict=True))
    return columns, rows, lines[rows_end:]


def _note(after: list[str], number: int) -> str:
    return next(line for line in after if line.startswith(f"{number}. "))


# ---------------------------------------------------------------------- the table


def test_a_row_per_declared_function_and_a_column_per_backend() -> None:
    columns, rows, _ = _parse(support_table())
    assert columns[0] == "numpy"
    assert sorted(columns) == sorted(spec.name for spec in BACKENDS)
    assert set(rows) == set(_registry())
    assert list(rows) == sorted(rows, key=lambda p: (p.count("."), p))


def test_statuses_come_from_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = (
        Deviation("numpy", "add", "add is pretend-unsupported"),
        Deviation("numpy", "sum", "sums differ", dtypes=("int8",), kind="differs"),
        Deviation("numpy", "prod", "no int8 products", dtypes=("int8", "uint8")),
        Deviation("numpy", "*", "every function is pretend-slow", dtypes=("int16",)),
    )
    monkeypatch.setattr(_deviations, "DEVIATIONS", fake)
    columns, rows, after = _parse(support_table(["numpy"], ["add", "sum", "prod", "abs"]))
    assert columns == ["numpy"]
    cells = {path: rows[path]["numpy"] for path in rows}
    assert cells["abs"] == "✓"
    assert re.fullmatch(r"✗ \[\d\]", cells["add"])
    assert re.fullmatch(r"differs \[\d\]", cells["sum"])
    assert re.fullmatch(r"partial \[\d\]", cells["prod"])
    number = int(cells["prod"].split("[")[1].rstrip("]"))
    assert _note(after, number) == f"{number}. numpy, `prod` (int8, uint8): no int8 products."
    assert "* numpy (int16): every function is pretend-slow." in after


def test_what_the_adapter_lacks_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = get_adapter("numpy")
    real = adapter.implementation
    monkeypatch.setattr(
        adapter, "implementation", lambda path: None if path == "add" else real(path)
    )
    found = backend_support("numpy", "add")
    assert found.status == "unsupported"
    assert found.deviations[0].reason.startswith("numpy's standard namespace has no add")
    # Generic functions (written once against the namespace) need nothing from the adapter.
    assert backend_support("numpy", "allclose").status == "supported"


def test_backends_that_are_not_installed_are_not_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_jax(name: str) -> Any:
        if name == "jax":  # pragma: no cover - the failure this test looks for
            msg = "jax must not be imported"
            raise AssertionError(msg)
        return get_adapter(name)

    monkeypatch.setattr(
        _support, "available_backends", lambda: [b for b in available_backends() if b != "jax"]
    )
    monkeypatch.setattr(_support, "get_adapter", no_jax)
    monkeypatch.setattr(
        _deviations, "DEVIATIONS", (Deviation("jax", "sum", "pretend", kind="unsupported"),)
    )
    _, rows, after = _parse(support_table(["numpy", "jax"], ["add", "sum"]))
    assert rows["add"] == {"numpy": "✓", "jax": "?"}
    assert rows["sum"]["jax"] == "✗ [1]"  # the registry answers without the library
    assert (
        after[-1]
        == "Not installed where this table was built, so checked against the registry only: jax."
    )


def test_the_table_agrees_with_the_namespace() -> None:
    # An unsupported cell means calling the function raises UnsupportedOperationError,
    # and the error quotes the table's reason.
    installed = available_backends()
    for backend in installed:
        xp = xb.namespace(backend)
        for path in _registry():
            found = backend_support(backend, path, installed=installed)
            if found.status != "unsupported":
                continue
            owner, _, name = path.rpartition(".")
            function = getattr(getattr(xp, owner) if owner else xp, name)
            with pytest.raises(UnsupportedOperationError) as info:
                function(xp.ones(1))  # an array of the backend: refused by the function
            registered = [d for d in found.deviations if d in _deviations.registered()]
            for deviation in registered:
                assert deviation.reason in str(info.value)


# ---------------------------------------------------------------------- the registry


def test_registry_entries_name_real_things() -> None:
    backends = {spec.name for spec in BACKENDS}
    declared = set(_registry())
    for d in _deviations.registered():
        assert d.backend in backends, d
        assert d.function == "*" or d.function in declared, d
        assert set(d.dtypes) <= set(DTYPES), d
        assert d.kind in {"unsupported", "differs"}, d
        # Reasons are clauses the table and the errors end themselves.
        assert d.reason, d
        assert d.reason == d.reason.strip(), d
        assert not d.reason.endswith("."), d


def test_find(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = (
        Deviation("torch", "sum", "uint8 sums widen", dtypes=("uint8",), kind="differs"),
        Deviation("torch", "*", "no wide unsigned", dtypes=("uint16",)),
        Deviation("array_api_strict", "einsum", "not in the standard"),
    )
    monkeypatch.setattr(_deviations, "DEVIATIONS", entries)
    find = _deviations.find
    assert find("torch", "sum", "uint8") is entries[0]
    assert find("torch", "sum", "int8") is None
    assert find("torch", "prod", "uint16") is entries[1]  # "*": every function
    assert find("torch", "sum") is entries[0]  # no dtype given: any entry of the function
    assert find("numpy", "sum", "uint8") is None
    assert find("array_api_strict", "einsum", "float64") is entries[2]


def test_reason_for(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = (
        Deviation("torch", "sum", "uint8 sums widen", dtypes=("uint8",), kind="differs"),
        Deviation("torch", "prod", "no int8 products", dtypes=("int8",)),
        Deviation("array_api_strict", "einsum", "not in the standard"),
    )
    monkeypatch.setattr(_deviations, "DEVIATIONS", entries)
    # Only whole-function refusals explain an unavailable function.
    assert _deviations.reason_for("array_api_strict", "einsum") == "not in the standard"
    assert _deviations.reason_for("torch", "sum") is None
    assert _deviations.reason_for("torch", "prod") is None

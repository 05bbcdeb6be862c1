"""The conformance self-check (``xpbridge.testing.conformance``) on every installed backend.

CI runs it for each backend the registry knows (``XPBRIDGE_REQUIRED_BACKENDS`` makes a
missing one fail): no check may fail, and the table in ``docs/conformance.md`` must show
the counts this run finds. The checker itself is tested on namespaces made to break the
standard, so that a green run means something.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge import _deviations
from xpbridge._deviation import Deviation
from xpbridge.testing import conformance
from xpbridge.testing._special_cases import SPECIAL_CASES, cases, matches, parse

PAGE = Path(__file__).resolve().parent.parent / "docs" / "conformance.md"
_REPORTS: dict[str, conformance.Report] = {}


def _report(library: str) -> conformance.Report:
    # One run per backend and session: every test below reads it.
    if library not in _REPORTS:
        _REPORTS[library] = conformance.check_namespace(xb.namespace(library))
    return _REPORTS[library]


def test_namespace_conforms(library: str) -> None:
    report = _report(library)
    assert report.counts("signature")["passed"] > 150
    assert report.counts("dtype")["passed"] > 1000
    assert report.counts("special case")["passed"] > 800
    assert not report.failures, report.summary()


def test_docs_table_shows_this_run(library: str) -> None:
    """docs/conformance.md quotes the counts of the installed libraries (regenerate it
    with ``python -m xpbridge.testing.conformance``)."""
    if not PAGE.is_file():
        pytest.skip("docs/ is not part of this checkout")
    report = _report(library)
    page = PAGE.read_text()
    for check in (*conformance.CHECKS, "**all**"):
        counts = report.counts(None if check == "**all**" else check)  # type: ignore[arg-type]
        row = re.search(rf"^\| {library} \| {re.escape(check)} \|(.*)\|$", page, re.MULTILINE)
        assert row is not None, f"no row for {library} / {check} in {PAGE.name}"
        passed, deviations, failed = (int(c.strip().strip("*")) for c in row.group(1).split("|"))
        # The cases are fixed, so the total is exact; which random operands meet a
        # documented deviation may shift a count between the first two columns.
        shown = (passed + deviations, failed)
        assert shown == (counts["passed"] + counts["deviation"], counts["failed"]), (
            f"{PAGE.name} shows {passed}/{deviations}/{failed} for {library} / {check}; "
            f"this run: {counts}"
        )


# ---------------------------------------------------------------------- the checker itself


def _numpy_namespace(**replacements: Any) -> Any:
    """xpbridge's NumPy namespace with some functions replaced (a foreign namespace: no
    deviations registry applies)."""
    xp = xb.namespace("numpy")
    names = {n: getattr(xp, n) for n in dir(xp) if not n.startswith("_")}
    names["__array_namespace_info__"] = xp.__array_namespace_info__
    names.update(replacements)
    return SimpleNamespace(__name__="patched numpy", **names)


def test_a_wrong_signature_fails() -> None:
    def add(x1: Any, x2: Any) -> Any:  # not positional-only
        return np.add(x1, x2)

    def sum(x: Any, /, *, axis: Any = None, keepdims: Any = True) -> Any:  # wrong default
        return np.sum(x, axis=axis, keepdims=keepdims)

    xp = _numpy_namespace(add=add, sum=sum, tile=None)
    report = conformance.check_namespace(xp, checks=["signature"])
    failed = {o.function: o.detail for o in report.failures}
    assert "not positional-only" in failed["add"]
    assert "defaults to True" in failed["sum"]
    assert failed["tile"] == "missing from the namespace"
    assert report.counts("signature")["passed"] == len(conformance._parse_signatures()) - 3


def test_a_wrong_dtype_fails() -> None:
    def multiply(x1: Any, x2: Any, /) -> Any:  # promotes like NumPy 1 on value... to float64
        return np.multiply(x1, x2).astype(np.float64)

    report = conformance.check_namespace(_numpy_namespace(multiply=multiply), checks=["dtype"])
    failed = [o for o in report.failures if o.function == "multiply"]
    assert failed
    assert any(o.case == "int8, int8" and "not int8" in o.detail for o in failed)


def test_a_wrong_special_case_fails_or_is_a_deviation() -> None:
    xp = _numpy_namespace()  # NumPy's floor_divide, without the registry: failures
    report = conformance.check_namespace(xp, checks=["special case"], max_examples=2)
    functions = {o.function for o in report.failures}
    assert {"floor_divide", "expm1"} <= functions
    # The same functions on xpbridge's NumPy namespace: registered, so deviations.
    own = conformance.check_namespace(
        xb.namespace("numpy"), checks=["special case"], max_examples=2
    )
    assert not own.failures
    assert {o.function for o in own.deviations} == {"floor_divide", "expm1"}


def test_a_stale_deviation_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    stale = Deviation(
        "numpy", "sqrt", "pretends to deviate", dtypes=("float64",), case="special cases"
    )
    monkeypatch.setattr(_deviations, "DEVIATIONS", (stale,))
    report = conformance.check_namespace(
        xb.namespace("numpy"), checks=["special case"], max_examples=2
    )
    stale_failures = [o for o in report.failures if o.function == "sqrt"]
    assert len(stale_failures) == 1
    assert "yet every special case held" in stale_failures[0].detail


def test_assert_conforms_raises_with_the_failures() -> None:
    with pytest.raises(AssertionError, match="FAILED signature tile"):
        conformance.assert_conforms(_numpy_namespace(tile=None), checks=["signature"])


def test_unknown_check_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown checks"):
        conformance.check_namespace(xb.namespace("numpy"), checks=["speed"])  # type: ignore[list-item]


def test_foreign_library_is_checked_without_registry() -> None:
    strict = pytest.importorskip("array_api_strict")
    report = conformance.check_namespace(strict, checks=["signature", "dtype"])
    assert report.backend is None
    assert report.counts("dtype")["passed"] > 1000
    assert not report.deviations


# ---------------------------------------------------------------------- the special-case table


def test_every_element_wise_function_with_special_cases_is_in_the_table() -> None:
    documented = {
        "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh", "ceil",
        "copysign", "cos", "cosh", "divide", "equal", "exp", "expm1", "floor", "floor_divide",
        "hypot", "isfinite", "isinf", "isnan", "log", "log1p", "log2", "log10", "logaddexp",
        "maximum", "minimum", "multiply", "nextafter", "not_equal", "pow", "reciprocal",
        "remainder", "round", "sign", "signbit", "sin", "sinh", "sqrt", "square", "tan",
        "tanh", "trunc",
    }  # fmt: skip
    assert set(SPECIAL_CASES) == documented
    assert len(cases()) > 450


def test_the_table_parses_and_refuses_unknown_operands() -> None:
    (case,) = parse("f", "+inf, pos_finite -> +inf")
    assert case.operands == ("+inf", "pos_finite")
    with pytest.raises(ValueError, match="unknown operand"):
        parse("f", "huge -> NaN")


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ("+0", 0.0, True),
        ("+0", -0.0, False),
        ("0", -0.0, True),
        ("NaN", float("nan"), True),
        ("inf", float("-inf"), True),
        ("~pi/2", 1.5707963, True),
        ("~pi/2", 1.6, False),
        ("x1", 2.5, True),
        ("-abs(x1)", -2.5, True),
        ("True", True, True),
    ],
)
def test_results_compare_as_the_spec_says(expected: str, actual: float, ok: bool) -> None:
    assert matches(expected, actual, {"x1": 2.5}, 1e-6) is ok

"""The special cases of the standard's element-wise functions, as data, and how to check one.

The table transcribes the "Special Cases" sections of the 2025.12 specification
(``elementwise_functions``), one line per bullet, in a small notation of our own:

* a real line is ``<x> -> <result>`` (one operand) or ``<x1>, <x2> -> <result>`` (two);
* a complex line (``complex:`` blocks) is ``<a>, <b> -> <real part>, <imaginary part>``,
  where ``a`` and ``b`` are the real and imaginary parts of ``x_i``;
* an operand is a value (``NaN``, ``+0``, ``-0``, ``+inf``, ``-inf``, ``1``, ``-1``) or a set
  of values (:data:`CONDITIONS`); a result is a value, ``~<constant>`` (an approximation,
  compared with a tolerance: ``~pi/2``), ``0``/``inf`` (either sign: "sign unspecified"),
  ``x``/``x1``/``x2`` (an operand itself), or ``abs(x1)``/``-abs(x1)``/``abs(x2)``.

Bullets whose result is an expression the notation lacks (``+infinity * cis(b)``, the
"remaining cases" of arithmetic, the complex tables of ``add``/``multiply``/``divide``) are
left out; so are those defined through another function ("as if implemented as
``cosh(x*1j)``"), except ``reciprocal`` and ``square``, whose real cases follow directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["CONDITIONS", "SPECIAL_CASES", "Case", "cases", "matches", "parse"]

_NAN, _INF = math.nan, math.inf

#: Value sets an operand may be drawn from, as predicates on Python floats.
CONDITIONS: Final[dict[str, Callable[[float], bool]]] = {
    "any": lambda v: True,
    "not_nan": lambda v: not math.isnan(v),
    "finite": math.isfinite,
    "nonzero_finite": lambda v: math.isfinite(v) and v != 0,
    "pos_finite": lambda v: math.isfinite(v) and v > 0,
    "neg_finite": lambda v: math.isfinite(v) and v < 0,
    "gt0": lambda v: v > 0,
    "lt0": lambda v: v < 0,
    "gt1": lambda v: v > 1,
    "lt1": lambda v: v < 1,
    "lt-1": lambda v: v < -1,
    "not1": lambda v: v != 1,  # NaN included: "not equal to 1"
    "not0": lambda v: v != 0,  # NaN included: "not equal to 0"
    "nonzero": lambda v: v != 0 and not math.isnan(v),
    "abs_gt1": lambda v: abs(v) > 1,
    "abs_lt1": lambda v: abs(v) < 1,
    "abs_eq1": lambda v: abs(v) == 1,
    "finite_or_nan": lambda v: math.isfinite(v) or math.isnan(v),
    "int_value": lambda v: math.isfinite(v) and v == int(v),
    "odd_int": lambda v: math.isfinite(v) and v == int(v) and int(v) % 2 == 1,
    "not_odd_int": lambda v: (
        not math.isnan(v) and not (math.isfinite(v) and v == int(v) and int(v) % 2 == 1)
    ),
    "gt0_odd_int": lambda v: v > 0 and math.isfinite(v) and v == int(v) and int(v) % 2 == 1,
    "gt0_not_odd_int": lambda v: (
        v > 0 and not (math.isfinite(v) and v == int(v) and int(v) % 2 == 1)
    ),
    "lt0_odd_int": lambda v: v < 0 and math.isfinite(v) and v == int(v) and int(v) % 2 == 1,
    "lt0_not_odd_int": lambda v: (
        v < 0 and not (math.isfinite(v) and v == int(v) and int(v) % 2 == 1)
    ),
    "noninteger_finite": lambda v: math.isfinite(v) and v != int(v),
}

_VALUES: Final = {
    "NaN": _NAN,
    "+0": 0.0,
    "-0": -0.0,
    "+inf": _INF,
    "-inf": -_INF,
    "1": 1.0,
    "+1": 1.0,
    "-1": -1.0,
}

_CONSTANTS: Final = {
    "pi": math.pi,
    "pi/2": math.pi / 2,
    "pi/4": math.pi / 4,
    "3pi/4": 3 * math.pi / 4,
}


def _constant(text: str) -> float:
    sign = -1.0 if text.startswith("-") else 1.0
    return sign * _CONSTANTS[text.lstrip("+-")]


#: Per function: the real-valued lines, then (after ``complex:``) the complex ones.
SPECIAL_CASES: Final[dict[str, str]] = {
    "abs": """
        NaN -> NaN
        -0 -> +0
        -inf -> +inf
        complex:
        +inf, any -> +inf, +0
        -inf, any -> +inf, +0
        any, +inf -> +inf, +0
        any, -inf -> +inf, +0
        NaN, finite -> NaN, +0
        finite, NaN -> NaN, +0
        NaN, NaN -> NaN, +0
    """,
    "acos": """
        NaN -> NaN
        gt1 -> NaN
        lt-1 -> NaN
        1 -> +0
        complex:
        +0, +0 -> ~pi/2, -0
        -0, +0 -> ~pi/2, -0
        +0, NaN -> ~pi/2, NaN
        -0, NaN -> ~pi/2, NaN
        finite, +inf -> ~pi/2, -inf
        -inf, +inf -> ~3pi/4, -inf
        +inf, +inf -> ~pi/4, -inf
        +inf, NaN -> NaN, inf
        -inf, NaN -> NaN, inf
        NaN, +inf -> NaN, -inf
        NaN, NaN -> NaN, NaN
    """,
    "acosh": """
        NaN -> NaN
        lt1 -> NaN
        1 -> +0
        +inf -> +inf
        complex:
        +0, +0 -> +0, ~pi/2
        -0, +0 -> +0, ~pi/2
        finite, +inf -> +inf, ~pi/2
        -inf, +inf -> +inf, ~3pi/4
        +inf, +inf -> +inf, ~pi/4
        +inf, NaN -> +inf, NaN
        -inf, NaN -> +inf, NaN
        NaN, +inf -> +inf, NaN
        NaN, NaN -> NaN, NaN
    """,
    "add": """
        NaN, any -> NaN
        any, NaN -> NaN
        +inf, -inf -> NaN
        -inf, +inf -> NaN
        +inf, +inf -> +inf
        -inf, -inf -> -inf
        +inf, finite -> +inf
        -inf, finite -> -inf
        finite, +inf -> +inf
        finite, -inf -> -inf
        -0, -0 -> -0
        -0, +0 -> +0
        +0, -0 -> +0
        +0, +0 -> +0
        +0, nonzero_finite -> x2
        -0, nonzero_finite -> x2
        nonzero_finite, +0 -> x1
        nonzero_finite, -0 -> x1
    """,
    "asin": """
        NaN -> NaN
        gt1 -> NaN
        lt-1 -> NaN
        +0 -> +0
        -0 -> -0
    """,
    "asinh": """
        NaN -> NaN
        +0 -> +0
        -0 -> -0
        +inf -> +inf
        -inf -> -inf
        complex:
        +0, +0 -> +0, +0
        finite, NaN -> NaN, NaN
        +inf, +inf -> +inf, ~pi/4
        NaN, +0 -> NaN, +0
        NaN, +inf -> inf, NaN
        NaN, NaN -> NaN, NaN
    """,
    "atan": """
        NaN -> NaN
        +0 -> +0
        -0 -> -0
        +inf -> ~pi/2
        -inf -> ~-pi/2
    """,
    "atan2": """
        NaN, any -> NaN
        any, NaN -> NaN
        gt0, +0 -> ~pi/2
        gt0, -0 -> ~pi/2
        +0, gt0 -> +0
        +0, +0 -> +0
        +0, -0 -> ~pi
        +0, lt0 -> ~pi
        -0, gt0 -> -0
        -0, +0 -> -0
        -0, -0 -> ~-pi
        -0, lt0 -> ~-pi
        lt0, +0 -> ~-pi/2
        lt0, -0 -> ~-pi/2
        pos_finite, +inf -> +0
        pos_finite, -inf -> ~pi
        neg_finite, +inf -> -0
        neg_finite, -inf -> ~-pi
        +inf, finite -> ~pi/2
        -inf, finite -> ~-pi/2
        +inf, +inf -> ~pi/4
        +inf, -inf -> ~3pi/4
        -inf, +inf -> ~-pi/4
        -inf, -inf -> ~-3pi/4
    """,
    "atanh": """
        NaN -> NaN
        lt-1 -> NaN
        gt1 -> NaN
        -1 -> -inf
        +1 -> +inf
        +0 -> +0
        -0 -> -0
        complex:
        +0, +0 -> +0, +0
        +0, NaN -> +0, NaN
        1, +0 -> +inf, +0
        pos_finite, +inf -> +0, ~pi/2
        +inf, pos_finite -> +0, ~pi/2
        +inf, +inf -> +0, ~pi/2
        +inf, NaN -> +0, NaN
        NaN, +inf -> 0, ~pi/2
        NaN, NaN -> NaN, NaN
    """,
    "ceil": """
        int_value -> x
        +inf -> +inf
        -inf -> -inf
        +0 -> +0
        -0 -> -0
        NaN -> NaN
    """,
    "copysign": """
        not_nan, lt0 -> -abs(x1)
        not_nan, -0 -> -abs(x1)
        not_nan, +0 -> abs(x1)
        not_nan, gt0 -> abs(x1)
    """,
    "cos": """
        NaN -> NaN
        +0 -> 1
        -0 -> 1
        +inf -> NaN
        -inf -> NaN
    """,
    "cosh": """
        NaN -> NaN
        +0 -> 1
        -0 -> 1
        +inf -> +inf
        -inf -> +inf
        complex:
        +0, +0 -> 1, +0
        +0, +inf -> NaN, 0
        +0, NaN -> NaN, 0
        nonzero_finite, +inf -> NaN, NaN
        nonzero_finite, NaN -> NaN, NaN
        +inf, +0 -> +inf, +0
        +inf, +inf -> inf, NaN
        +inf, NaN -> +inf, NaN
        NaN, +0 -> NaN, 0
        NaN, -0 -> NaN, 0
        NaN, nonzero_finite -> NaN, NaN
        NaN, NaN -> NaN, NaN
    """,
    "divide": """
        NaN, any -> NaN
        any, NaN -> NaN
        +inf, +inf -> NaN
        +inf, -inf -> NaN
        -inf, +inf -> NaN
        -inf, -inf -> NaN
        +0, +0 -> NaN
        +0, -0 -> NaN
        -0, +0 -> NaN
        -0, -0 -> NaN
        +0, gt0 -> +0
        -0, gt0 -> -0
        +0, lt0 -> -0
        -0, lt0 -> +0
        gt0, +0 -> +inf
        gt0, -0 -> -inf
        lt0, +0 -> -inf
        lt0, -0 -> +inf
        +inf, pos_finite -> +inf
        +inf, neg_finite -> -inf
        -inf, pos_finite -> -inf
        -inf, neg_finite -> +inf
        pos_finite, +inf -> +0
        pos_finite, -inf -> -0
        neg_finite, +inf -> -0
        neg_finite, -inf -> +0
    """,
    "equal": """
        NaN, any -> False
        any, NaN -> False
        +inf, +inf -> True
        -inf, -inf -> True
        -0, +0 -> True
        -0, -0 -> True
        +0, +0 -> True
        +0, -0 -> True
    """,
    "exp": """
        NaN -> NaN
        +0 -> 1
        -0 -> 1
        +inf -> +inf
        -inf -> +0
        complex:
        +0, +0 -> 1, +0
        -0, +0 -> 1, +0
        finite, +inf -> NaN, NaN
        finite, NaN -> NaN, NaN
        +inf, +0 -> +inf, +0
        -inf, +inf -> 0, 0
        +inf, +inf -> inf, NaN
        -inf, NaN -> 0, 0
        +inf, NaN -> inf, NaN
        NaN, +0 -> NaN, +0
        NaN, not0 -> NaN, NaN
    """,
    "expm1": """
        NaN -> NaN
        +0 -> +0
        -0 -> -0
        +inf -> +inf
        -inf -> -1
        complex:
        +0, +0 -> 0, +0
        -0, +0 -> 0, +0
        finite, +inf -> NaN, NaN
        finite, NaN -> NaN, NaN
        +inf, +0 -> +inf, +0
        -inf, +inf -> -1, 0
        +inf, +inf -> inf, NaN
        -inf, NaN -> -1, 0
        +inf, NaN -> inf, NaN
        NaN, +0 -> NaN, +0
        NaN, not0 -> NaN, NaN
    """,
    "floor": """
        int_value -> x
        +inf -> +inf
        -inf -> -inf
        +0 -> +0
        -0 -> -0
        NaN -> NaN
    """,
    "floor_divide": """
        NaN, any -> NaN
        any, NaN -> NaN
        +inf, +inf -> NaN
        +inf, -inf -> NaN
        -inf, +inf -> NaN
        -inf, -inf -> NaN
        +0, +0 -> NaN
        +0, -0 -> NaN
        -0, +0 -> NaN
        -0, -0 -> NaN
        +0, gt0 -> +0
        -0, gt0 -> -0
        +0, lt0 -> -0
        -0, lt0 -> +0
        gt0, +0 -> +inf
        gt0, -0 -> -inf
        lt0, +0 -> -inf
        lt0, -0 -> +inf
        +inf, pos_finite -> +inf
        +inf, neg_finite -> -inf
        -inf, pos_finite -> -inf
        -inf, neg_finite -> +inf
        pos_finite, +inf -> +0
        pos_finite, -inf -> -0
        neg_finite, +inf -> -0
        neg_finite, -inf -> +0
    """,
    "hypot": """
        +inf, any -> +inf
        -inf, any -> +inf
        any, +inf -> +inf
        any, -inf -> +inf
        +0, not_nan -> abs(x2)
        -0, not_nan -> abs(x2)
        not_nan, +0 -> abs(x1)
        not_nan, -0 -> abs(x1)
        finite_or_nan, NaN -> NaN
        NaN, finite_or_nan -> NaN
    """,
    "isfinite": """
        +inf -> False
        -inf -> False
        NaN -> False
        finite -> True
        complex:
        NaN, any -> False
        any, NaN -> False
        +inf, any -> False
        any, -inf -> False
        finite, finite -> True
    """,
    "isinf": """
        +inf -> True
        -inf -> True
        finite -> False
        NaN -> False
        complex:
        +inf, any -> True
        -inf, any -> True
        finite_or_nan, +inf -> True
        finite_or_nan, -inf -> True
        finite_or_nan, finite_or_nan -> False
    """,
    "isnan": """
        NaN -> True
        finite -> False
        +inf -> False
        complex:
        NaN, any -> True
        any, NaN -> True
        not_nan, not_nan -> False
    """,
    "log": """
        NaN -> NaN
        lt0 -> NaN
        +0 -> -inf
        -0 -> -inf
        1 -> +0
        +inf -> +inf
        complex:
        -0, +0 -> -inf, ~pi
        +0, +0 -> -inf, +0
        finite, +inf -> +inf, ~pi/2
        finite, NaN -> NaN, NaN
        -inf, pos_finite -> +inf, ~pi
        +inf, pos_finite -> +inf, +0
        -inf, +inf -> +inf, ~3pi/4
        +inf, +inf -> +inf, ~pi/4
        +inf, NaN -> +inf, NaN
        -inf, NaN -> +inf, NaN
        NaN, finite -> NaN, NaN
        NaN, +inf -> +inf, NaN
        NaN, NaN -> NaN, NaN
    """,
    "log1p": """
        NaN -> NaN
        lt-1 -> NaN
        -1 -> -inf
        -0 -> -0
        +0 -> +0
        +inf -> +inf
        complex:
        -1, +0 -> -inf, +0
        finite, +inf -> +inf, ~pi/2
        finite, NaN -> NaN, NaN
        -inf, pos_finite -> +inf, ~pi
        +inf, pos_finite -> +inf, +0
        -inf, +inf -> +inf, ~3pi/4
        +inf, +inf -> +inf, ~pi/4
        +inf, NaN -> +inf, NaN
        -inf, NaN -> +inf, NaN
        NaN, finite -> NaN, NaN
        NaN, +inf -> +inf, NaN
        NaN, NaN -> NaN, NaN
    """,
    "log2": """
        NaN -> NaN
        lt0 -> NaN
        +0 -> -inf
        -0 -> -inf
        1 -> +0
        +inf -> +inf
    """,
    "log10": """
        NaN -> NaN
        lt0 -> NaN
        +0 -> -inf
        -0 -> -inf
        1 -> +0
        +inf -> +inf
    """,
    "logaddexp": """
        NaN, any -> NaN
        any, NaN -> NaN
        +inf, not_nan -> +inf
        not_nan, +inf -> +inf
    """,
    "maximum": """
        NaN, any -> NaN
        any, NaN -> NaN
    """,
    "minimum": """
        NaN, any -> NaN
        any, NaN -> NaN
    """,
    "multiply": """
        NaN, any -> NaN
        any, NaN -> NaN
        +inf, +0 -> NaN
        +inf, -0 -> NaN
        -inf, +0 -> NaN
        -inf, -0 -> NaN
        +0, +inf -> NaN
        -0, +inf -> NaN
        +0, -inf -> NaN
        -0, -inf -> NaN
        +inf, +inf -> +inf
        +inf, -inf -> -inf
        -inf, -inf -> +inf
        +inf, pos_finite -> +inf
        +inf, neg_finite -> -inf
        -inf, pos_finite -> -inf
        pos_finite, -inf -> -inf
        neg_finite, -inf -> +inf
    """,
    "nextafter": """
        NaN, any -> NaN
        any, NaN -> NaN
        -0, +0 -> +0
        +0, -0 -> -0
    """,
    "not_equal": """
        NaN, any -> True
        any, NaN -> True
        +inf, -inf -> True
        -inf, +inf -> True
        +0, -0 -> False
        +inf, +inf -> False
    """,
    "pow": """
        not1, NaN -> NaN
        any, +0 -> 1
        any, -0 -> 1
        NaN, nonzero -> NaN
        abs_gt1, +inf -> +inf
        abs_gt1, -inf -> +0
        abs_eq1, +inf -> 1
        abs_eq1, -inf -> 1
        1, not_nan -> 1
        abs_lt1, +inf -> +0
        abs_lt1, -inf -> +inf
        +inf, gt0 -> +inf
        +inf, lt0 -> +0
        -inf, gt0_odd_int -> -inf
        -inf, gt0_not_odd_int -> +inf
        -inf, lt0_odd_int -> -0
        -inf, lt0_not_odd_int -> +0
        +0, gt0 -> +0
        +0, lt0 -> +inf
        -0, gt0_odd_int -> -0
        -0, gt0_not_odd_int -> +0
        -0, lt0_odd_int -> -inf
        -0, lt0_not_odd_int -> +inf
        neg_finite, noninteger_finite -> NaN
    """,
    "reciprocal": """
        NaN -> NaN
        +0 -> +inf
        -0 -> -inf
        +inf -> +0
        -inf -> -0
    """,
    "remainder": """
        NaN, any -> NaN
        any, NaN -> NaN
        +inf, +inf -> NaN
        +inf, -inf -> NaN
        -inf, +inf -> NaN
        -inf, -inf -> NaN
        +0, +0 -> NaN
        +0, -0 -> NaN
        -0, +0 -> NaN
        -0, -0 -> NaN
        +0, gt0 -> +0
        -0, gt0 -> +0
        +0, lt0 -> -0
        -0, lt0 -> -0
        gt0, +0 -> NaN
        gt0, -0 -> NaN
        lt0, +0 -> NaN
        lt0, -0 -> NaN
        +inf, pos_finite -> NaN
        +inf, neg_finite -> NaN
        -inf, pos_finite -> NaN
        -inf, neg_finite -> NaN
        pos_finite, +inf -> x1
        pos_finite, -inf -> x2
        neg_finite, +inf -> x2
        neg_finite, -inf -> x1
    """,
    "round": """
        int_value -> x
        +inf -> +inf
        -inf -> -inf
        +0 -> +0
        -0 -> -0
        NaN -> NaN
    """,
    "sign": """
        lt0 -> -1
        +0 -> 0
        -0 -> 0
        gt0 -> 1
        NaN -> NaN
        complex:
        +0, +0 -> 0, 0
        -0, -0 -> 0, 0
        NaN, any -> NaN, NaN
        any, NaN -> NaN, NaN
    """,
    "signbit": """
        +0 -> False
        -0 -> True
        +inf -> False
        -inf -> True
        pos_finite -> False
        neg_finite -> True
    """,
    "sin": """
        NaN -> NaN
        +0 -> +0
        -0 -> -0
        +inf -> NaN
        -inf -> NaN
    """,
    "sinh": """
        NaN -> NaN
        +0 -> +0
        -0 -> -0
        +inf -> +inf
        -inf -> -inf
        complex:
        +0, +0 -> +0, +0
        +0, +inf -> 0, NaN
        +0, NaN -> 0, NaN
        pos_finite, +inf -> NaN, NaN
        pos_finite, NaN -> NaN, NaN
        +inf, +0 -> +inf, +0
        +inf, +inf -> inf, NaN
        +inf, NaN -> inf, NaN
        NaN, +0 -> NaN, +0
        NaN, nonzero_finite -> NaN, NaN
        NaN, NaN -> NaN, NaN
    """,
    "sqrt": """
        NaN -> NaN
        lt0 -> NaN
        +0 -> +0
        -0 -> -0
        +inf -> +inf
        complex:
        +0, +0 -> +0, +0
        -0, +0 -> +0, +0
        any, +inf -> +inf, +inf
        finite, NaN -> NaN, NaN
        -inf, pos_finite -> +0, +inf
        +inf, pos_finite -> +inf, +0
        -inf, NaN -> NaN, inf
        +inf, NaN -> +inf, NaN
        NaN, finite -> NaN, NaN
        NaN, NaN -> NaN, NaN
    """,
    "square": """
        NaN -> NaN
        +inf -> +inf
        -inf -> +inf
        +0 -> +0
        -0 -> +0
    """,
    "tan": """
        NaN -> NaN
        +0 -> +0
        -0 -> -0
        +inf -> NaN
        -inf -> NaN
    """,
    "tanh": """
        NaN -> NaN
        +0 -> +0
        -0 -> -0
        +inf -> +1
        -inf -> -1
        complex:
        +0, +0 -> +0, +0
        nonzero_finite, +inf -> NaN, NaN
        +0, +inf -> +0, NaN
        nonzero_finite, NaN -> NaN, NaN
        +0, NaN -> +0, NaN
        +inf, pos_finite -> 1, 0
        +inf, +inf -> 1, 0
        +inf, NaN -> 1, 0
        NaN, +0 -> NaN, +0
        NaN, nonzero -> NaN, NaN
        NaN, NaN -> NaN, NaN
    """,
    "trunc": """
        int_value -> x
        +inf -> +inf
        -inf -> -inf
        +0 -> +0
        -0 -> -0
        NaN -> NaN
    """,
}


@dataclass(frozen=True, slots=True)
class Case:
    """One special case: the operands' value sets and the expected result."""

    function: str
    #: "real" or "complex".
    domain: str
    #: One value set per operand (real), or the two of ``(real, imaginary)`` (complex).
    operands: tuple[str, ...]
    #: The expected result (complex: its real and imaginary parts).
    results: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{', '.join(self.operands)} -> {', '.join(self.results)}"


def parse(function: str, table: str) -> list[Case]:
    """The cases of one function's table text."""
    found: list[Case] = []
    domain = "real"
    for raw in table.strip().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == "complex:":
            domain = "complex"
            continue
        left, _, right = line.partition("->")
        operands = tuple(part.strip() for part in left.split(","))
        results = tuple(part.strip() for part in right.split(","))
        for operand in operands:
            if operand not in _VALUES and operand not in CONDITIONS:
                msg = f"{function}: unknown operand {operand!r} in {line!r}"
                raise ValueError(msg)
        found.append(Case(function, domain, operands, results))
    return found


def cases() -> list[Case]:
    """Every special case of the table."""
    return [case for name, table in SPECIAL_CASES.items() for case in parse(name, table)]


def value_of(operand: str) -> float | None:
    """The single value an operand names, or None for a value set."""
    return _VALUES.get(operand)


def holds(operand: str, value: float) -> bool:
    """Whether `value` belongs to `operand`'s value set."""
    exact = _VALUES.get(operand)
    if exact is not None:
        if math.isnan(exact):
            return math.isnan(value)
        return value == exact and math.copysign(1, value) == math.copysign(1, exact)
    return CONDITIONS[operand](value)


def matches(expected: str, actual: float, operands: dict[str, float], rtol: float) -> bool:
    """Whether `actual` is the `expected` result of a case (given the operands' values)."""
    if expected in {"True", "False"}:
        return bool(actual) is (expected == "True")
    if expected in operands:
        return _same(actual, operands[expected])
    if expected.startswith(("abs(", "-abs(")):
        name = expected.split("(")[1].rstrip(")")
        magnitude = abs(operands[name])
        return _same(actual, -magnitude if expected.startswith("-") else magnitude)
    if expected.startswith("~"):
        target = _constant(expected[1:])
        return math.isclose(actual, target, rel_tol=rtol)
    if expected == "0":
        return actual == 0
    if expected == "inf":
        return math.isinf(actual)
    return _same(actual, _VALUES[expected] if expected in _VALUES else float(expected))


def _same(actual: float, expected: float) -> bool:
    """Equal, with the sign of zero, and NaN matching NaN."""
    if math.isnan(expected):
        return math.isnan(actual)
    if expected == 0:
        return actual == 0 and math.copysign(1, actual) == math.copysign(1, expected)
    return actual == expected


def describe(value: Any) -> str:
    """A value as the table spells it, for messages."""
    if isinstance(value, complex):
        return f"{describe(value.real)} + {describe(value.imag)}j"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value == 0:
            return "-0" if math.copysign(1, value) < 0 else "+0"
        if math.isinf(value):
            return "+inf" if value > 0 else "-inf"
    return repr(value)

"""Special cases the libraries compute their own way, pinned down against the registry.

Each deviation registered for the standard's special cases (``Deviation.case``) makes these
tests strict ``xfail``s on its backend: a library that starts following the standard makes
them fail, and the registry entry must go. The conformance self-check
(``tests/test_conformance.py``) covers every special case; these name the two that every
NumPy-based backend and PyTorch share, with the values the standard asks for.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge._deviations import find

if TYPE_CHECKING:
    from xpbridge.testing import Backend

INF, NAN = math.inf, math.nan

# operand -> the standard's result (None: a part whose sign or value is unspecified)
CASES = [
    (complex(INF, 0.0), (INF, 0.0)),
    (complex(-INF, INF), (-1.0, None)),
    (complex(INF, INF), (None, NAN)),
    (complex(-INF, NAN), (-1.0, None)),
    (complex(INF, NAN), (None, NAN)),
    (complex(NAN, 0.0), (NAN, 0.0)),
    (complex(NAN, 1.0), (NAN, NAN)),
    (complex(0.0, 0.0), (0.0, 0.0)),
    (complex(1e-10, 2e-10), (1e-10, 2e-10)),
]


def _same(actual: float, expected: float | None) -> bool:
    if expected is None:
        return True
    if math.isnan(expected):
        return math.isnan(actual)
    if math.isinf(expected):
        return actual == expected
    return math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-300)


# NumPy warns where exp's result has a NaN part (inf + NaN j...), as its own exp does.
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_expm1_special_cases(
    dtype: str, backend: Backend, xp: Any, request: pytest.FixtureRequest
) -> None:
    if find(backend.library, "expm1", dtype, case="special cases") is not None:
        request.applymarker(pytest.mark.xfail(reason="a registered deviation", strict=True))
    z = xp.asarray([c for c, _ in CASES], dtype=getattr(xp, dtype))
    out = xb.to_numpy(xp.expm1(z), detach=True)
    assert out.dtype == np.dtype(dtype)
    for (operand, (real, imag)), value in zip(CASES, out.tolist(), strict=True):
        assert _same(value.real, real), (operand, value)
        assert _same(value.imag, imag), (operand, value)


# operands -> the standard's floor_divide (``floor(x1 / x2)``)
FLOOR_CASES = [
    ((INF, 2.0), INF),
    ((-INF, 2.0), -INF),
    ((INF, -2.0), -INF),
    ((1.0, -INF), -0.0),
    ((-1.0, INF), -0.0),
    ((7.0, 2.0), 3.0),
]


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_floor_divide_at_infinities(
    dtype: str, backend: Backend, xp: Any, request: pytest.FixtureRequest
) -> None:
    if find(backend.library, "floor_divide", dtype, case="special cases") is not None:
        request.applymarker(pytest.mark.xfail(reason="a registered deviation", strict=True))
    x1 = xp.asarray([a for (a, _), _ in FLOOR_CASES], dtype=getattr(xp, dtype))
    x2 = xp.asarray([b for (_, b), _ in FLOOR_CASES], dtype=getattr(xp, dtype))
    out = xb.to_numpy(xp.floor_divide(x1, x2), detach=True).tolist()
    for (operands, expected), value in zip(FLOOR_CASES, out, strict=True):
        assert value == expected, (operands, value)
        assert math.copysign(1, value) == math.copysign(1, expected), (operands, value)

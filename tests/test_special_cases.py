"""Special cases xpbridge fixes itself: complex ``expm1`` at infinities and NaN.

The libraries compute complex expm1 without the standard's (C99's) special cases; the
adapters take ``exp(x) - 1`` at non-finite operands (``xpbridge._backends._complex``).
Real inputs take the library's own function unchanged.
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


def test_real_expm1_is_the_librarys_own() -> None:
    x = np.array([-np.inf, -1.0, -0.0, 0.0, 1e-12, 1.0, np.inf, np.nan])
    np.testing.assert_array_equal(xb.expm1(x), np.expm1(x))
    assert np.signbit(xb.expm1(np.array(-0.0)))


def test_numpy_scalars_stay_scalars() -> None:
    result = xb.expm1(np.complex128(complex(INF, 0.0)))
    assert type(result) is np.complex128
    assert result == complex(INF, 0.0)


def test_torch_expm1_keeps_the_graph() -> None:
    torch = pytest.importorskip("torch")
    z = torch.tensor([0.5 + 0.25j, 1.0 - 1.0j], dtype=torch.complex128, requires_grad=True)
    out = xb.expm1(z)
    assert out.grad_fn is not None
    out.abs().sum().backward()
    assert z.grad is not None
    torch.testing.assert_close(out.detach(), torch.expm1(z.detach()))

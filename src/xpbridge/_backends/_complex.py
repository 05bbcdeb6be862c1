"""Complex special cases the libraries' own kernels miss, fixed once for any library.

A fix here costs nothing for real dtypes (one dtype test, then the library's own function)
and runs a second computation only for complex inputs; adapters opt in with an override.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["expm1_with_special_cases"]


def expm1_with_special_cases(
    lib: Any,
    is_complex: Callable[[Any], bool],
    finish: Callable[[Any], Any] | None = None,
) -> Callable[[Any], Any]:
    """``lib.expm1`` with the standard's special cases for complex infinities and NaN.

    NumPy's and PyTorch's complex expm1 give ``inf + NaN j`` for ``expm1(inf + 0j)`` and
    ``NaN + NaN j`` for ``expm1(-inf + inf j)`` (the standard: ``inf + 0j`` and ``-1 + 0j``);
    their complex ``exp`` follows the standard there, and at a non-finite operand
    ``exp(x) - 1`` loses no precision, so those elements take it. `lib` is the library's
    module (``numpy``, ``torch``...), `is_complex` the cheapest test of an array's dtype,
    `finish` what to apply to a fixed result (NumPy: a 0-d array back to a scalar).
    """
    native = lib.expm1

    def expm1(x: Any, /) -> Any:
        if not is_complex(x):
            return native(x)
        finite = lib.isfinite(x)
        # The library's expm1 of the finite elements only: the others would warn (NumPy's
        # "invalid value") about values replaced anyway.
        result = native(lib.where(finite, x, 0))
        fixed = lib.where(finite, result, lib.exp(x) - 1)
        return fixed if finish is None else finish(fixed)

    expm1.__name__ = "expm1"
    return expm1

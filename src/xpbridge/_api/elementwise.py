"""Element-wise functions of the array API standard (2025.12).

Binary functions accept a Python scalar for either argument (weakly typed, as in the
standard). Torch tensors keep their autograd graph; gradients flow as in torch itself.

Type promotion follows the standard's table on every backend: within a kind (``int8`` with
``uint8`` gives ``int16``, ``float32`` with ``float64`` gives ``float64``) and for complex
with real floats; PyTorch's missing promotions of ``uint16``/``uint32``/``uint64`` are filled
in by casting to the standard's result. **Mixing kinds** (an integer array with a floating
one), which the standard leaves unspecified, follows each library and is not unified:
NumPy and Dask give ``int32 + float32 -> float64``, PyTorch and JAX ``float32``, and
array-api-strict refuses. Cast first (``xb.astype``) where the result dtype matters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._dispatch import array_function

if TYPE_CHECKING:
    from .._typing import ArrayT

_binary = array_function(promotes=("x1", "x2"))


@array_function
def abs(x: ArrayT, /) -> ArrayT:
    """Absolute value of each element of `x`."""


@array_function
def acos(x: ArrayT, /) -> ArrayT:
    """Inverse cosine of each element of `x`, in radians."""


@array_function
def acosh(x: ArrayT, /) -> ArrayT:
    """Inverse hyperbolic cosine of each element of `x`."""


@_binary
def add(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 + x2``, element-wise."""


@array_function
def asin(x: ArrayT, /) -> ArrayT:
    """Inverse sine of each element of `x`, in radians."""


@array_function
def asinh(x: ArrayT, /) -> ArrayT:
    """Inverse hyperbolic sine of each element of `x`."""


@array_function
def atan(x: ArrayT, /) -> ArrayT:
    """Inverse tangent of each element of `x`, in radians."""


@_binary
def atan2(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Inverse tangent of ``x1 / x2``, element-wise, in the quadrant of ``(x2, x1)``."""


@array_function
def atanh(x: ArrayT, /) -> ArrayT:
    """Inverse hyperbolic tangent of each element of `x`."""


@_binary
def bitwise_and(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Bitwise AND of `x1` and `x2`, element-wise."""


@array_function
def bitwise_invert(x: ArrayT, /) -> ArrayT:
    """Bitwise NOT of each element of an integer or boolean `x`."""


@_binary
def bitwise_left_shift(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 << x2``, element-wise, for integers."""


@_binary
def bitwise_or(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Bitwise OR of `x1` and `x2`, element-wise."""


@_binary
def bitwise_right_shift(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 >> x2``, element-wise, for integers."""


@_binary
def bitwise_xor(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Bitwise XOR of `x1` and `x2`, element-wise."""


@array_function
def ceil(x: ArrayT, /) -> ArrayT:
    """Smallest integer-valued number not less than each element of `x`."""


@array_function
def conj(x: ArrayT, /) -> ArrayT:
    """Complex conjugate of each element of `x` (a new array, never a lazy torch view)."""


@_binary
def copysign(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Magnitude of `x1` with the sign of `x2`, element-wise."""


@array_function
def cos(x: ArrayT, /) -> ArrayT:
    """Cosine of each element of `x` (in radians)."""


@array_function
def cosh(x: ArrayT, /) -> ArrayT:
    """Hyperbolic cosine of each element of `x`."""


@_binary
def divide(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 / x2``, element-wise."""


@_binary
def equal(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 == x2``, element-wise."""


@array_function
def exp(x: ArrayT, /) -> ArrayT:
    """Exponential ``e**x`` of each element of `x`."""


@array_function
def expm1(x: ArrayT, /) -> ArrayT:
    """``exp(x) - 1`` for each element of `x`, accurate near zero."""


@array_function
def floor(x: ArrayT, /) -> ArrayT:
    """Greatest integer-valued number not greater than each element of `x`."""


@_binary
def floor_divide(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 // x2``, element-wise (rounded toward negative infinity)."""


@_binary
def greater(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 > x2``, element-wise."""


@_binary
def greater_equal(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 >= x2``, element-wise."""


@_binary
def hypot(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``sqrt(x1**2 + x2**2)``, element-wise, without undue overflow."""


@array_function
def imag(x: ArrayT, /) -> ArrayT:
    """Imaginary part of each element of a complex `x`."""


@array_function
def isfinite(x: ArrayT, /) -> ArrayT:
    """Whether each element of `x` is finite (neither infinite nor NaN)."""


@array_function
def isinf(x: ArrayT, /) -> ArrayT:
    """Whether each element of `x` is positive or negative infinity."""


@array_function
def isnan(x: ArrayT, /) -> ArrayT:
    """Whether each element of `x` is NaN."""


@_binary
def less(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 < x2``, element-wise."""


@_binary
def less_equal(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 <= x2``, element-wise."""


@array_function
def log(x: ArrayT, /) -> ArrayT:
    """Natural logarithm of each element of `x`."""


@array_function
def log10(x: ArrayT, /) -> ArrayT:
    """Base-10 logarithm of each element of `x`."""


@array_function
def log1p(x: ArrayT, /) -> ArrayT:
    """``log(1 + x)`` for each element of `x`, accurate near zero."""


@array_function
def log2(x: ArrayT, /) -> ArrayT:
    """Base-2 logarithm of each element of `x`."""


@_binary
def logaddexp(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``log(exp(x1) + exp(x2))``, element-wise, without undue overflow."""


@_binary
def logical_and(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Logical AND of `x1` and `x2`, element-wise."""


@array_function
def logical_not(x: ArrayT, /) -> ArrayT:
    """Logical NOT of each element of `x`."""


@_binary
def logical_or(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Logical OR of `x1` and `x2`, element-wise."""


@_binary
def logical_xor(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Logical XOR of `x1` and `x2`, element-wise."""


@_binary
def maximum(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Larger of `x1` and `x2`, element-wise (NaN propagated)."""


@_binary
def minimum(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Smaller of `x1` and `x2`, element-wise (NaN propagated)."""


@_binary
def multiply(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 * x2``, element-wise."""


@array_function
def negative(x: ArrayT, /) -> ArrayT:
    """``-x`` for each element of `x`."""


@_binary
def nextafter(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """Next representable floating-point value after `x1` toward `x2`, element-wise."""


@_binary
def not_equal(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 != x2``, element-wise."""


@array_function
def positive(x: ArrayT, /) -> ArrayT:
    """``+x`` for each element of `x`."""


@_binary
def pow(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 ** x2``, element-wise."""


@array_function
def real(x: ArrayT, /) -> ArrayT:
    """Real part of each element of `x`."""


@array_function
def reciprocal(x: ArrayT, /) -> ArrayT:
    """``1 / x`` for each element of a floating-point `x`."""


@_binary
def remainder(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 % x2``, element-wise, with the sign of `x2` (Python's convention)."""


@array_function
def round(x: ArrayT, /) -> ArrayT:
    """Each element of `x` rounded to the nearest integer-valued number (ties to even)."""


@array_function
def sign(x: ArrayT, /) -> ArrayT:
    """Sign of each element of `x` (``x / |x|`` for complex, NaN propagated)."""


@array_function
def signbit(x: ArrayT, /) -> ArrayT:
    """Whether the sign bit of each element of a real `x` is set."""


@array_function
def sin(x: ArrayT, /) -> ArrayT:
    """Sine of each element of `x` (in radians)."""


@array_function
def sinh(x: ArrayT, /) -> ArrayT:
    """Hyperbolic sine of each element of `x`."""


@array_function
def sqrt(x: ArrayT, /) -> ArrayT:
    """Principal square root of each element of `x`."""


@array_function
def square(x: ArrayT, /) -> ArrayT:
    """``x * x`` for each element of `x`."""


@_binary
def subtract(x1: ArrayT | complex, x2: ArrayT | complex, /) -> ArrayT:
    """``x1 - x2``, element-wise."""


@array_function
def tan(x: ArrayT, /) -> ArrayT:
    """Tangent of each element of `x` (in radians)."""


@array_function
def tanh(x: ArrayT, /) -> ArrayT:
    """Hyperbolic tangent of each element of `x`."""


@array_function
def trunc(x: ArrayT, /) -> ArrayT:
    """Each element of `x` rounded toward zero to an integer-valued number."""


@array_function
def clip(
    x: ArrayT, /, min: ArrayT | float | None = None, max: ArrayT | float | None = None
) -> ArrayT:
    """Each element of `x` clamped to ``[min, max]`` (either bound may be omitted)."""

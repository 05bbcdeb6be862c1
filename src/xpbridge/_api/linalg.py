"""Linear algebra: the main namespace's four functions and the ``linalg`` extension.

Results that the standard defines as named tuples (``eigh``, ``qr``, ``slogdet``, ``svd``,
``eig``) come back as the backend's named tuple with the standard's field names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .._dispatch import array_function

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._typing import ArrayT, DTypeLike

_linalg = array_function(namespace="linalg")
_linalg_binary = array_function(namespace="linalg", promotes=("x1", "x2"))

# ---------------------------------------------------------------------- main namespace


@array_function(promotes=("x1", "x2"))
def matmul(x1: ArrayT, x2: ArrayT, /) -> ArrayT:
    """Matrix product of `x1` and `x2` (``x1 @ x2``), batched over leading axes."""


@array_function
def matrix_transpose(x: ArrayT, /) -> ArrayT:
    """`x` with its last two axes swapped."""


@array_function(promotes=("x1", "x2"))
def tensordot(
    x1: ArrayT,
    x2: ArrayT,
    /,
    *,
    axes: int | tuple[Sequence[int], Sequence[int]] = 2,
) -> ArrayT:
    """Tensor contraction of `x1` and `x2` over `axes`."""


@array_function(promotes=("x1", "x2"))
def vecdot(x1: ArrayT, x2: ArrayT, /, *, axis: int = -1) -> ArrayT:
    """Dot product of vectors along `axis` (conjugating `x1`)."""


# ---------------------------------------------------------------------- linalg extension


@_linalg
def cholesky(x: ArrayT, /, *, upper: bool = False) -> ArrayT:
    """Cholesky factor of the Hermitian positive-definite matrices in `x`."""


@_linalg_binary
def cross(x1: ArrayT, x2: ArrayT, /, *, axis: int = -1) -> ArrayT:
    """Cross product of 3-element vectors along `axis`."""


@_linalg
def det(x: ArrayT, /) -> ArrayT:
    """Determinant of the square matrices in `x`."""


@_linalg
def diagonal(x: ArrayT, /, *, offset: int = 0) -> ArrayT:
    """The `offset`-th diagonal of the matrices in `x`."""


@_linalg
def eig(x: ArrayT, /) -> tuple[ArrayT, ArrayT]:
    """Eigenvalues and right eigenvectors of square matrices (complex; new in 2025.12)."""


@_linalg
def eigh(x: ArrayT, /) -> tuple[ArrayT, ArrayT]:
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices."""


@_linalg
def eigvals(x: ArrayT, /) -> ArrayT:
    """Eigenvalues of square matrices (complex; new in 2025.12)."""


@_linalg
def eigvalsh(x: ArrayT, /) -> ArrayT:
    """Eigenvalues (ascending) of Hermitian matrices."""


@_linalg
def inv(x: ArrayT, /) -> ArrayT:
    """Inverse of the square matrices in `x`."""


@_linalg
def matrix_norm(
    x: ArrayT,
    /,
    *,
    keepdims: bool = False,
    ord: float | Literal["fro", "nuc"] | None = "fro",
) -> ArrayT:
    """Norm of the matrices in `x` (Frobenius by default)."""


@_linalg
def matrix_power(x: ArrayT, n: int, /) -> ArrayT:
    """The square matrices in `x` raised to the integer power `n`."""


@_linalg
def matrix_rank(x: ArrayT, /, *, rtol: float | ArrayT | None = None) -> ArrayT:
    """Rank of the matrices in `x` (from singular values above ``rtol * largest``)."""


@_linalg_binary
def outer(x1: ArrayT, x2: ArrayT, /) -> ArrayT:
    """Outer product of the 1-d arrays `x1` and `x2`."""


@_linalg
def pinv(x: ArrayT, /, *, rtol: float | ArrayT | None = None) -> ArrayT:
    """Moore-Penrose pseudo-inverse of the matrices in `x`."""


@_linalg
def qr(x: ArrayT, /, *, mode: Literal["reduced", "complete"] = "reduced") -> tuple[ArrayT, ArrayT]:
    """QR decomposition ``(Q, R)`` of the matrices in `x`."""


@_linalg
def slogdet(x: ArrayT, /) -> tuple[ArrayT, ArrayT]:
    """Sign and natural log of the absolute determinant ``(sign, logabsdet)``."""


@_linalg_binary
def solve(x1: ArrayT, x2: ArrayT, /) -> ArrayT:
    """Solution ``x`` of ``x1 @ x = x2`` for square, non-singular `x1`."""


@_linalg
def svd(x: ArrayT, /, *, full_matrices: bool = True) -> tuple[ArrayT, ArrayT, ArrayT]:
    """Singular value decomposition ``(U, S, Vh)`` of the matrices in `x`."""


@_linalg
def svdvals(x: ArrayT, /) -> ArrayT:
    """Singular values of the matrices in `x`, in descending order."""


@_linalg
def trace(x: ArrayT, /, *, offset: int = 0, dtype: DTypeLike | None = None) -> ArrayT:
    """Sum along the `offset`-th diagonal of the matrices in `x`."""


@_linalg
def vector_norm(
    x: ArrayT,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    ord: float = 2,
) -> ArrayT:
    """Vector norm of `x` along `axis` (of the flattened array if None)."""

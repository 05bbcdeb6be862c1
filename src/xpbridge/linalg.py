"""The ``linalg`` extension of the array API standard, routed like the main namespace.

``xb.linalg.matmul``, ``matrix_transpose``, ``tensordot`` and ``vecdot`` are the main
namespace's functions themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import module_getattr, public_function

if TYPE_CHECKING:
    # Type checkers read the declarations; at run time __getattr__ builds each function on
    # first use (tests/test_public_api.py checks these names against the registry).
    from ._api.linalg import (
        cholesky,
        cross,
        det,
        diagonal,
        eig,
        eigh,
        eigvals,
        eigvalsh,
        inv,
        matmul,
        matrix_norm,
        matrix_power,
        matrix_rank,
        matrix_transpose,
        outer,
        pinv,
        qr,
        slogdet,
        solve,
        svd,
        svdvals,
        tensordot,
        trace,
        vecdot,
        vector_norm,
    )

_SHARED = ("matmul", "matrix_transpose", "tensordot", "vecdot")
__all__ = [
    "cholesky",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "inv",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "matrix_transpose",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "tensordot",
    "trace",
    "vecdot",
    "vector_norm",
]


def __getattr__(name: str) -> Any:
    if name in _SHARED:
        value = public_function(name)
        globals()[name] = value
        return value
    return module_getattr(__name__, globals(), name)


def __dir__() -> list[str]:
    return __all__

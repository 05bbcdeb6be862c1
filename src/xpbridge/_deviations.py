"""Known deviations: where a backend cannot give the standard's answer, and why.

One registry drives three things: the errors xpbridge raises (their messages quote the
reason), the strict ``xfail`` markers of the conformance suite
(:func:`xpbridge.testing.plugin.mark_deviation`), and the support table in the docs
(:func:`xpbridge.testing.support_table`). An entry is keyed by backend, function path (a
declared path like ``"linalg.solve"``, or ``"*"`` for every function) and, optionally, the
dtypes it concerns. A reason is a clause without a final period (the table and the errors
end the sentence); ``tests/test_testing_support.py`` checks every entry names a real
backend, function and dtype.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["DEVIATIONS", "Deviation", "find", "reason_for"]

_UNSIGNED_WIDE: Final = ("uint16", "uint32", "uint64")


@dataclass(frozen=True, slots=True)
class Deviation:
    """One thing a backend does differently from the standard (or cannot do)."""

    backend: str
    function: str
    reason: str
    #: The dtypes concerned; empty means every dtype.
    dtypes: tuple[str, ...] = ()
    #: "unsupported": xpbridge raises a clear error. "differs": the result differs from
    #: NumPy's (values or dtype) in a documented way.
    kind: Literal["unsupported", "differs"] = "unsupported"

    def applies(self, backend: str, function: str, dtype: str | None = None) -> bool:
        return (
            self.backend == backend
            and self.function in {"*", function}
            and (not self.dtypes or dtype is None or dtype in self.dtypes)
        )


# Functions PyTorch (2.13) has no kernels for on uint16/uint32/uint64 tensors; it does have
# casts, copies, equality, bitwise and/or/xor, multiply, sorting, sums and indexing.
_TORCH_NO_WIDE_UNSIGNED: Final = (
    "abs", "add", "argmax", "argmin", "bitwise_invert", "bitwise_left_shift",
    "bitwise_right_shift", "clip", "count_nonzero", "diff", "flip", "floor_divide", "greater",
    "greater_equal", "hypot", "isin", "less", "less_equal", "logaddexp", "matmul", "max",
    "maximum", "min", "minimum", "negative", "nextafter", "nonzero", "pow", "remainder",
    "searchsorted", "sign", "square", "subtract", "take_along_axis", "tensordot", "tril", "triu",
    "vecdot",
)  # fmt: skip

# Reductions whose unsigned results PyTorch gives as int64 (it has no uint64 accumulator).
_TORCH_SIGNED_SUMS: Final = ("sum", "prod", "cumulative_sum", "cumulative_prod")

DEVIATIONS: Final[tuple[Deviation, ...]] = (
    *(
        Deviation(
            "torch",
            function,
            "PyTorch has no kernel for this on uint16/uint32/uint64 tensors (it implements "
            "only casts, copies, equality, bitwise and/or/xor, multiply, sorting and sums "
            "for them); xpbridge raises UnsupportedDTypeError: cast first, e.g. "
            "xb.astype(x, xb.int64)",
            dtypes=_UNSIGNED_WIDE,
        )
        for function in _TORCH_NO_WIDE_UNSIGNED
    ),
    *(
        Deviation(
            "torch",
            function,
            "unsigned integers accumulate in int64, not uint64 (PyTorch has no uint64 "
            "accumulator): the result's dtype is int64 (cast it with xb.astype if needed)",
            dtypes=("uint8", *_UNSIGNED_WIDE),
            kind="differs",
        )
        for function in _TORCH_SIGNED_SUMS
    ),
    # -- dask (issue 8): laziness. Results whose length depends on the data get a NaN shape.
    *(
        Deviation(
            "dask",
            function,
            "the result's length depends on the data, so Dask leaves it unknown (NaN in "
            "shape) until computed; functions that need it raise UnknownShapeError: call "
            "x.compute_chunk_sizes() first (this computes x)",
            kind="differs",
        )
        for function in (
            "nonzero",
            "unique",
            "unique_all",
            "unique_counts",
            "unique_inverse",
            "unique_values",
        )
    ),
    *(
        Deviation(
            "dask",
            function,
            "returns a lazy 0-d boolean Dask array instead of a Python bool, so the check "
            "stays in the graph; bool() of it (as in `if`) computes it",
            kind="differs",
        )
        for function in ("allclose", "array_equal")
    ),
    Deviation(
        "array_api_strict",
        "einsum",
        "array-api-strict implements only the standard, which has no einsum",
    ),
)


def find(backend: str, function: str, dtype: str | None = None) -> Deviation | None:
    """The first deviation registered for this backend, function and dtype, if any."""
    for deviation in DEVIATIONS:
        if deviation.applies(backend, function, dtype):
            return deviation
    return None


def reason_for(backend: str, function: str) -> str | None:
    """Why `function` is unavailable on `backend`, if the registry says."""
    for deviation in DEVIATIONS:
        if (
            deviation.kind == "unsupported"
            and not deviation.dtypes
            and deviation.applies(backend, function)
        ):
            return deviation.reason
    return None

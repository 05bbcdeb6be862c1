"""Host-memory helpers the adapters share: NumPy is every backend's view of host memory."""

from __future__ import annotations

import math
import warnings
from typing import Any, Final

import numpy as np

from .._dtypes import DTYPES

__all__ = [
    "STANDARD_NUMPY_DTYPES",
    "aligned_empty",
    "c_strides",
    "host_copy",
    "ndarray_traits",
    "writeable",
]

#: NumPy dtype -> canonical name, for the standard's dtypes NumPy has without ml_dtypes.
STANDARD_NUMPY_DTYPES: Final = {np.dtype(name): name for name in DTYPES if name != "bfloat16"}


def writeable(a: Any) -> bool:
    """Whether NumPy lets `a` be written, counting ``broadcast_arrays`` views as read-only.

    NumPy warns (a FutureWarning) on any read of those views' writeable flag, and will make
    them read-only; only broadcast (zero-stride) views carry that flag, so others read it
    directly.
    """
    if 0 not in a.strides:
        return bool(a.flags.writeable)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FutureWarning)
        flag = bool(a.flags.writeable)
    return flag and not caught


#: ``ndarray.flags.num`` bits (NumPy's C flags); the sign bit is warn-on-write.
_WRITEABLE: Final = 0x400
#: The alignment up to which read-only memory's address is part of its traits (JAX's).
_ALIGNMENT: Final = 64


def ndarray_traits(a: Any) -> tuple[Any, ...]:
    """The traits (see ``Adapter.traits``) of a NumPy array's memory.

    The dtype object carries the byte order; ``flags.num`` the contiguity, the writeable
    flag and the warn-on-write bit of broadcast views (read without their warning); the
    strides whether any is negative (as they are: cheaper than looking). The address
    matters only for memory another library may alias as it is: read-only memory.
    """
    flags = a.flags.num
    if flags & _WRITEABLE and flags >= 0:
        return a.dtype, flags, a.strides
    aligned = not a.size or a.ctypes.data % _ALIGNMENT == 0
    return a.dtype, flags, a.strides, aligned


def host_copy(a: Any) -> Any:
    """A writable copy of the NumPy array `a` in native byte order with positive strides,
    so that any library can alias it."""
    a = np.asarray(a)
    return np.array(a, dtype=a.dtype.newbyteorder("="), copy=True)


def aligned_empty(shape: tuple[int, ...], dtype: Any, alignment: int) -> Any:
    """New row-major NumPy memory whose first byte sits at a multiple of `alignment`."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    buffer = np.empty(nbytes + alignment, np.uint8)
    start = -buffer.ctypes.data % alignment
    return buffer[start : start + nbytes].view(dtype).reshape(shape)


def c_strides(shape: tuple[int | None, ...], itemsize: int) -> tuple[int, ...]:
    """The byte strides of a row-major array of `shape`."""
    strides = []
    step = itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= max(int(n or 0), 1)
    return tuple(reversed(strides))

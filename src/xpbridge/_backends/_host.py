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
    "freeze",
    "frozen",
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


def frozen(a: Any) -> bool:
    """Whether nobody can write `a`'s memory: `a` is read-only and so is everything it views,
    down the base chain (NumPy arrays, buffers such as ``bytes`` or a read-only export).
    A base xpbridge cannot judge counts as writable."""
    if writeable(a):
        return False
    base = a.base
    while base is not None:
        if isinstance(base, np.ndarray):
            if writeable(base):
                return False
            base = base.base
            continue
        try:
            view = memoryview(base)
        except TypeError:
            return False  # no buffer to ask: it may be written
        if not view.readonly:
            return False
        inner = view.obj
        if inner is base or inner is None:
            return True
        base = inner  # a read-only view of a writable buffer (memoryview.toreadonly())
    return True


def freeze(a: Any) -> Any:
    """`a`, read-only, and so every NumPy array it views (memory a conversion made and holds
    alone): :func:`frozen` then, so that immutable libraries may alias it."""
    base = a
    while isinstance(base, np.ndarray):
        base.flags.writeable = False
        base = base.base
    return a


#: ``ndarray.flags.num`` bits (NumPy's C flags); the sign bit is warn-on-write.
_WRITEABLE: Final = 0x400
_C_CONTIGUOUS: Final = 0x1
#: The alignment up to which read-only memory's address is part of its traits (JAX's).
_ALIGNMENT: Final = 64


def ndarray_traits(a: Any) -> tuple[Any, ...]:
    """The traits (see ``Adapter.traits``) of a NumPy array's memory.

    The dtype object carries the byte order; ``flags.num`` the contiguity, the writeable
    flag and the warn-on-write bit of broadcast views (read without their warning); the
    strides whether any is negative (as they are: cheaper than looking). The address, and
    whether the memory is frozen (its bases read-only too), matter only for memory another
    library may alias as it is: read-only memory.
    """
    flags = a.flags.num
    if flags & _WRITEABLE and flags >= 0:
        if flags & _C_CONTIGUOUS:  # positive strides, save on axes of length 0 or 1,
            return a.dtype, flags  # which address nothing (routes that refuse them say so)
        return a.dtype, flags, a.strides
    aligned = not a.size or a.ctypes.data % _ALIGNMENT == 0
    return a.dtype, flags, a.strides, aligned, frozen(a)


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

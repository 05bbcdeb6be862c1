"""Looking at arrays across libraries: ``backend_of``, ``info``, ``shares_memory``.

``info`` and the memory checks also take data frames (through the NumPy views their
libraries export, ``xpbridge._frames``); the memory checks take containers of arrays too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._backends import adapter_for_type, names
from ._dtypes import DTYPES, DType
from ._errors import UnknownArrayTypeError, UnsupportedDTypeError
from ._frames import frame_spec, promoted_dtype
from ._frames import read as read_frame
from ._tree import is_tree, leaves

__all__ = ["ArrayInfo", "backend_of", "info", "may_share_memory", "shares_memory"]


def _adapter(x: Any, what: str) -> Any:
    adapter = adapter_for_type(type(x))
    if adapter is None:
        msg = (
            f"{what}: {type(x).__module__}.{type(x).__qualname__} is not an array of a "
            f"library xpbridge knows ({names()})"
        )
        raise UnknownArrayTypeError(msg)
    return adapter


def backend_of(x: Any) -> str:
    """The name of the library that owns array `x` (``"numpy"``, ``"torch"``...).

    Never imports a library: an array of it exists, so it is already imported.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> xb.backend_of(np.zeros(2))
    'numpy'
    """
    name: str = _adapter(x, "backend_of").name
    return name


@dataclass(frozen=True, slots=True)
class ArrayInfo:
    """What :func:`info` reports: torch's familiar fields, layout facts, for any library.

    Fields a library has no notion of are ``None`` (strides of a lazy Dask array) or
    ``False`` (``requires_grad`` outside torch).
    """

    backend: str
    dtype: DType
    shape: tuple[int | None, ...]
    device: str
    strides: tuple[int, ...] | None
    contiguous: bool | None
    f_contiguous: bool | None
    readonly: bool
    immutable: bool
    lazy: bool
    nbytes: int | None
    data_ptr: int | None
    requires_grad: bool
    grad: Any
    grad_fn: Any
    is_leaf: bool | None
    lazy_bits: tuple[str, ...]
    data: Any

    def __str__(self) -> str:
        rows = [f"{name:>13}: {getattr(self, name)!r}" for name in self.__slots__ if name != "data"]
        return "\n".join(rows)


def info(x: Any) -> ArrayInfo:
    """Facts about array `x`: backend, dtype, shape, strides (bytes), device, contiguity,
    read-only, size in bytes, and torch's autograd fields (``requires_grad``, ``grad``,
    ``grad_fn``, ``is_leaf``), for every library.

    ``data`` is `x` without autograd history (``x.detach()`` for torch, `x` itself else).

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> i = xb.info(np.zeros((2, 3), dtype=np.float32))
    >>> i.backend, i.shape, i.strides, i.requires_grad
    ('numpy', (2, 3), (12, 4), False)

    A data frame (pandas, polars, pyarrow) is described as the array it converts to:
    ``backend`` is its library, ``dtype`` the columns' promoted dtype, ``shape`` rows x
    columns; the layout fields are those of its zero-copy view, None where the columns are
    separate buffers.
    """
    if adapter_for_type(type(x)) is None and frame_spec(x) is not None:
        return _frame_info(x)
    adapter = _adapter(x, "info")
    facts = adapter.facts(x)
    return ArrayInfo(
        backend=facts.backend,
        dtype=DTYPES[facts.dtype],
        shape=facts.shape,
        device=facts.device,
        strides=facts.strides,
        contiguous=facts.c_contiguous,
        f_contiguous=facts.f_contiguous,
        readonly=facts.readonly,
        immutable=facts.immutable,
        lazy=facts.lazy,
        nbytes=facts.nbytes,
        data_ptr=facts.data_ptr,
        requires_grad=facts.requires_grad,
        grad=facts.grad,
        grad_fn=facts.grad_fn,
        is_leaf=facts.is_leaf,
        lazy_bits=facts.lazy_bits,
        data=adapter.detach(x),
    )


def _frame_info(x: Any) -> ArrayInfo:
    spec = frame_spec(x)
    assert spec is not None
    frame = read_frame(x)
    bad = [c for c in frame.columns if c.dtype is None]
    if bad:
        listed = "; ".join(f"{c.label} is {c.spelling}: {c.fix}" for c in bad)
        msg = f"info: this {frame.kind} is no array: {listed}"
        raise UnsupportedDTypeError(msg)
    dtype = promoted_dtype(frame.columns, nan=False)
    view = frame.view(dtype)
    return ArrayInfo(
        backend=spec.library,
        dtype=DTYPES[dtype],
        shape=frame.shape,
        device="cpu",
        strides=None if view is None else view.strides,
        contiguous=None if view is None else bool(view.flags.c_contiguous),
        f_contiguous=None if view is None else bool(view.flags.f_contiguous),
        readonly=True,  # its library's memory: viewed read-only (see xpbridge._frames)
        immutable=spec.immutable,
        lazy=False,
        nbytes=frame.nbytes,
        data_ptr=None if view is None else view.__array_interface__["data"][0],
        requires_grad=False,
        grad=None,
        grad_fn=None,
        is_leaf=None,
        lazy_bits=(),
        data=x,
    )


class _Bytes:
    """A NumPy view description of raw memory (never read: only its bounds are used)."""

    def __init__(
        self, ptr: int, shape: tuple[int, ...], strides: tuple[int, ...], itemsize: int
    ) -> None:
        self.__array_interface__ = {
            "data": (ptr, True),
            "shape": (*shape, itemsize),
            "strides": (*strides, 1),
            "typestr": "|u1",
            "version": 3,
        }


def _memory(x: Any, what: str) -> tuple[str, Any] | None:
    """The device and a byte-level NumPy description of `x`'s memory; None if it has none."""
    facts = _adapter(x, what).facts(x)
    if facts.data_ptr is None or facts.strides is None or not facts.size:
        return None
    shape = tuple(int(n or 0) for n in facts.shape)
    return facts.device, _Bytes(facts.data_ptr, shape, facts.strides, facts.itemsize)


def shares_memory(a: Any, b: Any, /) -> bool:
    """Whether arrays `a` and `b` (of any libraries) use some of the same bytes.

    Exact: NumPy's ``shares_memory`` solves it on the two layouts (data pointer, shape,
    strides), for arrays of NumPy, PyTorch, CuPy, JAX and array-api-strict. Arrays on
    different devices never share memory; arrays without memory of their own (lazy Dask
    arrays, torch meta tensors, NumPy scalars, empty arrays) share none. Raises
    :class:`UnknownArrayTypeError` for objects that are not arrays of these libraries.

    Either side may also be a data frame (its columns' memory, where its library exports
    a view of it: not booleans packed in bits or values in several chunks) or a container
    of arrays and frames (True if any leaf shares memory with any leaf of the other).

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> a = np.arange(6)
    >>> xb.shares_memory(a, a[::2]), xb.shares_memory(a[::2], a[1::2])
    (True, False)
    """
    if adapter_for_type(type(a)) is None or adapter_for_type(type(b)) is None:
        return _any_overlap(a, b, "shares_memory", np.shares_memory)
    left, right = _memory(a, "shares_memory"), _memory(b, "shares_memory")
    if left is None or right is None or left[0] != right[0]:
        return False
    return bool(np.shares_memory(np.asarray(left[1]), np.asarray(right[1])))


def may_share_memory(a: Any, b: Any, /) -> bool:
    """Whether the memory extents of `a` and `b` overlap: fast, from the first and last byte
    each can reach, so it may say True for interleaved views sharing no byte (``a[::2]``
    and ``a[1::2]``), never False where :func:`shares_memory` says True.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> a = np.arange(6)
    >>> xb.may_share_memory(a[::2], a[1::2]), xb.may_share_memory(a[:3], a[3:])
    (True, False)
    """
    if adapter_for_type(type(a)) is None or adapter_for_type(type(b)) is None:
        return _any_overlap(a, b, "may_share_memory", np.may_share_memory)
    left, right = _memory(a, "may_share_memory"), _memory(b, "may_share_memory")
    if left is None or right is None or left[0] != right[0]:
        return False
    return bool(np.may_share_memory(np.asarray(left[1]), np.asarray(right[1])))


def _regions(x: Any, what: str) -> list[tuple[str, Any]]:
    """The memory of `x` as (device, NumPy byte view) pairs: one for an array, one per
    viewable column for a data frame, every leaf's for a container."""
    if adapter_for_type(type(x)) is not None:
        found = _memory(x, what)
        return [] if found is None else [(found[0], np.asarray(found[1]))]
    if frame_spec(x) is not None:
        views = [c.view for c in read_frame(x).columns if c.view is not None]
        return [region for view in views for region in _regions(view, what)]
    if is_tree(x):
        return [region for _, leaf in leaves(x) for region in _regions(leaf, what)]
    _adapter(x, what)  # raises, naming what it got
    return []


def _any_overlap(a: Any, b: Any, what: str, test: Any) -> bool:
    right = _regions(b, what)
    for device, left in _regions(a, what):
        for other_device, other in right:
            if device == other_device and test(left, other):
                return True
    return False

"""Backend-neutral dtypes: ``xb.float32`` and friends.

``xb.float32`` compares equal to the float32 dtype of every backend (``np.float32``,
``torch.float32``, ``jnp.float32``...), so ``x.dtype == xb.float32`` is true for a float32
array of NumPy, PyTorch, CuPy, Dask and JAX. (array-api-strict's dtypes answer ``False`` to
any foreign object instead of deferring, so there write ``xb.float32 == x.dtype``, or use
``xb.isdtype``.) It also carries the NumPy dtype as ``.dtype``, so NumPy accepts it
directly (``np.zeros(3, dtype=xb.float32)``). Backends map it to their own dtype objects with
:func:`dtype_name`, the one place that knows how each library spells a dtype's name.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from ._errors import UnsupportedDTypeError

__all__ = [
    "DTYPES",
    "DTYPE_MODULES",
    "DType",
    "canonical",
    "dtype_name",
    "isdtype_name",
    "standard_promotion",
]

# name -> (kind, itemsize in bytes); the standard's dtypes plus float16 and bfloat16.
_TABLE: Final = {
    "bool": ("bool", 1),
    "int8": ("signed integer", 1),
    "int16": ("signed integer", 2),
    "int32": ("signed integer", 4),
    "int64": ("signed integer", 8),
    "uint8": ("unsigned integer", 1),
    "uint16": ("unsigned integer", 2),
    "uint32": ("unsigned integer", 4),
    "uint64": ("unsigned integer", 8),
    "float16": ("real floating", 2),
    "bfloat16": ("real floating", 2),
    "float32": ("real floating", 4),
    "float64": ("real floating", 8),
    "complex64": ("complex floating", 8),
    "complex128": ("complex floating", 16),
}

# What `isdtype(dtype, kind)` accepts as a kind name, mapped to the dtype kinds it covers.
_KIND_GROUPS: Final = {
    "bool": {"bool"},
    "signed integer": {"signed integer"},
    "unsigned integer": {"unsigned integer"},
    "integral": {"signed integer", "unsigned integer"},
    "real floating": {"real floating"},
    "complex floating": {"complex floating"},
    "numeric": {"signed integer", "unsigned integer", "real floating", "complex floating"},
}


class DType:
    """A dtype that means the same thing on every backend.

    Do not construct it: use the module constants (``xb.float32``...).
    """

    __slots__ = ("_hash", "itemsize", "kind", "name")

    name: str
    kind: str
    itemsize: int

    def __init__(self, name: str) -> None:
        self.name = name
        self.kind, self.itemsize = _TABLE[name]
        # Hash like the NumPy dtype so that dicts keyed by NumPy dtypes find us too.
        self._hash = hash(np.dtype(name)) if name != "bfloat16" else hash("bfloat16")

    @property
    def dtype(self) -> np.dtype[Any]:
        """The NumPy dtype (what makes ``np.asarray(x, dtype=xb.float32)`` work)."""
        if self.name == "bfloat16":
            msg = (
                "NumPy has no bfloat16 dtype; import ml_dtypes for one, or use xb.float32 to widen"
            )
            raise UnsupportedDTypeError(msg)
        return np.dtype(self.name)

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        name = dtype_name(other, strict=False)
        return name == self.name

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"xpbridge.{self.name}"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Unpickle to the module constant, keeping identity across processes (dask workers).
        return _by_name, (self.name,)


DTYPES: Final[dict[str, DType]] = {name: DType(name) for name in _TABLE}

#: Top-level modules of the backends' libraries (filled by the backend registry): their
#: dtype objects name the dtype last in ``str()``.
DTYPE_MODULES: Final[set[str]] = set()


def _by_name(name: str) -> DType:
    return DTYPES[name]


def dtype_name(obj: Any, *, strict: bool = True) -> str | None:
    """The canonical name (``"float32"``) of any library's dtype, a NumPy spelling, or a type.

    Accepts ``xb.float32``, ``np.float32``, ``np.dtype("f4")``, ``"float32"``, ``torch.float32``,
    ``jnp.float32``, array-api-strict dtypes, and the Python types ``bool``/``int``/``float``/
    ``complex`` (NumPy's defaults). With ``strict=False`` unknown objects give ``None``.
    """
    if isinstance(obj, DType):
        return obj.name
    if obj.__class__ is str and obj in _TABLE:
        return obj  # already canonical (what the planner passes on)
    if isinstance(obj, np.dtype):
        name = obj.name
    elif isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, np.generic)):
        try:
            name = np.dtype(obj).name
        except TypeError:
            name = obj if isinstance(obj, str) else ""
    elif obj in (bool, int, float, complex):
        name = np.dtype(obj).name
    else:
        # A backend's own dtype object spells its name last (torch.float32 ->
        # "torch.float32"); JAX's scalar types and ml_dtypes have a NumPy dtype.
        mod = type(obj).__module__.split(".", 1)[0]
        if hasattr(obj, "dtype") and isinstance(obj.dtype, np.dtype):
            name = obj.dtype.name
        elif mod in DTYPE_MODULES:
            name = str(obj).rsplit(".", 1)[-1]
        else:
            name = ""
    if name in _TABLE:
        return name
    if strict:
        msg = (
            f"{obj!r} is not a dtype xpbridge knows; use one of xb.{', xb.'.join(_TABLE)} "
            "or the backend's own dtype object"
        )
        raise UnsupportedDTypeError(msg)
    return None


def canonical(obj: Any) -> DType:
    """The :class:`DType` for any dtype spelling (see :func:`dtype_name`)."""
    name = dtype_name(obj)
    assert name is not None  # dtype_name(strict=True) raised otherwise
    return DTYPES[name]


def isdtype_name(name: str, kind: str | tuple[str | Any, ...] | Any) -> bool:
    """The standard's ``isdtype`` on canonical names; ``kind`` may be a name, dtype or tuple."""
    if isinstance(kind, tuple):
        return any(isdtype_name(name, k) for k in kind)
    if isinstance(kind, str) and kind in _KIND_GROUPS:
        return _TABLE[name][0] in _KIND_GROUPS[kind]
    other = dtype_name(kind, strict=False)
    if other is None:
        msg = f"isdtype: kind must be a dtype or one of {sorted(_KIND_GROUPS)}, got {kind!r}"
        raise ValueError(msg)
    return other == name


def _standard_promotions() -> dict[frozenset[str], str]:
    """The standard's type promotion table for pairs of different dtypes (mixed kinds,
    and uint64 with signed integers, are not in it)."""
    table: dict[frozenset[str], str] = {}
    chains = (
        ("int8", "int16", "int32", "int64"),
        ("uint8", "uint16", "uint32", "uint64"),
        ("float32", "float64"),
        ("complex64", "complex128"),
    )
    for chain in chains:
        for i, small in enumerate(chain):
            for large in chain[i + 1 :]:
                table[frozenset((small, large))] = large
    signed = ("int8", "int16", "int32", "int64")
    for bits, unsigned in ((8, "uint8"), (16, "uint16"), (32, "uint32")):
        for kind in signed:
            size = int(kind[3:])
            table[frozenset((unsigned, kind))] = kind if size > bits else f"int{2 * bits}"
    for real, complex_ in (("float32", "complex64"), ("float64", "complex128")):
        table[frozenset((real, complex_))] = complex_
    table[frozenset(("float64", "complex64"))] = "complex128"
    table[frozenset(("float32", "complex128"))] = "complex128"
    return table


_PROMOTIONS: Final = _standard_promotions()


def standard_promotion(a: str, b: str) -> str | None:
    """The dtype the standard promotes canonical dtypes `a` and `b` to, or None where it
    leaves the pair unspecified (mixed kinds, uint64 with signed integers)."""
    return a if a == b else _PROMOTIONS.get(frozenset((a, b)))

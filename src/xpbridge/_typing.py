"""Type aliases shared by the public API.

The array libraries are optional, so arrays are typed structurally: ``ArrayT`` is a type
variable, which lets a checker see that a ``torch.Tensor`` in gives a ``torch.Tensor`` out.
These names are also read by :mod:`xpbridge._dispatch` (as annotation strings) to learn which
parameters carry arrays; see its module docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeAlias, TypeVar

__all__ = [
    "Array",
    "ArrayAttributes",
    "ArrayT",
    "Axes",
    "BackendName",
    "DTypeLike",
    "DeviceLike",
    "Namespace",
    "Scalar",
    "SupportsDLPack",
]

#: Any array of a supported library (``numpy.ndarray``, ``torch.Tensor``, ...).
Array: TypeAlias = Any
#: "The array type of the input": a Tensor in gives a Tensor out.
ArrayT = TypeVar("ArrayT")
#: A Python scalar accepted next to an array (weakly typed, as in the standard).
Scalar: TypeAlias = bool | int | float | complex
#: A dtype: ``xb.float32``, a backend's own dtype (``torch.float32``), or a NumPy spelling.
DTypeLike: TypeAlias = Any
#: A device: a backend's own device object, or a string such as ``"cpu"`` or ``"cuda:0"``.
DeviceLike: TypeAlias = Any
#: One axis or several.
Axes: TypeAlias = int | tuple[int, ...] | None
#: A backend's name: ``"numpy"``, ``"torch"``, ``"cupy"``, ``"dask"``, ``"jax"`` or
#: ``"array_api_strict"``.
BackendName: TypeAlias = str
#: An array API namespace (a module or an object with the standard's names).
Namespace: TypeAlias = Any


class ArrayAttributes(Protocol):
    """The standard attributes of an array, as a generic body (see :mod:`xpbridge._dispatch`)
    reads them.

    ``ArrayT`` stays unbound in public signatures, since lists and Python scalars are accepted
    there too; by the time a generic body runs, the dispatcher has turned them into arrays of
    the call's backend, which is what a body says with ``cast("ArrayAttributes", x)``.
    """

    @property
    def shape(self) -> tuple[int | None, ...]: ...

    @property
    def ndim(self) -> int: ...

    @property
    def dtype(self) -> Any: ...


class SupportsDLPack(Protocol):
    """An object exporting the DLPack protocol."""

    def __dlpack__(self, /, **kwargs: Any) -> Any: ...

    def __dlpack_device__(self) -> tuple[int, int]: ...


NestedSequence: TypeAlias = Sequence[Any]

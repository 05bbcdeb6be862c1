"""The exception hierarchy of xpbridge.

Every error derives from :class:`BridgeError` *and* from the builtin that code without
xpbridge would catch (``TypeError``, ``ValueError``, ``IndexError``...), so ``except
ValueError`` keeps working. Messages say what happened and how to fix it.

Each class of user mistake has one exception, the same on every backend and every path
(``docs/errors.md`` has the table; ``xpbridge._taxonomy`` turns a library's own error into
it). Where NumPy has a class of its own for the mistake (``numpy.linalg.LinAlgError``,
``numpy.exceptions.AxisError``), xpbridge's derives from it too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "ArgumentTypeError",
    "AxisOutOfBoundsError",
    "BackendNotAvailableError",
    "BridgeError",
    "CopyRequiredError",
    "DeviceMismatchError",
    "DeviceNotAvailableError",
    "DivisionByZeroError",
    "GradientBreakError",
    "ImplicitComputeError",
    "ImplicitConversionError",
    "ImplicitConversionWarning",
    "ImplicitCopyError",
    "ImplicitDetachError",
    "ImplicitMoveError",
    "IndexOutOfBoundsError",
    "LinAlgError",
    "MixedBackendError",
    "NullValuesError",
    "OutOfMemoryError",
    "RaggedSequenceError",
    "ShapeError",
    "UnknownArrayTypeError",
    "UnsupportedDTypeError",
    "UnsupportedOperationError",
    "ValueOverflowError",
]


class BridgeError(Exception):
    """Base class of every error raised by xpbridge itself."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as class and message (Dask's distributed scheduler, process pools), also
        # where a builtin base has a constructor pickle cannot call (MemoryError).
        return type(self), self.args


class ArgumentTypeError(BridgeError, TypeError):
    """An argument is of a kind the function does not take (a number where a function goes)."""


class UnknownArrayTypeError(ArgumentTypeError):
    """An object is not an array of any backend xpbridge knows, nor a Python scalar or sequence."""


class BackendNotAvailableError(BridgeError, ImportError):
    """A backend was asked for by name but its library is not installed (or the name is unknown)."""


class ShapeError(BridgeError, ValueError):
    """Shapes that do not fit: broadcasting, ``reshape`` to another size, ``concat`` or
    ``matmul`` of mismatched arrays, a negative or too large shape, ``item`` of an array
    that has not exactly one element."""


class RaggedSequenceError(ShapeError):
    """A nested sequence has rows of different lengths, so it is no array."""


class IndexOutOfBoundsError(BridgeError, IndexError):
    """An index lies outside the axis it indexes (valid: ``-n <= i < n`` for length ``n``)."""


class AxisOutOfBoundsError(IndexOutOfBoundsError, np.exceptions.AxisError):
    """An axis argument lies outside the array's dimensions (also NumPy's ``AxisError``)."""

    def __init__(self, message: str) -> None:
        # AxisError's own constructor takes (axis, ndim, msg_prefix); one message is enough.
        np.exceptions.AxisError.__init__(self, message)

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return type(self), (str(self),)


class LinAlgError(BridgeError, np.linalg.LinAlgError):
    """A linear algebra function cannot give an answer: a singular matrix, one that is not
    positive definite, an algorithm that did not converge (also ``numpy.linalg.LinAlgError``,
    a ``ValueError``)."""


class ValueOverflowError(BridgeError, OverflowError):
    """A value does not fit the dtype that would hold it (a Python int beyond ``int64`` or
    ``uint8``, a float beyond ``float32``'s range)."""


class DivisionByZeroError(BridgeError, ZeroDivisionError):
    """Integer division by zero, where the library refuses it (torch)."""


class OutOfMemoryError(BridgeError, MemoryError):
    """The library could not allocate the memory an array needs."""


class MixedBackendError(BridgeError, TypeError):
    """Arrays of different libraries met in one call while the mixing policy is ``"strict"``."""


class DeviceMismatchError(BridgeError, ValueError):
    """Arrays on different devices met in one call (xpbridge never moves data implicitly), or
    a device was asked for that the library cannot use here (:class:`DeviceNotAvailableError`)."""


class DeviceNotAvailableError(DeviceMismatchError):
    """A device that the library does not have here (no CUDA, an unknown name, another
    library's device object it cannot use)."""


class UnsupportedDTypeError(BridgeError, TypeError):
    """A backend cannot hold or compute with a dtype (e.g. torch arithmetic on uint16/32/64)."""


class UnsupportedOperationError(BridgeError, NotImplementedError):
    """A backend cannot run a function at all; the deviations registry lists why."""


class CopyRequiredError(BridgeError, BufferError, ValueError):
    """``copy=False`` was asked for, but the conversion cannot avoid a copy; the message says why.

    A ``BufferError`` (like DLPack's refusals) and a ``ValueError`` (like the standard's
    ``asarray(copy=False)``).
    """


class GradientBreakError(BridgeError, RuntimeError):
    """An operation would silently cut a torch autograd graph; pass ``detach=True`` if intended."""


class NullValuesError(BridgeError, ValueError):
    """A data-frame column holds nulls (missing values), which arrays cannot hold.

    The message names the column, how many nulls it has, and the fixes: fill them first, or
    pass ``nulls="nan"`` for a floating result with NaN in their place.
    """


# -- xb.guard: conversions the caller did not ask for by name (xpbridge._watch)


class ImplicitConversionError(BridgeError, RuntimeError):
    """A conversion did something the caller did not ask for by name while
    :func:`xpbridge.guard` refuses it; the subclass says what (copy, move, compute, detach).

    The message names the caller's ``file:line``, the arrays and the plan's reason.
    """


class ImplicitCopyError(ImplicitConversionError):
    """A conversion would copy without ``copy=True`` under ``xb.guard(copy="raise")``."""


class ImplicitMoveError(ImplicitConversionError):
    """A conversion would move data between devices without ``device=`` under
    ``xb.guard(move="raise")``."""


class ImplicitComputeError(ImplicitConversionError):
    """A conversion would compute a lazy (Dask) array under ``xb.guard(compute="raise")``."""


class ImplicitDetachError(ImplicitConversionError):
    """A conversion would cut an autograd graph without ``detach=True`` (the gradient mode
    ``"detach"``) under ``xb.guard(detach="raise")``."""


class ImplicitConversionWarning(UserWarning):
    """What :func:`xpbridge.guard` warns with where a setting is ``"warn"``: an implicit copy,
    move, compute or detach, attributed to the caller's line."""

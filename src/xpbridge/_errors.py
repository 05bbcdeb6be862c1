"""The exception hierarchy of xpbridge.

Every error derives from :class:`BridgeError` *and* from the builtin that code without
xpbridge would catch (``TypeError``, ``ValueError``, ``BufferError``...), so
``except ValueError`` keeps working. Messages say what happened and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "BackendNotAvailableError",
    "BridgeError",
    "CopyRequiredError",
    "DeviceMismatchError",
    "GradientBreakError",
    "ImplicitComputeError",
    "ImplicitConversionError",
    "ImplicitConversionWarning",
    "ImplicitCopyError",
    "ImplicitDetachError",
    "ImplicitMoveError",
    "MixedBackendError",
    "NullValuesError",
    "RaggedSequenceError",
    "UnknownArrayTypeError",
    "UnsupportedDTypeError",
    "UnsupportedOperationError",
]


class BridgeError(Exception):
    """Base class of every error raised by xpbridge itself."""


class UnknownArrayTypeError(BridgeError, TypeError):
    """An object is not an array of any backend xpbridge knows, nor a Python scalar or sequence."""


class BackendNotAvailableError(BridgeError, ImportError):
    """A backend was asked for by name but its library is not installed (or the name is unknown)."""


class RaggedSequenceError(BridgeError, ValueError):
    """A nested sequence has rows of different lengths, so it is no array."""


class MixedBackendError(BridgeError, TypeError):
    """Arrays of different libraries met in one call while the mixing policy is ``"strict"``."""


class DeviceMismatchError(BridgeError, ValueError):
    """Arrays on different devices met in one call; xpbridge never moves data implicitly."""


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

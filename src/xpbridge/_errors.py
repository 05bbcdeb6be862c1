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
    "MixedBackendError",
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

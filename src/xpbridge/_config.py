"""Per-context settings: default backend and device, mixing policy, gradient mode.

Each setting is a :class:`contextvars.ContextVar`, so threads and asyncio tasks each see
their own value, and each has a context manager that restores the previous value on exit.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

from ._errors import BridgeError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = [
    "GRAD_MODES",
    "MIXING_POLICIES",
    "Defaults",
    "current_defaults",
    "get_grad_mode",
    "get_policy",
    "grad_mode",
    "policy",
    "set_grad_mode",
    "set_policy",
    "using",
]

MixingPolicy = Literal["promote", "strict"]
GradMode = Literal["preserve", "detach", "raise"]
MIXING_POLICIES: Final = ("promote", "strict")
GRAD_MODES: Final = ("preserve", "detach", "raise")


class _ConfigError(BridgeError, ValueError):
    pass


class Defaults(NamedTuple):
    """Where arrays go when no input array decides: a backend name and its device (or None)."""

    backend: str = "numpy"
    device: Any = None


# Defaults is frozen, so every context can share this one instance.
_INITIAL_DEFAULTS: Final = Defaults()
_defaults: ContextVar[Defaults] = ContextVar("xpbridge_defaults", default=_INITIAL_DEFAULTS)
_mixing: ContextVar[MixingPolicy] = ContextVar("xpbridge_mixing", default="promote")
_grad: ContextVar[GradMode] = ContextVar("xpbridge_grad_mode", default="preserve")


def current_defaults() -> Defaults:
    """The default backend and device of this context."""
    return _defaults.get()


@contextlib.contextmanager
def using(backend: str, device: Any = None) -> Iterator[None]:
    """Make `backend` (and `device`) the default for calls with no array argument.

    Creation functions (``xb.zeros``, ``xb.asarray`` of a list...) and calls whose
    arguments are all Python scalars use it. Arrays passed in still decide their own
    backend. The setting is local to the current thread or asyncio task.

    Examples
    --------
    >>> import xpbridge as xb
    >>> with xb.using("numpy"):
    ...     xb.zeros(2)
    array([0., 0.])
    """
    from ._backends import get_adapter

    get_adapter(backend)  # fail early, with the helpful message, on an unknown name
    token = _defaults.set(Defaults(backend, device))
    try:
        yield
    finally:
        _defaults.reset(token)


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        msg = f"{what} must be one of {', '.join(map(repr, allowed))}; got {value!r}"
        raise _ConfigError(msg)


def get_policy() -> MixingPolicy:
    """The mixing policy of this context: ``"promote"`` (default) or ``"strict"``."""
    return _mixing.get()


def set_policy(*, mixing: MixingPolicy) -> None:
    """Set the mixing policy for the current context (thread or task) until changed.

    ``"promote"`` lifts arrays of lower-priority libraries into the highest-priority library
    present (torch > cupy > jax > dask > array_api_strict > numpy), zero-copy where
    possible; ``"strict"`` raises :class:`MixedBackendError` instead.
    """
    _check(mixing, MIXING_POLICIES, "mixing")
    _mixing.set(mixing)


@contextlib.contextmanager
def policy(*, mixing: MixingPolicy) -> Iterator[None]:
    """Context manager form of :func:`set_policy`."""
    _check(mixing, MIXING_POLICIES, "mixing")
    token = _mixing.set(mixing)
    try:
        yield
    finally:
        _mixing.reset(token)


def get_grad_mode() -> GradMode:
    """The gradient mode of this context: ``"preserve"`` (default), ``"detach"`` or ``"raise"``."""
    return _grad.get()


#: :func:`get_grad_mode` without its Python frame (the context variable's own reader), for
#: the conversions that look the mode up on every call.
read_grad_mode: Callable[[], GradMode] = _grad.get


def set_grad_mode(mode: GradMode) -> None:
    """Set the gradient mode for the current context (thread or task) until changed."""
    _check(mode, GRAD_MODES, "grad mode")
    _grad.set(mode)


@contextlib.contextmanager
def grad_mode(mode: GradMode) -> Iterator[None]:
    """Choose what conversions do with tensors that require grad, for a block.

    ``"preserve"`` (default): leaving torch needs ``detach=True`` or raises
    :class:`GradientBreakError`. ``"detach"``: conversions out of torch detach, and their
    plan says so. ``"raise"``: a tensor that requires grad reaching any conversion raises,
    even with ``detach=True``.
    """
    _check(mode, GRAD_MODES, "grad mode")
    token = _grad.set(mode)
    try:
        yield
    finally:
        _grad.reset(token)

"""``xb.guard`` and ``xb.audit``: conversions checked and recorded where the caller asks.

Every conversion xpbridge makes runs in ``xpbridge._recipes`` (a cached decision, or a plan
decided for the call); both hand it to :func:`watched` when :data:`ACTIVE` says a guard or
an audit is open somewhere: a list read is all a conversion pays when none is. Which guard
and audits apply is per thread and per asyncio task (context variables).

A step of a plan is *implicit* when the caller did not ask for it by name (``Step.asked``
is False): a ``copy=None`` conversion that copies, a lift inside a mixed call that copies,
a device move without ``device=`` (a host round trip), a lazy array computed to convert, a
detach under ``xb.grad_mode("detach")``. ``copy=True`` asks for every copy. Making a new
array from Python values (``xb.to_torch([1, 2])``) is no conversion of memory: never
implicit.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import threading
import time
import warnings
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

from ._audit import (
    SIDES,
    AuditLog,
    AuditRecord,
    caller,
    endpoint,
    implicit,
    raw,
    record,
    sides,
    where,
)
from ._errors import (
    BridgeError,
    ImplicitComputeError,
    ImplicitConversionError,
    ImplicitConversionWarning,
    ImplicitCopyError,
    ImplicitDetachError,
    ImplicitMoveError,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from ._plan import Plan, Step

__all__ = ["ACTIVE", "audit", "guard", "watched"]

Setting = Literal["allow", "warn", "raise"]
_SETTINGS: Final = ("allow", "warn", "raise")
_ERRORS: Final[dict[str, type[ImplicitConversionError]]] = {
    "copy": ImplicitCopyError,
    "move": ImplicitMoveError,
    "compute": ImplicitComputeError,
    "detach": ImplicitDetachError,
}

#: Guards and audits open, in all threads: the fast paths read ``ACTIVE[0]`` and call
#: :func:`watched` only when it is not 0.
ACTIVE: Final = [0]
_COUNT_LOCK = threading.Lock()
_clock: Final = time.perf_counter


class _Rules(NamedTuple):
    copy: Setting = "allow"
    move: Setting = "allow"
    compute: Setting = "allow"
    detach: Setting = "allow"


_rules: ContextVar[_Rules | None] = ContextVar("xpbridge_guard", default=None)
_logs: ContextVar[tuple[AuditLog, ...]] = ContextVar("xpbridge_audits", default=())


def _opened(delta: int) -> None:
    with _COUNT_LOCK:
        ACTIVE[0] += delta


class _Guard(contextlib.ContextDecorator):
    """The context manager (and decorator) :func:`guard` returns."""

    def __init__(self, settings: dict[str, Setting | None]) -> None:
        for kind, value in settings.items():
            if value is not None and value not in _SETTINGS:
                msg = (
                    f"xb.guard({kind}=...) must be one of {', '.join(map(repr, _SETTINGS))} "
                    f"(or None: as the enclosing guard); got {value!r}"
                )
                raise _GuardSettingError(msg)
        self._settings = settings
        self._tokens: list[Any] = []

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self._settings.items() if v is not None)
        return f"xpbridge.guard({given})"

    def __enter__(self) -> None:
        outer = _rules.get() or _Rules()
        rules = _Rules(
            **{kind: value or getattr(outer, kind) for kind, value in self._settings.items()}
        )
        self._tokens.append(_rules.set(rules))
        _opened(1)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _rules.reset(self._tokens.pop())
        _opened(-1)

    def __call__(self, func: Any) -> Any:
        if inspect.isgeneratorfunction(func) or inspect.iscoroutinefunction(func):
            msg = (
                f"{self!r} cannot decorate the generator or coroutine function "
                f"{func.__qualname__} (its body runs after the call returns): use "
                f"`with {self!r}:` inside it"
            )
            raise TypeError(msg)
        return super().__call__(func)


class _GuardSettingError(BridgeError, ValueError):
    pass


def guard(
    *,
    copy: Setting | None = None,
    move: Setting | None = None,
    compute: Setting | None = None,
    detach: Setting | None = None,
) -> _Guard:
    """Check every conversion xpbridge makes in a block that the caller did not ask for by
    name: ``"allow"`` it (the default), ``"warn"``, or ``"raise"``.

    Parameters
    ----------
    copy : {"allow", "warn", "raise"}, optional
        A conversion that copies without ``copy=True``: a ``copy=None`` conversion that
        cannot share memory, an array lifted into another library inside a mixed call
        (``xb.add(t, a)``) by a copy, a data frame stacked or filled.
    move : {"allow", "warn", "raise"}, optional
        Data moved between devices without ``device=``: ``xb.to_numpy`` of a GPU array (a
        host round trip), a library that cannot live on the data's device. Ask by name
        with ``xb.to(x, "numpy", device="cpu")``.
    compute : {"allow", "warn", "raise"}, optional
        A lazy (Dask) array computed to convert it.
    detach : {"allow", "warn", "raise"}, optional
        An autograd graph cut by ``xb.grad_mode("detach")`` rather than ``detach=True``.

    Returns
    -------
    context manager and decorator
        Per thread and asyncio task (a context variable); a setting left out (``None``)
        is the enclosing guard's. Explicit requests (``copy=True``, ``device=``,
        ``detach=True``) are never refused.

    Raises
    ------
    ImplicitCopyError, ImplicitMoveError, ImplicitComputeError, ImplicitDetachError
        Where a setting is ``"raise"``, before the conversion runs; the message names the
        caller's ``file:line`` (the first frame outside xpbridge), the array and the
        plan's reason. ``"warn"`` warns with :class:`ImplicitConversionWarning` instead,
        attributed to that line.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> frozen = np.arange(3.0)
    >>> frozen.flags.writeable = False
    >>> with xb.guard(copy="raise"):
    ...     xb.to_numpy(frozen)  # NumPy shares read-only memory: no copy
    array([0., 1., 2.])
    """
    return _Guard({"copy": copy, "move": move, "compute": compute, "detach": detach})


# ---------------------------------------------------------------------- the check


def _check(rules: _Rules, plan: Plan, x: Any, copy: bool | None, context: str | None) -> None:
    found = [(kind, step) for kind, step in implicit(plan, copy) if getattr(rules, kind) != "allow"]
    if not found:
        return
    frame, called = caller(sys._getframe(2))
    for kind, step in found:
        setting = getattr(rules, kind)
        message = _message(kind, setting, step, plan, x, where(frame), called, context)
        if setting == "raise":
            raise _ERRORS[kind](message)
        if frame is None:
            warnings.warn(message, ImplicitConversionWarning, stacklevel=3)
        else:
            registry = frame.f_globals.setdefault("__warningregistry__", {})
            warnings.warn_explicit(
                message,
                ImplicitConversionWarning,
                frame.f_code.co_filename,
                frame.f_lineno,
                module=frame.f_globals.get("__name__"),
                registry=registry,
            )


_VERBS: Final = {
    "copy": "copies it",
    "move": "moves it between devices",
    "compute": "computes it",
    "detach": "cuts its autograd graph",
}


def _message(
    kind: str,
    setting: str,
    step: Step,
    plan: Plan,
    x: Any,
    where: str,
    called: str,
    context: str | None,
) -> str:
    what = str(endpoint(plan.source, x))
    if context is not None:
        call = context if context.startswith("xb.") else f"xb.{context}"
        head = f"{call} lifts {what} into {plan.target} and {_VERBS[kind]}"
        fixes = {
            "copy": f"convert it yourself where you mean to copy (xb.to(x, {plan.target!r}, "
            "copy=True))",
        }
    else:
        call = f"xb.{called}" if called else "a conversion"
        head = f"{call} of {what} to {plan.target} {_VERBS[kind]}"
        fixes = {
            "copy": "pass copy=True where you mean to copy (xb.plan says why it cannot share)",
            "move": f"pass device= where you mean to move it (xb.to(x, {plan.target!r}, "
            "device=...))",
            "compute": "compute it yourself where you mean to, then convert the result",
            "detach": "pass detach=True where you mean to cut the graph",
        }
    fix = fixes.get(kind, "do it explicitly first")
    return (
        f"{where}: {head} without being asked ({step}). xb.guard({kind}={setting!r}) is "
        f"open: {fix}, or allow it in a block (xb.guard({kind}='allow'))"
    )


# ---------------------------------------------------------------------- the audit


class _Audit:
    """The context manager :func:`audit` returns; entering gives the log."""

    def __init__(self) -> None:
        self.log = AuditLog()
        self._tokens: list[Any] = []

    def __enter__(self) -> AuditLog:
        self._tokens.append(_logs.set((*_logs.get(), self.log)))
        _opened(1)
        return self.log

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _logs.reset(self._tokens.pop())
        _opened(-1)


def audit() -> _Audit:
    """Record every conversion xpbridge makes in a block, explicit and implicit.

    Returns
    -------
    context manager
        ``with xb.audit() as log:`` gives an :class:`AuditLog`: iterate it for
        :class:`AuditRecord` objects (source and target library, device, dtype and shape,
        ``nbytes``, ``copied`` / ``moved`` / ``computed`` / ``detached``, the route, the
        time, the caller's ``file:line`` as ``where``), ``print(log)`` for a table by call
        site, ``log.to_dicts()`` to export. Audits nest (each records what runs inside
        it) and are per thread and asyncio task. A record costs about as much as a plain
        conversion; conversions that raise are not recorded.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> with xb.audit() as log:
    ...     b = xb.to_numpy(np.arange(3.0), copy=True)
    >>> [(r.source.library, r.target.library, r.nbytes, r.copied) for r in log]
    [('numpy', 'numpy', 24, True)]
    """
    return _Audit()


# ---------------------------------------------------------------------- the hook


def watched(
    plan: Plan,
    run: Callable[[Any], Any],
    x: Any,
    copy: bool | None,
    context: str | None,
    cached: bool = False,
) -> Any:
    """Run `run(x)` (the conversion `plan` describes) under this context's guard and
    audits: checked first, recorded after. `copy` is the call's ``copy=``; `context` names
    the mixed call lifting `x` (None for a conversion asked for by name); `cached` says
    `plan` is a cached decision (its sides are then read once, see ``SIDES``)."""
    rules = _rules.get()
    logs = _logs.get()
    if rules is None and not logs:
        return run(x)  # a guard or audit is open in another thread or task
    if rules is not None and plan.error is None:
        _check(rules, plan, x, copy, context)
    if not logs:
        return run(x)
    start = _clock()
    result = run(x)
    seconds = _clock() - start
    # The caller of watched's caller (run_watched's, run_plan's) is xpbridge's still.
    frame, called = caller(sys._getframe(2))
    # The caller's code and instruction: its line is found when the record is read (the
    # frame's f_lineno scans the code's line table, which can cost a microsecond).
    code, offset = (None, 0) if frame is None else (frame.f_code, frame.f_lasti)
    entry: tuple[Any, ...] | AuditRecord
    if cached:
        found = SIDES.get(id(plan))
        if found is None or found[0] is not plan:
            found = sides(plan, x, result)
        # A conversion keeps the shape; only a lazy source's may be unknown until computed.
        shape = result.shape if found[3] else None
        entry = (found, x.shape, shape, seconds, copy, context, code, offset, called)
    else:  # a plan made for this call, which may hold the input (a frame's view): not kept
        found = (plan, raw(x)[:3], raw(result)[:3], True)
        shapes = getattr(x, "shape", None), getattr(result, "shape", None)
        entry = record((found, *shapes, seconds, copy, context, code, offset, called))
    for log in logs:
        log._entries.append(entry)
    return result

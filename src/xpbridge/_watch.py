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
import math
import os
import sys
import threading
import time
import warnings
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from ._backends import adapter_for_type
from ._dtypes import DTYPES, dtype_name
from ._errors import (
    BridgeError,
    ImplicitComputeError,
    ImplicitConversionError,
    ImplicitConversionWarning,
    ImplicitCopyError,
    ImplicitDetachError,
    ImplicitMoveError,
)
from ._frames import frame_kind, promoted_dtype
from ._frames import read as read_frame

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType, TracebackType

    from ._plan import Plan, Step

__all__ = [
    "ACTIVE",
    "AuditLog",
    "AuditRecord",
    "Endpoint",
    "audit",
    "guard",
    "watched",
]

Setting = Literal["allow", "warn", "raise"]
_SETTINGS: Final = ("allow", "warn", "raise")
_KINDS: Final = ("copy", "move", "compute", "detach")
_ERRORS: Final[dict[str, type[ImplicitConversionError]]] = {
    "copy": ImplicitCopyError,
    "move": ImplicitMoveError,
    "compute": ImplicitComputeError,
    "detach": ImplicitDetachError,
}
#: Steps that are their own kind; any other step that copies is a copy.
_KIND_OF_ACTION: Final = {"move": "move", "compute": "compute", "detach": "detach"}

#: Guards and audits open, in all threads: the fast paths read ``ACTIVE[0]`` and call
#: :func:`watched` only when it is not 0.
ACTIVE: Final = [0]
_COUNT_LOCK = threading.Lock()
_clock: Final = time.perf_counter

_PACKAGE: Final = os.path.dirname(os.path.abspath(__file__)) + os.sep
#: Generated public functions and imports have file names like "<xpbridge.add #3>".
_GENERATED: Final = "<xpbridge"


@dataclass(frozen=True, slots=True)
class _Rules:
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


def _implicit(plan: Plan, copy: bool | None) -> list[tuple[str, Step]]:
    """The steps of `plan` the caller did not ask for, each with its kind."""
    found = []
    for step in plan.steps:
        if step.asked or step.refused:
            continue
        kind = _KIND_OF_ACTION.get(step.action)
        if kind is None:
            if not step.copies or copy is True or step.action == "create":
                continue
            kind = "copy"
        found.append((kind, step))
    return found


#: Code object -> whether it is xpbridge's (its file in the package, or generated).
_INSIDE: dict[Any, bool] = {}


def _caller(frame: FrameType | None) -> tuple[FrameType | None, str]:
    """The first frame outside xpbridge from `frame` up, and the xpbridge function it
    called (``"to_torch"``, ``"add"``)."""
    called = ""
    inside = _INSIDE
    while frame is not None:
        code = frame.f_code
        ours = inside.get(code)
        if ours is None:
            ours = inside[code] = code.co_filename.startswith((_PACKAGE, _GENERATED))
        if not ours:
            return frame, called
        called = code.co_name
        frame = frame.f_back
    return None, called


def _where(frame: FrameType | None) -> str:
    if frame is None:
        return "<unknown>"
    return _file_line(frame.f_code.co_filename, frame.f_lineno)


def _file_line(name: str, line: int) -> str:
    """``file:line``, the file relative to the working directory when it is inside it."""
    if os.path.isabs(name):
        try:
            relative = os.path.relpath(name)
        except ValueError:  # another drive (Windows)
            relative = name
        if not relative.startswith(".."):
            name = relative
    return f"{name}:{line}"


def _check(rules: _Rules, plan: Plan, x: Any, copy: bool | None, context: str | None) -> None:
    found = [
        (kind, step) for kind, step in _implicit(plan, copy) if getattr(rules, kind) != "allow"
    ]
    if not found:
        return
    frame, called = _caller(sys._getframe(2))
    for kind, step in found:
        setting = getattr(rules, kind)
        message = _message(kind, setting, step, plan, x, _where(frame), called, context)
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
    what = str(_endpoint(plan.source, x))
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


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One side of a recorded conversion: library, device, dtype and shape."""

    library: str
    device: str
    dtype: str
    shape: tuple[int | None, ...] | None

    def __str__(self) -> str:
        shape = "?" if self.shape is None else str(self.shape)
        # A backend's name is a library ("a torch array"); a frame's a type ("a pandas.Series").
        noun = self.library if "." in self.library else f"{self.library} array"
        article = "an" if noun[0] in "aeiou" else "a"
        return f"{article} {noun} ({self.dtype}, shape {shape}, on {self.device})"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One conversion recorded by :func:`audit`.

    ``copied`` says new memory was made (by any step), ``moved`` / ``computed`` /
    ``detached`` whether a step moved it between devices, computed a lazy array or cut an
    autograd graph, ``implicit`` the kinds of step the caller did not ask for by name (as
    :func:`guard` sees them). ``route`` is the plan as a sentence, ``seconds`` the time the
    conversion took, ``where`` the caller's ``file:line`` and ``call`` the xpbridge
    function it called (``"to_torch"``, or ``"add"`` for a lift inside ``xb.add``).
    """

    source: Endpoint
    target: Endpoint
    nbytes: int | None
    copied: bool
    moved: bool
    computed: bool
    detached: bool
    implicit: tuple[str, ...]
    route: str
    seconds: float
    where: str
    call: str

    def as_dict(self) -> dict[str, Any]:
        """The record as plain values (endpoints as dicts), e.g. for JSON or a DataFrame."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        for side in ("source", "target"):
            endpoint = fields[side]
            fields[side] = {name: getattr(endpoint, name) for name in endpoint.__slots__}
        return fields


#: A cached decision's plan -> the (type, dtype, device) of its source and of its result,
#: and whether the result's shape must be read (a lazy source's may be unknown): the same
#: for every array it runs on (the traits that chose it fix them), so an audit reads only
#: the input's shape per conversion.
_SIDES: dict[int, tuple[Plan, tuple[Any, ...], tuple[Any, ...], bool]] = {}
_SIDES_LIMIT: Final = 1024


def _sides(plan: Plan, x: Any, result: Any) -> tuple[Plan, tuple[Any, ...], tuple[Any, ...], bool]:
    if len(_SIDES) >= _SIDES_LIMIT:
        _SIDES.clear()
    lazy = any(step.action == "compute" for step in plan.steps)
    found = _SIDES[id(plan)] = (plan, _raw(x)[:3], _raw(result)[:3], lazy)
    return found


def _raw(x: Any) -> tuple[Any, ...]:
    """What a record needs of array `x`: its type, dtype, device and shape."""
    adapter = adapter_for_type(type(x))
    if adapter is None:
        return _raw_other(x)
    return type(x), getattr(x, "dtype", None), adapter.device(x), getattr(x, "shape", None)


def _raw_other(x: Any) -> tuple[Any, ...]:
    """:func:`_raw` of a data frame (as the array it converts to) or of Python values."""
    if frame_kind(x) is not None:
        frame = read_frame(x)
        return type(x), promoted_dtype(frame.columns, nan=False), "cpu", frame.shape
    return type(x), None, "cpu", None


def _record(entry: tuple[Any, ...] | AuditRecord) -> AuditRecord:
    """The record of a conversion kept as ``((plan, source, result, lazy), source shape,
    result shape or None (the same), seconds, copy, context, caller's code, its instruction
    offset, call)``, source and result as the first three of :func:`_raw`."""
    if isinstance(entry, AuditRecord):
        return entry
    sides, shape, result_shape, seconds, copy, context, code, offset, called = entry
    plan, source, result, _ = sides
    if result_shape is None:
        result_shape = shape
    actions = {step.action for step in plan.steps if not step.refused}
    source_side = _endpoint_of(plan.source, source[0], source[1], source[2], shape)
    target_side = _endpoint_of(plan.target, result[0], result[1], result[2], result_shape)
    nbytes = _nbytes(source_side)
    if nbytes is None:
        nbytes = _nbytes(target_side)
    return AuditRecord(
        source=source_side,
        target=target_side,
        nbytes=nbytes,
        copied=plan.copies,
        moved="move" in actions,
        computed="compute" in actions,
        detached=plan.detaches,
        implicit=tuple(sorted({kind for kind, _ in _implicit(plan, copy)})),
        route=str(plan),
        seconds=seconds,
        where="<unknown>" if code is None else _file_line(code.co_filename, _line(code, offset)),
        call=called if context is None else f"{called} (lift)",
    )


def _line(code: Any, offset: int) -> int:
    """The line of `code` at instruction `offset` (a frame's ``f_lasti``)."""
    for start, end, line in code.co_lines():
        if start <= offset < end and line is not None:
            return int(line)
    return int(code.co_firstlineno)


def _endpoint_of(library: str, cls: type, dtype: Any, device: Any, shape: Any) -> Endpoint:
    adapter = adapter_for_type(cls)
    name = dtype_name(dtype, strict=False) if dtype is not None else None
    if adapter is not None:
        device = adapter.device_str(device)
    dims = None
    if shape is not None:
        dims = tuple(None if n is None or math.isnan(n) else int(n) for n in shape)
    return Endpoint(library, str(device), name or ("-" if dtype is None else str(dtype)), dims)


def _endpoint(library: str, x: Any) -> Endpoint:
    return _endpoint_of(library, *_raw(x))


def _nbytes(endpoint: Endpoint) -> int | None:
    if endpoint.shape is None or endpoint.dtype not in DTYPES:
        return None
    if any(n is None for n in endpoint.shape):
        return None
    return math.prod(n for n in endpoint.shape if n is not None) * DTYPES[endpoint.dtype].itemsize


class AuditLog:
    """The conversions :func:`audit` recorded, in order.

    Iterating gives :class:`AuditRecord` objects; ``len(log)`` counts them;
    ``log.to_dicts()`` exports them as dicts; ``str(log)`` (``print(log)``) is a table by
    call site: conversions, bytes, copies, moves, computes, detaches, implicit steps and
    time.
    """

    __slots__ = ("_entries", "_records")

    def __init__(self) -> None:
        #: Conversions as recorded (tuples, see _record): names are read only when asked.
        self._entries: list[tuple[Any, ...] | AuditRecord] = []
        self._records: list[AuditRecord] = []

    @property
    def records(self) -> list[AuditRecord]:
        """Every record so far, oldest first."""
        done = len(self._records)
        if done < len(self._entries):
            self._records.extend(_record(entry) for entry in self._entries[done:])
        return list(self._records)

    def __iter__(self) -> Iterator[AuditRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> AuditRecord:
        return self.records[index]

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every record as a dict (:meth:`AuditRecord.as_dict`)."""
        return [record.as_dict() for record in self.records]

    def __repr__(self) -> str:
        sites = len({record.where for record in self.records})
        return f"<AuditLog: {len(self)} conversions at {sites} call sites>"

    def __str__(self) -> str:
        sites: dict[str, list[AuditRecord]] = {}
        for record in self.records:
            sites.setdefault(record.where, []).append(record)
        header = (
            "call site",
            "calls",
            "conversions",
            "bytes",
            "copies",
            "moves",
            "computes",
            "detaches",
            "implicit",
            "time",
        )
        rows = [header]
        for where, records in sites.items():
            implicit = sorted({kind for r in records for kind in r.implicit})
            rows.append(
                (
                    where,
                    ", ".join(dict.fromkeys(r.call for r in records)),
                    str(len(records)),
                    _bytes(sum(r.nbytes or 0 for r in records)),
                    str(sum(r.copied for r in records)),
                    str(sum(r.moved for r in records)),
                    str(sum(r.computed for r in records)),
                    str(sum(r.detached for r in records)),
                    ", ".join(implicit) or "-",
                    _seconds(sum(r.seconds for r in records)),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _bytes(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _seconds(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


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
        it) and are per thread and asyncio task. A record costs about a microsecond;
        conversions that raise are not recorded.

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
    `plan` is a cached decision (its sides are then read once, see ``_SIDES``)."""
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
    # Frames up to the one that called `run` (cached) or `run_plan` are xpbridge's.
    frame, called = _caller(sys._getframe(3 if cached else 2))
    # The caller's code and instruction: its line is found when the record is read (the
    # frame's f_lineno scans the code's line table, which can cost a microsecond).
    code, offset = (None, 0) if frame is None else (frame.f_code, frame.f_lasti)
    entry: tuple[Any, ...] | AuditRecord
    if cached:
        sides = _SIDES.get(id(plan))
        if sides is None or sides[0] is not plan:
            sides = _sides(plan, x, result)
        # A conversion keeps the shape; only a lazy source's may be unknown until computed.
        shape = result.shape if sides[3] else None
        entry = (sides, x.shape, shape, seconds, copy, context, code, offset, called)
    else:  # a plan made for this call, which may hold the input (a frame's view): not kept
        sides = (plan, _raw(x)[:3], _raw(result)[:3], True)
        shapes = getattr(x, "shape", None), getattr(result, "shape", None)
        entry = _record((sides, *shapes, seconds, copy, context, code, offset, called))
    for log in logs:
        log._entries.append(entry)
    return result

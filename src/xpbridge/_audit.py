"""What ``xb.audit`` records, and what a conversion did that nobody asked for.

A recorded conversion is kept as a tuple (see :func:`record`) and read into an
:class:`AuditRecord` only when the log is read: recording costs about as much as a plain
conversion (1.5 us on the development machine, see docs/performance.md). The
guard (``xpbridge._watch``) shares the reading of a plan (:func:`implicit`) and of the
caller (:func:`caller`).
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from ._backends import adapter_for_type
from ._dtypes import DTYPES, dtype_name
from ._frames import frame_kind, promoted_dtype
from ._frames import read as read_frame

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

    from ._plan import Plan, Step

__all__ = [
    "SIDES",
    "AuditLog",
    "AuditRecord",
    "Endpoint",
    "caller",
    "endpoint",
    "implicit",
    "raw",
    "record",
    "sides",
    "where",
]

#: Steps that are their own kind; any other step that copies is a copy.
_KIND_OF_ACTION: Final = {"move": "move", "compute": "compute", "detach": "detach"}
_PACKAGE: Final = os.path.dirname(os.path.abspath(__file__)) + os.sep
#: Generated public functions and imports have file names like "<xpbridge.add #3>".
_GENERATED: Final = "<xpbridge"


def implicit(plan: Plan, copy: bool | None) -> list[tuple[str, Step]]:
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


def caller(frame: FrameType | None) -> tuple[FrameType | None, str]:
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


def where(frame: FrameType | None) -> str:
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


class Endpoint(NamedTuple):
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


class AuditRecord(NamedTuple):
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
        fields = self._asdict()
        fields["source"] = self.source._asdict()
        fields["target"] = self.target._asdict()
        return fields


#: A cached decision's plan -> the (type, dtype, device) of its source and of its result,
#: and whether the result's shape must be read (a lazy source's may be unknown): the same
#: for every array it runs on (the traits that chose it fix them), so an audit reads only
#: the input's shape per conversion.
SIDES: dict[int, tuple[Plan, tuple[Any, ...], tuple[Any, ...], bool]] = {}
SIDES_LIMIT: Final = 1024


def sides(plan: Plan, x: Any, result: Any) -> tuple[Plan, tuple[Any, ...], tuple[Any, ...], bool]:
    if len(SIDES) >= SIDES_LIMIT:
        SIDES.clear()
    lazy = any(step.action == "compute" for step in plan.steps)
    found = SIDES[id(plan)] = (plan, raw(x)[:3], raw(result)[:3], lazy)
    return found


def raw(x: Any) -> tuple[Any, ...]:
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


def record(entry: tuple[Any, ...] | AuditRecord) -> AuditRecord:
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
        implicit=tuple(sorted({kind for kind, _ in implicit(plan, copy)})),
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


def endpoint(library: str, x: Any) -> Endpoint:
    return _endpoint_of(library, *raw(x))


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
            self._records.extend(record(entry) for entry in self._entries[done:])
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

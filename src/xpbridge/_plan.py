"""Deciding a conversion: the one place that applies the whole contract.

Every conversion xpbridge makes, explicit or implicit (``xb.to``, a lift inside a mixed
call, ``asarray`` of a foreign input, a Dask array computed to convert), is decided here by
:func:`decide`: a list of :class:`Step` records (detach, compute, resolve a lazy view,
cast, move between devices, copy, import), each with its reason and whether it copies,
and the error that refuses the conversion, if any. ``xpbridge._recipes`` caches these
decisions and runs them; ``xb.plan`` returns them without running.

The rules (the table in ``docs/conversion.md``):

* ``copy=None`` shares memory when the target can hold the data as it is, else copies;
  ``copy=True`` always gives independent memory; ``copy=False`` never copies and raises
  :class:`CopyRequiredError` naming every reason a copy would be needed.
* Leaving a library with autograd with an array that requires grad follows the gradient
  mode (:func:`xpbridge.grad_mode`): refused with :class:`GradientBreakError` unless
  ``detach=True`` (``"preserve"``), detached (``"detach"``), or always refused (``"raise"``).
* Devices change only when the call asks: ``device=``, or a target that cannot live where
  the data is (NumPy lives on the host, so ``to_numpy`` of a GPU array is a host copy). An
  implicit conversion (a lift inside a mixed call) never moves: it is refused.
* A library's zero-copy route is guarded against inputs it would mishandle: the target's
  ``share_refusals`` say why it must not alias the memory as it is.
* Routes are generic, chosen from what each adapter declares (never a peer's name): in
  host memory the source's view (``host_export``) and the target's import
  (``host_import``), or the target's copying import when a copy is needed anyway; on a
  device, DLPack.
* A data frame (pandas, polars, pyarrow: ``xpbridge._frames``) is its library's read-only
  NumPy view, then planned as that array; or, where its values are no one view of the
  result's dtype, one copy into new memory laid out for the target (``_plan_frame``).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from ._backends import adapter_for_type, get_adapter
from ._backends._base import Route
from ._backends._host import freeze, host_copy
from ._coerce import make_array
from ._config import get_grad_mode
from ._dtypes import dtype_name
from ._errors import (
    BridgeError,
    CopyRequiredError,
    DeviceMismatchError,
    DeviceNotAvailableError,
    GradientBreakError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
    UnsupportedOperationError,
)
from ._frames import frame_dtype, frame_kind, promoted_dtype
from ._frames import read as read_frame

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._backends._base import Adapter, Facts
    from ._frames import NullPolicy
    from ._frames._columns import Frame

__all__ = ["SCALARS", "Plan", "Step", "check_array_like", "decide", "decide_any"]

SCALARS: Final = (bool, int, float, complex)
_DLPACK_CPU: Final = 1  # kDLCPU
_BIT_NAMES: Final = {"conj": "conjugate", "neg": "negative"}


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a conversion: what it does, why, and whether it copies the data.

    A ``refused`` step is one the conversion would need but may not take (cutting an
    autograd graph without ``detach=True``); the plan's ``error`` then says how to allow it.
    ``asked`` marks a step the caller asked for by name (``copy=True``, ``device=``,
    ``dtype=``, ``detach=True``); the others are implicit (the guard and audit tell them
    apart).
    """

    action: str
    reason: str
    copies: bool
    run: Callable[[Any], Any] = field(repr=False, compare=False)
    refused: bool = False
    asked: bool = False

    def __str__(self) -> str:
        if self.refused:
            return f"{self.action}: refused ({self.reason})"
        copies = " -> copy" if self.copies and self.action != "copy" else ""
        return f"{self.action}{copies} ({self.reason})"


@dataclass(frozen=True, slots=True)
class Plan:
    """The record of a conversion: its steps, and the error that refuses it, if any.

    ``str(plan)`` reads as a sentence; ``plan.copies`` says whether new memory is made and
    ``plan.shares_memory`` whether the result aliases the input.
    """

    source: str
    target: str
    steps: tuple[Step, ...]
    error: BridgeError | None = None
    #: Whether the decision read the gradient mode (it then differs between modes).
    reads_grad_mode: bool = field(default=False, repr=False, compare=False)

    @property
    def copies(self) -> bool:
        return any(step.copies for step in self.steps)

    @property
    def shares_memory(self) -> bool:
        return self.error is None and not self.copies

    @property
    def detaches(self) -> bool:
        return any(step.action == "detach" and not step.refused for step in self.steps)

    def __str__(self) -> str:
        parts = [str(step) for step in self.steps]
        if not parts and self.error is None:
            parts = ["nothing to do (same library, device and dtype)"]
        if self.error is not None:
            if not any(step.refused for step in self.steps):
                parts.append(f"refused: {type(self.error).__name__}: {self.error}")
        elif not self.copies:
            parts.append("zero-copy: the result shares memory with the input")
        return f"{self.source} -> {self.target}: " + "; ".join(parts)

    def execute(self, x: Any) -> Any:
        """Run the steps on `x` (raising the plan's error, if it has one)."""
        if self.error is not None:
            raise self.error
        for step in self.steps:
            x = step.run(x)
        return x


def _refuse(error: BridgeError) -> Callable[[Any], Any]:
    def run(x: Any) -> Any:
        raise error

    return run


def _then(first: Callable[[Any], Any], second: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def both(x: Any) -> Any:
        return second(first(x))

    return both


class _Planner:
    """Builds the steps of one conversion; each ``_plan_*`` method handles one concern.

    A concern that cannot be satisfied either stops the planning (an unsupported input or
    dtype: nothing after it would mean anything) or, for the gradient, ``copy=False`` and
    no-move rules, is recorded and the planning goes on, so that the plan shows every step.
    `lift` names the mixed call that lifts the array (an implicit conversion: never moved).
    """

    def __init__(
        self,
        source: Adapter,
        facts: Facts,
        target: Adapter,
        *,
        device: Any,
        dtype: Any,
        copy: bool | None,
        detach: bool | None,
        chunks: Any,
        lift: str | None,
    ) -> None:
        self.source = source
        self.facts = facts
        self.target = target
        self.copy = copy
        self.detach = detach
        self.chunks = chunks
        self.lift = lift
        self.current: Adapter = source  # the library holding the data after each step
        self.steps: list[Step] = []
        self.copy_reasons: list[str] = []
        self.refusal: BridgeError | None = None
        self.dtype: str = facts.dtype if dtype is None else str(dtype_name(dtype))
        self.dtype_asked = dtype is not None
        self.device = device
        self.at_device = facts.device
        self.cast_done = False
        self.reads_grad_mode = False

    def add(
        self,
        action: str,
        reason: str,
        run: Callable[[Any], Any],
        *,
        copies: bool,
        asked: bool = False,
    ) -> None:
        self.steps.append(Step(action, reason, copies, run, asked=asked))
        if copies:
            self.copy_reasons.append(f"{action}: {reason}")

    @property
    def copied(self) -> bool:
        return bool(self.copy_reasons)

    def build(self) -> Plan:
        error: BridgeError | None = None
        try:
            target_device = self._target_device()
            self._plan_supported(target_device)
            self._plan_gradient()
            self._plan_scalar()
            self._plan_compute()
            self._plan_lazy_bits()
            self._plan_source_side(target_device)
            if self.target.supports_device(self.at_device):
                self._plan_import(target_device)
            else:
                self._plan_upload(target_device)
            self._plan_target_side(target_device)
            self._plan_no_move(target_device)
            if self.refusal is not None:
                raise self.refusal
            if self.copy is False and self.copied:
                raise CopyRequiredError(self._copy_message())
            self._plan_reading()
        except BridgeError as exc:
            error = exc
        return Plan(
            self.source.name,
            self.target.name,
            tuple(self.steps),
            error,
            reads_grad_mode=self.reads_grad_mode,
        )

    def _plan_reading(self) -> None:
        """A conversion that copies reads the memory, one into another library hands it on:
        refuse memory it must not read, and (for libraries whose memory can go bad between
        calls) check a copy again when it runs (their views check themselves)."""
        if self.facts.lazy or not (self.copied or self.source is not self.target):
            return
        if self.facts.unreadable is not None:
            msg = (
                f"cannot convert this {self.source.name} {self.source.array_noun} to "
                f"{self.target.name}: {self.facts.unreadable}. Give it memory again (or make "
                "a new one) before converting"
            )
            raise UnsupportedOperationError(msg)
        if self.copied and self.source.guards_memory:
            first = self.steps[0]
            guarded = functools.partial(_read_guarded, self.source, first.run)
            self.steps[0] = dataclasses.replace(first, run=guarded)

    def _copy_message(self) -> str:
        return (
            f"copy=False, but converting this {self.facts.backend} array to "
            f"{self.target.name} must copy: "
            + "; ".join(self.copy_reasons)
            + ". Pass copy=None to allow the copy"
        )

    # -- the concerns, in the order their steps run

    def _plan_supported(self, target_device: str) -> None:
        unsupported = self.facts.unsupported
        if unsupported is None:
            return
        if self.target is self.source and (self.facts.device != "meta" or target_device == "meta"):
            return  # its own library can still copy, cast, detach or move it
        msg = f"cannot convert to {self.target.name}: the input is a {unsupported}"
        if self.facts.device == "meta":
            msg += (
                "; there are no values to convert. Make the array on a real device "
                f"(device='cpu'), or stay in {self.source.name} for shapes alone"
            )
        raise UnsupportedOperationError(msg)

    def _plan_gradient(self) -> None:
        if not self.facts.requires_grad:
            return
        leaving = self.target is not self.source
        if not leaving and not self.detach:
            return  # staying in the library keeps the graph (casts and moves differentiate)
        self.reads_grad_mode = True
        mode = get_grad_mode()
        source, noun = self.source.name, self.source.array_noun
        if mode == "raise":
            msg = (
                f"this {noun} requires grad and the gradient mode is 'raise': no conversion may "
                f"cut its graph, even with detach=True. Keep the computation in {source} (xb "
                "functions keep the graph), or leave xb.grad_mode('raise')"
            )
            self._refuse_detach("the gradient mode is 'raise'", GradientBreakError(msg))
        elif self.detach is True or (self.detach is None and mode == "detach"):
            why = "detach=True" if self.detach else "the gradient mode is 'detach'"
            self.add(
                "detach",
                f"cut the autograd graph: {why}",
                self.source.detach,
                copies=False,
                asked=self.detach is True,
            )
        elif self.lift is not None:
            # An implicit conversion (a mixed call, xb.at's value): no detach= to pass.
            msg = (
                f"{self.lift}: a {noun} that requires grad would be converted to "
                f"{self.target.name} to meet its arrays, which cuts its autograd graph. Cut it "
                f"on purpose with xb.detach(v) first, or bring the other arrays into {source} "
                f"(xb.to(x, {source!r})) so that the graph is kept"
            )
            self._refuse_detach("requires_grad: xb.detach it first", GradientBreakError(msg))
        else:
            msg = (
                f"converting a {noun} that requires grad to {self.target.name} would "
                "cut its autograd graph. Pass detach=True to cut it on purpose (e.g. for "
                "logging; xb.detach(x) first where a function takes no detach=), use "
                "xb.grad_mode('detach') for a block, or keep the computation in "
                f"{source}: xb functions keep the graph, and xb.numpy_function runs NumPy "
                "code inside it"
            )
            self._refuse_detach("requires_grad: pass detach=True", GradientBreakError(msg))

    def _refuse_detach(self, reason: str, error: BridgeError) -> None:
        self.steps.append(Step("detach", reason, False, _refuse(error), refused=True))
        if self.refusal is None:
            self.refusal = error

    def _plan_scalar(self) -> None:
        if not self.facts.scalar or (self.target is self.source and not self.copy):
            return
        self.add(
            "create",  # no memory to share: not a copy a guard could spare (xb.guard)
            "a NumPy scalar is a value, not memory: it becomes a new 0-d array",
            np.array,
            copies=True,
        )

    def _plan_compute(self) -> None:
        if not self.facts.lazy or self.target is self.source:
            return
        host = get_adapter(self.facts.computes_into or "numpy")
        compute = self.source.compute
        # Host memory laid out as the target aliases it (JAX: aligned): no second copy.
        empty = self.target.host_empty
        self.add(
            "compute",
            f"{self.source.name} evaluates the lazy array into new {host.name} memory",
            compute if empty is None else functools.partial(compute, empty=empty),
            copies=True,
        )
        self.current = host

    def _plan_lazy_bits(self) -> None:
        if not self.facts.lazy_bits or self.target is self.source:
            return
        source = self.source
        for bit in self.facts.lazy_bits:
            self.add(
                f"resolve {_BIT_NAMES.get(bit, bit)} view",
                f"{source.name}'s lazy {bit} bit has no meaning outside {source.name}",
                functools.partial(_resolve_bit, source, bit),
                copies=True,
            )

    def _target_device(self) -> str:
        target = self.target
        if self.device is not None:
            return target.device_str(target.native_device(self.device))
        if target.supports_device(self.facts.device):
            return self.facts.device
        return target.device_str(target.default_device())

    def _plan_source_side(self, target_device: str) -> None:
        """Casts and device moves done by the library holding the data, before the import."""
        current, target = self.current, self.target
        if not target.has_dtype(self.dtype):
            raise UnsupportedDTypeError(target.missing_dtype_message(self.dtype))
        if self.dtype != self.facts.dtype:
            if current.has_dtype(self.dtype):
                self._cast(current)
            elif not target.has_dtype(self.facts.dtype):
                msg = (
                    f"cannot convert {self.facts.dtype} to {self.dtype}: {current.name} has no "
                    f"{self.dtype} and {target.name} no {self.facts.dtype}"
                )
                raise UnsupportedDTypeError(msg)
        if target_device == self.at_device:
            return
        if current.supports_device(target_device):
            # The holder reaches the target device itself (torch cpu -> cuda, cupy -> cupy).
            self._move(current, target_device)
        elif not target.supports_device(self.at_device) and self.at_device != "cpu":
            # Neither library can hold the data where the other has it: go through the host.
            self.add(
                "move",
                f"{self.at_device} -> cpu: {current.name} copies to host memory",
                current.to_host,
                copies=True,
                asked=self.device is not None,
            )
            self.current = get_adapter("numpy")
            self.at_device = "cpu"

    def _move(self, adapter: Adapter, device: str) -> None:
        self.add(
            "move",
            f"{self.at_device} -> {device} in {adapter.name}",
            functools.partial(_to_device, adapter, device),
            copies=True,
            asked=self.device is not None,
        )
        self.at_device = device

    def _cast(self, adapter: Adapter) -> None:
        self.add(
            "cast",
            f"{self.facts.dtype} -> {self.dtype} in {adapter.name}",
            functools.partial(_astype, adapter, self.dtype),
            copies=True,
            asked=self.dtype_asked,
        )
        self.cast_done = True

    def _plan_import(self, target_device: str) -> None:
        """Hand the data to the target: zero-copy when it may alias the memory, else a copy
        (by the target's copying import where it has one, else on the host or in the
        library holding the data)."""
        current, target = self.current, self.target
        needs = [] if self.copied else target.share_refusals(self.facts, copy=self.copy)
        copies_later = self.at_device != target_device or (
            self.dtype != self.facts.dtype and not self.cast_done
        )
        asked = bool(self.copy and not self.copied and not copies_later)
        if asked:
            needs.append("copy=True asks for independent memory")
        if current is target:
            if self.chunks is not None and self.facts.lazy:
                # A lazy array asked for other chunks (to_dask(x, chunks=)): lazy, no copy yet.
                self.add(
                    "rechunk",
                    f"rechunk to {self.chunks!r}, lazily",
                    functools.partial(_rechunk, target, self.chunks),
                    copies=False,
                )
            if needs:
                self.add("copy", "; ".join(needs), current.copy, copies=True, asked=asked)
            return
        dtype = self.dtype if self.cast_done else self.facts.dtype
        export = current.host_export(dtype) if self.at_device == "cpu" else None
        if (
            self.copied
            and self.facts.immutable
            and current is self.source
            and target.share_refusals(self.facts, copy=self.copy)
        ):
            # New memory of an immutable library (a cast made it): its host view is
            # read-only, which the target refuses, but nobody else holds it: DLPack.
            export = None
        host_import = None if export is None else target.host_import(dtype, chunks=self.chunks)
        if export is not None and host_import is not None:
            self._import_through_host(export, host_import, needs, asked)
        else:
            if needs:
                self.add("copy", "; ".join(needs), current.copy, copies=True, asked=asked)
            self._import(target.wrap_import(current, chunks=self.chunks) or target.dlpack_import)
        self.current = target

    def _import_through_host(
        self, export: Route, host_import: Route, needs: list[str], asked: bool
    ) -> None:
        """Host memory: the holder's NumPy view, then the target's import of it."""
        if not needs:
            route = _chain(export, host_import)
            if route.name:  # else both are NumPy's own memory: nothing to do
                self._import(route)
            return
        copying = self.target.host_copy_import(self.dtype if self.cast_done else self.facts.dtype)
        if copying is not None:
            self._import(_chain(export, copying), needed="; ".join(needs), asked=asked)
            return
        # A copy on the host (native byte order, positive strides: any library can alias
        # it), between the view and the import.
        if export.name:
            self._import(export, into="numpy")
        self.add("copy", "; ".join(needs), host_copy, copies=True, asked=asked)
        if host_import.name:
            self._import(host_import, source="numpy")

    def _import(
        self,
        route: Route,
        *,
        needed: str = "",
        asked: bool = False,
        into: str | None = None,
        source: str | None = None,
    ) -> None:
        into = into or self.target.name
        why = f"{source or self.current.name} -> {into} via {route.name}: {route.why}"
        if needed:
            why += f"; needed: {needed}"
        self.add("import", why, route.run, copies=route.copies, asked=asked)

    def _plan_upload(self, target_device: str) -> None:
        """Host data into a library that lives only on devices (CuPy): one copying transfer."""
        export = self.current.host_export(self.dtype if self.cast_done else self.facts.dtype)
        if export is not None and export.name:
            self._import(export, into="numpy")
        elif export is None:
            msg = f"{self.current.name} has no view of its memory on the host to upload from"
            raise UnsupportedOperationError(msg)
        target = self.target
        self.add(
            "move",
            f"cpu -> {target_device}: {target.name} copies from host memory",
            functools.partial(_from_host, target, target_device),
            copies=True,
            asked=self.device is not None,
        )
        self.current = target
        self.at_device = target_device

    def _plan_target_side(self, target_device: str) -> None:
        """Casts and moves only the target library can do, after the import."""
        if self.dtype != self.facts.dtype and not self.cast_done:
            self._cast(self.target)
        if self.at_device != target_device:
            self._move(self.target, target_device)

    def _plan_no_move(self, target_device: str) -> None:
        """An implicit conversion (a lift inside a mixed call) never moves data."""
        if self.lift is None or not any(step.action == "move" for step in self.steps):
            return
        target = self.target
        where = (
            target.device_str(target.native_device(self.device))
            if self.device
            else "another device"
        )
        msg = (
            f"{self.lift}: a {self.source.name} array on {self.facts.device} met {target.name} "
            f"arrays on {where}; xpbridge never moves data implicitly. Move it first: "
            f"xb.to(x, {target.name!r}, device=...)"
        )
        raise DeviceMismatchError(msg)


def _chain(first: Route, second: Route) -> Route:
    """Two routes as one: a view, then an import of it (identity routes have no name)."""
    if not first.name:
        return second
    if not second.name:
        return first
    return Route(
        f"{first.name} + {second.name}",
        _then(first.run, second.run),
        f"{first.why}; {second.why}",
        first.copies or second.copies,
    )


# Step bodies as module functions with partial: picklable, and no closure per plan.


def _read_guarded(adapter: Adapter, run: Callable[[Any], Any], x: Any) -> Any:
    refusal = adapter.memory_refusal(x)
    if refusal is not None:
        msg = f"cannot convert this {adapter.name} {adapter.array_noun}: {refusal}"
        raise UnsupportedOperationError(msg)
    return run(x)


def _resolve_bit(adapter: Adapter, bit: str, x: Any) -> Any:
    return adapter.resolve_lazy_bit(x, bit)


def _to_device(adapter: Adapter, device: str, x: Any) -> Any:
    return adapter.to_device(x, device)


def _astype(adapter: Adapter, dtype: str, x: Any) -> Any:
    return adapter.astype(x, dtype)


def _rechunk(adapter: Adapter, chunks: Any, x: Any) -> Any:
    return adapter.rechunk(x, chunks)


def _from_host(adapter: Adapter, device: str, a: Any) -> Any:
    return adapter.from_host(a, device)


def decide(
    x: Any,
    target: Adapter,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    chunks: Any = None,
    lift: str | None = None,
) -> Plan:
    """The plan converting array `x` (of a known library) to `target`, from its facts."""
    source = adapter_for_type(type(x))
    assert source is not None
    return _Planner(
        source,
        source.facts(x),
        target,
        device=device,
        dtype=dtype,
        copy=copy,
        detach=detach,
        chunks=chunks,
        lift=lift,
    ).build()


def _plan_python(
    obj: Any, target: Adapter, *, device: Any, dtype: Any, copy: bool | None, chunks: Any = None
) -> Plan:
    """The plan for a Python scalar or nested sequence: always new memory."""
    kind = type(obj).__name__
    error: BridgeError | None = None
    if copy is False:
        msg = f"copy=False, but a Python {kind} has no array memory to share; pass copy=None"
        error = CopyRequiredError(msg)
    step = Step(
        "create",
        f"new {target.name} array from a Python {kind}, in {target.name}'s default dtypes",
        True,
        lambda v: make_array(v, target, "to: x", dtype=dtype, device=device, copy=copy),
    )
    steps = [step]
    if chunks is not None:  # to_dask(list, chunks=): the new array is rechunked, lazily
        steps.append(
            Step(
                "rechunk",
                f"rechunk to {chunks!r}, lazily",
                False,
                functools.partial(_rechunk, target, chunks),
            )
        )
    return Plan("python", target.name, tuple(steps), error)


def _plan_foreign(
    obj: Any, target: Adapter, *, device: Any, dtype: Any, copy: bool | None, chunks: Any
) -> Plan:
    """The plan for an array-like of a library xpbridge does not know.

    Host memory (the buffer protocol, ``__array__``, ``__array_interface__``, a CPU DLPack
    producer) is viewed through NumPy, which keeps its read-only flag, and then converted
    with all the guards of a NumPy array. A device DLPack producer goes to the target's
    ``from_dlpack``.
    """
    kind = f"{type(obj).__module__}.{type(obj).__qualname__}".removeprefix("builtins.")
    where = getattr(obj, "__dlpack_device__", None)
    try:
        location = where() if where is not None else None
    except Exception as exc:  # noqa: BLE001 - the producer's own protocol failed
        msg = f"cannot convert a {kind} to {target.name}: its __dlpack_device__ raised {exc!r}"
        return Plan(kind, target.name, (), UnknownArrayTypeError(msg))
    if location is not None and location[0] != _DLPACK_CPU:
        name = _dlpack_device_name(location)
        if name is None or not target.supports_device(name):
            msg = (
                f"cannot convert a {kind} to {target.name}: its memory is on "
                f"{name or f'DLPack device {tuple(location)}'}, which {target.name} cannot "
                f"use here (its devices: {sorted(target.device_str(d) for d in target.devices())})"
            )
            return Plan(kind, target.name, (), DeviceNotAvailableError(msg))
        step = Step(
            "import",
            f"{kind} -> {target.name} via DLPack: the producer's device memory",
            bool(copy),
            lambda v: target.from_dlpack(v, device=device, copy=copy),
        )
        return Plan(kind, target.name, (step,), None)
    try:
        view = np.from_dlpack(obj) if where is not None else np.asarray(obj)
    except Exception as exc:  # noqa: BLE001 - the object's own protocol failed, whatever it raised
        msg = (
            f"cannot convert a {kind} to {target.name}: NumPy cannot read it "
            f"({type(exc).__name__}: {exc})"
        )
        return Plan(kind, target.name, (), UnknownArrayTypeError(msg))
    record = decide(view, target, device=device, dtype=dtype, copy=copy, chunks=chunks)
    first = Step("view", f"NumPy's view of the {kind} memory", False, lambda _: view)
    return Plan(kind, record.target, (first, *record.steps), record.error)


#: DLPack device types (``DLDeviceType``) -> how xpbridge names their devices.
_DLPACK_DEVICES: Final = {2: "cuda", 3: "cpu", 8: "mps", 10: "cuda", 11: "cpu", 13: "cuda"}


def _dlpack_device_name(location: Any) -> str | None:
    """xpbridge's name (``"cuda:0"``) of a ``__dlpack_device__()`` answer; None if unknown."""
    kind = _DLPACK_DEVICES.get(int(location[0]))
    if kind in {None, "cpu"}:
        return kind
    return f"{kind}:{int(location[1])}"


def _plan_frame(
    obj: Any,
    target: Adapter,
    *,
    device: Any,
    dtype: Any,
    copy: bool | None,
    chunks: Any,
    nulls: NullPolicy,
) -> Plan:
    """The plan for a data frame (pandas, polars, pyarrow; see ``xpbridge._frames``).

    Where its library exports the values as one read-only NumPy view of the result's
    dtype, the plan is that view, then the plan of a NumPy array (so read-only memory is
    shared only by libraries that cannot write it). Otherwise (columns in separate
    buffers, dtypes to promote, nulls as NaN, booleans packed in bits) it is one copy into
    new host memory laid out as the target aliases it, then that memory's plan.
    """
    frame = read_frame(obj)
    kind = frame.kind
    try:
        result = frame_dtype(frame, nulls)
    except BridgeError as exc:
        return Plan(kind, target.name, (), exc)
    view = frame.view(result)
    if view is not None:
        why = f"{frame.export}: the {kind}'s memory, read-only"
        if 0 in frame.shape:
            why = f"an empty {kind}: an empty array, nothing to share or copy"
        first = Step("view", why, False, functools.partial(_constant, view))
        record = decide(view, target, device=device, dtype=dtype, copy=copy, chunks=chunks)
        error = record.error
        if isinstance(error, CopyRequiredError):
            error = CopyRequiredError(f"{kind}, viewed read-only through NumPy: {error}")
        return Plan(kind, record.target, (first, *record.steps), error)
    numpy = get_adapter("numpy")
    asked_dtype = None if dtype is None else dtype_name(dtype)
    into = asked_dtype if asked_dtype is not None and numpy.has_dtype(asked_dtype) else result
    reasons = frame.copy_reasons(into, nan=nulls == "nan")
    if copy is False:
        msg = (
            f"copy=False, but converting this {kind} to {target.name} must copy: "
            + "; ".join(reasons)
            + ". Pass copy=None to allow the copy"
        )
        return Plan(kind, target.name, (), CopyRequiredError(msg))
    empty = target.host_empty or np.empty
    # Planned on a small array laid out as the new memory will be (the steps after the
    # copy read its layout and flags, never its size).
    stand_in = _fresh_host(empty, frame.shape, numpy.native_dtype(into), target, copy)
    record = decide(
        stand_in,
        target,
        device=device,
        dtype=None if into == asked_dtype else dtype,
        copy=None if copy else copy,  # the copy below is new memory nobody else holds
        chunks=chunks,
    )
    fill = functools.partial(
        _fill_frame, frame, numpy.native_dtype(into), empty, not stand_in.flags.writeable
    )
    action = "stack" if len(frame.shape) == 2 and len(frame.columns) > 1 else "copy"
    asked = _frame_copy_asked(frame, into, result, copy=copy, dtype=asked_dtype, nulls=nulls)
    step = Step(action, "; ".join(reasons), True, fill, asked=asked)
    return Plan(kind, record.target, (step, *record.steps), record.error)


def _frame_copy_asked(
    frame: Frame, into: str, result: str, *, copy: Any, dtype: str | None, nulls: str
) -> bool:
    """Whether the caller asked for a frame's copy by name: ``copy=True``, a ``dtype=``
    its columns do not have, or ``nulls="nan"`` where it changes the values (nulls to
    fill, integer or boolean columns made floating)."""
    columns = frame.columns
    if copy is True or (dtype is not None and any(c.dtype != into for c in columns)):
        return True
    return nulls == "nan" and (
        any(c.nulls for c in columns) or promoted_dtype(columns, nan=False) != result
    )


def _constant(value: Any, _: Any) -> Any:
    return value


def _fresh_host(
    empty: Callable[..., Any], shape: tuple[int, ...], dtype: Any, target: Adapter, copy: Any
) -> Any:
    """A few rows of new host memory as a frame's copy will be: read-only where that lets
    `target` alias it (JAX aliases only memory nobody can write; this memory is the
    conversion's own)."""
    new = empty((min(shape[0], 2), *shape[1:]), dtype)
    numpy = get_adapter("numpy")
    if target.share_refusals(numpy.facts(new), copy=copy):
        frozen = freeze(new.view())
        if not target.share_refusals(numpy.facts(frozen), copy=copy):
            return frozen
    return new


def _fill_frame(frame: Frame, dtype: Any, empty: Callable[..., Any], frozen: bool, _: Any) -> Any:
    out = frame.fill(empty(frame.shape, dtype))
    return freeze(out) if frozen else out


def decide_any(
    x: Any,
    target: Adapter,
    *,
    device: Any,
    dtype: Any,
    copy: bool | None,
    detach: bool | None,
    chunks: Any,
    nulls: NullPolicy = "raise",
) -> Plan:
    """The plan for anything `to` accepts: an array, a data frame, a Python value or a
    foreign array-like."""
    if adapter_for_type(type(x)) is not None:
        return decide(
            x, target, device=device, dtype=dtype, copy=copy, detach=detach, chunks=chunks
        )
    if frame_kind(x) is not None:
        return _plan_frame(
            x, target, device=device, dtype=dtype, copy=copy, chunks=chunks, nulls=nulls
        )
    check_array_like(x, f"convert to {target.name}")
    if isinstance(x, (*SCALARS, list, tuple)):
        return _plan_python(x, target, device=device, dtype=dtype, copy=copy, chunks=chunks)
    return _plan_foreign(x, target, device=device, dtype=dtype, copy=copy, chunks=chunks)


def check_array_like(x: Any, what: str) -> None:
    """Refuse, with :class:`UnknownArrayTypeError`, what is no array, scalar or buffer."""
    if isinstance(x, (*SCALARS, list, tuple, bytes, bytearray, memoryview)) or any(
        hasattr(x, a) for a in ("__array__", "__array_interface__", "__dlpack__", "__buffer__")
    ):
        return
    msg = (
        f"cannot {what}: {type(x).__module__}.{type(x).__qualname__} is not an array of a "
        "library xpbridge knows, nor a Python scalar, sequence or buffer"
    )
    raise UnknownArrayTypeError(msg)

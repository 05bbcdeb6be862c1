"""Conversion between libraries that says what it does.

A conversion is first *planned*: a list of :class:`Step` records (detach, compute, resolve a
lazy view, cast, move between devices, copy, import), each with its reason and whether it
copies. :func:`plan` returns that record without running it; :func:`to` runs it, and
``explain=True`` hands the record back with the result.

The rules (the table in ``docs/conversion.md``):

* ``copy=None`` shares memory when the target can hold the data as it is, else copies;
  ``copy=True`` always gives independent memory; ``copy=False`` never copies and raises
  :class:`CopyRequiredError` naming every reason a copy would be needed.
* Leaving torch with a tensor that requires grad follows the gradient mode
  (:func:`xpbridge.grad_mode`): refused with :class:`GradientBreakError` unless
  ``detach=True`` (``"preserve"``), detached (``"detach"``), or always refused (``"raise"``).
* Devices change only when the call asks: ``device=``, or a target that cannot live where
  the data is (NumPy lives on the host, so ``to_numpy`` of a GPU array is a host copy).
* A library's own zero-copy route is guarded against inputs it would mishandle: torch never
  receives read-only, byte-swapped or negatively strided memory to alias, JAX never
  writable, misaligned or strided memory (see the adapters' ``share_refusals``).
* Each import uses a :class:`~xpbridge._backends._base.Route` chosen by the target adapter
  for a reason the plan shows (``torch.from_numpy``: faster than DLPack on CPU...).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from . import _config
from ._backends import adapter_for_type, get_adapter
from ._dtypes import dtype_name
from ._errors import (
    BridgeError,
    CopyRequiredError,
    DeviceMismatchError,
    GradientBreakError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
    UnsupportedOperationError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._backends._base import Adapter, Facts

__all__ = [
    "Plan",
    "Step",
    "asarray",
    "from_dlpack",
    "lift",
    "plan",
    "to",
    "to_cupy",
    "to_dask",
    "to_jax",
    "to_numpy",
    "to_torch",
]

_SCALARS: Final = (bool, int, float, complex)
_DLPACK_CPU: Final = 1  # kDLCPU


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a conversion: what it does, why, and whether it copies the data.

    A ``refused`` step is one the conversion would need but may not take (cutting an
    autograd graph without ``detach=True``); the plan's ``error`` then says how to allow it.
    """

    action: str
    reason: str
    copies: bool
    run: Callable[[Any], Any] = field(repr=False, compare=False)
    refused: bool = False

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


# ---------------------------------------------------------------------- planning

_BIT_NAMES: Final = {"conj": "conjugate", "neg": "negative"}


def _refuse(error: BridgeError) -> Callable[[Any], Any]:
    def run(x: Any) -> Any:
        raise error

    return run


class _Planner:
    """Builds the steps of one conversion; each ``_plan_*`` method handles one concern.

    A concern that cannot be satisfied either stops the planning (an unsupported input or
    dtype: nothing after it would mean anything) or, for the gradient and ``copy=False``
    rules, is recorded and the planning goes on, so that the plan shows every step.
    """

    def __init__(
        self,
        x: Any,
        target: Adapter,
        *,
        device: Any,
        dtype: Any,
        copy: bool | None,
        detach: bool | None,
        chunks: Any,
    ) -> None:
        self.target = target
        self.copy = copy
        self.detach = detach
        self.chunks = chunks
        source = adapter_for_type(type(x))
        assert source is not None
        self.source: Adapter = source
        self.facts: Facts = source.facts(x)
        self.current: Adapter = source  # the library holding the data after each step
        self.steps: list[Step] = []
        self.copy_reasons: list[str] = []
        self.refusal: BridgeError | None = None
        self.dtype: str = self.facts.dtype if dtype is None else str(dtype_name(dtype))
        self.device = device
        self.at_device = self.facts.device
        self.cast_done = False

    def add(self, action: str, reason: str, run: Callable[[Any], Any], *, copies: bool) -> None:
        self.steps.append(Step(action, reason, copies, run))
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
            if self.refusal is not None:
                raise self.refusal
            if self.copy is False and self.copied:
                raise CopyRequiredError(self._copy_message())
        except BridgeError as exc:
            error = exc
        return Plan(self.source.name, self.target.name, tuple(self.steps), error)

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
        msg = f"cannot convert a {unsupported} to {self.target.name}"
        if self.facts.device == "meta":
            msg += "; there is nothing to convert (make it on a real device instead)"
        raise UnsupportedOperationError(msg)

    def _plan_gradient(self) -> None:
        if not self.facts.requires_grad:
            return
        leaving = self.target is not self.source
        if not leaving and not self.detach:
            return  # torch -> torch keeps the graph (casts and moves are differentiable)
        mode = _config.get_grad_mode()
        if mode == "raise":
            msg = (
                "this tensor requires grad and the gradient mode is 'raise': no conversion may "
                "cut its graph, even with detach=True. Keep the computation in torch (xb "
                "functions keep the graph), or leave xb.grad_mode('raise')"
            )
            self._refuse_detach("the gradient mode is 'raise'", GradientBreakError(msg))
        elif self.detach is True or (self.detach is None and mode == "detach"):
            why = "detach=True" if self.detach else "the gradient mode is 'detach'"
            self.add("detach", f"cut the autograd graph: {why}", self.source.detach, copies=False)
        else:
            msg = (
                f"converting a tensor that requires grad to {self.target.name} would cut its "
                "autograd graph. Pass detach=True to cut it on purpose (e.g. for logging), use "
                "xb.grad_mode('detach') for a block, or keep the computation in torch: xb "
                "functions keep the graph, and xb.numpy_function runs NumPy code inside it"
            )
            self._refuse_detach("requires_grad: pass detach=True", GradientBreakError(msg))

    def _refuse_detach(self, reason: str, error: BridgeError) -> None:
        self.steps.append(Step("detach", reason, False, _refuse(error), refused=True))
        if self.refusal is None:
            self.refusal = error

    def _plan_scalar(self) -> None:
        if not self.facts.extra.get("scalar") or (self.target is self.source and not self.copy):
            return
        self.add(
            "copy",
            "a NumPy scalar is a value, not memory: it becomes a new 0-d array",
            np.array,
            copies=True,
        )

    def _plan_compute(self) -> None:
        if not self.facts.lazy or self.target is self.source:
            return
        host = get_adapter(self.facts.extra.get("meta") or "numpy")
        compute = self.source.compute  # type: ignore[attr-defined]  # lazy: Dask's adapter
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
        for bit in self.facts.lazy_bits:
            self.add(
                f"resolve {_BIT_NAMES.get(bit, bit)} view",
                f"torch's lazy {bit} bit has no meaning outside torch",
                self.source.resolve_bit(bit),  # type: ignore[attr-defined]  # torch's adapter
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
            )
            self.current = get_adapter("numpy")
            self.at_device = "cpu"

    def _move(self, adapter: Adapter, device: str) -> None:
        self.add(
            "move",
            f"{self.at_device} -> {device} in {adapter.name}",
            lambda v: adapter.to_device(v, device),
            copies=True,
        )
        self.at_device = device

    def _cast(self, adapter: Adapter) -> None:
        self.add(
            "cast",
            f"{self.facts.dtype} -> {self.dtype} in {adapter.name}",
            lambda v: adapter.astype(v, self.dtype),
            copies=True,
        )
        self.cast_done = True

    def _plan_import(self, target_device: str) -> None:
        """Hand the data to the target: zero-copy when it may alias the memory, else a copy
        (by the import route itself where it can make one, else by the current library)."""
        current, target = self.current, self.target
        needs = [] if self.copied else target.share_refusals(self.facts, copy=self.copy)
        copies_later = self.at_device != target_device or (
            self.dtype != self.facts.dtype and not self.cast_done
        )
        if self.copy and not self.copied and not copies_later:
            needs.append("copy=True asks for independent memory")
        if current is target:
            if self.chunks is not None and self.facts.lazy:
                # A lazy array asked for other chunks (to_dask(x, chunks=)): lazy, no copy yet.
                route = target.import_route(current.name, chunks=self.chunks)
                self.add("rechunk", route.why, route.run, copies=False)
            if needs:
                self.add("copy", "; ".join(needs), current.copy, copies=True)
            return
        route = target.import_route(current.name, chunks=self.chunks, copy=bool(needs))
        if needs and not route.copies:
            self.add("copy", "; ".join(needs), current.copy, copies=True)
        why = f"{current.name} -> {target.name} via {route.name}: {route.why}"
        if needs and route.copies:
            why += "; needed: " + "; ".join(needs)
        self.add("import", why, route.run, copies=route.copies)
        self.current = target

    def _plan_upload(self, target_device: str) -> None:
        """Host data into a library that lives only on devices (CuPy): one copying transfer."""
        numpy = get_adapter("numpy")
        if self.current is not numpy:
            route = numpy.import_route(self.current.name)
            self.add(
                "import",
                f"{self.current.name} -> numpy via {route.name}: {route.why}",
                route.run,
                copies=route.copies,
            )
            self.current = numpy
        target = self.target
        self.add(
            "move",
            f"cpu -> {target_device}: {target.name} copies from host memory",
            lambda v: target.from_host(v, target_device),
            copies=True,
        )
        self.current = target
        self.at_device = target_device

    def _plan_target_side(self, target_device: str) -> None:
        """Casts and moves only the target library can do, after the import."""
        if self.dtype != self.facts.dtype and not self.cast_done:
            self._cast(self.target)
        if self.at_device != target_device:
            self._move(self.target, target_device)


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
        lambda v: target.asarray(v, dtype=dtype, device=device, copy=copy),
    )
    steps = [step]
    if chunks is not None:  # to_dask(list, chunks=): the new array is rechunked, lazily
        route = target.import_route(target.name, chunks=chunks)
        steps.append(Step("rechunk", route.why, False, route.run))
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
    if where is not None and where()[0] != _DLPACK_CPU:
        step = Step(
            "import",
            f"{kind} -> {target.name} via DLPack: the producer's device memory",
            bool(copy),
            lambda v: target.from_dlpack(v, device=device, copy=copy),
        )
        return Plan(kind, target.name, (step,), None)
    try:
        view = np.from_dlpack(obj) if where is not None else np.asarray(obj)
    except (TypeError, ValueError, BufferError, RuntimeError) as exc:
        msg = f"cannot convert a {kind} to {target.name}: NumPy cannot read it ({exc})"
        return Plan(kind, target.name, (), UnknownArrayTypeError(msg))
    record = _Planner(
        view, target, device=device, dtype=dtype, copy=copy, detach=None, chunks=chunks
    ).build()
    first = Step("view", f"NumPy's view of the {kind} memory", False, lambda _: view)
    return Plan(kind, record.target, (first, *record.steps), record.error)


def _plan_any(
    x: Any,
    target: Adapter,
    *,
    device: Any,
    dtype: Any,
    copy: bool | None,
    detach: bool | None,
    chunks: Any,
) -> Plan:
    if adapter_for_type(type(x)) is not None:
        return _Planner(
            x, target, device=device, dtype=dtype, copy=copy, detach=detach, chunks=chunks
        ).build()
    _check_array_like(x, f"convert to {target.name}")
    if isinstance(x, (*_SCALARS, list, tuple)):
        return _plan_python(x, target, device=device, dtype=dtype, copy=copy, chunks=chunks)
    return _plan_foreign(x, target, device=device, dtype=dtype, copy=copy, chunks=chunks)


def plan(
    x: Any,
    backend: str,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
) -> Plan:
    """The steps converting `x` to `backend` would take, without running them.

    Takes the same arguments as :func:`to`. A conversion that would be refused returns a
    plan whose ``error`` says why (``str(plan)`` shows it) instead of raising.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> print(xb.plan(np.arange(3.0)[::-1], "numpy", copy=True))
    numpy -> numpy: copy (copy=True asks for independent memory)
    """
    target = get_adapter(backend)
    return _plan_any(x, target, device=device, dtype=dtype, copy=copy, detach=detach, chunks=None)


def _check_array_like(x: Any, what: str) -> None:
    if isinstance(x, (*_SCALARS, list, tuple, bytes, bytearray, memoryview)) or any(
        hasattr(x, a) for a in ("__array__", "__array_interface__", "__dlpack__", "__buffer__")
    ):
        return
    msg = (
        f"cannot {what}: {type(x).__module__}.{type(x).__qualname__} is not an array of a "
        "library xpbridge knows, nor a Python scalar, sequence or buffer"
    )
    raise UnknownArrayTypeError(msg)


# ---------------------------------------------------------------------- running


def to(
    x: Any,
    backend: str,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
    explain: bool = False,
    chunks: Any = None,
) -> Any:
    """Convert `x` to an array of `backend` (``"numpy"``, ``"torch"``, ``"cupy"``, ``"dask"``,
    ``"jax"``, ``"array_api_strict"``).

    Parameters
    ----------
    x : array, Python scalar or nested sequence
        An array of any supported library, or data NumPy would accept.
    backend : str
        The library of the result.
    device : device, optional
        Where the result lives; default: where `x` is, if the target library can live
        there, else its default device (NumPy: the host). A different device always copies.
    dtype : dtype, optional
        The result's dtype (any spelling); a different dtype always copies.
    copy : bool, optional
        ``None``: share memory when possible. ``True``: always new memory. ``False``: never
        copy; raise :class:`CopyRequiredError` saying why a copy is needed.
    detach : bool, optional
        ``True`` cuts the autograd graph of a tensor that requires grad (sharing memory like
        ``t.detach().numpy()``; with ``copy=True`` the result is a copy). By default leaving
        torch with such a tensor follows the gradient mode and, in ``"preserve"`` mode,
        raises :class:`GradientBreakError`.
    explain : bool
        Return ``(result, plan)`` where ``plan`` is the :class:`Plan` that ran.
    chunks : optional
        Chunk sizes for a Dask result (see :func:`to_dask`).

    Returns
    -------
    array
        An array of `backend`'s own type, never a wrapper.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> a = np.arange(3.0)
    >>> b = xb.to(a, "numpy", copy=True)
    >>> b[0] = 7.0
    >>> float(a[0])
    0.0
    """
    plain = device is None and dtype is None and copy is None and detach is None
    if plain and chunks is None and explain is False:
        # The adapters' optimistic zero-copy route, if there is one (it returns
        # NotImplemented for anything it is not sure about).
        try:
            route = _FAST[backend][type(x)]
        except KeyError:
            route = _fast_route(type(x), backend)
        if route is not None:
            result = route(x)
            if result is not NotImplemented:
                return result
    target = get_adapter(backend)
    record = _plan_any(
        x, target, device=device, dtype=dtype, copy=copy, detach=detach, chunks=chunks
    )
    result = _run(record, x, copy)
    return (result, record) if explain else result


def _run(record: Plan, x: Any, copy: bool | None) -> Any:
    try:
        result = record.execute(x)
    except BridgeError:
        raise
    except (ValueError, TypeError, RuntimeError, BufferError, NotImplementedError) as exc:
        if record.source == "python":
            from ._coerce import coerce

            coerce(x, get_adapter(record.target), "to", "x")  # its clear error, if plain fails
        msg = f"converting {record.source} -> {record.target} failed: {exc} (plan: {record})"
        raise UnsupportedOperationError(msg) from exc
    if copy is True and record.source != "python":
        _assert_independent(x, result)
    return result


def _assert_independent(x: Any, result: Any) -> None:
    """Belt and braces for copy=True: the result must not overlap the input's memory."""
    from ._inspect import may_share_memory

    if adapter_for_type(type(x)) is None:
        try:
            x = np.asarray(x)  # a foreign host array-like: the view the plan started from
        except (TypeError, ValueError, BufferError, RuntimeError):
            return  # device memory of an unknown library: nothing to compare on the host

    if may_share_memory(x, result):
        msg = (
            "internal error: a copy=True conversion produced memory that overlaps its input; "
            "please report this with xb.info() of the input"
        )
        raise CopyRequiredError(msg)


#: backend -> source array type -> the optimistic route of plain conversions (or None).
_FAST: dict[str, dict[type, Callable[[Any], Any] | None]] = {}


def _fast_route(cls: type, backend: str) -> Callable[[Any], Any] | None:
    """The optimistic zero-copy route for plain calls (``to(x, backend)``), or None.

    It returns ``NotImplemented`` for inputs it does not handle, which then get planned.
    Filled on the first conversion of each type to each backend.
    """
    source = adapter_for_type(cls)
    found = None
    if source is not None:
        target = get_adapter(backend)
        found = _identity if target is source else target.fast_import(source.name)
    _FAST.setdefault(backend, {})[cls] = found
    return found


def _identity(x: Any) -> Any:
    return x


def lift(x: Any, target: Adapter, *, device: Any, context: str) -> Any:
    """Bring `x` into `target` for a mixed call: zero-copy where possible, never moved.

    Used by the ``"promote"`` mixing policy. A device change is refused with
    :class:`DeviceMismatchError`; gradients follow the gradient mode as in :func:`to`.
    """
    record = _Planner(
        x, target, device=device, dtype=None, copy=None, detach=None, chunks=None
    ).build()
    moves = [s for s in record.steps if s.action == "move"]
    if moves:
        source = adapter_for_type(type(x))
        assert source is not None
        msg = (
            f"{context}: a {source.name} array on {source.facts(x).device} met {target.name} "
            f"arrays on {target.device_str(device) if device is not None else 'another device'}; "
            "xpbridge never moves data implicitly. Move it first: "
            f"xb.to(x, {target.name!r}, device=...)"
        )
        raise DeviceMismatchError(msg)
    return record.execute(x)


# ---------------------------------------------------------------------- shortcuts


def to_numpy(
    x: Any, /, *, dtype: Any = None, copy: bool | None = None, detach: bool | None = None
) -> Any:
    """``to(x, "numpy", ...)``: a NumPy array in host memory.

    Zero-copy from torch CPU tensors (``Tensor.numpy()``), JAX arrays (a read-only view) and
    array-api-strict arrays; a device-to-host copy for GPU arrays (refused with
    ``copy=False``); computed for Dask. A tensor that requires grad needs ``detach=True``
    (see :func:`to` for every argument).

    Examples
    --------
    >>> import xpbridge as xb
    >>> xb.to_numpy([1, 2, 3])
    array([1, 2, 3])
    """
    return to(x, "numpy", dtype=dtype, copy=copy, detach=detach)


def to_torch(
    x: Any,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
) -> Any:
    """``to(x, "torch", ...)``: a ``torch.Tensor``.

    Zero-copy from writable NumPy and array-api-strict memory (``torch.from_numpy``) and
    from CuPy on the same GPU (DLPack); read-only, byte-swapped or negatively strided input
    and JAX arrays are copied (tensors are writable). ``device=`` moves (a copy). Staying in
    torch keeps the autograd graph (see :func:`to`).
    """
    return to(x, "torch", device=device, dtype=dtype, copy=copy, detach=detach)


def to_cupy(
    x: Any,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
) -> Any:
    """``to(x, "cupy", ...)``: a CuPy array on `device` (default: the current GPU).

    Host data (NumPy, CPU tensors...) is uploaded, a copy (refused with ``copy=False``);
    a CUDA tensor on the same device is shared through DLPack (see :func:`to`).
    """
    return to(x, "cupy", device=device, dtype=dtype, copy=copy, detach=detach)


def to_jax(
    x: Any,
    /,
    *,
    device: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
) -> Any:
    """``to(x, "jax", ...)``: a JAX array.

    JAX arrays are immutable, so writable memory is copied unless ``copy=False`` (which
    shares it, at your own risk); read-only memory is shared when it is row-major and
    64-byte aligned. Without 64-bit mode, float64/int64/complex128/uint64 input is refused
    rather than narrowed (pass a 32-bit ``dtype=``). See :func:`to`.
    """
    return to(x, "jax", device=device, dtype=dtype, copy=copy, detach=detach)


def to_dask(
    x: Any,
    /,
    *,
    chunks: Any = None,
    dtype: Any = None,
    copy: bool | None = None,
    detach: bool | None = None,
) -> Any:
    """``to(x, "dask", ...)``: a Dask array split into `chunks` (Dask's chunk spellings).

    With ``copy=None`` the chunks are views of `x`, read when the graph runs (recent Dask's
    own ``from_array`` would snapshot `x`), so writes to `x` before computing show in the
    result; ``copy=True`` snapshots `x` first.
    ``chunks=None`` means Dask's ``"auto"`` for new arrays and keeps a Dask array's chunks
    (given chunks rechunk it, lazily).
    """
    return to(x, "dask", dtype=dtype, copy=copy, detach=detach, chunks=chunks)


def from_dlpack(
    x: Any, /, *, device: Any = None, copy: bool | None = None, backend: str | None = None
) -> Any:
    """An array of `backend` (default: the context's default backend) from a DLPack producer.

    Arrays of known libraries go through :func:`to`, with its guards and gradient rules.
    A producer of another library is read through NumPy when its memory is on the host (so
    read-only and negatively strided memory get the same guards) and handed to the
    target's ``from_dlpack`` when it is on a device. ``copy`` as in :func:`to`.
    """
    target = get_adapter(backend or _config.current_defaults().backend)
    if adapter_for_type(type(x)) is None and not hasattr(x, "__dlpack__"):
        msg = f"from_dlpack: {type(x).__qualname__} does not export __dlpack__"
        raise UnknownArrayTypeError(msg)
    return to(x, target.name, device=device, copy=copy)


def asarray(
    obj: Any,
    /,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    backend: str | None = None,
    like: Any = None,
) -> Any:
    """An array from `obj`: an array of any library, a Python scalar or nested sequence.

    Without ``backend=``/``like=`` an array stays in its own library (standard ``asarray``
    semantics, with ``copy=`` honoured); anything else goes to the context's default backend.
    Converting to another library follows :func:`to` (zero-copy where possible, gradients
    never dropped silently).

    Examples
    --------
    >>> import xpbridge as xb
    >>> xb.asarray([1.0, 2.0])
    array([1., 2.])
    """
    if like is not None:
        owner = adapter_for_type(type(like))
        if owner is None:
            msg = f"asarray: like= must be an array; got {type(like).__qualname__}"
            raise UnknownArrayTypeError(msg)
        backend = backend or owner.name
        if device is None:
            device = owner.device(like)
    source = adapter_for_type(type(obj))
    if backend is None:
        backend = source.name if source is not None else _config.current_defaults().backend
        if device is None and source is None:
            device = _config.current_defaults().device
    if (
        source is not None
        and source.name == get_adapter(backend).name
        and dtype is None
        and device is None
    ):
        if copy is True:
            return to(obj, backend, copy=True)
        return obj
    if source is None:
        target = get_adapter(backend)
        _check_array_like(obj, f"make a {target.name} array")
        if not isinstance(obj, (*_SCALARS, list, tuple)):
            # A buffer or foreign array: through a NumPy view, with the guards of `to`.
            return to(obj, target.name, dtype=dtype, device=device, copy=copy)
        from ._coerce import coerce

        if copy is False:
            msg = (
                f"asarray: copy=False, but a Python {type(obj).__name__} has no array memory "
                "to share; pass copy=None"
            )
            raise CopyRequiredError(msg)
        if dtype is None and copy is None:
            return coerce(obj, target, "asarray", "obj", device)
        return target.asarray(obj, dtype=dtype, device=device, copy=copy)
    return to(obj, backend, dtype=dtype, device=device, copy=copy)

"""Gradient helpers spelled once for every backend: ``no_grad``, ``detach``, ``item``...

Only torch records autograd graphs eagerly, so most of these are torch's own calls on torch
tensors and plain (documented) no-ops or copies elsewhere: code written against them runs
unchanged on NumPy, CuPy, Dask, JAX and array-api-strict. None of them imports a library:
a tensor can only exist once torch is imported, and ``no_grad`` looks torch up in
``sys.modules``.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar

import numpy as np

from ._backends import adapter_for_type, imported_adapters, names
from ._errors import BridgeError, UnknownArrayTypeError, UnsupportedOperationError
from ._frames import frame_kind
from ._tree import is_tree, map_tree

if TYPE_CHECKING:
    from types import TracebackType

    from ._backends._base import Adapter

__all__ = ["clone", "detach", "enable_grad", "item", "no_grad", "requires_grad", "tolist"]

F = TypeVar("F", bound=Callable[..., Any])

_SCALARS: Final = (bool, int, float, complex)
# The Python type a one-element array of each dtype kind reads as.
_PYTHON_TYPE: Final = {"b": bool, "i": int, "u": int, "f": float, "c": complex}
# What libraries raise for arrays without values (torch meta tensors, JAX tracers).
_READ_ERRORS: Final = (RuntimeError, NotImplementedError, TypeError, ValueError)


class _ItemSizeError(BridgeError, ValueError):
    pass


# ---------------------------------------------------------------------- no_grad, enable_grad


class _GradSwitch(contextlib.ContextDecorator):
    """Turn autograd recording off (or on) for a block or a function, in every imported
    library that records (torch).

    Looks the libraries up when the block is entered, not when the object is made, so a
    function decorated before torch was imported still switches torch's recording once it
    is.
    """

    __slots__ = ("_enabled", "_previous")

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: list[tuple[Adapter, bool]] = []

    def __repr__(self) -> str:
        return "xpbridge.enable_grad()" if self._enabled else "xpbridge.no_grad()"

    def __enter__(self) -> None:
        # A library not imported has no arrays yet, so no recording to switch.
        for adapter in imported_adapters():
            if adapter.has_autograd:
                previous = adapter.set_grad_enabled(self._enabled)
                if previous is not None:
                    self._previous.append((adapter, previous))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        while self._previous:
            adapter, previous = self._previous.pop()
            adapter.set_grad_enabled(previous)

    def _recreate_cm(self) -> _GradSwitch:
        # A fresh switch per call, so recursive or concurrent calls keep their own state.
        return type(self)(self._enabled)

    def __call__(self, func: F) -> F:
        if (
            inspect.isgeneratorfunction(func)
            or inspect.iscoroutinefunction(func)
            or (inspect.isasyncgenfunction(func))
        ):
            # Their bodies run after the call returns; switching a thread-wide setting across
            # their suspensions would leak it into the caller's code.
            msg = (
                f"{self!r} cannot decorate the generator or coroutine function "
                f"{func.__qualname__}: use `with {self!r}:` inside its body instead"
            )
            raise TypeError(msg)
        decorated: F = super().__call__(func)
        return decorated


def no_grad() -> _GradSwitch:
    """Stop torch from recording operations for autograd, in a block or a function.

    One spelling for every backend: on torch it is ``torch.no_grad()``; without torch (or
    for NumPy, CuPy, Dask, JAX and array-api-strict arrays, which record nothing) it changes
    nothing. Use it as ``with xb.no_grad():`` or as a decorator ``@xb.no_grad()``. Like
    torch's own, the setting is per thread; it does not touch :func:`xpbridge.grad_mode`,
    which governs conversions.

    Returns
    -------
    context manager and decorator
        Restores the previous recording state on exit, even on error. It cannot decorate
        generator or coroutine functions (a ``TypeError`` says so): use ``with`` inside them.

    Notes
    -----
    Results computed inside do not require grad, and in-place writes on parameters are
    allowed there (the optimizer pattern, see :func:`xpbridge.at`). JAX differentiates
    functions, not recorded operations: use :func:`detach` (``jax.lax.stop_gradient``) there.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> with xb.no_grad():
    ...     xb.sum(np.ones(3))
    np.float64(3.0)
    """
    return _GradSwitch(False)


def enable_grad() -> _GradSwitch:
    """Turn torch's autograd recording back on inside a :func:`no_grad` block or function.

    ``torch.enable_grad()`` on torch; a no-op without torch. Usable as a context manager
    or a decorator, per thread, like :func:`no_grad`.

    Returns
    -------
    context manager and decorator
        Restores the previous recording state on exit.

    Examples
    --------
    >>> import xpbridge as xb
    >>> with xb.no_grad(), xb.enable_grad():
    ...     pass
    """
    return _GradSwitch(True)


# ---------------------------------------------------------------------- per-array helpers


def _owner(x: Any, what: str) -> Adapter:
    adapter = adapter_for_type(type(x))
    if adapter is None:
        kind = frame_kind(x)
        if kind is not None:
            msg = (
                f"{what}: a {kind} is a data frame, not an array: copy it with its own "
                "library, or convert it (xb.to_numpy(x, copy=True))"
            )
            raise UnknownArrayTypeError(msg)
        msg = (
            f"{what}: {type(x).__module__}.{type(x).__qualname__} is not an array of a "
            f"library xpbridge knows ({names()}), nor a Python scalar"
        )
        raise UnknownArrayTypeError(msg)
    return adapter


_LAZY: dict[type, bool] = {}
#: Array types whose ``.item()`` gives the answer directly (eager libraries that have it).
_DIRECT: dict[type, bool] = {}


def _computed(x: Any, adapter: Adapter) -> tuple[Any, Adapter]:
    """`x` evaluated if its library is lazy (Dask computes into NumPy or CuPy memory)."""
    cls = type(x)
    lazy = _LAZY.get(cls)
    if lazy is None:
        lazy = _LAZY[cls] = adapter.facts(x).lazy
    if not lazy:
        return x, adapter
    value = adapter.compute(x)
    return value, _owner(value, "compute")


def detach(x: Any, /) -> Any:
    """`x` cut from the autograd graph: ``x.detach()`` for torch, ``x`` itself elsewhere.

    Parameters
    ----------
    x : array, Python scalar or container
        An array of any supported library, or a container of them (dict, list, tuple,
        namedtuple, dataclass: each array detached, the container's type kept).

    Returns
    -------
    array
        torch: a tensor sharing `x`'s memory and device that does not require grad
        (``Tensor.detach``). JAX: ``jax.lax.stop_gradient(x)`` (outside a trace, `x` itself;
        inside ``jax.grad`` a value whose gradient is zero). Any other library, or a Python
        scalar: `x` itself. Never copies, never moves.

    Notes
    -----
    An explicit call, so it works in every :func:`xpbridge.grad_mode`: the modes govern
    conversions, which cut graphs implicitly.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> a = np.ones(2)
    >>> xb.detach(a) is a
    True
    """
    if isinstance(x, _SCALARS):
        return x
    if adapter_for_type(type(x)) is None:
        if frame_kind(x) is not None:
            return x  # data frames record no autograd
        if is_tree(x):
            return map_tree(detach, x)
    return _owner(x, "detach").detach(x)


def requires_grad(x: Any, /) -> bool:
    """Whether `x` is a torch tensor that requires grad (``False`` for every other library).

    Parameters
    ----------
    x : array or Python scalar

    Returns
    -------
    bool
        ``x.requires_grad`` for torch tensors; ``False`` for arrays of NumPy, CuPy, Dask,
        JAX, array-api-strict and for Python scalars. Reads only; copies nothing.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> xb.requires_grad(np.ones(2))
    False
    """
    if isinstance(x, _SCALARS):
        return False
    return _owner(x, "requires_grad").requires_grad(x)


def clone(x: Any, /) -> Any:
    """A copy of `x` in new memory, on the same device, that keeps its autograd history.

    Parameters
    ----------
    x : array or container
        An array of any supported library, or a container of them (dict, list, tuple,
        namedtuple, dataclass: each array cloned, the container's type kept; an array
        reached twice is cloned once, as ``copy.deepcopy`` would).

    Returns
    -------
    array
        Same library, dtype, shape and device as `x`, never sharing its memory. torch:
        ``x.clone()``, which stays in the autograd graph (gradients flow back to `x`);
        NumPy (also read-only arrays), CuPy, array-api-strict: a writable copy; Dask: a
        new array object whose writes (``x[i] = v``) never reach `x`; JAX: a copy too, even
        though JAX arrays are immutable, so that ``clone`` means the same on every backend.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> a = np.zeros(2)
    >>> b = xb.clone(a)
    >>> b[0] = 1.0
    >>> a
    array([0., 0.])
    """
    if isinstance(x, np.generic):
        return x.copy()  # NumPy scalars stay scalars
    if adapter_for_type(type(x)) is None and is_tree(x):
        return map_tree(clone, x)
    return _owner(x, "clone").copy(x)


def _shape(x: Any) -> tuple[float, ...]:
    # Dask marks unknown lengths with nan; they are resolved by computing.
    return tuple(float("nan") if n is None else n for n in x.shape)


def item(x: Any, /) -> bool | int | float | complex:
    """The value of a one-element array as a Python scalar, from any backend and device.

    Parameters
    ----------
    x : array or Python scalar
        An array with exactly one element (0-d, or any shape of size 1).

    Returns
    -------
    bool, int, float or complex
        By the array's dtype kind. Copies one value to the host: a device synchronization
        for GPU arrays, a computation for Dask arrays. A torch tensor that requires grad is
        read without touching its graph (a Python number has no gradient), in every
        :func:`xpbridge.grad_mode`: use it to log a loss.

    Raises
    ------
    ValueError
        (an xpbridge error) if `x` has more or fewer than one element.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> xb.item(np.array([[2.5]]))
    2.5
    """
    if type(x) in _SCALARS:  # exact types: np.float64 subclasses float but is NumPy's
        scalar: bool | int | float | complex = x
        return scalar
    if _DIRECT.get(type(x)) is True:  # known library, eager, with .item(): the hot path
        if math.prod(x.shape) != 1:
            _check_one(x, math.prod(x.shape))
        try:
            value: bool | int | float | complex = x.item()
        except _READ_ERRORS as exc:
            _unreadable("item", _owner(x, "item"), exc)
        return value
    adapter = _owner(x, "item")
    size = math.prod(_shape(x))
    if not math.isnan(size):  # known before computing: refuse early
        _check_one(x, size)
    computed, adapter = _computed(x, adapter)
    _DIRECT[type(x)] = computed is x and hasattr(x, "item")
    x = computed
    _check_one(x, math.prod(_shape(x)))
    try:
        read = getattr(x, "item", None)
        if read is not None:
            value = read()
            return value
        # The standard's arrays have no .item(); a 0-d array converts with bool()/float()...
        scalar = adapter.xp.reshape(x, ())
        kind = np.dtype(adapter.dtype_of(x).replace("bfloat16", "float32")).kind
        return _PYTHON_TYPE[kind](scalar)  # type: ignore[no-any-return]  # a Python scalar
    except BridgeError:
        raise
    except _READ_ERRORS as exc:
        _unreadable("item", adapter, exc)


def _check_one(x: Any, size: float) -> None:
    if size != 1:
        msg = (
            f"item: needs an array with exactly one element, got shape {tuple(x.shape)}; "
            "reduce it first (xb.sum, xb.mean...) or index one element"
        )
        raise _ItemSizeError(msg)


def tolist(x: Any, /) -> Any:
    """`x` as nested Python lists of Python scalars (a scalar for a 0-d array).

    Parameters
    ----------
    x : array or Python scalar

    Returns
    -------
    list or scalar
        As ``numpy.ndarray.tolist``, from any backend: values are copied to the host (a
        device synchronization for GPU arrays, a computation for Dask arrays). A torch
        tensor that requires grad is read without touching its graph, in every
        :func:`xpbridge.grad_mode`.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> xb.tolist(np.arange(4).reshape(2, 2))
    [[0, 1], [2, 3]]
    """
    if isinstance(x, _SCALARS):
        return x
    adapter = _owner(x, "tolist")
    x, adapter = _computed(x, adapter)
    try:
        read = getattr(x, "tolist", None)
        if read is not None:
            return read()
        return adapter.to_host(x).tolist()
    except BridgeError:
        raise
    except _READ_ERRORS as exc:
        _unreadable("tolist", adapter, exc)


def _unreadable(what: str, adapter: Adapter, exc: Exception) -> NoReturn:
    msg = (
        f"{what}: cannot read values from this {adapter.name} array ({type(exc).__name__}: "
        f"{exc}); arrays without data (on a 'meta' device, or traced inside a compiled or "
        "differentiated function) have no values to read"
    )
    raise UnsupportedOperationError(msg) from exc

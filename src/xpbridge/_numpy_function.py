"""``xb.numpy_function``: run NumPy/SciPy code on any backend's arrays, inside torch autograd.

The wrapped function always sees NumPy arrays in host memory and its results come back in
the library (and on the device) of its inputs. For torch tensors that require grad, the
call is a ``torch.autograd.Function`` whose backward asks the user's vector-Jacobian
product for the gradients, so the graph goes through the NumPy code instead of being cut.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from ._backends import adapter_for_type, get_adapter, priority
from ._config import get_grad_mode, get_policy
from ._errors import (
    ArgumentTypeError,
    BridgeError,
    DeviceMismatchError,
    GradientBreakError,
    MixedBackendError,
    UnknownArrayTypeError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._backends._base import Adapter

__all__ = ["numpy_function"]


class _VjpError(BridgeError, ValueError):
    """The vector-Jacobian product returned something that cannot be a gradient."""


@overload
def numpy_function(
    fn: Callable[..., Any], /, *, vjp: Callable[..., Any] | None = None
) -> Callable[..., Any]: ...


@overload
def numpy_function(
    fn: None = None, /, *, vjp: Callable[..., Any] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...


def numpy_function(
    fn: Callable[..., Any] | None = None, /, *, vjp: Callable[..., Any] | None = None
) -> Any:
    """Wrap a NumPy/SciPy function so it runs on arrays of any backend, gradients included.

    Parameters
    ----------
    fn : callable
        A function of NumPy arrays returning a NumPy array, a NumPy or Python scalar, or a
        tuple of those. Without `fn`, ``numpy_function(vjp=...)`` returns a decorator.
    vjp : callable, optional
        The vector-Jacobian product of `fn`: ``vjp(g, *args, **kwargs)`` receives the
        gradient of the output (a tuple of gradients if `fn` returns a tuple) as NumPy
        arrays, then the same NumPy arguments `fn` received, and returns the gradient of
        each positional argument: one array if `fn` takes one, else a tuple with one entry
        per positional argument (``None`` for arguments that are not differentiable).
        Each gradient has its argument's shape.

    Returns
    -------
    callable
        Takes the arguments of `fn`, with arrays of any library in place of NumPy arrays.

    Notes
    -----
    *Copies and devices.* Array arguments are handed to `fn` as NumPy arrays in host
    memory: torch CPU tensors, array-api-strict and JAX CPU arrays as zero-copy views,
    marked read-only so `fn` cannot write into your tensors behind autograd's back; GPU
    arrays are copied to the host; Dask arrays are computed. The results are converted
    back to the library of the arguments (the highest-priority one if they mix, as in the
    ``"promote"`` mixing policy) and to their device: zero-copy on the CPU, a copy to the
    GPU. This host round trip is explicit here (you wrapped a NumPy function); no other
    xpbridge call makes one.

    *Gradients.* When a torch argument requires grad and torch is recording, the call
    joins the autograd graph through `vjp` (the inputs are saved for backward, so writing
    them in place afterwards makes ``backward()`` raise, as in torch). The gradients come
    back with each input's dtype and device; integer and boolean outputs are marked
    non-differentiable. Differentiating twice raises :class:`GradientBreakError` (the vjp
    is NumPy code), rather than silently treating the gradient as a constant.
    Without `vjp` such a call would cut the graph, so it follows
    :func:`xpbridge.grad_mode`: ``"preserve"`` and ``"raise"`` raise
    :class:`GradientBreakError`, ``"detach"`` runs `fn` on detached inputs and returns
    results that do not require grad. Under :func:`xpbridge.no_grad` nothing is recorded,
    so nothing can be cut. Only torch's autograd is supported: JAX tracers (inside
    ``jax.jit`` or ``jax.grad``) have no values to hand to NumPy.

    Examples
    --------
    >>> import numpy as np, xpbridge as xb
    >>> cube = xb.numpy_function(lambda a: a**3, vjp=lambda g, a: 3 * a**2 * g)
    >>> cube(np.array([1.0, 2.0]))
    array([1., 8.])
    """
    if fn is None:
        return functools.partial(_decorate, vjp=vjp)
    return _decorate(fn, vjp=vjp)


def _decorate(fn: Callable[..., Any], *, vjp: Callable[..., Any] | None) -> Callable[..., Any]:
    if not callable(fn):
        msg = f"numpy_function: fn must be callable; got {type(fn).__qualname__}"
        raise ArgumentTypeError(msg)
    if vjp is not None and not callable(vjp):
        msg = f"numpy_function: vjp must be callable or None; got {type(vjp).__qualname__}"
        raise ArgumentTypeError(msg)

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return _call(fn, vjp, args, kwargs)

    wrapped.vjp = vjp  # type: ignore[attr-defined]
    return wrapped


# ---------------------------------------------------------------------- the call


def _call(
    fn: Callable[..., Any],
    vjp: Callable[..., Any] | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    name = getattr(fn, "__qualname__", repr(fn))
    arrays = [
        (value, owner)
        for value in (*args, *kwargs.values())
        if (owner := adapter_for_type(type(value))) is not None
    ]
    home, device = _home(arrays, name)
    graph = [i for i, a in enumerate(args) if _joins_graph(a)]
    if any(_joins_graph(v) for v in kwargs.values()):
        msg = (
            f"numpy_function({name}): a keyword argument is a tensor that requires grad; "
            "pass arrays that need gradients positionally, so the vjp can return theirs"
        )
        raise GradientBreakError(msg)
    if graph and vjp is None:
        _refuse_without_vjp(name)
    host_args = tuple(_to_host(a) for a in args)
    host_kwargs = {k: _to_host(v) for k, v in kwargs.items()}
    if graph and vjp is not None:
        return _through_autograd(fn, vjp, name, args, host_args, host_kwargs, home, device)
    result = fn(*host_args, **host_kwargs)
    return _from_host(result, home, device)


def _home(arrays: list[tuple[Any, Adapter]], name: str) -> tuple[Adapter, Any]:
    """The library and device the results go to: those of the arguments."""
    if not arrays:
        return get_adapter("numpy"), None
    owners = {owner.name: owner for _, owner in arrays}
    home = max(owners.values(), key=priority)
    if len(owners) > 1 and get_policy() == "strict":
        msg = (
            f"numpy_function({name}): arrays from {' and '.join(sorted(owners))} while the "
            f"mixing policy is 'strict'; convert them to one library first (xb.to)"
        )
        raise MixedBackendError(msg)
    devices = {home.device_str(home.device(x)) for x, owner in arrays if owner is home}
    if len(devices) > 1:
        msg = (
            f"numpy_function({name}): the {home.name} arguments are on different devices "
            f"({', '.join(sorted(devices))}); move them to one first: xb.to(x, "
            f"{home.name!r}, device=...)"
        )
        raise DeviceMismatchError(msg)
    first = next(x for x, owner in arrays if owner is home)
    return home, home.device(first)


def _joins_graph(value: Any) -> bool:
    owner = adapter_for_type(type(value))
    return owner is not None and owner.records_autograd(value)


def _refuse_without_vjp(name: str) -> None:
    mode = get_grad_mode()
    if mode == "detach":
        return  # the inputs are detached on the way to NumPy, as the mode says
    if mode == "raise":
        msg = (
            f"numpy_function({name}) got a tensor that requires grad and has no vjp, and the "
            "gradient mode is 'raise': running it would cut the graph. Give it a vjp= so "
            "gradients flow through it"
        )
    else:
        msg = (
            f"numpy_function({name}) got a tensor that requires grad but has no vjp, so "
            "running it would cut the autograd graph. Pass vjp= (the gradient of each input "
            "given the output's), detach the inputs on purpose (xb.detach), or use "
            "xb.grad_mode('detach') for a block"
        )
    raise GradientBreakError(msg)


def _to_host(value: Any) -> Any:
    """`value` as a read-only NumPy array in host memory; other objects unchanged."""
    owner = adapter_for_type(type(value))
    if owner is None:
        return value
    if owner.name == "numpy":
        return value  # the caller's own NumPy arrays, as a direct call would see them
    from ._convert import to

    try:
        host = to(owner.detach(value), "numpy")
    except BridgeError as exc:
        msg = (
            f"numpy_function: cannot hand this {owner.name} array to NumPy ({exc}). Arrays "
            "traced inside a compiled or differentiated function (jit, grad) have no values: "
            "call it outside the transformation"
        )
        raise UnknownArrayTypeError(msg) from exc
    if isinstance(host, np.ndarray) and host.flags.writeable:
        host = host.view()
        host.flags.writeable = False  # a view: the tensor's own memory stays writable
    return host


def _from_host(result: Any, home: Adapter, device: Any) -> Any:
    """NumPy results converted to `home` on `device`, through tuples and lists."""
    if isinstance(result, tuple | list):
        return type(result)(_from_host(r, home, device) for r in result)
    if home.name == "numpy" or not isinstance(result, np.ndarray | np.generic):
        return result
    from ._convert import to

    return to(np.asarray(result), home.name, device=device)


# ---------------------------------------------------------------------- autograd


def _through_autograd(
    fn: Callable[..., Any],
    vjp: Callable[..., Any],
    name: str,
    args: tuple[Any, ...],
    host_args: tuple[Any, ...],
    host_kwargs: dict[str, Any],
    home: Adapter,
    device: Any,
) -> Any:
    call = _Call(fn, vjp, name, args, host_args, host_kwargs, home, device)
    outputs = home.record_host_call(call, args)
    return outputs[0] if call.single else outputs


class _Call:
    """What the autograd function needs to know about one call (passed through ``apply``)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        vjp: Callable[..., Any],
        name: str,
        args: tuple[Any, ...],
        host_args: tuple[Any, ...],
        host_kwargs: dict[str, Any],
        home: Adapter,
        device: Any,
    ) -> None:
        self.fn, self.vjp, self.name = fn, vjp, name
        self.host_args, self.host_kwargs = host_args, host_kwargs
        self.home, self.device = home, device
        self.single = True
        # Per positional argument: the array's (shape, dtype, device), if it needs a gradient.
        self.wants: list[Any] = [
            (tuple(a.shape), a.dtype, home.device_str(home.device(a))) if _joins_graph(a) else None
            for a in args
        ]

    def forward(self) -> tuple[Any, ...]:
        result = self.fn(*self.host_args, **self.host_kwargs)
        self.single = not isinstance(result, tuple | list)
        parts = (result,) if self.single else tuple(result)
        return tuple(self._tensor(part, i) for i, part in enumerate(parts))

    def _tensor(self, part: Any, position: int) -> Any:
        if not isinstance(part, np.ndarray | np.generic | bool | int | float | complex):
            msg = (
                f"numpy_function({self.name}): output {position} is a "
                f"{type(part).__qualname__}; with a vjp, outputs must be NumPy arrays or scalars"
            )
            raise ArgumentTypeError(msg)
        from ._convert import to

        return to(np.asarray(part), self.home.name, device=self.device)

    def backward(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        from ._convert import to

        host = [to(self.home.detach(g), "numpy") for g in grads]
        g = host[0] if self.single else tuple(host)
        returned = self.vjp(g, *self.host_args, **self.host_kwargs)
        count = len(self.wants)
        if count == 1 and not isinstance(returned, tuple | list):
            returned = (returned,)
        if not isinstance(returned, tuple | list) or len(returned) != count:
            got = len(returned) if isinstance(returned, tuple | list) else 1
            msg = (
                f"numpy_function({self.name}): vjp returned {got} gradient(s) for {count} "
                f"positional argument(s); return a tuple with one entry per argument (None "
                "for those without a gradient)"
            )
            raise _VjpError(msg)
        return tuple(self._gradient(i, r) for i, r in enumerate(returned))

    def _gradient(self, position: int, value: Any) -> Any:
        wanted = self.wants[position]
        if wanted is None:
            return None
        shape, dtype, device = wanted
        if value is None:
            msg = (
                f"numpy_function({self.name}): vjp returned None for argument {position}, "
                "which requires grad; return an array of zeros if its gradient is zero"
            )
            raise _VjpError(msg)
        host = np.asarray(value)
        if host.shape != shape:
            msg = (
                f"numpy_function({self.name}): vjp returned a gradient of shape {host.shape} "
                f"for argument {position}, whose shape is {shape}"
            )
            raise _VjpError(msg)
        home = self.home
        return home.astype(home.from_host(np.array(host, copy=True), device), dtype)

"""The general path: every call the generated fast paths do not take.

It binds the arguments by name, chooses the backend (the arrays' library, the mixing policy,
a creation function's ``backend=``/``like=``/device, the context's default), lifts arrays of
other libraries, refuses arrays on different devices, turns Python scalars and sequences
into arrays, then calls the backend's implementation and explains its errors.
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, Any

from .._backends import adapter_for_type, get_adapter, imported_adapters, priority
from .._coerce import check_creation_values, coerce, stacked, unknown_array_message
from .._config import current_defaults, get_policy
from .._errors import (
    BridgeError,
    CopyRequiredError,
    DeviceMismatchError,
    MixedBackendError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
)
from .._sizes import check_request
from .signature import SCALARS, Declaration

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backends._base import Adapter
    from .implementations import Implementations

__all__ = ["choose", "general_call", "reraise_translated"]


def general_call(
    declaration: Declaration,
    implementations: Implementations,
    values: tuple[Any, ...],
    home: tuple[Adapter, Any] | None = None,
) -> Any:
    """Run a declared function on arguments given in signature order.

    `home` is ``(adapter, device)`` for the functions of a backend's namespace: where a call
    with no array argument runs (instead of the context's default backend and device).
    """
    options = dict(zip((p.name for p in declaration.params), values, strict=True))
    if declaration.generic and options.get("xp") is not None:
        args, kwargs = _arguments(declaration, options)
        return declaration.stub(*args, xp=options["xp"], **kwargs)
    adapter = _route(declaration, options, home)
    if declaration.creation:
        check_request(declaration.path, options)  # before the library is asked for memory
        check_creation_values(declaration.path, options, adapter)  # before it wraps them
    impl = implementations.get(adapter)
    args, kwargs = _arguments(declaration, options)
    try:
        return impl(*args, **kwargs)
    except Exception as exc:
        reraise_translated(exc, adapter, declaration.path)
        raise


def reraise_translated(exc: Exception, owner: Adapter | type | None, path: str) -> None:
    """Raise the xpbridge error that explains `exc`, if the adapter knows one; else return.

    `owner` is the adapter, or the array type whose adapter to ask.
    """
    if isinstance(exc, BridgeError):
        return
    adapter = adapter_for_type(owner) if isinstance(owner, type) else owner
    if adapter is None:
        return
    translated = adapter.translate_error(exc, path)
    if translated is None and any(m in str(exc) for m in adapter.copy_refusals):
        msg = (
            f"{path}: copy=False, but {adapter.name} cannot do this without copying (the "
            "array's strides allow no such view); pass copy=None to allow a copy"
        )
        translated = CopyRequiredError(msg)
    if translated is None:
        translated = _dtype_refusal(exc, adapter, path)
    if translated is not None:
        raise translated from exc


def _dtype_refusal(exc: Exception, adapter: Adapter, path: str) -> Exception | None:
    """An UnsupportedDTypeError for the library's way of refusing a dtype, if `exc` is one."""
    if not isinstance(exc, TypeError | RuntimeError | NotImplementedError):
        return None
    text = str(exc)
    if not any(re.search(pattern, text) for pattern in adapter.dtype_refusals):
        return None
    msg = (
        f"{path}: {adapter.name} cannot compute this for these dtypes ({text.splitlines()[0]}); "
        "the standard asks for some functions only of some dtypes (floating-point for linalg, "
        "numeric for arithmetic...): cast first, e.g. xb.astype(x, xb.float64)"
    )
    return UnsupportedDTypeError(msg)


def _arguments(
    declaration: Declaration, options: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Split `options` into an implementation's positional and keyword arguments."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in declaration.impl_params:
        value = options[p.name]
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            args.extend(value)
        elif p.positional:
            args.append(value)
        elif value is not p.default:
            kwargs[p.name] = value
    return args, kwargs


def _arrays(declaration: Declaration, options: dict[str, Any]) -> list[tuple[Any, Adapter]]:
    """Every argument that is an array of a known library, with its adapter."""
    found = []
    for p in declaration.params:
        if p.role == "array":
            candidates: Any = (options[p.name],)
        elif p.role == "arrays":
            candidates = options[p.name]
            if not isinstance(candidates, tuple | list):
                msg = unknown_array_message(declaration.path, p.name, candidates, several=True)
                raise UnknownArrayTypeError(msg)
        else:
            continue
        for value in candidates:
            owner = adapter_for_type(type(value))
            if owner is not None:
                found.append((value, owner))
    return found


def _route(
    declaration: Declaration, options: dict[str, Any], home: tuple[Adapter, Any] | None = None
) -> Adapter:
    """Choose the backend; lift, coerce and device-check the array arguments in place."""
    path = declaration.path
    _stack_sequences(declaration, options)
    arrays = _arrays(declaration, options)
    owners = {owner.name: owner for _, owner in arrays}
    adapter = _explicit_backend(path, options) if declaration.creation else None
    if adapter is None and home is not None and not owners:
        adapter = home[0]
        if home[1] is not None and options.get("device", 0) is None:
            options["device"] = home[1]
    if adapter is None:
        adapter = choose(path, owners)
        if not owners:
            _default_device(options)
    native = [x for x, owner in arrays if owner is adapter]
    _check_devices(path, adapter, native)
    device = adapter.device(native[0]) if native else None
    if len(owners) > 1 or (owners and adapter.name not in owners):
        _map_arrays(declaration, options, lambda v: _lift_foreign(v, adapter, device, path))
    if device is None and declaration.creation:
        device = options.get("device")
    if device is None and not owners:
        device = current_defaults().device if home is None else home[1]
    _coerce_arguments(declaration, options, adapter, device)
    return adapter


def _stack_sequences(declaration: Declaration, options: dict[str, Any]) -> None:
    """An array given as a sequence of arrays is the array ``xb.asarray`` makes of it,
    stacked in their own library, and routes the call like one (``xb.sum([t, t])`` runs in
    torch)."""
    for p in declaration.params:
        if p.role == "array" and isinstance(options[p.name], list | tuple):
            found = stacked(options[p.name], f"{declaration.path}: {p.name}")
            if found is not None:
                options[p.name] = found[1]


def _default_device(options: dict[str, Any]) -> None:
    """A creation function routed by the context's default backend also takes its default
    device (``xb.using("torch", device="cuda")``), unless given one."""
    device = current_defaults().device
    if device is not None and "device" in options and options["device"] is None:
        options["device"] = device


def _map_arrays(
    declaration: Declaration, options: dict[str, Any], convert: Callable[[Any], Any]
) -> None:
    for p in declaration.params:
        if p.role == "array":
            options[p.name] = convert(options[p.name])
        elif p.role == "arrays":
            values = options[p.name]
            options[p.name] = type(values)(convert(v) for v in values)


def _explicit_backend(path: str, options: dict[str, Any]) -> Adapter | None:
    """The backend a creation function was asked for: ``backend=``, ``like=``, a device
    object."""
    backend, like = options.get("backend"), options.get("like")
    if backend is not None:
        return get_adapter(backend)
    if like is not None:
        owner = adapter_for_type(type(like))
        if owner is None:
            raise UnknownArrayTypeError(unknown_array_message(path, "like", like))
        if "device" in options and options["device"] is None:
            options["device"] = owner.device(like)
        return owner
    device = options.get("device")
    if device is not None and not isinstance(device, str):
        for owner in imported_adapters():
            if owner.owns_device(device):
                return owner
    return None


def choose(path: str, owners: dict[str, Adapter]) -> Adapter:
    """The backend of the call: the arrays' one, or the highest-priority one by the mixing
    policy (or the context's default when no argument is an array)."""
    if not owners:
        return get_adapter(current_defaults().backend)
    if len(owners) == 1:
        return next(iter(owners.values()))
    target = max(owners.values(), key=priority)
    if get_policy() == "strict":
        names = " and ".join(sorted(owners))
        msg = (
            f"{path}: arrays from {names} met while the mixing policy is 'strict'; "
            f"convert explicitly (e.g. xb.to(x, {target.name!r})) or use "
            "xb.policy(mixing='promote')"
        )
        raise MixedBackendError(msg)
    return target


def _coerce_arguments(
    declaration: Declaration, options: dict[str, Any], adapter: Adapter, device: Any
) -> None:
    """Turn Python scalars and sequences in array positions into arrays of `adapter`.

    A scalar stays a scalar (weakly typed, as the standard says) where the parameter allows
    one and another argument is an array.
    """
    path = declaration.path
    holders = [p for p in declaration.params if p.role == "array"]
    some_array = any(p.role == "arrays" for p in declaration.params) or any(
        adapter_for_type(type(options[p.name])) is not None for p in holders
    )
    for p in holders:
        value = options[p.name]
        if (value is None and not p.required) or adapter_for_type(type(value)) is not None:
            continue
        if p.scalar_ok and isinstance(value, SCALARS) and some_array:
            continue
        options[p.name] = coerce(value, adapter, path, p.name, device)
        some_array = True
    for p in declaration.params:
        if p.role == "arrays":
            values = options[p.name]
            options[p.name] = type(values)(
                v
                if adapter_for_type(type(v)) is not None
                else coerce(v, adapter, path, p.name, device)
                for v in values
            )


def _lift_foreign(value: Any, target: Adapter, device: Any, path: str) -> Any:
    owner = adapter_for_type(type(value))
    if owner is None or owner is target:
        return value
    from .._convert import lift

    return lift(value, target, device=device, context=path)


def _check_devices(path: str, adapter: Adapter, arrays: list[Any]) -> None:
    if len(arrays) < 2:
        return
    devices = {adapter.device_str(adapter.device(x)) for x in arrays}
    if len(devices) > 1:
        msg = (
            f"{path}: the arrays are on different devices ({', '.join(sorted(devices))}); "
            "xpbridge never moves data implicitly: move them first with "
            f"xb.to(x, {adapter.name!r}, device=...)"
        )
        raise DeviceMismatchError(msg)

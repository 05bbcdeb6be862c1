"""``xb.namespace(backend, device)``: a complete array API namespace bound to one backend.

Array API consumers (``hypothesis.extra.array_api``, conformance suites, library code that
takes an ``xp``) get an object that behaves like a module: the standard's functions, dtypes
and constants, with creation functions making arrays of that backend on that device. Its
arrays are the backend's own; where the backend's *operators* break the standard (torch's
0-d promotion in ``a + b``), the deviations list says so rather than wrapping arrays.

The namespace is the facade: each of its functions is built from the same declaration as
``xb.<name>``, with the same fast paths, promotion and error translation, and the
standard's signature (the facade's less its routing parameters ``backend=``, ``like=``).
Only a call with no array argument differs: it runs on the namespace's backend and device
rather than the context's default.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._backends import get_adapter
from ._dispatch import materialize, provide_generic_namespace
from ._dtypes import DTYPES
from ._standard import API_VERSION, CONSTANTS, FFT, FUNCTIONS, LINALG

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._backends._base import Adapter
    from ._dispatch import Function

__all__ = ["BackendNamespace", "namespace"]

_CONSTANTS: dict[str, Any] = {"e": math.e, "inf": math.inf, "nan": math.nan, "pi": math.pi}
# Data type functions whose answer does not depend on the backend.
_NEUTRAL = ("can_cast", "isdtype")
# Data type functions that answer in the backend's dtype objects.
_BOUND = ("finfo", "iinfo", "result_type")


def _registry() -> dict[str, Function]:
    # Importing the declarations fills the registry.
    from ._api import (  # noqa: F401
        creation,
        data_types,
        elementwise,
        fft,
        linalg,
        manipulation,
        numpy_spellings,
        searching,
        statistical,
    )
    from ._dispatch import REGISTRY

    return REGISTRY


class _Extension:
    """The ``linalg`` or ``fft`` part of a :class:`BackendNamespace`."""

    def __init__(self, parent: BackendNamespace, name: str, names: tuple[str, ...]) -> None:
        self.__name__ = f"{parent.__name__}.{name}"
        self._parent = parent
        self._prefix = name
        self._names = names

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name not in self._names:
            msg = f"{self.__name__} has no attribute {name!r}"
            raise AttributeError(msg)
        if name in {"matmul", "matrix_transpose", "tensordot", "vecdot"}:
            value = getattr(self._parent, name)
        else:
            value = self._parent._function(f"{self._prefix}.{name}")
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        return sorted(self._names)


class BackendNamespace:
    """An array API 2025.12 namespace for one backend and (optionally) one default device.

    Do not construct it: call :func:`namespace`.
    """

    __array_api_version__ = API_VERSION

    def __init__(self, adapter: Adapter, device: Any) -> None:
        self._adapter = adapter
        self._device = device
        suffix = f", device={device!r}" if device is not None else ""
        self.__name__ = f"xpbridge.namespace({adapter.name!r}{suffix})"
        self.linalg = _Extension(self, "linalg", LINALG)
        self.fft = _Extension(self, "fft", FFT)
        self.newaxis = None

    def __repr__(self) -> str:
        return f"<{self.__name__}>"

    def __dir__(self) -> list[str]:
        names = set(FUNCTIONS) | set(CONSTANTS) | {"linalg", "fft"}
        names |= {n for n in DTYPES if self._adapter.has_dtype(n)}
        return sorted(names | {n for n in _registry() if "." not in n})

    def __getattr__(self, name: str) -> Any:
        value = self._lookup(name)
        setattr(self, name, value)  # resolve once; later lookups hit the instance dict
        return value

    def _lookup(self, name: str) -> Any:
        adapter = self._adapter
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in DTYPES and adapter.has_dtype(name):
            return adapter.native_dtype(name)
        if name in _NEUTRAL or name in _BOUND:
            from ._api import data_types

            if name in _NEUTRAL:
                return getattr(data_types, name)
            return data_types.bound_data_type_functions(adapter)[name]
        if name == "__array_namespace_info__":
            return adapter.xp.__array_namespace_info__
        if name == "broadcast_shapes":
            return _broadcast_shapes
        if name in {"asarray", "from_dlpack"}:
            return self._conversion(name)
        from ._api.numpy_spellings import ALIASES

        if name in ALIASES:
            return getattr(self, ALIASES[name])
        if name in _registry() and "." not in name:
            return self._function(name)
        msg = f"{self.__name__} has no attribute {name!r}"
        raise AttributeError(msg)

    def _function(self, path: str) -> Callable[..., Any]:
        """The facade's function for `path`, bound to this backend and device."""
        _registry()
        prefix = path.rpartition(".")[0]
        module = f"xpbridge.{prefix}" if prefix else "xpbridge"
        return materialize(path, module, home=(self._adapter, self._device))

    def _conversion(self, name: str) -> Callable[..., Any]:
        from ._convert import asarray as convert_asarray
        from ._convert import from_dlpack as convert_from_dlpack

        backend, default_device = self._adapter.name, self._device

        if name == "asarray":

            def asarray(
                obj: Any, /, *, dtype: Any = None, device: Any = None, copy: bool | None = None
            ) -> Any:
                return convert_asarray(
                    obj,
                    dtype=dtype,
                    device=device if device is not None else default_device,
                    copy=copy,
                    backend=backend,
                )

            return asarray

        def from_dlpack(x: Any, /, *, device: Any = None, copy: bool | None = None) -> Any:
            return convert_from_dlpack(
                x,
                device=device if device is not None else default_device,
                copy=copy,
                backend=backend,
            )

        return from_dlpack


def _broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape that arrays of `shapes` broadcast to (the standard's rules)."""
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-ndim, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            msg = (
                f"shapes {shapes} cannot be broadcast together (axis {axis}: sizes {sorted(sizes)})"
            )
            raise ValueError(msg)
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


_CACHE: dict[tuple[str, Any], BackendNamespace] = {}


def namespace(backend: str, device: Any = None) -> BackendNamespace:
    """A complete array API 2025.12 namespace for `backend`, creating arrays on `device`.

    Parameters
    ----------
    backend : str
        ``"numpy"``, ``"torch"``, ``"cupy"``, ``"dask"``, ``"jax"`` or ``"array_api_strict"``;
        its library is imported now (you asked for it).
    device : device, optional
        Default device of the creation functions (``"cpu"``, ``"cuda:0"``, a native object).

    Returns
    -------
    BackendNamespace
        Has ``__name__`` and ``__array_api_version__`` like a module; usable wherever an
        array API namespace is expected (``hypothesis.extra.array_api``...).

    Examples
    --------
    >>> import xpbridge as xb
    >>> xp = xb.namespace("numpy")
    >>> xp.__array_api_version__
    '2025.12'
    >>> xp.sum(xp.ones(3))
    np.float64(3.0)
    """
    adapter = get_adapter(backend)
    key = (adapter.name, device if _hashable(device) else repr(device))
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = BackendNamespace(adapter, device)
    return found


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# Generic stubs compute with these namespaces (see xpbridge._dispatch.implementations).
provide_generic_namespace(namespace)

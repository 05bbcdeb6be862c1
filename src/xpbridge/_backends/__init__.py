"""The backend registry: one line per supported library, and the only place that lists them.

A backend's adapter module imports its library at the top, so it is imported only when the
user already imported that library (an array of it exists) or asked for the backend by
name. Detection reads ``sys.modules`` and never imports anything.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from .._dtypes import DTYPE_MODULES
from .._errors import BackendNotAvailableError

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._base import Adapter

__all__ = [
    "BACKENDS",
    "BackendSpec",
    "adapter_for_type",
    "available_backends",
    "device_chunk_libraries",
    "dtype_owner",
    "get_adapter",
    "imported_adapters",
    "names",
    "priority",
]


class BackendSpec(NamedTuple):
    """How to recognise a backend's arrays without importing it, and where its adapter lives."""

    name: str
    #: Modules that must already be imported for such arrays to exist, with the class names.
    array_types: tuple[tuple[str, str], ...]
    #: ``module:Class`` of the adapter, imported on first use.
    adapter: str
    #: Top-level import name, checked by :func:`available_backends` with ``find_spec``.
    import_name: str
    #: Mixing priority: arrays of lower priority are lifted into the highest one present.
    priority: int
    #: The name pip installs it by, where it differs from ``import_name``.
    distribution: str = ""
    #: Its arrays follow NumPy's API (lazy libraries may use them as chunks: Dask's CuPy
    #: chunks on a GPU). Known without importing the library.
    numpy_like: bool = False


BACKENDS: Final = (
    BackendSpec("torch", (("torch", "Tensor"),), "torch:TorchAdapter", "torch", 50),
    BackendSpec("cupy", (("cupy", "ndarray"),), "cupy:CupyAdapter", "cupy", 40, numpy_like=True),
    BackendSpec("mlx", (("mlx.core", "array"),), "mlx:MlxAdapter", "mlx", 35),
    BackendSpec("jax", (("jax", "Array"), ("jax.core", "Tracer")), "jax:JaxAdapter", "jax", 30),
    BackendSpec("dask", (("dask.array", "Array"),), "dask:DaskAdapter", "dask", 20),
    BackendSpec(
        "array_api_strict",
        (("array_api_strict._array_object", "Array"),),
        "array_api_strict:StrictAdapter",
        "array_api_strict",
        10,
        distribution="array-api-strict",
    ),
    BackendSpec(
        "numpy",
        (("numpy", "ndarray"), ("numpy", "generic")),
        "numpy:NumpyAdapter",
        "numpy",
        0,
        numpy_like=True,
    ),
)
_BY_NAME: Final = {spec.name: spec for spec in BACKENDS}
DTYPE_MODULES.update(spec.import_name for spec in BACKENDS if spec.import_name != "numpy")
# Names people type for a backend, mapped to its registry name.
_ALIASES: Final = {"np": "numpy", "pytorch": "torch", "strict": "array_api_strict", "da": "dask"}


def _spec(name: str) -> BackendSpec:
    spec = _BY_NAME.get(_ALIASES.get(name, name))
    if spec is None:
        msg = f"unknown backend {name!r}; xpbridge knows {', '.join(sorted(_BY_NAME))}"
        raise BackendNotAvailableError(msg)
    return spec


# Plain dicts rather than functools.cache: torch.compile reads a dict hit as a constant but
# ignores a functools cache and traces the function behind it (into importlib: a graph break).
_ADAPTERS: dict[str, Adapter] = {}
_BY_TYPE: dict[type, Adapter | None] = {}


def get_adapter(name: str) -> Adapter:
    """The adapter of backend `name`, importing its library (the caller asked for it)."""
    try:
        return _ADAPTERS[name]
    except KeyError:
        pass
    spec = _spec(name)
    adapter = _ADAPTERS.get(spec.name)
    if adapter is None:
        adapter = _load(spec)
    # One adapter per backend, whatever name it was asked by ("np", "numpy").
    _ADAPTERS[spec.name] = _ADAPTERS[name] = adapter
    return adapter


def _load(spec: BackendSpec) -> Adapter:
    class_name = spec.adapter.partition(":")[2]
    try:
        module = _IMPORTERS[spec.name]()
    except ImportError as exc:
        msg = (
            f"backend {spec.name!r} needs the {spec.import_name!r} package, which could not be "
            f"imported ({exc}); install it, e.g. `pip install xpbridge[{spec.name}]`"
        )
        raise BackendNotAvailableError(msg) from exc
    except Exception as exc:  # a broken install: missing shared libraries, CUDA errors...
        msg = (
            f"backend {spec.name!r}: importing {spec.import_name!r} failed with "
            f"{type(exc).__name__}: {exc}; the package is installed but broken here"
        )
        raise BackendNotAvailableError(msg) from exc
    adapter: Adapter = getattr(module, class_name)()
    return adapter


def _importer(module_name: str) -> Callable[[], Any]:
    """A function whose body is the statement ``import xpbridge._backends.<module_name>``.

    torch.compile runs import statements while it traces, but breaks the graph at
    ``importlib.import_module`` and ``__import__``; a first xpbridge call inside a compiled
    function loads its adapter, so the import must be a statement. Like import_module, it
    imports the module again if it was removed from ``sys.modules``.
    """
    scope: dict[str, Any] = {"__name__": __name__}
    source = f"def load():\n    import {__name__}.{module_name} as module\n    return module\n"
    exec(compile(source, f"<xpbridge import of {module_name}>", "exec"), scope)  # noqa: S102
    load: Callable[[], Any] = scope["load"]
    return load


_IMPORTERS: Final = {spec.name: _importer(spec.adapter.partition(":")[0]) for spec in BACKENDS}
# As functools.cache would offer (tests swap a library for a double).
get_adapter.cache_clear = _ADAPTERS.clear  # type: ignore[attr-defined]


def _imported(module_name: str) -> Any:
    """The module if it is imported, None if not or while it is still being imported (by
    another thread, say: its classes may not exist yet, and asking it raises)."""
    module = sys.modules.get(module_name)  # never triggers an import
    if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
        return None
    return module


def _matches(cls: type, spec: BackendSpec) -> bool | None:
    """Whether `cls` is an array type of `spec`'s library; None when that library is still
    being imported (the answer may change once it is)."""
    importing = False
    for module_name, class_name in spec.array_types:
        module = _imported(module_name)
        if module is None:
            importing = importing or module_name in sys.modules
            continue
        base = getattr(module, class_name, None)
        if isinstance(base, type) and issubclass(cls, base):
            return True
    return None if importing else False


def adapter_for_type(cls: type) -> Adapter | None:
    """The adapter whose library owns arrays of type `cls`, or None; cached per type."""
    try:
        return _BY_TYPE[cls]
    except KeyError:
        pass
    found = None
    settled = True
    for spec in BACKENDS:
        matched = _matches(cls, spec)
        if matched:
            found = get_adapter(spec.name)
            break
        settled = settled and matched is not None
    if found is not None or settled:
        _BY_TYPE[cls] = found
    return found


adapter_for_type.cache_clear = _BY_TYPE.clear  # type: ignore[attr-defined]


def available_backends() -> list[str]:
    """Backends whose library is installed, by priority, without importing any of them."""
    found = []
    for spec in BACKENDS:
        if spec.import_name in sys.modules or importlib.util.find_spec(spec.import_name):
            found.append(spec.name)
    return found


def imported_adapters() -> list[Adapter]:
    """Adapters of the backends whose library is already imported (no new imports)."""
    return [
        get_adapter(spec.name)
        for spec in BACKENDS
        if any(_imported(module) is not None for module, _ in spec.array_types)
    ]


def names() -> str:
    """The registered backends, for messages: ``"numpy, torch, ..."`` (by priority)."""
    return ", ".join(spec.name for spec in BACKENDS)


_PRIORITY: Final = {spec.name: spec.priority for spec in BACKENDS}


def priority(adapter: Adapter) -> int:
    """The mixing priority of `adapter`'s backend (see ``BackendSpec.priority``)."""
    return _PRIORITY[adapter.name]


def device_chunk_libraries() -> list[Adapter]:
    """Adapters of installed NumPy-like libraries whose arrays live on accelerators (CuPy):
    the chunks of lazy arrays on those devices. Imports them (a device was asked for)."""
    found = []
    for spec in BACKENDS:
        if not spec.numpy_like or spec.name == "numpy":
            continue
        if spec.import_name in sys.modules or importlib.util.find_spec(spec.import_name):
            try:
                found.append(get_adapter(spec.name))
            except BackendNotAvailableError:  # installed but broken (no CUDA libraries)
                continue
    return found


def dtype_owner(dtype: Any) -> Adapter | None:
    """The adapter of the backend whose own dtype object `dtype` is (torch's, MLX's...), if
    its library is imported; None for NumPy's dtypes (which JAX and CuPy share) and others."""
    module = type(dtype).__module__.split(".", 1)[0]
    if module not in DTYPE_MODULES or _imported(module) is None:
        return None
    for spec in BACKENDS:
        if spec.import_name == module:
            return get_adapter(spec.name)
    return None

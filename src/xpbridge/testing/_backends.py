"""The backends a test can run on, with behavioural variants, as one enum.

:class:`Backend` has one member per registered backend (``xpbridge._backends.BACKENDS``,
read without importing any library) and one per variant row of :data:`VARIANTS`, the one
table of what tests need to know about a backend beyond what its adapter says. A member's
value is ``"<backend>[:<variant>]"``: ``"torch:grad"`` makes float arrays that require
grad, ``"numpy:readonly"`` read-only arrays, ``"array_api_strict:device1"`` arrays on a fake
non-default device (so device propagation bugs show on a CPU-only machine), and
``"array_api_strict:no_float64"`` arrays on a fake device without float64 (as on MPS).

A newly registered backend is a member, and so runs every test that uses the plugin's
fixtures, without a row here; a row adds what the defaults lack (more layouts for the
hypothesis strategies, a non-default device for the ``device`` fixture, autograd, a GPU
check) and variants.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Self

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["REQUIRED_ENV", "VARIANTS", "Backend", "Row", "required_backends"]

#: Environment variable listing backends that must be importable (comma-separated); a
#: missing one fails the run instead of being skipped.
REQUIRED_ENV: Final = "XPBRIDGE_REQUIRED_BACKENDS"


@dataclass(frozen=True, slots=True)
class Row:
    """A row of :data:`VARIANTS`: a backend (key ``"torch"``) or a variant (``"torch:grad"``).

    A variant inherits its backend's row; every field has a default that suits a backend
    without a row (contiguous arrays on its default device, no autograd, no GPU needed).
    """

    # -- facts of the backend (rows keyed by a registry name)

    #: The layouts :func:`xpbridge.testing.strategies.arrays` can give its arrays.
    layouts: frozenset[str] = frozenset({"contiguous"})
    #: The ``device`` fixture's device, spelled as the adapter takes it: a non-default one,
    #: so that a function that forgets to pass ``device=`` on fails (None: the default).
    test_device: str | None = None
    #: Autograd: a new leaf copy of a floating or complex array that requires grad (other
    #: arrays as they are). None: the library has no autograd.
    make_requires_grad: Callable[[Any], Any] | None = None
    #: A read-only view of an array (None: the library has no read-only arrays).
    make_readonly: Callable[[Any], Any] | None = None

    # -- facts of the member (any row)

    #: The enum member's name, where it is not the value upper-cased (``TORCH_GRAD``).
    name: str | None = None
    #: Where the member's arrays live, spelled as the adapter takes it (None: the default).
    device: str | None = None
    #: The member needs a GPU: a library name in ``XPBRIDGE_REQUIRED_BACKENDS`` does not
    #: require it (only its value does), and ``@pytest.mark.gpu`` runs where one of these runs.
    needs_gpu: bool = False
    #: Why the member cannot run here although its library is installed (no GPU), or None.
    #: Default for a member that needs a GPU: whether its adapter reaches its device.
    probe: Callable[[], str | None] | None = None
    #: Its floating arrays require grad (through the backend's ``make_requires_grad``).
    requires_grad: bool = False
    #: The member's device holds no float64 (like Apple's MPS): its default floating dtype
    #: is float32, and asking for float64 there fails, as it would on such a device.
    float32_only: bool = False
    #: Tests run on the member only when they ask for it (``@pytest.mark.device_variants``)
    #: or when ``XPBRIDGE_DEVICE_VARIANTS=1`` asks for every test.
    opt_in: bool = False
    #: Its arrays are read-only (through the backend's ``make_readonly``).
    readonly: bool = False


def _torch_cuda() -> str | None:
    import torch

    return None if torch.cuda.is_available() else "no CUDA device here"


def _cupy_gpu() -> str | None:  # needs CUDA: without CuPy, find_spec answers first
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
    except (ImportError, OSError, RuntimeError) as exc:
        # CUDARuntimeError is a RuntimeError; a CuPy without CUDA libraries cannot import.
        return f"CuPy cannot reach a CUDA device here ({type(exc).__name__})"
    return None


def _leaf_requiring_grad(x: Any) -> Any:
    if (x.is_floating_point() or x.is_complex()) and not x.requires_grad:
        # A fresh leaf: the caller's data stays untouched, the test can read .grad.
        return x.detach().clone().requires_grad_(True)
    return x


def _readonly_view(x: Any) -> Any:
    view = x.view()
    view.flags.writeable = False
    return view


_STRIDED: Final = frozenset({"contiguous", "transposed", "sliced"})

#: The test-variant table: per backend, what the defaults of :class:`Row` lack, and the
#: variants. Its order is the order of :class:`Backend` (registered backends without a row
#: follow, in registry order; variants come right after their backend).
VARIANTS: Final[Mapping[str, Row]] = MappingProxyType(
    {
        "numpy": Row(
            layouts=_STRIDED | {"negative_strides", "readonly"}, make_readonly=_readonly_view
        ),
        "numpy:readonly": Row(readonly=True),
        "array_api_strict": Row(layouts=_STRIDED | {"negative_strides"}, test_device="device1"),
        "array_api_strict:device1": Row(name="ARRAY_API_STRICT_DEVICE", device="device1"),
        # A fake device without float64 (array-api-strict's "no_float64"), to catch code
        # that assumes float64 or the default device on a CPU-only machine.
        "array_api_strict:no_float64": Row(
            name="ARRAY_API_STRICT_NO_FLOAT64", device="no_float64", float32_only=True, opt_in=True
        ),
        # torch has no negative strides (its flip copies); it has lazy conj and neg bits.
        "torch": Row(
            layouts=_STRIDED | {"conj", "neg"},
            test_device="meta",
            make_requires_grad=_leaf_requiring_grad,
        ),
        "torch:grad": Row(requires_grad=True),
        "torch:cuda": Row(device="cuda:0", needs_gpu=True, probe=_torch_cuda),
        "cupy": Row(layouts=_STRIDED | {"negative_strides"}, needs_gpu=True, probe=_cupy_gpu),
        "dask": Row(layouts=frozenset({"contiguous", "chunked"})),
        "jax": Row(),  # immutable arrays, made contiguous: the defaults
    }
)
_DEFAULT: Final = Row()


def _registered() -> tuple[str, ...]:
    from .._backends import BACKENDS  # the registry: no library is imported

    return tuple(spec.name for spec in BACKENDS)


def _import_name(library: str) -> str:
    from .._backends import BACKENDS

    return next(spec.import_name for spec in BACKENDS if spec.name == library)


def _members() -> list[tuple[str, str]]:
    """``(name, value)`` of every member: the table's backends in its order, then the
    other registered ones; each backend's variants right after it."""
    registered = _registered()
    order = [key for key in VARIANTS if ":" not in key and key in registered]
    order += [name for name in registered if name not in order]
    found = []
    for library in order:
        for value in (library, *(k for k in VARIANTS if k.partition(":")[0] == library != k)):
            row = VARIANTS.get(value, _DEFAULT)
            found.append((row.name or value.upper().replace(":", "_"), value))
    return found


class _Backend(Enum):
    """A backend (library) and an optional variant of how test arrays are made."""

    @property
    def library(self) -> str:
        """The backend's registry name (``"torch"`` for ``Backend.TORCH_GRAD``)."""
        return str(self.value).partition(":")[0]

    @property
    def variant(self) -> str:
        """The variant tag (``"grad"``), or ``""``."""
        return str(self.value).partition(":")[2]

    @property
    def row(self) -> Row:
        """The member's row of :data:`VARIANTS` (the defaults for a backend without one)."""
        return VARIANTS.get(self.value, _DEFAULT)

    @property
    def backend_row(self) -> Row:
        """The row of the member's backend (for a variant: the row it inherits from)."""
        return VARIANTS.get(self.library, _DEFAULT)

    @property
    def opt_in(self) -> bool:
        """Whether tests run on this member only when they ask for it (see ``Row.opt_in``)."""
        return self.row.opt_in

    @property
    def needs_gpu(self) -> bool:
        return self.row.needs_gpu or self.backend_row.needs_gpu

    def missing(self) -> str | None:
        """Why this backend cannot run here (not installed, no GPU), or None."""
        if importlib.util.find_spec(_import_name(self.library)) is None:
            return f"{self.library} is not installed"
        probe = self.row.probe or self.backend_row.probe
        if probe is not None:
            return probe()
        if self.needs_gpu:
            return _device_missing(self.library, self.row.device)
        return None

    def device(self) -> Any:
        """The device this member's arrays live on (None: the library's default)."""
        if self.row.device is None:
            return None
        from .._backends import get_adapter

        # Needs the device: the member is skipped before anything asks where it is missing.
        return get_adapter(self.library).native_device(self.row.device)

    @classmethod
    def parse(cls, value: Self | str) -> Self:
        """A member from itself, its value (``"torch:grad"``) or its name (``"TORCH_GRAD"``)."""
        if isinstance(value, cls):
            return value
        for member in cls:
            if value in (member.value, member.name):
                return member
        names = ", ".join(m.value for m in cls)
        msg = f"unknown backend {value!r}; choose from {names}"
        raise ValueError(msg)


def _device_missing(library: str, device: str | None) -> str | None:
    """Why `library` cannot place arrays on `device` (None: its default) here, or None."""
    from .._backends import get_adapter

    try:
        adapter = get_adapter(library)
        wanted = adapter.device_str(
            adapter.native_device(device) if device is not None else adapter.default_device()
        )
        present = {adapter.device_str(d) for d in adapter.devices()}
    except Exception as exc:  # noqa: BLE001 - a broken install, no driver: the reason to skip
        return f"{library} cannot reach its device here ({type(exc).__name__}: {exc})"
    return None if wanted in present else f"no {wanted} device here"


if TYPE_CHECKING:
    # What type checkers see; at run time the members come from the registry and the table
    # (a backend registered later is a member there, reached by iteration or `parse`).

    class Backend(_Backend):
        """A backend (library) and an optional variant of how test arrays are made."""

        NUMPY = "numpy"
        NUMPY_READONLY = "numpy:readonly"
        ARRAY_API_STRICT = "array_api_strict"
        ARRAY_API_STRICT_DEVICE = "array_api_strict:device1"
        ARRAY_API_STRICT_NO_FLOAT64 = "array_api_strict:no_float64"
        TORCH = "torch"
        TORCH_GRAD = "torch:grad"
        TORCH_CUDA = "torch:cuda"
        CUPY = "cupy"
        DASK = "dask"
        JAX = "jax"

else:
    Backend = _Backend("Backend", _members(), module=__name__, qualname="Backend")
    Backend.__doc__ = _Backend.__doc__


def required_backends() -> set[str]:
    """Backends listed in :data:`REQUIRED_ENV`: library names (``"torch"``) or member values
    (``"torch:cuda"``). An unknown name is a ``ValueError``, so a typo cannot make the
    requirement silently empty."""
    listed = {name.strip() for name in os.environ.get(REQUIRED_ENV, "").split(",")}
    listed.discard("")
    known = {m.value for m in Backend} | {m.library for m in Backend}
    unknown = sorted(listed - known)
    if unknown:
        msg = (
            f"{REQUIRED_ENV} lists unknown backends {unknown}; use library names or Backend "
            f"values: {', '.join(sorted(known))}"
        )
        raise ValueError(msg)
    return listed

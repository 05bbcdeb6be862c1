"""xpbridge: one NumPy-like namespace over NumPy, PyTorch, CuPy, Dask, JAX and array-api-strict.

``import xpbridge as xb``, then call ``xb.<function>`` on arrays of any of those libraries:
the call runs in the library that owns the arrays and returns its own array type. Functions
are the Python array API standard (2025.12) plus the common NumPy spellings. Conversions
between libraries (``xb.to``, ``xb.to_numpy``...) say what they do, and torch autograd
graphs are never cut silently.

Importing xpbridge imports NumPy and nothing else heavy: a backend's library is imported
only when you pass its arrays or ask for it by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._at import at
from ._backends import available_backends
from ._config import (
    get_grad_mode,
    get_policy,
    grad_mode,
    policy,
    set_grad_mode,
    set_policy,
    using,
)
from ._convert import (
    Plan,
    Step,
    asarray,
    from_dlpack,
    plan,
    to,
    to_cupy,
    to_dask,
    to_jax,
    to_numpy,
    to_torch,
)
from ._dtypes import DTYPES as _DTYPES
from ._dtypes import DType
from ._errors import (
    BackendNotAvailableError,
    BridgeError,
    CopyRequiredError,
    DeviceMismatchError,
    GradientBreakError,
    MixedBackendError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
    UnsupportedOperationError,
)
from ._grad import clone, detach, enable_grad, item, no_grad, requires_grad, tolist
from ._inspect import ArrayInfo, backend_of, info, may_share_memory, shares_memory
from ._namespace import BackendNamespace, namespace
from ._numpy_function import numpy_function
from ._standard import API_VERSION as __array_api_version__

__version__ = "0.1.0.dev0"

# ---------------------------------------------------------------------- dtypes and constants
bool = _DTYPES["bool"]  # noqa: A001 - the standard's name
int8 = _DTYPES["int8"]
int16 = _DTYPES["int16"]
int32 = _DTYPES["int32"]
int64 = _DTYPES["int64"]
uint8 = _DTYPES["uint8"]
uint16 = _DTYPES["uint16"]
uint32 = _DTYPES["uint32"]
uint64 = _DTYPES["uint64"]
float16 = _DTYPES["float16"]
bfloat16 = _DTYPES["bfloat16"]
float32 = _DTYPES["float32"]
float64 = _DTYPES["float64"]
complex64 = _DTYPES["complex64"]
complex128 = _DTYPES["complex128"]

e = 2.718281828459045
inf = float("inf")
nan = float("nan")
pi = 3.141592653589793
newaxis = None

if TYPE_CHECKING:
    # Type checkers read the declarations; at run time __getattr__ builds each function.
    from ._api.creation import *  # noqa: F403
    from ._api.data_types import *  # noqa: F403
    from ._api.elementwise import *  # noqa: F403
    from ._api.linalg import matmul, matrix_transpose, tensordot, vecdot
    from ._api.manipulation import *  # noqa: F403
    from ._api.numpy_spellings import *  # noqa: F403
    from ._api.searching import *  # noqa: F403
    from ._api.statistical import *  # noqa: F403
else:
    from ._api.data_types import can_cast, finfo, iinfo, isdtype, result_type

from ._lazy import dispatched_names as _dispatched_names
from ._lazy import module_getattr as _module_getattr


def __array_namespace_info__() -> Any:
    """The inspection object of the default backend (see :func:`xpbridge.using`)."""
    from ._backends import get_adapter
    from ._config import current_defaults

    return get_adapter(current_defaults().backend).xp.__array_namespace_info__()


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape that arrays of `shapes` broadcast to, by the standard's rules.

    Examples
    --------
    >>> import xpbridge as xb
    >>> xb.broadcast_shapes((2, 1), (3,))
    (2, 3)
    """
    from ._namespace import _broadcast_shapes

    return _broadcast_shapes(*shapes)


_EAGER = [
    "API_VERSION",
    "ArrayInfo",
    "BackendNamespace",
    "BackendNotAvailableError",
    "BridgeError",
    "CopyRequiredError",
    "DType",
    "DeviceMismatchError",
    "GradientBreakError",
    "MixedBackendError",
    "Plan",
    "Step",
    "UnknownArrayTypeError",
    "UnsupportedDTypeError",
    "UnsupportedOperationError",
    "__array_namespace_info__",
    "asarray",
    "at",
    "available_backends",
    "backend_of",
    "bfloat16",
    "bool",
    "broadcast_shapes",
    "can_cast",
    "clone",
    "complex64",
    "complex128",
    "detach",
    "e",
    "enable_grad",
    "finfo",
    "float16",
    "float32",
    "float64",
    "from_dlpack",
    "get_grad_mode",
    "get_policy",
    "grad_mode",
    "iinfo",
    "inf",
    "info",
    "int8",
    "int16",
    "int32",
    "int64",
    "isdtype",
    "item",
    "may_share_memory",
    "namespace",
    "nan",
    "newaxis",
    "no_grad",
    "numpy_function",
    "pi",
    "plan",
    "policy",
    "requires_grad",
    "result_type",
    "set_grad_mode",
    "set_policy",
    "shares_memory",
    "to",
    "to_cupy",
    "to_dask",
    "to_jax",
    "to_numpy",
    "to_torch",
    "tolist",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "using",
]
_EAGER.remove("API_VERSION")
__all__ = sorted([*_EAGER, *_dispatched_names(), "fft", "linalg", "random"])


def __getattr__(name: str) -> Any:
    return _module_getattr(__name__, globals(), name)


def __dir__() -> list[str]:
    return __all__

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

# The facade sits above every module but the tools (testing, the report): nothing below
# imports it (docs/architecture.md; checked by lint-imports and tests/test_layers.py).
from . import _standard
from ._api.data_types import can_cast, finfo, iinfo, isdtype, result_type
from ._at import at
from ._audit import AuditLog, AuditRecord, Endpoint
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
    TreePlan,
    asarray,
    from_dlpack,
    plan,
    to,
    to_cupy,
    to_dask,
    to_jax,
    to_mlx,
    to_numpy,
    to_torch,
)
from ._dtypes import DTYPES as _DTYPES
from ._dtypes import DType
from ._errors import (
    ArgumentTypeError,
    AxisOutOfBoundsError,
    BackendNotAvailableError,
    BridgeError,
    CopyRequiredError,
    DeviceMismatchError,
    DeviceNotAvailableError,
    DivisionByZeroError,
    GradientBreakError,
    ImplicitComputeError,
    ImplicitConversionError,
    ImplicitConversionWarning,
    ImplicitCopyError,
    ImplicitDetachError,
    ImplicitMoveError,
    IndexOutOfBoundsError,
    LinAlgError,
    MixedBackendError,
    NullValuesError,
    OutOfMemoryError,
    RaggedSequenceError,
    ShapeError,
    UnknownArrayTypeError,
    UnsupportedDTypeError,
    UnsupportedOperationError,
    ValueOverflowError,
)
from ._grad import clone, detach, enable_grad, item, no_grad, requires_grad, tolist
from ._inspect import ArrayInfo, backend_of, info, may_share_memory, shares_memory
from ._lazy import module_getattr as _module_getattr
from ._namespace import BackendNamespace, namespace
from ._namespace import _registry as _declarations
from ._numpy_function import numpy_function
from ._watch import audit, guard

__version__ = "0.1.0.dev0"
__array_api_version__ = _standard.API_VERSION

# ---------------------------------------------------------------------- dtypes and constants
bool = _DTYPES["bool"]  # shadows the builtin: the standard's name
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
    # Type checkers read the declarations (the NumPy synonyms of ``ALIASES`` under their
    # NumPy name); at run time __getattr__ builds each function on first use.
    # tests/test_public_api.py checks these names against the registry.
    from . import fft, linalg, random
    from ._api.creation import (
        arange,
        empty,
        empty_like,
        eye,
        full,
        full_like,
        linspace,
        meshgrid,
        ones,
        ones_like,
        tril,
        triu,
        zeros,
        zeros_like,
    )
    from ._api.data_types import astype
    from ._api.elementwise import (
        abs,
        acos,
        acosh,
        add,
        asin,
        asinh,
        atan,
        atan2,
        atanh,
        bitwise_and,
        bitwise_invert,
        bitwise_left_shift,
        bitwise_or,
        bitwise_right_shift,
        bitwise_xor,
        ceil,
        clip,
        conj,
        copysign,
        cos,
        cosh,
        divide,
        equal,
        exp,
        expm1,
        floor,
        floor_divide,
        greater,
        greater_equal,
        hypot,
        imag,
        isfinite,
        isinf,
        isnan,
        less,
        less_equal,
        log,
        log1p,
        log2,
        log10,
        logaddexp,
        logical_and,
        logical_not,
        logical_or,
        logical_xor,
        maximum,
        minimum,
        multiply,
        negative,
        nextafter,
        not_equal,
        positive,
        pow,
        real,
        reciprocal,
        remainder,
        round,
        sign,
        signbit,
        sin,
        sinh,
        sqrt,
        square,
        subtract,
        tan,
        tanh,
        trunc,
    )
    from ._api.elementwise import abs as absolute
    from ._api.elementwise import acos as arccos
    from ._api.elementwise import acosh as arccosh
    from ._api.elementwise import asin as arcsin
    from ._api.elementwise import asinh as arcsinh
    from ._api.elementwise import atan as arctan
    from ._api.elementwise import atan2 as arctan2
    from ._api.elementwise import atanh as arctanh
    from ._api.elementwise import bitwise_invert as bitwise_not
    from ._api.elementwise import bitwise_invert as invert
    from ._api.elementwise import bitwise_left_shift as left_shift
    from ._api.elementwise import bitwise_right_shift as right_shift
    from ._api.elementwise import conj as conjugate
    from ._api.elementwise import divide as true_divide
    from ._api.elementwise import pow as power
    from ._api.elementwise import remainder as mod
    from ._api.linalg import (
        matmul,
        matrix_transpose,
        tensordot,
        vecdot,
    )
    from ._api.manipulation import (
        broadcast_arrays,
        broadcast_to,
        concat,
        expand_dims,
        flip,
        moveaxis,
        permute_dims,
        repeat,
        reshape,
        roll,
        squeeze,
        stack,
        tile,
        unstack,
    )
    from ._api.numpy_spellings import (
        allclose,
        array_equal,
        concatenate,
        cumprod,
        cumsum,
        deg2rad,
        dot,
        einsum,
        hstack,
        isclose,
        outer,
        rad2deg,
        ravel,
        swapaxes,
        transpose,
        unique,
        vstack,
    )
    from ._api.searching import (
        argmax,
        argmin,
        argsort,
        count_nonzero,
        isin,
        nonzero,
        searchsorted,
        sort,
        take,
        take_along_axis,
        unique_all,
        unique_counts,
        unique_inverse,
        unique_values,
        where,
    )
    from ._api.statistical import (
        all,
        any,
        cumulative_prod,
        cumulative_sum,
        diff,
        max,
        mean,
        min,
        prod,
        std,
        sum,
        var,
    )
    from ._api.statistical import max as amax
    from ._api.statistical import min as amin
else:
    # Importing the declarations fills the dispatch registry.
    _declarations()


def __array_namespace_info__() -> Any:  # noqa: N807 - the standard's name
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


__all__ = [
    "ArgumentTypeError",
    "ArrayInfo",
    "AuditLog",
    "AuditRecord",
    "AxisOutOfBoundsError",
    "BackendNamespace",
    "BackendNotAvailableError",
    "BridgeError",
    "CopyRequiredError",
    "DType",
    "DeviceMismatchError",
    "DeviceNotAvailableError",
    "DivisionByZeroError",
    "Endpoint",
    "GradientBreakError",
    "ImplicitComputeError",
    "ImplicitConversionError",
    "ImplicitConversionWarning",
    "ImplicitCopyError",
    "ImplicitDetachError",
    "ImplicitMoveError",
    "IndexOutOfBoundsError",
    "LinAlgError",
    "MixedBackendError",
    "NullValuesError",
    "OutOfMemoryError",
    "Plan",
    "RaggedSequenceError",
    "ShapeError",
    "Step",
    "TreePlan",
    "UnknownArrayTypeError",
    "UnsupportedDTypeError",
    "UnsupportedOperationError",
    "ValueOverflowError",
    "__array_namespace_info__",
    "asarray",
    "at",
    "audit",
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
    "fft",
    "finfo",
    "float16",
    "float32",
    "float64",
    "from_dlpack",
    "get_grad_mode",
    "get_policy",
    "grad_mode",
    "guard",
    "iinfo",
    "inf",
    "info",
    "int8",
    "int16",
    "int32",
    "int64",
    "isdtype",
    "item",
    "linalg",
    "may_share_memory",
    "namespace",
    "nan",
    "newaxis",
    "no_grad",
    "numpy_function",
    "pi",
    "plan",
    "policy",
    "random",
    "requires_grad",
    "result_type",
    "set_grad_mode",
    "set_policy",
    "shares_memory",
    "to",
    "to_cupy",
    "to_dask",
    "to_jax",
    "to_mlx",
    "to_numpy",
    "to_torch",
    "tolist",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "using",
]
# Built on first use by __getattr__ below (PEP 562).
__all__ += [
    "abs",
    "absolute",
    "acos",
    "acosh",
    "add",
    "all",
    "allclose",
    "amax",
    "amin",
    "any",
    "arange",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "argsort",
    "array_equal",
    "asin",
    "asinh",
    "astype",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "broadcast_arrays",
    "broadcast_to",
    "ceil",
    "clip",
    "concat",
    "concatenate",
    "conj",
    "conjugate",
    "copysign",
    "cos",
    "cosh",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "cumulative_prod",
    "cumulative_sum",
    "deg2rad",
    "diff",
    "divide",
    "dot",
    "einsum",
    "empty",
    "empty_like",
    "equal",
    "exp",
    "expand_dims",
    "expm1",
    "eye",
    "flip",
    "floor",
    "floor_divide",
    "full",
    "full_like",
    "greater",
    "greater_equal",
    "hstack",
    "hypot",
    "imag",
    "invert",
    "isclose",
    "isfinite",
    "isin",
    "isinf",
    "isnan",
    "left_shift",
    "less",
    "less_equal",
    "linspace",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "matmul",
    "matrix_transpose",
    "max",
    "maximum",
    "mean",
    "meshgrid",
    "min",
    "minimum",
    "mod",
    "moveaxis",
    "multiply",
    "negative",
    "nextafter",
    "nonzero",
    "not_equal",
    "ones",
    "ones_like",
    "outer",
    "permute_dims",
    "positive",
    "pow",
    "power",
    "prod",
    "rad2deg",
    "ravel",
    "real",
    "reciprocal",
    "remainder",
    "repeat",
    "reshape",
    "right_shift",
    "roll",
    "round",
    "searchsorted",
    "sign",
    "signbit",
    "sin",
    "sinh",
    "sort",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "subtract",
    "sum",
    "swapaxes",
    "take",
    "take_along_axis",
    "tan",
    "tanh",
    "tensordot",
    "tile",
    "transpose",
    "tril",
    "triu",
    "true_divide",
    "trunc",
    "unique",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
    "unstack",
    "var",
    "vecdot",
    "vstack",
    "where",
    "zeros",
    "zeros_like",
]
__all__.sort()  # as dir() sorts them: dir(xb) == xb.__all__


def __getattr__(name: str) -> Any:
    return _module_getattr(__name__, globals(), name)


def __dir__() -> list[str]:
    return __all__

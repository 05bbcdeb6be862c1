"""PyTorch: autograd-aware, device-aware, with torch's deviations from the standard fixed."""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any

import array_api_compat.torch as compat_torch
import torch

from .._deviation import Deviation
from .._dtypes import DTYPES
from .._errors import (
    CopyRequiredError,
    DeviceMismatchError,
    DeviceNotAvailableError,
    GradientBreakError,
    UnsupportedDTypeError,
    UnsupportedOperationError,
)
from .._taxonomy import wording
from ._base import Adapter, Facts, HostCall, Route, int_seed

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

_DLPACK_CPU = 1  # kDLCPU in DLPack's device enum

# Standard name -> torch's own function, exact when called with arrays alone (options at
# their defaults) whose dtypes are identical; array-api-compat's wrappers add ~1 us to fix
# promotion, which identical dtypes never need.
_NATIVE_WHEN_PLAIN: dict[str, str] = {
    "add": "add",
    "subtract": "subtract",
    "multiply": "multiply",
    "divide": "divide",
    "pow": "pow",
    "remainder": "remainder",
    "floor_divide": "floor_divide",
    "equal": "eq",
    "not_equal": "ne",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "logical_and": "logical_and",
    "logical_or": "logical_or",
    "logical_xor": "logical_xor",
    "bitwise_and": "bitwise_and",
    "bitwise_or": "bitwise_or",
    "bitwise_xor": "bitwise_xor",
    "bitwise_left_shift": "bitwise_left_shift",
    "bitwise_right_shift": "bitwise_right_shift",
    "bitwise_invert": "bitwise_not",
    "atan2": "atan2",
    "copysign": "copysign",
    "hypot": "hypot",
    "logaddexp": "logaddexp",
    "maximum": "maximum",
    "minimum": "minimum",
    "nextafter": "nextafter",
    "matmul": "matmul",
    "where": "where",
    "sum": "sum",
    "prod": "prod",
    "max": "amax",
    "min": "amin",
    "mean": "mean",
    "reshape": "reshape",
    "permute_dims": "permute",
}

#: torch functions that take a Python scalar second (``f(tensor, 0.5)``) as the standard
#: says: weakly typed, a "wrapped number" in torch's promotion. The others (maximum,
#: atan2, logaddexp...) refuse scalars or promote them differently: array-api-compat's
#: wrappers make a tensor of them first.
_NATIVE_WITH_SCALAR: dict[str, str] = {
    path: _NATIVE_WHEN_PLAIN[path]
    for path in (
        "add",
        "subtract",
        "multiply",
        "divide",
        "pow",
        "remainder",
        "floor_divide",
        "equal",
        "not_equal",
        "greater",
        "greater_equal",
        "less",
        "less_equal",
        "bitwise_and",
        "bitwise_or",
        "bitwise_xor",
        "bitwise_left_shift",
        "bitwise_right_shift",
        "copysign",
    )
}

_UNSIGNED_WIDE = re.compile(r"not implemented for '(UInt(16|32|64))'")
_DEVICE_MIX = re.compile(
    r"Expected all tensors to be on the same device|is not on the expected device"
)


def _from_numpy(a: Any) -> Any:
    import numpy as np

    # ml_dtypes' bfloat16: neither from_numpy nor DLPack know it.
    return torch.from_numpy(np.asarray(a).view(np.int16)).view(torch.bfloat16)


def _tensor_numpy(t: Any) -> Any:
    # bfloat16 has no NumPy dtype; ml_dtypes (if loaded) supplies one with the same bits.
    import ml_dtypes

    return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)


def _overreach(x: Any) -> str | None:
    """Why `x` reaches past its storage (freed or shrunk), or None."""
    try:
        available = x.untyped_storage().nbytes()
    except (RuntimeError, NotImplementedError, TypeError):
        return None  # sparse, quantized, functorch: no plain storage (refused elsewhere)
    numel = x.numel()
    if not numel:
        return None
    if x.is_contiguous():
        reach = x.storage_offset() + numel
    else:
        strides = zip(x.shape, x.stride(), strict=True)
        reach = x.storage_offset() + sum((n - 1) * s for n, s in strides) + 1
    needed = reach * x.element_size()
    if needed <= available:
        return None
    return (
        f"the tensor reaches {needed} bytes into its storage, which holds {available} (the "
        "storage was freed or shrunk, e.g. by untyped_storage().resize_(0)); reading it "
        "would read memory the tensor does not own"
    )


def _viewed(view: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`view` (a zero-copy export), first refusing a tensor whose storage was freed or
    shrunk: the view would hand another library memory nobody owns (torch's own
    Tensor.numpy() hands it on)."""

    def checked(t: Any) -> Any:
        # The common case costs three reads: a dense tensor at the start of its storage.
        if t.storage_offset() or t.nbytes > t.untyped_storage().nbytes() or not t.is_contiguous():
            refusal = _overreach(t)
            if refusal is not None:
                msg = f"cannot hand on this torch tensor's memory: {refusal}"
                raise UnsupportedOperationError(msg)
        return view(t)

    return checked


# Tensor.numpy() refuses what it cannot view faithfully (grad while recording, lazy bits,
# other devices and layouts): a refusal sends the conversion back to the full planner.
_EXPORT = Route(
    "Tensor.numpy()", _viewed(torch.Tensor.numpy), "torch's own view, faster than DLPack"
)
_EXPORT_BF16 = Route(
    "Tensor.numpy() + ml_dtypes", _viewed(_tensor_numpy), "torch's own view, as bfloat16"
)
# The planner never passes read-only memory (torch would alias it, warning only once),
# byte-swapped or negatively strided memory (from_numpy would refuse it).
_IMPORT = Route("torch.from_numpy", torch.from_numpy, "about 3x faster than DLPack on CPU")
_IMPORT_BF16 = Route("torch.from_numpy + view", _from_numpy, "ml_dtypes' bfloat16 bits as torch's")


def _unique_all(x: Any, /) -> Any:
    # array-api-compat has none (torch.unique cannot return first indices); the first index
    # of each value is the smallest position whose inverse index points at it, which
    # scatter_reduce("amin") finds deterministically.
    from array_api_compat.common._aliases import UniqueAllResult

    values, inverse, counts = torch.unique(x, return_inverse=True, return_counts=True)
    flat = inverse.reshape(-1)
    positions = torch.arange(flat.numel(), device=x.device)
    first = torch.full((values.shape[0],), flat.numel(), dtype=torch.int64, device=x.device)
    first = first.scatter_reduce(0, flat, positions, reduce="amin")
    return UniqueAllResult(values, first, inverse.reshape(x.shape), counts)


_WIDE_UNSIGNED = frozenset({torch.uint16, torch.uint32, torch.uint64})


def _cast_standard(args: tuple[Any, ...], first: int, second: int) -> tuple[Any, ...]:
    """`args` with the tensors at `first` and `second` cast to the standard's result dtype."""
    from .._dtypes import standard_promotion

    a, b = args[first], args[second]
    names = [str(t.dtype).removeprefix("torch.") for t in (a, b)]
    target = standard_promotion(*names)
    if target is None:
        msg = (
            f"the standard does not promote {names[0]} with {names[1]}, and torch refuses to; "
            "cast one of them first (xb.astype)"
        )
        raise UnsupportedDTypeError(msg)
    cast = list(args)
    cast[first], cast[second] = a.to(getattr(torch, target)), b.to(getattr(torch, target))
    return tuple(cast)


def _common_dtype(tensors: Any) -> Any:
    """`tensors`, cast to the standard's result dtype where torch refuses to promote them
    itself (uint16/32/64 with any other dtype)."""
    tensors = list(tensors)
    dtypes = {t.dtype for t in tensors if isinstance(t, torch.Tensor)}
    if len(dtypes) < 2 or not dtypes & _WIDE_UNSIGNED:
        return tensors
    from .._dtypes import standard_promotion

    names = sorted(str(d).removeprefix("torch.") for d in dtypes)
    target: str | None = names[0]
    for name in names[1:]:
        target = None if target is None else standard_promotion(target, name)
    if target is None:
        msg = (
            f"the standard does not promote {' with '.join(names)}, and torch refuses to; "
            "cast them to one dtype first (xb.astype)"
        )
        raise UnsupportedDTypeError(msg)
    return [t.to(getattr(torch, target)) for t in tensors]


def _concat(arrays: Any, /, *, axis: int | None = 0) -> Any:
    return compat_torch.concat(_common_dtype(arrays), axis=axis)


def _stack(arrays: Any, /, *, axis: int = 0) -> Any:
    return torch.stack(_common_dtype(arrays), dim=axis)


class _TorchRandom:
    """Random numbers from a ``torch.Generator`` on the tensors' device."""

    def __init__(self, seed: Any, device: Any) -> None:
        self._device = torch.device(device) if device is not None else torch.get_default_device()
        # The meta device holds no values, hence no generator.
        self._generator = None
        if self._device.type != "meta":
            self._generator = torch.Generator(device=self._device)
            self._generator.manual_seed(int_seed(seed))

    def _options(self, dtype: str) -> dict[str, Any]:
        dtype_object = getattr(torch, dtype)
        return {"generator": self._generator, "dtype": dtype_object, "device": self._device}

    def random(self, shape: tuple[int, ...], dtype: str) -> Any:
        return torch.rand(shape, **self._options(dtype))

    def standard_normal(self, shape: tuple[int, ...], dtype: str) -> Any:
        return torch.randn(shape, **self._options(dtype))

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: str) -> Any:
        return torch.randint(low, high, shape, **self._options(dtype))

    def permutation(self, n: int) -> Any:
        return torch.randperm(n, **self._options("int64"))


# array-api-compat returns graph-less zeros for var/std over no axis (``axis=()``) and fails
# for count_nonzero: there, each element is its own reduction.


def _var(x: Any, /, *, axis: Any = None, correction: float = 0.0, keepdims: bool = False) -> Any:
    if axis == ():
        return (x - x) / (1 - correction)  # 0 / (n - correction), keeping the graph
    return compat_torch.var(x, axis=axis, correction=correction, keepdims=keepdims)


def _std(x: Any, /, *, axis: Any = None, correction: float = 0.0, keepdims: bool = False) -> Any:
    if axis == ():
        return torch.sqrt((x - x) / (1 - correction))
    return compat_torch.std(x, axis=axis, correction=correction, keepdims=keepdims)


def _count_nonzero(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    if axis == ():
        return (x != 0).to(torch.int64)
    return compat_torch.count_nonzero(x, axis=axis, keepdims=keepdims)


def _einsum(subscripts: str, /, *operands: Any) -> Any:
    # torch.einsum requires one dtype; NumPy's promotes the operands (standard rules).
    dtypes = {o.dtype for o in operands}
    if len(dtypes) > 1:
        common = compat_torch.result_type(*operands)
        operands = tuple(o.to(common) for o in operands)
    return torch.einsum(subscripts, *operands)


_WIDE_UNSIGNED_NAMES = ("uint16", "uint32", "uint64")

# Functions PyTorch (2.13) has no kernels for on uint16/uint32/uint64 tensors; it does have
# casts, copies, equality, bitwise and/or/xor, multiply, sorting, sums and indexing.
_NO_WIDE_UNSIGNED = (
    "abs", "add", "argmax", "argmin", "bitwise_invert", "bitwise_left_shift",
    "bitwise_right_shift", "clip", "count_nonzero", "diff", "flip", "floor_divide", "greater",
    "greater_equal", "hypot", "isin", "less", "less_equal", "logaddexp", "matmul", "max",
    "maximum", "min", "minimum", "negative", "nextafter", "nonzero", "pow", "remainder",
    "searchsorted", "sign", "square", "subtract", "take_along_axis", "tensordot", "tril", "triu",
    "vecdot",
)  # fmt: skip

_NO_COMPLEX_UNIQUE = (
    "PyTorch has no unique for complex tensors: xpbridge raises UnsupportedDTypeError; "
    "compute it in NumPy, e.g. xb.unique_values(xb.to_numpy(x, detach=True))"
)

# Reductions whose unsigned results PyTorch gives as int64 (it has no uint64 accumulator).
_SIGNED_SUMS = ("sum", "prod", "cumulative_sum", "cumulative_prod")

DEVIATIONS = (
    Deviation(
        "torch",
        "floor_divide",
        "PyTorch follows Python's floor division at infinities: an infinity divided by a finite "
        "number gives NaN, and a finite number divided by an infinity of the other sign gives "
        "-1; the standard prefers floor(x1 / x2) (+-infinity and -0) and notes that libraries "
        "may match Python instead",
        dtypes=("float32", "float64"),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "torch",
        "expm1",
        "PyTorch computes complex expm1 without the standard's special cases at infinities and "
        "NaN (expm1(+inf + 0j) gives inf + NaN j, expm1(-inf + inf j) NaN + NaN j, not -1 + 0j)",
        dtypes=("complex64", "complex128"),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "torch",
        "log1p",
        "PyTorch's complex log1p gives NaN + NaN j where the standard's special cases give an "
        "infinite real part (an infinite or NaN operand: log1p(x + inf j) is +inf + pi/2 j)",
        dtypes=("complex64", "complex128"),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "torch",
        "acos",
        "PyTorch's complex128 acos(+-0 + 0j) gives pi/2 + 0j, not pi/2 - 0j (the sign of the "
        "imaginary zero)",
        dtypes=("complex128",),
        kind="differs",
        case="special cases",
    ),
    Deviation(
        "torch",
        "remainder",
        "PyTorch's remainder of a zero keeps the dividend's sign (remainder(-0, 1) is -0), "
        "where the standard takes the divisor's (+0)",
        dtypes=("float32", "float64"),
        kind="differs",
        case="special cases",
    ),
    *(
        Deviation(
            "torch",
            function,
            "PyTorch has no kernel for this on uint16/uint32/uint64 tensors (it implements "
            "only casts, copies, equality, bitwise and/or/xor, multiply, sorting and sums "
            "for them); xpbridge raises UnsupportedDTypeError: cast first, e.g. "
            "xb.astype(x, xb.int64)",
            dtypes=_WIDE_UNSIGNED_NAMES,
        )
        for function in _NO_WIDE_UNSIGNED
    ),
    *(
        Deviation(
            "torch",
            function,
            "unsigned integers accumulate in int64, not uint64 (PyTorch has no uint64 "
            "accumulator): the result's dtype is int64 (cast it with xb.astype if needed)",
            dtypes=("uint8", *_WIDE_UNSIGNED_NAMES),
            kind="differs",
        )
        for function in _SIGNED_SUMS
    ),
    *(
        Deviation(
            "torch",
            function,
            _NO_COMPLEX_UNIQUE,
            dtypes=("complex64", "complex128"),
        )
        for function in ("unique_values", "unique_counts", "unique_inverse", "unique_all")
    ),
    Deviation(
        "torch",
        "mean",
        "PyTorch averages only floating-point tensors (the standard asks for floating-point "
        "input; NumPy, Dask and JAX average integers in float64): xpbridge raises "
        "UnsupportedDTypeError: cast first, e.g. xb.astype(x, xb.float64)",
        dtypes=("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
    ),
)


def _traits(x: Any) -> Any:
    # Torch memory is always writable, native, with positive strides: what decides is the
    # dtype, the device, gradients, lazy bits and the layout. On the CPU every route out of
    # torch starts with Tensor.numpy(), which refuses lazy bits, other layouts and tensors
    # without storage (functorch's), and resolving a bit refuses a tensor without it: those
    # facts need not be read there (the planner reads them when a route refuses). Device
    # memory leaves by DLPack, which would not refuse.
    if x.is_cpu:  # (cheaper than reading x.device.type)
        return x.dtype, x.requires_grad
    return x.dtype, x.device, x.requires_grad, x.is_conj(), x.is_neg(), x.layout


class TorchAdapter(Adapter):
    name = "torch"
    array_type_name = "torch.Tensor"
    array_noun = "tensor"
    deviations = DEVIATIONS
    demo = (
        "t = torch.linspace(0.0, 1.0, 4, requires_grad=True)",
        "w = np.array([1.0, 2.0, 3.0, 4.0])",
        "y = xb.sum(xb.multiply(xb.sin(t), w))",
        "y",
        "y.backward()",
        "t.grad",
        "xb.to_numpy(t)",
        "xb.to_numpy(t, detach=True)",
        "print(xb.plan(t, 'numpy', detach=True))",
    )
    copy_refusals = ("view size is not compatible with input tensor",)
    dtype_refusals = (
        r"not implemented for '\w+'",
        r"Expected a floating point or complex tensor",
        r"doesn't handle types other than float and double",
        r"only supports floating-point dtypes",
        r"must have floating point or complex dtype",
    )

    def __init__(self) -> None:
        super().__init__()
        self.overrides["unique_all"] = _unique_all
        self.overrides["var"] = _var
        self.overrides["std"] = _std
        self.overrides["count_nonzero"] = _count_nonzero
        self.overrides["einsum"] = _einsum
        self.overrides["concat"] = _concat
        self.overrides["stack"] = _stack

    @cached_property
    def module(self) -> Any:
        return torch

    @cached_property
    def xp(self) -> Any:
        return compat_torch

    # torch promotes a 0-d tensor's dtype away (float32 + 0-d float64 -> float32).
    native_promotion = False
    # torch.add(uint8 tensor, 300) is 45: Python ints beyond the dtype are checked first.
    wraps_int_scalars = True
    # torch.matmul raises for two dtypes (every pair, every shape: checked) and never promotes.
    refuses_mixed_dtypes = frozenset({"matmul"})

    def fast_implementation(self, path: str) -> Callable[..., Any] | None:
        native_name = _NATIVE_WHEN_PLAIN.get(path)
        return None if native_name is None else getattr(torch, native_name)

    def scalar_implementation(self, path: str) -> Callable[..., Any] | None:
        native_name = _NATIVE_WITH_SCALAR.get(path)
        return None if native_name is None else getattr(torch, native_name)

    def random_source(self, seed: Any, device: Any) -> Any:
        return _TorchRandom(seed, self.native_device(device))

    def promoting(self, impl: Callable[..., Any], positions: tuple[int, ...]) -> Callable[..., Any]:
        # torch refuses to promote uint16/32/64 with any other dtype, but casts them: cast
        # both tensors to the standard's result dtype first.
        first, second = positions[:2]

        def promoted(*args: Any, **kwargs: Any) -> Any:
            a, b = args[first], args[second]
            if (
                isinstance(a, torch.Tensor)
                and isinstance(b, torch.Tensor)
                and a.dtype != b.dtype
                and (a.dtype in _WIDE_UNSIGNED or b.dtype in _WIDE_UNSIGNED)
            ):
                args = _cast_standard(args, first, second)
            return impl(*args, **kwargs)

        return promoted

    def translate_error(self, exc: BaseException, function: str) -> Exception | None:
        text = str(exc)
        match = _UNSIGNED_WIDE.search(text)
        if match and isinstance(exc, NotImplementedError | RuntimeError):
            dtype = match.group(1).lower()
            msg = (
                f"torch cannot compute {function} on {dtype} tensors (PyTorch implements "
                f"only a few operations for uint16/32/64); cast first, e.g. "
                f"xb.astype(x, xb.int64), or compute in NumPy"
            )
            return UnsupportedDTypeError(msg)
        if function.startswith("unique") and "not implemented for 'Complex" in text:
            return UnsupportedDTypeError(f"{function}: {_NO_COMPLEX_UNIQUE}")
        if _DEVICE_MIX.search(text):
            msg = (
                f"{function}: the tensors are on different devices ({text}); "
                "xpbridge never moves data implicitly: move them with xb.to(x, 'torch', device=...)"
            )
            return DeviceMismatchError(msg)
        return super().translate_error(exc, function)

    error_wording = (
        wording(RuntimeError, r"must match the size of tensor", "broadcast"),
        wording(RuntimeError, r"is invalid for input of size", "reshape"),
        wording(
            RuntimeError,
            r"sizes of tensors must match|expects each tensor to be equal size|"
            r"tensors must have same number of dimensions",
            "concat",
        ),
        wording(RuntimeError, r"cannot be multiplied|size mismatch|inconsistent .*size", "matmul"),
        wording(
            RuntimeError,
            r"dimension size must be non-negative|negative dimension|size calculation overflowed|"
            r"integer multiplication overflow",
            "size",
        ),
        wording(IndexError, r"dimension out of range", "axis"),
        wording(
            RuntimeError,
            r"dim \d+ appears multiple times|number of dims don't match|"
            r"does not match the length of the desired ordering",
            "axis",
        ),
        wording(torch.linalg.LinAlgError, r"singular", "singular"),
        wording(torch.linalg.LinAlgError, r"positive.definite", "not_positive_definite"),
        wording(torch.linalg.LinAlgError, r"", "linalg"),
        wording(RuntimeError, r"can't allocate memory|out of memory", "memory"),
        wording(RuntimeError, r"\bZeroDivisionError\b", "zero_division"),
        wording(
            (RuntimeError, ValueError),
            r"overflow when unpacking|cannot be converted to type .* without overflow",
            "overflow",
        ),
        wording(
            (RuntimeError, NotImplementedError),
            r"not implemented for '|could not infer output dtype|promotion for uint",
            "dtype",
        ),
    )

    # ------------------------------------------------------------------ dtypes

    @cached_property
    def _native_dtypes(self) -> dict[str, Any]:
        return {name: getattr(torch, name) for name in DTYPES if hasattr(torch, name)}

    def dtype_of(self, x: Any) -> str:
        name = str(x.dtype).removeprefix("torch.")
        if name not in DTYPES:
            msg = (
                f"torch dtype {x.dtype} has no array API counterpart (float8, quantized and bit "
                "types are torch's own); cast it in torch first, e.g. x.to(torch.float32) "
                "(x.dequantize() for quantized tensors)"
            )
            raise UnsupportedDTypeError(msg)
        return name

    # ------------------------------------------------------------------ devices

    def device(self, x: Any) -> Any:
        return x.device

    def default_device(self) -> Any:
        return torch.get_default_device()

    def devices(self) -> list[Any]:
        found = [torch.device("cpu")]
        if torch.cuda.is_available():
            found += [torch.device("cuda", i) for i in range(torch.cuda.device_count())]
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            found.append(torch.device("mps"))
        found.append(torch.device("meta"))
        return found

    def native_device(self, device: Any) -> Any:
        if device is None:
            return device
        if not isinstance(device, torch.device):
            try:
                device = torch.device(
                    device if isinstance(device, str | int) else self.device_str(device)
                )
            except RuntimeError as exc:
                msg = f"torch does not know the device {device!r}: {exc}"
                raise DeviceNotAvailableError(msg) from exc
        if device.type in {"cpu", "meta"}:
            return device
        if device.type == "cuda" and not torch.cuda.is_available():
            # torch would fail later with an AssertionError ("not compiled with CUDA").
            msg = (
                f"torch has no CUDA device here (this torch is {torch.__version__}, CUDA "
                f"available: no); its devices are {[self.device_str(d) for d in self.devices()]}"
            )
            raise DeviceNotAvailableError(msg)
        if self.device_str(device) not in self._device_names:
            # An unavailable backend (mps, xla...) or index: torch would fail later with
            # NotImplementedError or RuntimeError, in the middle of a conversion.
            msg = (
                f"torch has no device {str(device)!r} here; its devices are "
                f"{[self.device_str(d) for d in self.devices()]}"
            )
            raise DeviceNotAvailableError(msg)
        return device

    def holds_values(self, device: Any) -> bool:
        return bool(self.native_device(device).type != "meta")

    def device_str(self, device: Any) -> str:
        device = torch.device(device) if not isinstance(device, torch.device) else device
        kind: str = device.type
        if kind in {"cpu", "meta"}:
            return kind
        index = device.index
        if index is None and device.type == "cuda":
            index = torch.cuda.current_device()
        return f"{device.type}:{index or 0}"

    def owns_device(self, device: Any) -> bool:
        return isinstance(device, torch.device)

    # ------------------------------------------------------------------ facts and gradients

    def facts(self, x: Any) -> Facts:
        name = self.dtype_of(x)
        itemsize = x.element_size()
        unsupported = None
        strides = ptr = None
        if x.layout != torch.strided:
            unsupported = f"{x.layout} layout (convert with x.to_dense() first)"
        elif x.is_quantized:
            unsupported = "quantized tensor (dequantize first)"
        else:
            try:
                strides = tuple(s * itemsize for s in x.stride())
                ptr = x.data_ptr() if x.device.type != "meta" else None
            except (RuntimeError, NotImplementedError):
                unsupported = "tensor without storage (a functorch or fake tensor)"
        bits = tuple(bit for bit, on in (("conj", x.is_conj()), ("neg", x.is_neg())) if on)
        if x.device.type == "meta":
            unsupported = "meta tensor: it has a shape and dtype but no data"
        return Facts(
            backend=self.name,
            dtype=name,
            shape=tuple(x.shape),
            device=self.device_str(x.device),
            strides=strides,
            data_ptr=ptr,
            itemsize=itemsize,
            c_contiguous=x.is_contiguous() if unsupported is None else None,
            f_contiguous=(
                None
                if unsupported is not None
                else x.is_contiguous()
                if x.ndim < 2
                else x.permute(*range(x.ndim - 1, -1, -1)).is_contiguous()
            ),
            requires_grad=x.requires_grad,
            lazy_bits=bits,
            unsupported=unsupported,
            # Reading .grad of a non-leaf warns; it is never populated there anyway.
            grad=x.grad if x.is_leaf or x.retains_grad else None,
            grad_fn=x.grad_fn,
            is_leaf=x.is_leaf,
            unreadable=self.memory_refusal(x) if unsupported is None else None,
        )

    guards_memory = True

    def memory_refusal(self, x: Any) -> str | None:
        return _overreach(x)

    def traits(self, x: Any) -> Any:
        return _traits(x)

    def traits_of(self, cls: type) -> Callable[[Any], Hashable]:
        return _traits  # a function, not a bound method: one call less per conversion

    has_autograd = True

    def requires_grad(self, x: Any) -> bool:
        return bool(x.requires_grad)

    def set_grad_enabled(self, enabled: bool) -> bool | None:
        previous = bool(torch.is_grad_enabled())
        torch.set_grad_enabled(enabled)
        return previous

    def records_autograd(self, x: Any) -> bool:
        return bool(x.requires_grad) and torch.is_grad_enabled()

    # The method itself: a conversion's detach step then costs one call of torch's.
    detach = staticmethod(torch.Tensor.detach)

    # ------------------------------------------------------------------ conversion primitives

    def copy(self, x: Any) -> Any:
        # clone() keeps the autograd history, unlike detach().clone().
        return x.clone()

    def record_host_call(self, call: HostCall, args: tuple[Any, ...]) -> tuple[Any, ...]:
        outputs: tuple[Any, ...] = NumpyFunction.apply(call, *args)
        return outputs

    def resolve_lazy_bit(self, x: Any, bit: str) -> Any:
        if not (x.is_conj() if bit == "conj" else x.is_neg()):
            # A decision made for a tensor with the bit, reused for one without (the CPU
            # traits leave the bits out): refuse, so that the planner decides afresh.
            msg = f"this tensor has no lazy {bit} bit to resolve"
            raise RuntimeError(msg)
        return x.resolve_conj() if bit == "conj" else x.resolve_neg()

    def host_export(self, dtype: str) -> Route | None:
        return _EXPORT_BF16 if dtype == "bfloat16" else _EXPORT

    def host_import(self, dtype: str, *, chunks: Any = None) -> Route | None:
        return _IMPORT_BF16 if dtype == "bfloat16" else _IMPORT

    def from_dlpack(self, x: Any, *, device: Any = None, copy: bool | None = None) -> Any:
        import numpy as np

        # torch.from_dlpack aborts the interpreter on negatively strided producers and
        # silently aliases read-only ones. For host memory NumPy reads the capsule first
        # (it knows both), and torch.from_numpy gets only memory it may alias.
        where = getattr(x, "__dlpack_device__", None)
        if device is not None or where is None or where()[0] != _DLPACK_CPU:
            return super().from_dlpack(x, device=device, copy=copy)
        try:
            a = np.from_dlpack(x, copy=copy)
        except (BufferError, RuntimeError, TypeError):  # a dtype NumPy lacks (bfloat16)
            return super().from_dlpack(x, device=device, copy=copy)
        if not a.flags.writeable or any(s < 0 for s in a.strides):
            if copy is False:
                msg = (
                    "copy=False, but this DLPack producer's memory is read-only or negatively "
                    "strided, which a torch tensor cannot alias; pass copy=None"
                )
                raise CopyRequiredError(msg)
            a = np.array(a, copy=True)
        return torch.from_numpy(a)

    def to_host(self, x: Any) -> Any:
        host = x.to("cpu", copy=True)
        return _tensor_numpy(host) if host.dtype == torch.bfloat16 else host.numpy()

    def from_host(self, a: Any, device: str) -> Any:
        import numpy as np

        a = np.asarray(a)
        tensor = _from_numpy(a) if a.dtype.name == "bfloat16" else torch.from_numpy(a)
        return tensor.to(self.native_device(device), copy=True)

    def astype(self, x: Any, dtype: Any) -> Any:
        return x.to(self.native_dtype(dtype))

    def to_device(self, x: Any, device: Any) -> Any:
        return x.to(self.native_device(device))


class NumpyFunction(torch.autograd.Function):  # users see <NumpyFunctionBackward>
    """A host computation as one operation of the graph (``xb.numpy_function``)."""

    @staticmethod
    def forward(ctx: Any, call: HostCall, *args: Any) -> Any:
        outputs = call.forward()
        ctx.call = call
        # Saved for torch's version check (the host views alias these tensors) and to
        # hang the second-order guard on.
        ctx.save_for_backward(*(a for a in args if isinstance(a, torch.Tensor)))
        integral = [o for o in outputs if not (o.is_floating_point() or o.is_complex())]
        if integral:
            ctx.mark_non_differentiable(*integral)
        return outputs

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        inputs = ctx.saved_tensors  # raises if an input was written in place since
        gradients = ctx.call.backward(grads)
        if torch.is_grad_enabled():  # create_graph=True: someone may differentiate again
            recorded = [t for t in inputs if t.requires_grad]
            gradients = tuple(
                None if g is None else NumpyGradient.apply(ctx.call.name, g, *recorded)
                for g in gradients
            )
        return (None, *gradients)


class NumpyGradient(torch.autograd.Function):
    """Marks gradients computed on the host: differentiating them again raises, never lies."""

    @staticmethod
    def forward(ctx: Any, name: str, gradient: Any, *inputs: Any) -> Any:
        ctx.name = name
        return gradient.clone()

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        msg = (
            f"numpy_function({ctx.name}): its gradient was computed by NumPy code (the "
            "vjp), which has no derivative of its own, so a second-order gradient "
            "through it cannot be computed. Write the function with xb functions on "
            "tensors to differentiate it twice"
        )
        raise GradientBreakError(msg)

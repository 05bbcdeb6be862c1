"""Every array converts correctly or fails clearly: source x target x dtype x layout x copy.

One test per (source, target, copy) runs every dtype x layout cell of that pair and reports
all failing cells at once. Each cell is checked against an oracle written here from the
rules of ``docs/conversion.md`` (not from the planner): the exact exception for a refused
cell (and the source left unchanged), else values, dtype, shape, device and aliasing, the
latter seen both by ``xb.shares_memory`` and by writing through the result. Invariants
checked on every cell: ``copy=True`` never aliases; a plan that says zero-copy aliases;
``plan()`` is what ``to(..., explain=True)`` ran; the plain call (the fast path) agrees with
the planned one; a result aliasing read-only or immutable memory is not writable;
``to(to(x, B), A)`` gives ``x`` back.

The pairs are every two registered backends (the ``source`` and ``target`` fixtures of
``tests/conftest.py``). The oracle knows the libraries of :data:`HOLDS` by name (what each
holds, the layouts made here, the rules each follows as a target); a backend without a row
there is described by what its adapter declares (``has_dtype``, ``xb.info``), made through
``xb.asarray`` in the layouts every library has, and checked on what holds for any library:
the dtype refusals, ``copy=True`` never aliasing, ``copy=False`` aliasing or refusing with
``CopyRequiredError``, ``xb.shares_memory`` and writes through the result agreeing with the
plan, the plain call agreeing with the planned one, and the round trip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xpbridge as xb
from xpbridge._backends import get_adapter
from xpbridge._errors import BridgeError, CopyRequiredError, UnsupportedDTypeError
from xpbridge.testing import Backend
from xpbridge.testing._backends import required_backends

if TYPE_CHECKING:
    from collections.abc import Iterator

DTYPES = (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
)  # fmt: skip
# What each library can hold (JAX in 64-bit mode, which the suite's conftest turns on;
# NumPy's bfloat16 comes from ml_dtypes, which JAX imports). A backend without a row holds
# what its adapter says it has (`holds`), and its rules as a target are not predicted.
HOLDS = {
    "numpy": set(DTYPES),
    "torch": set(DTYPES),
    "array_api_strict": set(DTYPES) - {"float16", "bfloat16"},
    "dask": set(DTYPES) - {"bfloat16"},
    "jax": set(DTYPES),
    "mlx": set(DTYPES) - {"complex128"},
}
# The layouts each library can produce (see `_make_numpy` and friends).
LAYOUTS = {
    "numpy": (
        "0d", "empty", "contiguous", "strided", "fortran", "negative", "broadcast",
        "zero_stride", "readonly", "readonly_aligned", "byteswapped", "scalar",
    ),
    "torch": ("0d", "empty", "contiguous", "strided", "fortran", "broadcast", "zero_stride",
              "offset", "conj", "neg"),
    "array_api_strict": ("0d", "empty", "contiguous", "strided", "fortran", "negative",
                         "broadcast", "zero_stride", "readonly"),
    "dask": ("0d", "empty", "contiguous", "strided"),
    "jax": ("0d", "empty", "contiguous", "fortran"),
    "mlx": ("0d", "empty", "contiguous", "strided", "fortran", "negative", "broadcast"),
}  # fmt: skip
#: The layouts of a backend the oracle has no row for: those every library has.
ANY_LAYOUTS = ("0d", "empty", "contiguous")
JAX_CPU_ALIGNMENT = 64


def holds(library: str) -> set[str]:
    """The dtypes `library` holds: its row of HOLDS, else what its adapter says."""
    if library in HOLDS:
        return HOLDS[library]
    adapter = get_adapter(library)
    return {d for d in DTYPES if adapter.has_dtype(d)}


def require(library: str) -> Any:
    """Import `library`, skipping (or failing when required) if it is not installed."""
    why = Backend.parse(library).missing()
    if why is not None:
        if library in required_backends():
            pytest.fail(f"{library} is required but {why}")
        pytest.skip(why)
    return __import__(library)


# ---------------------------------------------------------------------- building inputs


def _np_dtype(dtype: str) -> Any:
    if dtype == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(dtype)


def reference(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Fresh C-ordered values, all distinct from 0 and exact in every dtype."""
    n = math.prod(shape)
    base = np.arange(n).reshape(shape) % 7 + 1
    if dtype == "bool":
        return np.array(base % 2 == 0)
    if dtype.startswith("complex"):
        return np.array(base + 1j * (base + 1), dtype=dtype)
    return np.array(base, dtype=_np_dtype(dtype))


def _aligned(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    values = reference(dtype, shape)
    raw = np.empty(values.nbytes + JAX_CPU_ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % JAX_CPU_ALIGNMENT
    out = raw[start : start + values.nbytes].view(values.dtype).reshape(shape)
    out[...] = values
    return out


def _make_numpy(layout: str, dtype: str) -> Any:
    if layout == "0d":
        return reference(dtype, ())
    if layout == "scalar":  # a NumPy scalar behaves as a 0-d array
        return reference(dtype, ())[()]
    if layout == "empty":
        return reference(dtype, (0, 3))
    if layout == "strided":
        return reference(dtype, (3, 8))[:, ::2]
    if layout == "fortran":
        return reference(dtype, (4, 3)).T
    if layout == "negative":
        return reference(dtype, (3, 4))[::-1, ::-2]
    if layout == "broadcast":  # read-only, zero strides
        return np.broadcast_to(reference(dtype, (4,)), (3, 4))
    if layout == "zero_stride":  # writable, zero strides
        row = reference(dtype, (4,))
        return np.lib.stride_tricks.as_strided(row, (3, 4), (0, row.itemsize), writeable=True)
    if layout == "readonly_aligned":  # memory nobody can write: the base is read-only too
        a = _aligned(dtype, (3, 4))
        a.flags.writeable = False
        a.base.flags.writeable = False
        return a
    a = reference(dtype, (3, 4))
    if layout == "readonly":
        a.flags.writeable = False
    elif layout == "byteswapped":
        a = a.astype(a.dtype.newbyteorder())
    return a


def _torch_from(a: np.ndarray) -> Any:
    import torch

    if a.dtype.name == "bfloat16":
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(np.ascontiguousarray(a))


def _make_torch(layout: str, dtype: str) -> Any:
    import torch

    if layout == "conj":  # values equal the reference; the conjugation is a lazy bit
        return _torch_from(np.conj(reference(dtype, (3, 4)))).conj()
    if layout == "neg":  # a real view with the negative bit: conj().imag of a complex tensor
        values = reference(dtype, (3, 4))
        return torch.complex(torch.zeros(3, 4, dtype=_torch_from(values).dtype),
                             _torch_from(-values)).conj().imag  # fmt: skip
    if layout == "0d":
        return _torch_from(reference(dtype, ()))
    if layout == "empty":
        return _torch_from(reference(dtype, (0, 3)))
    if layout == "strided":
        return _torch_from(reference(dtype, (3, 8)))[:, ::2]
    if layout == "fortran":
        return _torch_from(reference(dtype, (4, 3))).T
    if layout == "broadcast":
        return _torch_from(reference(dtype, (4,))).expand(3, 4)
    if layout == "zero_stride":
        return torch.as_strided(_torch_from(reference(dtype, (4,))), (3, 4), (0, 1))
    if layout == "offset":  # starts one element into its storage: not 64-byte aligned
        return _torch_from(reference(dtype, (13,)))[1:].reshape(3, 4)
    return _torch_from(reference(dtype, (3, 4)))


def _make_mlx(layout: str, dtype: str) -> Any:
    import mlx.core as mx

    def new(a: np.ndarray) -> Any:
        if dtype == "bfloat16":
            return mx.array(a.astype(np.float32)).astype(mx.bfloat16)
        return mx.array(a, dtype=getattr(mx, "bool_" if dtype == "bool" else dtype))

    if layout == "0d":
        return new(reference(dtype, ()))
    if layout == "empty":
        return new(reference(dtype, (0, 3)))
    if layout == "strided":  # views of MLX memory, as its slices and transposes are
        return new(reference(dtype, (3, 8)))[:, ::2]
    if layout == "fortran":
        return new(reference(dtype, (4, 3))).T
    if layout == "negative":
        return new(reference(dtype, (3, 4)))[::-1, ::-2]
    if layout == "broadcast":
        return mx.broadcast_to(new(reference(dtype, (4,))), (3, 4))
    return new(reference(dtype, (3, 4)))


def _mlx_buffer(x: Any) -> np.ndarray:
    """NumPy's view of an MLX array's memory (evaluating it; bfloat16 through its bits)."""
    import mlx.core as mx

    if x.dtype == mx.bfloat16:
        return np.asarray(x.view(mx.uint16)).view(_np_dtype("bfloat16"))
    return np.asarray(x)


def make(library: str, layout: str, dtype: str) -> Any:
    """A `library` array of `dtype` in `layout`."""
    if library not in LAYOUTS:  # a backend without a row: new memory, through xb.asarray
        values = _make_numpy(layout, dtype)
        if dtype == "bfloat16":  # libraries take NumPy's (ml_dtypes') bfloat16 rarely
            return xb.astype(xb.asarray(values.astype(np.float32), backend=library), xb.bfloat16)
        return xb.asarray(values, backend=library, copy=True)
    if library == "numpy":
        return _make_numpy(layout, dtype)
    if library == "torch":
        return _make_torch(layout, dtype)
    if library == "array_api_strict":
        import array_api_strict

        return array_api_strict.asarray(_make_numpy(layout, dtype))
    if library == "mlx":
        return _make_mlx(layout, dtype)
    if library == "dask":
        import dask.array as da

        a = _make_numpy(layout, dtype)
        return da.from_array(a, chunks=2 if a.ndim else ())
    assert library == "jax", library
    import jax.numpy as jnp

    a = _make_numpy("contiguous" if layout == "fortran" else layout, dtype)
    return jnp.asarray(a).T if layout == "fortran" else jnp.asarray(a)


def cells(library: str) -> Iterator[tuple[str, str]]:
    """The (layout, dtype) cells `library` can produce."""
    held = holds(library)
    for layout in LAYOUTS.get(library, ANY_LAYOUTS):
        for dtype in DTYPES:
            if dtype not in held:
                continue
            if layout == "byteswapped" and (_np_dtype(dtype).itemsize == 1 or dtype == "bfloat16"):
                continue  # one-byte and ml_dtypes types have no byte order
            if layout == "conj" and not dtype.startswith("complex"):
                continue
            if layout == "neg" and dtype not in {"float32", "float64"}:
                continue
            yield layout, dtype


# ---------------------------------------------------------------------- looking at results


def host(x: Any) -> np.ndarray:
    """A NumPy copy of any array's values, by each library's plainest route."""
    name = xb.backend_of(x)
    if name == "numpy":
        return np.array(x)
    if name == "torch":
        import torch

        t = x.detach().cpu().resolve_conj().resolve_neg()
        if t.dtype == torch.bfloat16:
            return t.view(torch.int16).numpy().view(_np_dtype("bfloat16")).copy()
        return t.numpy().copy()
    if name == "array_api_strict":
        import array_api_strict

        return np.array(x.to_device(array_api_strict.Device("CPU_DEVICE")))
    if name == "dask":
        return np.array(x.compute())
    if name == "jax":
        return np.array(x)
    # A backend without a row here: its values through xpbridge (bfloat16 widened by the
    # library, as NumPy may lack the dtype).
    if xb.info(x).dtype == xb.bfloat16:
        return np.asarray(xb.to_numpy(xb.astype(x, xb.float32), detach=True, copy=True)).astype(
            _np_dtype("bfloat16")
        )
    return np.asarray(xb.to_numpy(x, detach=True, copy=True))


def is_readonly(x: Any) -> bool:
    name = xb.backend_of(x)
    if isinstance(x, np.generic):
        return True  # a NumPy scalar is an immutable value
    if name == "numpy":
        return not np.asarray(x).flags.writeable
    if name == "array_api_strict":
        return not np.asarray(x).flags.writeable  # the buffer protocol keeps the flag
    if name in HOLDS:
        return False
    return bool(xb.info(x).readonly)


def is_frozen(x: Any) -> bool:
    """Whether nobody can write `x`'s memory: read-only, and so is every NumPy array or
    buffer down its base chain (a read-only view of a writable array is not)."""
    if not is_readonly(x):
        return False
    if xb.backend_of(x) not in {"numpy", "array_api_strict"} or isinstance(x, np.generic):
        return True
    base = np.asarray(x).base
    while isinstance(base, np.ndarray):
        if base.flags.writeable:
            return False
        base = base.base
    return base is None or memoryview(base).readonly


def write(x: Any, index: tuple[int, ...], value: Any) -> bool:
    """Write `value` at `index` of `x` if its library lets arrays be written; whether it did."""
    name = xb.backend_of(x)
    if name == "numpy":
        if not isinstance(x, np.ndarray) or not x.flags.writeable:
            return False
        x[index] = value
        return True
    if name == "torch":
        import torch

        with torch.no_grad():
            x[index] = value
        return True
    if name == "array_api_strict":
        import array_api_strict

        try:
            x[index] = array_api_strict.asarray(value, dtype=x.dtype)
        except ValueError:  # NumPy refuses to write read-only memory
            return False
        return True
    if name == "mlx":
        # MLX applies a write when it next evaluates the array, into new memory where it
        # cannot reuse the old (a view): the memory itself is written, through its buffer.
        _mlx_buffer(x)[index] = value
        return True
    if name in HOLDS:
        return False  # JAX arrays are immutable; Dask never writes into its chunks
    # A backend without a row here: write where xpbridge says its arrays can be written.
    found = xb.info(x)
    if found.readonly or found.immutable or found.lazy:
        return False
    try:
        x[index] = value
    except (TypeError, ValueError):
        return False
    return True


def other_value(value: Any) -> Any:
    """A Python scalar of the same kind as `value` that differs from it."""
    item = value.item() if hasattr(value, "item") else value
    if isinstance(item, bool):
        return not item
    return item + 1


# ---------------------------------------------------------------------- the oracle


@dataclass(frozen=True)
class Source:
    library: str
    layout: str
    dtype: str
    shape: tuple[int, ...]
    readonly: bool
    #: Read-only down the base chain: nobody can write it (what JAX may alias).
    frozen: bool
    byteswapped: bool
    negative: bool
    c_contiguous: bool
    aligned: bool
    lazy_bits: bool
    #: Converting computes (Dask): no memory of its own to share.
    lazy: bool
    #: The device, as xpbridge names it.
    device: str

    @property
    def size(self) -> int:
        return math.prod(self.shape)


def describe(library: str, layout: str, dtype: str, x: Any) -> Source:
    """The input's properties the rules depend on, read from the library itself (for a
    backend without a row here: from ``xb.info``)."""
    ptr, strides, c_contiguous = 0, (), True
    readonly, lazy = library == "jax" or is_readonly(x), library == "dask"
    if library in {"numpy", "array_api_strict"}:
        a = np.asarray(x)
        ptr, strides, c_contiguous = a.ctypes.data, a.strides, a.flags.c_contiguous
    elif library == "torch":
        ptr, strides, c_contiguous = x.data_ptr(), x.stride(), x.is_contiguous()
    elif library == "jax":
        ptr = x.unsafe_buffer_pointer()
    elif library == "mlx":
        a = _mlx_buffer(x)
        ptr, strides, c_contiguous = a.ctypes.data, a.strides, a.flags.c_contiguous
    elif library not in HOLDS:
        found = xb.info(x)
        ptr, strides = found.data_ptr or 0, found.strides or ()
        c_contiguous = found.contiguous is not False
        readonly, lazy = bool(found.readonly or found.immutable), bool(found.lazy)
    return Source(
        library=library,
        layout=layout,
        dtype=dtype,
        shape=tuple(x.shape),
        readonly=readonly,
        frozen=readonly and (library == "jax" or library not in HOLDS or is_frozen(x)),
        byteswapped=library == "numpy" and not np.asarray(x).dtype.isnative,
        negative=any(s < 0 for s in strides),
        c_contiguous=c_contiguous,
        aligned=ptr % JAX_CPU_ALIGNMENT == 0,
        lazy_bits=layout in {"conj", "neg"},
        lazy=lazy,
        device=xb.info(x).device,
    )


def expected(src: Source, target: str, copy: bool | None) -> type[BridgeError] | bool | None:
    """The exception the conversion must raise, or whether its result must alias `src`
    (None: either, for a pair the rules do not cover: a backend without a row here)."""
    if src.dtype not in holds(target):
        return UnsupportedDTypeError
    if copy is True:
        return False
    if src.library not in HOLDS or target not in HOLDS:
        return None
    reasons = []
    if src.library != target:
        if src.layout == "scalar":
            reasons.append("a NumPy scalar is a value, not memory: it becomes a new array")
        if src.lazy:
            reasons.append("Dask computes into new memory")
        if src.lazy_bits:
            reasons.append("torch's lazy bits are resolved into new memory")
        if target == "torch" and (src.readonly or src.byteswapped or src.negative):
            reasons.append("torch tensors are writable, native-order, positively strided")
        if target == "array_api_strict" and src.byteswapped:
            reasons.append("array-api-strict has only native byte order")
        if target == "mlx":
            reasons.append("MLX cannot alias memory it did not allocate: it copies")
        if target == "jax":
            if not src.frozen and copy is None:
                reasons.append("JAX arrays must not alias memory others can write")
            if src.byteswapped or (src.size and not (src.c_contiguous and src.aligned)):
                reasons.append("JAX aliases only aligned, native, row-major host memory")
    if copy:
        reasons.append("copy=True")
    if copy is False and reasons:
        return CopyRequiredError
    return not reasons


# ---------------------------------------------------------------------- one cell


def _steps(record: xb.Plan) -> list[tuple[str, str, bool]]:
    return [(s.action, s.reason, s.copies) for s in record.steps]


def check_cell(library: str, layout: str, dtype: str, target: str, copy: bool | None) -> str | None:
    """Run one cell; a description of what went wrong, or None."""
    return check_conversion(make(library, layout, dtype), library, layout, dtype, target, copy)


def check_conversion(
    x: Any, library: str, layout: str, dtype: str, target: str, copy: bool | None
) -> str | None:
    """Convert `x` to `target` and check everything the oracle predicts."""
    values = host(x)
    src = describe(library, layout, dtype, x)
    want = expected(src, target, copy)
    record = xb.plan(x, target, copy=copy)
    try:
        result, ran = xb.to(x, target, copy=copy, explain=True)
    except BridgeError as exc:
        if want is None and copy is False:
            want = CopyRequiredError  # the rules cannot say: refusing is one answer
        if want is True or want is False or want is None:
            return f"raised {type(exc).__name__}: {exc}"
        if type(exc) is not want:
            return f"raised {type(exc).__name__}, expected {want.__name__}: {exc}"
        if type(record.error) is not want:
            return f"plan() did not predict the {want.__name__}: {record}"
        with pytest.raises(want):  # the plain call (fast path) refuses too
            xb.to(x, target, copy=copy)
        if not np.array_equal(host(x), values):
            return "a refused conversion changed its input"
        return None
    if want is None:
        # The rules cannot say: what the plan claims must hold (copy=False: no copy).
        want = ran.shares_memory
        if copy is False and not want and src.size and not src.lazy:
            return f"copy=False gave a result that shares no memory; plan: {ran}"
    if not (want is True or want is False):
        return f"expected {want.__name__}, got a result; plan: {ran}"
    if _steps(ran) != _steps(record) or str(ran) != str(record):
        return f"plan() says {record} but to() ran {ran}"
    fast = xb.to(x, target, copy=copy)
    for label, out in (("planned", result), ("plain", fast)):
        problem = _check_result(src, x, values, out, target, copy, want, label)
        if problem:
            return f"{problem}; plan: {ran}"
    if ran.shares_memory != want:
        return f"the plan says shares_memory={ran.shares_memory}, expected {want}: {ran}"
    back = xb.to(result, library)
    if xb.backend_of(back) != library or not _same(host(back), values):
        return f"the round trip through {target} changed the values or library"
    return None


def _native(a: np.ndarray) -> np.ndarray:
    return a.astype(a.dtype.newbyteorder("="))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Same values, shape and dtype (byte order aside: it is a layout, not a dtype)."""
    a, b = _native(a), _native(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


def _check_result(
    src: Source, x: Any, values: np.ndarray, out: Any, target: str, copy: bool | None,
    want: bool, label: str,
) -> str | None:  # fmt: skip
    if xb.backend_of(out) != target:
        return f"{label}: the result is a {xb.backend_of(out)} array"
    found = xb.info(out)
    device = expected_device(src, target)
    if found.dtype.name != src.dtype or found.shape != src.shape or found.device != device:
        return f"{label}: dtype/shape/device {found.dtype}/{found.shape}/{found.device}"
    got = host(out)
    if not _same(got, values):
        return f"{label}: wrong values {got!r}, expected {values!r}"
    if not src.size or src.lazy or src.layout == "scalar":
        return None  # no bytes to share, or no memory of its own: nothing to alias
    index = (0,) * len(src.shape)
    if found.lazy:
        # Chunk views: a write to the input before computing shows in the result.
        if not write(x, index, other_value(values[index])):
            return None
        seen = bool(host(out)[index] != values[index])
        write(x, index, values[index].item())
        return None if seen == want else f"{label}: lazy result aliases={seen}, expected {want}"
    shared = xb.shares_memory(x, out)
    if shared != want:
        return f"{label}: xb.shares_memory={shared}, expected {want}"
    if shared and src.readonly and target == "torch":
        return f"{label}: a writable tensor aliases read-only memory"
    if not write(out, index, other_value(values[index])):
        if shared and not src.readonly and not found.immutable:
            return f"{label}: the result shares writable memory but cannot be written"
        return None
    if shared and src.readonly:
        return f"{label}: the result aliases read-only memory but is writable"
    changed = bool(host(x)[index] != values[index])
    write(out, index, values[index].item())  # restore, for the next check
    if changed != want:
        return f"{label}: writing the result changed the input={changed}, expected {want}"
    return None


def expected_device(src: Source, target: str) -> str:
    """Where the result lives: where the input does if the target can hold arrays there
    (no move was asked for), else the target's default device."""
    adapter = get_adapter(target)
    if adapter.supports_device(src.device):
        return src.device
    return adapter.device_str(adapter.default_device())


# ---------------------------------------------------------------------- the tests


@pytest.mark.parametrize("copy", [None, True, False], ids=["copy=None", "copy=True", "copy=False"])
def test_matrix(source: str, target: str, copy: bool | None) -> None:
    if "jax" in (source, target):
        import jax

        assert jax.config.read("jax_enable_x64"), "the suite runs JAX in 64-bit mode"
    failures = []
    count = 0
    for layout, dtype in cells(source):
        count += 1
        try:
            problem = check_cell(source, layout, dtype, target, copy)
        except Exception as exc:  # noqa: BLE001 - a crash is a failing cell, reported with the rest
            problem = f"crashed: {type(exc).__name__}: {exc}"
        if problem:
            failures.append(f"{source}[{layout}, {dtype}] -> {target}: {problem}")
    assert count > 0
    assert not failures, f"{len(failures)}/{count} cells failed:\n" + "\n".join(failures)


def test_the_oracle_covers_every_cell_kind() -> None:
    """Guard the table itself: each refusal kind and both aliasing outcomes occur."""
    outcomes: set[Any] = set()
    for library in ("numpy",):
        for layout, dtype in cells(library):
            x = make(library, layout, dtype)
            src = describe(library, layout, dtype, x)
            for target in HOLDS:
                for copy in (None, True, False):
                    outcomes.add(expected(src, target, copy))
    assert outcomes >= {True, False, CopyRequiredError, UnsupportedDTypeError}


# ---------------------------------------------------------------------- random views


@st.composite
def numpy_views(draw: st.DrawFn) -> tuple[np.ndarray, str]:
    """A view of a fresh array: random shape, steps (negative too), axis order, flags."""
    dtype = draw(st.sampled_from([d for d in DTYPES if d != "bfloat16"]))
    shape = draw(st.lists(st.integers(0, 5), min_size=0, max_size=3))
    base = reference(dtype, tuple(shape))
    index = tuple(
        slice(draw(st.integers(0, 2)), None, draw(st.sampled_from([1, 2, -1, -2]))) for _ in shape
    )
    view = base[index] if index else base[...]
    if view.ndim > 1 and draw(st.booleans()):
        view = view.transpose(draw(st.permutations(range(view.ndim))))
    if draw(st.booleans()):
        view.flags.writeable = False
    if draw(st.booleans()) and view.dtype.itemsize > 1:
        view = view.astype(view.dtype.newbyteorder())
    return view, dtype


@given(case=numpy_views(), copy=st.sampled_from([None, True, False]))
def test_random_numpy_views(case: tuple[np.ndarray, str], target: str, copy: bool | None) -> None:
    view, dtype = case
    problem = check_conversion(view, "numpy", "random", dtype, target, copy)
    assert problem is None, problem


@st.composite
def torch_views(draw: st.DrawFn) -> tuple[Any, str]:
    """A view of a fresh tensor: random shape, steps, offsets, axis order, lazy bits."""
    import torch

    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.lists(st.integers(0, 5), min_size=0, max_size=3))
    base = _torch_from(reference(dtype, tuple(shape)))
    index = tuple(slice(draw(st.integers(0, 2)), None, draw(st.integers(1, 3))) for _ in shape)
    view = base[index] if index else base
    if view.ndim > 1 and draw(st.booleans()):
        view = view.permute(*draw(st.permutations(range(view.ndim))))
    if view.is_complex() and draw(st.booleans()):
        view = view.conj()
    if view.ndim and draw(st.booleans()):
        view = view.unsqueeze(0).expand(2, *view.shape)  # a zero stride
    assert isinstance(view, torch.Tensor)
    return view, dtype


@given(case=torch_views(), copy=st.sampled_from([None, True, False]))
def test_random_torch_views(case: tuple[Any, str], target: str, copy: bool | None) -> None:
    require("torch")
    view, dtype = case
    layout = "conj" if view.is_conj() else "random"
    problem = check_conversion(view, "torch", layout, dtype, target, copy)
    assert problem is None, problem

"""``xb.info`` on every backend and ``xb.shares_memory``/``may_share_memory`` across libraries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xpbridge as xb
from xpbridge._backends import get_adapter
from xpbridge._errors import UnknownArrayTypeError

if TYPE_CHECKING:
    from xpbridge.testing import Backend

# ---------------------------------------------------------------------- info

#: What each library's arrays are, from its documentation: "memory" (strided memory of their
#: own, writable), "immutable" (JAX: memory nobody writes) or "lazy" (Dask: computed on
#: demand, no memory of their own). A backend without an entry is checked for consistency.
KINDS = {
    "numpy": "memory",
    "array_api_strict": "memory",
    "torch": "memory",
    "cupy": "memory",
    "jax": "immutable",
    "dask": "lazy",
    "mlx": "memory",
}
#: Devices whose memory xpbridge does not see as memory (array-api-strict's fake ones).
FAKE_DEVICES = {"array_api_strict:device1"}


def _expected_device(backend: Backend) -> str:
    """Where the member's arrays live (the variant table), as xpbridge names devices."""
    adapter = get_adapter(backend.library)
    return str(adapter.device_str(backend.device() or adapter.default_device()))


def test_info_on_every_backend(backend: Backend, xp: Any) -> None:
    x = xp.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=xp.float32)
    found = xb.info(x)
    library = backend.library
    kind = KINDS.get(library)
    device = _expected_device(backend)
    autograd = backend.backend_row.make_requires_grad is not None
    has_memory = kind in {"memory", "immutable"} and device not in FAKE_DEVICES
    assert found.backend == library
    assert found.dtype == xb.float32
    assert found.shape == (2, 3)
    assert found.nbytes == 24
    assert found.device == device
    if kind is None:  # a backend without an entry: the facts agree with each other
        has_memory = found.data_ptr is not None
        assert found.readonly or not found.immutable
        assert not (found.lazy and has_memory)
    if has_memory:
        assert found.strides == (12, 4)
        assert found.contiguous is True
        assert found.f_contiguous is False
        assert isinstance(found.data_ptr, int)
    else:  # no memory of its own to describe: None, never a guess
        assert found.strides is None
        assert found.contiguous is None
        assert found.data_ptr is None
    if kind is not None:
        assert found.readonly is (backend.row.readonly or kind == "immutable")
        assert found.immutable is (kind == "immutable")
        assert found.lazy is (kind == "lazy")
    assert found.lazy_bits == ()
    # The autograd fields, with None/False where a library has no such notion.
    assert found.requires_grad is backend.row.requires_grad
    assert found.grad is None
    assert found.grad_fn is None
    assert found.is_leaf is (True if autograd else None)
    if autograd:  # the data without the graph: a view of the same memory
        assert xb.requires_grad(found.data) is False
        assert xb.info(found.data).data_ptr == found.data_ptr
    else:  # x itself, or a gradient stop over its memory (see test_detach_and_requires_grad)
        assert found.data is x or xb.info(found.data).data_ptr == found.data_ptr
    text = str(found)
    assert "backend: '" + library + "'" in text
    assert "requires_grad" in text


def test_info_of_torch_autograd_and_layouts() -> None:
    torch = pytest.importorskip("torch")
    leaf = torch.ones(2, 3, requires_grad=True)
    y = (leaf * 2).T
    (y.sum()).backward()
    assert xb.info(leaf).grad is leaf.grad
    assert torch.equal(leaf.grad, torch.full((2, 3), 2.0))
    found = xb.info(y)
    assert found.is_leaf is False
    assert found.grad_fn is y.grad_fn
    assert found.grad is None
    assert found.strides == (4, 12)
    assert found.contiguous is False
    assert found.f_contiguous is True
    c = torch.ones(2, dtype=torch.complex64).conj()
    assert xb.info(c).lazy_bits == ("conj",)
    meta = xb.info(torch.empty(4, device="meta"))
    assert meta.device == "meta"
    assert meta.data_ptr is None
    assert meta.nbytes == 16


def test_info_of_numpy_layouts() -> None:
    a = np.arange(24.0).reshape(4, 6)
    assert xb.info(a[::-1, ::2]).strides == (-48, 16)
    assert xb.info(a.T).f_contiguous
    assert not xb.info(a.T).contiguous
    b = np.broadcast_to(a[0], (3, 6))
    assert xb.info(b).strides == (0, 8)
    assert xb.info(b).readonly
    scalar = xb.info(np.float32(1.0))
    assert scalar.shape == ()
    assert scalar.readonly
    assert scalar.data_ptr is None


def test_info_of_a_dask_array_of_unknown_size() -> None:
    da = pytest.importorskip("dask.array")
    x = da.arange(10, chunks=5)
    y = x[x > 3]
    found = xb.info(y)
    assert found.shape == (None,)
    assert found.nbytes is None
    assert found.lazy


def test_info_of_a_jax_tracer() -> None:
    jax = pytest.importorskip("jax")
    seen = []

    @jax.jit
    def f(x: Any) -> Any:
        seen.append(xb.info(x))
        return x

    f(jax.numpy.ones(3))
    (found,) = seen
    assert found.backend == "jax"
    assert found.shape == (3,)
    assert found.data_ptr is None


def test_info_refuses_what_is_not_an_array() -> None:
    """What no function takes as an array (see tests/test_acceptance.py for what they do)."""
    for thing in ("abc", object(), {"a": 1}):
        with pytest.raises(UnknownArrayTypeError, match="info"):
            xb.info(thing)


# ---------------------------------------------------------------------- shares_memory


def test_sharing_on_every_backend(backend: Backend, xp: Any) -> None:
    """On each member's own arrays: an array shares its memory with itself where it has
    memory of its own (``xb.info(x).data_ptr``), never with a copy or another array; an
    empty array has no bytes to share. (Across libraries: ``test_convert_matrix.py``.)"""
    x = xp.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    has_memory = xb.info(x).data_ptr is not None
    assert xb.shares_memory(x, x) is has_memory
    assert xb.may_share_memory(x, x) is has_memory
    for other in (xb.clone(x), xp.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.ones((2, 3))):
        assert not xb.shares_memory(x, other)
        assert not xb.shares_memory(other, x)
    empty = xp.zeros((0, 3))
    assert not xb.shares_memory(empty, empty)


def test_sharing_across_numpy_and_torch() -> None:
    torch = pytest.importorskip("torch")
    a = np.arange(12.0)
    t = torch.from_numpy(a)
    assert xb.shares_memory(a, t)
    assert xb.shares_memory(t, a)
    assert xb.shares_memory(a[3:5], t[4:])
    assert not xb.shares_memory(a[:4], t[4:])
    assert not xb.may_share_memory(a[:4], t[4:])
    # Interleaved: the extents overlap, the bytes do not.
    assert not xb.shares_memory(a[::2], t[1::2])
    assert xb.may_share_memory(a[::2], t[1::2])
    assert not xb.shares_memory(a, torch.zeros(3))
    # Reinterpreted dtype, same bytes.
    assert xb.shares_memory(a.view(np.int8)[5:6], t[0:1])
    assert xb.shares_memory(np.broadcast_to(a[:1], (4, 3)), t[0:1])
    assert not xb.shares_memory(a[:0], t)  # an empty array has no bytes


def test_sharing_with_jax_and_array_api_strict() -> None:
    jnp = pytest.importorskip("jax.numpy")
    xs = pytest.importorskip("array_api_strict")
    j = jnp.arange(6.0)
    view = np.asarray(j)  # a read-only view of JAX's buffer
    assert xb.shares_memory(j, view)
    assert not xb.shares_memory(j, np.array(j))
    a = np.arange(6.0)
    s = xs.asarray(a)
    assert xb.shares_memory(a, s)
    assert xb.shares_memory(s[2:], a[3:])
    assert not xb.shares_memory(s, j)
    # array-api-strict's fake device is not host memory: nothing there is shared with it.
    moved = s.to_device(xs.Device("device1"))
    assert not xb.shares_memory(moved, a)
    assert not xb.may_share_memory(moved, moved)


def test_lazy_arrays_share_nothing() -> None:
    da = pytest.importorskip("dask.array")
    a = np.arange(4.0)
    d = da.from_array(a)
    assert not xb.shares_memory(d, a)
    assert not xb.shares_memory(d, d)
    assert not xb.may_share_memory(d, d)


def test_sharing_refuses_what_is_not_an_array() -> None:
    with pytest.raises(UnknownArrayTypeError, match="shares_memory"):
        xb.shares_memory(np.zeros(2), object())
    with pytest.raises(UnknownArrayTypeError, match="may_share_memory"):
        xb.may_share_memory("abc", np.zeros(2))
    # A Python list is new memory: it shares none.
    assert not xb.shares_memory(np.zeros(2), [0.0, 0.0])


_slices = st.builds(
    slice,
    st.integers(0, 11) | st.none(),
    st.integers(0, 12) | st.none(),
    st.sampled_from([None, 1, 2, 3, -1, -2]),
)


@given(first=st.tuples(_slices, _slices), second=st.tuples(_slices, _slices))
def test_sharing_agrees_with_numpy(first: tuple[slice, slice], second: tuple[slice, slice]) -> None:
    """On random views of one buffer, as NumPy arrays and (positive steps) torch tensors."""
    base = np.arange(144, dtype=np.float32).reshape(12, 12)
    a, b = base[first], base[second]
    assert xb.shares_memory(a, b) == np.shares_memory(a, b)
    assert xb.may_share_memory(a, b) == np.may_share_memory(a, b)
    torch = pytest.importorskip("torch")
    if a.size and b.size and min(a.strides + b.strides) > 0:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        assert xb.shares_memory(ta, b) == np.shares_memory(a, b)
        assert xb.shares_memory(ta, tb) == np.shares_memory(a, b)
        assert xb.may_share_memory(a, tb) == np.may_share_memory(a, b)

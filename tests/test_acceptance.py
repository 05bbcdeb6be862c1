"""One rule for what the public API takes as an array (``xpbridge._accept``): every entry
point takes an input, or refuses it, alike, and takes it the way ``xb.asarray`` does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb

if TYPE_CHECKING:
    from collections.abc import Callable

#: The entry points that take one array, each as a call on one input.
ENTRY_POINTS: dict[str, Callable[[Any], Any]] = {
    "item": lambda x: xb.item(xb.reshape(xb.asarray(x), (-1,))[:1]),
    "item directly": xb.item,
    "tolist": xb.tolist,
    "info": xb.info,
    "backend_of": xb.backend_of,
    "requires_grad": xb.requires_grad,
    "detach": xb.detach,
    "clone": xb.clone,
    "shares_memory": lambda x: xb.shares_memory(x, np.zeros(1)),
    "asarray": xb.asarray,
    "to_numpy": xb.to_numpy,
    "sum": xb.sum,
    "exp": xb.exp,
}


class ForeignArray:
    """An array of a library xpbridge does not know (it has the standard's protocol)."""

    shape = (1,)
    dtype = np.dtype("float64")

    def __array_namespace__(self, api_version: str | None = None) -> Any:
        return None

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        return np.ones(1)


def _inputs() -> dict[str, Any]:
    found: dict[str, Any] = {
        "list": [2.5],
        "nested list": [[2.5]],
        "tuple": (2.5,),
        "bytearray": bytearray(b"\x01"),
        "memoryview": memoryview(np.ones(1)),
    }
    try:
        import pandas as pd
    except ImportError:
        pass
    else:
        found["pandas Series"] = pd.Series([2.5])
    return found


@pytest.mark.parametrize(("name", "value"), list(_inputs().items()))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_every_entry_point_takes_python_data_and_array_likes(
    entry: str, name: str, value: Any
) -> None:
    if entry == "clone" and name == "pandas Series":
        # clone keeps its input's kind: a data frame is copied by its own library (the
        # refusal says so); detach returns it as it is (docs/pipelines.md).
        with pytest.raises(xb.UnknownArrayTypeError, match="copy it with its own library"):
            xb.clone(value)
        return
    result = ENTRY_POINTS[entry](value)
    if entry == "backend_of":
        # A data frame's library (as xb.info says); else the default backend, where xb
        # functions compute Python data and array-likes.
        assert result == ("pandas" if name == "pandas Series" else "numpy")


@pytest.mark.parametrize(
    "value", [object(), "abc", {1.0}, ForeignArray()], ids=["object", "str", "set", "foreign"]
)
@pytest.mark.parametrize(
    "entry", [e for e in ENTRY_POINTS if e not in {"asarray", "to_numpy", "item"}]
)
def test_every_entry_point_refuses_the_same_inputs(entry: str, value: Any) -> None:
    """Arrays of unknown libraries included: computing with them through NumPy would
    silently change their library. Only the conversions, asked by name, take them."""
    with pytest.raises(xb.UnknownArrayTypeError):
        ENTRY_POINTS[entry](value)


def test_the_conversions_take_arrays_of_unknown_libraries_by_name() -> None:
    assert xb.to_numpy(ForeignArray()).tolist() == [1.0]
    assert xb.asarray(ForeignArray()).tolist() == [1.0]


def test_item_and_info_of_python_data() -> None:
    assert xb.item([2.5]) == 2.5
    assert xb.item([[True]]) is True
    assert xb.info([[1.0, 2.0]]).shape == (1, 2)
    assert xb.tolist((1, 2)) == [1, 2]
    with pytest.raises(xb.ShapeError, match="exactly one element"):
        xb.item([1.0, 2.0])


def test_pandas_objects_are_taken_through_numpys_view() -> None:
    pd = pytest.importorskip("pandas")
    s = pd.Series([1.0, 2.0])
    assert xb.item(s[:1]) == 1.0
    assert xb.tolist(s) == [1.0, 2.0]
    found = xb.info(s)  # described as the frame it is (docs/pipelines.md)
    assert (found.backend, found.shape) == (xb.backend_of(s), (2,)) == ("pandas", (2,))
    assert xb.shares_memory(s, xb.to_numpy(s))  # a view, not a copy


def test_the_default_backend_decides_for_python_data() -> None:
    pytest.importorskip("torch")
    with xb.using("torch"):
        assert xb.backend_of([1.0]) == "torch"
        assert xb.info([1.0]).backend == "torch"


# ---------------------------------------------------------------------- sequences of arrays


def test_a_sequence_of_tensors_stacks_in_torch_with_its_graph() -> None:
    """It went through NumPy (a NumPy array; with backend='torch', torch's "only one
    element tensors" error; with grad, torch's own advice)."""
    torch = pytest.importorskip("torch")
    t = torch.ones(2)
    g = torch.ones(2, requires_grad=True)
    for made in (xb.asarray([t, t]), xb.asarray([t, t], backend="torch")):
        assert isinstance(made, torch.Tensor)
        assert made.shape == (2, 2)
    stacked = xb.asarray([g, 2 * g])
    assert stacked.requires_grad
    xb.sum(stacked).backward()
    assert g.grad.tolist() == [3.0, 3.0]
    assert isinstance(xb.sum([t, t]), torch.Tensor)  # routed like the stacked tensor
    assert xb.backend_of([t, t]) == "torch"
    assert isinstance(xb.asarray([t, t], backend="numpy"), np.ndarray)  # asked by name
    with pytest.raises(xb.GradientBreakError, match=r"xb\.detach"):
        xb.asarray([g, g], backend="numpy")


def test_a_sequence_of_arrays_of_several_libraries_is_refused_clearly() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(xb.MixedBackendError, match=r"xb\.stack"):
        xb.asarray([torch.ones(2), np.ones(2)])
    with pytest.raises(xb.RaggedSequenceError):
        xb.asarray([torch.ones(2), torch.ones(3)])
    with pytest.raises(xb.CopyRequiredError):
        xb.asarray([torch.ones(2)], copy=False)


def test_python_data_meeting_a_meta_tensor_is_refused_like_a_numpy_array() -> None:
    """Its values would be lost on a device that holds none."""
    torch = pytest.importorskip("torch")
    meta = torch.ones(2, device="meta")
    for other in ([1.0, 2.0], np.ones(2)):
        with pytest.raises(xb.DeviceMismatchError):
            xb.add(meta, other)
    assert xb.add(meta, 1.0).device.type == "meta"  # a scalar has no values to lose
    explicit = xb.asarray([1.0, 2.0], backend="torch", device="meta")  # asked for by name
    assert explicit.device.type == "meta"


def test_tensors_that_require_grad_in_a_list_are_not_converted_with_torchs_advice() -> None:
    """xpbridge's own refusal and fix (a container converts as issue 12 decides; either
    way the graph is not cut without detach=True)."""
    torch = pytest.importorskip("torch")
    g = torch.ones(2, requires_grad=True)
    with pytest.raises(xb.GradientBreakError) as info:
        xb.to_numpy([g, g])
    assert "tensor.detach().numpy()" not in str(info.value)
    assert xb.to_numpy(xb.asarray([g, g]), detach=True).tolist() == [[1.0, 1.0]] * 2

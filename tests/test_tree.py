"""Containers of arrays convert leaf by leaf: types kept, values kept, paths in errors.

Over every pair of registered backends (the ``source`` and ``target`` fixtures): a
``state_dict`` snapshot and its way back, namedtuples and dataclasses, the values that stay
as they are, ``copy=False`` refusing before anything converts (seen by an audit), and a
leaf reached twice converting once. Then what is not a container (a list of numbers), and
``plan``/``detach``/``clone``/``shares_memory`` of containers.
"""

from __future__ import annotations

import collections
import dataclasses
import types
from typing import Any, NamedTuple

import numpy as np
import pytest

import xpbridge as xb
from xpbridge import CopyRequiredError, TreePlan


class Batch(NamedTuple):
    x: Any
    y: Any
    name: str


@dataclasses.dataclass
class Sample:
    features: Any
    label: Any
    weight: float = 1.0


@dataclasses.dataclass(frozen=True, slots=True)
class Frozen:
    value: Any
    note: str = "kept"


def _array(library: str, data: Any, dtype: str = "float32") -> Any:
    return xb.asarray(np.asarray(data, dtype=dtype), backend=library)


def _same_values(a: Any, b: Any) -> None:
    np.testing.assert_array_equal(xb.to_numpy(a, copy=True), xb.to_numpy(b, copy=True))


def _state_dict(library: str) -> collections.OrderedDict[str, Any]:
    state: collections.OrderedDict[str, Any] = collections.OrderedDict()
    state["fc.weight"] = _array(library, np.arange(6.0).reshape(3, 2))
    state["fc.bias"] = _array(library, [0.5, -0.5, 1.5])
    state["bn.num_batches_tracked"] = _array(library, 7, dtype="int64")
    state._metadata = {"": {"version": 1}}  # type: ignore[attr-defined]  # as torch's
    return state


def test_state_dict_snapshot_and_back(source: str, target: str) -> None:
    state = _state_dict(source)
    best = xb.to(state, target, copy=True)
    assert type(best) is collections.OrderedDict
    assert list(best) == list(state)
    assert best._metadata == state._metadata  # type: ignore[attr-defined]
    for key, value in best.items():
        assert xb.backend_of(value) == target
        _same_values(value, state[key])
    assert not xb.shares_memory(best, state)  # a snapshot: independent memory
    back = xb.to(best, source)
    assert type(back) is collections.OrderedDict
    assert [xb.backend_of(v) for v in back.values()] == [source] * 3
    for key in state:
        _same_values(back[key], state[key])


def test_containers_keep_types_and_values(source: str, target: str) -> None:
    a, b = _array(source, [1.0, 2.0]), _array(source, [3.0])
    numbers = [0.9, 0.999]
    tree = {
        "batch": Batch(a, b, "train"),
        "sample": Sample(a, b, weight=0.5),
        "frozen": Frozen(b),
        "pair": (a, None),
        "list": [b, "text", 3, numbers],
        "nested": {"deeper": [{"leaf": a}]},
        "scalar": np.float32(2.5),
    }
    out = xb.to(tree, target)
    assert type(out) is dict
    assert list(out) == list(tree)
    assert type(out["batch"]) is Batch
    assert out["batch"].name == "train"
    assert type(out["sample"]) is Sample
    assert out["sample"].weight == 0.5
    assert type(out["frozen"]) is Frozen
    assert out["frozen"].note == "kept"
    assert type(out["pair"]) is tuple
    assert out["pair"][1] is None
    assert out["list"][1:3] == ["text", 3]
    # A list of numbers inside a container stays a list (rebuilt, as every container is:
    # mutating the result never changes the input).
    assert out["list"][3] == numbers
    assert out["list"][3] is not numbers
    assert out["scalar"] is tree["scalar"]  # so is a NumPy number
    leaves = [
        (out["batch"].x, a),
        (out["batch"].y, b),
        (out["sample"].features, a),
        (out["frozen"].value, b),
        (out["pair"][0], a),
        (out["list"][0], b),
        (out["nested"]["deeper"][0]["leaf"], a),
    ]
    for converted, original in leaves:
        assert xb.backend_of(converted) == target
        _same_values(converted, original)
    assert tree["batch"].x is a  # the input is left as it was


def test_a_batch_is_two_arrays_never_stacked(source: str, target: str) -> None:
    X, y = _array(source, np.ones((4, 3))), _array(source, np.zeros(4))
    out_X, out_y = xb.to((X, y), target)
    assert tuple(out_X.shape) == (4, 3)
    assert tuple(out_y.shape) == (4,)
    lists = xb.to([X, X[:2, ...]], target)
    assert type(lists) is list
    assert [tuple(v.shape) for v in lists] == [(4, 3), (2, 3)]


def test_copy_false_refuses_before_converting_anything(source: str, target: str) -> None:
    # The second leaf needs a cast (a copy) whatever the pair; the first may share or not.
    tree = {"ok": _array(source, [1.0, 2.0]), "cast": _array(source, [1.0], dtype="float64")}
    with xb.audit() as log, pytest.raises(CopyRequiredError, match=r"at \['(ok|cast)'\]"):
        xb.to(tree, target, dtype="float32", copy=False)
    assert len(log) == 0  # nothing converted
    tree_plan = xb.plan(tree, target, dtype="float32", copy=False)
    assert isinstance(tree_plan, TreePlan)
    assert set(tree_plan.plans) == {"['ok']", "['cast']"}
    assert isinstance(tree_plan.error, CopyRequiredError)


def test_a_leaf_twice_converts_once(source: str, target: str) -> None:
    tied = _array(source, [1.0, 2.0])
    out = xb.to({"embedding": tied, "decoder": tied, "other": [tied]}, target, copy=True)
    assert out["embedding"] is out["decoder"] is out["other"][0]
    cloned = xb.clone((tied, tied, _array(source, [0.0])))
    assert cloned[0] is cloned[1]
    assert not xb.shares_memory(cloned, tied)


def test_plan_of_a_tree_lists_every_leaf_with_totals(source: str, target: str) -> None:
    state = _state_dict(source)
    tree_plan = xb.plan(state, target, copy=True)
    assert isinstance(tree_plan, TreePlan)
    assert list(tree_plan.plans) == ["['fc.weight']", "['fc.bias']", "['bn.num_batches_tracked']"]
    assert tree_plan.copies
    assert tree_plan.leaves_shared == 0
    assert tree_plan.bytes_copied == 6 * 4 + 3 * 4 + 8
    text = str(tree_plan)
    assert text.startswith(f"collections.OrderedDict -> {target}: 3 leaves, 0 shared, 44 bytes")
    assert "['fc.bias']: " in text
    result, explained = xb.to(state, target, copy=True, explain=True)
    assert str(explained) == text
    assert list(result) == list(state)


# ---------------------------------------------------------------------- what is a container


def test_lists_of_numbers_are_still_array_data() -> None:
    np.testing.assert_array_equal(xb.to_numpy([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(xb.to_numpy((1.5, 2.5)), np.array([1.5, 2.5]))
    np.testing.assert_array_equal(xb.to_numpy([np.float64(1), 2.0]), np.array([1.0, 2.0]))
    assert xb.to_numpy({"lr": 0.1, "betas": (0.9, 0.999)}) == {"lr": 0.1, "betas": (0.9, 0.999)}
    assert xb.to_numpy([]).shape == (0,)
    with pytest.raises(ValueError, match="ragged"):
        xb.to_numpy([[1, 2], [3]])  # array data, and a clear error, as before


def test_mappings_keep_their_type_and_attributes() -> None:
    a = np.ones(2)
    counts = collections.defaultdict(list, {"a": a})
    out = xb.to_numpy(counts, copy=True)
    assert type(out) is collections.defaultdict
    assert out.default_factory is list
    proxy = xb.to_numpy(types.MappingProxyType({"a": a}), copy=True)
    assert type(proxy) is types.MappingProxyType
    assert not xb.shares_memory(proxy["a"], a)


def test_errors_name_the_leaf_path_and_keep_their_class() -> None:
    torch = pytest.importorskip("torch")
    state = {"fc.weight": torch.ones(2, requires_grad=True), "fc.bias": torch.ones(1)}
    with pytest.raises(xb.GradientBreakError, match=r"^at \['fc.weight'\]: converting a tensor"):
        xb.to_numpy(state)
    with pytest.raises(xb.GradientBreakError, match=r"^at \[1\]: "):
        xb.to_numpy((torch.ones(1), torch.ones(1, requires_grad=True)))
    nested = {"runs": [Batch(torch.ones(1), torch.ones(1, requires_grad=True), "a")]}
    with pytest.raises(xb.GradientBreakError, match=r"^at \['runs'\]\[0\]\.y: "):
        xb.to_numpy(nested)
    # The same class, so `except` clauses and isinstance keep working.
    with pytest.raises(RuntimeError):
        xb.to_numpy(state)


def test_a_container_holding_itself_is_refused() -> None:
    loop: dict[str, Any] = {"a": np.ones(1)}
    loop["self"] = [loop]
    with pytest.raises(ValueError, match=r"at \['self'\]\[0\]: this container contains itself"):
        xb.to_numpy(loop)


def test_unknown_leaves_stay_and_unknown_tops_are_refused() -> None:
    marker = object()
    out = xb.to_numpy({"obj": marker, "set": {1, 2}})
    assert out["obj"] is marker
    with pytest.raises(xb.UnknownArrayTypeError):
        xb.to_numpy(marker)


# ---------------------------------------------------------------------- helpers over trees


def test_detach_and_clone_map_over_containers() -> None:
    torch = pytest.importorskip("torch")
    w = torch.ones(2, requires_grad=True)
    y = w * 2
    detached = xb.detach({"y": y, "meta": "m"})
    assert not detached["y"].requires_grad
    assert detached["meta"] == "m"
    assert xb.shares_memory(detached["y"], y)
    cloned = xb.clone(Sample(y, torch.zeros(1)))
    assert type(cloned) is Sample
    assert cloned.features.grad_fn is not None  # clone keeps the graph
    assert not xb.shares_memory(cloned, Sample(y, torch.zeros(1)))


def test_shares_memory_between_containers() -> None:
    a, b = np.arange(4.0), np.arange(3.0)
    assert xb.shares_memory({"x": a}, [b, a[1:]])
    assert not xb.shares_memory({"x": a}, (b,))
    assert xb.shares_memory(a, {"nested": [{"view": a[::2]}]})
    assert xb.may_share_memory([a[::2]], [a[1::2]])
    with pytest.raises(xb.UnknownArrayTypeError):
        xb.shares_memory({"x": a}, object())

"""Converting containers of arrays and data frames leaf by leaf: ``to`` and ``plan`` of a
container (what a container is, and its leaves: ``xpbridge._tree``).

Each leaf converts as it would alone (the same decisions, reused from the cache), so a
container costs its leaves and a walk. With ``copy=False`` (and ``explain=True``) every
leaf is decided before any is converted: a refusal anywhere raises before anything ran.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._backends import adapter_for_type
from ._frames import frame_kind
from ._frames import read as read_frame
from ._plan import decide_any
from ._recipes import check_independent, run_plan
from ._tree import TreePlan, leaves, map_tree

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._backends._base import Adapter
    from ._frames import NullPolicy
    from ._plan import Plan

__all__ = ["convert_tree", "plan_tree"]


def plan_tree(
    x: Any,
    target: Adapter,
    *,
    device: Any,
    dtype: Any,
    copy: bool | None,
    detach: bool | None,
    chunks: Any,
    nulls: NullPolicy,
) -> TreePlan:
    """The plan of every leaf of container `x` (see :class:`TreePlan`)."""
    return _decided(
        x,
        target,
        device=device,
        dtype=dtype,
        copy=copy,
        detach=detach,
        chunks=chunks,
        nulls=nulls,
    )[0]


def _decided(x: Any, target: Adapter, **options: Any) -> tuple[TreePlan, dict[int, Plan]]:
    """The tree's plan, and each distinct leaf's plan by the leaf's id."""
    plans: dict[str, Any] = {}
    nbytes: dict[str, int | None] = {}
    by_leaf: dict[int, Plan] = {}
    for path, leaf in leaves(x):
        plan = by_leaf.get(id(leaf))
        if plan is None:
            plan = by_leaf[id(leaf)] = decide_any(leaf, target, **options)
        plans[path] = plan
        nbytes[path] = _nbytes(leaf)
    kind = f"{type(x).__module__}.{type(x).__qualname__}".removeprefix("builtins.")
    return TreePlan(kind, target.name, plans, nbytes), by_leaf


def _nbytes(leaf: Any) -> int | None:
    adapter = adapter_for_type(type(leaf))
    if adapter is not None:
        size: int | None = adapter.facts(leaf).nbytes
        return size
    return read_frame(leaf).nbytes if frame_kind(leaf) is not None else None


def convert_tree(
    x: Any,
    target: Adapter,
    convert_leaf: Callable[[Any], Any],
    *,
    device: Any,
    dtype: Any,
    copy: bool | None,
    detach: bool | None,
    chunks: Any,
    nulls: NullPolicy,
    explain: bool,
) -> Any:
    """Container `x` with every leaf converted by `convert_leaf` (``to`` with the call's
    options); ``(result, TreePlan)`` with `explain`."""
    if copy is not False and not explain:
        return map_tree(convert_leaf, x)
    # Every leaf decided first: copy=False refuses before anything is converted.
    tree_plan, by_leaf = _decided(
        x,
        target,
        device=device,
        dtype=dtype,
        copy=copy,
        detach=detach,
        chunks=chunks,
        nulls=nulls,
    )
    error = tree_plan.error
    if error is not None:
        raise error  # before any leaf is converted

    def run(leaf: Any) -> Any:
        result = run_plan(by_leaf[id(leaf)], leaf, copy=copy)
        if copy is True and adapter_for_type(type(leaf)) is not None:
            check_independent(leaf, result)
        return result

    result = map_tree(run, x)
    return (result, tree_plan) if explain else result

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
from ._tree import leaves, map_tree, with_path

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ._backends._base import Adapter
    from ._frames import NullPolicy
    from ._plan import Plan

__all__ = ["TreePlan", "convert_tree", "plan_tree"]


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
    plans: dict[str, Plan] = {}
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


# ---------------------------------------------------------------------- the plan of a tree


class TreePlan:
    """What converting a container would do: the plan of every leaf, by path, and totals.

    ``plans`` maps each leaf's path (``"['fc.weight']"``) to its :class:`Plan`;
    ``bytes_copied`` and ``leaves_shared`` total them (a leaf reached twice counts once);
    ``error`` is the first leaf's refusal, naming its path. ``str(tree_plan)`` lists them.
    """

    __slots__ = ("_nbytes", "plans", "source", "target")

    def __init__(
        self,
        source: str,
        target: str,
        plans: dict[str, Plan],
        nbytes: dict[str, int | None],
    ) -> None:
        self.source = source
        self.target = target
        self.plans: Mapping[str, Plan] = plans
        self._nbytes = nbytes

    def _distinct(self) -> list[tuple[str, Plan]]:
        seen: set[int] = set()
        found = []
        for path, plan in self.plans.items():
            if id(plan) not in seen:
                seen.add(id(plan))
                found.append((path, plan))
        return found

    @property
    def error(self) -> BaseException | None:
        for path, plan in self.plans.items():
            if plan.error is not None:
                return with_path(plan.error, path)
        return None

    @property
    def copies(self) -> bool:
        return any(plan.copies for plan in self.plans.values())

    @property
    def shares_memory(self) -> bool:
        """Whether every leaf's result shares memory with it (nothing refused)."""
        return all(plan.shares_memory for plan in self.plans.values())

    @property
    def bytes_copied(self) -> int:
        """Bytes of the leaves that are copied (counted once each; unknown sizes as 0)."""
        return sum(self._nbytes[path] or 0 for path, plan in self._distinct() if plan.copies)

    @property
    def leaves_shared(self) -> int:
        """How many leaves the result shares memory with (counted once each)."""
        return sum(1 for _, plan in self._distinct() if plan.shares_memory)

    def __len__(self) -> int:
        return len(self.plans)

    def __str__(self) -> str:
        total = len(self._distinct())
        head = (
            f"{self.source} -> {self.target}: {total} lea{'f' if total == 1 else 'ves'}, "
            f"{self.leaves_shared} shared, {self.bytes_copied:,} bytes copied"
        )
        if self.error is not None:
            head += f"; refused: {type(self.error).__name__}"
        return "\n".join([head, *(f"  {path}: {plan}" for path, plan in self.plans.items())])

    def __repr__(self) -> str:
        return f"<TreePlan {self.source} -> {self.target}: {len(self.plans)} leaves>"

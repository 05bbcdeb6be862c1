"""Pipelines: a container converted leaf by leaf, and what an open audit or guard costs.

* **Tree conversion per leaf**: ``xb.to_torch(tree)`` (or ``to_numpy``) divided by its
  number of leaves, against converting the same leaves alone, one call each, for a dict
  of 100 arrays, a ``state_dict`` (an OrderedDict of tensors) and a batch ``(X, y)``.
  Goal: at most 1.5x per leaf.
* **Audit and guard cost**: a loop of 100 conversions inside ``with xb.audit():`` (or
  ``xb.guard(copy="raise")``), against the same loop with nothing open; the difference per
  conversion is what recording (checking) adds. Goal for the audit: at most 2 us.

Both in interleaved rounds of process CPU time (``_timing.compare``), torch pinned to one
thread. The fast paths with nothing open are the dispatch and conversion sections' rows.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Any

from ._timing import compare

__all__ = ["AUDIT_GOAL_NS", "TREE_GOAL", "PipelineRow", "run"]

#: Goals of issue 12: per leaf at most this factor of one conversion alone ...
TREE_GOAL = 1.5
#: ... and an audited conversion adds at most this much.
AUDIT_GOAL_NS = 2000.0
#: Conversions per sample of the audit rows (the block's enter and exit are shared by them).
_LOOP = 100


@dataclass(frozen=True)
class PipelineRow:
    kind: str  # "tree", "audit" or "guard"
    what: str
    leaves: int
    xb_ns: float  # per leaf (tree) or per conversion (audit, guard)
    reference_ns: float  # the leaf alone (tree), or the loop with nothing open, per call
    number: int
    rounds: int

    @property
    def ratio(self) -> float:
        return self.xb_ns / self.reference_ns

    @property
    def adds_ns(self) -> float:
        return self.xb_ns - self.reference_ns

    @property
    def goal(self) -> str:
        if self.kind == "tree":
            return f"<= {TREE_GOAL}x alone"
        if self.kind == "audit":
            return f"adds <= {AUDIT_GOAL_NS / 1000:g} us"
        return "-"

    @property
    def goal_met(self) -> bool | None:
        if self.kind == "tree":
            return self.ratio <= TREE_GOAL
        if self.kind == "audit":
            return self.adds_ns <= AUDIT_GOAL_NS
        return None


def _namespace() -> dict[str, Any]:
    import numpy as np
    import torch

    import xpbridge as xb

    net = torch.nn.Sequential(*(torch.nn.Linear(4, 4) for _ in range(25)))
    batch = (torch.ones(32, 4), torch.zeros(32))
    arrays = {f"feature_{i}": np.ones(10, np.float32) for i in range(100)}
    return {
        "xb": xb,
        "a": np.ones(10, np.float32),
        "t": torch.ones(10),
        "arrays": arrays,
        "state": net.state_dict(),  # 50 tensors: weights and biases
        "batch": batch,
        "X": batch[0],
        "y": batch[1],
        "state_leaves": list(net.state_dict().values()),
        "loop_a": [np.ones(10, np.float32) for _ in range(_LOOP)],
        "loop_t": [torch.ones(10) for _ in range(_LOOP)],
        "collections": collections,
    }


# (what, the tree's statement, the statement converting its leaves alone, one by one)
_TREES = (
    (
        "dict of 100 NumPy arrays -> torch",
        "xb.to_torch(arrays)",
        "for v in arrays.values(): xb.to_torch(v)",
    ),
    (
        "state_dict of 50 tensors -> NumPy",
        "xb.to_numpy(state)",
        "for v in state_leaves: xb.to_numpy(v)",
    ),
    ("batch (X, y) -> NumPy", "xb.to_numpy(batch)", "xb.to_numpy(X); xb.to_numpy(y)"),
)
# (what, the loop of conversions)
_LOOPS = (
    ("NumPy -> torch", "for v in loop_a: xb.to_torch(v)"),
    ("torch -> NumPy", "for v in loop_t: xb.to_numpy(v)"),
)


def _leaves(namespace: dict[str, Any], statement: str) -> int:
    name = statement.split("(")[1].rstrip(")")
    tree = namespace[name]
    return len(tree)


def run(*, rounds: int = 101, sample_s: float = 2e-3) -> list[PipelineRow]:
    """Time every row (needs torch)."""
    import torch

    torch.set_num_threads(1)
    namespace = _namespace()
    rows = []
    for what, tree, alone in _TREES:
        n = _leaves(namespace, tree)
        t = compare(
            {"tree": tree, "alone": alone}, namespace, rounds=rounds, sample_s=sample_s, clock="cpu"
        )
        rows.append(
            PipelineRow(
                "tree",
                what,
                n,
                t.median("tree") / n * 1e9,
                t.median("alone") / n * 1e9,
                t.number,
                rounds,
            )
        )
    for what, loop in _LOOPS:
        statements = {
            "plain": loop,
            "audit": f"with xb.audit():\n    {loop}",
            "guard": f"with xb.guard(copy='raise', move='raise', compute='raise'):\n    {loop}",
        }
        t = compare(statements, namespace, rounds=rounds, sample_s=sample_s, clock="cpu")
        plain = t.median("plain") / _LOOP * 1e9
        for kind in ("audit", "guard"):
            per_call = plain + t.overhead(kind, "plain") / _LOOP * 1e9
            rows.append(PipelineRow(kind, what, 1, per_call, plain, t.number, rounds))
    return rows

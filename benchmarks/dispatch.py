"""Dispatch overhead: ``xb.f(...)`` against the library's own ``f`` and against the peers.

Every row times five statements in interleaved rounds: the direct library call
(``np.add(a, b)``), xpbridge (``xb.add(a, b)``), xpbridge's namespace of that backend
(``xp.add(a, b)`` with ``xp = xb.namespace("numpy")``, which must cost what the facade
does), array-api-compat as its users write it (``array_namespace(a, b).add(a, b)``) and
autoray (``do("add", a, b)``). The overhead of each is its median time minus the direct
call's, per round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._timing import compare

__all__ = ["EXTRA_OPS", "GOAL_NS", "DispatchRow", "run"]

#: Goal: xpbridge adds at most this much over the direct call (one- and two-array calls).
GOAL_NS = 100.0

# op -> (arguments, statement of the direct call with `lib` for the library module)
_OPS: dict[str, tuple[str, str]] = {
    "add": ("a, b", "lib.add(a, b)"),
    "sum": ("a", "lib.sum(a)"),
    "exp": ("a", "lib.exp(a)"),
    "matmul": ("m, m2", "lib.matmul(m, m2)"),
    "reshape": ("a, shape", "lib.reshape(a, shape)"),
    "where": ("c, a, b", "lib.where(c, a, b)"),
    "multiply": ("a, 0.5", "lib.multiply(a, 0.5)"),
}
#: Rows beyond the issue's list, shown for what users write every day (an array and a
#: Python scalar); the goal counts only the others.
EXTRA_OPS = frozenset({"multiply"})
_ARRAY_ARGS = {"a", "b", "c", "m", "m2"}


@dataclass(frozen=True)
class DispatchRow:
    op: str
    backend: str
    size: str
    direct_ns: float
    xb_ns: float
    xb_spread_ns: float
    compat_ns: float
    #: Overhead of ``xb.namespace(backend).f``: the facade's, built for one backend.
    namespace_ns: float
    autoray_ns: float
    number: int
    rounds: int

    @property
    def xb_ratio(self) -> float:
        return (self.direct_ns + self.xb_ns) / self.direct_ns

    @property
    def namespace_ratio(self) -> float:
        """Time of the namespace's call over the facade's (goal: within 10%)."""
        return (self.direct_ns + self.namespace_ns) / (self.direct_ns + self.xb_ns)

    @property
    def in_goal(self) -> bool:
        return self.op not in EXTRA_OPS

    @property
    def goal_met(self) -> bool:
        return self.xb_ns <= GOAL_NS and self.xb_ns < min(self.compat_ns, self.autoray_ns)


def _arrays(backend: str, n: int) -> dict[str, Any]:
    if backend == "numpy":
        import numpy as lib

        a = lib.linspace(1.0, 2.0, n)
        b = lib.linspace(2.0, 3.0, n)
        m = lib.arange(1.0, 5.0).reshape(2, 2)
    else:
        import torch as lib

        a = lib.linspace(1.0, 2.0, n)
        b = lib.linspace(2.0, 3.0, n)
        m = lib.arange(1.0, 5.0).reshape(2, 2)
    return {"lib": lib, "a": a, "b": b, "c": a > 1.5, "m": m, "m2": m + 1, "shape": (n, 1)}


def _statements(op: str) -> dict[str, str]:
    args, direct = _OPS[op]
    arrays = ", ".join(name for name in args.split(", ") if name in _ARRAY_ARGS)
    return {
        "direct": direct,
        "xb": f"xb.{op}({args})",
        "namespace": f"xp.{op}({args})",
        "compat": f"array_namespace({arrays}).{op}({args})",
        "autoray": f'do("{op}", {args})',
    }


def run(*, backends: list[str], rounds: int = 201, sample_s: float = 5e-4) -> list[DispatchRow]:
    """Time every row; `backends` among ``"numpy"`` and ``"torch"``."""
    from array_api_compat import array_namespace
    from autoray import do

    import xpbridge as xb

    rows = []
    for backend in backends:
        for op in _OPS:
            for n in (None,) if op == "matmul" else (1, 10):
                namespace = {
                    "xb": xb,
                    "xp": xb.namespace(backend),
                    "array_namespace": array_namespace,
                    "do": do,
                }
                namespace.update(_arrays(backend, n or 4))
                statements = _statements(op)
                _check_same_results(statements, namespace)
                t = compare(statements, namespace, rounds=rounds, sample_s=sample_s, clock="cpu")
                rows.append(
                    DispatchRow(
                        op=op,
                        backend=backend,
                        size="2x2" if n is None else str(n),
                        direct_ns=t.median("direct") * 1e9,
                        xb_ns=t.overhead("xb", "direct") * 1e9,
                        xb_spread_ns=t.spread("xb", "direct") * 1e9,
                        compat_ns=t.overhead("compat", "direct") * 1e9,
                        namespace_ns=t.overhead("namespace", "direct") * 1e9,
                        autoray_ns=t.overhead("autoray", "direct") * 1e9,
                        number=t.number,
                        rounds=rounds,
                    )
                )
    return rows


def _check_same_results(statements: dict[str, str], namespace: dict[str, Any]) -> None:
    """Every compared statement must compute the same thing, of the same type and dtype."""
    results = {name: eval(stmt, namespace) for name, stmt in statements.items()}
    reference = results["direct"]
    for name, value in results.items():
        same = (
            type(value) is type(reference)
            and value.dtype == reference.dtype
            and tuple(value.shape) == tuple(reference.shape)
            and bool((value == reference).all())
        )
        if not same:
            msg = f"{statements[name]} differs from {statements['direct']}: {value!r}"
            raise AssertionError(msg)

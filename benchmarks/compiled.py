"""torch.compile: a function written with ``xb`` against the same function written in torch.

``torch._dynamo.explain`` counts the graph breaks of the xb version (the goal is none), and
a fresh interpreter compiles it with ``fullgraph=True`` before any other xb call (the
first call for a type is then traced too). Both versions are compiled (inductor) and
timed, interleaved, on the same tensors; the eager versions are timed for scale.

Two variants: arrays only (every xb call takes the fast path), and one with a Python
scalar (``xb.multiply(h, 0.1)``), which takes the general path: compiled, both trace away,
but the general path leaves more guards for torch.compile to check on each call.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._timing import compare

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CompiledRow", "run"]

#: "As fast as torch": within this factor (the noise of this machine).
GOAL = 1.05


def xb_arrays(x: Any, w: Any, s: Any) -> Any:
    import xpbridge as xb

    h = xb.tanh(xb.matmul(x, w))
    h = xb.where(h > 0, h, xb.multiply(h, s))
    return xb.sum(xb.exp(-(h**2)), axis=-1) + xb.mean(h, axis=-1)


def torch_arrays(x: Any, w: Any, s: Any) -> Any:
    import torch

    h = torch.tanh(torch.matmul(x, w))
    h = torch.where(h > 0, h, torch.multiply(h, s))
    return torch.sum(torch.exp(-(h**2)), dim=-1) + torch.mean(h, dim=-1)


def xb_scalar(x: Any, w: Any, s: Any) -> Any:
    import xpbridge as xb

    h = xb.tanh(xb.matmul(x, w))
    h = xb.where(h > 0, h, xb.multiply(h, 0.1))  # a Python scalar: the general path
    return xb.sum(xb.exp(-(h**2)), axis=-1) + xb.mean(h, axis=-1)


def torch_scalar(x: Any, w: Any, s: Any) -> Any:
    import torch

    h = torch.tanh(torch.matmul(x, w))
    h = torch.where(h > 0, h, torch.multiply(h, 0.1))
    return torch.sum(torch.exp(-(h**2)), dim=-1) + torch.mean(h, dim=-1)


_VARIANTS = {
    "arrays only": (xb_arrays, torch_arrays),
    "with a Python scalar": (xb_scalar, torch_scalar),
}
_CASES = (
    ("arrays only", (64, 32, 16)),
    ("arrays only", (512, 256, 128)),
    ("with a Python scalar", (64, 32, 16)),
)

_COLD = """
import torch
from benchmarks.compiled import xb_arrays, xb_scalar
x, w, s = torch.randn(8, 4), torch.randn(4, 3), torch.tensor(0.1)
for f in (xb_arrays, xb_scalar):
    compiled = torch.compile(f, backend="eager", fullgraph=True)  # raises on a graph break
    torch.testing.assert_close(compiled(x, w, s), f(x, w, s))
"""


@dataclass(frozen=True)
class CompiledRow:
    variant: str
    shape: str
    graphs: int
    graph_breaks: int
    #: Whether a fresh interpreter compiles it with fullgraph=True (first xb call traced).
    cold_fullgraph: bool
    backend: str
    compiled_torch_us: float
    compiled_xb_us: float
    eager_torch_us: float
    eager_xb_us: float

    @property
    def ratio(self) -> float:
        return self.compiled_xb_us / self.compiled_torch_us

    @property
    def goal_met(self) -> bool:
        return self.graph_breaks == 0 and self.cold_fullgraph and self.ratio <= GOAL


def cold_fullgraph(src: Path, root: Path) -> bool:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(root), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_COLD)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0


def run(*, src: Path, root: Path, rounds: int = 41) -> list[CompiledRow]:
    import torch

    cold = cold_fullgraph(src, root)
    rows = []
    for variant, (n, k, m) in _CASES:
        f_xb, f_torch = _VARIANTS[variant]
        gen = torch.Generator().manual_seed(0)
        x, w = torch.randn(n, k, generator=gen), torch.randn(k, m, generator=gen)
        s = torch.tensor(0.1)
        torch.testing.assert_close(f_xb(x, w, s), f_torch(x, w, s))
        torch._dynamo.reset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            explained = torch._dynamo.explain(f_xb)(x, w, s)
        torch._dynamo.reset()
        backend = "inductor"
        try:
            c_xb = torch.compile(f_xb, backend=backend)
            c_torch = torch.compile(f_torch, backend=backend)
            torch.testing.assert_close(c_xb(x, w, s), c_torch(x, w, s))
        except Exception:  # noqa: BLE001 - no C compiler for inductor: compare traced graphs
            backend = "aot_eager"
            c_xb = torch.compile(f_xb, backend=backend)
            c_torch = torch.compile(f_torch, backend=backend)
        namespace = {"c_xb": c_xb, "c_torch": c_torch, "f_xb": f_xb, "f_torch": f_torch}
        namespace.update(x=x, w=w, s=s)
        t = compare(
            {
                "compiled torch": "c_torch(x, w, s)",
                "compiled xb": "c_xb(x, w, s)",
                "eager torch": "f_torch(x, w, s)",
                "eager xb": "f_xb(x, w, s)",
            },
            namespace,
            rounds=rounds,
            sample_s=5e-3,
            clock="cpu",
        )
        rows.append(
            CompiledRow(
                variant=variant,
                shape=f"({n}x{k}) @ ({k}x{m})",
                graphs=explained.graph_count,
                graph_breaks=explained.graph_break_count,
                cold_fullgraph=cold,
                backend=backend,
                compiled_torch_us=t.median("compiled torch") * 1e6,
                compiled_xb_us=t.median("compiled xb") * 1e6,
                eager_torch_us=t.median("eager torch") * 1e6,
                eager_xb_us=t.median("eager xb") * 1e6,
            )
        )
    return rows

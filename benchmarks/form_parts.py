"""Where the time of each everyday form goes: the form, its native spelling, and the parts
of xpbridge's work timed alone (the library calls it makes, the lookups and checks).

Run ``python -m benchmarks.form_parts``; it prints one Markdown table per form (medians of
interleaved rounds of process CPU time, 10-element arrays, torch on one thread). The
performance page (``docs/performance.md``, "Everyday forms") quotes it.
"""

from __future__ import annotations

import sys
from typing import Any

from ._timing import compare

__all__ = ["main"]

# form -> [(part, statement)]: the first two rows are the form and its native spelling.
_PARTS: dict[str, list[tuple[str, str]]] = {
    "to_numpy(t, detach=True)": [
        ("xb form", "xb.to_numpy(g, detach=True)"),
        ("native: g.detach().numpy()", "g.detach().numpy()"),
        ("torch: g.detach()", "g.detach()"),
        ("torch: Tensor.numpy()", "t.numpy()"),
        (
            "check: storage covers the tensor",
            "t.storage_offset() or t.nbytes > t.untyped_storage().nbytes() or t.is_contiguous()",
        ),
        ("traits: (dtype, requires_grad)", "(g.dtype, g.requires_grad)"),
        ("key and decision lookup", "REQUESTS[(g.__class__, 'numpy', None, None, None, True)]"),
        ("gradient mode (a contextvar)", "get_grad_mode()"),
    ],
    "to_torch(x, copy=True)": [
        ("xb form", "xb.to_torch(x, copy=True)"),
        ("native: torch.from_numpy(x).clone()", "torch.from_numpy(x).clone()"),
        ("numpy: x.copy()", "x.copy()"),
        ("torch: from_numpy", "torch.from_numpy(x)"),
        ("traits: (dtype, flags.num, strides)", "(x.dtype, x.flags.num, x.strides)"),
        ("key and decision lookup", "REQUESTS[(x.__class__, 'torch', None, None, True, None)]"),
    ],
    "to_torch(x, dtype=float32)": [
        ("xb form", "xb.to_torch(x, dtype=xb.float32)"),  # x: float64
        ("native: torch.from_numpy(x).to(float32)", "torch.from_numpy(x).to(torch.float32)"),
        ("numpy: x.astype(float32)", "x.astype(np.float32)"),
        ("torch: from_numpy", "torch.from_numpy(x)"),
        ("traits: (dtype, flags.num, strides)", "(x.dtype, x.flags.num, x.strides)"),
    ],
    "add(tensor, float32 ndarray)": [
        ("xb form", "xb.add(t, x32)"),
        ("native: torch.add(t, torch.from_numpy(x32))", "torch.add(t, torch.from_numpy(x32))"),
        ("torch: add", "torch.add(t, t)"),
        ("torch: from_numpy", "torch.from_numpy(x32)"),
        ("mixing policy (a contextvar)", "get_policy()"),
        ("traits: (dtype, flags.num, strides)", "(x32.dtype, x32.flags.num, x32.strides)"),
    ],
    "add(grad tensor, float32 ndarray)": [
        ("xb form", "xb.add(g, x32)"),
        ("native: torch.add(g, torch.from_numpy(x32))", "torch.add(g, torch.from_numpy(x32))"),
        ("torch: add (recording the graph)", "torch.add(g, g)"),
        ("torch: from_numpy", "torch.from_numpy(x32)"),
    ],
}


def _namespace() -> dict[str, Any]:
    import numpy as np
    import torch

    import xpbridge as xb
    from xpbridge._config import get_grad_mode, get_policy
    from xpbridge._recipes import _REQUESTS

    torch.set_num_threads(1)
    return {
        "np": np,
        "torch": torch,
        "xb": xb,
        "get_grad_mode": get_grad_mode,
        "get_policy": get_policy,
        "REQUESTS": _REQUESTS,
        "t": torch.ones(10),
        "g": torch.ones(10, requires_grad=True),
        "x": np.ones(10),
        "x32": np.ones(10, dtype=np.float32),
    }


def main(rounds: int = 25) -> str:
    namespace = _namespace()
    tables = []
    for form, parts in _PARTS.items():
        for _, statement in parts[:2]:
            eval(compile(statement, "<form>", "eval"), namespace)  # decide once: warm
        timings = compare(dict(parts), namespace, rounds=rounds, clock="cpu")
        native = timings.median(parts[1][0])
        lines = [f"### `{form}`", "", "| part | median | / native |", "|---|---|---|"]
        for name, _ in parts:
            median = timings.median(name)
            lines.append(f"| {name} | {median * 1e9:.0f} ns | {median / native:.2f}x |")
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 25))

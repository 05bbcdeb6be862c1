"""The everyday forms: conversions with options and mixed-library calls (issue 16).

Each row times, in interleaved rounds of process CPU time, the xb form, its native spelling
and the peers' spellings where they have one, on 10-element float arrays; the copying forms
are also timed at 10 MB against a plain memory copy into an existing buffer (the floor of
any copy). Goals: every form within 2x of its native spelling; the copying forms within
1.25x of the memory copy from 10 MB up.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from ._timing import compare

__all__ = ["COPY_GOAL", "GOAL", "FormRow", "run"]

#: Goal: each form within this ratio of its native spelling (10-element arrays).
GOAL = 2.0
#: Goal: the copying forms within this ratio of a memory copy, from 10 MB up.
COPY_GOAL = 1.25

# name -> (xb form, native spelling, peers: {name: statement}, copies)
_FORMS: dict[str, tuple[str, str, dict[str, str], bool]] = {
    "to_numpy(t, detach=True)": (
        "xb.to_numpy(g, detach=True)",
        "g.detach().numpy()",
        {"autoray": "autoray.to_numpy(g)"},
        False,
    ),
    "to_torch(x, copy=True)": (
        "xb.to_torch(x, copy=True)",
        "torch.from_numpy(x).clone()",
        {
            "autoray": "autoray.do('array', x, like='torch')",
            "array-api-compat": "compat_torch.asarray(x, copy=True)",
        },
        True,
    ),
    "to_torch(x, dtype=float32)": (
        "xb.to_torch(x64, dtype=xb.float32)",
        "torch.from_numpy(x64).to(torch.float32)",
        {"array-api-compat": "compat_torch.asarray(x64, dtype=torch.float32)"},
        True,
    ),
    "add(tensor, ndarray)": (
        "xb.add(t, x)",
        "torch.add(t, torch.from_numpy(x))",
        {},
        False,
    ),
    "add(grad tensor, float32 ndarray)": (
        "xb.add(g, x)",
        "torch.add(g, torch.from_numpy(x))",
        {},
        False,
    ),
}


@dataclass(frozen=True)
class FormRow:
    form: str
    size: str
    xb_ns: float
    native_ns: float
    #: Peer name -> its time (ns); a peer without this form is absent.
    peers: dict[str, float]
    #: The memory copy's time at this size (copying forms at 10 MB), else 0.
    memcpy_ns: float = 0.0

    @property
    def ratio(self) -> float:
        return self.xb_ns / self.native_ns

    @property
    def copy_ratio(self) -> float:
        return self.xb_ns / self.memcpy_ns if self.memcpy_ns else float("nan")

    @property
    def goal_met(self) -> bool:
        if self.memcpy_ns:
            return self.copy_ratio <= COPY_GOAL
        return self.ratio <= GOAL


def available() -> bool:
    return importlib.util.find_spec("torch") is not None


def _namespace(n: int) -> dict[str, Any]:
    import array_api_compat.torch as compat_torch
    import autoray
    import numpy as np
    import torch

    import xpbridge as xb

    x64 = np.linspace(1.0, 2.0, n)
    x = x64.astype(np.float32)
    return {
        "xb": xb,
        "np": np,
        "torch": torch,
        "autoray": autoray,
        "compat_torch": compat_torch,
        "x": x,
        "x64": x64,
        "t": torch.linspace(1.0, 2.0, n),
        "g": torch.linspace(1.0, 2.0, n, requires_grad=True),
        "out": np.empty_like(x64),
        "out32": np.empty_like(x),
    }


def run(*, rounds: int = 101, big_rounds: int = 15) -> list[FormRow]:
    """Time every form at 10 elements, and the copying ones at 10 MB."""
    rows = []
    for form, (xb_stmt, native, peers, copies) in _FORMS.items():
        namespace = _namespace(10)
        statements = {"xb": xb_stmt, "native": native, **peers}
        statements = {k: v for k, v in statements.items() if _works(v, namespace)}
        t = compare(statements, namespace, rounds=rounds, sample_s=5e-4, clock="cpu")
        rows.append(
            FormRow(
                form=form,
                size="10",
                xb_ns=t.median("xb") * 1e9,
                native_ns=t.median("native") * 1e9,
                peers={name: t.median(name) * 1e9 for name in peers if name in statements},
            )
        )
        if copies:
            big = _namespace(10_000_000 // 8)  # 10 MB of float64 (5 MB of float32)
            memcpy = "np.copyto(out, x64)" if "x64" in xb_stmt else "np.copyto(out32, x)"
            statements = {"xb": xb_stmt, "native": native, "memcpy": memcpy}
            t = compare(statements, big, rounds=big_rounds, sample_s=2e-3, clock="cpu")
            rows.append(
                FormRow(
                    form=form,
                    size="10 MB",
                    xb_ns=t.median("xb") * 1e9,
                    native_ns=t.median("native") * 1e9,
                    peers={},
                    memcpy_ns=t.median("memcpy") * 1e9,
                )
            )
    return rows


def _works(statement: str, namespace: dict[str, Any]) -> bool:
    """Whether a peer's spelling runs at all (some have no such form)."""
    try:
        eval(statement, namespace)
    except Exception:  # noqa: BLE001 - a peer without this form is left out of the row
        return False
    return True

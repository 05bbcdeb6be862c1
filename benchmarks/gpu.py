"""GPU rows, run only where CUDA is present: CuPy <-> torch sharing, device-to-host
bandwidth, and a large matmul through ``xb`` against torch directly.

Every figure here is marked as measured on the GPU it names; without CUDA the section
reports that it did not run and why.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from ._timing import compare

__all__ = ["GpuRow", "cuda_device", "run"]

MATMUL_N = 8192
D2H_BYTES = 400_000_000
#: Goals: device-to-host copies reach this fraction of the measured (pinned) bandwidth;
#: the matmul through xb takes the direct call's time (within noise, 5 %).
D2H_GOAL = 0.8
MATMUL_GOAL = 1.05


@dataclass(frozen=True)
class GpuRow:
    what: str
    xb: float
    reference: float
    unit: str
    reference_name: str
    goal: str
    met: bool | None
    note: str = ""


def cuda_device() -> str | None:
    """The name of the CUDA device torch sees, or None."""
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    if not torch.cuda.is_available():
        return None
    return str(torch.cuda.get_device_name(0))


def run(*, rounds: int = 21) -> list[GpuRow]:
    import torch

    import xpbridge as xb

    sync = torch.cuda.synchronize
    rows: list[GpuRow] = []
    rows += _cupy_rows(xb, torch, rounds)
    # Device -> host: xb.to_numpy (new pageable memory, what users get) against a copy
    # into pinned memory that already exists (the link's best) and torch's own t.cpu().
    t = torch.empty(D2H_BYTES // 4, dtype=torch.float32, device="cuda").normal_()
    pinned = torch.empty(t.shape, dtype=t.dtype, pin_memory=True)
    sync()
    ns = {"xb": xb, "t": t, "pinned": pinned, "sync": sync}
    timing = compare(
        {
            "xb": "xb.to_numpy(t)",
            "pinned": "pinned.copy_(t); sync()",
            "t.cpu()": "t.cpu().numpy()",
        },
        ns,
        rounds=rounds,
        budget_s=20.0,
    )
    gb = D2H_BYTES / 1e9
    best = gb / timing.median("pinned")
    got = gb / timing.median("xb")
    rows.append(
        GpuRow(
            what=f"device -> host, {D2H_BYTES // 1_000_000} MB (xb.to_numpy)",
            xb=got,
            reference=best,
            unit="GB/s",
            reference_name="copy into pinned host memory",
            goal=f">= {D2H_GOAL:.0%} of the pinned bandwidth",
            met=got >= D2H_GOAL * best,
            note=f"t.cpu(): {gb / timing.median('t.cpu()'):.1f} GB/s (pageable, like xb)",
        )
    )
    del t, pinned
    # A large matmul: dispatch is noise next to the kernel, as it should be.
    a = torch.randn(MATMUL_N, MATMUL_N, device="cuda")
    b = torch.randn(MATMUL_N, MATMUL_N, device="cuda")
    ns = {"xb": xb, "torch": torch, "a": a, "b": b, "sync": sync}
    timing = compare(
        {"direct": "torch.matmul(a, b); sync()", "xb": "xb.matmul(a, b); sync()"},
        ns,
        rounds=rounds,
        sample_s=0.2,
    )
    rows.append(
        GpuRow(
            what=f"matmul {MATMUL_N}x{MATMUL_N} float32",
            xb=timing.median("xb") * 1e3,
            reference=timing.median("direct") * 1e3,
            unit="ms",
            reference_name="torch.matmul",
            goal=f"<= {MATMUL_GOAL}x the direct call",
            met=timing.ratio("xb", "direct") <= MATMUL_GOAL,
        )
    )
    return rows


def _cupy_rows(xb: Any, torch: Any, rounds: int) -> list[GpuRow]:
    if importlib.util.find_spec("cupy") is None:
        return [
            GpuRow(
                what="CuPy <-> torch",
                xb=float("nan"),
                reference=float("nan"),
                unit="us",
                reference_name="",
                goal="zero-copy",
                met=None,
                note="not run: CuPy is not installed",
            )
        ]
    import cupy

    rows = []
    for nbytes in (1_000, D2H_BYTES):
        c = cupy.arange(nbytes // 4, dtype=cupy.float32)
        t = torch.arange(nbytes // 4, dtype=torch.float32, device="cuda")
        for label, stmt, native, source, check in (
            ("CuPy -> torch", "xb.to(c, 'torch')", "torch.from_dlpack(c)", c, "torch"),
            ("torch -> CuPy", "xb.to(t, 'cupy')", "cupy.from_dlpack(t)", t, "cupy"),
        ):
            ns = {"xb": xb, "torch": torch, "cupy": cupy, "c": c, "t": t}
            result = eval(stmt, ns)
            shared = xb.shares_memory(source, result)
            timing = compare({"xb": stmt, "native": native}, ns, rounds=rounds)
            rows.append(
                GpuRow(
                    what=f"{label}, {nbytes:,} bytes",
                    xb=timing.median("xb") * 1e6,
                    reference=timing.median("native") * 1e6,
                    unit="us",
                    reference_name=native,
                    goal="zero-copy, within 2x of the native route",
                    met=shared and timing.ratio("xb", "native") <= 2.0,
                    note=f"result shares memory with the input: {shared} ({check})",
                )
            )
    return rows

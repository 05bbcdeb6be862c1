"""Markdown tables of the results, with each goal marked met or not (and why, where not)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import compiled, convert, dispatch, forms, gpu, imports, pipelines

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "conversion_tables",
    "dispatch_table",
    "import_table",
    "pipelines_table",
    "summary",
    "table",
]

YES, NO = "yes", "**no**"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _seconds(s: float | None) -> str:
    if s is None or math.isnan(s):
        return "-"
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def _bytes(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} B"


def _ratio(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}x"


# ---------------------------------------------------------------------- dispatch

_WHY = {
    ("torch", "add"): "dtype check: 2 reads of Tensor.dtype",
    ("torch", "where"): "dtype check: 2 reads of Tensor.dtype",
}


def forms_table(rows: list[forms.FormRow]) -> str:
    peers = sorted({name for r in rows for name in r.peers})
    body = []
    for r in rows:
        against = (
            f"memcpy {_seconds(r.memcpy_ns / 1e9)}: {r.copy_ratio:.2f}x"
            if r.memcpy_ns
            else f"{r.ratio:.2f}x"
        )
        body.append(
            (
                f"`{r.form}`",
                r.size,
                _seconds(r.xb_ns / 1e9),
                _seconds(r.native_ns / 1e9),
                against,
                *(_seconds(r.peers[p] / 1e9) if p in r.peers else "-" for p in peers),
                YES if r.goal_met else NO,
            )
        )
    return table(
        ("form", "size", "xb", "native", "xb / native (or memcpy)", *peers, "goal met"), body
    )


def dispatch_table(rows: list[dispatch.DispatchRow]) -> str:
    body = []
    for r in rows:
        note = "" if r.goal_met else _WHY.get((r.backend, r.op), "")
        if not r.in_goal:
            note = "not in the issue's list" + (f"; {note}" if note else "")
        body.append(
            (
                f"`{r.op}`" + (" (array, Python scalar)" if not r.in_goal else ""),
                r.backend,
                r.size,
                f"{r.direct_ns:.0f}",
                f"**{r.xb_ns:+.0f}** ± {r.xb_spread_ns:.0f}",
                f"{r.xb_ratio:.2f}x",
                f"{r.namespace_ns:+.0f} ({r.namespace_ratio:.2f}x xb)",
                f"{r.compat_ns:+.0f}",
                f"{r.autoray_ns:+.0f}",
                (YES if r.goal_met else NO) + (f" ({note})" if note else ""),
            )
        )
    return table(
        (
            "op",
            "arrays",
            "size",
            "direct (ns)",
            "xb adds (ns)",
            "xb / direct",
            "xb.namespace adds (vs xb)",
            "array-api-compat adds",
            "autoray adds",
            f"<= {dispatch.GOAL_NS:.0f} ns and faster than both",
        ),
        body,
    )


# ---------------------------------------------------------------------- conversions


def _pairs(rows: list[convert.ConversionRow]) -> dict[tuple[str, str], list[convert.ConversionRow]]:
    found: dict[tuple[str, str], list[convert.ConversionRow]] = {}
    for r in rows:
        found.setdefault((r.source, r.target), []).append(r)
    return found


def _peer_ok(r: convert.ConversionRow) -> tuple[bool, str]:
    """xb no slower than any peer doing the same work (same sharing), within 5 %."""
    slower = [
        name
        for name in ("autoray", "compat")
        if name in r.seconds
        and r.shares.get(name) == r.shares.get("xb")
        and r.seconds["xb"] > 1.05 * r.seconds[name]
    ]
    return not slower, ", ".join(slower)


def _flat(rows: list[convert.ConversionRow]) -> bool:
    small, large = rows[0].seconds["xb"], rows[-1].seconds["xb"]
    return large - small <= max(1e-6, 0.5 * small)


def pair_verdict(rows: list[convert.ConversionRow]) -> tuple[bool, str]:
    """Whether a pair meets its goal at every size, and what fails."""
    failures = []
    if rows[0].zero_copy:
        worst = max((r.ratio("native") or 0.0) for r in rows)
        if worst > convert.ZERO_COPY_GOAL:
            failures.append(f"{worst:.1f}x native")
        if not _flat(rows):
            failures.append("grows with size")
    else:
        bandwidth_bound = [r for r in rows if r.nbytes >= 10_000_000]
        worst_row = max(bandwidth_bound, key=lambda r: r.ratio("source copy") or 0.0, default=None)
        worst = (worst_row.ratio("source copy") or 0.0) if worst_row else 0.0
        if worst_row is not None and worst > convert.COPY_GOAL:
            native = worst_row.ratio("native")
            context = f", {native:.2f}x the native route" if native is not None else ""
            failures.append(f"{worst:.2f}x the source copy at {_bytes(worst_row.nbytes)}{context}")
    for r in rows:
        ok, slower = _peer_ok(r)
        if not ok:
            failures.append(f"slower than {slower} at {_bytes(r.nbytes)}")
    return not failures, "; ".join(failures)


def conversion_tables(rows: list[convert.ConversionRow]) -> tuple[str, str]:
    """A summary (one row per pair) and the full table (one row per pair and size)."""
    summary_rows, full_rows = [], []
    for (source, target), group in _pairs(rows).items():
        ok, why = pair_verdict(group)
        kind = "zero-copy" if group[0].zero_copy else "copy"
        reference = group[0].reference
        ratios = [r.ratio(reference) for r in group]
        summary_rows.append(
            (
                f"{source} -> {target}",
                kind,
                _seconds(group[0].seconds["xb"]),
                _seconds(group[-1].seconds["xb"]),
                f"{reference}: " + " / ".join(_ratio(x) for x in ratios),
                (YES if ok else NO) + (f" ({why})" if why else ""),
            )
        )
        for r in group:
            full_rows.append(
                (
                    f"{source} -> {target}",
                    _bytes(r.nbytes),
                    kind,
                    _seconds(r.seconds["xb"]),
                    _seconds(r.seconds.get("native")),
                    _ratio(r.ratio("native")),
                    _seconds(r.seconds.get("source copy")),
                    _ratio(r.ratio("source copy")),
                    _seconds(r.seconds.get("memcpy")),
                    _peer(r, "autoray"),
                    _peer(r, "compat"),
                )
            )
    sizes = " / ".join(_bytes(n) for n in sorted({r.nbytes for r in rows}))
    summary = table(
        (
            "source -> target",
            "route",
            f"xb at {_bytes(min(r.nbytes for r in rows))}",
            f"xb at {_bytes(max(r.nbytes for r in rows))}",
            f"xb / reference at {sizes}",
            "goal met",
        ),
        summary_rows,
    )
    full = table(
        (
            "source -> target",
            "size",
            "route",
            "xb",
            "native",
            "xb/native",
            "source copy",
            "xb/copy",
            "memcpy",
            "autoray",
            "array-api-compat",
        ),
        full_rows,
    )
    return summary, full


def _peer(r: convert.ConversionRow, name: str) -> str:
    if name not in r.seconds:
        return "-"
    shares = r.shares.get(name)
    mark = "" if shares == r.shares.get("xb") else (" (shares)" if shares else " (copies)")
    return _seconds(r.seconds[name]) + mark


# ---------------------------------------------------------------------- the rest


def import_table(rows: list[imports.ImportRow]) -> str:
    return table(
        (
            "import (after numpy)",
            "median",
            "best",
            "optional backends imported",
            f"<= {imports.GOAL_MS:.0f} ms, none imported",
        ),
        (
            (
                f"`import {r.module}`",
                f"{r.median_ms:.1f} ms",
                f"{r.min_ms:.1f} ms",
                ", ".join(r.loaded) or "none",
                "-" if r.goal_met is None else (YES if r.goal_met else NO),
            )
            for r in rows
        ),
    )


def compiled_table(rows: list[compiled.CompiledRow]) -> str:
    return table(
        (
            "function",
            "shape",
            "graphs / breaks",
            "compiled torch",
            "compiled xb",
            "xb / torch",
            "eager torch",
            "eager xb",
            "no break, <= 1.05x",
        ),
        (
            (
                r.variant,
                r.shape,
                f"{r.graphs} / {r.graph_breaks}",
                f"{r.compiled_torch_us:.1f} us",
                f"{r.compiled_xb_us:.1f} us",
                f"{r.ratio:.2f}x",
                f"{r.eager_torch_us:.1f} us",
                f"{r.eager_xb_us:.1f} us",
                YES if r.goal_met else NO,
            )
            for r in rows
        ),
    )


def gpu_table(rows: list[gpu.GpuRow], device: str) -> str:
    return table(
        ("on " + device, "xb", "reference", "goal", "met", "note"),
        (
            (
                r.what,
                f"{r.xb:.2f} {r.unit}",
                f"{r.reference:.2f} {r.unit} ({r.reference_name})",
                r.goal,
                "-" if r.met is None else (YES if r.met else NO),
                r.note,
            )
            for r in rows
        ),
    )


def pipelines_table(rows: list[pipelines.PipelineRow]) -> str:
    body = []
    for r in rows:
        met = r.goal_met
        if r.kind == "tree":
            what, reference = f"tree per leaf: {r.what}", "leaves alone, per leaf"
        else:
            what, reference = f"open `xb.{r.kind}`: {r.what}", "nothing open"
        body.append(
            (
                what,
                r.leaves,
                _seconds(r.xb_ns * 1e-9),
                f"{_seconds(r.reference_ns * 1e-9)} ({reference})",
                f"{r.ratio:.2f}x",
                f"{r.adds_ns:+.0f} ns",
                r.goal,
                "-" if met is None else (YES if met else NO),
            )
        )
    return table(("what", "leaves", "xb", "reference", "ratio", "adds", "goal", "met"), body)


def summary(results: dict[str, Any]) -> str:
    """One line per goal of the issue: met or not, with the figure that decides."""
    lines = []
    if "dispatch" in results:
        rows = [r for r in results["dispatch"] if r.in_goal]
        missed = [r for r in rows if not r.goal_met]
        worst = max(rows, key=lambda r: r.xb_ns)
        peers = all(r.xb_ns < min(r.compat_ns, r.autoray_ns) for r in rows)
        lines.append(
            (
                "dispatch adds <= 100 ns; faster than both peers",
                (
                    f"{len(rows) - len(missed)}/{len(rows)} rows; worst {worst.op} on "
                    f"{worst.backend} ({worst.size}): +{worst.xb_ns:.0f} ns; faster than both "
                    f"peers on every row: {'yes' if peers else 'no'}"
                ),
                YES if not missed else NO,
            )
        )
    if "convert" in results:
        verdicts = {p: pair_verdict(g) for p, g in _pairs(results["convert"]).items()}
        bad = [f"{s}->{t}" for (s, t), (ok, _) in verdicts.items() if not ok]
        lines.append(
            (
                "conversions: zero-copy within 2x native and flat; copies within 1.25x",
                f"{len(verdicts) - len(bad)}/{len(verdicts)} pairs"
                + (f"; not: {', '.join(bad)}" if bad else ""),
                YES if not bad else NO,
            )
        )
    if "import" in results:
        row = next(r for r in results["import"] if r.module == "xpbridge")
        lines.append(
            (
                "import xpbridge <= 30 ms beyond numpy, no optional backend",
                f"{row.median_ms:.1f} ms; imported: {', '.join(row.loaded) or 'none'}",
                YES if row.goal_met else NO,
            )
        )
    if "compile" in results:
        rows = results["compile"]
        lines.append(
            (
                "torch.compile: no graph break, as fast as torch",
                "; ".join(
                    f"{r.variant} {r.shape}: {r.graph_breaks} breaks, {r.ratio:.2f}x" for r in rows
                ),
                YES if all(r.goal_met for r in rows) else NO,
            )
        )
    if "forms" in results:
        rows = results["forms"]
        missed = [f"{r.form} ({r.size})" for r in rows if not r.goal_met]
        lines.append(
            (
                (
                    f"everyday forms within {forms.GOAL:.0f}x native; copies within "
                    f"{forms.COPY_GOAL}x a memory copy from 10 MB"
                ),
                f"{len(rows) - len(missed)}/{len(rows)} rows"
                + (f"; not: {', '.join(missed)}" if missed else ""),
                YES if not missed else NO,
            )
        )
    if "pipelines" in results:
        rows = [r for r in results["pipelines"] if r.goal_met is not None]
        trees = [r for r in rows if r.kind == "tree"]
        audits = [r for r in rows if r.kind == "audit"]
        lines.append(
            (
                "pipelines: a tree <= 1.5x per leaf; an audit adds <= 2 us",
                "per leaf "
                + ", ".join(f"{r.ratio:.2f}x" for r in trees)
                + "; audit adds "
                + ", ".join(f"{r.adds_ns / 1000:.2f} us" for r in audits),
                YES if all(r.goal_met for r in rows) else NO,
            )
        )
    if "gpu" in results:
        rows = results["gpu"]
        lines.append(
            (
                "GPU (CUDA)",
                "; ".join(
                    f"{r.what}: {'met' if r.met else 'not met' if r.met is not None else r.note}"
                    for r in rows
                ),
                YES if all(r.met in (True, None) for r in rows) else NO,
            )
        )
    elif "gpu_skipped" in results:
        lines.append(("GPU (CUDA)", results["gpu_skipped"], "not run"))
    return table(("goal", "this run", "met"), lines)

"""``python -m benchmarks``: run every benchmark, print Markdown, write results and plots.

Run from the repository root; it measures this checkout's ``src/xpbridge``. Options:
``--quick`` (fewer rounds and sizes, prints only unless ``--out`` is given), ``--only
dispatch,forms,convert,import,compile,gpu,pipelines``, ``--out DIR`` (default
``benchmarks/results``). A run of some sections only updates those sections (and their goal
lines) in the results it finds there, keeping the others.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
SECTIONS = ("dispatch", "forms", "convert", "import", "compile", "gpu", "pipelines")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and sizes")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--out", type=Path, default=None, help="where results and plots go")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    out = args.out
    if out is None and not args.quick:
        out = ROOT / "benchmarks" / "results"

    if SRC.is_dir():  # measure this checkout, not an installed copy
        sys.path.insert(0, str(SRC))
    torch_threads = _pin_torch()

    import xpbridge

    from . import compiled, convert, dispatch, forms, gpu, imports, pipelines, plots, report

    started = time.perf_counter()
    parts = [_header(xpbridge, torch_threads, args.quick)]
    results: dict[str, Any] = {}
    figures: list[str] = []
    backends = [b for b in ("numpy", "torch") if importlib.util.find_spec(b)]

    if "dispatch" in sections:
        rows = dispatch.run(backends=backends, rounds=41 if args.quick else 201)
        results["dispatch"] = rows
        parts += ["## Dispatch overhead", _DISPATCH_NOTE, report.dispatch_table(rows)]
        if out is not None:
            figures.append(plots.dispatch_plot(rows, _dir(out) / "dispatch_overhead.png").name)
    if "forms" in sections and forms.available():
        rows = forms.run(rounds=31 if args.quick else 101, big_rounds=5 if args.quick else 15)
        results["forms"] = rows
        parts += ["## Everyday forms", _FORMS_NOTE, report.forms_table(rows)]
    if "convert" in sections:
        sizes = convert.QUICK_SIZES if args.quick else convert.SIZES
        rows = convert.run(
            backends=convert.available(), sizes=sizes, budget_s=0.5 if args.quick else 3.0
        )
        results["convert"] = rows
        summary, full = report.conversion_tables(rows)
        parts += ["## Conversions", _CONVERT_NOTE, summary, "### Every size", full]
        if out is not None:
            figures.append(plots.conversion_plot(rows, _dir(out) / "conversions.png").name)
    if "import" in sections:
        rows = imports.run(src=SRC, runs=5 if args.quick else 15)
        results["import"] = rows
        parts += ["## Import cost", _IMPORT_NOTE, report.import_table(rows)]
    if "compile" in sections and importlib.util.find_spec("torch"):
        rows = compiled.run(src=SRC, root=ROOT, rounds=11 if args.quick else 41)
        results["compile"] = rows
        parts += ["## torch.compile", _COMPILE_NOTE, report.compiled_table(rows)]
    if "gpu" in sections:
        device = gpu.cuda_device()
        if device is None:
            results["gpu_skipped"] = "not run: no CUDA device on this machine"
            parts += ["## GPU (CUDA)", "Not run: no CUDA device on this machine."]
        else:
            rows = gpu.run(rounds=7 if args.quick else 21)
            results["gpu"] = rows
            parts += ["## GPU (CUDA)", f"Measured on {device}.", report.gpu_table(rows, device)]

    if "pipelines" in sections and importlib.util.find_spec("torch"):
        rows = pipelines.run(rounds=21 if args.quick else 101)
        results["pipelines"] = rows
        parts += ["## Pipelines", _PIPELINES_NOTE, report.pipelines_table(rows)]

    parts.insert(1, "## Goals\n\n" + report.summary(results))
    elapsed = time.perf_counter() - started
    parts.append(f"_Run took {elapsed / 60:.1f} min._")
    if figures:
        parts.append("Plots: " + ", ".join(f"[{name}]({name})" for name in figures))
    text = "\n\n".join(parts) + "\n"
    print(text)
    if out is not None:
        markdown, data = text, _jsonable(results)
        if set(sections) != set(SECTIONS) and (_dir(out) / "latest.md").is_file():
            command = f"python -m benchmarks --only {','.join(sections)}"
            markdown = merge((out / "latest.md").read_text(), text, f"{_today()}, `{command}`")
            data = {**json.loads((out / "latest.json").read_text()), **data}
        (_dir(out) / "latest.md").write_text(markdown)
        (_dir(out) / "latest.json").write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {out}/latest.md, latest.json{''.join(', ' + f for f in figures)}")
    return 0


def _sections(text: str) -> dict[str, str]:
    """A results page by ``## `` heading (the text before the first under ``""``)."""
    found: dict[str, str] = {}
    heading = ""
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            heading = line.strip()
        found[heading] = found.get(heading, "") + line
    return found


def merge(previous: str, partial: str, when: str) -> str:
    """`previous` results with the sections of the `partial` run replaced (or added), its
    goal lines replacing theirs, and a header line saying what was measured again."""
    old, new = _sections(previous), _sections(partial)
    goals_new = [line for line in new.get("## Goals", "").splitlines() if line.startswith("| ")]
    names = {line.split("|")[1] for line in goals_new[1:]}  # the goal column; no header
    goals = []
    for line in old.get("## Goals", "").splitlines():
        if line.startswith("| ") and line.split("|")[1] in names:
            continue
        goals.append(line)
    rows = [line for line in goals_new[1:] if not set(line) <= {"|", "-"}]
    table_end = max(i for i, line in enumerate(goals) if line.startswith("|")) + 1
    goals[table_end:table_end] = rows
    old["## Goals"] = "\n".join(goals).rstrip("\n") + "\n\n"
    measured = [heading for heading in new if heading and heading != "## Goals"]
    for heading in measured:
        # Without the partial run's closing lines (its time, its plots).
        lines = [
            line
            for line in new[heading].splitlines()
            if not line.startswith(("_Run took", "Plots: "))
        ]
        old[heading] = "\n".join(lines).rstrip("\n") + "\n\n"
    header = old[""].rstrip("\n").splitlines()
    header = [line for line in header if not line.startswith("- Measured again")]
    header.append(f"- Measured again on {when}: {', '.join(h[3:] for h in measured)}")
    old[""] = "\n".join(header) + "\n\n"
    return "".join(text.rstrip("\n") + "\n\n" for text in old.values()).rstrip("\n") + "\n"


def _today() -> str:
    return f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"


_DISPATCH_NOTE = (
    "Median time each call adds to the direct library call (`np.add(a, b)`, "
    "`torch.add(a, b)`), from interleaved rounds of process CPU time, with half the "
    "interquartile range of the per-round differences (±). Peers as their users write "
    "them: `array_namespace(a, b).add(a, b)` and `autoray.do('add', a, b)`."
)
_FORMS_NOTE = (
    "The forms people type most in mixed pipelines (issue 16), on 10-element float arrays, "
    "against their native spelling and the peers' where they have one: median of "
    "interleaved rounds of process CPU time. The copying forms again at 10 MB, against a "
    "memory copy into an existing buffer (`np.copyto`)."
)
_CONVERT_NOTE = (
    "Median time of `xb.to(x, target)` on float32 arrays (process CPU time; wall time for "
    "Dask, which computes on a thread pool). Zero-copy routes are "
    "compared with the libraries' own route (`torch.from_numpy`, `Tensor.numpy()`...) "
    "and should not grow with size; copy routes with a fresh copy in the source library "
    "(`np.array(a, copy=True)`, `t.clone()`, `jnp.array(x, copy=True)`, `x.compute()`), "
    "judged from 10 MB up, where memory bandwidth rather than fixed costs decides, with a "
    "`memmove` between existing buffers as the floor. xb counts as slower than a peer "
    "beyond 5 % and 1 us; a peer marked (shares) aliases memory that xpbridge copies (or "
    "the reverse): not the same work, not counted."
)
_PIPELINES_NOTE = (
    "Containers converted leaf by leaf (`xb.to_torch(tree)` per leaf, against the same "
    "leaves converted one call each) and what an open `xb.audit()` or `xb.guard(...)` adds "
    "per conversion (a loop of 100 conversions inside the block, against the same loop "
    "with nothing open), in interleaved rounds of process CPU time."
)
_IMPORT_NOTE = (
    "Fresh interpreters with bytecode caches written (as after an install), NumPy "
    "imported first; median of the runs after a warm-up."
)
_COMPILE_NOTE = (
    "`torch._dynamo.explain` of the xb function (graphs / breaks); a fresh interpreter "
    "also compiles it with `fullgraph=True` before any other xb call. Compiled with "
    "inductor, timed interleaved in process CPU time."
)


def _pin_torch() -> int | None:
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    torch.set_num_threads(1)  # a 2-core machine: one thread keeps timings comparable
    return int(torch.get_num_threads())


def _header(xpbridge: Any, torch_threads: int | None, quick: bool) -> str:
    versions = []
    for name in (
        "numpy",
        "torch",
        "jax",
        "dask",
        "array-api-strict",
        "array-api-compat",
        "autoray",
    ):
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    lines = [
        "# xpbridge benchmarks" + (" (quick run)" if quick else ""),
        "",
        (
            f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; command: "
            f"`python -m benchmarks{' --quick' if quick else ''}`"
        ),
        (
            f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}; "
            f"load average at start {load}"
        ),
        f"- Python {platform.python_version()}; {', '.join(versions)}",
        f"- xpbridge from `{_shown(Path(xpbridge.__file__).parent)}`",
        f"- torch pinned to {torch_threads} thread (`torch.set_num_threads(1)`)"
        if torch_threads is not None
        else "- torch not installed",
    ]
    return "\n".join(lines)


def _shown(path: Path) -> str:
    """`path` relative to the repository root when inside it (results are committed)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


if __name__ == "__main__":
    raise SystemExit(main())

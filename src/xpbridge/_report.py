"""``python -m xpbridge``: what is installed, what converts how, and a live demo.

The report imports every installed backend (running it is asking for them), so it is also
a self-check: each section runs real code and says so when something fails. Paste its
output (or ``--json``) into a bug report.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import sys
import time
import traceback
from typing import Any

import numpy as np

from . import __version__
from ._backends import BACKENDS, available_backends, get_adapter

__all__ = ["collect", "main", "render"]

_DISTRIBUTIONS = {
    "numpy": "numpy",
    "torch": "torch",
    "cupy": "cupy",
    "dask": "dask",
    "jax": "jax",
    "array_api_strict": "array-api-strict",
}


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _dlpack_version(adapter: Any) -> str:
    """The newest DLPack version the library exports (probed on a small array)."""
    try:
        x = adapter.asarray([1.0, 2.0], dtype="float32")
        if not hasattr(x, "__dlpack__"):
            return "none"
        try:
            capsule = x.__dlpack__(max_version=(1, 0))
        except TypeError:
            return "0.x (no max_version)"
        return "1.x" if "versioned" in repr(capsule) else "0.x"
    except Exception as exc:  # a report line, not a crash: the library is broken here
        return f"error: {type(exc).__name__}"


def _backends() -> list[dict[str, Any]]:
    rows = []
    installed = set(available_backends())
    for spec in BACKENDS:
        row: dict[str, Any] = {
            "name": spec.name,
            "installed": spec.name in installed,
            "version": _version(_DISTRIBUTIONS[spec.name]),
        }
        if row["installed"]:
            try:
                adapter = get_adapter(spec.name)
                row["devices"] = [adapter.device_str(d) for d in adapter.devices()]
                row["dlpack"] = _dlpack_version(adapter)
            except Exception as exc:
                row["error"] = f"{type(exc).__name__}: {exc}"
        rows.append(row)
    return rows


def _conversions(names: list[str], size: int = 1 << 16) -> list[dict[str, Any]]:
    """For each pair of libraries: does ``xb.to`` share memory, and how long it takes."""
    from . import to
    from ._inspect import shares_memory

    rows = []
    base = np.arange(size, dtype=np.float32)
    for source in names:
        try:
            x = to(base, source, copy=True)
        except Exception as exc:
            rows.append({"source": source, "target": "*", "error": f"{type(exc).__name__}: {exc}"})
            continue
        for target in names:
            row: dict[str, Any] = {"source": source, "target": target}
            try:
                result, record = to(x, target, explain=True)
                row["zero_copy"] = record.shares_memory
                row["shares_memory"] = shares_memory(x, result)
                row["plan"] = str(record)
                runs = []
                for _ in range(20):
                    start = time.perf_counter()
                    to(x, target)
                    runs.append(time.perf_counter() - start)
                row["median_us"] = round(sorted(runs)[len(runs) // 2] * 1e6, 2)
            except Exception as exc:
                row["error"] = f"{type(exc).__name__}: {exc}"
            rows.append(row)
    return rows


def _demo(names: list[str]) -> list[dict[str, str]]:
    """A few lines of real xpbridge code per feature, with what they printed."""
    import xpbridge as xb

    steps: list[dict[str, str]] = []

    def run(code: str, scope: dict[str, Any]) -> None:
        try:
            value = eval(code, scope)  # noqa: S307 - our own demo lines
            shown = repr(value)
        except Exception as exc:
            shown = f"{type(exc).__name__}: {exc}"
        steps.append({"code": code, "result": " ".join(shown.split())[:200]})

    scope: dict[str, Any] = {"xb": xb, "np": np}
    for name in names:
        scope["x"] = xb.to(np.linspace(0.0, 1.0, 4, dtype=np.float32), name)
        run(f"xb.backend_of(xb.sum(xb.exp(x)))  # x from {name}", scope)
    if "torch" in names:
        import torch

        scope["torch"] = torch
        scope["t"] = torch.linspace(0.0, 1.0, 4, requires_grad=True)
        run("xb.mean(xb.sin(t) * 2)", scope)
        run("xb.concatenate([t, np.zeros(2)])", scope)
        run("xb.to_numpy(t)", scope)
        run("xb.to_numpy(t, detach=True)", scope)
        run("str(xb.plan(t, 'numpy', detach=True))", scope)
    return steps


def collect() -> dict[str, Any]:
    """Everything the report shows, as plain data (the ``--json`` output)."""
    backends = _backends()
    usable = [row["name"] for row in backends if row["installed"] and "error" not in row]
    return {
        "xpbridge": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "backends": backends,
        "conversions": _conversions(usable),
        "demo": _demo(usable),
    }


def render(report: dict[str, Any]) -> str:
    """The report as text for a terminal (Markdown tables)."""
    lines = [
        f"xpbridge {report['xpbridge']} on Python {report['python']} ({report['platform']})",
        "",
        "## Backends",
        "",
        "| backend | installed | version | devices | DLPack |",
        "|---|---|---|---|---|",
    ]
    for row in report["backends"]:
        devices = ", ".join(row.get("devices", [])) or row.get("error", "")
        lines.append(
            f"| {row['name']} | {'yes' if row['installed'] else 'no'} | {row['version'] or '-'} "
            f"| {devices or '-'} | {row.get('dlpack', '-')} |"
        )
    lines += [
        "",
        "## Conversions (xb.to of a 256 KiB float32 array)",
        "",
        "| source -> target | zero-copy | median time | plan |",
        "|---|---|---|---|",
    ]
    for row in report["conversions"]:
        pair = f"{row['source']} -> {row['target']}"
        if "error" in row:
            lines.append(f"| {pair} | error | - | {row['error']} |")
            continue
        shared = "yes" if row["shares_memory"] else "no (copy)"
        plan = row["plan"].partition(": ")[2]
        lines.append(f"| {pair} | {shared} | {row['median_us']:.1f} us | {plan} |")
    lines += ["", "## Demo", ""]
    for step in report["demo"]:
        lines += [f">>> {step['code']}", step["result"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m xpbridge",
        description=(
            "Report the array libraries xpbridge finds (versions, devices, DLPack), how "
            "each pair converts (zero-copy or copy, and time), and a live demo of dispatch "
            "and gradient preservation. Paste the output into bug reports."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        report = collect()
    except Exception:
        traceback.print_exc()
        return 1
    print(json.dumps(report, indent=2, default=str) if args.json else render(report))  # noqa: T201
    failed = [row for row in report["conversions"] if "error" in row]
    return 1 if failed else 0

"""``python -m xpbridge``: what is installed, what converts how, and a live demo.

The report imports every installed backend (running it is asking for them), so it is also
a self-check: each section runs real code, and whatever fails (a library that does not
import, a conversion that raises) becomes a line of the report, never a crash. Paste its
output, or ``--json``, into a bug report.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import sys
import time
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from . import __version__
from ._backends import BACKENDS, available_backends, get_adapter

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["collect", "main", "render"]

# The conversion matrix converts this many float32 values (256 KiB).
_SIZE: Final = 1 << 16
_RUNS: Final = 20
# Longest text kept from an error or a demo result.
_WIDTH: Final = 300

EXIT_STATUS: Final = (
    "exit status: 0 when every installed backend imported and every conversion ran; 1 when "
    "something failed (the report is still printed and lists it under 'Problems')"
)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _WIDTH else flat[: _WIDTH - 3] + "..."


def _error(exc: BaseException) -> str:
    return _short(f"{type(exc).__name__}: {exc}")


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


_SPECS: Final = {spec.name: spec for spec in BACKENDS}


def _ordered_backends() -> list[str]:
    """Backend names with NumPy first (the reference), then in the registry's order."""
    return sorted((spec.name for spec in BACKENDS), key=lambda name: name != "numpy")


def _dlpack_version(adapter: Any) -> str:
    """The DLPack version the library exports: "1.x" (versioned capsules), "0.x" or "none"."""
    try:
        x = adapter.asarray([1.0, 2.0], dtype="float32")
        if not hasattr(x, "__dlpack__"):
            return "none"
        try:
            capsule = x.__dlpack__(max_version=(1, 0))
        except TypeError:
            return "0.x (no max_version)"
        return "1.x" if "versioned" in repr(capsule) else "0.x"
    except Exception as exc:  # noqa: BLE001 - a report line, not a crash: the library is broken
        return f"error: {_error(exc)}"


def _backend_row(name: str, installed: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": name,
        "installed": installed,
        "version": _version(_SPECS[name].distribution or _SPECS[name].import_name),
    }
    if not installed:
        return row
    try:
        adapter = get_adapter(name)
        row["version"] = row["version"] or adapter.version
        row["devices"] = [adapter.device_str(d) for d in adapter.devices()]
        row["dlpack"] = _dlpack_version(adapter)
    except Exception as exc:  # noqa: BLE001 - an installed library that fails to import
        row["error"] = _error(exc)
    return row


def _backends() -> list[dict[str, Any]]:
    installed = set(available_backends())
    return [_backend_row(name, name in installed) for name in _ordered_backends()]


def _median_seconds(run: Callable[[], object]) -> float:
    times = []
    for _ in range(_RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def _verified_sharing(x: Any, result: Any) -> bool | None:
    """Whether `result` aliases `x`, measured; None where it cannot be told (lazy arrays)."""
    from ._inspect import info, shares_memory

    if info(result).lazy or info(x).lazy:
        return None
    return shares_memory(x, result)


def _conversion(x: Any, source: str, target: str) -> dict[str, Any]:
    from ._convert import to

    row: dict[str, Any] = {"source": source, "target": target}
    try:
        result, record = to(x, target, explain=True)
        row["zero_copy"] = record.shares_memory
        row["plan"] = str(record).partition(": ")[2]
        row["verified"] = _verified_sharing(x, result)
        row["median_us"] = round(_median_seconds(lambda: to(x, target)) * 1e6, 2)
    except Exception as exc:  # noqa: BLE001 - one failing pair must not hide the others
        row["error"] = _error(exc)
    return row


def _conversions(names: list[str]) -> list[dict[str, Any]]:
    """For each pair of libraries: does ``xb.to`` share memory, and how long does it take."""
    from ._convert import to

    base = np.arange(_SIZE, dtype=np.float32)
    rows = []
    for source in names:
        try:
            x = to(base, source, copy=True)
        except Exception as exc:  # noqa: BLE001 - reported for every pair of this source
            error = f"cannot make a {source} array to convert: {_error(exc)}"
            rows += [{"source": source, "target": t, "error": error} for t in names]
            continue
        rows += [_conversion(x, source, target) for target in names]
    return rows


# The demo: lines of real xpbridge code; expressions show their value, statements nothing.
_DISPATCH_DEMO: Final = (
    "x = xb.to(np.linspace(0.0, 1.0, 4, dtype=np.float32), {name!r})",
    "xb.backend_of(xb.sum(xb.exp(x)))",
)


def _run_line(code: str, scope: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = {"code": code}
    # print(...) lines show str() of their argument (a Plan reads as a sentence), others repr().
    show = str if code.startswith("print(") else repr
    expression = code.removeprefix("print(").removesuffix(")") if show is str else code
    try:
        try:
            compiled = compile(expression, "<xpbridge demo>", "eval")
        except SyntaxError:  # a statement (an assignment): run it, nothing to show
            exec(compile(code, "<xpbridge demo>", "exec"), scope)  # noqa: S102 - our own lines
            return step
        value = eval(compiled, scope)  # our own demo lines
        if value is not None:
            step["result"] = _short(show(value))
    except Exception as exc:  # noqa: BLE001 - refusals are part of the demo
        step["raised"] = _error(exc)
    return step


def _demo(names: list[str]) -> list[dict[str, Any]]:
    """Dispatch on every usable backend, then what each backend's adapter shows of its own
    (gradient preservation, for torch)."""
    import xpbridge as xb

    steps: list[dict[str, Any]] = []
    for name in names:
        scope: dict[str, Any] = {"xb": xb, "np": np}
        for line in _DISPATCH_DEMO:
            steps.append(_run_line(line.format(name=name), scope))
    for name in names:
        adapter = get_adapter(name)
        scope = {"xb": xb, "np": np, adapter.module.__name__: adapter.module}
        steps += [_run_line(line, scope) for line in adapter.demo]
    return steps


def _section(what: str, build: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    try:
        return build()
    except Exception as exc:  # noqa: BLE001 - a bug here still leaves the other sections
        return [{"error": f"the {what} section failed: {_error(exc)}"}]


def _problems(report: dict[str, Any]) -> list[str]:
    found = []
    for row in report["backends"]:
        if "error" in row:
            found.append(f"backend {row.get('name', '?')}: {row['error']}")
    for row in report["conversions"]:
        if "error" in row:
            found.append(f"{row.get('source', '?')} -> {row.get('target', '?')}: {row['error']}")
        elif row.get("zero_copy") and row.get("verified") is False:
            found.append(
                f"{row['source']} -> {row['target']}: planned as zero-copy but the result "
                "does not share memory with the input"
            )
    for step in report["demo"]:
        if "error" in step:
            found.append(step["error"])
    return found


def collect() -> dict[str, Any]:
    """Everything the report shows, as plain data (the ``--json`` output).

    Returns
    -------
    dict
        ``xpbridge``, ``python``, ``platform``: versions; ``backends``: one entry per
        backend (``installed``, ``version``, ``devices``, ``dlpack``, or ``error``);
        ``conversions``: one entry per pair of usable backends (``zero_copy`` as planned,
        ``verified`` as measured (None for lazy arrays), ``median_us``, ``plan``, or
        ``error``); ``demo``: the demo lines with their ``result`` or what they ``raised``;
        ``problems``: every failure above, one line each (empty when all is well).
    """
    backends = _section("backends", _backends)
    usable = [
        row["name"]
        for row in backends
        if row.get("installed") and "name" in row and "error" not in row
    ]
    report: dict[str, Any] = {
        "xpbridge": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "backends": backends,
        "conversions": _section("conversions", lambda: _conversions(usable)),
        "demo": _section("demo", lambda: _demo(usable)),
    }
    report["problems"] = _problems(report)
    return report


def _matrix(rows: list[dict[str, Any]]) -> list[str]:
    names = list(dict.fromkeys(row["source"] for row in rows if "source" in row))
    cells = {(row.get("source"), row.get("target")): row for row in rows}
    lines = [
        "| from \\ to | " + " | ".join(names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for source in names:
        shown = []
        for target in names:
            row = cells.get((source, target), {})
            if "error" in row or not row:
                shown.append("error")
            else:
                kind = "zero-copy" if row["zero_copy"] else "copy"
                shown.append(f"{kind} {row['median_us']:.1f} us")
        lines.append(f"| **{source}** | " + " | ".join(shown) + " |")
    return lines


def render(report: dict[str, Any]) -> str:
    """The report as Markdown text, for a terminal or a bug report."""
    lines = [
        f"xpbridge {report['xpbridge']} on Python {report['python']} ({report['platform']})",
        "",
        "## Backends",
        "",
        "| backend | installed | version | devices | DLPack |",
        "|---|---|---|---|---|",
    ]
    for row in report["backends"]:
        if "name" not in row:
            lines.append(f"| - | - | - | {row.get('error', '')} | - |")
            continue
        devices = row.get("error") or ", ".join(row.get("devices", [])) or "-"
        installed = "yes" if row["installed"] else "no"
        lines.append(
            f"| {row['name']} | {installed} | {row['version'] or '-'} | {devices} "
            f"| {row.get('dlpack', '-')} |"
        )
    conversions = report["conversions"]
    lines += [
        "",
        f"## Conversions: xb.to of a {_SIZE * 4 // 1024} KiB float32 array",
        "",
        f"Zero-copy or copy, as planned; median time of {_RUNS} runs.",
        "",
        *_matrix(conversions),
        "",
        "Routes:",
        "",
    ]
    for row in conversions:
        pair = f"{row.get('source', '?')} -> {row.get('target', '?')}"
        lines.append(f"* {pair}: {row['error'] if 'error' in row else row['plan']}")
    lines += ["", "## Demo", "", "```pycon"]
    for step in report["demo"]:
        if "code" not in step:
            lines.append(f"# {step.get('error', '')}")
            continue
        lines.append(f">>> {step['code']}")
        if "result" in step:
            lines.append(step["result"])
        elif "raised" in step:
            lines.append(step["raised"])
    lines.append("```")
    problems = report["problems"]
    lines += ["", "## Problems", ""]
    lines += [f"* {problem}" for problem in problems] if problems else ["None found."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the report; the exit status says whether everything worked (see ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m xpbridge",
        description=(
            "Report the array libraries xpbridge finds (versions, devices, DLPack), how "
            "each pair converts (zero-copy or copy, and time), and a live demo of dispatch "
            "and gradient preservation. Paste the output into bug reports."
        ),
        epilog=EXIT_STATUS,
    )
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON (for machines)"
    )
    args = parser.parse_args(argv)
    report = collect()
    text = json.dumps(report, indent=2, default=str) if args.json else render(report)
    print(text)
    return 1 if report["problems"] else 0

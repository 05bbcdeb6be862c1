"""PNG plots of the results (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import convert, dispatch

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["conversion_plot", "dispatch_plot"]


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def dispatch_plot(rows: list[dispatch.DispatchRow], path: Path) -> Path:
    """Overhead over the direct call per row: xb against the peers (log scale)."""
    plt = _pyplot()
    labels = [f"{r.op} {r.backend} ({r.size})" for r in rows]
    series = {
        "xpbridge": [max(r.xb_ns, 1.0) for r in rows],
        "array-api-compat": [max(r.compat_ns, 1.0) for r in rows],
        "autoray": [max(r.autoray_ns, 1.0) for r in rows],
    }
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.5))
    height = 0.27
    for i, (name, values) in enumerate(series.items()):
        ax.barh([y + (i - 1) * height for y in range(len(rows))], values, height, label=name)
    ax.axvline(dispatch.GOAL_NS, color="black", linestyle="--", linewidth=1, label="goal: 100 ns")
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("time added to the direct library call (ns, median; log scale)")
    ax.set_title("Dispatch overhead (1- and 10-element arrays, torch on 1 thread)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def conversion_plot(rows: list[convert.ConversionRow], path: Path) -> Path:
    """Time against size for every pair: xb, the native route, the copies."""
    plt = _pyplot()
    pairs: dict[tuple[str, str], list[convert.ConversionRow]] = {}
    for r in rows:
        pairs.setdefault((r.source, r.target), []).append(r)
    backends = list(dict.fromkeys([s for s, _ in pairs] + [t for _, t in pairs]))
    n = len(backends)
    fig, axes = plt.subplots(n, n, figsize=(2.6 * n, 2.2 * n), sharex=True, sharey=True)
    styles = {
        "xb": ("xpbridge", "C0", "-", "o"),
        "native": ("native route", "C1", "--", "s"),
        "source copy": ("fresh copy in source", "C2", ":", "^"),
        "memcpy": ("memcpy (existing buffers)", "C7", ":", ""),
    }
    for i, source in enumerate(backends):
        for j, target in enumerate(backends):
            ax = axes[i][j]
            group = pairs.get((source, target))
            if i == 0:
                ax.set_title(f"to {target}", fontsize=9)
            if j == 0:
                ax.set_ylabel(f"from {source}", fontsize=9)
            if not group:
                ax.set_axis_off()
                continue
            sizes = [r.nbytes for r in group]
            for key, (label, color, line, marker) in styles.items():
                values = [r.seconds.get(key) for r in group]
                if any(v is None for v in values):
                    continue
                ax.plot(sizes, values, line, color=color, marker=marker, ms=3, label=label)
            ax.set_xscale("log")
            ax.set_yscale("log")
            kind = "zero-copy" if group[0].zero_copy else "copy"
            ax.text(0.03, 0.92, kind, transform=ax.transAxes, fontsize=7, va="top")
            ax.grid(True, which="major", alpha=0.3)
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8)
    fig.supxlabel("array size (bytes)", y=0.04)
    fig.supylabel("seconds per conversion (median)")
    fig.suptitle("Conversions: time against size (log-log)")
    fig.tight_layout(rect=(0.02, 0.06, 1, 0.97))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

"""Import cost: ``import xpbridge`` beyond ``import numpy``, in fresh interpreters.

Each run is a new ``python`` process that imports NumPy, then times ``import xpbridge``
and lists which optional backends ended up in ``sys.modules`` (none should). The first
run only writes bytecode caches (into a temporary ``PYTHONPYCACHEPREFIX``, as an installed
package has them) and warms the file-system cache; the median of the rest is reported, beside the
peers' import times for scale.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["GOAL_MS", "ImportRow", "run"]

GOAL_MS = 30.0
OPTIONAL = ("torch", "jax", "jaxlib", "dask", "cupy", "array_api_strict", "autoray", "matplotlib")

_PROBE = """
import sys, time, json
t0 = time.perf_counter()
import numpy
t1 = time.perf_counter()
import {module}
t2 = time.perf_counter()
print(json.dumps({{"numpy_ms": (t1 - t0) * 1e3, "module_ms": (t2 - t1) * 1e3,
                  "loaded": [m for m in {optional!r} if m in sys.modules]}}))
"""


@dataclass(frozen=True)
class ImportRow:
    module: str
    median_ms: float
    min_ms: float
    numpy_ms: float
    runs: int
    #: Optional backends found in sys.modules after the import (should be empty).
    loaded: tuple[str, ...]

    @property
    def goal_met(self) -> bool | None:
        if self.module != "xpbridge":
            return None
        return self.median_ms <= GOAL_MS and not self.loaded


def _probe(module: str, src: Path, pycache: str) -> dict[str, object]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    # Bytecode caches on, as after an install (some environments turn them off).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = pycache
    code = _PROBE.format(module=module, optional=OPTIONAL)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(*, src: Path, runs: int = 15) -> list[ImportRow]:
    """Import xpbridge and the peers `runs` times each, in fresh processes, interleaved."""
    modules = ("xpbridge", "array_api_compat", "autoray")
    found: dict[str, list[dict[str, object]]] = {m: [] for m in modules}
    with tempfile.TemporaryDirectory() as pycache:
        for m in modules:
            _probe(m, src, pycache)  # write bytecode caches, warm the file-system cache
        for _ in range(runs):
            for m in modules:
                found[m].append(_probe(m, src, pycache))
    rows = []
    for m in modules:
        times = [float(r["module_ms"]) for r in found[m]]  # type: ignore[arg-type]
        loaded = sorted({name for r in found[m] for name in r["loaded"]} - {m})  # type: ignore[attr-defined]
        rows.append(
            ImportRow(
                module=m,
                median_ms=statistics.median(times),
                min_ms=min(times),
                numpy_ms=statistics.median(float(r["numpy_ms"]) for r in found[m]),  # type: ignore[arg-type]
                runs=runs,
                loaded=tuple(loaded),
            )
        )
    return rows

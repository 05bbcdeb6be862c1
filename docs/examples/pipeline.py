"""One pipeline, written once with xpbridge, run on NumPy, PyTorch, Dask and JAX.

``summarize`` standardizes the columns of a data matrix, turns every value into a Gaussian
score, projects the scores with a small weight matrix and reduces the result. It never names
a library: each call is routed to the library of its arguments and returns that library's
arrays, so the same function runs eagerly on NumPy and PyTorch, lazily on Dask (one task
graph, computed on a ``dask.distributed`` cluster when run as a script), and traced under
``jax.jit`` on JAX.

Run it::

    python docs/examples/pipeline.py

It prints the same numbers for every installed library. The data is float64, which JAX
holds only in its 64-bit mode: ``run_jax`` turns the mode on for its own block
(``jax.enable_x64``), since xpbridge refuses to narrow float64 silently.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import xpbridge as xb

SHAPE = (20_000, 8)  # rows x features
CHUNK_ROWS = 2_500  # Dask splits the rows into 8 chunks


def summarize(x: Any, w: Any) -> dict[str, Any]:
    """Column means, projection totals, the largest score and the mean row norm of `x`.

    `x` is a (rows, features) array of any library, `w` a small (features, k) array (of the
    same library, or a NumPy array, which is lifted into the library of `x`).
    """
    mean = xb.mean(x, axis=0)
    z = (x - mean) / xb.std(x, axis=0)
    scores = xb.exp(-0.5 * z * z)
    projected = xb.matmul(scores, w)
    return {
        "column_means": mean,
        "projection_totals": xb.sum(projected, axis=0),
        "largest_score": xb.max(scores),
        "mean_row_norm": xb.mean(xb.linalg.vector_norm(projected, axis=1)),
    }


KEYS = ("column_means", "projection_totals", "largest_score", "mean_row_norm")


def example_data(seed: int = 0) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """A data matrix and a weight matrix (float64)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(SHAPE) * 3 + np.arange(SHAPE[1])
    w = rng.standard_normal((SHAPE[1], 3))
    return x, w


def run_numpy(x: Any, w: Any) -> dict[str, Any]:
    return summarize(x, w)


def run_torch(x: Any, w: Any) -> dict[str, Any]:
    return summarize(xb.to_torch(x), w)  # zero-copy: the tensor views the NumPy memory


def run_dask(x: Any, w: Any) -> dict[str, Any]:
    import dask

    lazy = summarize(xb.to_dask(x, chunks=(CHUNK_ROWS, SHAPE[1])), w)  # one graph, nothing run
    (computed,) = dask.compute(lazy)  # on the current scheduler: a distributed Client if any
    return dict(computed)


def run_jax(x: Any, w: Any) -> dict[str, Any]:
    import jax

    with jax.enable_x64(True):  # float64 data; JAX would otherwise refuse it
        return jax.jit(summarize)(xb.to_jax(x), xb.to_jax(w))


RUNNERS = {"numpy": run_numpy, "torch": run_torch, "dask": run_dask, "jax": run_jax}


def run_all(backends: list[str] | None = None) -> dict[str, dict[str, np.ndarray[Any, Any]]]:
    """``summarize`` on every installed backend (or those named), as NumPy arrays."""
    x, w = example_data()
    installed = xb.available_backends()
    results = {}
    for name in backends or [b for b in RUNNERS if b in installed]:
        raw = RUNNERS[name](x, w)
        results[name] = {key: np.asarray(xb.to_numpy(raw[key])) for key in KEYS}
    return results


def main() -> None:
    backends = [b for b in RUNNERS if b in xb.available_backends()]
    if "dask" in backends:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        with cluster, Client(cluster):
            results = run_all(backends)
    else:
        results = run_all(backends)
    for name, summary in results.items():
        print(f"{name}:")
        for key, value in summary.items():
            text = np.array2string(
                value, precision=4, floatmode="fixed", suppress_small=True, max_line_width=100
            )
            print(f"  {key:>17} = {text}")


if __name__ == "__main__":
    main()

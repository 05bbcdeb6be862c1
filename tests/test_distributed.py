"""xpbridge code on a real ``dask.distributed`` cluster: two worker processes on this machine.

The cluster is started once for the module (and closed by the fixture, with timeouts, so a
stuck worker fails the run instead of hanging it). Worker processes unpickle the task
graphs, so these tests also check that what xpbridge puts in graphs (chunk views, per-matrix
linear algebra, lazy ``eye`` blocks) travels to other processes.
"""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge.testing import assert_close

if TYPE_CHECKING:
    from collections.abc import Iterator

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
da = pytest.importorskip("dask.array", reason="dask is not installed")
import dask  # noqa: E402

EXAMPLE = Path(__file__).parents[1] / "docs" / "examples" / "pipeline.py"
TIMEOUT = 60  # seconds for any one cluster operation


def _load_example() -> Any:
    spec = importlib.util.spec_from_file_location("xpbridge_example_pipeline", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of two single-threaded worker processes, and a Client on it."""
    with dask.config.set({"distributed.comm.timeouts.connect": f"{TIMEOUT}s"}):
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            silence_logs=logging.ERROR,
            dashboard_address=None,  # no web server: nothing to bind, no port warnings
            death_timeout=TIMEOUT,  # a worker that cannot reach the scheduler gives up
        )
        try:
            client = distributed.Client(cluster, timeout=TIMEOUT)
        except BaseException:
            cluster.close(timeout=TIMEOUT)
            raise
        try:
            client.wait_for_workers(2, timeout=TIMEOUT)
            yield client
        finally:
            client.close(timeout=TIMEOUT)
            cluster.close(timeout=TIMEOUT)


def _compute(client: Any, *collections: Any) -> list[Any]:
    futures = client.compute(list(collections))
    return [future.result(timeout=TIMEOUT) for future in futures]


def test_the_example_pipeline_on_the_cluster_matches_numpy(client: Any) -> None:
    example = _load_example()
    x, w = example.example_data()
    lazy = example.summarize(xb.to_dask(x, chunks=(example.CHUNK_ROWS, x.shape[1])), w)
    keys = list(lazy)
    assert all(isinstance(lazy[k], da.Array) for k in keys)
    with distributed.get_task_stream(client) as stream:
        computed = _compute(client, *(lazy[k] for k in keys))
    workers = {record["worker"] for record in stream.data}
    assert len(workers) == 2, "both worker processes should have run tasks"
    expected = example.summarize(x, w)
    for key, value in zip(keys, computed, strict=True):
        assert_close(np.asarray(value), np.asarray(expected[key]), check_0d=False)


def test_linear_algebra_and_creation_travel_to_workers(client: Any) -> None:
    rng = np.random.default_rng(3)
    batch = rng.standard_normal((6, 5, 5)) + 5 * np.eye(5)
    x = xb.to_dask(batch, chunks=(2, 3, 3))  # every matrix split: rechunked per matrix
    gram = xb.matmul(xb.matrix_transpose(x), x)
    eye = xb.eye(5, 7, k=1, backend="dask")
    det, eigenvalues, shifted = _compute(
        client, xb.linalg.det(x), xb.linalg.eigvalsh(gram), xb.matmul(x, eye)
    )
    assert_close(det, np.linalg.det(batch))
    assert_close(eigenvalues, np.linalg.eigvalsh(np.swapaxes(batch, -1, -2) @ batch))
    assert_close(shifted, batch @ np.eye(5, 7, k=1))


# ---------------------------------------------------------------------- memory


def _scores(x: Any, w: Any) -> tuple[Any, Any, Any]:
    """A chunk-by-chunk pipeline written with xb: element-wise, matmul, reductions."""
    projected = xb.matmul(xb.exp(-0.5 * x * x), w)
    return (
        xb.sum(projected, axis=0),
        xb.max(xb.abs(x)),
        xb.mean(xb.linalg.vector_norm(projected, axis=1)),
    )


def _peaks(client: Any, *collections: Any) -> tuple[dict[str, int], list[Any]]:
    """Each worker's peak of traced memory while computing `collections`, and the results.

    NumPy reports its data buffers to tracemalloc, so the peak covers every chunk a worker
    held at once. (Library functions only: the workers cannot import this test module.)
    """
    client.run(tracemalloc.start)
    try:
        results = _compute(client, *collections)
        traced = client.run(tracemalloc.get_traced_memory)
    finally:
        client.run(tracemalloc.stop)
    return {worker: peak for worker, (_, peak) in traced.items()}, results


def test_a_larger_than_chunk_computation_never_holds_the_array(client: Any) -> None:
    rows, cols, chunk_rows = 400_000, 8, 10_000  # 25.6 MB in 40 chunks of 0.64 MB
    # Built from chunks: each task makes its own rows, so no process ever needs them all.
    i = da.arange(rows, chunks=chunk_rows)[:, None]
    j = np.arange(cols)[None, :]
    x = da.sin(i * 1e-3 * (j + 1)) * 3 + j
    w = np.linspace(-1.0, 1.0, cols * 3).reshape(cols, 3)
    whole = x.nbytes
    assert x.numblocks == (40, 1)
    _compute(client, *_scores(x[:chunk_rows], w))  # warm up: imports are not the pipeline's

    peaks, computed = _peaks(client, *_scores(x, w))
    # A worker holds a few chunks, their temporaries and the task machinery at a time (a
    # fixed amount, whatever the number of chunks): never the array, not even half of it.
    assert max(peaks.values()) < whole / 2, {k: f"{v / whole:.0%}" for k, v in peaks.items()}

    # The detector is real: a quarter of the array gathered into one chunk shows up.
    quarter = x[: rows // 4]
    gathered, _ = _peaks(client, xb.sum(quarter.rechunk(quarter.shape)))
    assert max(gathered.values()) >= quarter.nbytes, gathered

    # And the streamed results are right (the reference is built on this side only).
    host = np.sin(np.arange(rows)[:, None] * 1e-3 * (np.arange(cols) + 1)) * 3 + np.arange(cols)
    for value, expected in zip(computed, _scores(host, w), strict=True):
        assert_close(np.asarray(value), np.asarray(expected), check_0d=False)


def test_conversions_compute_on_the_cluster(client: Any) -> None:
    # to_dask puts chunk views in the graph; to_jax computes the blocks on the workers and
    # assembles them (above a megabyte, into memory JAX aliases); both travel.
    jax = pytest.importorskip("jax")
    source = np.arange(600 * 500, dtype=np.float64).reshape(600, 500)
    x = xb.to_dask(source, chunks=(250, 200)) * 2
    for result in (xb.to(x, "jax"), xb.to(x, "jax", copy=True), xb.to(x, "numpy")):
        assert isinstance(result, (jax.Array, np.ndarray))
        np.testing.assert_array_equal(np.asarray(result), source * 2)


# ---------------------------------------------------------------------- the script


def test_the_example_script_prints_the_same_numbers_for_every_backend() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=3 * TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    blocks: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        if not line.startswith(" "):
            current = blocks.setdefault(line.rstrip(":"), [])
        else:
            current.append(line)
    assert "numpy" in blocks
    assert "dask" in blocks
    for name, lines in blocks.items():
        assert lines == blocks["numpy"], f"{name} printed different numbers"

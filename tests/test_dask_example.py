"""The example of docs/dask.md: one pipeline function, the same results on every backend.

``docs/examples/pipeline.py`` defines ``summarize`` once, with ``xb``; this runs it on every
installed backend (Dask on the local scheduler here; tests/test_distributed.py runs it on a
cluster and as a script) and compares each result with NumPy's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import xpbridge as xb
from xpbridge.testing import assert_close

EXAMPLE = Path(__file__).parents[1] / "docs" / "examples" / "pipeline.py"


@pytest.fixture(scope="module")
def example() -> Any:
    spec = importlib.util.spec_from_file_location("xpbridge_example_pipeline", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_installed_backend_gives_numpys_results(example: Any) -> None:
    results = example.run_all()
    installed = set(xb.available_backends())
    assert set(results) == {name for name in example.RUNNERS if name in installed}
    reference = results["numpy"]
    for name, summary in results.items():
        assert list(summary) == list(example.KEYS)
        for key in example.KEYS:
            assert_close(summary[key], reference[key], err_msg=f"{name}: {key}", check_0d=False)


def test_the_pipeline_runs_on_every_registered_backend(example: Any, library: str) -> None:
    """``summarize`` on an array of each registered backend (the weights stay NumPy's, and
    are lifted into it): the backend's results, NumPy's values."""
    x, w = example.example_data()
    raw = example.summarize(xb.asarray(x, backend=library), w)
    reference = example.run_all(["numpy"])["numpy"]
    for key in example.KEYS:
        assert xb.backend_of(raw[key]) == library, key
        got = np.asarray(xb.to_numpy(raw[key], detach=True))  # computes lazy arrays
        assert_close(got, reference[key], err_msg=f"{library}: {key}", check_0d=False)


def test_numpy_results_are_right(example: Any) -> None:
    x, w = example.example_data()
    z = (x - x.mean(0)) / x.std(0)
    scores = np.exp(-0.5 * z**2)
    projected = scores @ w
    expected = {
        "column_means": x.mean(0),
        "projection_totals": projected.sum(0),
        "largest_score": scores.max(),
        "mean_row_norm": np.linalg.norm(projected, axis=1).mean(),
    }
    results = example.run_all(["numpy"])["numpy"]
    for key, value in expected.items():
        assert_close(results[key], np.asarray(value), err_msg=key, check_0d=False)


def test_the_dask_run_is_one_lazy_graph(example: Any) -> None:
    da = pytest.importorskip("dask.array")
    from dask.callbacks import Callback

    x, w = example.example_data()
    started: list[Any] = []
    with Callback(start=started.append):
        lazy = example.summarize(xb.to_dask(x, chunks=(example.CHUNK_ROWS, x.shape[1])), w)
    assert not started
    assert all(isinstance(value, da.Array) for value in lazy.values())


def test_the_jax_run_is_traced_by_jit(example: Any) -> None:
    jax = pytest.importorskip("jax")
    x, w = example.example_data()
    # The whole function traces to one JAX program: xb dispatch works on tracers.
    traced = jax.make_jaxpr(example.summarize)(xb.to_jax(x), xb.to_jax(w))
    assert len(traced.out_avals) == len(example.KEYS)
    assert "exp" in str(traced)
    assert "dot_general" in str(traced)

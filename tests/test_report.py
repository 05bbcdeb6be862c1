"""``python -m xpbridge``: the environment report, run as users run it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import xpbridge as xb
from xpbridge._backends import BACKENDS
from xpbridge._report import render

_SRC = str(Path(xb.__file__).parent.parent)
#: The registered backends but NumPy (the one required library), and their import names.
_OPTIONAL = tuple(spec.name for spec in BACKENDS if spec.name != "numpy")
_IMPORTS = {spec.import_name for spec in BACKENDS if spec.name != "numpy"}

# Run before xpbridge is imported: make the optional libraries invisible, as if not installed
# (find_spec answers None, imports fail), so the report sees a NumPy-only environment.
_HIDE = textwrap.dedent(
    """
    import sys

    HIDDEN = {hidden!r}

    class Hide:
        def __init__(self, inner):
            self.inner = inner

        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in HIDDEN:
                return None
            return self.inner.find_spec(name, path, target)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    sys.meta_path[:] = [Hide(finder) for finder in sys.meta_path]
    """
)


def _run(
    *args: str, prelude: str = "", extra_path: str | None = None
) -> subprocess.CompletedProcess[str]:
    code = (
        prelude + "\nimport sys\nfrom xpbridge._report import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    path = [p for p in (extra_path, _SRC, os.environ.get("PYTHONPATH")) if p]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _usable() -> list[str]:
    """The backends that import here (the reference the report is checked against)."""
    found = []
    for name in xb.available_backends():
        try:
            xb.namespace(name)
        except xb.BackendNotAvailableError:
            continue
        found.append(name)
    return found


def test_help_describes_the_report_and_the_exit_status() -> None:
    done = _run("--help")
    assert done.returncode == 0, done.stderr
    assert "--json" in done.stdout
    assert "exit status" in done.stdout


def test_json_report_covers_every_installed_backend() -> None:
    done = _run("--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["xpbridge"] == xb.__version__
    assert report["problems"] == []

    usable = _usable()
    rows = {row["name"]: row for row in report["backends"]}
    assert set(rows) == {spec.name for spec in BACKENDS}
    for name in usable:
        assert rows[name]["installed"], name
        assert rows[name]["devices"], name
        assert "cpu" in rows[name]["devices"], name

    pairs = {(row["source"], row["target"]): row for row in report["conversions"]}
    assert set(pairs) == {(s, t) for s in usable for t in usable}
    for (source, target), row in pairs.items():
        assert row["median_us"] > 0, row
        # Converting to one's own library with no options is the identity.
        if source == target:
            assert row["zero_copy"], row
        # What was measured agrees with what was planned (None: lazy, not measurable).
        if row["verified"] is not None:
            assert row["verified"] == row["zero_copy"], row

    assert pairs["numpy", "numpy"]["verified"] is True
    if "torch" in usable:
        assert pairs["numpy", "torch"]["zero_copy"] is True
        demo = {step["code"]: step for step in report["demo"]}
        assert "grad_fn" in demo["y"]["result"]
        assert demo["t.grad"]["result"].startswith("tensor(")
        assert demo["xb.to_numpy(t)"]["raised"].startswith("GradientBreakError")


def test_numpy_only_environment() -> None:
    prelude = _HIDE.format(hidden=_IMPORTS)
    check = prelude + textwrap.dedent(
        """
        import importlib.util
        assert importlib.util.find_spec("torch") is None
        """
    )
    done = _run(prelude=check)
    assert done.returncode == 0, done.stdout + done.stderr
    text = done.stdout
    assert "| numpy | yes |" in text
    for name in _OPTIONAL:
        assert f"| {name} | no |" in text
    assert "| **numpy** | zero-copy" in text
    assert "torch.linspace" not in text  # no gradient demo without torch
    assert "None found." in text

    done = _run("--json", prelude=prelude)
    report = json.loads(done.stdout)
    assert [(r["source"], r["target"]) for r in report["conversions"]] == [("numpy", "numpy")]


def test_a_broken_backend_is_a_report_line(tmp_path: Path) -> None:
    # An installed torch whose import fails (a missing CUDA library, say).
    broken = tmp_path / "torch"
    broken.mkdir()
    (broken / "__init__.py").write_text(
        'raise OSError("libcudart.so.12: cannot open shared object file")\n'
    )
    prelude = _HIDE.format(hidden=_IMPORTS - {"torch"})
    done = _run(prelude=prelude, extra_path=str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    text = done.stdout
    torch_line = next(line for line in text.splitlines() if line.startswith("| torch |"))
    assert "libcudart" in torch_line
    problems = text.partition("## Problems")[2]
    assert "backend torch" in problems
    assert "libcudart" in problems
    # The rest of the report is still there.
    assert "| **numpy** | zero-copy" in text


def test_render_shows_errors_where_they_happened() -> None:
    report: dict[str, Any] = {
        "xpbridge": "0",
        "python": "3",
        "platform": "test",
        "backends": [
            {
                "name": "numpy",
                "installed": True,
                "version": "2",
                "devices": ["cpu"],
                "dlpack": "1.x",
            },
            {"name": "jax", "installed": True, "version": "1", "error": "ImportError: boom"},
        ],
        "conversions": [
            {"source": "numpy", "target": "numpy", "error": "ValueError: nope"},
        ],
        "demo": [
            {"code": "xb.sum(1)", "raised": "TypeError: bad"},
            {"error": "the demo section failed"},
        ],
        "problems": ["backend jax: ImportError: boom", "numpy -> numpy: ValueError: nope"],
    }
    text = render(report)
    assert "| jax | yes | 1 | ImportError: boom | - |" in text
    assert "| **numpy** | error |" in text
    assert "* numpy -> numpy: ValueError: nope" in text
    assert ">>> xb.sum(1)\nTypeError: bad" in text
    assert "# the demo section failed" in text
    assert "* backend jax: ImportError: boom" in text


def test_unknown_options_are_refused() -> None:
    done = _run("--bogus")
    assert done.returncode == 2
    assert "unrecognized arguments" in done.stderr

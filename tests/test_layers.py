"""xpbridge's modules form layers, each importing only from those below (docs/architecture.md).

Every import statement counts, at module level or inside a function (the optional libraries
are imported on use, and so are many of xpbridge's own modules). ``from . import x`` inside
a submodule counts as importing the package itself, the facade, which imports everything:
submodules write ``from ._x import name``. The import-linter contracts of pyproject.toml
check the layers; the graph below checks for cycles, by the rule above.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import xpbridge

PACKAGE = Path(xpbridge.__file__).parent
ROOT = PACKAGE.parent.parent
#: Modules above the facade, which use the public API as users do.
ABOVE_THE_FACADE = ("xpbridge.testing", "xpbridge._report", "xpbridge.__main__")
#: The conversion layer still imports the facade; its rewrite removes these edges (and the
#: ignore_imports lines of the import-linter contracts).


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The xpbridge modules that `path` (module `name`) imports anywhere in its code."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                stem = ".".join([*base, *([node.module] if node.module else [])])
            else:
                stem = node.module or ""
            # `from . import x` names the package itself, whatever x is.
            targets = [stem, *(f"{stem}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            module = target  # the deepest xpbridge module it names
            while module and module not in modules:
                module = module.rpartition(".")[0]
            if module and module != name:
                found.add(module)
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    return {name: _imports(path, name, set(paths)) for name, path in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_only_the_modules_above_it_import_the_facade() -> None:
    importers = {name for name, imported in _graph().items() if "xpbridge" in imported}
    allowed = {n for n in importers if n.startswith(ABOVE_THE_FACADE)}
    assert importers - allowed == set()


def test_the_cycle_check_counts_function_level_and_package_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .a import f\n")
    (package / "a.py").write_text("def f():\n    from . import b\n")
    (package / "b.py").write_text("")
    imports = _imports(package / "a.py", "pkg.a", {"pkg", "pkg.a", "pkg.b"})
    assert imports == {"pkg", "pkg.b"}
    assert _cycles({"pkg": {"pkg.a"}, "pkg.a": imports, "pkg.b": set()}) == [["pkg", "pkg.a"]]


@pytest.mark.skipif(importlib.util.find_spec("importlinter") is None, reason="no import-linter")
def test_import_linter_contracts_hold() -> None:
    """The contracts of pyproject.toml (``lint-imports``, as CI runs it)."""
    path = os.pathsep.join([str(PACKAGE.parent), os.environ.get("PYTHONPATH", "")])
    run = "import sys; from importlinter.cli import lint_imports as f; sys.exit(f(no_cache=True))"
    done = subprocess.run(
        [sys.executable, "-c", run],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


def test_modules_below_the_facade_get_the_public_functions_from_lazy() -> None:
    from xpbridge._lazy import dispatched, public_function

    assert public_function("take") is xpbridge.take is dispatched.take
    assert public_function("linalg.solve") is xpbridge.linalg.solve
    with pytest.raises(KeyError):
        public_function("no_such_function")
    with pytest.raises(AttributeError, match="no public function 'no_such_function'"):
        _ = dispatched.no_such_function


def test_generic_stubs_get_their_namespace_from_the_layer_above(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """_namespace hands its factory down when imported; without it, a clear error."""
    from xpbridge._backends import get_adapter
    from xpbridge._dispatch import REGISTRY, implementations

    assert implementations._generic_namespaces == [xpbridge.namespace]
    monkeypatch.setattr(implementations, "_generic_namespaces", [])
    fresh = implementations.Implementations(REGISTRY["outer"])
    with pytest.raises(RuntimeError, match="has not registered"):
        fresh.get(get_adapter("numpy"))

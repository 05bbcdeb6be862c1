"""Pages generated from the library's own registries, so the docs cannot drift from the code.

A page holds a marker such as ``<!-- generated: support-table -->``; at build time the
marker is replaced by the MyST Markdown that the generator named in ``conf.py``
(``xpbridge_generators``) returns. Two generators live here:

* :func:`support_table`: each declared function (the dispatch registry) against each
  backend, with its status read from the adapters and the deviations registry;
* :func:`api_reference`: autodoc entries for everything in ``__all__`` of ``xpbridge``,
  ``xpbridge.linalg``, ``xpbridge.fft``, ``xpbridge.random`` and ``xpbridge.testing``,
  grouped by what they are.

Generation imports a backend's library only if it is installed (``find_spec``); an
installed library that fails to import becomes a note in the table, not a failed build.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import types
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["api_reference", "module_headings_as_rubrics", "setup", "support_table"]

_MARKER = re.compile(r"<!--\s*generated:\s*([\w-]+)\s*-->")

# Titles of the declaration modules (``xpbridge._api.<module>``); others get a title from
# their module name, so a new category shows up without editing this file.
_CATEGORY_TITLES = {
    "creation": "Creation",
    "data_types": "Data types",
    "elementwise": "Element-wise functions",
    "manipulation": "Manipulation",
    "searching": "Searching, sorting and sets",
    "statistical": "Statistics and utilities",
    "linalg": "Linear algebra",
    "fft": "Fourier transforms",
    "numpy_spellings": "NumPy spellings",
}

# Sections of the API reference for objects that are not dispatched functions, by the
# private module that defines them.
_MODULE_SECTIONS = {
    "xpbridge._convert": "Conversions",
    "xpbridge._inspect": "Inspection",
    "xpbridge._config": "Settings",
    "xpbridge._grad": "Gradients",
    "xpbridge._at": "Gradients",
    "xpbridge._numpy_function": "Gradients",
    "xpbridge._namespace": "Namespaces and backends",
    "xpbridge._backends": "Namespaces and backends",
    "xpbridge._errors": "Errors",
    "xpbridge._dtypes": "Data types",
    "xpbridge._api.data_types": "Data types",
}
_SECTION_ORDER = [
    "Conversions",
    "Inspection",
    "Gradients",
    "Settings",
    "Namespaces and backends",
    "Errors",
    "Data types",
]


# ---------------------------------------------------------------------- support table


@dataclass
class _Column:
    """One backend of the support table, with its adapter if the library imports here."""

    name: str
    adapter: Any = None
    version: str | None = None
    problem: str | None = None


@dataclass
class _Notes:
    """Notes of one table: each distinct (backend, function, dtypes, reason) gets a number."""

    entries: list[str] = field(default_factory=list)

    def ref(self, backend: str, function: str, deviation: Any) -> str:
        if isinstance(deviation, str):
            text = f"{backend}, `{function}`: {deviation}."
        else:
            dtypes = f" ({', '.join(deviation.dtypes)})" if deviation.dtypes else ""
            text = f"{backend}, `{function}`{dtypes}: {deviation.reason}."
        if text not in self.entries:
            self.entries.append(text)
        return f"[{self.entries.index(text) + 1}]"

    def render(self) -> list[str]:
        return [f"{i}. {text}" for i, text in enumerate(self.entries, 1)]


def _columns() -> list[_Column]:
    from xpbridge._backends import BACKENDS, get_adapter

    # NumPy first (the reference), then the others in the registry's order.
    specs = sorted(BACKENDS, key=lambda spec: spec.name != "numpy")
    columns = []
    for spec in specs:
        column = _Column(spec.name)
        if importlib.util.find_spec(spec.import_name) is None:
            column.problem = "not installed where these docs were built"
        else:
            try:
                column.adapter = get_adapter(spec.name)
                column.version = column.adapter.version
            except Exception as exc:  # noqa: BLE001 - a broken install is a note, not a failed build
                column.problem = f"failed to import ({type(exc).__name__}: {exc})"
        columns.append(column)
    return columns


def _registry() -> dict[str, Any]:
    from xpbridge._namespace import _registry

    return dict(_registry())


def _category(function: Any) -> str:
    module: str = function.stub.__module__.rpartition(".")[2]
    return _CATEGORY_TITLES.get(module, module.replace("_", " ").capitalize())


def _public_name(path: str) -> str:
    return f"xpbridge.{path}"


def _cell(function: Any, column: _Column, notes: _Notes) -> str:
    """One cell, in the vocabulary of ``xpbridge.testing.support_table``: ✓, differs,
    partial, ✗ or ? (not checked), with ``[n]`` note references."""
    from xpbridge._deviations import registered

    entries = [d for d in registered() if d.backend == column.name and d.function == function.path]
    whole = [d for d in entries if d.kind == "unsupported" and not d.dtypes]
    if whole:
        return "✗ " + notes.ref(column.name, function.path, whole[0])
    if column.adapter is not None and not (
        function.generic
        or function.backend_path in column.adapter.overrides
        or column.adapter.implementation(function.backend_path) is not None
    ):
        reason = (
            f"{column.name}'s standard namespace has no {function.backend_path}; xpbridge "
            "raises UnsupportedOperationError"
        )
        return "✗ " + notes.ref(column.name, function.path, reason)
    refs = "".join(" " + notes.ref(column.name, function.path, d) for d in entries)
    if any(d.kind == "unsupported" for d in entries):
        return "partial" + refs
    if entries:
        return "differs" + refs
    return "✓" if column.adapter is not None else "?"


def _standard_names() -> dict[str, tuple[str, ...]]:
    from xpbridge import _standard

    return {
        "": _standard.FUNCTIONS,
        "linalg": _standard.LINALG,
        "fft": _standard.FFT,
    }


def support_table() -> str:
    """The namespace's functions against every backend, as MyST Markdown."""
    import xpbridge
    from xpbridge._deviations import registered

    columns = _columns()
    registry = _registry()
    lines = ["| backend | version checked | status |", "|---|---|---|"]
    for column in columns:
        state = column.problem or "checked against the installed library"
        lines.append(f"| {column.name} | {column.version or '-'} | {state} |")

    backend_wide = [d for d in registered() if d.function == "*"]
    if backend_wide:
        lines += ["", "Deviations that concern every function of a backend:", ""]
        for d in backend_wide:
            dtypes = f" ({', '.join(d.dtypes)})" if d.dtypes else ""
            lines.append(f"* **{d.backend}**{dtypes}: {d.reason}.")

    header = "| function | " + " | ".join(c.name for c in columns) + " |"
    rule = "|---" * (len(columns) + 1) + "|"
    by_category: dict[str, list[Any]] = {}
    for function in registry.values():
        by_category.setdefault(_category(function), []).append(function)
    order = list(_CATEGORY_TITLES.values())
    for category in sorted(
        by_category, key=lambda c: (order.index(c) if c in order else len(order), c)
    ):
        functions = by_category[category]
        notes = _Notes()
        lines += ["", f"### {category}", "", header, rule]
        for function in sorted(functions, key=lambda f: f.path):
            name = _public_name(function.path)
            cells = " | ".join(_cell(function, c, notes) for c in columns)
            lines.append(f"| {{py:func}}`{function.path} <{name}>` | {cells} |")
        if notes.entries:
            lines += ["", *notes.render()]

    from xpbridge._api.numpy_spellings import ALIASES

    aliases = ", ".join(f"`{alias}` ({target})" for alias, target in sorted(ALIASES.items()))
    lines += [
        "",
        "### Aliases and functions of xpbridge itself",
        "",
        "Aliases are the same function object as their standard name, with the same support: "
        + aliases
        + ".",
        "",
    ]
    own = [
        name
        for names in _standard_names().values()
        for name in names
        if name not in registry and hasattr(xpbridge, name)
    ]
    lines.append(
        "Implemented by xpbridge for every backend (no routing needed): "
        + ", ".join(f"`{name}`" for name in sorted(set(own)))
        + "."
    )
    missing = [
        f"{prefix}.{name}" if prefix else name
        for prefix, names in _standard_names().items()
        for name in names
        if (f"{prefix}.{name}" if prefix else name) not in registry
        and not hasattr(getattr(xpbridge, prefix) if prefix else xpbridge, name)
    ]
    if missing:
        lines += [
            "",
            "Not provided yet (names of the standard that xpbridge does not have): "
            + ", ".join(f"`{name}`" for name in missing)
            + ".",
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- API reference


def _directive(name: str, target: str, *options: str) -> list[str]:
    # autodoc writes reStructuredText, so its directives go in eval-rst blocks.
    return ["```{eval-rst}", f".. {name}:: {target}", *(f"   {o}" for o in options), "```", ""]


def _autosummary(targets: Iterable[str]) -> list[str]:
    return ["```{eval-rst}", ".. autosummary::", "", *(f"   {t}" for t in targets), "```", ""]


def _entry(qualified: str, obj: Any) -> list[str]:
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return _directive("autoexception", qualified)
    if isinstance(obj, type):
        return _directive("autoclass", qualified, ":members:")
    return _directive("autofunction", qualified)


def _resolve(module: types.ModuleType, name: str) -> tuple[Any, str | None]:
    try:
        return getattr(module, name), None
    except Exception as exc:  # noqa: BLE001 - a name in __all__ that does not resolve is a bug to show
        return None, f"{type(exc).__name__}: {exc}"


def _section_of(obj: Any, registry_paths: set[str], prefix: str, name: str) -> str:
    path = f"{prefix}.{name}" if prefix else name
    function = getattr(obj, "__xpbridge_function__", None)
    if function is not None or path in registry_paths:
        module = (function.stub if function is not None else obj).__module__
        return _CATEGORY_TITLES.get(module.rpartition(".")[2], "Functions")
    module = getattr(obj, "__module__", "") or ""
    return _MODULE_SECTIONS.get(module, "Other")


def _module_reference(
    module_name: str, warn: Callable[[str], None], heading: str = "##"
) -> list[str]:
    from xpbridge._dtypes import DType

    module = importlib.import_module(module_name)
    prefix = module_name.removeprefix("xpbridge").lstrip(".")
    registry_paths = set(_registry())
    lines = [f"{heading} `{module_name}`", ""]
    lines += _directive("automodule", module_name, ":no-members:")
    sections: dict[str, list[tuple[str, Any]]] = {}
    constants: list[tuple[str, Any]] = []
    submodules: list[str] = []
    for name in module.__all__:
        obj, problem = _resolve(module, name)
        if problem is not None:
            warn(f"{module_name}.__all__ lists {name!r}, which does not resolve ({problem})")
            continue
        if isinstance(obj, types.ModuleType):
            submodules.append(obj.__name__)
        elif isinstance(obj, DType) or not (callable(obj) or inspect.isclass(obj)):
            constants.append((name, obj))
        else:
            sections.setdefault(_section_of(obj, registry_paths, prefix, name), []).append(
                (name, obj)
            )
    order = _SECTION_ORDER + list(_CATEGORY_TITLES.values())
    for section in sorted(
        sections, key=lambda s: (order.index(s) if s in order else len(order), s)
    ):
        entries = sections[section]
        lines += [f"{heading}# {section}", ""]
        lines += _autosummary(name for name, _ in entries)  # relative to automodule
        for name, obj in entries:
            lines += _entry(f"{module_name}.{name}", obj)
    if constants:
        lines += [f"{heading}# Constants", "", "| name | value |", "|---|---|"]
        lines += [f"| `{module_name}.{name}` | `{value!r}` |" for name, value in constants]
        lines.append("")
    for submodule in submodules:
        if submodule.count(".") == 1 and submodule in _SUBMODULES:
            continue  # documented in its own top-level section
        lines += _directive("automodule", submodule, ":members:")
    return lines


_SUBMODULES = ("xpbridge.linalg", "xpbridge.fft", "xpbridge.random", "xpbridge.testing")


def api_reference(warn: Callable[[str], None] | None = None) -> str:
    """Autodoc entries for the public API, grouped by section, as MyST Markdown."""
    warn = warn or (lambda message: None)
    lines = _module_reference("xpbridge", warn)
    for name in _SUBMODULES:
        if importlib.util.find_spec(name) is None:
            warn(f"{name} is missing: the API reference lists it")
            continue
        lines += _module_reference(name, warn)
    if importlib.util.find_spec("xpbridge.testing.plugin") is not None:
        lines += ["### The pytest plugin", ""]
        lines += _directive("automodule", "xpbridge.testing.plugin", ":members:")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- Sphinx glue


def _generator(spec: str) -> Callable[..., str]:
    module_name, _, attr = spec.partition(":")
    function: Callable[..., str] = getattr(importlib.import_module(module_name), attr)
    return function


_UNDERLINE = re.compile(r"^([-=~^])\1{2,}\s*$")


def module_headings_as_rubrics(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Turn the section titles of module docstrings into rubrics.

    numpydoc does this for functions and classes but leaves modules alone; sections from
    several module docstrings on one page would collide ("Examples" twice).
    """
    if what != "module":
        return
    for i in range(len(lines) - 1):
        title, underline = lines[i].strip(), lines[i + 1]
        if title and _UNDERLINE.match(underline) and len(underline.strip()) >= len(title):
            lines[i] = f".. rubric:: {title}"
            lines[i + 1] = ""


def setup(app: Any) -> dict[str, Any]:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    app.add_config_value("xpbridge_generators", {}, "env")
    cache: dict[str, str] = {}

    def fill(app: Any, docname: str, source: list[str]) -> None:
        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            spec = app.config.xpbridge_generators.get(key)
            if spec is None:
                logger.warning("%s: no generator configured for %r", docname, key)
                return match.group(0)
            if key not in cache:
                generator = _generator(spec)
                parameters = inspect.signature(generator).parameters
                kwargs = {"warn": lambda m: logger.warning("%s: %s", docname, m)}
                cache[key] = generator(**{k: v for k, v in kwargs.items() if k in parameters})
            return cache[key]

        source[0] = _MARKER.sub(replace, source[0])

    app.connect("source-read", fill)
    app.connect("autodoc-process-docstring", module_headings_as_rubrics)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx configuration: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.

Pages are MyST Markdown; the API reference is autodoc + numpydoc; the namespace support
table and the API reference's function lists are generated from the library's registries
at build time (``_ext/xpbridge_docs.py``), so they cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).parent
# Document the checkout's code even if another copy of xpbridge is installed.
sys.path.insert(0, str(_HERE.parent / "src"))
sys.path.insert(0, str(_HERE / "_ext"))

import xpbridge  # noqa: E402

project = "xpbridge"
author = "The xpbridge developers"
copyright = "the xpbridge developers"
release = xpbridge.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "xpbridge_docs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "conftest.py", "README.md"]
templates_path: list[str] = []

# MyST: ```{directive} fences, $...$ maths off, heading anchors for cross-page links.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc / numpydoc
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Generated content: marker -> "module:function" returning MyST Markdown (a generator may
# take a `warn` callback). Ours groups the support table by category and links each function
# to its API entry; "xpbridge.testing:support_table" writes one table in the same cell
# vocabulary (the legend in namespace.md fits both), so switching is this one line.
xpbridge_generators = {
    "support-table": "xpbridge_docs:support_table",
    "api-reference": "xpbridge_docs:api_reference",
}

html_theme = "furo"
html_title = f"xpbridge {release}"
html_static_path: list[str] = []

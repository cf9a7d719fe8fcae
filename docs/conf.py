"""Sphinx configuration for the myframework documentation.

Build with ``python3 -m sphinx -W -b html docs docs/_build/html`` from the
repository root. Only built-in extensions and the default theme are used, and
nothing is fetched from the network.
"""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)

import myframework  # noqa: E402  (needs the sys.path entry above)

project = "myframework"
author = "myframework maintainers"
copyright = "myframework maintainers"
release = myframework.__version__
version = ".".join(release.split(".")[:2])

# The code's docstrings are reStructuredText, so sphinx.ext.napoleon is not
# used: it would read "Registered routes: path -> ..." as a Google-style type.
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
]

# No intersphinx_mapping: the docs are built without network access.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

root_doc = "index"
exclude_patterns = ["_build"]
templates_path: list[str] = []

html_theme = "alabaster"
html_static_path: list[str] = []
html_title = "myframework %s" % release

autodoc_member_order = "bysource"
autodoc_typehints = "signature"

pygments_style = "sphinx"

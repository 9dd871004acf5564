"""Sphinx configuration for deeptda's documentation (built with -W: warnings fail the build)."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("DEEPTDA_FAST", "1")  # notebooks execute on small settings

project = "deeptda"
author = "The deeptda developers"
copyright = "2026, The deeptda developers"

import deeptda  # noqa: E402

release = version = deeptda.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "tables"]
autosummary_generate = ["api.rst"]
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
myst_heading_anchors = 3
html_theme = "alabaster"
suppress_warnings = ["mystnb.unknown_mime_type"]

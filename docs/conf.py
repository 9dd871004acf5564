"""Sphinx configuration for deeptda's documentation (built with -W: warnings fail the build)."""

import glob
import os
import shutil
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
# The notebooks execute once: the test suite writes its executed copies to
# DEEPTDA_EXECUTED_NOTEBOOKS (as CI does) and they are shown as they are; without
# fresh copies the build executes the notebooks itself. Either way docs/notebooks/
# is filled here (it is generated, not tracked).
_here = os.path.dirname(os.path.abspath(__file__))
_sources = sorted(glob.glob(os.path.join(_here, "..", "notebooks", "*.ipynb")))
_executed = os.environ.get("DEEPTDA_EXECUTED_NOTEBOOKS", "")
_fresh = bool(_executed) and all(
    os.path.exists(os.path.join(_executed, os.path.basename(p)))
    and os.path.getmtime(os.path.join(_executed, os.path.basename(p))) >= os.path.getmtime(p)
    for p in _sources
)
_target = os.path.join(_here, "notebooks")
if os.path.islink(_target):
    os.remove(_target)
os.makedirs(_target, exist_ok=True)
for _p in _sources:
    shutil.copyfile(os.path.join(_executed, os.path.basename(_p)) if _fresh else _p,
                    os.path.join(_target, os.path.basename(_p)))
nb_execution_mode = "off" if _fresh else "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
myst_heading_anchors = 3
html_theme = "alabaster"
suppress_warnings = ["mystnb.unknown_mime_type"]

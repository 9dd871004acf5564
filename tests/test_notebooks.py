"""Execute every notebook, on small settings (DEEPTDA_FAST=1), as a user would run it.

With ``DEEPTDA_EXECUTED_NOTEBOOKS=<folder>`` the executed notebooks are also written
there, and the documentation build shows them instead of executing them again.
"""

import os
import pathlib

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_four_notebooks():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("DEEPTDA_FAST", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline, as in Jupyter
    book = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in book.cells if cell.cell_type == "code"), (
        f"{path.name} is committed with outputs; clear them"
    )
    NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    images = sum(
        "image/png" in out.get("data", {})
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    assert images >= 1
    folder = os.environ.get("DEEPTDA_EXECUTED_NOTEBOOKS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        tmp = pathlib.Path(folder) / f".{path.name}.tmp"
        nbformat.write(book, tmp)
        os.replace(tmp, pathlib.Path(folder) / path.name)

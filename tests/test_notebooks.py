"""The notebooks run top to bottom, headless, without errors (and are saved without outputs)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import require_data

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["01_explore_topics.ipynb", "02_tag_and_explain.ipynb", "03_evaluate.ipynb"]
NEEDS_BBC = "03_evaluate.ipynb"


def test_all_notebooks_are_tested():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_saved_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{name}: clear the outputs before committing"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICS_ARTIFACTS", str(tmp_path))  # nothing lands in ./artifacts
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if name == NEEDS_BBC:  # evaluates on the shared BBC corpus: without it the notebook does nothing
        monkeypatch.setenv("TOPICS_DATA", str(require_data("bbc").parent))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    started = time.perf_counter()
    # Runs from notebooks/, as Jupyter would; any cell error raises CellExecutionError.
    nbclient.NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    if name == NEEDS_BBC:  # it did evaluate: the split, the trained model and the per-theme table
        text = "\n".join(
            o.get("text", "") or str(o.get("data", {}).get("text/plain", ""))
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
        )
        assert "held-out articles, 5 categories" in text and "precision" in text
    assert time.perf_counter() - started < 120

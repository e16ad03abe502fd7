"""notebooks/explore.ipynb: its shape (one parameters cell, no outputs, the explorer widget last)
and, on a synthetic run, that it executes and displays the app."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import support.explorer as ws
from workbench import explorer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return ws.write_run(tmp_path_factory.mktemp("wrun") / "synth", n_schools=600)


def test_explore_notebook_shape():
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == {"name": "python3", "display_name": "Python 3",
                                         "language": "python"}
    assert "ШНОР" in nb.metadata["title"]
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'params_path = "../params/demo.yaml"' in tagged[0].source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert "explorer_widget" in nb.cells[-1].source


@pytest.mark.slow
def test_explore_notebook_executes_and_displays_the_app(run_dir, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv(explorer.RUN_DIR_ENV, str(run_dir))
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    out = nb.cells[-1].outputs
    assert out and "application/vnd.jupyter.widget-view+json" in out[0]["data"]
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))

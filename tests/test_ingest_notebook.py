"""The 01_ingest notebook executes on a small demo (its shape: test_setup_files)."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NB = Path(__file__).resolve().parents[1] / "notebooks" / "01_ingest.ipynb"


@pytest.mark.slow
def test_notebook_executes(tmp_path):
    import papermill

    from workbench import demo

    (tmp_path / "params").mkdir()
    demo.write_demo(tmp_path / "data" / "demo", tmp_path / "params" / "demo.yaml", n_schools=60,
                    seed=3)
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NB), str(out), parameters={
        "params_path": str(tmp_path / "params" / "demo.yaml"), "run_dir": str(tmp_path / "run")},
        kernel_name="python3", cwd=str(NB.parent))
    nb = nbformat.read(out, as_version=4)
    text = "".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get("text/markdown", ""))
                   for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert text.count("Plotly.newPlot") == 2
    assert "Проблем в исходных данных не найдено" in text and "Муниципалитет" in text
    assert (tmp_path / "run" / "data_quality.html").exists()
    assert (tmp_path / "outputs" / "store.duckdb").exists()

"""The 02_identify notebook executes on a small demo (its shape: test_setup_files)."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NB = Path(__file__).resolve().parents[1] / "notebooks" / "02_identify.ipynb"


@pytest.mark.slow
def test_notebook_executes(tmp_path):
    import papermill

    from workbench import demo, pipeline
    from workbench.config import parse_params

    params_path = tmp_path / "params.yaml"
    params_path.write_text("inputs:\n  schools: {path: x.csv}\n", encoding="utf-8")
    region = demo.generate_region(n_schools=120, seed=5)
    ctx = pipeline.RunContext(parse_params({"inputs": {"schools": {"path": "x.csv"}}}), tmp_path / "run")
    for name in ("schools", "context", "results"):
        ctx.write_canonical(name, region.tables[name])
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NB), str(out), parameters={
        "params_path": str(params_path), "run_dir": str(tmp_path / "run")}, kernel_name="python3",
        cwd=str(NB.parent))
    nb = nbformat.read(out, as_version=4)
    text = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                   if c.cell_type == "code" for o in c.get("outputs", []))
    assert text.count("Plotly.newPlot") >= 3  # funnel, social index, municipalities
    assert "Число школ по категориям и годам" in text and "Изменения списка ШНОР" in text
    assert (tmp_path / "run" / "lists.xlsx").exists()

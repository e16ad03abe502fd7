"""The 02_identify notebook: valid, no outputs, one parameters cell; executes on a small demo."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NB = Path(__file__).resolve().parents[1] / "notebooks" / "02_identify.ipynb"


def test_notebook_shape():
    nb = nbformat.read(NB, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == {"name": "python3", "display_name": "Python 3",
                                         "language": "python"}
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert tagged[0].source == 'params_path = "../params/demo.yaml"\nrun_dir = ""'
    for c in nb.cells:
        if c.cell_type == "code":
            assert not c.get("outputs") and c.get("execution_count") is None
    assert "identify.stage(ctx)" in nb.cells[2].source


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

"""monitoring.stage(ctx) on the demo region, and the 04_monitoring notebook (slow)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from workbench import monitoring as mon
from workbench.config import parse_params
from workbench.pipeline import RunContext

demo = pytest.importorskip("workbench.demo")
identify = pytest.importorskip("workbench.identify")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_monitoring.ipynb"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A run folder with the demo's canonical tables, identification and clusters (the demo's
    context types stand in for the clusters)."""
    root = tmp_path_factory.mktemp("mon_stage")
    (root / "params").mkdir()
    (root / "params" / "p.yaml").write_text("inputs:\n  schools: {path: none.csv}\n", encoding="utf-8")
    region = demo.generate_region(300, seed=7, programme_effect=0.25)
    run = root / "run"
    ctx = RunContext(parse_params({"inputs": {"schools": {"path": "none.csv"}}}), run)
    for name in ("schools", "context", "results", "monitoring", "programme"):
        ctx.write_canonical(name, region.tables[name])
    t = region.tables
    idn, _, _ = identify.identify(t["results"], t["context"], t["schools"], identify.IdentifyParams())
    ctx.write_table("identification", idn)
    years = sorted(idn["year"].unique())
    cl = region.truth[["school_id", "context_type"]].rename(columns={"context_type": "cluster"})
    clusters = pd.concat([cl.assign(year=y) for y in years])[["school_id", "year", "cluster"]]
    ctx.write_table("clusters", clusters)
    return run


def test_stage_writes_tables(run_dir):
    ctx = RunContext(parse_params({"inputs": {"schools": {"path": "none.csv"}}}), run_dir)
    out = mon.stage(ctx)
    for name in ("dynamics", "effectiveness", "monitoring_completeness", "exits"):
        assert (run_dir / "tables" / f"{name}.csv").exists()
        assert (run_dir / "tables" / f"{name}.parquet").exists()
    dyn = pd.read_parquet(run_dir / "tables" / "dynamics.parquet")
    for c in ["school_id", "year", "domain", "indicator", "entry", "intermediate", "final", "change",
              "peer_change", "trend", "trend_ru", "higher_is_better", "n"]:
        assert c in dyn.columns
    # peers from clusters when the cluster has other monitored schools
    assert (dyn["peer_group"] == "школы кластера").any()
    eff = pd.read_parquet(run_dir / "tables" / "effectiveness.parquet")
    for c in ["year", "domain", "indicator", "effect", "ci_low", "ci_high", "n_treated", "n_control",
              "estimate", "conclusion"]:
        assert c in eff.columns
    assert {"DiD", "placebo DiD", "до/после участников"} <= set(eff["estimate"])
    comp = pd.read_parquet(run_dir / "tables" / "monitoring_completeness.parquet")
    assert list(comp.columns[:6]) == ["school_id", "year", "municipality", "domain", "domain_ru", "wave"]
    assert comp["present"].dtype == bool
    assert isinstance(out["conclusion"], str) and out["conclusion"].startswith("Участники")
    assert out["fig_effect"] is not None and out["fig_trajectories"] is not None
    assert out["fig_slope"]["results"] is not None
    # deterministic: a second run writes identical tables
    first = {n: (run_dir / "tables" / f"{n}.csv").read_bytes() for n in
             ("dynamics", "effectiveness", "monitoring_completeness", "exits")}
    mon.stage(RunContext(parse_params({"inputs": {"schools": {"path": "none.csv"}}}), run_dir))
    for n, b in first.items():
        assert (run_dir / "tables" / f"{n}.csv").read_bytes() == b, n


def test_stage_without_identification_or_monitoring(tmp_path):
    ctx = RunContext(parse_params({"inputs": {"schools": {"path": "none.csv"}}}), tmp_path)
    ctx.write_canonical("schools", pd.DataFrame({"school_id": ["1"], "school_name": ["Школа"],
                                                 "municipality": ["М"]}))
    out = mon.stage(ctx)
    assert out["conclusion"].startswith("Оценить эффект программы нельзя")
    for name in ("dynamics", "effectiveness", "monitoring_completeness", "exits"):
        assert (tmp_path / "tables" / f"{name}.csv").exists()
    notes = (tmp_path / ".meta" / "notes.json").read_text(encoding="utf-8")
    assert "нет таблицы identification" in notes


@pytest.mark.slow
def test_notebook_executes_offline(run_dir, tmp_path):
    import papermill as pm

    from workbench.pipeline import export_html

    out = tmp_path / "04_monitoring.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                        parameters={"params_path": str(run_dir.parent / "params" / "p.yaml"),
                                    "run_dir": str(run_dir)}, cwd=str(NOTEBOOK.parent))
    html = export_html(out).read_text(encoding="utf-8")
    assert "Эффект программы" in html and "Плацебо" in html
    # nothing loaded from the internet (plotly.js is inline; its bundle only names a topojson URL)
    assert not re.search(r"<script[^>]*src=[\"']https?://", html)
    assert not re.search(r"<link[^>]*href=[\"']https?://", html)
    assert "Plotly.newPlot" in html
    assert "Участники" in html  # the generated conclusion

"""clusters.stage on a RunContext (identify before it), the contract tables, and the 03 notebook."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

NB = Path(__file__).resolve().parents[1] / "notebooks" / "03_clusters.ipynb"


def _ctx(tmp_path, n=150, seed=5):
    from workbench import demo, pipeline
    from workbench.config import parse_params

    region = demo.generate_region(n_schools=n, seed=seed)
    ctx = pipeline.RunContext(parse_params({"inputs": {"schools": {"path": "x.csv"}}}), tmp_path / "run")
    for name in ("schools", "context", "results"):
        ctx.write_canonical(name, region.tables[name])
    return ctx


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    pytest.importorskip("workbench.demo")
    from workbench import clusters, identify

    ctx = _ctx(tmp_path_factory.mktemp("stage"))
    identify.stage(ctx)
    out = clusters.stage(ctx)
    return ctx, out


def test_stage_writes_contract_tables(staged):
    ctx, out = staged
    cl = pd.read_csv(ctx.run_dir / "tables" / "clusters.csv", dtype={"school_id": str})
    assert list(cl.columns) == ["school_id", "year", "cluster", "cluster_name",
                                "similar_schools_percentile", "regional_percentile"]
    assert cl[["school_id", "year"]].equals(cl[["school_id", "year"]].sort_values(["school_id", "year"])
                                            .reset_index(drop=True))
    assert cl["similar_schools_percentile"].between(0, 100).all()
    prof = ctx.table("cluster_profiles")
    for col in ("cluster", "cluster_name", "n_schools", "share_low_income", "stability", "year"):
        assert col in prof.columns
    assert prof.groupby("year")["n_schools"].sum().eq(cl.groupby("year").size()).all()
    pr = ctx.table("partners")
    for col in ("school_id", "partner_id", "rank", "score", "assigned", "distance_km",
                "same_municipality", "reasons"):
        assert col in pr.columns
    ident = ctx.table("identification")
    latest = ident[ident["year"] == ident["year"].max()]
    assert set(pr["school_id"]) <= set(latest.loc[latest["low_results"].astype(bool), "school_id"])
    assert (pr["partner_result_index"] > pr["result_index"]).all()
    a = pr[pr["assigned"]]
    assert a["partner_id"].value_counts().max() <= ctx.params.partners.capacity
    # what the notebook shows
    for key in ("fig_k", "fig_heatmap", "fig_pca", "fig_results", "fig_pairs"):
        assert out[key] is not None, key
    assert list(out["pairs_table"].columns)[:2] == ["Муниципалитет", "Код ОО"]
    notes = (ctx.run_dir / ".meta" / "notes.json").read_text(encoding="utf-8")
    assert "Кластеры: пропуски заменены медианой года" in notes


def test_stage_twice_gives_identical_tables(staged, tmp_path):
    from workbench import clusters

    ctx, _ = staged
    before = {n: ctx.table(n) for n in ("clusters", "cluster_profiles", "partners")}
    clusters.stage(ctx)
    for n, df in before.items():
        pd.testing.assert_frame_equal(df, pd.read_parquet(ctx.run_dir / "tables" / f"{n}.parquet"))


@pytest.mark.slow
def test_notebook_executes(tmp_path):
    import papermill

    from workbench import identify

    ctx = _ctx(tmp_path, n=120)
    identify.stage(ctx)
    params_path = tmp_path / "params.yaml"
    params_path.write_text("inputs:\n  schools: {path: x.csv}\n", encoding="utf-8")
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NB), str(out), parameters={
        "params_path": str(params_path), "run_dir": str(ctx.run_dir)}, kernel_name="python3",
        cwd=str(NB.parent))
    nb = nbformat.read(out, as_version=4)
    text = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                   if c.cell_type == "code" for o in c.get("outputs", []))
    assert text.count("Plotly.newPlot") >= 6
    assert "Кластеры текущего года" in text and "Назначенные пары" in text
    assert (ctx.run_dir / "tables" / "partners.csv").exists()


def test_stage_without_context_writes_empty_tables_and_note(tmp_path):
    pytest.importorskip("workbench.demo")
    from workbench import clusters, demo, pipeline
    from workbench.config import parse_params

    region = demo.generate_region(n_schools=60, seed=1)
    ctx = pipeline.RunContext(parse_params({"inputs": {"schools": {"path": "x.csv"}}}), tmp_path / "run")
    ctx.write_canonical("schools", region.tables["schools"])
    out = clusters.stage(ctx)
    assert out["fig_k"] is None and "нет данных о контексте" in out["notes"][0]
    assert list(ctx.table("clusters").columns)[:4] == ["school_id", "year", "cluster", "cluster_name"]
    assert len(ctx.table("partners")) == 0

"""clusters.run on a RunContext (identify before it): the contract tables, reruns, no context."""
from __future__ import annotations

import pandas as pd
import pytest
from support.clusters import stage_context

from workbench import clusters, demo
from workbench.config import parse_params
from workbench.context import RunContext
from workbench.pipeline import run_stage_inprocess


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    ctx = stage_context(tmp_path_factory.mktemp("stage"))
    run_stage_inprocess("identify", ctx)
    out = clusters.run(ctx)
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
    ctx, _ = staged
    before = {n: ctx.table(n) for n in ("clusters", "cluster_profiles", "partners")}
    clusters.run(ctx)
    for n, df in before.items():
        pd.testing.assert_frame_equal(df, pd.read_parquet(ctx.run_dir / "tables" / f"{n}.parquet"))


def test_stage_without_context_writes_empty_tables_and_note(tmp_path):
    region = demo.generate_region(n_schools=60, seed=1)
    ctx = RunContext(parse_params({"inputs": {"schools": {"path": "x.csv"}}}), tmp_path / "run")
    ctx.write_canonical("schools", region.tables["schools"])
    out = clusters.run(ctx)
    assert out["fig_k"] is None and "нет данных о контексте" in out["notes"][0]
    assert list(ctx.table("clusters").columns)[:4] == ["school_id", "year", "cluster", "cluster_name"]
    assert len(ctx.table("partners")) == 0

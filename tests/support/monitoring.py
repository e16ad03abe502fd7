"""A run folder ready for the monitoring stage (its stage test and its notebook test)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench import demo, identify
from workbench.config import parse_params
from workbench.config.identify import IdentifyParams
from workbench.context import RunContext

PARAMS = {"inputs": {"schools": {"path": "none.csv"}}}


def monitoring_run(root: Path) -> Path:
    """root/run with a 300-school demo region's canonical tables (seed 7, effect 0.25), its
    identification and clusters (the demo's context types stand in for the clusters), and
    root/params/p.yaml. Returns the run folder."""
    (root / "params").mkdir()
    (root / "params" / "p.yaml").write_text("inputs:\n  schools: {path: none.csv}\n", encoding="utf-8")
    region = demo.generate_region(300, seed=7, programme_effect=0.25)
    run = root / "run"
    ctx = RunContext(parse_params(PARAMS), run)
    for name in ("schools", "context", "results", "monitoring", "programme"):
        ctx.write_canonical(name, region.tables[name])
    t = region.tables
    idn, _, _ = identify.identify(t["results"], t["context"], t["schools"], IdentifyParams())
    ctx.write_table("identification", idn)
    years = sorted(idn["year"].unique())
    cl = region.truth[["school_id", "context_type"]].rename(columns={"context_type": "cluster"})
    clusters = pd.concat([cl.assign(year=y) for y in years])[["school_id", "year", "cluster"]]
    ctx.write_table("clusters", clusters)
    return run


def true_index_effect(idn_effect: pd.DataFrame, idn_null: pd.DataFrame, cohort: list[str],
                      never: list[str], base_year: int, years: list[int]) -> float:
    """The true effect, in result-index units, of a DiD from base_year to the mean of `years`:
    two regions from the same seed that differ only in the planted effect (the demo generator
    is a controlled comparison) give per school Δ = index with − index without the effect; the
    truth is mean over the cohort of (Δ_years − Δ_base) minus the same over never-participants."""
    w = {k: v.assign(school_id=v["school_id"].astype(str)).pivot(
        index="school_id", columns="year", values="result_index") for k, v in
        (("e", idn_effect), ("0", idn_null))}
    delta = w["e"] - w["0"].reindex_like(w["e"])
    d = delta[years].mean(axis=1) - delta[base_year]
    return float(d.reindex(cohort).mean() - d.reindex(never).mean())

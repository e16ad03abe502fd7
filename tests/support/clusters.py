"""Synthetic regions for the clusters tests: well separated context types (`blobs`), a region
with an identification-like table for the partner search (`region`, `run_partners`), and a
RunContext with a small demo region (`stage_context`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import demo
from workbench.clusters import cluster_schools, find_partners
from workbench.config import parse_params
from workbench.config.clusters import ClustersParams, PartnersParams
from workbench.context import RunContext

FEATS = ["share_low_income", "share_parents_no_higher_ed", "teacher_vacancy_rate", "internet_mbps",
         "distance_km", "is_rural"]
# four well separated context types: (low income, no higher ed, vacancies, Mbps, km, rural)
TYPES = np.array([
    [0.45, 0.85, 0.20, 5.0, 60.0, 1.0],
    [0.30, 0.70, 0.10, 20.0, 25.0, 1.0],
    [0.18, 0.50, 0.05, 80.0, 5.0, 0.0],
    [0.06, 0.25, 0.02, 200.0, 2.0, 0.0],
])


def blobs(n: int = 400, years=(2023, 2024, 2025), seed: int = 0, sd: float = 0.06):
    """Context of n schools of 4 types (multiplicative noise), with the true type."""
    rng = np.random.default_rng(seed)
    types = np.arange(n) % 4
    base = TYPES[types] * np.exp(sd * rng.standard_normal((n, len(FEATS))))
    base[:, 5] = TYPES[types, 5]
    rows = []
    for y in years:
        v = base * np.exp(0.01 * rng.standard_normal(base.shape))
        v[:, 5] = base[:, 5]
        df = pd.DataFrame(v, columns=FEATS)
        df.insert(0, "year", y)
        df.insert(0, "school_id", [f"S{i:04d}" for i in range(n)])
        df["n_students"] = np.where(types < 2, 60.0, 700.0) * np.exp(0.2 * rng.standard_normal(n))
        rows.append(df)
    return pd.concat(rows, ignore_index=True), types


def region(n: int = 300, seed: int = 1, coords: bool = True):
    """Context of 3 types, identification-like table (current year 2025) and schools."""
    rng = np.random.default_rng(seed)
    types = np.arange(n) % 3
    prof = np.array([[0.45, 0.8, 8.0, 40.0, 1.0], [0.25, 0.6, 40.0, 12.0, 1.0], [0.08, 0.3, 150.0, 2.0, 0.0]])
    feats = ["share_low_income", "share_parents_no_higher_ed", "internet_mbps", "distance_km", "is_rural"]
    v = prof[types] * np.exp(0.1 * rng.standard_normal((n, 5)))
    v[:, 4] = prof[types, 4]
    ids = [f"S{i:04d}" for i in range(n)]
    ctx = pd.DataFrame(v, columns=feats)
    ctx.insert(0, "year", 2025)
    ctx.insert(0, "school_id", ids)
    ri = 0.6 * (types - 1) + rng.standard_normal(n)
    low = ri < np.quantile(ri, 0.12)
    high = ri > np.quantile(ri, 0.85)
    cat = np.where(low, "low_results", np.where(high, "high_performing", "typical"))
    ident = pd.DataFrame({"school_id": ids, "year": 2025, "result_index": ri, "low_results": low,
                          "category": cat, "social_index": -(types - 1.0)})
    mun = rng.integers(0, 8, n)
    schools = pd.DataFrame({"school_id": ids, "school_name": [f"Школа № {i}" for i in range(n)],
                            "municipality": [f"Муниципалитет {m}" for m in mun]})
    if coords:
        schools["latitude"] = 56 + mun * 0.3 + rng.normal(0, 0.1, n)
        schools["longitude"] = 40 + mun * 0.2 + rng.normal(0, 0.1, n)
    return ctx, ident, schools


def run_partners(coords=True, **kw):
    """`region()` clustered with k = 3 and paired: (PartnersResult, ClusterResult, ident, schools)."""
    ctx, ident, schools = region(coords=coords)
    cl = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=3), identification=ident, schools=schools)
    return find_partners(ident, cl, schools, PartnersParams(**kw)), cl, ident, schools


def stage_context(tmp_path, n=150, seed=5):
    """A RunContext with the schools, context and results of a small demo region."""
    reg = demo.generate_region(n_schools=n, seed=seed)
    ctx = RunContext(parse_params({"inputs": {"schools": {"path": "x.csv"}}}), tmp_path / "run")
    for name in ("schools", "context", "results"):
        ctx.write_canonical(name, reg.tables[name])
    return ctx

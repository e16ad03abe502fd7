"""Resource (partner) schools judged over many demo seeds (issue 16 item 1).

    .venv/bin/python benchmarks/bench_partners.py                 # 20 seeds × 600 schools, 2 processes
    .venv/bin/python benchmarks/bench_partners.py --seeds 3       # a quick look while iterating

Per seed the demo region is written as its regional-export-like files into a temporary folder
(`workbench.demo.write_demo`, results as CSV) and the stages ingest → identify → clusters run
in-process on it with the params file the demo writes (default params, no notebooks). From the
`partners` table (the pairing year Y = the latest year) and `identification` the benchmark takes
the assigned pairs — agreed (recorded agreements and `programme.partner_school_id`, kept as they
are) and proposed (the optimiser's) — and counts for their partner schools:

- below the regional mean: the partner's pooled level `quality_index` of Y (the level the
  resource criterion judges) below the mean of the ranked schools of Y (insufficient data left
  out), and the same with the year's own `result_index`;
- interval above the mean: `quality_ci_low` of Y above that mean;
- flagged for non-objective ВПР (`objectivity_flag`) in Y − 1 or Y;
- itself listed (ШНОР, ШНОР в НСУ) or on the watch list in Y − 2 … Y;
- a planted inflated-ВПР school of the ground truth (`truth.inflated_vpr`);
- distance (median, max km) and the share in the same municipality;
and the listed schools of Y left without an assigned partner (with candidates but no free
capacity, or without any candidate). Results: benchmarks/results/partners.json and partners.md
(the numbers of docs/partners_method.md).
"""
from __future__ import annotations

import argparse
import json
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
LISTED = ("low_results", "low_results_adverse", "watch")
BASES = ("proposed", "agreed")


def run_region(seed: int, n_schools: int, workdir: Path) -> dict[str, pd.DataFrame]:
    """The demo region of `seed` through ingest → identify → clusters: partners, identification,
    schools and the ground truth."""
    from workbench.config import load_params
    from workbench.context import RunContext
    from workbench.demo import write_demo
    from workbench.pipeline import run_stage_inprocess

    write_demo(workdir / "data", workdir / "params.yaml", n_schools=n_schools, seed=seed,
               results_format="csv")
    ctx = RunContext(load_params(workdir / "params.yaml"), workdir / "run",
                     outputs_root=workdir / "outputs")
    for stage in ("ingest", "identify", "clusters"):
        run_stage_inprocess(stage, ctx)
    truth = pd.read_csv(workdir / "data" / "ground_truth.csv", dtype={"school_id": str})
    return {"partners": ctx.table("partners"), "identification": ctx.table("identification"),
            "schools": ctx.table("schools"), "truth": truth}


def _ids(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    return df.assign(**{c: df[c].astype(str) for c in cols})


def _flagged(v: object) -> bool:
    return bool(v) if v is not None and v == v else False


def partner_rows(t: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per assigned pair with the partner's properties (module docstring); and the
    region's counts (year, regional means, listed schools and those without a partner)."""
    idn = _ids(t["identification"], "school_id")
    idn["year"] = pd.to_numeric(idn["year"]).astype(int)
    year = int(idn["year"].max())
    iy = idn[idn["year"] == year].set_index("school_id")
    ranked = iy["quality_index"].notna() & ~iy["insufficient_data"].map(_flagged)
    mean_q = float(iy.loc[ranked, "quality_index"].mean())
    mean_r = float(iy.loc[ranked & iy["result_index"].notna(), "result_index"].mean())
    recent = idn[idn["year"] >= year - 2]
    was_listed = set(recent.loc[recent["category"].astype(str).isin(LISTED)
                                | recent["low_results"].map(_flagged)
                                | recent["watch"].map(_flagged), "school_id"])
    last2 = idn[idn["year"] >= year - 1]
    flagged = set(last2.loc[last2["objectivity_flag"].map(_flagged), "school_id"])
    inflated = set(t["truth"].loc[t["truth"]["inflated_vpr"].astype(bool), "school_id"].astype(str))
    pairs = _ids(t["partners"], "school_id", "partner_id")
    pairs = pairs[pairs["assigned"].map(_flagged)].copy()
    q = pairs["partner_id"].map(iy["quality_index"]).astype(float)
    pairs = pairs.assign(
        partner_quality=q, partner_result=pairs["partner_id"].map(iy["result_index"]).astype(float),
        partner_ci_low=pairs["partner_id"].map(iy["quality_ci_low"]).astype(float),
        flagged=pairs["partner_id"].isin(flagged), was_listed=pairs["partner_id"].isin(was_listed),
        inflated=pairs["partner_id"].isin(inflated))
    pairs["below_mean_quality"] = pairs["partner_quality"] < mean_q
    pairs["below_mean_result"] = pairs["partner_result"] < mean_r
    pairs["ci_above_mean"] = pairs["partner_ci_low"] > mean_q
    listed = set(iy.index[iy["low_results"].map(_flagged)])
    with_partner = set(pairs["school_id"])
    candidates = set(_ids(t["partners"], "school_id")["school_id"])
    without = listed - with_partner
    counts = {"year": year, "mean_quality": mean_q, "mean_result": mean_r,
              "n_listed": len(listed), "n_without_partner": len(without),
              "n_without_candidate": len(without - candidates),
              "n_without_capacity": len(without & candidates),
              "n_inflated": len(inflated)}
    cols = ["school_id", "partner_id", "basis", "meets_criteria", "distance_km",
            "same_municipality", "partner_category", "partner_quality", "partner_result",
            "partner_ci_low", "below_mean_quality", "below_mean_result", "ci_above_mean", "flagged",
            "was_listed", "inflated"]
    return pairs[cols].reset_index(drop=True), counts


def one_seed(args: tuple[int, int]) -> tuple[list[dict], dict]:
    """Pairs and counts of one seed (its own process: single-threaded BLAS)."""
    from threadpoolctl import threadpool_limits

    seed, n_schools = args
    with threadpool_limits(1), tempfile.TemporaryDirectory(prefix=f"partners{seed}-") as tmp:
        rows, counts = partner_rows(run_region(seed, n_schools, Path(tmp)))
    rows = rows.assign(seed=seed)
    return rows.to_dict("records"), {"seed": seed, **counts}


def summarise(pairs: pd.DataFrame, counts: pd.DataFrame) -> dict[str, Any]:
    """Pooled over seeds, per basis (proposed, agreed): pairs and the partner counts."""
    out: dict[str, Any] = {}
    for basis in BASES:
        d = pairs[pairs["basis"] == basis]
        km = pd.to_numeric(d["distance_km"], errors="coerce").dropna()
        out[basis] = {
            "pairs": len(d), "partners": int(d[["seed", "partner_id"]].drop_duplicates().shape[0]),
            "below_mean_quality": int(d["below_mean_quality"].sum()),
            "below_mean_result": int(d["below_mean_result"].sum()),
            "ci_above_mean": int(d["ci_above_mean"].sum()),
            "flagged": int(d["flagged"].sum()), "was_listed": int(d["was_listed"].sum()),
            "inflated": int(d["inflated"].sum()),
            "fails_criteria": int((~d["meets_criteria"].map(bool)).sum()),
            "km_median": float(km.median()) if len(km) else float("nan"),
            "km_max": float(km.max()) if len(km) else float("nan"),
            "same_municipality": float(d["same_municipality"].map(bool).mean()) if len(d) else
            float("nan"),
            "categories": {str(k): int(v) for k, v in d["partner_category"].value_counts().items()}}
    out["listed"] = {k: int(counts[k].sum()) for k in
                     ("n_listed", "n_without_partner", "n_without_candidate", "n_without_capacity",
                      "n_inflated")}
    return out


def _pct(n: int, of: int) -> str:
    return f"{n} ({n / of:.1%})" if of else str(n)


def markdown(report: dict) -> str:
    s = report["summary"]
    lines = [f"# Resource schools over {report['n_seeds']} demo seeds ({report['seeds'][0]}–"
             f"{report['seeds'][-1]}, {report['n_schools']} schools, pairing year = latest)", "",
             "| assigned pairs | pairs | below mean (quality_index) | below mean (result_index "
             "of the year) | interval above mean | objectivity flag Y−1…Y | listed/watch Y−2…Y | "
             "planted inflated | fails criteria | median km | max km | same municipality |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for basis in BASES:
        v, n = s[basis], s[basis]["pairs"]
        lines.append(f"| {basis} | {n} | {_pct(v['below_mean_quality'], n)} | "
                     f"{_pct(v['below_mean_result'], n)} | {_pct(v['ci_above_mean'], n)} | "
                     f"{_pct(v['flagged'], n)} | {_pct(v['was_listed'], n)} | "
                     f"{_pct(v['inflated'], n)} | {_pct(v['fails_criteria'], n)} | "
                     f"{v['km_median']:.1f} | {v['km_max']:.1f} | {v['same_municipality']:.1%} |")
    li = s["listed"]
    lines += ["", "Partner categories: " + "; ".join(
        f"{b}: " + ", ".join(f"{k} {n}" for k, n in s[b]["categories"].items()) for b in BASES),
        "", f"Listed schools (low_results of the pairing year): {li['n_listed']}; left without an "
        f"assigned partner: {_pct(li['n_without_partner'], li['n_listed'])} — without any "
        f"candidate {li['n_without_candidate']}, with candidates but no free capacity "
        f"{li['n_without_capacity']}. Planted inflated-ВПР schools in the regions: "
        f"{li['n_inflated']}.",
        "", "Mean: over the schools ranked in the pairing year (insufficient data left out); "
        "«below mean (quality_index)» compares the partner's pooled level, the one the resource "
        "criterion judges; «interval above mean» is quality_ci_low above that mean."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="number of seeds (default 20)")
    ap.add_argument("--first", type=int, default=1, help="first seed")
    ap.add_argument("--schools", type=int, default=600)
    ap.add_argument("--jobs", type=int, default=2, help="processes (the machine has 2 cores)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--name", default="partners", help="file name of the results")
    a = ap.parse_args(argv)
    seeds = list(range(a.first, a.first + a.seeds))
    with ProcessPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        parts = list(pool.map(one_seed, [(s, a.schools) for s in seeds]))
    pairs = pd.DataFrame([r for rows, _ in parts for r in rows])
    counts = pd.DataFrame([c for _, c in parts])
    report = {"n_seeds": len(seeds), "seeds": seeds, "n_schools": a.schools,
              "summary": summarise(pairs, counts), "per_seed": counts.to_dict("records")}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / f"{a.name}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1, default=lambda x: x.item()
                   if isinstance(x, np.generic) else str(x)), encoding="utf-8")
    md = markdown(report)
    (a.out / f"{a.name}.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

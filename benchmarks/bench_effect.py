"""Calibration of the programme effect by simulation over many demo seeds (issue 15 item 6).

    .venv/bin/python benchmarks/bench_effect.py                  # 100 seeds, 600 schools, 2 processes
    .venv/bin/python benchmarks/bench_effect.py --seeds 6        # a quick look while iterating
    .venv/bin/python benchmarks/bench_effect.py --report-only    # the seeds finished so far

Per seed the demo region is generated twice from the same seed — with the planted effect
(`--effect`, default the demo's 0.25 SD of the true result) and with `--effect 0`. The
generator's random streams are independent per part and its effect-dependent draws are made by
inversion, so the two regions differ ONLY in the participants' outcomes from their
participation year on: a controlled comparison. Each region goes through the identify stage's
chain in-process (no files written) and `monitoring.compute_effectiveness` with default params.

The truth of an estimate in units of the result index (the estimate's own scale) comes from the
pair: Δ = index with the effect − index without it, per school and year; the true effect of a
DiD of cohort P from base b to year t is mean over the cohort of (Δ_t − Δ_b) minus the same mean
over never-participants (the region's standardisation moves everyone a little). It is zero for
every placebo and for every estimate of the null run.

Reported per estimate (cohort × method × year): with `--effect 0` the share of seeds whose 95%
interval excludes 0 (target ≤ 6%); for the placebo the same share (target ≤ 6%); with the planted
effect the share of intervals covering the truth (target ≥ 93%), the bias and SD of the
estimates, the mean SE against the SD across seeds, the mean MDE and the power. Results:
benchmarks/results/effect.json and effect.md (the numbers of docs/effect_method.md).
"""
from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
TARGETS = {"null_reject": 0.06, "placebo_reject": 0.06, "coverage": 0.93}
KEY = ["programme_year", "estimate", "year", "base_year"]
FORMER = "former placebo (inside the window)"
Z95 = 1.959964


def identification(region) -> pd.DataFrame:
    """The identification table of a demo region: the identify stage's chain with the run's
    default params (`workbench.identify.identify`, what the stage calls before it writes
    lists.xlsx and the annex, which the effect does not read and which took four fifths of
    the time). The demo region has no expert decisions, so the table is the stage's."""
    from workbench.config import parse_params
    from workbench.identify import identify

    params = parse_params({"inputs": {"schools": {"path": "-"}}, "run_id": "bench-effect"})
    t = region.tables
    schools = t["schools"].copy()
    schools["school_id"] = schools["school_id"].astype(str)
    idn, _, _ = identify(t["results"], t["context"], schools, params.identification,
                         params.indicator_directions(), min_cell=params.briefings.min_cell,
                         labels=params.indicator_labels())
    idn = idn.copy()
    idn["school_id"] = idn["school_id"].astype(str)
    return idn


def truth(row: pd.Series, delta: pd.DataFrame, cohort: list[str], never: list[str]) -> float:
    """The true effect in index units of one estimate (see the module docstring)."""
    b = int(row["base_year"])
    if row["estimate"].startswith("placebo"):
        return 0.0
    years = [int(row["year"])] if row["estimate"] == "DiD" else \
        [y for y in delta.columns if int(row["programme_year"]) <= y <= int(row["year"])]
    d = delta[years].mean(axis=1) - delta[b]
    return float(d.reindex(cohort).mean() - d.reindex(never).mean())


def former_placebo(idn: pd.DataFrame, programme: pd.DataFrame, params) -> pd.DataFrame:
    """The placebo of the former method, for comparison: the first cohort from P − 2 to P − 1,
    matched on P − 2 and P − 3 — inside the selection window."""
    from workbench.monitoring.effect import estimate_programme_effect
    from workbench.monitoring.event_study import Design
    from workbench.monitoring.prepare import cohorts, participants

    first = cohorts(programme)
    P = int(first["year"].min())
    treated = sorted(first.loc[first["year"] == P, "school_id"])
    controls = sorted(set(idn["school_id"]) - set(participants(programme)["school_id"]))
    d = Design(FORMER, P - 2, (P - 1,), (P - 2, P - 3))
    r = estimate_programme_effect(idn, treated, controls, d, params)
    return pd.DataFrame([{"programme_year": P, "estimate": FORMER, "year": P - 1,
                          "base_year": P - 2, **r}])


def one_seed(args: tuple[int, int, float, dict]) -> list[dict]:
    """Both regions of one seed: every estimate with its truth."""
    from threadpoolctl import threadpool_limits

    from workbench import demo
    from workbench.config.monitoring import MonitoringParams
    from workbench.monitoring import compute_effectiveness

    seed, n_schools, effect, overrides = args
    rows: list[dict] = []
    with threadpool_limits(1):
        runs = {}
        for label, e in (("planted", effect), ("null", 0.0)):
            region = demo.generate_region(n_schools, seed=seed, programme_effect=e)
            idn = identification(region)
            eff = compute_effectiveness(idn, region.tables["programme"], None,
                                        MonitoringParams(**overrides))
            runs[label] = (region, idn, eff[eff["domain"] == "results"])
        region = runs["planted"][0]
        wide = {k: v[1].pivot(index="school_id", columns="year", values="result_index")
                for k, v in runs.items()}
        delta = wide["planted"] - wide["null"].reindex_like(wide["planted"])
        part = region.truth.dropna(subset=["participation_year"])
        never = sorted(set(region.truth["school_id"]) - set(part["school_id"]))
        start = int(region.meta["programme_start_year"])
        pre_delta = float(np.nanmax(np.abs(delta[[y for y in delta.columns if y < start]].to_numpy())))
        former = former_placebo(runs["null"][1], region.tables["programme"], MonitoringParams(**overrides))
        for label, (_, _, eff) in runs.items():
            eff = pd.concat([eff, former]) if label == "null" else eff
            for _, r in eff.iterrows():
                cohort = sorted(part.loc[part["participation_year"] == r["programme_year"], "school_id"])
                rows.append({"seed": seed, "run": label, **{k: r[k] for k in KEY},
                             "effect": r["effect"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                             "se": r["se"], "mde": r["mde"], "n_treated": int(r["n_treated"]),
                             "n_control": int(r["n_control"]), "pre_delta": pre_delta,
                             "truth": truth(r, delta, cohort, never) if label == "planted" else 0.0})
    return rows


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """Per run and estimate: seeds, rejection of 0, coverage of the truth, bias, SDs, MDE."""
    df = df.dropna(subset=["effect", "ci_low"]).copy()
    df["excl0"] = (df["ci_low"] > 0) | (df["ci_high"] < 0)
    df["covers"] = (df["ci_low"] <= df["truth"]) & (df["truth"] <= df["ci_high"])
    df["err"] = df["effect"] - df["truth"]
    # the same with the normal interval from the SE: tells the SE's calibration from the
    # interval's shape (the percentile bootstrap's interval need not be ± 1.96 SE)
    df["excl0_se"] = (df["effect"] / df["se"]).abs() > Z95
    df["covers_se"] = (df["err"] / df["se"]).abs() <= Z95
    g = df.groupby(["run"] + KEY, sort=True)
    out = g.agg(seeds=("seed", "nunique"), reject0=("excl0", "mean"), coverage=("covers", "mean"),
                reject0_se=("excl0_se", "mean"), coverage_se=("covers_se", "mean"),
                truth=("truth", "mean"), mean_effect=("effect", "mean"), bias=("err", "mean"),
                sd_effect=("err", "std"), mean_se=("se", "mean"), mean_mde=("mde", "mean"),
                n_treated=("n_treated", "mean")).reset_index()
    return out


def verdicts(s: pd.DataFrame) -> list[dict]:
    """The issue's three targets on the main rows (first cohort's pooled DiD, its placebo) and
    the worst row of each kind."""
    did = s["estimate"].str.startswith("DiD")
    plc = s["estimate"].str.startswith("placebo")  # the former placebo is left out below
    null, planted = s["run"] == "null", s["run"] == "planted"
    first = s["programme_year"] == s["programme_year"].min()
    main = did & first & (s["estimate"] == "DiD pooled")
    rows = []

    def add(name: str, sel: pd.Series, col: str, target: float, le: bool) -> None:
        if not sel.any():
            return
        main_v = float(s.loc[sel & main, col].iloc[0]) if (sel & main).any() else \
            float(s.loc[sel & first, col].iloc[0])
        worst = float(s.loc[sel, col].max() if le else s.loc[sel, col].min())
        ok = worst <= target if le else worst >= target
        rows.append({"target": name, "bound": f"{'≤' if le else '≥'} {target:.0%}",
                     "main": main_v, "worst": worst, "met": bool(ok)})

    add("--effect 0: interval excludes 0", null & did, "reject0", TARGETS["null_reject"], True)
    plc = plc & (s["estimate"] != FORMER)
    add("placebo rejects (null run)", null & plc, "reject0", TARGETS["placebo_reject"], True)
    add("placebo rejects (planted run)", planted & plc, "reject0", TARGETS["placebo_reject"], True)
    add("planted effect covered", planted & did, "coverage", TARGETS["coverage"], False)
    return rows


def markdown(report: dict) -> str:
    s = pd.DataFrame(report["summary"])
    lines = [f"# Programme effect over {report['n_seeds']} demo seeds ({report['seeds'][0]}–"
             f"{report['seeds'][-1]}, {report['n_schools']} schools, planted effect "
             f"{report['effect']} SD of the true result)", "",
             "| target | bound | main estimate | worst row | met |", "|---|---|---|---|---|"]
    for v in report["verdicts"]:
        lines.append(f"| {v['target']} | {v['bound']} | {v['main']:.1%} | {v['worst']:.1%} | "
                     f"{'met' if v['met'] else '**missed**'} |")
    lines += ["", "Main estimate: the first cohort's DiD pooled over its programme years "
              "(its placebo for the placebo rows).", "",
              "| run | cohort | estimate | year | base | seeds | excludes 0 | covers truth "
              "| ± 1.96 SE: excludes 0 | ± 1.96 SE: covers | truth "
              "| mean estimate | bias | SD | mean SE | mean MDE | participants |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in s.iterrows():
        lines.append(f"| {r['run']} | {r['programme_year']} | {r['estimate']} | {r['year']} | "
                     f"{r['base_year']} | {r['seeds']} | {r['reject0']:.1%} | {r['coverage']:.1%} | "
                     f"{r['reject0_se']:.1%} | {r['coverage_se']:.1%} | "
                     f"{r['truth']:+.3f} | {r['mean_effect']:+.3f} | {r['bias']:+.3f} | "
                     f"{r['sd_effect']:.3f} | {r['mean_se']:.3f} | {r['mean_mde']:.3f} | "
                     f"{r['n_treated']:.0f} |")
    lines += ["", "«± 1.96 SE»: the same shares with the interval estimate ± 1.96 · SE instead of "
              "the one in the table (the same for a normal interval, not for the percentile "
              "bootstrap).",
              "", f"Largest |Δ index| before the programme between the two runs of a seed: "
              f"{report['max_pre_delta']:.2g} (0 = a controlled comparison)."]
    return "\n".join(lines) + "\n"


def write_report(rows: list[dict], seeds: list[int], a: argparse.Namespace) -> str:
    """Summary, verdicts and per-seed rows as effect.json and effect.md; returns the markdown."""
    df = pd.DataFrame(rows)
    s = summarise(df)
    report = {"n_seeds": len(seeds), "seeds": seeds, "n_schools": a.schools, "effect": a.effect,
              "monitoring": json.loads(a.monitoring),
              "max_pre_delta": float(df["pre_delta"].max()), "verdicts": verdicts(s),
              "summary": s.to_dict("records"), "per_seed": df.to_dict("records")}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{a.name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=float),
                                        encoding="utf-8")
    md = markdown(report)
    (OUT / f"{a.name}.md").write_text(md, encoding="utf-8")
    return md


def read_rows(path: Path) -> tuple[list[dict], list[int]]:
    """The rows of the seeds finished so far (one JSON line per seed) and those seeds."""
    rows: list[dict] = []
    seeds: list[int] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        part = json.loads(line)
        seeds.append(int(part["seed"]))
        rows += part["rows"]
    return rows, sorted(seeds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--schools", type=int, default=600)
    ap.add_argument("--effect", type=float, default=0.25)
    ap.add_argument("--jobs", type=int, default=2, help="processes (the machine has 2 cores)")
    ap.add_argument("--name", default="effect", help="file name of the results")
    ap.add_argument("--monitoring", default="{}",
                    help='monitoring params to override, as JSON (e.g. \'{"n_boot": 200}\')')
    ap.add_argument("--report-only", action="store_true",
                    help="report the seeds finished so far (<name>_rows.jsonl, written as each "
                         "seed ends) without running more: a long run on a busy machine")
    a = ap.parse_args()
    rows_path = OUT / f"{a.name}_rows.jsonl"
    if a.report_only:
        rows, seeds = read_rows(rows_path)
        print(write_report(rows, seeds, a))
        return
    seeds = list(range(a.first, a.first + a.seeds))
    OUT.mkdir(parents=True, exist_ok=True)
    rows_path.write_text("", encoding="utf-8")
    rows = []
    with ProcessPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        jobs = [(s, a.schools, a.effect, json.loads(a.monitoring)) for s in seeds]
        for (seed, *_), part in zip(jobs, pool.map(one_seed, jobs)):
            rows += part
            with rows_path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"seed": seed, "rows": part}, ensure_ascii=False,
                                   default=float) + "\n")
    print(write_report(rows, seeds, a))


if __name__ == "__main__":
    main()

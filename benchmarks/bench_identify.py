"""Identification judged against the demo generator's ground truth, over many seeds.

    .venv/bin/python benchmarks/bench_identify.py                 # 20 seeds × 600 schools
    .venv/bin/python benchmarks/bench_identify.py --seeds 3       # a quick look while iterating
    .venv/bin/python benchmarks/bench_identify.py --set bottom_share=0.12 --set min_probability=0.4
    .venv/bin/python benchmarks/bench_identify.py --demo-set subject_sd=0 --demo-set cohort_sd=0
    .venv/bin/python benchmarks/bench_identify.py --sweep         # the defaults and variants

For each seed the demo region is generated in memory (`workbench.demo.generate_region`: the same
canonical tables ingestion gives from its files) and the identification chain runs in-process on
it with the default params (or the `--set` overrides of the `identification` section). Scored
against the truth (`truth_years.true_low`: the noise-free bottom 10% of the year):
- precision and recall of the ШНОР list (both categories), pooled over seeds and the years in
  which a list can exist (from the second year of data on: `short_history: strict`);
- churn: the share of the previous year's list not listed this year, against the same share of
  the true bottom 10% (years 3–5);
- coverage of the 95% rank interval (rank_ci_low…rank_ci_high) of the true percentile of the year,
  and of the true percentile of the window's mean true result;
- calibration of prob_bottom against the true bottom group of the same share (`bottom_share`);
- size bias: listed ÷ truly low by the generator's context type (1 gymnasiums … 5 small remote);
- counts: insufficient data, watch, tiny schools listed.
`--oracle` adds the ceiling: the noise-free observable (0.6·truth + the school's subject offsets
+ the cohort effects, i.e. infinite pupils) ranked, at the list length of the truth.
Results: benchmarks/results/identify.json and identify.md, with the targets met or missed.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
TARGETS = {"precision": (">=", 0.85), "recall": (">=", 0.75), "churn_ratio": ("<=", 1.3),
           "coverage": ("between", (0.93, 0.97)), "size_ratio": ("between", (0.8, 1.25))}
PROB_BINS = [0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001]
LISTED = ("low_results_adverse", "low_results")
OPTIONAL = {"rank_ci_low": np.nan, "rank_ci_high": np.nan, "prob_bottom": np.nan,
            "in_bottom": False, "exit_met": False}


def parse_value(text: str) -> Any:
    """A --set value: JSON when it parses (numbers, true/false, lists), else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_sets(items: list[str]) -> dict[str, Any]:
    """["a=1", "b=x"] → {"a": 1, "b": "x"}."""
    out = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key.strip()] = parse_value(value.strip())
    return out


def scored_frame(ident: pd.DataFrame, truth_years: pd.DataFrame, truth: pd.DataFrame,
                 window: int, share: float = 0.10) -> pd.DataFrame:
    """The identification joined with the truth: true_low, true_pct (percentile of the year's
    true result among the ranked schools, 0–100), true_pct_window (of the window's mean true
    result), true_low_window (the bottom `share` by the window's mean true result, by the
    generator's own rule for true_low: the floor(share · n) lowest of the year), context_type,
    tiny_extreme, listed."""
    ty = truth_years.sort_values(["school_id", "year"]).copy()
    ty["true_window"] = ty.groupby("school_id")["true_result"].transform(
        lambda s: s.rolling(window, min_periods=1).mean())
    rank = ty.groupby("year")["true_window"].rank(method="first")
    cut_n = np.floor(ty.groupby("year")["true_window"].transform("size") * share)
    ty["true_low_window"] = (rank <= cut_n).to_numpy()
    m = ident.merge(ty, on=["school_id", "year"], how="left").merge(
        truth[["school_id", "context_type", "tiny_extreme", "inflated_vpr"]], on="school_id",
        how="left")
    m["listed"] = m["category"].isin(LISTED)
    for col, fill in OPTIONAL.items():  # an older identification (a baseline run) lacks them
        if col not in m.columns:
            m[col] = fill
    if "watch" not in ident.columns:  # no watch list: the bottom group is its percentile
        m["in_bottom"] = (m["result_percentile"] <= share * 100).fillna(False)
    ranked = m["result_percentile"].notna()
    for src, dst in (("true_result", "true_pct"), ("true_window", "true_pct_window")):
        m[dst] = m[src].where(ranked).groupby(m["year"]).rank(pct=True) * 100
    return m


def list_quality(m: pd.DataFrame, years: list[int]) -> dict[str, float]:
    """Hits, list length and true lows over the given years, against the year's true bottom
    group and (``_window``) the window's; near misses: listed schools in the true bottom 20%."""
    d = m[m["year"].isin(years)]
    hit = int((d["listed"] & d["true_low"]).sum())
    n_listed, n_true = int(d["listed"].sum()), int(d["true_low"].sum())
    near = int((d["listed"] & (d["true_pct"] <= 20)).sum())
    out = {"n_listed": n_listed, "n_true_low": n_true, "hits": hit, "near": near,
           "list_share": n_listed / max(len(d), 1)}
    if "true_low_window" in d.columns:
        out["hits_window"] = int((d["listed"] & d["true_low_window"]).sum())
        out["n_true_low_window"] = int(d["true_low_window"].sum())
    return out


def churn_counts(m: pd.DataFrame, col: str, years: list[int]) -> tuple[int, int]:
    """(left, before): schools with `col` true in year t−1 and not in t, over t in years."""
    w = m.pivot_table(index="school_id", columns="year", values=col, aggfunc="first")
    w = w.fillna(False).astype(bool)
    left = before = 0
    for y in years:
        if y - 1 in w.columns and y in w.columns:
            before += int(w[y - 1].sum())
            left += int((w[y - 1] & ~w[y]).sum())
    return left, before


BANDS = [0, 5, 10, 20, 50, 100]  # true percentile bands for the coverage


def coverage_counts(m: pd.DataFrame, years: list[int]) -> dict[str, int]:
    """Rank intervals that contain the true percentile of the year / of the window; and per band
    of the true percentile (n_<band>, inside_<band>)."""
    d = m[m["year"].isin(years) & m["rank_ci_low"].notna() & m["true_pct"].notna()]
    inside = (d["rank_ci_low"] <= d["true_pct"]) & (d["true_pct"] <= d["rank_ci_high"])
    tw = d["true_pct_window"]
    inside_w = (d["rank_ci_low"] <= tw) & (tw <= d["rank_ci_high"])
    out = {"n": len(d), "inside": int(inside.sum()), "inside_window": int(inside_w.sum())}
    band = pd.cut(d["true_pct"], BANDS, labels=[f"{a}-{b}" for a, b in zip(BANDS, BANDS[1:])])
    for name, g in inside.groupby(band, observed=False):
        out[f"n_{name}"], out[f"inside_{name}"] = len(g), int(g.sum())
    return out


def calibration_rows(m: pd.DataFrame, years: list[int], share: float) -> pd.DataFrame:
    """prob_bottom against the true bottom group of the same share: one row per bin."""
    d = m[m["year"].isin(years) & m["prob_bottom"].notna() & m["true_pct"].notna()].copy()
    d["truly"] = d["true_pct"] <= share * 100
    d["bin"] = pd.cut(d["prob_bottom"], PROB_BINS, right=False)
    return d.groupby("bin", observed=False).agg(
        n=("truly", "size"), predicted_sum=("prob_bottom", "sum"), observed=("truly", "sum"))


def by_type(m: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Listed and truly low school-years per context type."""
    d = m[m["year"].isin(years)]
    return d.groupby("context_type").agg(listed=("listed", "sum"), true_low=("true_low", "sum"),
                                         hits=("hits_row", "sum"), n=("listed", "size"))


def one_seed(seed: int, n_schools: int, overrides: dict, demo_overrides: dict,
             oracle: bool) -> dict[str, Any]:
    """Generate, identify and score one seed; the raw counts (summed over seeds later)."""
    from workbench import demo
    from workbench.core.tables import STANDARD_INDICATORS
    from workbench.demo.params import DemoParams
    from workbench.identify import IdentifyParams, identify

    params = IdentifyParams(**overrides)
    region = demo.generate_region(n_schools=n_schools, seed=seed,
                                  params=DemoParams(**demo_overrides))
    t0 = time.perf_counter()
    t = region.tables
    ident, _, _ = identify(t["results"], t["context"], t["schools"], params, STANDARD_INDICATORS)
    seconds = time.perf_counter() - t0
    m = scored_frame(ident, region.truth_years, region.truth, getattr(params, "window_years", 3),
                     params.bottom_share)
    m = m.merge(t["context"][["school_id", "year", "n_students"]], on=["school_id", "year"],
                how="left")
    m["hits_row"] = m["listed"] & m["true_low"]
    years = sorted(m["year"].unique().tolist())
    judged = years[1:] if len(years) > 1 else years
    churn_years = years[2:]
    out = {"seed": seed, "seconds": seconds, "years": judged,
           "list": list_quality(m, judged),
           "per_year": {int(y): list_quality(m, [y]) for y in years},
           "churn_list": churn_counts(m, "listed", churn_years),
           "churn_true": churn_counts(m, "true_low", churn_years),
           "coverage": coverage_counts(m, judged),
           "calibration": calibration_rows(m, judged, params.bottom_share).to_dict("list"),
           "by_type": by_type(m, judged).to_dict("index"),
           "counts": category_counts(m, judged), "se_check": change_calibration(ident)}
    if oracle:
        out["oracle"] = oracle_ceiling(seed, n_schools, demo_overrides)
    return out


SIZE_BANDS = [0, 40, 100, 250, 450, 100_000]  # pupils who wrote the works, for the SE check


def change_calibration(ident: pd.DataFrame) -> dict[str, list[float]]:
    """The sampling SE checked on the data alone, by school size: over consecutive years of a
    school, the squared change of result_index against its predicted variance
    se²_t + se²_{t−1} + 2σ²_u + σ²_drift; per band of n_pupils (of the later year) the pairs,
    Σ change², Σ predicted and the count of change²/predicted below the median of χ²₁ (half of
    them if the SE is right and the changes normal)."""
    from workbench.identify.components import CHI2_1_MEDIAN

    cols = ["school_id", "year", "result_index", "result_se", "n_pupils", "sigma_u2",
            "sigma_drift2"]
    d = ident[cols].dropna()
    x = d.merge(d.assign(year=d["year"] + 1), on=["school_id", "year"], suffixes=("", "_p"))
    d2 = (x["result_index"] - x["result_index_p"]) ** 2
    pred = x["result_se"] ** 2 + x["result_se_p"] ** 2 + 2 * x["sigma_u2"] + x["sigma_drift2"]
    band = pd.cut(x["n_pupils"], SIZE_BANDS, right=False)
    g = pd.DataFrame({"d2": d2, "pred": pred, "below": d2 / pred < CHI2_1_MEDIAN}).groupby(
        band, observed=False)
    return {"n": g.size().tolist(), "d2": g["d2"].sum().tolist(),
            "pred": g["pred"].sum().tolist(), "below": g["below"].sum().astype(int).tolist()}


def category_counts(m: pd.DataFrame, years: list[int]) -> dict[str, int]:
    """School-years per category, tiny schools listed (and truly low among them), bottom-group
    schools labelled typical, rows whose every class is under min_class_n."""
    d = m[m["year"].isin(years)]
    tiny = d[d["tiny_extreme"].fillna(False).astype(bool)]
    out = {f"category_{k}": int(v) for k, v in d["category"].value_counts().items()}
    out.update({"school_years": len(d), "tiny_listed": int(tiny["listed"].sum()),
                "tiny_listed_truly_low": int((tiny["listed"] & tiny["true_low"]).sum()),
                "tiny_listed_bottom20": int((tiny["listed"] & (tiny["true_pct"] <= 20)).sum()),
                "tiny_school_years": len(tiny),
                "bottom_typical": int((d["in_bottom"] & (d["category"] == "typical")).sum()),
                "bottom_typical_or_adverse": int((d["in_bottom"] & d["category"].isin(
                    ["typical", "adverse_context"])).sum()),
                "listed_not_in_bottom": int((d["listed"] & ~d["in_bottom"]).sum()),
                "exits": int(d["exit_met"].sum()),
                "pupils_above_enrolment": int((m["n_pupils"] > m["n_students"]).sum()),
                "all_school_years": len(m)})
    return out


ORACLE_LENGTHS = (0.6, 0.7, 0.8, 0.88, 1.0, 1.2)  # oracle list lengths ÷ the truth's


def oracle_ceiling(seed: int, n_schools: int, demo_overrides: dict) -> dict[str, int] | str:
    """Precision of the noise-free observable at the truth's list length (see the docstring);
    reads the demo's pupil model through its generator (a message when that has changed)."""
    try:
        import workbench.demo.generate as gen
        from workbench.demo.params import MATH, RUS, DemoParams

        seen: dict[str, Any] = {}
        original = gen.draw_pupil_model

        def capture(*a, **k):
            seen["pm"] = original(*a, **k)
            return seen["pm"]

        gen.draw_pupil_model = capture
        try:
            region = gen.generate_region(n_schools, seed=seed, params=DemoParams(**demo_overrides))
        finally:
            gen.draw_pupil_model = original
        pm = seen["pm"]
        ty = region.truth_years
        ids = region.truth["school_id"]
        true = ty.pivot(index="school_id", columns="year", values="true_result").loc[ids]
        offset = (pm.subj_offset[RUS] + pm.subj_offset[MATH]) / 2
        hits = total = 0
        curve = {f"{f:.2f}": [0, 0] for f in ORACLE_LENGTHS}  # length ÷ truth's → [hits, listed]
        for j, year in enumerate(true.columns[1:], start=1):
            cohort = pm.cohort[:, max(0, j - 2):j + 1, 0:6].mean(axis=(1, 2))
            obs = pm.params.pupil_beta * true[year].to_numpy() + offset + cohort
            low = ty[ty["year"] == year].set_index("school_id").loc[ids, "true_low"].to_numpy()
            k = int(low.sum())
            pick = np.zeros(len(obs), bool)
            pick[np.argsort(obs)[:k]] = True
            hits += int((pick & low).sum())
            total += k
            order = np.argsort(obs)
            for f in ORACLE_LENGTHS:
                kf = int(round(f * k))
                curve[f"{f:.2f}"][0] += int(low[order[:kf]].sum())
                curve[f"{f:.2f}"][1] += kf
        return {"hits": hits, "n": total, "curve": curve}
    except (AttributeError, ImportError, KeyError, TypeError) as exc:
        return f"недоступно: {exc}"


def _sum_dicts(rows: list[dict]) -> dict:
    out: dict = {}
    for r in rows:
        for k, v in r.items():
            out[k] = out.get(k, 0) + v
    return out


def summarise(runs: list[dict], share: float) -> dict[str, Any]:
    """Totals over seeds: the measured numbers and the per-seed spread of precision/recall."""
    lq = _sum_dicts([r["list"] for r in runs])
    prec = lq["hits"] / max(lq["n_listed"], 1)
    rec = lq["hits"] / max(lq["n_true_low"], 1)
    per_seed_p = [r["list"]["hits"] / max(r["list"]["n_listed"], 1) for r in runs]
    per_seed_r = [r["list"]["hits"] / max(r["list"]["n_true_low"], 1) for r in runs]
    cl = np.sum([r["churn_list"] for r in runs], axis=0)
    ct = np.sum([r["churn_true"] for r in runs], axis=0)
    churn_list, churn_true = cl[0] / max(cl[1], 1), ct[0] / max(ct[1], 1)
    cov = _sum_dicts([r["coverage"] for r in runs])
    cal = pd.DataFrame({"n": np.sum([r["calibration"]["n"] for r in runs], axis=0),
                        "predicted": np.sum([r["calibration"]["predicted_sum"] for r in runs],
                                            axis=0),
                        "observed": np.sum([r["calibration"]["observed"] for r in runs], axis=0)})
    cal["bin"] = [f"{a:.2f}–{min(b, 1):.2f}" for a, b in zip(PROB_BINS[:-1], PROB_BINS[1:])]
    cal["predicted"] = cal["predicted"] / cal["n"].where(cal["n"] > 0)
    cal["observed"] = cal["observed"] / cal["n"].where(cal["n"] > 0)
    types = pd.DataFrame([{"context_type": int(k), **v} for r in runs
                          for k, v in r["by_type"].items()])
    types = types.groupby("context_type").sum()
    types["ratio"] = types["listed"] / types["true_low"].where(types["true_low"] > 0)
    ci = type_ratio_interval(runs)
    types["ratio_ci_low"] = [ci.get(int(t), (np.nan, np.nan))[0] for t in types.index]
    types["ratio_ci_high"] = [ci.get(int(t), (np.nan, np.nan))[1] for t in types.index]
    per_year = {}
    for y in sorted({y for r in runs for y in r["per_year"]}):
        s = _sum_dicts([r["per_year"][y] for r in runs if y in r["per_year"]])
        per_year[int(y)] = {"listed": s["n_listed"], "precision": s["hits"] / max(s["n_listed"], 1),
                            "recall": s["hits"] / max(s["n_true_low"], 1)}
    summary = {
        "seeds": [r["seed"] for r in runs], "bottom_share": share,
        "precision": prec, "recall": rec, "list_share": lq["n_listed"] / max(
            sum(r["counts"]["school_years"] for r in runs), 1),
        "precision_bottom20": lq["near"] / max(lq["n_listed"], 1),
        "precision_seed_sd": float(np.std(per_seed_p)), "recall_seed_sd": float(np.std(per_seed_r)),
        "churn_list": churn_list, "churn_true": churn_true,
        "churn_ratio": churn_list / churn_true if churn_true else float("nan"),
        "coverage": cov["inside"] / max(cov["n"], 1),
        "coverage_window": cov["inside_window"] / max(cov["n"], 1),
        "coverage_by_true_percentile": {
            f"{lo}-{hi}": cov.get(f"inside_{lo}-{hi}", 0) / max(cov.get(f"n_{lo}-{hi}", 0), 1)
            for lo, hi in zip(BANDS, BANDS[1:])},
        "calibration": cal[["bin", "n", "predicted", "observed"]].to_dict("records"),
        "by_type": types.reset_index().to_dict("records"),
        "size_ratio_min": float(types["ratio"].min()),
        "size_ratio_max": float(types["ratio"].max()),
        "per_year": per_year, "counts": _sum_dicts([r["counts"] for r in runs]),
        "by_type_per_seed": {int(r["seed"]): {int(k): {c: int(v[c]) for c in ("listed", "true_low")}
                                              for k, v in r["by_type"].items()} for r in runs},
        "seconds_per_seed": float(np.mean([r["seconds"] for r in runs])),
    }
    if all("se_check" in r for r in runs):
        sc = {k: np.sum([r["se_check"][k] for r in runs], axis=0) for k in ("n", "d2", "pred",
                                                                         "below")}
        summary["se_by_size"] = [
            {"pupils": f"{a}–{b - 1}" if b < 100_000 else f"{a}+", "pairs": int(n),
             "mean_ratio": float(d2 / p) if p else float("nan"),
             "share_below_median": float(bl / n) if n else float("nan")}
            for a, b, n, d2, p, bl in zip(SIZE_BANDS, SIZE_BANDS[1:], sc["n"], sc["d2"],
                                          sc["pred"], sc["below"])]
    if "hits_window" in lq:
        summary["precision_window"] = lq["hits_window"] / max(lq["n_listed"], 1)
        summary["recall_window"] = lq["hits_window"] / max(lq["n_true_low_window"], 1)
    oracles = [r["oracle"] for r in runs if isinstance(r.get("oracle"), dict)]
    if oracles:
        o = _sum_dicts([{"hits": x["hits"], "n": x["n"]} for x in oracles])
        summary["oracle_precision"] = o["hits"] / max(o["n"], 1)
        summary["oracle_curve"] = [
            {"length": float(f), "precision": sum(x["curve"][f][0] for x in oracles) / max(
                sum(x["curve"][f][1] for x in oracles), 1),
             "recall": sum(x["curve"][f][0] for x in oracles) / max(o["n"], 1)}
            for f in oracles[0].get("curve", {})]
    return summary


def type_ratio_interval(runs: list[dict], n_boot: int = 2000, seed: int = 0
                        ) -> dict[int, tuple[float, float]]:
    """95% interval of listed ÷ truly low per context type by resampling the seeds (each seed a
    region: its school-years, listed in consecutive years, are not independent)."""
    types = sorted({int(k) for r in runs for k in r["by_type"]})
    lt = np.array([[[r["by_type"].get(t, r["by_type"].get(str(t), {})).get(c, 0)
                     for c in ("listed", "true_low")] for t in types] for r in runs], float)
    rng = np.random.default_rng(seed)
    draws = lt[rng.integers(0, len(runs), (n_boot, len(runs)))].sum(axis=1)  # boot × type × 2
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = draws[:, :, 0] / np.where(draws[:, :, 1] > 0, draws[:, :, 1], np.nan)
    out = {}
    for i, t in enumerate(types):
        r = ratio[:, i][np.isfinite(ratio[:, i])]
        out[t] = (float(np.quantile(r, 0.025)), float(np.quantile(r, 0.975))) if len(r) else \
            (float("nan"), float("nan"))
    return out


def judge(name: str, value: float) -> str:
    """«met» / «**missed**» for a target of TARGETS."""
    kind, bound = TARGETS[name]
    if value != value:
        return "—"
    ok = (value >= bound if kind == ">=" else value <= bound if kind == "<=" else
          bound[0] <= value <= bound[1])
    return "met" if ok else "**missed**"


def target_rows(s: dict) -> list[tuple[str, str, str, str]]:
    """(measure, target, measured, verdict) for the report."""
    size = (f"{s['size_ratio_min']:.2f}–{s['size_ratio_max']:.2f}")
    size_ok = judge("size_ratio", s["size_ratio_min"]) == judge("size_ratio", s["size_ratio_max"]) \
        == "met"
    return [
        ("precision vs true bottom 10%", "≥ 0.85", f"{s['precision']:.3f}",
         judge("precision", s["precision"])),
        ("recall vs true bottom 10%", "≥ 0.75", f"{s['recall']:.3f}", judge("recall", s["recall"])),
        ("churn ÷ true churn", "≤ 1.3", f"{s['churn_ratio']:.2f} ({s['churn_list']:.3f} ÷ "
         f"{s['churn_true']:.3f})", judge("churn_ratio", s["churn_ratio"])),
        ("95% rank interval covers the true percentile", "0.93–0.97", f"{s['coverage']:.3f}",
         judge("coverage", s["coverage"])),
        ("listed ÷ truly low, every context type", "0.80–1.25", size,
         "met" if size_ok else "**missed**"),
    ]


def markdown(s: dict, command: str) -> str:
    """The report: targets, per year, calibration, size by type, counts."""
    lines = ["# Identification against the demo's ground truth", "",
             f"`{command}` — seeds {s['seeds'][0]}…{s['seeds'][-1]} ({len(s['seeds'])}), "
             f"{s['seconds_per_seed']:.1f} s of identification per seed.", "",
             "| measure | target | measured | verdict |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in target_rows(s)]
    lines += ["", f"List length {s['list_share']:.3f} of school-years; listed schools in the true "
              f"bottom 20%: {s['precision_bottom20']:.3f}; precision sd over seeds "
              f"{s['precision_seed_sd']:.3f}, recall sd {s['recall_seed_sd']:.3f}; coverage of the "
              f"window's mean true percentile {s['coverage_window']:.3f}."]
    lines.append("Coverage by the true percentile: " + ", ".join(
        f"{k}: {v:.3f}" for k, v in s["coverage_by_true_percentile"].items()) + ".")
    if "precision_window" in s:
        lines.append(f"Against the bottom {s['bottom_share']:.0%} of the window's mean true result "
                     f"(what the pooled level estimates): precision {s['precision_window']:.3f}, "
                     f"recall {s['recall_window']:.3f}.")
    if "oracle_precision" in s:
        lines.append(f"Ceiling (noise-free observable, list of the truth's length): precision = "
                     f"recall = {s['oracle_precision']:.3f}.")
        lines.append("Noise-free observable at other list lengths (÷ the truth's): " + ", ".join(
            f"{c['length']:.2f}: precision {c['precision']:.3f}, recall {c['recall']:.3f}"
            for c in s.get("oracle_curve", [])) + ".")
    lines += ["", "| year | listed | precision | recall |", "|---|---|---|---|"]
    lines += [f"| {y} | {v['listed']} | {v['precision']:.3f} | {v['recall']:.3f} |"
              for y, v in s["per_year"].items()]
    lines += ["", f"Calibration of prob_bottom (true bottom {s['bottom_share']:.0%}):", "",
              "| bin | n | mean predicted | observed |", "|---|---|---|---|"]
    lines += [f"| {c['bin']} | {c['n']} | {c['predicted']:.3f} | {c['observed']:.3f} |"
              for c in s["calibration"] if c["n"]]
    lines += ["", "| context type | listed | truly low | listed ÷ truly low | 95% interval over "
              "seeds |", "|---|---|---|---|---|"]
    lines += [f"| {t['context_type']} | {t['listed']} | {t['true_low']} | "
              f"{t['ratio']:.2f} | {t.get('ratio_ci_low', np.nan):.2f}–"
              f"{t.get('ratio_ci_high', np.nan):.2f} |" if t["ratio"] == t["ratio"] else
              f"| {t['context_type']} | {t['listed']} | {t['true_low']} | — | — |"
              for t in s["by_type"]]
    if "se_by_size" in s:
        lines += ["", "Sampling SE by school size (year-to-year changes against their predicted "
                  "variance; 1 and 0.5 if the SE is right):", "",
                  "| pupils | pairs | Σ change² ÷ Σ predicted | share below the χ²₁ median |",
                  "|---|---|---|---|"]
        lines += [f"| {r['pupils']} | {r['pairs']} | {r['mean_ratio']:.2f} | "
                  f"{r['share_below_median']:.3f} |" for r in s["se_by_size"]]
    lines += ["", "Counts over the judged years: " + ", ".join(
        f"{k} {v}" for k, v in sorted(s["counts"].items()))]
    return "\n".join(lines) + "\n"


SWEEP = {  # name → identification overrides: the trade-off around the defaults
    "defaults": {},
    "min_probability 0.3": {"min_probability": 0.3},
    "min_probability 0.7": {"min_probability": 0.7},
    "min_probability 0.85": {"min_probability": 0.85},
    "exit_years 1": {"exit_years": 1},
    "window_years 2": {"window_years": 2},
    "persist_years 2": {"persist_years": 2},
    "bottom_share 0.12": {"bottom_share": 0.12},
    "no subject term": {"subject_term": False},
    "no exams-only for flagged ВПР": {"objectivity_exams_only": False},
    "no Student-t years": {"year_shock_df": 0},
}


def run_variant(seeds: list[int], n_schools: int, overrides: dict, demo_overrides: dict,
                oracle: bool = False) -> dict[str, Any]:
    """The summary of one set of params over the seeds."""
    from workbench.identify import IdentifyParams

    runs = []
    for seed in seeds:
        runs.append(one_seed(seed, n_schools, overrides, demo_overrides, oracle))
        print(f"seed {seed}: listed {runs[-1]['list']['n_listed']}, "
              f"hits {runs[-1]['list']['hits']}", file=sys.stderr)
    s = summarise(runs, IdentifyParams(**overrides).bottom_share)
    s.update({"overrides": overrides, "demo_overrides": demo_overrides})
    return s


def sweep_markdown(rows: dict[str, dict], command: str) -> str:
    """One line per variant: precision, recall, list length, churn ratio, coverage, size."""
    lines = ["# Identification: the trade-off around the defaults", "", f"`{command}`", "",
             "| params | precision | recall | in true bottom 20% | list share | churn ÷ true | "
             "coverage | listed ÷ truly low by type |", "|---|---|---|---|---|---|---|---|"]
    for name, s in rows.items():
        lines.append(f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | "
                     f"{s['precision_bottom20']:.3f} | {s['list_share']:.3f} | "
                     f"{s['churn_ratio']:.2f} | {s['coverage']:.3f} | "
                     f"{s['size_ratio_min']:.2f}–{s['size_ratio_max']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="number of seeds (default 20)")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--schools", type=int, default=600)
    ap.add_argument("--set", action="append", default=[], help="identification param=value")
    ap.add_argument("--demo-set", action="append", default=[], help="demo generator param=value")
    ap.add_argument("--oracle", action="store_true", help="add the noise-free ceiling")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--name", default="identify", help="file name of the results")
    ap.add_argument("--sweep", action="store_true", help="the defaults and the SWEEP variants")
    a = ap.parse_args(argv)
    overrides, demo_overrides = parse_sets(a.set), parse_sets(a.demo_set)
    seeds = list(range(a.first_seed, a.first_seed + a.seeds))
    command = "benchmarks/bench_identify.py " + " ".join(argv if argv is not None else sys.argv[1:])
    a.out.mkdir(parents=True, exist_ok=True)
    if a.sweep:
        rows = {name: run_variant(seeds, a.schools, {**overrides, **v}, demo_overrides)
                for name, v in SWEEP.items()}
        (a.out / f"{a.name}_sweep.json").write_text(
            json.dumps(rows, ensure_ascii=False, indent=1, default=float), encoding="utf-8")
        md = sweep_markdown(rows, command.strip())
        (a.out / f"{a.name}_sweep.md").write_text(md, encoding="utf-8")
        print(md)
        return 0
    s = run_variant(seeds, a.schools, overrides, demo_overrides, a.oracle)
    (a.out / f"{a.name}.json").write_text(
        json.dumps(s, ensure_ascii=False, indent=1, default=float), encoding="utf-8")
    md = markdown(s, command.strip())
    (a.out / f"{a.name}.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

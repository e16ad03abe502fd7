"""Runs for the explorer tests: a synthetic finished run (used until/besides the real pipeline)
and a real one, plus what the tests read off the app.

`write_run` writes `tables/*.parquet` shaped like architecture.md's produced tables, plus
schools.parquet and manifest.json, for `n_schools` schools over `years`; `build_demo_run` runs
the real pipeline over the demo region.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.core.vocabulary import LISTED_CATEGORIES, RISK_FACTORS, WAVES
from workbench.explorer import classify, make_identify_params

MUNICIPALITIES = ["Северный район", "Южный район", "Озёрный район", "Город Приморск",
                  "Лесной район", "Степной район"]


def make_identification(n_schools: int = 600, years: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025),
                        seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(schools, identification) with realistic columns; categories from identify.classify."""
    rng = np.random.default_rng(seed)
    ids = [f"S{i:04d}" for i in range(n_schools)]
    schools = pd.DataFrame({
        "school_id": ids,
        "school_name": [f"Школа № {i + 1}" for i in range(n_schools)],
        "municipality": [MUNICIPALITIES[i % len(MUNICIPALITIES)] for i in range(n_schools)],
    })
    social = rng.normal(0, 1, n_schools)
    quality = 0.5 * social + rng.normal(0, 0.8, n_schools)
    n_pupils = np.where(rng.random(n_schools) < 0.05, rng.integers(2, 9, n_schools),
                        rng.integers(20, 300, n_schools))
    rows = []
    for y in years:
        n = np.maximum(1, n_pupils + rng.integers(-3, 4, n_schools))
        se = 1.0 / np.sqrt(n)
        idx = quality + rng.normal(0, 1, n_schools) * se
        soc = social + rng.normal(0, 0.05, n_schools)
        expected = 0.5 * soc
        rows.append(pd.DataFrame({
            "school_id": ids, "year": y, "n_pupils": n.astype(int), "result_index": idx,
            "result_se": se, "result_ci_low": idx - 1.96 * se, "result_ci_high": idx + 1.96 * se,
            "result_index_shrunk": idx * 0.9, "share_low": np.clip(0.12 - 0.06 * idx, 0, 1),
            "share_low_region": 0.12, "social_index": soc,
            "expected_index": expected, "value_added": idx - expected,
            "va_ci_low": idx - expected - 1.96 * se, "va_ci_high": idx - expected + 1.96 * se,
            "objectivity_flag": False,
        }))
    ident = pd.concat(rows, ignore_index=True)
    ident["social_percentile"] = ident.groupby("year")["social_index"].rank(pct=True) * 100
    classified = classify(ident, make_identify_params({}))
    return schools, classified


def write_run(run_dir: Path, n_schools: int = 600, seed: int = 7) -> Path:
    """A complete synthetic run folder; returns run_dir."""
    tables = run_dir / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    schools, ident = make_identification(n_schools, seed=seed)
    rng = np.random.default_rng(seed + 1)
    years = sorted(ident["year"].unique())
    cl_rows, dyn_rows, risk_rows, part_rows = [], [], [], []
    soc_rank = ident.groupby("year")["social_index"].rank(pct=True)
    for y in years:
        d = ident[ident["year"] == y]
        r = soc_rank[d.index]
        cluster = np.minimum(4, (r * 4).astype(int) + 1)
        cl_rows.append(pd.DataFrame({
            "school_id": d["school_id"], "year": y, "cluster": cluster.astype(int),
            "cluster_name": cluster.map({1: "Сельские малые школы", 2: "Пригородные школы",
                                         3: "Городские школы", 4: "Гимназии и лицеи"}),
            "similar_schools_percentile": rng.uniform(0, 100, len(d)),
            "regional_percentile": rng.uniform(0, 100, len(d))}))
        listed = d[d["category"].isin(["low_results", "low_results_adverse"])]
        monitored = list(listed["school_id"]) + list(d["school_id"].iloc[:40])
        for sid in dict.fromkeys(monitored):
            for ind, dom in (("Доля «2» по математике", "results"),
                             ("Индекс качества уроков", "teaching")):
                e = rng.uniform(0.1, 0.6)
                dyn_rows.append({"school_id": sid, "year": y, "domain": dom, "indicator": ind,
                                 "entry": e, "intermediate": e + rng.normal(0, 0.05),
                                 "final": e + rng.normal(0, 0.05), "change": np.nan,
                                 "peer_change": np.nan, "trend": "stable",
                                 "trend_ru": "без изменений"})
            for code, name in list(RISK_FACTORS.items())[:4]:
                sc = rng.uniform(0, 1)
                risk_rows.append({"school_id": sid, "year": y, "risk_factor": code,
                                  "risk_name": name, "score": sc,
                                  "level": "high" if sc > 0.66 else "medium" if sc > 0.33 else "low",
                                  "derived": False, "source": "анкета"})
        top = d.sort_values("result_index", ascending=False)["school_id"].tolist()
        for k, sid in enumerate(listed["school_id"]):
            part_rows.append({"school_id": sid, "year": y, "partner_id": top[k % 20], "rank": 1,
                              "score": 0.9, "assigned": True, "distance_km": 12.0,
                              "same_municipality": True, "reasons": "похожие условия, высокие результаты"})
    dyn = pd.DataFrame(dyn_rows)
    dyn["change"] = dyn["final"] - dyn["entry"]
    out = {"identification": ident, "schools": schools, "clusters": pd.concat(cl_rows),
           "dynamics": dyn, "risk_profiles": pd.DataFrame(risk_rows),
           "partners": pd.DataFrame(part_rows)}
    for name, df in out.items():
        df.reset_index(drop=True).to_parquet(tables / f"{name}.parquet", index=False)
    (run_dir / "manifest.json").write_text(json.dumps(
        {"run_id": run_dir.name, "params": {"region": "Тестовый край", "identification": {}}},
        ensure_ascii=False), encoding="utf-8")
    assert set(WAVES) <= set(dyn.columns)
    return run_dir


def build_demo_run(root: Path, n_schools: int = 200, seed: int = 2026) -> Path:
    """The real pipeline (demo generator + `pipeline.run` without notebooks) in `root`;
    returns the params file (its run is root/outputs/demo)."""
    from workbench import demo, pipeline

    params = root / "params" / "demo.yaml"
    demo.write_demo(root / "data" / "demo", params, n_schools=n_schools, seed=seed)
    pipeline.run(params, use_notebooks=False)
    return params


def listed_count(app) -> int:
    """The size of the ШНОР list the explorer's headline shows."""
    return int(re.search(r"Список ШНОР: <b>(\d+)</b>", app.count.value).group(1))


def listed_ids(df: pd.DataFrame, year: int) -> set[str]:
    """The codes of the listed schools of one year in a classification."""
    d = df[(df["year"] == year) & df["category"].isin(LISTED_CATEGORIES)]
    return set(d["school_id"])

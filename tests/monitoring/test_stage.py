"""monitoring.run(ctx): the four tables written, what the notebook gets, deterministic output;
a run without identification or monitoring."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.monitoring import PARAMS, monitoring_run

from workbench import monitoring as mon
from workbench.config import parse_params
from workbench.context import RunContext


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return monitoring_run(tmp_path_factory.mktemp("mon_stage"))


def test_stage_writes_tables(run_dir):
    ctx = RunContext(parse_params(PARAMS), run_dir)
    out = mon.run(ctx)
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
    assert {"cohort_ru", "n_cohort", "se", "mde", "indicator_ru"} <= set(eff.columns)
    assert set(eff.loc[eff["estimate"] == "placebo DiD", "year"]) == {2021}  # before the selection
    comp = pd.read_parquet(run_dir / "tables" / "monitoring_completeness.parquet")
    assert list(comp.columns[:6]) == ["school_id", "year", "municipality", "domain", "domain_ru", "wave"]
    assert comp["present"].dtype == bool
    assert isinstance(out["conclusion"], str) and out["conclusion"].startswith("Участники")
    assert out["fig_effect"] is not None and out["fig_trajectories"] is not None
    assert out["fig_effect"].layout.title.text.startswith("Событийный анализ")
    assert out["fig_slope"]["results"] is not None
    # deterministic: a second run writes identical tables
    first = {n: (run_dir / "tables" / f"{n}.csv").read_bytes() for n in
             ("dynamics", "effectiveness", "monitoring_completeness", "exits")}
    mon.run(RunContext(parse_params(PARAMS), run_dir))
    for n, b in first.items():
        assert (run_dir / "tables" / f"{n}.csv").read_bytes() == b, n


def test_stage_without_identification_or_monitoring(tmp_path):
    ctx = RunContext(parse_params(PARAMS), tmp_path)
    ctx.write_canonical("schools", pd.DataFrame({"school_id": ["1"], "school_name": ["Школа"],
                                                 "municipality": ["М"]}))
    out = mon.run(ctx)
    assert out["conclusion"].startswith("Оценить эффект программы нельзя")
    for name in ("dynamics", "effectiveness", "monitoring_completeness", "exits"):
        assert (tmp_path / "tables" / f"{name}.csv").exists()
    notes = (tmp_path / ".meta" / "notes.json").read_text(encoding="utf-8")
    assert "нет таблицы identification" in notes


def test_stage_says_when_no_placebo_is_possible(run_dir, tmp_path):
    """Data that start inside the selection window (2022–2023 for a programme from 2024): the
    effect is estimated, and the manifest says that the placebo could not be made."""
    src = RunContext(parse_params(PARAMS), run_dir)
    ctx = RunContext(parse_params(PARAMS), tmp_path)
    for name in ("schools", "monitoring", "programme"):
        ctx.write_canonical(name, src.table(name))
    idn = src.table("identification")
    ctx.write_table("identification", idn[idn["year"] >= 2022])
    out = mon.run(ctx)
    eff = ctx.table("effectiveness")
    assert (eff["estimate"] == "DiD").any() and not eff["estimate"].str.startswith("placebo").any()
    notes = (tmp_path / ".meta" / "notes.json").read_text(encoding="utf-8")
    assert "плацебо-проверку провести нельзя — в данных нет лет до окна отбора участников (2 года" in notes
    assert "Плацебо-проверку провести нельзя" in out["conclusion"]

"""The monitoring stage: dynamics (step 1), completeness (2), exits (3) and the programme
effect (4) from the run's tables; writes the four tables, leaves its remarks for the manifest
and returns what notebook 04 shows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.config.monitoring import MonitoringParams
from workbench.context import RunContext
from workbench.core.formatting import years_ru
from workbench.core.vocabulary import DOMAINS
from workbench.monitoring.completeness import (COMPLETENESS_KEY, completeness_summary,
                                               compute_completeness, missing_waves)
from workbench.monitoring.conclusions import overall_conclusion
from workbench.monitoring.display import pick_schools_to_show, trend_counts
from workbench.monitoring.dynamics import DYNAMICS_KEY, compute_dynamics
from workbench.monitoring.effect import EFFECT_KEY, compute_effectiveness
from workbench.monitoring.estimates import EST_DID, PLACEBOS
from workbench.monitoring.exits import EXITS_KEY, compute_exits, exit_shares
from workbench.monitoring.figures import fig_event_study, fig_exits, fig_slope, fig_trajectories


@dataclass
class _Inputs:
    """The tables the stage reads (identification empty and clusters None when not produced)."""

    monitoring: pd.DataFrame
    programme: pd.DataFrame
    schools: pd.DataFrame
    identification: pd.DataFrame
    clusters: pd.DataFrame | None


@dataclass
class _Tables:
    """The tables the stage writes."""

    dynamics: pd.DataFrame
    completeness: pd.DataFrame
    exits: pd.DataFrame
    effectiveness: pd.DataFrame


def _read(ctx: RunContext) -> _Inputs:
    return _Inputs(
        monitoring=ctx.table("monitoring"), programme=ctx.table("programme"),
        schools=ctx.table("schools"),
        identification=ctx.table("identification") if ctx.has_table("identification") else pd.DataFrame(),
        clusters=ctx.table("clusters") if ctx.has_table("clusters") else None)


def _compute(i: _Inputs, params: MonitoringParams) -> _Tables:
    dynamics = compute_dynamics(i.monitoring, i.clusters, params)
    return _Tables(dynamics=dynamics,
                   completeness=compute_completeness(i.monitoring, i.programme, i.schools, params),
                   exits=compute_exits(i.identification, i.schools, i.clusters),
                   effectiveness=compute_effectiveness(i.identification, i.programme, dynamics, params))


def _write(ctx: RunContext, t: _Tables) -> None:
    ctx.write_table("dynamics", t.dynamics, key=DYNAMICS_KEY)
    ctx.write_table("monitoring_completeness", t.completeness, key=COMPLETENESS_KEY)
    ctx.write_table("exits", t.exits, key=EXITS_KEY)
    ctx.write_table("effectiveness", t.effectiveness, key=EFFECT_KEY)


def _notes(ctx: RunContext, i: _Inputs, t: _Tables, missing: pd.DataFrame,
           params: MonitoringParams) -> None:
    """Remarks for the manifest: what could not be computed, gaps, excluded anomalies."""
    if len(i.monitoring) == 0:
        ctx.note("Мониторинг: данные мониторинга не переданы — динамика и полнота не рассчитаны.")
    if len(missing):
        ctx.note(f"Мониторинг: у {missing[['school_id', 'year']].drop_duplicates().shape[0]} "
                 "школ-участниц пропущены замеры по графику (см. monitoring_completeness); "
                 "пропуски не заполнялись.")
    eff = t.effectiveness
    did_rows = eff[eff["estimate"] == EST_DID] if len(eff) else eff
    if len(did_rows) and did_rows["n_outliers"].fillna(0).max() > 0:
        ctx.note("Эффект программы: школы с аномальным скачком индекса результатов (более "
                 f"{params.outlier_mad:g} стандартных отклонений) не включены в оценку; их число — "
                 "в столбце n_outliers таблицы effectiveness.")
    if len(i.identification) == 0:
        ctx.note("Мониторинг: нет таблицы identification — выход из списка и эффект программы не оценены.")
    if len(did_rows) and not eff["estimate"].isin(PLACEBOS).any():
        ctx.note("Эффект программы: плацебо-проверку провести нельзя — в данных нет лет до окна отбора "
                 f"участников ({years_ru(params.match_lags)} перед началом программы), поэтому сопоставимость "
                 "участников и подобранных школ до программы не проверена.")


def _shown(i: _Inputs, t: _Tables, missing: pd.DataFrame, params: MonitoringParams) -> dict[str, Any]:
    """What the notebook shows: figures, small tables, the conclusion."""
    dynamics = t.dynamics
    year = int(dynamics["year"].max()) if len(dynamics) else None
    picks = pick_schools_to_show(dynamics, year)
    res_ind = sorted(dynamics.loc[dynamics["domain"] == "results", "indicator"].unique()) if len(dynamics) else []
    figs_slope = {dom: fig_slope(dynamics, i.schools, dom, year=year)
                  for dom in DOMAINS if len(dynamics) and (dynamics["domain"] == dom).any()}
    figs_slope = {k: v for k, v in figs_slope.items() if v is not None}  # single-wave domains
    by_mun = exit_shares(t.exits, "municipality")
    by_cl = exit_shares(t.exits, "cluster") if i.clusters is not None else pd.DataFrame()
    return {
        "year": year,
        "dynamics": dynamics,
        "trend_counts": trend_counts(dynamics),
        "fig_slope": figs_slope,
        "schools_shown": picks,
        "fig_trajectories": fig_trajectories(i.monitoring, i.clusters, picks, res_ind[0], year, i.schools)
        if res_ind and year is not None else None,
        "completeness": t.completeness,
        "completeness_summary": completeness_summary(t.completeness),
        "missing": missing,
        "exits": t.exits,
        "exits_by_municipality": by_mun,
        "exits_by_cluster": by_cl,
        "fig_exits": fig_exits(by_mun, "municipality"),
        "effectiveness": t.effectiveness,
        "fig_effect": fig_event_study(t.effectiveness, params.match_lags),
        "conclusion": overall_conclusion(t.effectiveness, params.mde_power),
    }


def run(ctx: RunContext) -> dict[str, Any]:
    """Compute and write dynamics, monitoring_completeness, exits, effectiveness; return what the
    notebook shows (figures, small tables, the conclusion)."""
    params: MonitoringParams = ctx.params.monitoring
    inputs = _read(ctx)
    tables = _compute(inputs, params)
    _write(ctx, tables)
    missing = missing_waves(tables.completeness)
    _notes(ctx, inputs, tables, missing, params)
    return _shown(inputs, tables, missing, params)

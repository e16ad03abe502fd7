"""The monitoring view of one school: its indicator over the waves against the mean of its
cluster peers, the note under the chart, and a hint which schools have monitoring data."""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.core.formatting import fmt_num
from workbench.core.vocabulary import WAVES, WAVES_RU
from workbench.explorer.data import ExplorerData
from workbench.explorer.escape import esc

HINT_NAMES = 12  # schools named in the «who has monitoring data» hint


def _empty_series(year: int) -> dict[str, Any]:
    return {"indicators": [], "indicator": None, "domain": None,
            "waves_ru": [WAVES_RU[w] for w in WAVES], "school": [], "peers": [], "n_peers": 0,
            "trend_ru": "", "year": year, "peer_label": "", "change": None}


def _cluster_peers(data: ExplorerData, peers: pd.DataFrame, school_id: str,
                   year: int) -> tuple[pd.DataFrame, str]:
    """The peers of the school's cluster in `year` (all of `peers` when there are no clusters
    or no monitored school in its cluster), and how the note names them."""
    cl = data.clusters
    if cl is not None and not cl.empty:
        cy = cl[cl["year"] == year]
        mycl = cy.loc[cy["school_id"] == school_id, "cluster"]
        if not mycl.empty:
            same = set(cy.loc[cy["cluster"] == mycl.iloc[0], "school_id"])
            in_cluster = peers[peers["school_id"].isin(same)]
            if not in_cluster.empty:  # else: fall back to every monitored school
                return in_cluster, f"школы того же кластера ({int(mycl.iloc[0])})"
    return peers, "все школы мониторинга"


def monitoring_series(data: ExplorerData, school_id: str, year: int,
                      indicator: str | None = None) -> dict[str, Any]:
    """Trajectory of one school's monitoring indicator over the waves and the mean trajectory of
    its cluster peers (same cluster and year; all monitored schools when no clusters).

    Returns {"indicators": [...], "indicator", "domain", "waves_ru", "school": [3 values],
    "peers": [3 values], "n_peers", "trend_ru", "year"}; empty lists when nothing is monitored.
    """
    dyn = data.dynamics
    if dyn is None or dyn.empty:
        return _empty_series(year)
    mine = dyn[dyn["school_id"] == school_id]
    if mine.empty:
        return _empty_series(year)
    if not (mine["year"] == year).any():
        year = int(mine["year"].max())
    mine = mine[mine["year"] == year]
    indicators = sorted(mine["indicator"].astype(str).unique())
    ind = indicator if indicator in indicators else indicators[0]
    row = mine[mine["indicator"] == ind].iloc[0]
    peers_all = dyn[(dyn["year"] == year) & (dyn["indicator"] == ind) &
                    (dyn["school_id"] != school_id)]
    peers_all, peer_label = _cluster_peers(data, peers_all, school_id, year)
    waves = [w for w in WAVES if w in dyn.columns]
    trend = row.get("trend_ru", row.get("trend", ""))
    return {"indicators": indicators, "indicator": ind, "domain": row.get("domain"),
            "waves_ru": [WAVES_RU[w] for w in waves],
            "school": [float(row[w]) if pd.notna(row[w]) else None for w in waves],
            "peers": [float(peers_all[w].mean()) if peers_all[w].notna().any() else None
                      for w in waves],
            "n_peers": int(len(peers_all)), "trend_ru": "" if pd.isna(trend) else str(trend),
            "year": year, "peer_label": peer_label,
            "change": float(row["change"]) if "change" in row.index and pd.notna(row["change"])
            else None}


def monitored_hint_html(data: ExplorerData, view: pd.DataFrame, limit: int = HINT_NAMES) -> str:
    """Which schools of the current filter have monitoring data (to pick one of them)."""
    dyn = data.dynamics
    if dyn is None or dyn.empty:
        return "<p class='wb-note'>В расчёте нет данных мониторинга.</p>"
    ids = set(dyn["school_id"])
    v = view[view["school_id"].isin(ids)].sort_values("school_name")
    if v.empty:
        return "<p class='wb-note'>В текущем фильтре нет школ с данными мониторинга.</p>"
    names = ", ".join(esc(n) for n in v["school_name"].head(limit))
    more = f" и ещё {len(v) - limit}" if len(v) > limit else ""
    return (f"<p class='wb-note'>Данные мониторинга есть у {len(v)} школ в текущем фильтре: "
            f"{names}{more}.</p>")


def monitoring_note_html(series: dict[str, Any], data: ExplorerData, view: pd.DataFrame) -> str:
    """The line under the monitoring chart: year, peers, change, trajectory (or, for a school
    without monitoring, which schools of the filter have it)."""
    s = series
    if not s["indicator"]:
        return "<p>Школа не участвовала в мониторинге.</p>" + monitored_hint_html(data, view)
    ch = f"изменение за год: {fmt_num(s['change'])}; " if s["change"] is not None else ""
    return (f"<p>{s['year']}/{str(s['year'] + 1)[-2:]} уч. год; "
            f"сравнение: {esc(s['peer_label'])}, {s['n_peers']} шк.; "
            f"{ch}траектория: <b>{esc(s['trend_ru']) or '—'}</b></p>")

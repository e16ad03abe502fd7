"""Step 4 of the briefings: every table grouped by school once, and the regional references
computed once, so that a page costs dict look-ups only (no DataFrame scan per school).

`prepare(tables)` → `Prepared`: one record per school (identity, its identification row of the
current year, cluster, programme, latest context, category), its rows of every produced table,
and the region's references (`RegionRefs`: spread of the result index, medians by year, shares of
«2» per subject, context medians). `school_input(prepared, school_id)` cuts out what the view model
of one school reads (`SchoolInput`, see `school_view.school_view`).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from workbench.briefings.charts import Spread
from workbench.briefings.labels import NO_DATA
from workbench.briefings.risk_profiles import latest_per_school
from workbench.briefings.tech_map_xlsx import municipality_file_names
from workbench.core.formatting import finite as _num
from workbench.core.tables import INDICATOR_LABELS_RU, STANDARD_INDICATORS
from workbench.core.vocabulary import CATEGORIES, LISTED_CATEGORIES

# tables of the earlier stages (and of this one) a briefing shows when the run has them
PRODUCED = ["identification", "list_changes", "clusters", "cluster_profiles", "partners",
            "dynamics", "effectiveness", "monitoring_completeness", "exits", "risk_profiles",
            "tech_map", "curator_assignments"]
# tables grouped per school (a passport reads only its own rows)
PER_SCHOOL = ("identification", "results", "monitoring", "dynamics", "risk_profiles", "tech_map",
              "partners", "list_changes", "monitoring_completeness", "exits", "curator_assignments")


@dataclass(frozen=True)
class RegionRefs:
    """What every passport of the run compares its school with, computed once."""

    year: int | None                   # the current year of the run
    index: Spread                      # result index of every school in the current year
    index_by_year: dict[int, float]    # regional median of the result index per year
    share_low: dict[tuple, float]      # regional share of «2» per (procedure, subject, grade)
    context: dict[str, float]          # regional median of each context indicator
    context_cols: list[str]            # context indicators shown, in display order
    risk_names: dict[str, str]         # risk factor code → name (params `risks.risk_factors`)
    missing: list[str]                 # produced tables this run does not have
    indicator_labels: dict[str, str] = field(  # context indicator → Russian name (params labels)
        default_factory=lambda: dict(INDICATOR_LABELS_RU))


@dataclass(frozen=True)
class SchoolInput:
    """What the view model of one school reads (`school_view.school_view`).

    school: the school's record (`Prepared.schools`: its columns of `schools`, and `ident` (its
    identification row of the current year), `cluster`, `programme`, `context` (latest row),
    `category`, `category_ru`, `category_prev`, `listed`, `listed_prev`, `mun_slug`);
    rows: its rows of each table of `PER_SCHOOL` as dicts, plus `supports` (the partner rows in
    which it is the resource school); peers: the result index spread of its cluster;
    region: the regional references; schools: every school's record by id (names and pages of
    partners)."""

    school: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    peers: Spread
    region: RegionRefs
    schools: Mapping[str, dict[str, Any]]


@dataclass
class Prepared:
    """Everything the templates need, grouped once by school / municipality."""

    region: str
    run_id: str
    refs: RegionRefs
    schools: list[dict[str, Any]]                          # sorted by municipality and name
    school_by_id: dict[str, dict[str, Any]]
    by_school: dict[str, dict[str, list[dict[str, Any]]]]
    peers_spread: dict[Any, Spread]                        # cluster → spread of its indices
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return self.refs.year

    @property
    def missing(self) -> list[str]:
        return self.refs.missing


def school_input(p: Prepared, school_id: str) -> SchoolInput:
    """The input of the view model of one school, cut out of the prepared run."""
    s = p.school_by_id[school_id]
    peers = p.peers_spread.get(s["cluster"].get("cluster"), Spread(0)) if s["cluster"] \
        else Spread(0)
    return SchoolInput(school=s, rows=p.by_school[school_id], peers=peers, region=p.refs,
                       schools=p.school_by_id)


# ============================================================================ helpers
def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with every missing value (NaN, NA, NaT) as None, so that templates and
    `x or ""` never show «nan»."""
    recs = df.to_dict("records")
    for r in recs:
        for k, v in r.items():
            if v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                r[k] = None
    return recs


def truthy(x: Any) -> bool:
    """A flag of any table cell: bools, numbers (≠ 0) and «true» / «да» / «1»."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    v = _num(x)
    if v is not None:
        return v != 0
    return str(x).strip().lower() in ("true", "да", "1")


def natural_key(text: str) -> list[Any]:
    """Sort key with numbers compared as numbers: «СОШ № 2» before «СОШ № 10»."""
    return [(0, int(t), "") if t.isdecimal() else (1, 0, t.lower())
            for t in re.split(r"(\d+)", text) if t]


def current_year(tables: dict[str, pd.DataFrame | None]) -> int | None:
    """Latest year of identification, else of results / context."""
    for name in ("identification", "results", "context"):
        df = tables.get(name)
        if df is not None and len(df) and "year" in df:
            return int(pd.to_numeric(df["year"]).max())
    return None


def _records_by_school(df: pd.DataFrame | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if df is None or len(df) == 0 or "school_id" not in df:
        return out
    df = df.assign(school_id=df["school_id"].astype(str))
    for rec in records(df):
        out[rec["school_id"]].append(rec)
    return out


def _by_id(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(school_id=df["school_id"].astype(str))


# ============================================================================ prepare
def prepare(tables: dict[str, pd.DataFrame | None], region: str = "Регион", run_id: str = "",
            risk_names: dict[str, str] | None = None,
            indicator_labels: dict[str, str] | None = None) -> Prepared:
    """Group every table by school once and compute the regional references (indicator_labels:
    Russian names of the context indicators, params' labels of declared ones included)."""
    tables = {k: v for k, v in tables.items() if v is not None}
    year = current_year(tables)
    missing = [n for n in PRODUCED if n not in tables or tables[n] is None]
    ident = _identification(tables.get("identification"), year)
    cur_cluster, peers = _clusters(tables.get("clusters"), year, ident["current"])
    context_cols, region_context, latest_ctx = _context(tables.get("context"), year)
    refs = RegionRefs(year=year, index=Spread.of(ident["index"]),  # once, not per school page
                      index_by_year=ident["by_year"],
                      share_low=_region_share_low(tables.get("results"), year),
                      context=region_context, context_cols=context_cols,
                      risk_names=dict(risk_names or {}), missing=missing,
                      indicator_labels=dict(indicator_labels or INDICATOR_LABELS_RU))
    parts = {"ident": ident["current"], "cluster": cur_cluster, "context": latest_ctx,
             "programme": _programme(tables.get("programme"), year)}
    schools_df = tables.get("schools", pd.DataFrame(columns=["school_id", "school_name",
                                                             "municipality"]))
    mun_files = municipality_file_names(schools_df)
    school_recs = [_school_record(rec, parts, ident["previous"], mun_files)
                   for rec in records(_by_id(schools_df))]
    grouped = _grouped(tables, year)
    supports = _supports(tables.get("partners"), year)
    by_school: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for info in school_recs:
        sid = info["school_id"]
        by_school[sid] = {name: g.get(sid, []) for name, g in grouped.items()}
        by_school[sid]["supports"] = supports.get(sid, [])
    school_recs.sort(key=lambda s: (natural_key(str(s.get("municipality", ""))),
                                    natural_key(str(s.get("school_name", ""))), s["school_id"]))
    return Prepared(region=region, run_id=run_id, refs=refs, schools=school_recs,
                    school_by_id={s["school_id"]: s for s in school_recs}, by_school=by_school,
                    peers_spread={c: Spread.of(v) for c, v in peers.items()}, tables=tables)


def _identification(ident: pd.DataFrame | None, year: int | None) -> dict[str, Any]:
    """Current identification rows by school, last year's categories, the current result
    indices and the regional median index per year."""
    out: dict[str, Any] = {"current": {}, "previous": {}, "index": [], "by_year": {}}
    if ident is None or not len(ident):
        return out
    ident = _by_id(ident)
    cur = ident[ident["year"] == year]
    out["current"] = {r["school_id"]: r for r in records(cur)}
    prev = ident[ident["year"] == (year - 1 if year is not None else None)]
    out["previous"] = dict(zip(prev["school_id"], prev["category"])) if "category" in prev else {}
    if "result_index" in ident:
        out["index"] = [float(v) for v in cur["result_index"].dropna()]
        out["by_year"] = {int(y): float(v) for y, v in
                          ident.groupby("year")["result_index"].median().items() if v == v}
    return out


def _clusters(clusters: pd.DataFrame | None, year: int | None,
              cur_ident: dict[str, dict[str, Any]]
              ) -> tuple[dict[str, dict[str, Any]], dict[Any, list[float]]]:
    """Cluster rows of the current year (else the latest) by school, and the result indices of
    each cluster's schools."""
    cur: dict[str, dict[str, Any]] = {}
    peers: dict[Any, list[float]] = defaultdict(list)
    if clusters is None or not len(clusters):
        return cur, peers
    c = _by_id(clusters)
    c = c[c["year"] == (year if year in set(c["year"]) else c["year"].max())]
    cur = {r["school_id"]: r for r in records(c)}
    for sid, r in cur.items():
        v = _num(cur_ident.get(sid, {}).get("result_index"))
        if v is not None:
            peers[r.get("cluster")].append(v)
    return cur, peers


def _programme(programme: pd.DataFrame | None, year: int | None) -> dict[str, dict[str, Any]]:
    """The latest programme row (≤ the current year) by school."""
    if programme is None or not len(programme):
        return {}
    p = _by_id(programme)
    p = p[p["year"] <= (year or p["year"].max())].sort_values("year")
    return {r["school_id"]: r for r in records(p)}  # latest year wins


def _context(context: pd.DataFrame | None, year: int | None
             ) -> tuple[list[str], dict[str, float], dict[str, dict[str, Any]]]:
    """Numeric context indicators in display order, their regional medians and each school's
    latest context row."""
    if context is None or not len(context):
        return [], {}, {}
    cl = latest_per_school(_by_id(context), year or int(context["year"].max()))
    cols = [c for c in cl.columns if c not in ("school_id", "year")
            and pd.api.types.is_numeric_dtype(cl[c])]
    cols.sort(key=lambda c: (list(STANDARD_INDICATORS).index(c)
                             if c in STANDARD_INDICATORS else 99, c))
    medians = {c: float(cl[c].median()) for c in cols if cl[c].notna().any()}
    return cols, medians, {r["school_id"]: r for r in records(cl)}


def _region_share_low(results: pd.DataFrame | None, year: int | None) -> dict[tuple, float]:
    """The region's share of «2» per (procedure, subject, grade) in the current year."""
    if results is None or not len(results) or "n_low" not in results or year is None:
        return {}
    r = results[(results["year"] == year) & results["n_low"].notna()]
    g = r.groupby(["procedure", "subject", "grade"])[["n_low", "n_participants"]].sum()
    g = g[g["n_participants"] > 0]
    return {k: float(v) for k, v in (g["n_low"] / g["n_participants"]).items()}


def _grouped(tables: dict[str, pd.DataFrame], year: int | None
             ) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Rows of each per-school table by school."""
    # a passport shows only the current year's results rows (the other years reach it through
    # identification): grouping the rest would cost millions of dicts at national scale
    rows_by_table = dict(tables)
    results = tables.get("results")
    if results is not None and len(results) and "year" in results and year is not None:
        rows_by_table["results"] = results[results["year"] == year]
    return {name: _records_by_school(rows_by_table.get(name)) for name in PER_SCHOOL}


def _supports(partners: pd.DataFrame | None, year: int | None) -> dict[str, list[dict[str, Any]]]:
    """Reverse partner links: the assigned pairs of the year in which a school is the partner."""
    supports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if partners is None or not len(partners) or "partner_id" not in partners:
        return supports
    pp = partners.assign(partner_id=partners["partner_id"].astype(str),
                         school_id=partners["school_id"].astype(str))
    if "year" in pp and year is not None:
        pp = pp[pp["year"] == year]
    if "assigned" in pp:
        pp = pp[pp["assigned"].map(truthy)]
    for rec in records(pp):
        supports[rec["partner_id"]].append(rec)
    return supports


def _school_record(rec: dict[str, Any], parts: dict[str, dict[str, dict[str, Any]]],
                   prev_cat: dict[str, Any], mun_files: dict[str, str]) -> dict[str, Any]:
    """One school's record: its `schools` row with its rows of the year and its category."""
    sid = rec["school_id"]
    info = dict(rec)
    idr = parts["ident"].get(sid, {})
    info["ident"] = idr
    cat = idr.get("category") if idr else None
    info["category"] = cat if isinstance(cat, str) else None
    info["category_ru"] = CATEGORIES.get(info["category"], NO_DATA) if info["category"] else NO_DATA
    info["cluster"] = parts["cluster"].get(sid, {})
    info["programme"] = parts["programme"].get(sid, {})
    info["context"] = parts["context"].get(sid, {})
    mun = rec.get("municipality")
    info["mun_slug"] = mun_files[str(mun) if mun is not None else ""]
    info["listed"] = info["category"] in LISTED_CATEGORIES
    pc = prev_cat.get(sid)
    info["category_prev"] = pc if isinstance(pc, str) else None
    info["listed_prev"] = info["category_prev"] in LISTED_CATEGORIES
    return info

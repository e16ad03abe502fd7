"""The briefings stage (design §1 step 6 and §6): risk profiles and technological maps of the
listed schools (tables `risk_profiles`, `tech_map` and one workbook per municipality), then every
HTML briefing — the region, each municipality, a one-page passport per school and the index.

Steps: 1 `risk_profiles`, 2 `tech_map`, 3 `tech_map_xlsx`, 4 `prepare` (group-bys once),
5–7 the view models (`school_view`, `municipality_view`, `region_view`), 8 `render`. Any figure
computed from fewer than `briefings.min_cell` pupils is suppressed on every page.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd

from workbench.briefings.prepare import PRODUCED, current_year, prepare
from workbench.briefings.render import render_all
from workbench.briefings.risk_profiles import RISK_PROFILE_COLUMNS, listed_schools, risk_profiles
from workbench.briefings.tech_map import TECH_MAP_COLUMNS, full_form
from workbench.briefings.tech_map_facts import SchoolFacts, school_facts
from workbench.briefings.tech_map_xlsx import write_tech_map_xlsx
from workbench.config.briefings import BriefingsParams, RisksParams
from workbench.context import RunContext
from workbench.core.formatting import plural_ru
from workbench.core.tables import CANONICAL_TABLES

Tables = dict[str, pd.DataFrame | None]
log = logging.getLogger("workbench")


def run(ctx: RunContext) -> dict[str, Any]:
    """Risk profiles + technological maps (tables and xlsx), then all HTML briefings."""
    t0 = time.perf_counter()
    params: BriefingsParams = ctx.params.briefings
    rparams: RisksParams = ctx.params.risks
    tables = read_tables(ctx)
    for name in ("curator_assignments", "curators"):  # the clusters stage's, when it wrote one
        if tables.get(name) is None and name not in CANONICAL_TABLES and ctx.has_table(name):
            tables[name] = ctx.table(name)
    year = current_year(tables)
    facts = school_facts(tables, year, params.min_cell) if year is not None else None
    prof, tmap, full = compute_risks(tables, rparams, year, facts)
    ctx.write_table("risk_profiles", prof, key=["school_id", "year", "risk_factor"])
    ctx.write_table("tech_map", tmap, key=["school_id", "year", "priority"])
    tables["risk_profiles"], tables["tech_map"] = prof, tmap
    out_dir = ctx.run_dir / "briefings"
    xlsx: dict[str, str] = {}
    if params.xlsx_tech_maps and len(tmap):
        files = write_tech_map_xlsx(full, tables["schools"], out_dir / "tech_maps",
                                    rparams.risk_factors, facts)
        xlsx = {f.stem: f"../tech_maps/{f.name}" for f in files}
    if tables.get("identification") is None:
        ctx.note("Справки: нет таблицы идентификации — категории и профили рисков не показаны.")
    n_derived = int(prof["derived"].sum()) if len(prof) else 0
    if n_derived:  # noted before rendering: the region page lists the run's notes
        what = plural_ru(n_derived, "значение фактора рассчитано",
                         "значения факторов рассчитаны", "значений факторов рассчитаны")
        ctx.note(f"Профили рисков: {n_derived} {what} по данным "
                 f"{derived_sources_ru(prof[prof['derived']])} (нет анкет).")
    p = prepare(tables, region=ctx.params.region, run_id=ctx.params.run_id,
                risk_names=rparams.risk_factors, indicator_labels=ctx.params.indicator_labels())
    t1 = time.perf_counter()
    inputs = ctx.read_meta("inputs", [])  # ingest's row accounting: the rejected-rows banner
    quality = {"rejected": sum(int(i.get("rows_rejected", 0)) for i in inputs),
               "read": sum(int(i.get("rows_read", 0)) for i in inputs)}
    info = render_all(p, out_dir, params, xlsx, quality=quality,
                      run_notes=ctx.read_meta("notes", []),
                      reports_link="reports" in ctx.params.stages)
    t2 = time.perf_counter()
    return {"summary": _summary(info, prof, tmap, t1 - t0, t2 - t1),
            "risk_profiles": prof, "tech_map": tmap,
            "region_html": out_dir / "region.html", "index_html": out_dir / "index.html",
            "seconds": t2 - t0, "median_school_ms": info["median_school_ms"],
            "n_briefings": info["n_school"] + info["n_municipality"] + 2}


def derived_sources_ru(derived: pd.DataFrame) -> str:
    """«контекста и результатов»: the inputs the derived scores were computed from. Their
    `source` lists the indicators: the share of «2» is results, «мониторинг: …» monitoring, any
    other a context indicator."""
    kinds = set()
    for src in derived["source"].astype(str):
        for name in src.removeprefix("расчёт по данным: ").split(", "):
            kinds.add("результатов" if name.startswith("доля «2»") else
                      "мониторинга" if name.startswith("мониторинг:") else "контекста")
    used = [k for k in ("контекста", "результатов", "мониторинга") if k in kinds]
    return used[0] if len(used) == 1 else ", ".join(used[:-1]) + " и " + used[-1]


def read_tables(ctx: RunContext) -> Tables:
    """Canonical tables and whatever produced tables exist in this run (None when absent)."""
    out: Tables = {n: ctx.table(n) for n in CANONICAL_TABLES}
    for n in PRODUCED:
        out[n] = ctx.table(n) if ctx.has_table(n) else None
    return out


def compute_risks(tables: Tables, rparams: RisksParams, year: int | None,
                  facts: SchoolFacts | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """risk_profiles, tech_map and the full appendix-2 form of the listed schools of `year`."""
    ident = tables.get("identification")
    if ident is None or year is None:
        empty = pd.DataFrame(columns=TECH_MAP_COLUMNS)
        return pd.DataFrame(columns=RISK_PROFILE_COLUMNS), empty, empty
    ids = listed_schools(ident, year, rparams.categories)
    share_low = None
    if "share_low" in ident:
        cur = ident[ident["year"] == year]
        share_low = pd.Series(cur["share_low"].astype(float).values,
                              index=cur["school_id"].astype(str))
    prof = risk_profiles(ids, year, tables.get("risk_survey"), tables.get("context"),
                         tables.get("results"), rparams, share_low=share_low,
                         monitoring=tables.get("monitoring"))
    full = full_form(prof, rparams, facts)
    tmap = full[full["priority"].notna()].astype({"priority": int})
    tmap = tmap.sort_values(["school_id", "year", "priority"], kind="mergesort")
    return prof, tmap[TECH_MAP_COLUMNS].reset_index(drop=True), full


def _summary(info: dict[str, Any], prof: pd.DataFrame, tmap: pd.DataFrame, prepare_s: float,
             render_s: float) -> pd.DataFrame:
    """What the notebook shows: pages, profiles and map rows (Russian). The times are not shown
    (they differ from run to run, and the notebook must not: they are in the run log)."""
    log.info("briefings: prepare %.2f s, render %.2f s, median passport %.1f ms", prepare_s,
             render_s, info["median_school_ms"])
    return pd.DataFrame({
        "Показатель": ["Паспортов школ", "Справок муниципалитетов", "Школ с профилем рисков",
                       "Строк технологических карт"],
        "Значение": [str(v) for v in (
            info["n_school"], info["n_municipality"],
            int(prof["school_id"].nunique()) if len(prof) else 0, len(tmap))]})

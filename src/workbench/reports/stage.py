"""The reports stage: the quarterly analytical report of the period (params `report.period` or
`workbench run --period`, e.g. 2026-Q1) and the annual summary report of a school year (e.g.
2025), written to `reports/` as printable HTML and xlsx, and the table `plan_execution` (the
plan's counts by school at the report's quarter end).

Without a period: the quarterly report of the latest quarter whose statuses the plans have, and
the annual report of the latest year of identification. What cannot be reported is said in a
Russian note."""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.context import RunContext
from workbench.core.tables import CANONICAL_TABLES
from workbench.reports.annual import annual_report, last_reported
from workbench.reports.period import Quarter, parse_period, quarter_of_status
from workbench.reports.plan_status import counts, measures_at
from workbench.reports.quarterly import quarterly_report
from workbench.reports.render import write_html, write_index, write_xlsx

PRODUCED = ("identification", "list_changes", "exits", "dynamics", "effectiveness")
EXECUTION = ["school_id", "year", "quarter", "measures", "due", "done", "done_due", "overdue",
             "not_reported", "share_done_due"]


def read_tables(ctx: RunContext) -> dict[str, pd.DataFrame | None]:
    """Canonical tables and the produced ones the reports read (None when absent)."""
    out: dict[str, pd.DataFrame | None] = {n: ctx.table(n) for n in CANONICAL_TABLES}
    for n in PRODUCED:
        out[n] = ctx.table(n) if ctx.has_table(n) else None
    return out


def latest_year(tables: dict[str, pd.DataFrame | None]) -> int | None:
    """The latest school year of identification, else of the plans."""
    for name in ("identification", "plan"):
        t = tables.get(name)
        if t is not None and len(t):
            return int(pd.to_numeric(t["year"], errors="coerce").max())
    return None


def latest_quarter(plan: pd.DataFrame | None, year: int | None) -> Quarter | None:
    """The latest quarter end of the (latest) plan year with any status reported."""
    if plan is None or not len(plan):
        return None
    y = int(pd.to_numeric(plan["year"], errors="coerce").max()) if year is None else year
    return last_reported(plan, y)


def choose(period: str | None, tables: dict, day: int) -> tuple[Quarter | None, int | None]:
    """(quarter, school year) of the reports to write."""
    if period:
        p = parse_period(period, day)
        return (p, None) if isinstance(p, Quarter) else (None, p)
    year = latest_year(tables)
    return latest_quarter(tables.get("plan"), year), year


def execution_table(tables: dict, qt: Quarter) -> pd.DataFrame:
    """plan_execution: the counts by school at the quarter end."""
    m = measures_at(tables.get("plan"), tables.get("schools"), qt)
    c = counts(m, "school") if len(m) else pd.DataFrame(columns=EXECUTION)
    c = c.assign(year=qt.school_year, quarter=qt.code)
    return c.reindex(columns=EXECUTION)


def run(ctx: RunContext) -> dict[str, Any]:
    """Write the period's reports; returns them and the paths for the notebook."""
    rp = ctx.params.report
    period = (ctx.read_meta("report", {}) or {}).get("period") or rp.period
    tables = read_tables(ctx)
    qt, year = choose(period, tables, rp.deadline_day)
    folder = ctx.path("reports")
    folder.mkdir(parents=True, exist_ok=True)
    written, reports, why_not = [], [], []
    if qt is not None:
        reports.append(quarterly_report(tables, qt, ctx.params.region))
    elif not period:
        why_not.append("Квартальный отчёт не составлен: в планах мероприятий (inputs.plan) нет "
                       "статусов ни на один конец квартала.")
    if year is not None:
        reports.append(annual_report(tables, year, ctx.params.region, rp.plan_target))
    elif not period:
        why_not.append("Годовой отчёт не составлен: нет ни таблицы идентификации, ни планов "
                       "мероприятий с учебным годом.")
    for note in why_not:
        ctx.note(note)
    for r in reports:
        written += [write_html(r, folder / f"{r.stem}.html"),
                    write_xlsx(r, folder / f"{r.stem}.xlsx", latest_year(tables))]
    written.append(write_index(reports, folder, ctx.params.region, ctx.params.run_id, why_not,
                               "briefings" in ctx.params.stages))
    exe = execution_table(tables, qt or quarter_of_status(year, "status_jun", rp.deadline_day)) \
        if (qt or year is not None) else pd.DataFrame(columns=EXECUTION)
    ctx.write_table("plan_execution", exe, key=["school_id", "year", "quarter"])
    if reports:
        ctx.note("Отчёты: " + ", ".join(f"reports/{r.stem}.html" for r in reports) + ".")
    summary = pd.DataFrame({"Отчёт": [r.title for r in reports],
                            "HTML": [f"reports/{r.stem}.html" for r in reports],
                            "Excel": [f"reports/{r.stem}.xlsx" for r in reports]})
    return {"reports": reports, "files": written, "plan_execution": exe, "summary": summary,
            "quarter": qt.code if qt else None, "year": year}

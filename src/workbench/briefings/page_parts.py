"""Parts shared by the page views: small tables `{columns, rows}` for the templates (produced
tables with Russian headers and formatted values, monitoring completeness, exits from the list),
schools per category, and whether a school has a passport to link to."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from workbench.briefings.labels import COLUMN_RU, NO_DATA, TREND_RU
from workbench.briefings.prepare import records, truthy
from workbench.config.briefings import BriefingsParams
from workbench.core.formatting import finite as _num
from workbench.core.formatting import fmt_int, fmt_num, fmt_pct, year_label
from workbench.core.palette import category_colour
from workbench.core.vocabulary import CATEGORIES, CATEGORY_ORDER, DOMAINS_RU, WAVES, WAVES_RU


def has_page(school: dict[str, Any], params: BriefingsParams) -> bool:
    """Whether a passport is rendered for this school (all schools, or the listed ones)."""
    return bool(school) and (params.school_pages == "all" or bool(school.get("listed")))


def completeness_summary(recs: list[dict[str, Any]], with_school: bool = False,
                         names: dict[str, str] | None = None) -> dict[str, Any]:
    """Monitoring completeness of the latest year per school and domain: waves received and
    missing (long format rows with `wave` and `present`); other shapes are shown as they are."""
    if not recs:
        return {"columns": [], "rows": []}
    if "present" not in recs[0] or "wave" not in recs[0]:
        return _generic_rows(recs)
    last: dict[str, Any] = {}
    for r in recs:
        last[str(r["school_id"])] = max(last.get(str(r["school_id"]), r["year"]), r["year"])
    cells: dict[tuple, dict[str, list[str]]] = {}
    for r in recs:
        sid = str(r["school_id"])
        if r["year"] != last[sid]:
            continue
        d = cells.setdefault((sid, r["year"], str(r.get("domain"))), {"got": [], "miss": []})
        d["got" if truthy(r.get("present")) else "miss"].append(WAVES_RU.get(r.get("wave"),
                                                                            str(r.get("wave"))))
    rows = []
    order = {WAVES_RU[w]: i for i, w in enumerate(WAVES)}
    for (sid, yr, dom), d in sorted(cells.items()):
        got, miss = (sorted(d[k], key=lambda w: order.get(w, 9)) for k in ("got", "miss"))
        row = [year_label(yr), DOMAINS_RU.get(dom, dom), ", ".join(got) or "—",
               ", ".join(miss) or "—"]
        if with_school:
            row.insert(0, (names or {}).get(sid, sid))
        rows.append(row)
    cols = ["Год", "Направление", "Получено", "Нет данных"]
    if with_school:
        cols.insert(0, "Школа")
    return {"columns": cols, "rows": rows}


def exits_summary(exits: pd.DataFrame | None) -> dict[str, Any]:
    """Per year: listed schools and how many left the list the next year."""
    if exits is None or len(exits) == 0 or "left" not in exits:
        return frame_table(exits)
    rows = []
    for y, g in exits.groupby("year", sort=True):
        known = g[g["left"].notna()]  # no judgement next year: not counted as staying
        n, left = len(known), int(known["left"].map(truthy).sum())
        share = fmt_pct(left / n) if n else "нет данных за следующий год"
        rows.append([year_label(y), str(len(g)), str(left), share])
    return {"columns": ["Год", "Школ в списке", "Вышли из списка в следующем году",
                        "Доля (из школ с данными за следующий год)"],
            "rows": rows}


def _generic_rows(recs: list[dict[str, Any]], max_cols: int = 8) -> dict[str, Any]:
    """A small table {columns, rows} of records with Russian headers (for tables whose exact
    columns belong to another stage)."""
    if not recs:
        return {"columns": [], "rows": []}
    cols = list(recs[0])[:max_cols]
    rows = [[_cell(c, r.get(c)) for c in cols] for r in recs]
    return {"columns": [COLUMN_RU.get(c, c) for c in cols], "rows": rows}


def _cell(col: str, v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "да" if v else "нет"
    if col == "year":
        return year_label(v)
    if col == "domain":
        return DOMAINS_RU.get(v, str(v))
    if col == "trend":
        return TREND_RU.get(v, str(v))
    if col == "wave":
        return WAVES_RU.get(v, str(v))
    n = _num(v)
    if n is not None:
        return fmt_int(n) if float(n).is_integer() else fmt_num(n)
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, (list, tuple, np.ndarray)):
        return ", ".join(WAVES_RU.get(x, str(x)) for x in v)
    return str(v)


def frame_table(df: pd.DataFrame | None, columns: list[str] | None = None) -> dict[str, Any]:
    """{columns, rows} of a produced table for a template, Russian headers, formatted values."""
    if df is None or len(df) == 0:
        return {"columns": [], "rows": []}
    recs = records(df)
    if columns:
        cols = [c for c in columns if c in df.columns]
        recs = [{c: r[c] for c in cols} for r in recs]
    return _generic_rows(recs, max_cols=99)


def category_counts(schools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Schools per category now and a year before (n_prev «—» when there is no previous year)."""
    total = len(schools) or 1
    counts: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    have_prev = any(s.get("category_prev") for s in schools)
    for s in schools:
        counts[s["category"] or "none"] += 1
        if s.get("category_prev"):
            before[s["category_prev"]] += 1
    out = []
    for code in CATEGORY_ORDER + ["none"]:
        if counts.get(code) or before.get(code):
            out.append({"code": code, "label": CATEGORIES.get(code, NO_DATA), "n": counts[code],
                        "share": fmt_pct(counts[code] / total),
                        "n_prev": str(before[code]) if have_prev and code != "none" else "—",
                        "colour": category_colour(code)})
    return out

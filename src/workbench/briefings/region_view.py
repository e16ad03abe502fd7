"""Step 7 of the briefings: the view model of the region's page for the ministry — schools by
category and municipality, cluster profiles, monitoring trends, the programme effect, exits from
the list and the list itself."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
from markupsafe import Markup

from workbench.briefings.charts import svg_bars, svg_forest
from workbench.briefings.labels import COLUMN_RU, TREND_RU
from workbench.briefings.page_parts import category_counts, exits_summary, frame_table
from workbench.briefings.prepare import Prepared, records
from workbench.core.formatting import finite as _num
from workbench.core.formatting import fmt_pct, year_label
from workbench.core.palette import CATEGORY_COLOURS
from workbench.core.tables import INDICATOR_LABELS_RU, STANDARD_INDICATORS
from workbench.core.vocabulary import CATEGORIES, CATEGORY_ORDER, DOMAINS_RU
from workbench.identify.decisions import decision_counts
from workbench.monitoring import effectiveness_table

Schools = list[dict[str, Any]]
LISTED_COLOUR = CATEGORY_COLOURS["low_results_adverse"]  # bars of listed schools


def region_view(p: Prepared, municipalities: dict[str, Schools]) -> dict[str, Any]:
    """The template context of `templates/region.html` (municipalities: their schools, in the
    order the page lists them)."""
    counts = category_counts(p.schools)
    mun_rows = _municipality_rows(municipalities)
    t = p.tables
    forest, eff_tbl = _effect(t.get("effectiveness"))
    listed = [s for s in p.schools if s["listed"]]
    exits = t.get("exits")
    return {
        "counts": counts, "n_schools": len(p.schools), "n_listed": len(listed),
        "n_listed_prev": sum(s.get("listed_prev", False) for s in p.schools),
        "has_prev": any(s.get("category_prev") for s in p.schools),
        "chart_counts": svg_bars([{"label": c["label"], "value": c["n"], "colour": c["colour"]}
                                  for c in counts], label="Школы по категориям", value_fmt="int"),
        "mun_rows": mun_rows, "cat_heads": [CATEGORIES[c] for c in CATEGORY_ORDER],
        "profiles": _profiles(t.get("cluster_profiles"), p.year), "forest": forest,
        "effectiveness": eff_tbl, "dyn_rows": _dynamics(t.get("dynamics")),
        "decisions": _decisions(t.get("identification"), p.year),
        "listed": listed, "exits": exits_summary(exits) if exits is not None else None,
        "chart_mun": svg_bars([{"label": r["mun"], "value": r["listed"], "colour": LISTED_COLOUR}
                               for r in mun_rows], label="Школы из списка ШНОР по муниципалитетам",
                              value_fmt="int"),
    }


def _decisions(ident: pd.DataFrame | None, year: int | None) -> str:
    """«Решения экспертной группы: включено 1, исключено 2, категория изменена 0.» or ""."""
    if ident is None or "decision" not in ident.columns:
        return ""
    c = decision_counts(ident, year)
    if not sum(c.values()):
        return ""
    return (f"Решения экспертной группы после статистики: включено в список {c['include']}, "
            f"исключено из списка {c['exclude']}, категория изменена {c['category']} — "
            f"они учтены в числах выше; статистическая категория показана в паспортах школ.")


def _municipality_rows(municipalities: dict[str, Schools]) -> list[dict[str, Any]]:
    """Per municipality: schools, listed schools, their share and schools per category."""
    rows = []
    for mun, ss in municipalities.items():
        c: dict[str, int] = defaultdict(int)
        for s in ss:
            c[s["category"] or "none"] += 1
        listed = sum(s["listed"] for s in ss)
        rows.append({"mun": mun, "slug": ss[0]["mun_slug"], "n": len(ss), "listed": listed,
                     "share": fmt_pct(listed / len(ss)) if ss else "—",
                     "by_cat": [c.get(code, 0) for code in CATEGORY_ORDER]})
    return rows


def _profiles(prof: pd.DataFrame | None, year: int | None) -> dict[str, Any]:
    """The cluster profiles of the current year: size, social index, stability and up to six
    standard indicators."""
    if prof is not None and len(prof) and "year" in prof and year in set(prof["year"]):
        prof = prof[prof["year"] == year]
    cols = None
    if prof is not None and len(prof):
        cols = ["cluster", "cluster_name", "n_schools", "social_index", "stability"] + [
            c for c in prof.columns if c in STANDARD_INDICATORS][:6]
    table = frame_table(prof, cols)
    if prof is not None and len(prof):
        table["columns"] = [COLUMN_RU.get(c, INDICATOR_LABELS_RU.get(c, c))
                            for c in cols if c in prof.columns]
    return table


def _effect(eff: pd.DataFrame | None) -> tuple[Markup | None, dict[str, Any]]:
    """The programme effect: forest plot of the event study of each cohort (placebo before the
    selection, then the programme years) and the monitoring package's Russian table (cohort
    column, Russian indicator names, decimal commas, the minimum detectable effect)."""
    if eff is None or not len(eff):
        return None, {"columns": [], "rows": []}
    recs = records(eff)
    main = [r for r in recs if str(r.get("estimate", "DiD")) in ("placebo DiD", "DiD")] or recs
    items = [{"label": f"с {year_label(r.get('programme_year'))}: "
                       f"{'плацебо ' if str(r.get('estimate')).startswith('placebo') else ''}"
                       f"{year_label(r.get('year'))}",
              "effect": _num(r.get("effect")), "lo": _num(r.get("ci_low")),
              "hi": _num(r.get("ci_high"))} for r in main]
    forest = svg_forest(items[:20]) if any(i["effect"] is not None for i in items) else None
    shown = effectiveness_table(eff)
    return forest, {"columns": list(shown.columns), "rows": shown.to_numpy().tolist()}


def _dynamics(dyn: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Monitoring indicators per domain and trend in the latest year."""
    rows: list[dict[str, Any]] = []
    if dyn is None or not len(dyn) or "trend" not in dyn or "domain" not in dyn:
        return rows
    d = dyn[dyn["year"] == dyn["year"].max()] if "year" in dyn else dyn
    tcol = "trend_ru" if "trend_ru" in d else "trend"
    for (dom, tr), n in d.groupby(["domain", tcol]).size().items():
        rows.append({"domain": DOMAINS_RU.get(dom, dom), "trend": TREND_RU.get(tr, tr),
                     "n": int(n)})
    return rows

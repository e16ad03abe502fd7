"""Step 6 of the briefings: the view model of a municipality's page — its schools by category and
cluster, the pairs «school — resource school», monitoring completeness and trends, the changes
of the list, and the link to its technological-map workbook."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from workbench.briefings.charts import svg_bars
from workbench.briefings.labels import TREND_RU
from workbench.briefings.page_parts import category_counts, completeness_summary, has_page
from workbench.briefings.prepare import Prepared, truthy
from workbench.config.briefings import BriefingsParams
from workbench.core.formatting import finite as _num
from workbench.core.formatting import fmt_num
from workbench.core.vocabulary import CATEGORIES, DOMAINS_RU

Schools = list[dict[str, Any]]


def municipality_view(p: Prepared, mun: str, schools: Schools, params: BriefingsParams,
                      xlsx_name: str | None) -> dict[str, Any]:
    """The template context of `templates/municipality.html` for the schools of `mun`."""
    ids = sorted({s["school_id"] for s in schools})
    counts = category_counts(schools)
    listed = [s for s in schools if s["listed"]]
    compl = [r for sid in ids for r in p.by_school[sid]["monitoring_completeness"]]
    return {
        "mun": mun, "schools": schools, "counts": counts, "listed": listed,
        "n_listed_prev": sum(s.get("listed_prev", False) for s in schools),
        "has_prev": any(s.get("category_prev") for s in schools),
        "chart_counts": svg_bars([{"label": c["label"], "value": c["n"], "colour": c["colour"]}
                                  for c in counts], label="Школы по категориям", value_fmt="int"),
        "clusters": _clusters(schools), "pairs": _pairs(p, listed, params),
        "completeness": completeness_summary(
            compl, with_school=True,
            names={sid: p.school_by_id[sid].get("school_name", sid) for sid in ids}),
        "trend_counts": _trend_counts(p, ids), "changes": _changes(p, ids), "xlsx": xlsx_name,
    }


def _clusters(schools: Schools) -> list[dict[str, Any]]:
    """Schools and listed schools per cluster."""
    clusters: dict[Any, dict[str, Any]] = {}
    for s in schools:
        c = s["cluster"]
        if c:
            d = clusters.setdefault(c.get("cluster"), {"cluster": c.get("cluster"),
                                                       "name": c.get("cluster_name"), "n": 0,
                                                       "listed": 0})
            d["n"] += 1
            d["listed"] += int(s["listed"])
    return sorted(clusters.values(), key=lambda d: (_num(d["cluster"]) or 0))


def _pairs(p: Prepared, listed: Schools, params: BriefingsParams) -> list[dict[str, Any]]:
    """The assigned partners of the listed schools in the current year."""
    pairs = []
    for s in listed:
        for r in p.by_school[s["school_id"]]["partners"]:
            if r.get("year", p.year) == p.year and truthy(r.get("assigned", True)):
                ps = p.school_by_id.get(str(r.get("partner_id")), {})
                pairs.append({"school": s, "partner_id": str(r.get("partner_id")),
                              "partner_name": ps.get("school_name", r.get("partner_id")),
                              "partner_mun": ps.get("municipality", "—"),
                              "exists": has_page(ps, params),
                              "distance": fmt_num(r.get("distance_km"), 0)})
    return pairs


def _trend_counts(p: Prepared, ids: list[str]) -> list[dict[str, Any]]:
    """Monitoring indicators per domain and trend in the latest monitoring year."""
    dyn = [r for sid in ids for r in p.by_school[sid]["dynamics"]]
    if dyn:
        ylast = max(r["year"] for r in dyn)
        dyn = [r for r in dyn if r["year"] == ylast]
    counts: dict[tuple, int] = defaultdict(int)
    for r in dyn:
        counts[(DOMAINS_RU.get(r.get("domain"), r.get("domain")),
                r.get("trend_ru") or TREND_RU.get(r.get("trend"), r.get("trend") or "—"))] += 1
    return [{"domain": k[0], "trend": k[1], "n": v}
            for k, v in sorted(counts.items(), key=lambda t: (str(t[0][0]), str(t[0][1])))]


def _changes(p: Prepared, ids: list[str]) -> list[dict[str, Any]]:
    """Schools that entered or left the list in the current year."""
    changes = []
    for sid in ids:
        for r in p.by_school[sid]["list_changes"]:
            if r.get("year") == p.year:
                changes.append({"school": p.school_by_id[sid], "change": r.get("change"),
                                "before": CATEGORIES.get(r.get("category_before"),
                                                         r.get("category_before") or "—"),
                                "now": CATEGORIES.get(r.get("category_now"),
                                                      r.get("category_now") or "—")})
    return changes

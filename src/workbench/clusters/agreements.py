"""Recorded partnerships (issue 16 item 1): the agreed pairs of the pairing year.

Two sources, both optional: the canonical `agreements` table (school_id, partner_id, number,
date, valid_until, status) and `programme.partner_school_id` of the year. An agreement is in
force in school year Y (1 September Y … 31 August Y + 1) unless its status is one of
`inactive_statuses`, it was signed after the year ended or it expired before it began. A pair
recorded in both sources is one pair, described by its agreement. The optimiser proposes
partners only to schools without an agreed pair; agreed pairs use their partner's capacity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.clusters.geo import haversine_km
from workbench.clusters.result import ClusterResult
from workbench.config.clusters import PartnersParams
from workbench.core.formatting import fmt_num, year_label

AGREED_COLUMNS = ["school_id", "partner_id", "agreement"]


@dataclass
class Agreed:
    """The agreed pairs in force (AGREED_COLUMNS) and Russian notes on those left aside."""

    pairs: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _date_ru(iso: object) -> str:
    """«2024-09-01» → «01.09.2024» ("" when missing)."""
    if iso is None or iso != iso or str(iso) == "":
        return ""
    y, m, d = str(iso)[:10].split("-")
    return f"{d}.{m}.{y}"


def _describe(number: object, date: object, until: object) -> str:
    """«соглашение № 12 от 01.09.2024, действует до 31.08.2026»."""
    text = "соглашение"
    if number is not None and number == number and str(number).strip():
        text += f" № {str(number).strip()}"
    if _date_ru(date):
        text += f" от {_date_ru(date)}"
    if _date_ru(until):
        text += f", действует до {_date_ru(until)}"
    return text


def _from_agreements(agreements: pd.DataFrame | None, year: int,
                     p: PartnersParams) -> tuple[pd.DataFrame, list[str]]:
    """The pairs of the agreements table in force in `year`, and notes on the others."""
    if agreements is None or len(agreements) == 0:
        return pd.DataFrame(columns=AGREED_COLUMNS), []
    a = agreements.copy()
    for c in ("number", "date", "valid_until", "status"):
        if c not in a.columns:
            a[c] = None
    start, end = f"{year}-09-01", f"{year + 1}-08-31"
    status = a["status"].map(lambda v: str(v).strip().lower() if v is not None and v == v else "")
    inactive = status.isin([s.lower() for s in p.inactive_statuses]).to_numpy()
    date = a["date"].map(lambda v: str(v) if v is not None and v == v else "")
    until = a["valid_until"].map(lambda v: str(v) if v is not None and v == v else "")
    late = ((date != "") & (date > end)).to_numpy()
    expired = ((until != "") & (until < start)).to_numpy()
    ok = ~inactive & ~late & ~expired
    notes = []
    if (~ok).any():
        notes.append(f"Партнёры: соглашений, не действующих в {year_label(year)} учебном году, — "
                     f"{int((~ok).sum())} (расторгнуты — {int(inactive.sum())}, истекли — "
                     f"{int((expired & ~inactive).sum())}, заключены позже — "
                     f"{int((late & ~inactive & ~expired).sum())}); они не учтены.")
    a = a[ok]
    out = pd.DataFrame({"school_id": a["school_id"].astype(str), "partner_id": a["partner_id"].astype(str),
                        "agreement": [_describe(n, d, u) for n, d, u in
                                      zip(a["number"], a["date"], a["valid_until"])]})
    return out, notes


def _from_programme(programme: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """The partner schools recorded in `programme` for `year`."""
    if programme is None or len(programme) == 0 or "partner_school_id" not in programme.columns:
        return pd.DataFrame(columns=AGREED_COLUMNS)
    pr = programme[pd.to_numeric(programme["year"]).astype(int) == year]
    pr = pr[pr["partner_school_id"].notna() & (pr["partner_school_id"].astype(str).str.strip() != "")]
    return pd.DataFrame({"school_id": pr["school_id"].astype(str),
                         "partner_id": pr["partner_school_id"].astype(str),
                         "agreement": "партнёр указан в таблице участия в программе"})


def agreed_pairs(agreements: pd.DataFrame | None, programme: pd.DataFrame | None, year: int,
                 p: PartnersParams) -> Agreed:
    """The agreed pairs in force in `year` (agreements first, then programme; a school is never
    its own partner)."""
    a, notes = _from_agreements(agreements, year, p)
    both = pd.concat([a, _from_programme(programme, year)], ignore_index=True)
    both = both[both["school_id"] != both["partner_id"]]
    both = both.drop_duplicates(["school_id", "partner_id"], keep="first")
    return Agreed(both.sort_values(["school_id", "partner_id"], kind="mergesort")
                  .reset_index(drop=True), notes)


def _lookup(df: pd.DataFrame, col: str) -> dict:
    return dict(zip(df["school_id"].astype(str), df[col])) if col in df.columns else {}


def agreed_table(pairs: pd.DataFrame, d: pd.DataFrame, status: pd.DataFrame,
                 identification: pd.DataFrame, schools: pd.DataFrame, clusters: ClusterResult,
                 year: int, p: PartnersParams) -> pd.DataFrame:
    """The agreed pairs as rows of the `partners` table (basis «agreed», assigned), each checked
    against the criteria: meets_criteria and the Russian criteria_note with the numbers."""
    if len(pairs) == 0:
        return pd.DataFrame()
    iy = identification[pd.to_numeric(identification["year"]).astype(int) == year]
    iy = iy.assign(school_id=iy["school_id"].astype(str))
    index = {k: float(v) for k, v in _lookup(iy, p.index_column).items()}
    category = _lookup(iy, "category")
    cl = clusters.clusters[clusters.clusters["year"] == year]
    cluster = _lookup(cl.assign(school_id=cl["school_id"].astype(str)), "cluster")
    names = dict(zip(clusters.profiles["cluster"], clusters.profiles["cluster_name"]))
    sch = schools.assign(school_id=schools["school_id"].astype(str))
    lat, lon, mun = (_lookup(sch, c) for c in ("latitude", "longitude", "municipality"))
    why = dict(zip(status["school_id"], status["why_not"]))
    rows = []
    for k, r in enumerate(pairs.itertuples(index=False)):
        s, q = r.school_id, r.partner_id
        km = float(haversine_km(lat.get(s, np.nan), lon.get(s, np.nan), lat.get(q, np.nan),
                                lon.get(q, np.nan)))
        km = round(km, 1) if km == km else np.nan
        rs, rq = index.get(s, np.nan), index.get(q, np.nan)
        fails = _fails(why.get(q), rs, rq, km, p, year)
        same_mun = bool(mun.get(s) is not None and mun.get(s) == mun.get(q))
        rows.append({"school_id": s, "year": year, "partner_id": q, "score": np.nan,
                     "assigned": True, "basis": "agreed", "agreement": r.agreement,
                     "meets_criteria": not fails, "criteria_note": "; ".join(fails),
                     "distance_km": km, "same_municipality": same_mun,
                     "reasons": _agreed_reasons(r.agreement, cluster.get(s), cluster.get(q), names,
                                                rs, rq, km, same_mun),
                     "school_cluster": cluster.get(s, np.nan), "partner_cluster": cluster.get(q, np.nan),
                     "result_index": round(rs, 3) if rs == rs else np.nan,
                     "partner_result_index": round(rq, 3) if rq == rq else np.nan,
                     "partner_category": str(category.get(q, ""))})
    out = pd.DataFrame(rows)
    out["rank"] = out.groupby("school_id").cumcount() + 1
    return out


def _fails(why_not: str | None, rs: float, rq: float, km: float, p: PartnersParams,
           year: int) -> list[str]:
    """The criteria an agreed partner fails, in Russian with the numbers."""
    if why_not is None:
        return [f"у школы-партнёра нет результатов за {year_label(year)} учебный год"]
    fails = [why_not] if why_not else []
    if rs == rs and rq == rq and not rq > rs + p.min_gap:
        fails.append(f"индекс результатов партнёра {fmt_num(rq, 2, sign=True)} не выше, чем у школы "
                     f"({fmt_num(rs, 2, sign=True)})")
    if p.max_distance_km is not None and km == km and km > p.max_distance_km:
        fails.append(f"{fmt_num(km, 0)} км — дальше предела {fmt_num(p.max_distance_km, 0)} км")
    return fails


def _agreed_reasons(agreement: str, cs, cq, names: dict, rs: float, rq: float, km: float,
                    same_mun: bool) -> str:
    """Why the pair exists and what it is, with the numbers (true of the pair)."""
    parts = [f"действующее партнёрство: {agreement}"]
    if cs == cs and cq == cq and cs is not None and cq is not None:
        parts.append(f"кластер {cq} «{names.get(cq, '')}»" if cs == cq else
                     f"кластер партнёра {cq} «{names.get(cq, '')}» (школа — в кластере {cs})")
    if rs == rs and rq == rq:
        parts.append(f"индекс результатов {fmt_num(rq, 1, sign=True)} против {fmt_num(rs, 1, sign=True)}")
    if km == km:
        parts.append(f"{fmt_num(km, 0)} км")
    if same_mun:
        parts.append("тот же муниципалитет")
    return "; ".join(parts)

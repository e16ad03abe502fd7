"""The school's own facts of its technological map: its resource school by name, its curator, its
municipality, its weakest subjects and grades, and the numbers behind each problem (the school's
indicator against the region's).

Read from the run's tables as they are: the partner from `partners` (the assigned row, else the
best-ranked one), the curator from a curator assignment table when the clusters stage wrote one
(`curators` / `curator_assignments` with school_id and curator_id or a name), named by the
canonical `curators` table when present, else from `programme.curator`; every one may be missing
and then the map says so in Russian. Figures from fewer than `min_cell` pupils are not used."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.formatting import fmt_num, fmt_pct
from workbench.core.privacy import MIN_CELL
from workbench.core.tables import INDICATOR_LABELS_RU

NO_PARTNER = "(ресурсная школа не назначена)"
NO_CURATOR = "не назначен"
NO_SUBJECTS = "русский язык и математика"
Tables = dict[str, pd.DataFrame | None]


@dataclass
class SchoolFacts:
    """Per school id: its facts for the placeholders and the evidence of its problems."""

    school: dict[str, str] = field(default_factory=dict)
    municipality: dict[str, str] = field(default_factory=dict)
    partner: dict[str, str] = field(default_factory=dict)
    curator: dict[str, str] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)        # short: «математика 5 кл.»
    subjects_long: dict[str, str] = field(default_factory=dict)   # with the shares
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # school → indicator → v
    region: dict[str, float] = field(default_factory=dict)        # indicator → regional mean

    def placeholders(self, sid: str) -> dict[str, str]:
        """The values of {school}, {municipality}, {partner}, {curator}, {subjects}."""
        return {"school": self.school.get(sid, sid),
                "municipality": self.municipality.get(sid, "") or "муниципалитет не указан",
                "partner": self.partner.get(sid, NO_PARTNER),
                "curator": self.curator.get(sid, NO_CURATOR),
                "subjects": self.subjects.get(sid, NO_SUBJECTS)}


def _text(v: Any) -> str:
    return "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v).strip()


def _ids(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(school_id=df["school_id"].astype(str))


def partner_names(partners: pd.DataFrame | None, names: dict[str, str],
                  year: int) -> dict[str, str]:
    """school → «Гимназия № 2 (код 0104012)»: the assigned partner of `year`, else rank 1."""
    if partners is None or not len(partners) or "partner_id" not in partners:
        return {}
    p = _ids(partners)
    if "year" in p:
        p = p[pd.to_numeric(p["year"], errors="coerce") == year]
    if "assigned" in p and p["assigned"].fillna(False).astype(bool).any():
        p = p[p["assigned"].fillna(False).astype(bool)]
    elif "rank" in p:
        p = p.sort_values("rank", kind="mergesort")
    p = p.drop_duplicates("school_id")
    return {s: f"«{names.get(str(q), str(q))}» (код {q})"
            for s, q in zip(p["school_id"], p["partner_id"].astype(str))}


def curator_names(tables: Tables, year: int) -> dict[str, str]:
    """school → curator's name: an assignment table of the clusters stage, else programme."""
    out: dict[str, str] = {}
    prog = tables.get("programme")
    if prog is not None and len(prog) and "curator" in prog:
        p = _ids(prog)
        p = p[pd.to_numeric(p["year"], errors="coerce") <= year].sort_values("year")
        out.update({s: _text(c) for s, c in zip(p["school_id"], p["curator"]) if _text(c)})
    people = tables.get("curators")
    who = {}
    if people is not None and len(people) and {"curator_id", "name"} <= set(people.columns):
        who = {str(i): _text(n) for i, n in zip(people["curator_id"], people["name"])}
    for name in ("curator_assignments", "curators"):
        a = tables.get(name)
        if a is None or not len(a) or "school_id" not in a or not (
                {"curator_id", "name", "curator"} & set(a.columns)):
            continue
        a = _ids(a)
        if "year" in a:
            a = a[pd.to_numeric(a["year"], errors="coerce") == year]
        for rec in a.to_dict("records"):
            cid = _text(rec.get("curator_id"))
            name_ = (_text(rec.get("curator_name")) or who.get(cid) or _text(rec.get("name"))
                     or _text(rec.get("curator")) or cid)
            if name_:
                out[rec["school_id"]] = name_
    return out


def _low_counts(results: pd.DataFrame) -> pd.Series:
    """Low results per row: n_low, else the «2» count."""
    low = pd.to_numeric(results.get("n_low"), errors="coerce") if "n_low" in results else None
    two = pd.to_numeric(results.get("n_mark2"), errors="coerce") if "n_mark2" in results else None
    if low is None and two is None:
        return pd.Series(np.nan, index=results.index)
    if low is None:
        return two
    return low.fillna(two) if two is not None else low


def weak_subjects(results: pd.DataFrame | None, year: int, min_cell: int = MIN_CELL,
                  top: int = 2) -> tuple[dict[str, str], dict[str, str]]:
    """school → its `top` subject-grades of `year` whose share of low results exceeds the
    region's most (rows of ≥ min_cell participants): short and with the shares."""
    if results is None or not len(results) or "n_participants" not in results:
        return {}, {}
    r = _ids(results[pd.to_numeric(results["year"], errors="coerce") == year])
    r = r.assign(low=_low_counts(r), n=pd.to_numeric(r["n_participants"], errors="coerce"))
    r = r[r["low"].notna() & (r["n"] >= max(1, min_cell))]
    if not len(r):
        return {}, {}
    key = ["procedure", "subject", "grade"]
    reg = r.groupby(key)[["low", "n"]].sum()
    r = r.join((reg["low"] / reg["n"]).rename("region"), on=key)
    r["share"] = r["low"] / r["n"]
    r["excess"] = r["share"] - r["region"]
    r = r[r["excess"] > 0].sort_values(["school_id", "excess"], ascending=[True, False],
                                       kind="mergesort")
    return _weak_texts(r.groupby("school_id", sort=False).head(top))


def _weak_texts(top_rows: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """school → short and long text of its weakest rows (already cut to the top ones and sorted
    by school): one pass over plain columns, no DataFrame per school."""
    rows_by_school: dict[str, list[tuple[str, Any, float, float]]] = {}
    for sid, subj, grade, proc, share, region in zip(
            top_rows["school_id"], top_rows["subject"], top_rows["grade"],
            top_rows["procedure"], top_rows["share"], top_rows["region"]):
        name = f"{str(subj).lower()} {int(grade)} кл."
        rows_by_school.setdefault(sid, []).append((name, proc, share, region))
    short, long_ = {}, {}
    for sid in sorted(rows_by_school):
        rows = rows_by_school[sid]
        short[sid] = ", ".join(dict.fromkeys(n for n, _, _, _ in rows))
        long_[sid] = "; ".join(f"{n} ({p}): доля низких результатов {fmt_pct(a)} (регион "
                               f"{fmt_pct(b)})" for n, p, a, b in rows)
    return short, long_


def indicator_values(context: pd.DataFrame | None, ident: pd.DataFrame | None,
                     year: int) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """school → indicator → value (latest context ≤ year; share_low of identification) and the
    regional means of the same."""
    values: dict[str, dict[str, float]] = {}
    region: dict[str, float] = {}
    if context is not None and len(context):
        c = _ids(context)
        c = c[pd.to_numeric(c["year"], errors="coerce") <= year]
        c = c.sort_values("year").drop_duplicates("school_id", keep="last")
        for col in c.columns:
            if col in ("school_id", "year") or not pd.api.types.is_numeric_dtype(c[col]):
                continue
            v = pd.to_numeric(c[col], errors="coerce")
            region[col] = float(v.mean()) if v.notna().any() else np.nan
            for s, x in zip(c["school_id"], v):
                if x == x:
                    values.setdefault(s, {})[col] = float(x)
    if ident is not None and len(ident) and "share_low" in ident:
        cur = _ids(ident[ident["year"] == year])
        for s, x, n in zip(cur["school_id"], pd.to_numeric(cur["share_low"], errors="coerce"),
                           pd.to_numeric(cur.get("n_pupils", pd.Series(np.nan, cur.index)),
                                         errors="coerce")):
            if x == x and not (n == n and n < MIN_CELL):
                values.setdefault(s, {})["share_low"] = float(x)
        if "share_low_region" in cur and cur["share_low_region"].notna().any():
            region["share_low"] = float(pd.to_numeric(cur["share_low_region"]).median())
    return values, region


def _fmt(name: str, v: float) -> str:
    if name == "internet_mbps":
        return f"{fmt_num(v, 0)} Мбит/с"
    if name == "distance_km":
        return f"{fmt_num(v, 0)} км"
    if name.startswith("share_") or name.endswith("_rate") or name.endswith("_share"):
        return fmt_pct(v)
    return fmt_num(v, 2)


def evidence_text(facts: SchoolFacts, sid: str, indicators: list[str],
                  labels: dict[str, str] | None = None) -> str:
    """«доля вакансий педагогов: 16% (регион 4%); математика 5 кл. (ВПР): …» — only what the
    school has data for."""
    labels = {**INDICATOR_LABELS_RU, "share_low": "доля низких результатов («2», ниже минимума)",
              **(labels or {})}
    parts = []
    for name in indicators:
        if name == "weak_subjects":
            if facts.subjects_long.get(sid):
                parts.append(facts.subjects_long[sid])
            continue
        v = facts.values.get(sid, {}).get(name)
        if v is None:
            continue
        ref = facts.region.get(name)
        parts.append(f"{labels.get(name, name).lower()}: {_fmt(name, v)}"
                     + (f" (регион {_fmt(name, ref)})" if ref is not None and ref == ref else ""))
    return "; ".join(parts)


def school_facts(tables: Tables, year: int, min_cell: int = MIN_CELL) -> SchoolFacts:
    """The facts of every school of the run in `year`."""
    schools = tables.get("schools")
    names: dict[str, str] = {}
    mun: dict[str, str] = {}
    if schools is not None and len(schools):
        s = _ids(schools)
        names = {i: _text(n) or i for i, n in zip(s["school_id"], s.get("school_name", s["school_id"]))}
        if "municipality" in s:
            mun = {i: _text(m) for i, m in zip(s["school_id"], s["municipality"])}
    short, long_ = weak_subjects(tables.get("results"), year, min_cell)
    values, region = indicator_values(tables.get("context"), tables.get("identification"), year)
    return SchoolFacts(school=names, municipality=mun,
                       partner=partner_names(tables.get("partners"), names, year),
                       curator=curator_names(tables, year), subjects=short, subjects_long=long_,
                       values=values, region=region)

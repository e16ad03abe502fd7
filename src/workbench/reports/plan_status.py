"""The plan's execution at a quarter end: every measure of the school year with its status then,
whether it was due, done or overdue, and the counts by school, municipality and module.

A measure is due when its deadline is on or before the quarter end; done when its status at the
quarter end is «выполнено»; overdue when due, its status reported and neither done nor
cancelled; cancelled measures are left out of the counts; a blank status is «нет отметки»
(counted apart: the school did not report it, so it is neither done nor overdue)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from workbench.ingest.plan import LEVEL_LABELS, STATUSES_RU
from workbench.reports.period import Quarter

GROUPS = {"school": ["school_id", "school_name", "municipality"], "municipality": ["municipality"],
          "module": ["module"]}
COUNT_RU = {"measures": "Мероприятий", "due": "Со сроком до конца квартала", "done": "Выполнено",
            "done_due": "Выполнено из срочных", "share_done_due": "Доля выполненных из срочных",
            "overdue": "Просрочено", "not_reported": "Нет отметки о статусе"}


def measures_at(plan: pd.DataFrame, schools: pd.DataFrame, qt: Quarter) -> pd.DataFrame:
    """The plan rows of the quarter's school year with status, due, done, overdue at its end."""
    if plan is None or not len(plan):
        return pd.DataFrame(columns=["school_id", "school_name", "municipality", "module",
                                     "status", "due", "done", "overdue", "cancelled"])
    p = plan[pd.to_numeric(plan["year"], errors="coerce") == qt.school_year].copy()
    p["school_id"] = p["school_id"].astype(str)
    sc = schools.assign(school_id=schools["school_id"].astype(str))
    p = p.merge(sc[[c for c in ("school_id", "school_name", "municipality") if c in sc]],
                on="school_id", how="left")
    for c in ("school_name", "municipality", "module", "problem", "responsible"):
        p[c] = p[c].fillna("").astype(str) if c in p else ""
    p["status"] = p[qt.status] if qt.status in p else None
    deadline = pd.to_datetime(p["deadline"], errors="coerce") if "deadline" in p else \
        pd.Series(pd.NaT, index=p.index)
    p["deadline_date"] = deadline.dt.date
    p["due"] = (deadline <= pd.Timestamp(qt.end)).fillna(False).to_numpy(bool)
    p["done"] = (p["status"] == "done").to_numpy(bool)
    p["cancelled"] = (p["status"] == "cancelled").to_numpy(bool)
    p["not_reported"] = p["status"].isna().to_numpy(bool)
    p["overdue"] = p["due"] & ~p["done"] & ~p["cancelled"] & ~p["not_reported"]
    return p.reset_index(drop=True)


def counts(m: pd.DataFrame, by: str) -> pd.DataFrame:
    """Measures, due, done, done of due, their share, overdue, not reported per group."""
    keys = GROUPS[by]
    live = m[~m["cancelled"]] if len(m) else m
    if not len(live):
        return pd.DataFrame(columns=keys + list(COUNT_RU))
    g = live.assign(done_due=live["done"] & live["due"]).groupby(keys, sort=True, dropna=False)
    out = g.agg(measures=("done", "size"), due=("due", "sum"), done=("done", "sum"),
                done_due=("done_due", "sum"), overdue=("overdue", "sum"),
                not_reported=("not_reported", "sum")).reset_index()
    out["share_done_due"] = np.where(out["due"] > 0, out["done_due"] / out["due"].clip(lower=1),
                                     np.nan)
    return out[keys + list(COUNT_RU)]


def totals(m: pd.DataFrame) -> dict[str, float]:
    """The region's counts (the same definitions)."""
    c = counts(m.assign(_all=""), "module") if len(m) else None
    if c is None or not len(c):
        return {k: 0 for k in COUNT_RU}
    out = {k: float(c[k].sum()) for k in COUNT_RU if k != "share_done_due"}
    out["share_done_due"] = out["done_due"] / out["due"] if out["due"] else float("nan")
    return out


def overdue_list(m: pd.DataFrame) -> pd.DataFrame:
    """The overdue measures (Russian headers), by municipality, school and measure."""
    o = m[m["overdue"]] if len(m) else m
    if not len(o):
        return pd.DataFrame(columns=["Муниципалитет", "Код ОО", "Наименование ОО",
                                     "№ мероприятия", "Проблема", "Уровень", "Мероприятие",
                                     "Срок", "Ответственный", "Статус"])
    o = o.sort_values(["municipality", "school_id", "measure_no"], kind="mergesort")
    return pd.DataFrame({
        "Муниципалитет": o["municipality"], "Код ОО": o["school_id"],
        "Наименование ОО": o["school_name"], "№ мероприятия": o["measure_no"].astype(int),
        "Проблема": o["problem"], "Уровень": o["level"].map(LEVEL_LABELS).fillna(""),
        "Мероприятие": o["measure"].fillna(""),
        "Срок": [d.strftime("%d.%m.%Y") if isinstance(d, dt.date) else "" for d in
                 o["deadline_date"]],
        "Ответственный": o["responsible"],
        "Статус": o["status"].map(STATUSES_RU).fillna("нет отметки")}).reset_index(drop=True)


def changes_since(now: pd.DataFrame, before: pd.DataFrame) -> dict[str, int]:
    """Measures done in the quarter, newly overdue, overdue ones now done (same measures)."""
    if not len(now) or not len(before):
        return {"newly_done": 0, "newly_overdue": 0, "overdue_resolved": 0, "compared": 0}
    key = ["school_id", "year", "measure_no"]
    j = now[key + ["done", "overdue"]].merge(before[key + ["done", "overdue"]], on=key,
                                            suffixes=("", "_before"))
    return {"newly_done": int((j["done"] & ~j["done_before"]).sum()),
            "newly_overdue": int((j["overdue"] & ~j["overdue_before"]).sum()),
            "overdue_resolved": int((j["overdue_before"] & j["done"]).sum()),
            "compared": int(len(j))}


CHANGE_COLUMNS = ["Муниципалитет", "Код ОО", "Наименование ОО", "№ мероприятия", "Мероприятие",
                  "Срок", "Статус был", "Статус стал", "Что изменилось"]


def status_changes(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """The measures whose status changed since the previous quarter end (Russian headers), with
    what it means: done in the quarter, an overdue one done, newly overdue, or another change."""
    if not len(now) or not len(before):
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    key = ["school_id", "year", "measure_no"]
    j = now.merge(before[key + ["status", "done", "overdue"]], on=key, suffixes=("", "_before"))
    was = j["status_before"].map(STATUSES_RU).fillna("нет отметки")
    is_ = j["status"].map(STATUSES_RU).fillna("нет отметки")
    j = j[(was != is_) | (j["overdue"] & ~j["overdue_before"])]
    if not len(j):
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    what = np.select([j["done"] & j["overdue_before"], j["done"] & ~j["done_before"],
                      j["overdue"] & ~j["overdue_before"]],
                     ["просроченное выполнено", "выполнено", "стало просроченным"],
                     "статус изменён")
    j = j.assign(_what=what).sort_values(["municipality", "school_id", "measure_no"],
                                         kind="mergesort")
    return pd.DataFrame({
        "Муниципалитет": j["municipality"], "Код ОО": j["school_id"],
        "Наименование ОО": j["school_name"], "№ мероприятия": j["measure_no"].astype(int),
        "Мероприятие": j["measure"].fillna(""),
        "Срок": [d.strftime("%d.%m.%Y") if isinstance(d, dt.date) else "" for d in
                 j["deadline_date"]],
        "Статус был": was[j.index], "Статус стал": is_[j.index],
        "Что изменилось": j["_what"]}).reset_index(drop=True)

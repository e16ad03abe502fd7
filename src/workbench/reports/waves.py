"""Monitoring waves received against the schedule of seed 003 item 13 (results of learning three
times a year — entry, intermediate, final; teaching twice — entry and final; management and the
school environment once — final), for the programme's participants of the school year.

A wave is expected by a quarter end when its due date has passed: the entry wave by 31 December,
the intermediate by 31 March, the final by 30 June (the first half of the year, its third
quarter, its end). Received: the monitoring table has a row of that school, year, domain and
wave."""
from __future__ import annotations

import pandas as pd

from workbench.core.vocabulary import DOMAINS_RU, LISTED_CATEGORIES, SCHEDULE, WAVES_RU
from workbench.reports.period import Quarter, quarter_of_status

WAVE_DUE = {"entry": "status_dec", "intermediate": "status_mar", "final": "status_jun"}


def participants(programme: pd.DataFrame | None, ident: pd.DataFrame | None,
                 school_year: int) -> tuple[list[str], str]:
    """The participants of the school year and where they come from (Russian)."""
    if programme is not None and len(programme):
        p = programme[(pd.to_numeric(programme["year"], errors="coerce") == school_year)
                      & programme["participant"].fillna(False).astype(bool)]
        if len(p):
            return sorted(p["school_id"].astype(str).unique()), "таблица участия в программе"
    if ident is not None and len(ident):
        cur = ident[(ident["year"] == school_year) & ident["category"].isin(LISTED_CATEGORIES)]
        return sorted(cur["school_id"].astype(str).unique()), "список ШНОР (участие в " \
                                                               "программе не передано)"
    return [], ""


def expected_waves(school_year: int, qt: Quarter) -> list[tuple[str, str]]:
    """(domain, wave) due by the quarter end."""
    out = []
    for domain, waves in SCHEDULE.items():
        for w in waves:
            if quarter_of_status(school_year, WAVE_DUE[w]).end <= qt.end:
                out.append((domain, w))
    return out


def waves_received(monitoring: pd.DataFrame | None, ids: list[str], school_year: int,
                   qt: Quarter) -> pd.DataFrame:
    """Per domain and wave due: participants expected, received, missing (Russian headers)."""
    cols = ["Направление", "Этап", "Срок", "Ожидалось школ", "Получено", "Не получено"]
    exp = expected_waves(school_year, qt)
    if not exp or not ids:
        return pd.DataFrame(columns=cols)
    have = set()
    if monitoring is not None and len(monitoring):
        m = monitoring[pd.to_numeric(monitoring["year"], errors="coerce") == school_year]
        have = set(zip(m["school_id"].astype(str), m["domain"], m["wave"]))
    rows = []
    for domain, w in exp:
        got = sum((s, domain, w) in have for s in ids)
        due = quarter_of_status(school_year, WAVE_DUE[w]).end
        rows.append([DOMAINS_RU.get(domain, domain), WAVES_RU.get(w, w), due.strftime("%d.%m.%Y"),
                     len(ids), got, len(ids) - got])
    return pd.DataFrame(rows, columns=cols)

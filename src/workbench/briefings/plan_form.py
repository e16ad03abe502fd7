"""The plan of measures as the technological-map workbook holds it (sheet «План мероприятий»):
its headers, the canonical names they read back as (the `plan` table, `ingest/plan.py`), the
statuses a school may choose, and the draft rows made from the prioritised problems (one measure
per problem and level, the responsible suggested from the school's facts)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.briefings.tech_map import TECH_LEVELS, TECH_LEVELS_RU
from workbench.briefings.tech_map_facts import SchoolFacts
from workbench.core.formatting import year_label
from workbench.ingest.plan import PLAN_HEADERS, PLAN_SHEET, QUARTER_STATUS, STATUSES  # noqa: F401

# the workbook's plan sheet: «Наименование ОО» (not read back) after «Код ОО»
SHEET_HEADERS = ["Код ОО", "Наименование ОО", *list(PLAN_HEADERS)[1:]]
WIDTHS = [11, 30, 10, 9, 9, 34, 24, 22, 50, 12, 24, 13, 13, 13, 13, 24]


def responsible(level: str, values: dict[str, str]) -> str:
    """Who answers for a measure of a level (a draft the school corrects)."""
    return {"level_oo": "директор ОО", "level_mouo": f"МОУО, куратор: {values['curator']}",
            "level_institute": "ИРО", "level_ministry": "министерство образования",
            "level_resource_centres": f"ресурсная школа {values['partner']}",
            "level_other": ""}[level]


def draft_plan(tech: pd.DataFrame, facts: SchoolFacts | None = None) -> pd.DataFrame:
    """Draft rows of the plan (Russian headers): per prioritised problem one measure per level
    with a text, deadline 30.06 of the school year, statuses blank."""
    facts = facts or SchoolFacts()
    rows: list[dict[str, Any]] = []
    t = tech[tech["priority"].notna()].sort_values(["school_id", "priority"], kind="mergesort")
    sid: Any = object()  # no school yet: equal to no id
    values: dict[str, str] = {}
    k = 0
    for rec in t.to_dict("records"):  # sorted by school: a school's rows follow each other
        if rec["school_id"] != sid:
            sid, values, k = rec["school_id"], facts.placeholders(str(rec["school_id"])), 0
        for lvl in TECH_LEVELS:
            if not str(rec.get(lvl) or "").strip():
                continue
            k += 1
            rows.append(_measure(rec, lvl, k, str(sid), values))
    return pd.DataFrame(rows, columns=SHEET_HEADERS)


def _measure(rec: dict[str, Any], lvl: str, k: int, sid: str,
             values: dict[str, str]) -> dict[str, Any]:
    """The plan row of measure k of a school: problem `rec` at level `lvl`."""
    y = int(rec["year"])
    return {"Код ОО": sid, "Наименование ОО": values["school"],
            "Учебный год": year_label(y), "№ мероприятия": k,
            "№ проблемы": int(rec.get("number") or 0),
            "Проблема": rec["problem"], "Модуль": rec["module"],
            "Уровень": TECH_LEVELS_RU[lvl], "Мероприятие": rec[lvl],
            "Срок": f"30.06.{y + 1}",
            "Ответственный": responsible(lvl, values),
            **{h: "" for h in QUARTER_STATUS.values()}, "Примечание": ""}

"""The plan of measures as the technological-map workbook holds it (sheet «План мероприятий»):
its headers, the canonical names they read back as (the `plan` table, `ingest/plan.py`), the
statuses a school may choose, and the draft rows made from the prioritised problems (one measure
per problem and level, the responsible suggested from the school's facts)."""
from __future__ import annotations

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
    rows = []
    t = tech[tech["priority"].notna()].sort_values(["school_id", "priority"], kind="mergesort")
    for sid, g in t.groupby("school_id", sort=True):
        values = facts.placeholders(str(sid))
        k = 0
        for rec in g.to_dict("records"):
            for lvl in TECH_LEVELS:
                if not str(rec.get(lvl) or "").strip():
                    continue
                k += 1
                y = int(rec["year"])
                rows.append({"Код ОО": str(sid), "Наименование ОО": values["school"],
                             "Учебный год": year_label(y), "№ мероприятия": k,
                             "№ проблемы": int(rec.get("number") or 0),
                             "Проблема": rec["problem"], "Модуль": rec["module"],
                             "Уровень": TECH_LEVELS_RU[lvl], "Мероприятие": rec[lvl],
                             "Срок": f"30.06.{y + 1}",
                             "Ответственный": responsible(lvl, values),
                             **{h: "" for h in QUARTER_STATUS.values()}, "Примечание": ""})
    return pd.DataFrame(rows, columns=SHEET_HEADERS)

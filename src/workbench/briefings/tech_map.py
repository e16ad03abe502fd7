"""Step 2 of the briefings: the draft technological map of targeted support (seed 004, appendix 2
«Технологическая карта адресной помощи»).

The full form has every problem of the params section `risks` (by default the ten of appendix 2,
`RisksParams.modules`); per school 1–4 of them get a priority (highest risk scores first), each
with its support module, the numbers that justify it (its risk factors' scores and sources, its
indicators against the region's) and the forms of support at the six levels filled with the
school's own facts (`tech_map_facts`: the resource school by name, the curator, the
municipality, the weakest subjects and grades). `tech_map` is the prioritised rows (the table),
`full_form` every problem (the workbook).
"""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

from workbench.briefings.risk_profiles import LEVELS, level_of
from workbench.briefings.tech_map_facts import SchoolFacts, evidence_text
from workbench.config.briefings import ModuleRule, RisksParams
from workbench.core.formatting import fmt_num
from workbench.ingest.plan import LEVEL_LABELS

TECH_LEVELS = ["level_oo", "level_mouo", "level_institute", "level_ministry",
               "level_resource_centres", "level_other"]
TECH_LEVELS_RU = LEVEL_LABELS  # one wording: the workbook's, read back by ingest
TECH_MAP_COLUMNS = ["school_id", "year", "priority", "number", "problem", "risk_factors", "module",
                    "score", "evidence", *TECH_LEVELS]
PLACEHOLDER = re.compile(r"\{(school|municipality|partner|curator|subjects)\}")
# what each support module offers (the workbook's sheet «Модули»)
MODULES = {
    "Школа — центр социума": "Оказание помощи в повышении социального статуса школы",
    "Одарённые дети": "Оказание помощи в адресной поддержке одарённых детей",
    "Управление качеством образования":
        "Помощь в конструировании программ повышения качества образования в УО и ОО",
    "Мобильный педагог": "Оказание помощи в решении кадровой проблемы в ОО",
    "Скорая методическая помощь": "Оказание адресной методической помощи педагогам",
    "Возможности для каждого":
        "Оказание адресной помощи в работе с низкомотивированными детьми, детьми с ОВЗ",
    "Ресурсные возможности": "Оказание помощи в решении материально-технических проблем ОО",
}


def tech_map(profiles: pd.DataFrame, params: RisksParams,
             facts: SchoolFacts | None = None) -> pd.DataFrame:
    """Draft technological map: per school its 1–4 priority problems with module, numbers and
    six levels (see `priority_problems` for the choice)."""
    full = full_form(profiles, params, facts)
    out = full[full["priority"].notna()].copy()
    out["priority"] = out["priority"].astype(int)
    return out.sort_values(["school_id", "year", "priority"], kind="mergesort")[
        TECH_MAP_COLUMNS].reset_index(drop=True)


def fill_levels(rule: ModuleRule, values: dict[str, str]) -> dict[str, str]:
    """The six level texts of a problem with the school's facts in their placeholders."""
    return {lvl: PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)),
                                 getattr(rule, lvl)) for lvl in TECH_LEVELS}


def _factor_evidence(rule: ModuleRule, rows: dict[str, dict[str, Any]]) -> str:
    """«R02 Дефицит педагогических кадров: 0,48 (анкетирование 2024)» per factor present;
    rows: the school's profile rows by risk factor."""
    out = []
    for f in rule.risk_factors:
        if f in rows:
            r = rows[f]
            src = str(r.get("source") or "")
            out.append(f"{f} «{r.get('risk_name', f)}»: {fmt_num(float(r['score']), 2)}"
                       + (f" ({src})" if src else ""))
    return "; ".join(out)


def full_form(profiles: pd.DataFrame, params: RisksParams,
              facts: SchoolFacts | None = None) -> pd.DataFrame:
    """Every problem of the params for every school with a profile: its priority (None when not
    chosen), score (None when none of its risk factors is known), evidence and filled levels."""
    if profiles is None or len(profiles) == 0:
        return pd.DataFrame(columns=TECH_MAP_COLUMNS)
    facts = facts or SchoolFacts()
    rows = []
    for (sid, year), g in profiles.groupby(["school_id", "year"], sort=True):
        sid = str(sid)
        score = dict(zip(g["risk_factor"], g["score"].astype(float)))
        by_factor = {r["risk_factor"]: r for r in g.to_dict("records")}  # once, not per rule
        chosen = {id(rule): prio for prio, (_, rule, _) in
                  enumerate(priority_problems(score, params), start=1)}
        values = facts.placeholders(sid)
        for rule in params.modules:
            present = [f for f in rule.risk_factors if f in score]
            factors = sorted(present, key=lambda f: -score[f])
            ev = "; ".join(x for x in (_factor_evidence(rule, by_factor),
                                       evidence_text(facts, sid, rule.indicators)) if x)
            row = {"school_id": sid, "year": int(year), "priority": chosen.get(id(rule)),
                   "number": rule.number, "problem": rule.problem,
                   "risk_factors": ", ".join(factors), "module": rule.module,
                   "score": round(max(score[f] for f in present), 4) if present else None,
                   "evidence": ev or "нет данных"}
            row.update(fill_levels(rule, values))
            rows.append(row)
    return pd.DataFrame(rows, columns=TECH_MAP_COLUMNS)


def priority_problems(score: dict[str, float],
                      params: RisksParams) -> list[tuple[float, ModuleRule, list[str]]]:
    """The chosen problems of one school, highest first: (score, module rule, its risk factors
    present in the profile, highest score first)."""
    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    min_rank = rank[params.problem_min_level]
    cands = []
    for i, rule in enumerate(params.modules):
        present = [(score[f], f) for f in rule.risk_factors if f in score]
        if not present:
            continue
        s = max(v for v, _ in present)
        factors = [f for _, f in sorted(present, key=lambda t: -t[0])]
        cands.append((s, i, rule, factors))
    cands.sort(key=lambda t: (-t[0], t[1]))
    chosen = [c for c in cands if rank[level_of(c[0], params)] <= min_rank][:params.max_problems]
    if len(chosen) < params.min_problems:
        chosen = cands[:params.min_problems]
    return [(s, rule, factors) for s, _, rule, factors in chosen]

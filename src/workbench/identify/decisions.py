"""Expert decisions applied after the statistics (seed 001: the list is made «по итогам
идентификации, углубленного анализа и экспертной оценки»).

The optional canonical table `decisions` (school_id, year, decision = include / exclude /
category, category, reason, expert, decision_date) changes the category of its school-year of
`identification`; the statistical category stays beside it (`category_statistical`), and every
changed row says so in Russian (`decision_text`, also the first sentence of its reasons), so a
list, a passport or the explorer's card never shows an expert's category as a statistical one.

- include: the school enters the ШНОР list — the category given if it is a listed one, else «ШНОР
  в неблагоприятных социальных условиях» when its social conditions are adverse, else «ШНОР».
- exclude: a listed school leaves the list; it goes to the category given if that is not a
  listed one, else to «Зона риска» (it was in the bottom group by the statistics).
- category: the category given, whatever the statistics said.
A decision that changes nothing (an exclusion of a school not on the list, a school-year not in
identification) is not applied and gets a Russian note."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbench.core.formatting import fmt_int, year_label
from workbench.core.vocabulary import CATEGORIES, LISTED_CATEGORIES

DECISION_COLUMNS = ["category_statistical", "decision", "decision_text"]
VERB = {"include": "Включена в список ШНОР", "exclude": "Исключена из списка ШНОР",
        "category": "Категория изменена"}


def _text(value: object) -> str:
    return "" if value is None or value != value else str(value).strip()


def decided_category(decision: str, given: str, statistical: str, adverse: bool) -> str:
    """The category after an expert decision (see the module docstring)."""
    if decision == "include":
        if given in LISTED_CATEGORIES:
            return given
        return "low_results_adverse" if adverse else "low_results"
    if decision == "exclude":
        if statistical not in LISTED_CATEGORIES:
            return statistical
        return given if given in CATEGORIES and given not in LISTED_CATEGORIES else "watch"
    return given if given in CATEGORIES else statistical


def decision_sentence(decision: str, before: str, after: str, reason: str, expert: str,
                      date: str) -> str:
    """«Включена в список ШНОР решением экспертной группы (Иванова А. П., 12.03.2025): <reason>;
    по статистике — «Типичная».»"""
    who = ", ".join(x for x in (expert, date) if x)
    head = f"{VERB[decision]} решением экспертной группы" + (f" ({who})" if who
                                                                          else "")
    if decision == "category":
        head += f": «{CATEGORIES[before]}» → «{CATEGORIES[after]}»"
    tail = f"; по статистике — «{CATEGORIES[before]}»" if decision != "category" else ""
    return head + (f". Основание: {reason}" if reason else "") + tail + "."


def decided_reasons(texts: Iterable[object], reasons: Iterable[object]) -> list[str]:
    """The reasons of decided rows: the decision first, then the statistical reasons."""
    return [f"{_text(t)} Статистические основания: {_text(r)}" if _text(r) else _text(t)
            for t, r in zip(texts, reasons)]


def apply_decisions(ident: pd.DataFrame, decisions: pd.DataFrame | None
                    ) -> tuple[pd.DataFrame, list[str]]:
    """identification with the expert decisions applied (category, category_ru, reasons) and
    the columns category_statistical, decision, decision_text; and Russian notes (how many were
    applied, which could not be)."""
    out = ident.copy()
    out["category_statistical"] = out["category"]
    out["decision"] = None
    out["decision_text"] = ""
    if decisions is None or len(decisions) == 0:
        return out, []
    pos = {(str(s), int(y)): i for i, (s, y) in enumerate(zip(out["school_id"], out["year"]))}
    notes: list[str] = []
    applied = {"include": 0, "exclude": 0, "category": 0}
    cat_col = out.columns.get_loc("category")
    for rec in decisions.sort_values(["year", "school_id"], kind="mergesort").to_dict("records"):
        sid, year, dec = str(rec["school_id"]), int(rec["year"]), str(rec["decision"])
        i = pos.get((sid, year))
        if i is None:
            notes.append(f"Решение экспертной группы по школе {sid} за {year_label(year)} "
                         f"учебный год не применено: в идентификации нет этой школы в этом году.")
            continue
        before = str(out.iat[i, out.columns.get_loc("category_statistical")])
        adverse = bool(out["adverse_context"].iat[i]) if "adverse_context" in out else False
        after = decided_category(dec, _text(rec.get("category")), before, adverse)
        if after == before:
            notes.append(f"Решение экспертной группы по школе {sid} за {year_label(year)} "
                         f"учебный год не меняет категорию («{CATEGORIES[before]}») и не "
                         f"применено.")
            continue
        sentence = decision_sentence(dec, before, after, _text(rec.get("reason")),
                                     _text(rec.get("expert")), _text(rec.get("decision_date")))
        out.iat[i, cat_col] = after
        out.iat[i, out.columns.get_loc("decision")] = dec
        out.iat[i, out.columns.get_loc("decision_text")] = sentence
        applied[dec] += 1
    changed = out["decision"].notna()
    out.loc[changed, "category_ru"] = out.loc[changed, "category"].map(CATEGORIES)
    out.loc[changed, "reasons"] = decided_reasons(out.loc[changed, "decision_text"],
                                                  out.loc[changed, "reasons"])
    if changed.any():
        notes.insert(0, "Решения экспертной группы применены после статистики: "
                        f"включено {fmt_int(applied['include'])}, исключено "
                        f"{fmt_int(applied['exclude'])}, категория изменена "
                        f"{fmt_int(applied['category'])} (статистическая категория — в столбце "
                        f"category_statistical).")
    return out, notes


def decision_counts(ident: pd.DataFrame, year: int | None) -> dict[str, int]:
    """Applied decisions of a year by kind (the region briefing counts them)."""
    if year is None or "decision" not in ident.columns:
        return {"include": 0, "exclude": 0, "category": 0}
    cur = ident.loc[ident["year"] == year, "decision"]
    return {k: int((cur == k).sum()) for k in ("include", "exclude", "category")}

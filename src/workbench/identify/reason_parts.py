"""The Russian phrases of the reasons, one function per statement, each true of the row it is
built from: it states only what the row's numbers show (a level «ниже регионального уровня» only
when the whole interval is below it, «в нижних 10%» only for a school in the bottom group, a
value added «выше ожидаемого» only when it is above)."""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from workbench.config.identify import IdentifyParams
from workbench.core.formatting import fmt_num, fmt_pct, pctl, years_ru
from workbench.core.privacy import is_small, suppressed_text


def years_at_least(n: int) -> str:
    """«не менее 1 года», «не менее 2 лет» (the genitive after «не менее»)."""
    n = int(n)
    return f"не менее {n} {'года' if n % 10 == 1 and n % 100 != 11 else 'лет'}"


def _share(x: float) -> str:
    """A share in percent for the bottom/top groups and the probability: «10%»."""
    return fmt_num(x * 100, 0) + "%"


def probability_text(p: float) -> str:
    """«97%», never «100%» or «0%» for a probability: «более 99%», «менее 1%»."""
    if p >= 0.995:
        return "более 99%"
    if p < 0.005:
        return "менее 1%"
    return fmt_pct(p)


def ci_text(low: Any, high: Any, sign: bool = False) -> str:
    """«95% ДИ −1,2…−0,6»."""
    return f"95% ДИ {fmt_num(low, 1, sign)}…{fmt_num(high, 1, sign)}"


def window_text(r: dict) -> str:
    """The years behind the persistent level: «за 3 года (2023–2025)» / «за 2025 г.»."""
    n, year = int(r["n_years"]), int(r["year"])
    wf = r.get("window_from")
    if n <= 1 or wf is None or pd.isna(wf) or int(wf) >= year:
        return f"за {year} г."
    return f"за {years_ru(n)} ({int(wf)}–{year})"


def level(r: dict) -> str:
    """«устойчивый уровень результатов за 3 года (2023–2025) −0,9 (95% ДИ −1,2…−0,6)»."""
    return (f"устойчивый уровень результатов {window_text(r)} {fmt_num(r['quality_index'], 1)} "
            f"({ci_text(r['quality_ci_low'], r['quality_ci_high'])})")


def level_vs_region(r: dict) -> str:
    """The level with «ниже/выше регионального уровня» only when the whole interval is."""
    text = level(r)
    if r["quality_ci_high"] < r["benchmark"]:
        return text + ", ниже регионального уровня"
    if r["quality_ci_low"] > r["benchmark"]:
        return text + ", выше регионального уровня"
    return text


def year_index(r: dict) -> str:
    """«индекс результатов 2025 г. −1,1 (95% ДИ −1,5…−0,7)»."""
    return (f"индекс результатов {int(r['year'])} г. {fmt_num(r['result_index'], 1)} "
            f"({ci_text(r['result_ci_low'], r['result_ci_high'])})")


def rank(r: dict) -> str:
    """«4-й процентиль по региону (95% интервал места: 1–9-й)»."""
    text = f"{pctl(r['result_percentile'])} по региону"
    lo, hi = r.get("rank_ci_low"), r.get("rank_ci_high")
    if lo is not None and hi is not None and not (pd.isna(lo) or pd.isna(hi)):
        a = int(min(99, max(1, math.floor(lo))))
        b = int(min(99, max(a, math.ceil(hi))))
        text += f" (95% интервал места: {a}–{b}-й)"
    return text


def probability(r: dict, params: IdentifyParams) -> str:
    """«вероятность входить в нижние 10% — 96%»."""
    return (f"вероятность входить в нижние {_share(params.bottom_share)} — "
            f"{probability_text(r['prob_bottom'])}")


def in_bottom(r: dict, params: IdentifyParams) -> str:
    """«в нижних 10% региона 3 года подряд: 4-й процентиль … , вероятность …»."""
    run = int(r.get("years_low") or 0)
    times = f" {years_ru(run)} подряд" if run >= 2 else ""
    text = f"в нижних {_share(params.bottom_share)} региона{times}: {rank(r)}"
    if pd.notna(r.get("prob_bottom")):
        text += f", {probability(r, params)}"
    return text


def listed_not_in_bottom(r: dict, params: IdentifyParams) -> str:
    """A listed school out of the bottom group this year: why it is still listed."""
    out = int(r.get("years_out") or 0)
    return (f"в этом году вне нижних {_share(params.bottom_share)} ({rank(r)}), но критерии "
            f"выхода из списка не выполнены: {years_ru(out)} вне нижней группы из "
            f"{params.exit_years} нужных подряд, 95% ДИ не целиком выше порога нижней группы")


def since(r: dict) -> str:
    """«в списке ШНОР с 2023 г.» for a school listed in an earlier year, else ""."""
    s = r.get("listed_since")
    if s is None or pd.isna(s) or int(s) >= int(r["year"]):
        return ""
    return f"в списке ШНОР с {int(s)} г."


def short_history(r: dict, params: IdentifyParams) -> str:
    """A listing on fewer years than min_years (short_history: available), else ""."""
    if int(r["n_years"]) >= params.min_years:
        return ""
    return f"включена по данным только {window_text(r)} (обычно нужно " \
           f"{years_at_least(params.min_years)})"


def adverse(r: dict, params: IdentifyParams) -> str:
    """«неблагоприятные социальные условия: социальный индекс −1,1 (8-й процентиль, нижние 25%
    региона)»."""
    return (f"неблагоприятные социальные условия: социальный индекс "
            f"{fmt_num(r['social_index'], 1)} ({pctl(r['social_percentile'])}, нижние "
            f"{_share(params.adverse_share)} региона)")


def value_added(r: dict) -> str:
    """«с учётом социальных условий результат ниже ожидаемого на 0,4 (95% ДИ −0,8…−0,1)», or ""
    when unknown."""
    va = r.get("value_added")
    if va is None or pd.isna(va):
        return ""
    if fmt_num(va, 1) in ("0,0", "−0,0"):
        word = "на уровне ожидаемого"
        return (f"с учётом социальных условий результат {word} "
                f"({ci_text(r['va_ci_low'], r['va_ci_high'], True)})")
    word = "ниже" if va < 0 else "выше"
    return (f"с учётом социальных условий результат {word} ожидаемого на {fmt_num(abs(va), 1)} "
            f"({ci_text(r['va_ci_low'], r['va_ci_high'], True)})")


def above_expected(r: dict) -> str:
    """The resilient statement: «результат выше ожидаемого в таких условиях на +0,5 (95% ДИ
    +0,1…+0,9)»."""
    return (f"результат выше ожидаемого в таких условиях на {fmt_num(r['value_added'], 1, True)} "
            f"({ci_text(r['va_ci_low'], r['va_ci_high'], True)})")


def watch_why(r: dict, params: IdentifyParams) -> list[str]:
    """Why a school of the bottom group is not listed (every criterion it misses)."""
    why = []
    if int(r["n_years"]) < params.min_years and params.short_history == "strict":
        why.append(f"результаты только {window_text(r)} (нужно "
                   f"{years_at_least(params.min_years)})")
    if pd.notna(r.get("prob_bottom")) and r["prob_bottom"] < params.min_probability:
        why.append(f"{probability(r, params)} (нужно не менее "
                   f"{probability_text(params.min_probability)})")
    if not r["quality_ci_high"] < r["benchmark"]:
        why.append(f"95% ДИ устойчивого уровня ({fmt_num(r['quality_ci_low'], 1)}…"
                   f"{fmt_num(r['quality_ci_high'], 1)}) не целиком ниже регионального уровня")
    if not why and int(r.get("evidence_years") or 0) < params.persist_years:
        why.append(f"основания для включения {years_ru(int(r.get('evidence_years') or 0))} из "
                   f"{params.persist_years} нужных подряд")
    return why or ["критерии включения не выполнены"]


def watch(r: dict, params: IdentifyParams) -> str:
    """«в нижних 10% региона: …, но в список не включена: …»."""
    return f"{in_bottom(r, params)}, но в список не включена: " + ", ".join(watch_why(r, params))


def single_year(r: dict, params: IdentifyParams, min_cell: int) -> str:
    """A school whose year alone is in the bottom group but that is neither listed nor watched:
    the year's index and why it does not decide (its other years, the small number of pupils)."""
    parts = [f"{level(r)}, {pctl(r['result_percentile'])} по региону"]
    if int(r["n_years"]) >= 2:
        parts.insert(0, f"это один год из {int(r['n_years'])}")
    if pd.notna(r.get("shrink_weight")) and r["shrink_weight"] < 0.5:
        n = r["n_pupils"]
        who = suppressed_text(min_cell, "обучающихся") if is_small(n, min_cell) else \
            f"{int(n)} обучающихся"
        parts.append(f"результаты малочисленной школы ({who}) неточны, оценка сдвинута к "
                     "ожидаемому в таких условиях")
    return (f"{year_index(r)} — в нижних {_share(params.bottom_share)} региона за этот год, но в "
            f"список и в зону риска не включена: " + ", ".join(parts))


def insufficient(r: dict, params: IdentifyParams, min_cell: int) -> str:
    """Why there are not enough data: no results, classes all under min_class_n, too few pupils."""
    year = int(r["year"])
    if not pd.notna(r["result_index"]):
        if r.get("n_pupils", 0) and r["n_pupils"] > 0:
            return (f"недостаточно данных: все классы меньше {params.min_class_n} обучающихся, "
                    f"индекс результатов за {year} г. не рассчитывается")
        return f"недостаточно данных: нет результатов оценочных процедур за {year} год"
    n = r["n_pooled"]
    who = suppressed_text(min_cell, "обучающихся") if is_small(n, min_cell) else \
        f"{int(n)} обучающихся"
    window = window_text(r) if params.pool_years else f"за {year} г."
    return f"недостаточно данных: {who} писали работы {window} (нужно не менее {params.min_n})"


def on_hold(r: dict) -> str:
    """A listed school without enough data this year: the decision waits."""
    s = r.get("listed_since")
    start = f" с {int(s)} г." if s is not None and pd.notna(s) else ""
    return f"в списке ШНОР{start}: решение о выходе отложено до появления данных"

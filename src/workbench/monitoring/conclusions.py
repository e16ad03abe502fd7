"""Russian wording of the programme effect: a line per estimate (the ``conclusion`` column of
``effectiveness``) and the plain-words summary of the notebook and briefings.

Never stronger than the intervals allow: an interval that covers zero is «не подтверждён, но и
не исключён», a failed placebo check is said beside the estimate, and before/after changes of
participants alone are described, not called an effect."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.formatting import fmt_num, plural_ru, year_label
from workbench.monitoring.estimates import (EST_BEFORE_AFTER, EST_DID, EST_DID_POOLED, EST_PLACEBO,
                                            EST_PLACEBO_POOLED, PLACEBOS)


def _interval_text(effect: float, ci_low: float, ci_high: float) -> str:
    """«+0,25 (95% ДИ от +0,10 до +0,40)»."""
    return (f"{fmt_num(effect, 2, sign=True)} (95% ДИ от {fmt_num(ci_low, 2, sign=True)} до "
            f"{fmt_num(ci_high, 2, sign=True)})")


def _interval_ru(r: pd.Series) -> str:
    return _interval_text(r["effect"], r["ci_low"], r["ci_high"])


# ------------------------------------------------------------------ one estimate
def conclusion_ru(estimate: str, effect: float, ci_low: float, ci_high: float,
                  higher_is_better: bool = True, n_treated: int = 0, min_treated: int = 5) -> str:
    """A one-line Russian reading of an estimate that never claims more than the interval allows."""
    if n_treated < min_treated or effect is None or np.isnan(effect):
        return "оценка невозможна: слишком мало школ с данными для сравнения"
    if np.isnan(ci_low) or np.isnan(ci_high):
        return "интервал не рассчитан: вывод сделать нельзя"
    covers = ci_low <= 0 <= ci_high
    good = (ci_low > 0) if higher_is_better else (ci_high < 0)
    iv = _interval_text(effect, ci_low, ci_high)
    if estimate in PLACEBOS:
        if covers:
            return (f"до отбора участников различий с сопоставимыми школами не обнаружено: {iv} — "
                    "проверка пройдена")
        return (f"различия с сопоставимыми школами были ещё до отбора участников: {iv} — оценку "
                "эффекта программы следует трактовать осторожно")
    if estimate in (EST_DID, EST_DID_POOLED):
        if covers:
            return f"эффект не отличим от нуля: {iv}"
        if good:
            return (f"результаты участников изменились лучше, чем у сопоставимых неучастников: {iv}; "
                    "это согласуется с положительным эффектом программы")
        return f"результаты участников изменились хуже, чем у сопоставимых неучастников: {iv}"
    # before/after within participants
    if covers:
        return f"изменение у участников не отличимо от нуля: {iv}; сравнения с неучастниками нет"
    word = "улучшился" if good else "ухудшился"
    return (f"показатель у участников {word}: {iv}; это описание динамики, а не оценка эффекта "
            "(сравнения с неучастниками нет)")


# ------------------------------------------------------------------ the summary of a cohort
def _span(a: int, b: int) -> str:
    """«от 2023/24 к 2024/25»."""
    return f"от {year_label(a)} к {year_label(b)}"


def _main_estimate_text(P: int, main: pd.Series, pooled: pd.DataFrame, did: pd.DataFrame,
                        power: float) -> str:
    """The main DiD of a cohort (pooled over its years, else its first year) and the yearly ones."""
    nt, nc = int(main["n_treated"]), int(main["n_control"])
    who = (f"{nt} {plural_ru(nt, 'школа-участница', 'школы-участницы', 'школ-участниц')} "
           f"и {nc} {plural_ru(nc, 'сопоставимая школа', 'сопоставимые школы', 'сопоставимых школ')}")
    span = (f"в среднем за {year_label(P)}–{year_label(main['year'])} уч. гг." if len(pooled)
            else f"за {year_label(main['year'])} уч. г.")
    mde_txt = (f" С вероятностью {fmt_num(100 * power, 0)}% такое сравнение обнаружило бы лишь эффект "
               f"не меньше {fmt_num(main['mde'], 2)} ед. индекса (минимальный обнаружимый эффект)."
               if pd.notna(main.get("mde")) else "")
    if np.isnan(main["ci_low"]):
        txt = (f" Разность разностей {span}: {fmt_num(main['effect'], 2, sign=True)}, "
               "интервал не рассчитан.")
    elif main["ci_low"] <= 0 <= main["ci_high"]:
        txt = (f" Изменение индекса результатов участников {span} не отличается от "
               f"изменения у сопоставимых школ ({who}): {_interval_ru(main)}. Эффект "
               f"программы по этим данным не подтверждён, но и не исключён.{mde_txt}")
    elif main["ci_low"] > 0:
        txt = (f" Индекс результатов участников {span} вырос сильнее, чем у сопоставимых "
               f"школ ({who}): {_interval_ru(main)}. Это согласуется с положительным "
               f"эффектом программы.")
    else:
        txt = (f" Индекс результатов участников {span} изменился хуже, чем у "
               f"сопоставимых школ ({who}): {_interval_ru(main)}.")
    if len(did) > 1:
        txt += " По годам: " + "; ".join(
            f"{_span(int(r['base_year']), int(r['year']))}: {_interval_ru(r)}"
            for _, r in did.iterrows()) + "."
    return txt


def _placebo_text(plc: pd.DataFrame) -> str:
    """The placebo check of a cohort that has a main estimate (the pooled placebo when there are
    several years before the selection)."""
    if not len(plc):
        return (" Плацебо-проверку провести нельзя: нет данных за годы до отбора участников "
                "(до окна лет, по результатам которых отбирались школы), поэтому сопоставимость "
                "участников и подобранных школ до программы не проверена.")
    pooled = plc[plc["estimate"] == EST_PLACEBO_POOLED]
    p = pooled.iloc[0] if len(pooled) else plc.iloc[0]
    if np.isnan(p["ci_low"]):
        return ""
    years = sorted(int(y) for y in plc.loc[plc["estimate"] == EST_PLACEBO, "year"])
    when = (f"{year_label(years[0])}" if len(years) == 1
            else f"{year_label(years[0])}–{year_label(years[-1])}")
    if p["ci_low"] <= 0 <= p["ci_high"]:
        return (f" Плацебо-проверка (те же школы до отбора в программу: {when} уч. г. против "
                f"{year_label(p['base_year'])}) различий не показала: {_interval_ru(p)}.")
    return (f" Однако плацебо-проверка показала различия ещё до отбора в программу ({when} уч. г. "
            f"против {year_label(p['base_year'])}): {_interval_ru(p)}; участники и подобранные "
            "школы, по-видимому, несопоставимы, поэтому оценку эффекта следует трактовать осторожно.")


def _cohort_conclusion(P: int, g: pd.DataFrame, power: float) -> str:
    """The summary of the participants who started in year P."""
    did = g[(g["estimate"] == EST_DID) & g["effect"].notna()].sort_values("year")
    pooled = g[(g["estimate"] == EST_DID_POOLED) & g["effect"].notna()]
    plc = g[g["estimate"].isin(PLACEBOS) & g["effect"].notna()]
    txt = f"Участники с {year_label(P)} уч. г."
    main = pooled.iloc[0] if len(pooled) else (did.iloc[0] if len(did) else None)
    if main is None:
        txt += " Сравнить их с сопоставимыми неучастниками не удалось (мало данных)."
    else:
        txt += _main_estimate_text(P, main, pooled, did, power)
        txt += _placebo_text(plc)
    ba = g[(g["estimate"] == EST_BEFORE_AFTER) & g["effect"].notna()]
    if len(ba):
        txt += (f" Изменения от входного к итоговому замеру по {len(ba)} "
                f"{plural_ru(len(ba), 'показателю', 'показателям', 'показателям')} мониторинга "
                "описывают динамику участников, но не являются оценкой эффекта: сравнения "
                "с неучастниками по ним нет.")
    return txt


def overall_conclusion(effectiveness: pd.DataFrame, power: float = 0.8) -> str:
    """Plain-words Russian summary of the programme effect for the notebook and briefings.

    Per cohort: the main estimate (the DiD averaged over the years of participation when there
    are several, else the first year) with its MDE when it is not significant, the yearly
    estimates, the placebo before the selection, and a reminder that
    monitoring changes of participants alone are not an effect. Never stronger than the
    intervals allow."""
    if effectiveness is None or len(effectiveness) == 0:
        return ("Оценить эффект программы нельзя: нет данных об участниках программы или "
                "о результатах школ за годы до и после участия.")
    return " ".join(_cohort_conclusion(P, g, power)
                    for P, g in effectiveness.groupby("programme_year", sort=True))

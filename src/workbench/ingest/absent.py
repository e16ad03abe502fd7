"""What the inputs lack and what the run therefore cannot compute, in Russian.

Any optional column or table may be missing. Where the stages say so themselves (no context, no
monitoring, a short history) nothing is added here; this module says the rest: optional columns
with a consequence (locality, coordinates, school size, the spread and the low share of exam
scores, the size and direction of monitoring indicators), ОГЭ/ЕГЭ or ВПР absent, programme and
risk survey absent, and declared indicators found in no file. Each sentence says only what the
code downstream really does without that input."""
from __future__ import annotations

import pandas as pd

from workbench.config import Params
from workbench.core.formatting import fmt_int

MARKS = [f"n_mark{k}" for k in range(2, 6)]
EXAMS = ("ОГЭ", "ЕГЭ")


def _lacks(df: pd.DataFrame | None, column: str, found: set[str] | None = None) -> bool:
    """A provided table whose column has no value at all (or, when `found` is given, was in
    none of its files: canonical tables fill some columns with defaults)."""
    if df is None or len(df) == 0:
        return False
    if found is not None and column not in found:
        return True
    return column not in df.columns or bool(df[column].isna().all())


def absent_notes(params: Params, tables: dict[str, pd.DataFrame],
                 found: dict[str, set[str]] | None = None) -> list[str]:
    """One Russian sentence per missing optional thing that changes what the run computes.
    found: the canonical columns each table's files had (mapped or constant)."""
    found = found or {}
    notes: list[str] = []
    notes += _schools_notes(tables.get("schools"), tables.get("context"))
    notes += _context_notes(params, tables.get("context"))
    notes += _results_notes(tables.get("results"))
    notes += _monitoring_notes(tables.get("monitoring"), found.get("monitoring"))
    if params.inputs.programme is None:
        notes.append("Участие в программе не передано (inputs.programme): эффект программы не "
                     "оценён.")
    if params.inputs.risk_survey is None:
        notes.append("Анкеты рисков не переданы (inputs.risk_survey): " + (
            f"профили рисков рассчитаны только по {_sources_ru(tables)}."
            if params.risks.derive_missing else "профили рисков не построены."))
    return notes


def _sources_ru(tables: dict[str, pd.DataFrame | None]) -> str:
    """«данным контекста, результатов и мониторинга»: only the tables this run has."""
    names = [ru for t, ru in (("context", "контекста"), ("results", "результатов"),
                              ("monitoring", "мониторинга"))
             if tables.get(t) is not None and len(tables[t])]
    if not names:
        return "имеющимся данным"
    return "данным " + (names[0] if len(names) == 1 else
                        ", ".join(names[:-1]) + " и " + names[-1])


def _schools_notes(schools: pd.DataFrame | None, context: pd.DataFrame | None) -> list[str]:
    notes = []
    rural_in_context = context is not None and "is_rural" in context.columns \
        and bool(context["is_rural"].notna().any())
    if _lacks(schools, "locality") and not rural_in_context:
        notes.append("В списке школ нет типа населённого пункта (locality), а в контексте — "
                     "признака is_rural: сельские школы не выделяются ни в социальном индексе, "
                     "ни в названиях кластеров.")
    if _lacks(schools, "latitude") or _lacks(schools, "longitude"):
        notes.append("В списке школ нет координат (latitude, longitude): расстояние до "
                     "школы-партнёра не рассчитано и карта пар не строится; партнёры подбираются "
                     "по кластеру и муниципалитету.")
    return notes


def _context_notes(params: Params, context: pd.DataFrame | None) -> list[str]:
    if context is None or len(context) == 0:
        return []
    notes = []
    if _lacks(context, "n_students"):
        notes.append("В данных контекста нет численности обучающихся (n_students): размер школ "
                     "в названиях кластеров не указан.")
    labels = params.indicator_labels()
    for name in params.context_indicators:
        if _lacks(context, name):
            notes.append(f"Показатель «{labels.get(name, name)}» ({name}) объявлен в "
                         f"context_indicators, но его нет в данных контекста: в расчётах он не "
                         f"участвует.")
    return notes


def _results_notes(results: pd.DataFrame | None) -> list[str]:
    if results is None or len(results) == 0:
        return []
    notes = []
    procedures = set(results["procedure"].dropna())
    if not procedures & set(EXAMS):
        notes.append("Результатов ОГЭ и ЕГЭ нет: индекс результатов рассчитан без экзаменов, "
                     "проверка объективности ВПР (сравнение с ОГЭ/ЕГЭ школы) не выполнена.")
    elif "ВПР" not in procedures:
        notes.append("Результатов ВПР нет: проверка объективности ВПР не выполнена.")
    no_marks = results[MARKS].isna().all(axis=1)
    for proc, g in results[no_marks].groupby("procedure", sort=True):
        notes += _score_notes(str(proc), g)
    return notes


def _score_notes(proc: str, g: pd.DataFrame) -> list[str]:
    """Score-based rows of one procedure (no marks): what their measures lack."""
    has_mean, has_sd = g["mean_score"].notna(), g["sd_score"].notna()
    has_low = g["n_low"].notna() | g["share_low"].notna()
    notes = []
    nothing = ~has_mean & ~has_low
    if nothing.any():
        notes.append(f"{fmt_int(int(nothing.sum()))} строк результатов ({proc}) содержат только "
                     f"число участников — нет ни отметок, ни среднего балла, ни числа не "
                     f"преодолевших минимум: в индекс результатов они не вошли.")
    if has_mean.any() and not has_sd.any():
        notes.append(f"Для {proc} нет стандартного отклонения баллов (sd_score): погрешность "
                     f"среднего балла оценена по типовой внутришкольной корреляции "
                     f"(identification.assumed_icc).")
    if has_mean.any() and not has_low.any():
        notes.append(f"Для {proc} нет числа не преодолевших минимум (n_low): доля низких "
                     f"результатов по {proc} не рассчитана, в индекс вошёл средний балл.")
    if has_low.any() and not has_mean.any():
        notes.append(f"Для {proc} нет среднего балла (mean_score): в индекс результатов по {proc} "
                     f"вошла только доля не преодолевших минимум.")
    return notes


def _monitoring_notes(monitoring: pd.DataFrame | None, found: set[str] | None) -> list[str]:
    if monitoring is None or len(monitoring) == 0:
        return []
    notes = []
    if _lacks(monitoring, "n", found):
        notes.append("В данных мониторинга нет числа участников замеров (n): значимость изменения "
                     "оценена без учёта численности — по разбросу показателя и его надёжности "
                     "(monitoring.reliability).")
    if _lacks(monitoring, "higher_is_better", found):
        notes.append("В данных мониторинга не указано направление показателей "
                     "(higher_is_better): для всех показателей принято «больше — лучше»; для "
                     "таких показателей, как доля «2», укажите направление в файле.")
    return notes

"""The quarterly analytical report (seed 003 item 20.1, due by the 15th of the next month): the
plan against what was done by school, municipality and module, the overdue measures, the
monitoring waves received against the schedule, and what changed since the last quarter. Every
sentence is worded from the numbers of its tables."""
from __future__ import annotations

import pandas as pd

from workbench.core.formatting import fmt_int, year_label
from workbench.reports.model import (Report, Section, in_schools, n_measures, n_schools, plural,
                                     russian_counts, share)
from workbench.reports.period import Quarter
from workbench.reports.plan_status import (COUNT_RU, changes_since, counts, measures_at,
                                           overdue_list, status_changes, totals)
from workbench.reports.waves import participants, waves_received

NAMES = {"school_id": "Код ОО", "school_name": "Наименование ОО", "municipality": "Муниципалитет",
         "module": "Модуль", **COUNT_RU}
Tables = dict[str, pd.DataFrame | None]


def plan_section(m: pd.DataFrame, qt: Quarter) -> Section:
    """Plan vs done at the quarter end, with the tables by municipality, module and school."""
    s = Section("Выполнение плана мероприятий")
    if not len(m):
        s.paragraphs.append(f"Нет данных: планы мероприятий на {year_label(qt.school_year)} "
                            "учебный год не переданы (inputs.plan) — выполнение плана не "
                            "оценено.")
        return s
    t = totals(m)
    n_sch = m["school_id"].nunique()
    s.paragraphs.append(
        f"На {qt.end:%d.%m.%Y} в планах {n_schools(n_sch)} — {n_measures(int(t['measures']))} "
        f"(без отменённых). Срок наступил у {fmt_int(t['due'])}, из них выполнено "
        f"{fmt_int(t['done_due'])} ({share(t['done_due'], t['due'])}); просрочено "
        f"{fmt_int(t['overdue'])}. Всего выполнено {fmt_int(t['done'])} "
        f"({share(t['done'], t['measures'])}).")
    if t["not_reported"]:
        s.paragraphs.append(f"Нет отметки о статусе на {qt.end:%d.%m.%Y} у "
                            f"{n_measures(int(t['not_reported']))} — школы не сообщили статус.")
    for caption, by in (("По муниципалитетам", "municipality"), ("По модулям", "module"),
                        ("По школам", "school")):
        s.tables.append((caption, russian_counts(counts(m, by), NAMES)))
    return s


def overdue_section(m: pd.DataFrame, qt: Quarter) -> Section:
    """The overdue measures."""
    s = Section("Просроченные мероприятия")
    o = overdue_list(m)
    if not len(m):
        s.paragraphs.append("Нет данных: планы мероприятий не переданы.")
    elif not len(o):
        s.paragraphs.append(f"На {qt.end:%d.%m.%Y} просроченных мероприятий нет.")
    else:
        worst = o.groupby("Муниципалитет").size().sort_values(ascending=False, kind="mergesort")
        s.paragraphs.append(
            f"Просрочено {n_measures(len(o))} {in_schools(o['Код ОО'].nunique())}; больше всего "
            f"— {worst.index[0] or 'муниципалитет не указан'} ({fmt_int(int(worst.iloc[0]))}).")
        s.tables.append(("Просроченные мероприятия", o))
    return s


def waves_section(tables: Tables, qt: Quarter) -> Section:
    """Monitoring waves due by the quarter end: received against expected."""
    s = Section("Мониторинг: получено против графика")
    ids, source = participants(tables.get("programme"), tables.get("identification"),
                               qt.school_year)
    w = waves_received(tables.get("monitoring"), ids, qt.school_year, qt)
    if not ids:
        s.paragraphs.append("Нет данных: участники программы этого учебного года не известны.")
    elif not len(w):
        s.paragraphs.append(f"К {qt.end:%d.%m.%Y} по графику (входной этап — до 31.12, "
                            "промежуточный — до 31.03, итоговый — до 30.06) ни один этап "
                            "мониторинга ещё не ожидается.")
    else:
        exp, got = int(w["Ожидалось школ"].sum()), int(w["Получено"].sum())
        s.paragraphs.append(
            f"Участники — {n_schools(len(ids))} ({source}). По графику к {qt.end:%d.%m.%Y} "
            f"ожидалось {plural(exp, 'замер', 'замера', 'замеров')} (школа × направление × этап), получено "
            f"{fmt_int(got)} ({share(got, exp)}), не получено {fmt_int(exp - got)}.")
        s.tables.append(("Этапы мониторинга", w))
    return s


def changes_section(m: pd.DataFrame, before: pd.DataFrame, qt: Quarter) -> Section:
    """What changed since the previous quarter."""
    s = Section("Изменения с прошлого квартала")
    prev = qt.previous()
    c = changes_since(m, before)
    if not c["compared"]:
        s.paragraphs.append(f"Сравнение с {prev.label} не проведено: "
                            + ("это первый квартал учебного года (планы нового года)."
                               if prev.school_year != qt.school_year else
                               "статусы на конец прошлого квартала не переданы."))
        return s
    tb, tn = totals(before), totals(m)
    s.paragraphs.append(
        f"С {prev.end:%d.%m.%Y} выполнено ещё {n_measures(c['newly_done'])}; стали "
        f"просроченными {fmt_int(c['newly_overdue'])}; из просроченных выполнено "
        f"{fmt_int(c['overdue_resolved'])}. Доля выполненных из срочных: "
        f"{share(tb['done_due'], tb['due'])} → {share(tn['done_due'], tn['due'])}.")
    changed = status_changes(m, before)
    if len(changed):
        s.tables.append((f"Изменения с {prev.end:%d.%m.%Y}", changed))
    else:
        s.paragraphs.append(f"Ни у одного мероприятия статус с {prev.end:%d.%m.%Y} не изменился.")
    return s


def quarterly_report(tables: Tables, qt: Quarter, region: str) -> Report:
    """The quarterly report of `qt` from the run's tables."""
    schools = tables.get("schools")
    plan = tables.get("plan")
    m = measures_at(plan, schools, qt)
    before = measures_at(plan, schools, qt.previous())
    return Report("quarterly", qt.code,
                  f"Квартальный аналитический отчёт о выполнении плана: {qt.label}",
                  [region, f"{year_label(qt.school_year)} учебный год; статусы на "
                           f"{qt.end:%d.%m.%Y}; срок представления — до {qt.due:%d.%m.%Y}"],
                  [plan_section(m, qt), overdue_section(m, qt), waves_section(tables, qt),
                   changes_section(m, before, qt)])

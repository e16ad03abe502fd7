"""The annual summary report of a school year (seed 003 item 20.2): the list and how it changed,
exits by the criteria, the monitoring dynamics, the programme effect with its interval, the
plan's execution, and conclusions and recommendations — each worded from a number of the report
(a section without data says so; nothing is claimed that its table does not show)."""
from __future__ import annotations

import pandas as pd

from workbench.core.formatting import fmt_ci, fmt_int, fmt_num, year_label
from workbench.core.vocabulary import CATEGORIES, DOMAINS_RU, LISTED_CATEGORIES
from workbench.identify.changes import BY_DECISION, ENTERED, EXITED, ON_HOLD
from workbench.identify.decisions import decision_counts
from workbench.reports.model import (Report, Section, in_schools, n_measures, n_schools,
                                     russian_counts, share)
from workbench.reports.period import QUARTERS_OF_YEAR, quarter_of_status
from workbench.reports.plan_status import COUNT_RU, counts, measures_at, totals

Tables = dict[str, pd.DataFrame | None]


def _listed(ident: pd.DataFrame, year: int) -> pd.DataFrame:
    return ident[(ident["year"] == year) & ident["category"].isin(LISTED_CATEGORIES)]


def list_section(tables: Tables, year: int, facts: dict) -> Section:
    """The list of the year, the year before, who entered and who left, expert decisions."""
    s = Section("Список ШНОР и его изменения")
    ident = tables.get("identification")
    if ident is None or not len(ident):
        s.paragraphs.append("Нет данных: идентификация не выполнялась.")
        return s
    now, before = _listed(ident, year), _listed(ident, year - 1)
    ch = tables.get("list_changes")
    ch = ch[ch["year"] == year] if ch is not None and len(ch) else pd.DataFrame(
        columns=["change"])
    kinds = ch["change"].value_counts()
    entered = int(kinds.get(ENTERED, 0) + kinds.get(BY_DECISION["include"], 0))
    left = int(kinds.get(EXITED, 0))
    out_expert = int(kinds.get(BY_DECISION["exclude"], 0))
    on_hold = int(kinds.get(ON_HOLD, 0))
    facts.update(n_listed=len(now), n_before=len(before), entered=entered, left=left,
                 out_expert=out_expert)
    s.paragraphs.append(
        f"В {year_label(year)} учебном году в списке {n_schools(len(now))} (годом ранее — "
        f"{fmt_int(len(before))}): вошли {fmt_int(entered)}, вышли по критериям выхода "
        f"{fmt_int(left)}" + (f", исключены решением экспертной группы {fmt_int(out_expert)}"
                              if out_expert else "")
        + (f", без данных (решение о выходе отложено) {fmt_int(on_hold)}" if on_hold else "")
        + ".")
    if len(ch):
        s.tables.append(("Изменения списка", ch["change"].value_counts().rename_axis(
            "Изменение").rename("Школ").reset_index()))
    d = decision_counts(ident, year)
    if sum(d.values()):
        s.paragraphs.append(f"Решения экспертной группы: включено {d['include']}, исключено "
                            f"{d['exclude']}, категория изменена {d['category']}.")
    by = now["category"].map(CATEGORIES).value_counts().rename_axis("Категория")
    s.tables.append(("Список по категориям", by.rename("Школ").reset_index()))
    return s


def exits_section(tables: Tables, year: int, facts: dict) -> Section:
    """Schools of the previous year's list by what happened to them."""
    s = Section("Выход из списка по критериям")
    ex = tables.get("exits")
    if ex is None or not len(ex):
        s.paragraphs.append("Нет данных: этап мониторинга (выходы из списка) не выполнялся.")
        return s
    e = ex[pd.to_numeric(ex["next_year"], errors="coerce") == year]
    st = e["status"].value_counts().rename_axis("Итог").rename("Школ").reset_index()
    facts["exits"] = int(e["left"].fillna(False).astype(bool).sum())
    s.paragraphs.append(f"Из {n_schools(len(e))} списка {year_label(year - 1)} учебного года "
                        f"вышли по критериям {fmt_int(facts['exits'])}.")
    s.tables.append(("Итоги школ списка прошлого года", st))
    return s


def dynamics_section(tables: Tables, year: int, facts: dict) -> Section:
    """Monitoring trends of the year by domain."""
    s = Section("Динамика мониторинга")
    dyn = tables.get("dynamics")
    if dyn is None or not len(dyn):
        s.paragraphs.append("Нет данных: мониторинг не передан или этап не выполнялся.")
        return s
    d = dyn[dyn["year"] == year]
    tab = pd.crosstab(d["domain"].map(DOMAINS_RU).fillna(d["domain"]), d["trend_ru"])
    facts["improved"] = int((d["trend"] == "improved").sum())
    facts["declined"] = int((d["trend"] == "declined").sum())
    facts["declined_schools"] = int(d.loc[d["trend"] == "declined", "school_id"].nunique())
    s.paragraphs.append(
        f"Показателей с улучшением — {fmt_int(facts['improved'])}, с ухудшением — "
        f"{fmt_int(facts['declined'])} ({in_schools(facts['declined_schools'])}); остальные "
        f"без значимых изменений или с недостаточными данными.")
    s.tables.append(("Тренды показателей по направлениям",
                     tab.rename_axis("Направление").reset_index()))
    return s


def effect_section(tables: Tables, year: int, facts: dict) -> Section:
    """The programme effect on the result index with its interval (the monitoring stage's)."""
    s = Section("Эффект программы")
    eff = tables.get("effectiveness")
    if eff is None or not len(eff):
        s.paragraphs.append("Нет данных: эффект программы не оценён (нет участия в программе "
                            "или этап мониторинга не выполнялся).")
        return s
    e = eff[(eff["year"] == year) & (eff["indicator"] == "result_index")] \
        if "indicator" in eff else eff.iloc[0:0]
    if not len(e):
        s.paragraphs.append(f"Нет оценки эффекта на индекс результатов за {year_label(year)} "
                            "учебный год.")
        return s
    for r in e.to_dict("records"):
        s.paragraphs.append(f"Когорта {r['cohort_ru']}, {r['estimate_ru']}: {r['conclusion']}.")
    facts["effect"] = [(float(r["effect"]), float(r["ci_low"]), float(r["ci_high"]),
                        f"{r['cohort_ru']}, {r['estimate_ru']}") for r in e.to_dict("records")]
    s.tables.append(("Эффект на индекс результатов", pd.DataFrame({
        "Когорта": e["cohort_ru"], "Оценка": e["estimate_ru"],
        "Эффект": [fmt_num(v, 2, sign=True) for v in e["effect"]],
        "95% ДИ": [fmt_ci(a, b, 2, sign=True) for a, b in zip(e["ci_low"], e["ci_high"])],
        "Участников": e["n_treated"], "Сравнения": e["n_control"]})))
    return s


def plan_year_section(tables: Tables, year: int, facts: dict) -> Section:
    """The plan's execution at the end of the school year (status on 30.06)."""
    s = Section("Выполнение плана мероприятий за год")
    plan = tables.get("plan")
    qt = last_reported(plan, year)
    if qt is None:
        s.paragraphs.append("Нет данных: планы мероприятий этого года со статусами не "
                            "переданы.")
        return s
    m = measures_at(plan, tables.get("schools"), qt)
    if qt.status != "status_jun":
        s.paragraphs.append(f"Учебный год не завершён: последние статусы — на {qt.end:%d.%m.%Y}; "
                            "итог года будет на 30.06.")
    t = totals(m)
    facts.update(plan_due=t["due"], plan_done=t["done_due"], plan_overdue=t["overdue"],
                 plan_not_reported=t["not_reported"])
    by_mun = counts(m, "municipality")
    facts["worst_mun"] = list(by_mun.sort_values("overdue", ascending=False, kind="mergesort")
                              .query("overdue > 0")["municipality"].head(3))
    s.paragraphs.append(
        f"На {qt.end:%d.%m.%Y}: {n_measures(int(t['measures']))} в планах "
        f"{n_schools(m['school_id'].nunique())}; из {fmt_int(t['due'])} с наступившим сроком "
        f"выполнено {fmt_int(t['done_due'])} ({share(t['done_due'], t['due'])}), просрочено "
        f"{fmt_int(t['overdue'])}, без отметки о статусе {fmt_int(t['not_reported'])}.")
    s.tables.append(("По муниципалитетам", russian_counts(by_mun, {"municipality": "Муниципалитет",
                                                                  **COUNT_RU})))
    return s


def last_reported(plan: pd.DataFrame | None, year: int):
    """The latest quarter end of the school year with any status in the plans (None if none)."""
    if plan is None or not len(plan):
        return None
    p = plan[pd.to_numeric(plan["year"], errors="coerce") == year]
    for status in reversed(QUARTERS_OF_YEAR):
        if status in p and p[status].notna().any():
            return quarter_of_status(year, status)
    return None


def conclusions(facts: dict, target: float) -> Section:
    """Conclusions and recommendations, each from a number above."""
    s = Section("Выводы и рекомендации")
    p = s.paragraphs
    if "n_listed" in facts:
        d = facts["n_listed"] - facts["n_before"]
        p.append(f"Список {'сократился' if d < 0 else 'вырос' if d > 0 else 'не изменился'}"
                 + (f" на {n_schools(abs(d))}" if d else "") + f" (вошли {facts['entered']}, "
                 f"вышли по критериям {facts['left']}"
                 + (f", исключены экспертами {facts['out_expert']}" if facts["out_expert"]
                    else "") + ").")
    for eff, lo, hi, cohort in facts.get("effect", []):
        ci = fmt_ci(lo, hi, 2, sign=True)
        if lo > 0:
            p.append(f"Эффект программы ({cohort}) положительный: {fmt_num(eff, 2, sign=True)} "
                     f"(95% ДИ {ci}) — продолжить меры, сохранив сравнение с неучастниками.")
        elif hi < 0:
            p.append(f"Оценка эффекта ({cohort}) отрицательная: {fmt_num(eff, 2, sign=True)} "
                     f"(95% ДИ {ci}) — пересмотреть меры поддержки.")
        else:
            p.append(f"Эффект программы ({cohort}) не отличим от нуля: 95% ДИ {ci} включает "
                     f"0 — вывод об эффекте делать рано; продолжить наблюдение.")
    if facts.get("plan_due"):
        rate = facts["plan_done"] / facts["plan_due"]
        line = (f"Выполнено {share(facts['plan_done'], facts['plan_due'])} мероприятий с "
                f"наступившим сроком (ориентир — {share(target, 1)}).")
        if rate < target and facts.get("worst_mun"):
            line += (" Рекомендуется разобрать просроченные мероприятия с кураторами в первую "
                     "очередь в муниципалитетах: " + ", ".join(facts["worst_mun"]) + ".")
        p.append(line)
    if facts.get("plan_not_reported"):
        p.append(f"У {n_measures(int(facts['plan_not_reported']))} нет отметки о статусе — "
                 "запросить у школ заполненные планы.")
    if facts.get("declined_schools"):
        p.append(f"{in_schools(facts['declined_schools']).capitalize()} показатели мониторинга ухудшились — "
                 "пересмотреть технологические карты этих школ.")
    if not p:
        p.append("Данных для выводов недостаточно: см. разделы выше.")
    return s


def annual_report(tables: Tables, year: int, region: str, target: float = 0.7) -> Report:
    """The annual summary report of the school year `year`."""
    facts: dict = {}
    sections = [list_section(tables, year, facts), exits_section(tables, year, facts),
                dynamics_section(tables, year, facts), effect_section(tables, year, facts),
                plan_year_section(tables, year, facts)]
    sections.append(conclusions(facts, target))
    return Report("annual", str(year), f"Сводный аналитический отчёт за {year_label(year)} "
                  "учебный год", [region, "реализация программы поддержки ШНОР и ШФНСУ"],
                  sections)

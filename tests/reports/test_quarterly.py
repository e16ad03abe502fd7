"""The quarterly report on a hand-made plan: counts worked by hand, overdue measures, the change
since the previous quarter, monitoring waves against the schedule."""
from __future__ import annotations

import pandas as pd

from workbench.reports.period import parse_period
from workbench.reports.plan_status import (changes_since, counts, measures_at, status_changes,
                                           totals)
from workbench.reports.quarterly import quarterly_report

SCHOOLS = pd.DataFrame({"school_id": ["A", "B"], "school_name": ["Школа А", "Школа Б"],
                        "municipality": ["Северный", "Южный"]})


def _plan() -> pd.DataFrame:
    rows = [  # school, no, module, deadline, status on 31.12, status on 31.03
        ("A", 1, "Мобильный педагог", "2025-12-31", "done", "done"),
        ("A", 2, "Мобильный педагог", "2026-03-31", "in_progress", "in_progress"),  # overdue
        ("A", 3, "Одарённые дети", "2026-06-30", "not_started", "in_progress"),     # not due
        ("B", 1, "Мобильный педагог", "2025-12-31", "in_progress", "done"),         # done late
        ("B", 2, "Одарённые дети", "2026-03-31", "cancelled", "cancelled"),        # left out
        ("B", 3, "Одарённые дети", "2026-03-31", None, None),                     # not reported
    ]
    df = pd.DataFrame(rows, columns=["school_id", "measure_no", "module", "deadline",
                                     "status_dec", "status_mar"])
    return df.assign(year=2025, problem="п", level="level_oo", measure="м", responsible="р",
                     status_sep=None, status_jun=None)


def test_counts_at_the_quarter_end_by_hand():
    qt = parse_period("2026-Q1")
    m = measures_at(_plan(), SCHOOLS, qt)
    t = totals(m)
    # 5 live measures (B2 cancelled); due by 31.03: A1 A2 B1 B3 = 4; done A1 B1; overdue A2
    assert (t["measures"], t["due"], t["done"], t["done_due"], t["overdue"],
            t["not_reported"]) == (5, 4, 2, 2, 1, 1)
    assert t["share_done_due"] == 0.5
    by = counts(m, "module").set_index("module")
    assert list(by.loc["Одарённые дети", ["measures", "due", "overdue", "not_reported"]]) == \
        [2, 1, 0, 1]
    before = measures_at(_plan(), SCHOOLS, qt.previous())
    assert changes_since(m, before) == {"newly_done": 1, "newly_overdue": 1,
                                        "overdue_resolved": 1, "compared": 6}


def test_status_changes_list_each_measure_with_what_changed():
    qt = parse_period("2026-Q1")
    m, before = (measures_at(_plan(), SCHOOLS, q) for q in (qt, qt.previous()))
    t = status_changes(m, before)
    # A2: in progress both times, due on 31.03 → newly overdue; A3: not started → in progress;
    # B1: overdue on 31.12, done on 31.03; A1, B2 (cancelled) and B3 (no status) unchanged
    assert t[["Код ОО", "№ мероприятия", "Статус был", "Статус стал", "Что изменилось"]
             ].values.tolist() == [
        ["A", 2, "в работе", "в работе", "стало просроченным"],
        ["A", 3, "не начато", "в работе", "статус изменён"],
        ["B", 1, "в работе", "выполнено", "просроченное выполнено"]]
    assert t["Срок"].tolist() == ["31.03.2026", "30.06.2026", "31.12.2025"]
    assert status_changes(m, m).empty


def test_quarterly_report_words_its_numbers():
    qt = parse_period("2026-Q1")
    mon = pd.DataFrame({"school_id": ["A", "A", "A"], "year": [2025] * 3,
                        "wave": ["entry", "entry", "intermediate"],
                        "domain": ["results", "teaching", "results"]})
    prog = pd.DataFrame({"school_id": ["A", "B"], "year": [2025, 2025], "participant": [True, True]})
    r = quarterly_report({"schools": SCHOOLS, "plan": _plan(), "monitoring": mon,
                          "programme": prog}, qt, "Край")
    text = {s.heading: " ".join(s.paragraphs) for s in r.sections}
    assert ("Срок наступил у 4, из них выполнено 2 (50%); просрочено 1. Всего выполнено 2 "
            "(40%).") in text["Выполнение плана мероприятий"]
    assert "Просрочено 1 мероприятие в 1 школе" in text["Просроченные мероприятия"]
    changes = next(s for s in r.sections if s.heading == "Изменения с прошлого квартала")
    assert [(c, len(t)) for c, t in changes.tables] == [("Изменения с 31.12.2025", 3)]
    # by 31.03: results entry + intermediate, teaching entry → 3 waves × 2 schools; A sent all 3
    assert "ожидалось 6 замеров" in text["Мониторинг: получено против графика"]
    assert "получено 3 (50%), не получено 3" in text["Мониторинг: получено против графика"]
    # on 31.12 A1 and B1 were due, A1 done: 50%; on 31.03 2 of 4: 50%
    assert "Доля выполненных из срочных: 50% → 50%" in text["Изменения с прошлого квартала"]
    assert r.subtitle[1].endswith("срок представления — до 15.04.2026")

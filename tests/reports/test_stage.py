"""The reports of the demo run (2026-Q1 quarterly, 2025/26 annual), their numbers checked
against the demo's own plan workbooks (read here with openpyxl, not by ingest) and the run's
tables."""
from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest

from workbench.core.formatting import fmt_int


def _plans(data_dir) -> pd.DataFrame:
    rows = []
    for f in sorted((data_dir / "plans").glob("*.xlsx")):
        ws = openpyxl.load_workbook(f, read_only=True).worksheets[0]
        it = ws.iter_rows(values_only=True)
        head = next(it)
        rows += [dict(zip(head, r)) for r in it]
    return pd.DataFrame(rows)


def _text(path) -> str:
    return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def run(demo600_run):
    data_dir, run_dir = demo600_run
    return data_dir, run_dir, _plans(data_dir)


def test_quarterly_report_numbers_match_the_plans(run):
    data_dir, run_dir, plans = run
    p = plans[(plans["Учебный год"] == "2025/26") & (plans["Статус на 31.03"] != "отменено")]
    deadline = pd.to_datetime(p["Срок"], format="%d.%m.%Y")
    due = deadline <= pd.Timestamp(dt.date(2026, 3, 31))
    done = p["Статус на 31.03"] == "выполнено"
    overdue = due & ~done & p["Статус на 31.03"].notna()
    page = _text(run_dir / "reports" / "quarterly_2026-Q1.html")
    assert (f"Срок наступил у {fmt_int(due.sum())}, из них выполнено {fmt_int((due & done).sum())}"
            in page)
    assert f"просрочено {fmt_int(overdue.sum())}." in page
    exe = pd.read_csv(run_dir / "tables" / "plan_execution.csv", dtype={"school_id": str})
    assert exe["quarter"].unique().tolist() == ["2026-Q1"]
    by_school = overdue.groupby(p["Код ОО"].astype(str)).sum()
    assert exe.set_index("school_id")["overdue"].to_dict() == by_school.to_dict()
    wb = openpyxl.load_workbook(run_dir / "reports" / "quarterly_2026-Q1.xlsx", read_only=True)
    assert wb.sheetnames[0] == "Отчёт"
    od = list(wb["Просроченные мероприятия"].iter_rows(values_only=True))
    assert len(od) - 1 == overdue.sum()
    mun = list(wb["По муниципалитетам"].iter_rows(values_only=True))
    col = mun[0].index("Просрочено")
    assert sum(r[col] for r in mun[1:]) == overdue.sum()


def test_annual_report_numbers_match_the_tables(run):
    _, run_dir, _ = run
    t = run_dir / "tables"
    ident = pd.read_csv(t / "identification.csv", dtype={"school_id": str})
    listed = ident[ident["category"].isin(["low_results", "low_results_adverse"])]
    now, before = (listed["year"] == 2025).sum(), (listed["year"] == 2024).sum()
    page = _text(run_dir / "reports" / "annual_2025.html")
    assert f"в списке {now} школ (годом ранее — {before})" in page
    exits = pd.read_csv(t / "exits.csv")
    left = int(exits.loc[exits["next_year"] == 2025, "left"].sum())
    assert f"вышли по критериям {left}." in page
    eff = pd.read_csv(t / "effectiveness.csv")
    e = eff[(eff["year"] == 2025) & (eff["indicator"] == "result_index")]
    for c in e["conclusion"]:
        assert c in page
    assert "Выводы и рекомендации" in page and "Решения экспертной группы: включено 1" in page
    assert "Учебный год не завершён: последние статусы — на 31.03.2026" in page


def test_reports_index_links_every_report_and_the_briefings_link_to_it(run):
    _, run_dir, _ = run
    index = run_dir / "reports" / "index.html"
    html = index.read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', html))
    assert {"quarterly_2026-Q1.html", "quarterly_2026-Q1.xlsx", "annual_2025.html",
            "annual_2025.xlsx", "../briefings/index.html"} <= links
    assert all((index.parent / h).resolve().exists() for h in links)
    for page in ("index.html", "region.html"):
        b = run_dir / "briefings" / page
        assert '<a href="../reports/index.html">Отчёты</a>' in b.read_text(encoding="utf-8")
    school = next((run_dir / "briefings" / "school").glob("*.html"))
    assert 'href="../../reports/index.html"' in school.read_text(encoding="utf-8")


def test_reports_index_without_reports_says_why_and_escapes(tmp_path):
    from workbench.reports.render import write_index

    why = "Квартальный отчёт не составлен: в планах мероприятий (inputs.plan) нет статусов."
    page = write_index([], tmp_path, "<b>Регион</b>", "r1", [why], briefings=False)
    html = page.read_text(encoding="utf-8")
    assert "В этом прогоне отчёты не составлены." in html and why in html
    assert "<b>Регион</b>" not in html and "&lt;b&gt;Регион&lt;/b&gt;" in html
    assert "../briefings/index.html" not in html  # no briefings in this run: no dead link

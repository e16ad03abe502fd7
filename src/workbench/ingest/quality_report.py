"""The data quality report of a run: data_quality.csv (every problem: file, row, column, value,
severity, message; UTF-8) and data_quality.html (files read with their row accounting, a
summary by kind of problem, the problems themselves), both in the run folder."""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.context.tables_io import excel_safe
from workbench.ingest.columns import TABLE_RU
from workbench.ingest.problems import (ERROR, INFO, PROBLEM_COLUMNS, SET_APART_MARK, WARNING,
                                       empty_problems, severity_ru, show_value)


def problem_summary(problems: pd.DataFrame) -> pd.DataFrame:
    """Counts of problems by file, severity and message (Russian headers)."""
    if problems.empty:
        return pd.DataFrame(columns=["Файл", "Серьёзность", "Проблема", "Число строк"])
    msg = problems["message"].str.replace(r"\([^)]*\d[^)]*\)", "(…)", regex=True)
    g = problems.assign(m=msg).groupby(["file", "severity", "m"], sort=False).size().reset_index()
    g.columns = ["Файл", "Серьёзность", "Проблема", "Число строк"]
    g["Серьёзность"] = [severity_ru(s, m) for s, m in zip(g["Серьёзность"], g["Проблема"])]
    return g.sort_values(["Число строк"], ascending=False, kind="mergesort").reset_index(drop=True)


def write_data_quality(problems: pd.DataFrame, inputs: list[dict[str, Any]], run_dir: Path,
                       region: str = "", max_rows: int = 3000, gate: str | None = None
                       ) -> tuple[Path, Path]:
    """data_quality.csv (UTF-8, file,row,column,value,severity,message) and data_quality.html
    (with the message of a failed quality gate on top when given)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    p = problems[PROBLEM_COLUMNS].copy() if len(problems) else empty_problems()
    p = p.sort_values(["file", "row"], kind="mergesort", na_position="first")
    csv_path = run_dir / "data_quality.csv"
    excel_safe(p).to_csv(csv_path, index=False, encoding="utf-8")  # «=HYPERLINK(…)» stays text
    e = html.escape
    n_err = int((p["severity"] == ERROR).sum())
    apart = (p["severity"] == WARNING) & p["message"].astype(str).str.contains(SET_APART_MARK,
                                                                             regex=False)
    n_warn = int((p["severity"] == WARNING).sum()) - int(apart.sum())
    apart_txt = (f", строк мониторинга школ вне программы: <b>{int(apart.sum())}</b> (не вошли в "
                 f"расчёт)" if apart.any() else "")
    inp_rows = _input_rows(inputs)
    sum_rows = _summary_rows(problem_summary(p))
    det_rows = _detail_rows(p.head(max_rows))
    more = (f"<p>Показаны первые {max_rows} из {len(p)} записей; полный список — в файле "
            f"data_quality.csv.</p>" if len(p) > max_rows else "")
    page = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Качество данных — {e(region)}</title>
<style>body{{font-family:"PT Sans",Arial,sans-serif;margin:24px;color:#222}}
table{{border-collapse:collapse;margin:12px 0;font-size:13px}}
th,td{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}}
th{{background:#eef2f7}} td.n{{text-align:right}} tr.err td{{background:#fdeeee}}
tr.warn td{{background:#fff8e5}} tr.info td{{background:#f3f6f9}} .lead{{font-size:15px}}
.gate{{border:2px solid #b3261e;background:#fdeeee;padding:8px 12px}}</style></head><body>
<h1>Качество исходных данных</h1>
{_gate_box(gate)}
<p class="lead">{e(region)}. Ошибок: <b>{n_err}</b> (такие строки не загружены),
предупреждений: <b>{n_warn}</b> (строки загружены){apart_txt}. Номер строки — как в Excel, с учётом строки
заголовка.</p>
<h2>Загруженные файлы</h2>
<table><tr><th>Файл</th><th>Таблица</th><th>Прочитано строк</th><th>Загружено</th>
<th>Отклонено</th><th>Пустых строк</th><th>Строк итогов</th></tr>{inp_rows}</table>
<h2>Сводка по видам проблем</h2>
{"<p>Проблем не найдено.</p>" if p.empty else
 "<table><tr><th>Файл</th><th>Серьёзность</th><th>Проблема</th><th>Число</th></tr>" + sum_rows + "</table>"}
<h2>Все проблемы</h2>{more}
{"" if p.empty else "<table><tr><th>Файл</th><th>Строка</th><th>Столбец</th><th>Значение</th><th>Серьёзность</th><th>Что исправить</th></tr>" + det_rows + "</table>"}
</body></html>
"""
    html_path = run_dir / "data_quality.html"
    html_path.write_text(page, encoding="utf-8")
    return csv_path, html_path


def _gate_box(gate: str | None) -> str:
    """The failed gate's message, each line a paragraph (escaped)."""
    if not gate:
        return ""
    return '<div class="gate">' + "".join(f"<p>{html.escape(line)}</p>"
                                          for line in gate.splitlines()) + "</div>"


_ROW_CLASS = {ERROR: "err", WARNING: "warn", INFO: "info"}


def _input_rows(inputs: list[dict[str, Any]]) -> str:
    """Table rows of the files read: table, rows read, kept, rejected, empty."""
    e = html.escape
    return "".join(
        f"<tr><td>{e(str(i['path']))}</td><td>{e(TABLE_RU.get(i['table'], i['table']))}</td>"
        f"<td class=n>{i['rows_read']}</td><td class=n>{i['rows_kept']}</td>"
        f"<td class=n>{i['rows_rejected']}</td><td class=n>{i.get('rows_empty', 0)}</td>"
        f"<td class=n>{i.get('rows_totals', 0)}</td></tr>"
        for i in inputs)


def _summary_rows(summary: pd.DataFrame) -> str:
    """Table rows of the summary by file, severity and kind of problem."""
    e = html.escape
    return "".join(
        f"<tr><td>{e(str(r['Файл']))}</td><td>{e(str(r['Серьёзность']))}</td>"
        f"<td>{e(str(r['Проблема']))}</td><td class=n>{r['Число строк']}</td></tr>"
        for _, r in summary.iterrows())


def _detail_rows(shown: pd.DataFrame) -> str:
    """Table rows of the problems shown (errors and warnings coloured apart)."""
    e = html.escape
    return "".join(
        f"<tr class={_ROW_CLASS.get(r.severity, 'warn')}><td>{e(str(r.file))}</td>"
        f"<td class=n>{e(show_value(r.row) if r.row is not pd.NA else '')}</td><td>{e(str(r.column))}</td>"
        f"<td>{e(str(r.value))}</td><td>{e(severity_ru(r.severity, r.message))}</td>"
        f"<td>{e(str(r.message))}</td></tr>" for r in shown.itertuples())

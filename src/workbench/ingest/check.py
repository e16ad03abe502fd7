"""`workbench check PARAMS.yaml`: every input read and validated as a run would, without running
the stages or writing anything. Per file: rows read / kept / rejected, the years and procedures
found, the most frequent problems, the run notes of ingest, and whether the quality gate would
pass — so that a user fixes their mapping before the first real run."""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.config import Params
from workbench.core.formatting import fmt_int, fmt_pct, year_label
from workbench.ingest.columns import TABLE_RU
from workbench.ingest.files import IngestResult, ingest_inputs
from workbench.ingest.gate import GateFailure, evaluate_gate, problem_kind
from workbench.ingest.problems import ERROR, INFO, WARNING, severity_ru
from workbench.ingest.stage import run_notes

TOP = 8


def check_inputs(params: Params) -> tuple[str, list[GateFailure]]:
    """(the Russian report, the gate failures: empty when a run would pass the gate)."""
    result = ingest_inputs(params)
    failures = evaluate_gate(params, result.inputs, result.problems, result.tables) \
        if params.quality.enabled else []
    return report_text(params, result, failures), failures


def _found(result: IngestResult) -> dict[str, tuple[str, str]]:
    """File → (school years, procedures) of its kept rows."""
    out: dict[str, tuple[str, str]] = {}
    for table, df in result.files.items():
        if "_file" not in df.columns or not len(df):
            continue
        for file, g in df.groupby("_file", sort=False, observed=True):
            years = sorted(set(g["year"].dropna().astype(int))) if "year" in g.columns else []
            procs = sorted(set(g["procedure"].dropna())) if table == "results" else []
            shown = (year_label(years[0]) if len(years) == 1 else
                     f"{year_label(years[0])}–{year_label(years[-1])}" if years else "—")
            out[str(file)] = (shown, ", ".join(procs) or "—")
    return out


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as aligned text columns."""
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def report_text(params: Params, result: IngestResult, failures: list[GateFailure]) -> str:
    """The report of `workbench check` (plain text, Russian)."""
    found = _found(result)
    rows = [["Файл", "Таблица", "Прочитано", "Загружено", "Отклонено", "Годы", "Процедуры"]]
    for i in result.inputs:
        years, procs = found.get(i["path"], ("—", "—"))
        rows.append([i["path"], TABLE_RU.get(i["table"], i["table"]), fmt_int(i["rows_read"]),
                     fmt_int(i["rows_kept"]), fmt_int(i["rows_rejected"]), years, procs])
    lines = [f"Проверка входных данных: {params.region}", ""] + _table(rows)
    lines += ["", "Найдено:" if len(result.problems) else "Проблем не найдено."]
    kinds = problem_kinds(result.problems)
    lines += [f"  {k}" for k in kinds[:TOP]]
    if len(kinds) > TOP:
        lines.append(f"  … и ещё видов проблем: {len(kinds) - TOP} (все — в data_quality.html "
                     f"после запуска)")
    notes = run_notes(result, params)
    if notes:
        lines += ["", "Что будет учтено в расчёте:"] + [f"  - {n}" for n in notes]
    lines += ["", gate_line(params, result.inputs, failures)]
    return "\n".join(lines)


def problem_kinds(problems: pd.DataFrame) -> list[str]:
    """One line per file and kind of problem, errors first, the most frequent first; a kind
    met once is shown whole, a repeated one with its count."""
    if problems.empty:
        return []
    p = problems.assign(kind=problems["message"].map(problem_kind))
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    g = p.groupby(["file", "severity", "kind"], sort=False).agg(
        n=("message", "size"), first=("message", "first")).reset_index()
    g["o"] = g["severity"].map(order).fillna(3)
    g = g.sort_values(["o", "n"], ascending=[True, False], kind="mergesort")
    return [f"{r.file}: {severity_ru(r.severity, r.first)} — "
            + (r.first if r.n == 1 else f"{r.kind} — строк: {fmt_int(r.n)}")
            for r in g.itertuples()]


def gate_line(params: Params, inputs: list[dict[str, Any]], failures: list[GateFailure]) -> str:
    """One line: would the quality gate pass."""
    read = sum(i["rows_read"] for i in inputs)
    outside = sum(i.get("rows_outside", 0) for i in inputs)  # not data faults (participation)
    rejected = sum(i["rows_rejected"] for i in inputs) - outside
    apart = (f"; строк мониторинга школ вне программы, не вошедших в расчёт: {fmt_int(outside)}"
             if outside else "")
    if not params.quality.enabled:
        return (f"Проверка качества отключена (quality.enabled: false); отклонено "
                f"{fmt_int(rejected)} из {fmt_int(read)} строк{apart}.")
    if failures:
        return ("Проверка качества НЕ будет пройдена: " +
                ", ".join(f"{TABLE_RU.get(f.table, f.table)} — отклонено {fmt_pct(f.share, 1)}"
                          for f in failures) + " (подробности ниже).")
    return (f"Проверка качества будет пройдена: отклонено {fmt_int(rejected)} из {fmt_int(read)} "
            f"строк (порог {fmt_pct(params.quality.max_rejected_share, 1)}){apart}.")

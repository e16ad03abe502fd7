"""The data-quality gate: a run in which an input table loses more than its threshold of rows
(`quality.max_rejected_share`, or `quality.tables.<table>`), or a table that a requested stage
needs ends empty, publishes nothing (core.errors.QualityGateError, exit code 3).

The message names each such table and file with the share rejected, the two or three most
frequent problems with their counts (each says what to fix) and, where the pattern is clear, a
diagnosis (percentages mapped as counts, codes of another coding system)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.config import Params
from workbench.config.stages import STAGES
from workbench.core.formatting import fmt_int, fmt_pct
from workbench.ingest.columns import TABLE_RU
from workbench.ingest.problems import ERROR, WARNING

TOP_PROBLEMS = 3
DOCS = "docs/params.md"


@dataclass
class FileShare:
    """One file of a failing table: rows read and rejected, its most frequent problems."""

    path: str
    read: int
    rejected: int
    problems: list[tuple[str, int]] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)


@dataclass
class GateFailure:
    """A table that stops the run."""

    table: str
    read: int
    rejected: int
    threshold: float
    empty_for: str | None = None          # the stage that needs the table, when it ended empty
    files: list[FileShare] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.rejected / self.read if self.read else 0.0


def evaluate_gate(params: Params, inputs: list[dict[str, Any]], problems: pd.DataFrame,
                  tables: dict[str, pd.DataFrame]) -> list[GateFailure]:
    """The tables that fail the gate (empty list: the run may publish)."""
    failures = []
    by_table: dict[str, list[dict[str, Any]]] = {}
    for i in inputs:
        by_table.setdefault(i["table"], []).append(i)
    needed = {t: s.label_ru for s in STAGES if s.name in params.stages for t in s.needs}
    for table, files in by_table.items():
        read = sum(f["rows_read"] for f in files)
        # monitoring rows of non-participants are set apart with a warning, not a data fault
        rejected = sum(f["rows_rejected"] - f.get("rows_outside", 0) for f in files)
        threshold = params.quality.threshold(table)
        empty = table in needed and len(tables.get(table, ())) == 0
        if empty or (read and rejected / read > threshold):
            failure = GateFailure(table, read, rejected, threshold,
                                  needed.get(table) if empty else None)
            failure.files = [_file_share(f, problems) for f in files if f["rows_rejected"]]
            failures.append(failure)
    return failures


def problem_kind(message: str) -> str:
    """A problem message without its row-specific numbers (one kind of problem)."""
    return re.sub(r"\([^)]*\d[^)]*\)", "(…)", str(message))


def _file_share(info: dict[str, Any], problems: pd.DataFrame) -> FileShare:
    """The file's rows and its most frequent errors, with the diagnosis hints."""
    mine = problems[problems["file"] == info["path"]] if len(problems) else problems
    errors = mine[mine["severity"] == ERROR] if len(mine) else mine
    top: list[tuple[str, int]] = []
    if len(errors):
        kinds = errors.assign(kind=errors["message"].map(problem_kind))
        g = kinds.groupby("kind", sort=False)["message"].agg(["size", "nunique", "first"])
        g = g.sort_values("size", ascending=False, kind="mergesort").head(TOP_PROBLEMS)
        top = [(str(r["first"] if r["nunique"] == 1 else kind), int(r["size"]))
               for kind, r in g.iterrows()]  # r.size, r.first would be the Series' own
    share = FileShare(info["path"], info["rows_read"], info["rows_rejected"], top)
    warnings = mine[mine["severity"] == WARNING]["message"] if len(mine) else pd.Series([], dtype=object)
    share.hints = [str(m) for m in warnings if str(m).startswith("похоже, это проценты")][:1]
    unknown = int(errors["message"].str.startswith("школы с таким кодом нет").sum()) \
        if len(errors) else 0
    if info["rows_read"] and unknown >= 0.5 * info["rows_read"]:
        share.hints.append("почти ни один код школы не найден в списке школ: проверьте, что с "
                           "school_id сопоставлен столбец кода ОО и что коды в этом файле и в "
                           "списке школ — из одной системы кодов")
    return share


def gate_message(failures: list[GateFailure]) -> str:
    """The short Russian message of a failed gate: each table and file, share, problems."""
    lines = ["Проверка качества данных не пройдена — результаты не опубликованы."]
    for f in failures:
        name = f"«{TABLE_RU.get(f.table, f.table)}» ({f.table})"
        if f.empty_for:
            lines.append(f"- Таблица {name} пуста после загрузки, а этап «{f.empty_for}» без неё "
                         f"невозможен: отклонено {fmt_int(f.rejected)} из {fmt_int(f.read)} строк.")
        else:
            lines.append(f"- Таблица {name}: отклонено {fmt_int(f.rejected)} из "
                         f"{fmt_int(f.read)} строк ({fmt_pct(f.share, 1)}) при допустимых "
                         f"{fmt_pct(f.threshold, 1)}.")
        for s in f.files:
            lines.append(f"  Файл «{s.path}»: отклонено {fmt_int(s.rejected)} из "
                         f"{fmt_int(s.read)} строк ({fmt_pct(s.rejected / s.read if s.read else 0, 1)})."
                         + (" Чаще всего:" if s.problems else ""))
            lines += [f"    • {fmt_int(n)} — {msg}" for msg, n in s.problems]
            lines += [f"    ➜ {h}" for h in s.hints]
    lines.append(f"Исправьте файлы или раздел columns в параметрах; проверить без расчёта: "
                 f"workbench check ФАЙЛ_ПАРАМЕТРОВ. Порог — quality.max_rejected_share "
                 f"(и quality.tables), см. {DOCS}.")
    return "\n".join(lines)

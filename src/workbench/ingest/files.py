"""Every input file through the steps (read → map → coerce and validate → aggregate pupils →
results shape), then all files of a table combined into its canonical table.

Schools come first: their codes are the known schools the other tables are checked against.
Keys repeated across the files of a table reject the later rows. Every file is accounted for:
read = kept + rejected (empty rows and total lines are not data: counted apart)."""
from __future__ import annotations

import glob as globmod
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench.config import InputSpec, Params
from workbench.config.ingest import IngestParams
from workbench.core.tables import KEYS
from workbench.ingest.columns import finalise_table
from workbench.ingest.coverage import borrowed_context, borrowed_lines
from workbench.ingest.errors import DataError
from workbench.ingest.headers import header_lookup
from workbench.ingest.mapping import Mapped, map_sheet
from workbench.ingest.participation import outside_lines, outside_programme, participant_pairs
from workbench.ingest.plan import plan_spec
from workbench.ingest.problems import WARNING, empty_problems, problem_frame
from workbench.ingest.prefetch import ReadAhead
from workbench.ingest.pupils_sql import aggregate_pupil_file, takes_sql_path
from workbench.ingest.readers import Sheet, read_any
from workbench.ingest.students import aggregate_students, finish_results
from workbench.ingest.validate import coerce_and_check, duplicate_problems, unknown_school_problems


@dataclass
class FileResult:
    """One input file after validation."""

    table: str
    file: str
    path: str
    sha256: str
    frame: pd.DataFrame            # kept rows: canonical columns + _file, _row, _w
    problems: pd.DataFrame
    rows_read: int
    rows_rejected: int
    rows_empty: int
    rows_totals: int = 0
    school_header: str = "school_id"   # the source header of the school code column
    rows_outside: int = 0              # monitoring rows of non-participants (participation.py)


@dataclass(frozen=True)
class InputFile:
    """One file of an input of the params, in the order files are ingested."""

    table: str
    spec: InputSpec
    path: Path
    file: str              # the name shown to the user


def _source_table(table: str, spec: InputSpec) -> str:
    """The table a file's rows are checked as (pupil-level results: results_students)."""
    if table == "results" and "student_id" in spec.targets().values():
        return "results_students"
    return table


def read_input(path: Path, file: str, table: str, spec: InputSpec, indicators: dict[str, str],
               params: IngestParams) -> tuple[str, Sheet]:
    """The sha256 of a file and its Sheet (thread-safe for workbooks: prefetch.py)."""
    data = path.read_bytes() if path.exists() else b""
    sha = hashlib.sha256(data).hexdigest()
    del data
    lookup = header_lookup(_source_table(table, spec), spec.targets(), indicators)
    return sha, read_any(path, file, spec, lookup, params.header_search_rows)


def process_file(path: Path, file: str, table: str, spec: InputSpec, indicators: dict[str, str],
                 params: IngestParams, known_schools: set[str] | None,
                 read: tuple[str, Sheet] | None = None,
                 work_dir: Path | None = None) -> FileResult:
    """Read (unless `read` gives its sha256 and Sheet), map, coerce and validate one file;
    pupil-level results are aggregated here (CSV and Parquet by DuckDB out of core, in
    `work_dir`: pupils_sql.py)."""
    if table == "results" and "student_id" in spec.targets().values() and takes_sql_path(path):
        p = aggregate_pupil_file(path, file, spec, indicators, params, known_schools, work_dir)
        return FileResult(table, file, str(path), p.sha256, finish_results(p.frame), p.problems,
                          p.rows_read, p.rows_rejected, p.rows_empty, p.rows_totals,
                          p.school_header)
    sha, sheet = read or read_input(path, file, table, spec, indicators, params)
    src_table = _source_table(table, spec)
    mapped = map_sheet(sheet, src_table, spec, indicators, path.name)
    df, reject, problems = coerce_and_check(mapped, indicators, params)
    rows = mapped.rows
    redact = src_table == "results_students"
    if known_schools is not None and table != "schools" and "school_id" in df.columns:
        unknown, frames = unknown_school_problems(df, rows, reject, mapped, known_schools, params)
        reject |= unknown
        problems += frames
    # duplicates within the file
    key = KEYS[src_table]
    dup, frame = duplicate_problems(df, key, ~reject, np.array([file] * len(df), dtype=object),
                                    rows, mapped.source, mapped.raw[key[0]].to_numpy()
                                    if key[0] in mapped.raw.columns else df[key[0]].to_numpy(),
                                    redact=redact)
    if frame is not None:
        problems.append(frame)
        reject |= dup
    if len(df) == 0:
        problems.append(problem_frame(file, pd.NA, "", "", WARNING,
                                      "в файле нет строк с данными (только заголовок)"))
    problems_df = _file_problems(problems, mapped, redact)
    kept = _kept_rows(df, reject, rows, file, table, src_table, params)
    n_read = len(df)
    n_rej = int(reject.sum())
    if n_read != n_rej + int(kept["_w"].sum() if len(kept) else 0):
        raise RuntimeError(f"row accounting broken for {file}")
    return FileResult(table, file, str(path), sha, kept, problems_df, n_read, n_rej, mapped.rows_empty,
                      mapped.rows_totals, mapped.source.get("school_id", "school_id"))


def _file_problems(problems: list[pd.DataFrame], mapped: Mapped, redact: bool) -> pd.DataFrame:
    """The problems of one file in one frame; pupil codes are never shown: not in the pupil
    code column, nor anywhere a pupil's code turns up as a value (shifted cells)."""
    problems_df = pd.concat(problems, ignore_index=True) if problems else empty_problems()
    if redact and len(problems_df):
        sid = mapped.source.get("student_id")
        hide = (problems_df["column"] == sid).to_numpy().copy()
        if "student_id" in mapped.raw.columns:
            codes = {" ".join(str(v).split()) for v in pd.unique(mapped.raw["student_id"])
                     if isinstance(v, str) and v.strip() or isinstance(v, (int, float)) and v == v}
            codes = {c.removesuffix(".0") for c in codes} | codes
            hide |= problems_df["value"].astype(str).str.strip().isin(codes).to_numpy()
        problems_df.loc[hide, "value"] = "(скрыто)"
    return problems_df


def _kept_rows(df: pd.DataFrame, reject: np.ndarray, rows: np.ndarray, file: str, table: str,
               src_table: str, params: IngestParams) -> pd.DataFrame:
    """The rows not rejected, tagged with their file, Excel row and weight `_w` (source rows
    behind a row: 1, or the pupils of an aggregated row), in the results shape for results."""
    kept = df[~reject].reset_index(drop=True) if reject.any() else df
    kept["_file"] = file
    kept["_row"] = rows[~reject]
    kept["_w"] = 1
    if src_table == "results_students":
        kept = aggregate_students(kept, params.min_scores)
    if table == "results":
        kept = finish_results(kept)
    return kept


@dataclass
class IngestResult:
    """Canonical tables, all problems, and the per-file accounting."""

    tables: dict[str, pd.DataFrame]
    problems: pd.DataFrame
    inputs: list[dict[str, Any]]
    files: dict[str, pd.DataFrame] = field(default_factory=dict)  # tables + `_file` (for store)
    found: dict[str, set[str]] = field(default_factory=dict)  # canonical columns the files had


def expand_paths(pattern: str, resolve: Callable[[str], Path]) -> list[Path]:
    """A params path (maybe a glob) → sorted existing paths; no match → DataError."""
    full = resolve(pattern)
    if globmod.has_magic(str(full)):
        found = sorted(Path(p) for p in globmod.glob(str(full)))
        found = [p for p in found if p.is_file() and not p.name.startswith("~$")]
        if not found:
            raise DataError(f"По шаблону «{pattern}» не найдено ни одного файла — проверьте путь "
                            f"в параметрах")
        return found
    if not full.exists():
        raise DataError(f"Файл «{pattern}» не найден (путь {full}) — проверьте путь в параметрах")
    return [full]


def _display_name(path: Path, base: Path | None) -> str:
    """The name a file is shown by: relative to the project folder when inside it."""
    if base is not None:
        try:
            return str(path.resolve().relative_to(Path(base).resolve()))
        except ValueError:
            pass
    return str(path)


def ingest_inputs(params: Params, base_dir: Path | None = None,
                  work_dir: Path | None = None) -> IngestResult:
    """Read and validate every input of `params.inputs`; schools first (known ids); `work_dir`:
    where DuckDB may write while it aggregates a pupil-level file (else the system's temp)."""
    ip: IngestParams = params.ingest
    indicators = params.indicator_directions()
    base = base_dir or params.base_dir
    known: set[str] | None = None
    per_table: dict[str, list[FileResult]] = {}
    items = _input_files(params, base)
    with ReadAhead(items, lambda f: read_input(f.path, f.file, f.table, f.spec, indicators,
                                               ip)) as ahead:
        for i, item in enumerate(items):
            if isinstance(item, DataError):  # a path of the params matches no file
                raise item
            res = process_file(item.path, item.file, item.table, item.spec, indicators, ip,
                               known if item.table != "schools" else None, ahead.get(i),
                               work_dir)
            per_table.setdefault(item.table, []).append(res)
            if item.table == "schools" and (i + 1 == len(items) or
                                            getattr(items[i + 1], "table", "") != "schools"):
                known = _known_schools(per_table["schools"])
    combined: dict[str, pd.DataFrame] = {}  # once per table: _combine rejects repeated keys
    if "monitoring" in per_table and "programme" in per_table:
        combined["programme"] = _combine("programme", per_table["programme"])
        _set_aside_outside(per_table["monitoring"], combined["programme"])
    tables: dict[str, pd.DataFrame] = {}
    internal: dict[str, pd.DataFrame] = {}
    for table, results in per_table.items():
        frame = combined[table] if table in combined else _combine(table, results)
        fin = finalise_table(table, frame, indicators, keep=("_file",))
        internal[table] = fin
        tables[table] = fin.drop(columns=["_file"])
    problems = [r.problems for rs in per_table.values() for r in rs]
    if "context" in per_table:  # results years without context: another year's is used
        problems.append(borrowed_lines(borrowed_context(tables.get("results"), tables["context"]),
                                       per_table["context"][0].file))
    problems_df = pd.concat([p for p in problems if len(p)], ignore_index=True) \
        if any(len(p) for p in problems) else empty_problems()
    problems_df = problems_df.drop_duplicates(["file", "row", "column", "severity", "message"])
    found = {t: {c for r in rs for c in r.frame.columns if not c.startswith("_")}
             for t, rs in per_table.items()}
    return IngestResult(tables, problems_df.reset_index(drop=True), _accounting(per_table),
                        internal, found)


def _set_aside_outside(monitoring: list[FileResult], programme: pd.DataFrame) -> None:
    """Monitoring rows of schools outside the programme that year leave the file's kept rows
    (counted as not loaded, a warning each: participation.py)."""
    pairs, covered = participant_pairs(programme)
    for r in monitoring:
        outside, uncovered = outside_programme(r.frame, pairs, covered)
        lines = outside_lines(r.file, r.frame, outside, uncovered, r.school_header)
        if len(lines):
            r.problems = pd.concat([r.problems, lines], ignore_index=True)
        if outside.any():
            r.rows_outside = int(outside.sum())
            r.rows_rejected += r.rows_outside
            r.frame = r.frame[~outside].reset_index(drop=True)


def _input_files(params: Params, base: Path | None) -> list[InputFile | DataError]:
    """Every file of the inputs in ingest order; a path matching no file ends the list with
    its DataError (raised when its turn comes, after the files before it)."""
    items: list[InputFile | DataError] = []
    for table, spec in _input_specs(params):
        try:
            paths = expand_paths(spec.path, params.resolve)
        except DataError as exc:
            return items + [exc]
        items += [InputFile(table, spec, p, _display_name(p, base)) for p in paths]
    return items


def _input_specs(params: Params) -> list[tuple[str, InputSpec]]:
    """(table, input spec) of every input in table order, schools first."""
    specs: list[tuple[str, InputSpec]] = [("schools", params.inputs.schools)]
    for name in ("context", "results", "monitoring", "risk_survey", "programme", "agreements",
                 "curators", "decisions", "plan"):
        value = getattr(params.inputs, name)
        for spec in (value if isinstance(value, list) else [value] if value is not None else []):
            specs.append((name, plan_spec(spec) if name == "plan" else spec))
    return specs


def _known_schools(frames: list[FileResult]) -> set[str]:
    """The school codes of the school list; none usable stops the run (DataError with the
    problems found, so that data_quality.* can still be written)."""
    combined = _combine("schools", frames)
    known = set(combined["school_id"].dropna())
    if not known:
        found = pd.concat([f.problems for f in frames if len(f.problems)],
                          ignore_index=True) if any(len(f.problems) for f in frames) \
            else empty_problems()
        shown = "; ".join(f"строка {r.row}, столбец «{r.column}», значение «{r.value}»: "
                          f"{r.message}" for r in found.head(3).itertuples())
        raise DataError(f"Файл «{frames[0].file}»: в списке школ нет ни одной пригодной "
                        f"строки — см. data_quality.html" + (f". Например: {shown}"
                                                             if shown else ""), found)
    return known


def _accounting(per_table: dict[str, list[FileResult]]) -> list[dict[str, Any]]:
    """Rows read, kept, rejected and empty of every file (read = kept + rejected)."""
    inputs = []
    for table, results in per_table.items():
        for r in results:
            kept = r.rows_read - r.rows_rejected
            inputs.append({"path": r.file, "table": table, "sha256": r.sha256,
                           "rows_read": r.rows_read, "rows_kept": kept,
                           "rows_rejected": r.rows_rejected, "rows_empty": r.rows_empty,
                           "rows_totals": r.rows_totals, "rows_outside": r.rows_outside})
            if kept + r.rows_rejected != r.rows_read:
                raise RuntimeError(f"row accounting broken for {r.file}")
    return inputs


def _combine(table: str, results: list[FileResult]) -> pd.DataFrame:
    """Concatenate the files of a table; keys repeated across files reject the later rows."""
    frames = [r.frame for r in results if len(r.frame)]
    if not frames:
        return results[0].frame.iloc[0:0]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
    if len(results) > 1:
        key = KEYS[table]
        files = df["_file"].to_numpy(dtype=object)
        rows = df["_row"].to_numpy(dtype=object)
        dup, frame = duplicate_problems(df, key, np.ones(len(df), bool), files, rows,
                                        {k: k for k in key}, df[key[0]].to_numpy(dtype=object))
        if frame is not None:
            by_file = {r.file: r for r in results}
            w = df["_w"].to_numpy()
            for f in np.unique(files[dup]):
                r = by_file[f]
                r.rows_rejected += int(w[dup & (files == f)].sum())
                r.problems = pd.concat([r.problems, frame[frame["file"] == f]], ignore_index=True)
            df = df[~dup].reset_index(drop=True)
    return df


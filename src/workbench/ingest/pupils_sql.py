"""Pupil-level results out of core: a results file mapped with `student_id` (CSV or Parquet, of
any size) is aggregated to the results grain (school × year × procedure × subject × grade) by
DuckDB straight from the file, never loaded into pandas; the numbers are those of
`students.aggregate_students` and the problems those of a small file (`pupils_checks`).

Why every pupil-level CSV or Parquet file takes this path, small or national: one path is the
one to trust, and the bad-input corpus of the tests then checks it. Excel pupil files (at most
a million rows a sheet) keep the pandas path; a test proves both give the same tables and
problems. DuckDB works in a folder of the run (`work_dir`, removed afterwards) with its memory
and threads limited (params `ingest.pupils_memory_limit`, `ingest.pupils_threads`); pupil codes
stay in that folder and in this module (never in problems, tables or the store)."""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from workbench.config import InputSpec
from workbench.config.ingest import IngestParams
from workbench.ingest.coerce import TEXT_MISSING_MARKERS, is_blank
from workbench.ingest.errors import DataError
from workbench.ingest.mapping import header_like
from workbench.ingest.headers import norm_header
from workbench.ingest.problems import WARNING, empty_problems, problem_frame
from workbench.ingest.pupils_checks import Checked, duplicates, row_checks, suspect_sql
from workbench.ingest.pupils_load import (Loaded, file_sha256, load_csv, load_parquet,
                                          open_duckdb, source_view)
from workbench.ingest.pupils_values import (Column, distinct_values, pupil_code_sql,
                                            pupil_columns, source_type, value_table)
from workbench.ingest.totals import _starts_with_total
from workbench.ingest.years import file_year

SQL_SUFFIXES = {".csv", ".txt", ".tsv", ".parquet", ".pq"}
KEY = ["school_id", "year", "procedure", "subject", "grade"]


@dataclass
class PupilFile:
    """A pupil-level file aggregated: results rows (aggregate_students' shape) and accounting."""

    frame: pd.DataFrame
    problems: pd.DataFrame
    sha256: str
    rows_read: int
    rows_rejected: int
    rows_empty: int
    rows_totals: int
    school_header: str


def takes_sql_path(path: Path) -> bool:
    """Pupil-level files that DuckDB reads: CSV and Parquet (Excel goes through pandas)."""
    return path.suffix.lower() in SQL_SUFFIXES and path.exists() and path.stat().st_size > 0


def _constants(loaded: Loaded, spec: InputSpec, path: Path) -> dict[str, Any]:
    """The constants of the params, and the year of the file name or title."""
    constants = dict(spec.constants)
    if spec.year_from != "column":
        constants["year"] = file_year(spec, path.name, loaded.title, loaded.mapped.where)[0]
    return constants


def _school_flags(con: duckdb.DuckDBPyConnection, loaded: Loaded) -> None:
    """`k_school`: per raw school cell, open key (blank or a total word: a total line may
    follow) and whether it repeats the header (a repeated header row)."""
    j = loaded.position.get("school_id")
    if j is None:
        con.execute("CREATE TABLE k_school AS SELECT NULL::VARCHAR AS v, false AS open_key, "
                    "false AS hdr WHERE false")
        return
    raw = con.execute("SELECT v FROM d_school_id").df()["v"]
    vals = pd.Series(raw.to_numpy(dtype=object), dtype=object)
    open_key = is_blank(vals, TEXT_MISSING_MARKERS) | _starts_with_total(vals)
    head = norm_header(loaded.mapped.source["school_id"])
    hdr = header_like(vals.to_numpy(), head) if head and vals.map(
        lambda v: isinstance(v, str)).all() else np.zeros(len(vals), bool)
    con.register("_k", pd.DataFrame({"v": vals, "open_key": open_key, "hdr": hdr}))
    con.execute(f"CREATE TABLE k_school AS SELECT CAST(v AS {source_type(con, f'c{j}')}) AS v, "
                f"open_key, hdr FROM _k")
    con.unregister("_k")


def rows_view(con: duckdb.DuckDBPyConnection, cols: list[Column], loaded: Loaded,
              sid: Column, known: set[str] | None) -> None:
    """`v`: every record with its flags, typed values (`<name>`), fail codes (`f_<name>`) and
    raw cells (`r_<name>`); the normalised pupil code `student_id`."""
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE s)").fetchall())

    def blank(j: int) -> str:
        c = f"c{j}"
        return f"(coalesce(trim({c}), '') = '')" if types.get(c) == "VARCHAR" else f"({c} IS NULL)"

    empty = " AND ".join(blank(j) for j in range(loaded.width)) or "true"
    select = ["s.rid", f"({empty}) AS is_empty", "_over AS overflow",
              "coalesce(k.hdr, false) AS hdr", "coalesce(k.open_key, false) AS open_key",
              f"{pupil_code_sql(sid, con)} AS student_id"]
    joins = []
    for c in cols:
        m = f"m_{c.name}"
        select += [f'{m}.canon AS "{c.name}"', f'coalesce({m}.fail, 0) AS "f_{c.name}"',
                   f'{c.expr} AS "r_{c.name}"']
        joins.append(f"LEFT JOIN {m} ON {c.expr} IS NOT DISTINCT FROM {m}.v"
                     if c.in_file else f"CROSS JOIN {m}")
    school = next((c for c in cols if c.name == "school_id"), None)
    if known is not None and school is not None:
        con.register("_known", pd.DataFrame({"id": sorted(known)}))
        con.execute("CREATE TABLE known AS SELECT id::VARCHAR AS id FROM _known")
        con.unregister("_known")
        select.append("(m_school_id.canon IS NOT NULL AND known.id IS NULL) AS unknown")
        joins.append("LEFT JOIN known ON m_school_id.canon = known.id")
    else:
        select.append("false AS unknown")
    j = loaded.position.get("school_id")
    k_join = f"LEFT JOIN k_school k ON s.c{j} IS NOT DISTINCT FROM k.v" if j is not None else \
        "LEFT JOIN k_school k ON false"
    con.execute(f"CREATE VIEW v AS SELECT {', '.join(select)} FROM s {k_join} {' '.join(joins)}")


def slim_view(con: duckdb.DuckDBPyConnection, name: str, cols: list[Column], sid: Column,
              wanted: list[str]) -> None:
    """A view `name` of the records not set apart (`gone`) with only the typed columns
    `wanted` (and `student_id` when wanted): only their joins, so a pass reads little."""
    select, joins = ["s.rid"], []
    for c in cols:
        if c.name not in wanted:
            continue
        m = f"m_{c.name}"
        select.append(f'{m}.canon AS "{c.name}"')
        joins.append(f"LEFT JOIN {m} ON {c.expr} IS NOT DISTINCT FROM {m}.v"
                     if c.in_file else f"CROSS JOIN {m}")
    if "student_id" in wanted:
        select.append(f"{pupil_code_sql(sid, con)} AS student_id")
    con.execute(f"CREATE VIEW {name} AS SELECT {', '.join(select)} FROM s {' '.join(joins)} "
                f"WHERE s.rid NOT IN (SELECT rid FROM gone)")


def _aggregate(con: duckdb.DuckDBPyConnection, cols: list[Column], params: IngestParams,
               file: str) -> pd.DataFrame:
    """The kept rows (`kept` view) to results rows, as students.aggregate_students."""
    names = {c.name for c in cols}
    low = []
    if "is_low" in names:
        low.append('WHEN "is_low" IS NOT NULL THEN CAST("is_low" AS DOUBLE)')
    if "mark" in names:
        low.append('WHEN "mark" IS NOT NULL THEN CAST("mark" = 2 AS DOUBLE)')
    if "score" in names and params.min_scores:
        _min_table(con, params)
        low.append('WHEN "score" IS NOT NULL AND mins.m IS NOT NULL '
                   'THEN CAST("score" < mins.m AS DOUBLE)')
    low_sql = f"CASE {' '.join(low)} END" if low else "NULL::DOUBLE"
    agg = ["count(*) AS n_participants", "CASE WHEN count(_low) = 0 THEN NULL ELSE "
           "sum(_low) END AS n_low", "count(*) AS _w"]
    if "mark" in names:
        agg += [f'CASE WHEN count("mark") = 0 THEN NULL ELSE sum(CAST("mark" = {k} AS DOUBLE)) '
                f'END AS n_mark{k}' for k in range(2, 6)]
    if "score" in names:
        agg += ['avg("score") AS mean_score', 'stddev_samp("score") AS sd_score']
    join = ("LEFT JOIN mins ON mins.procedure IS NOT DISTINCT FROM kept.procedure AND "
            "mins.subject IS NOT DISTINCT FROM kept.subject") if "score" in names and \
        params.min_scores else ""
    keys = ", ".join(f'kept."{k}"' for k in KEY)
    out = con.execute(f"""SELECT {keys}, {', '.join(agg)} FROM
        (SELECT kept.*, {low_sql} AS _low FROM kept {join}) kept
        GROUP BY {keys} ORDER BY {keys}""").df()
    for c in ("school_id", "procedure", "subject"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    for c in ("year", "grade", "n_low", "mean_score", "sd_score",
              *[f"n_mark{k}" for k in range(2, 6)]):
        if c in out.columns:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out["n_participants"] = out["n_participants"].astype("int64")
    out["_w"] = out["_w"].astype("int64")
    out["_file"] = file
    out["share_low"] = out["n_low"] / out["n_participants"]
    out["_row"] = pd.NA
    return out


def _min_table(con: duckdb.DuckDBPyConnection, params: IngestParams) -> None:
    """`mins`: the minimum score of every procedure × subject pair found."""
    pairs = con.execute("SELECT DISTINCT p.canon, s.canon FROM m_procedure p, m_subject s"
                        ).fetchall() if _has(con, "m_procedure") and _has(con, "m_subject") \
        else []
    ms = params.min_scores
    rows = [(p, s, ms.get(f"{p}/{s}", ms.get(s))) for p, s in pairs]
    con.register("_mins", pd.DataFrame(rows, columns=["procedure", "subject", "m"]))
    con.execute("CREATE TABLE mins AS SELECT procedure::VARCHAR AS procedure, "
                "subject::VARCHAR AS subject, m::DOUBLE AS m FROM _mins")
    con.unregister("_mins")


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                            [table]).fetchall()[0][0])


def _redact(con: duckdb.DuckDBPyConnection, problems: pd.DataFrame, sid_header: str
            ) -> pd.DataFrame:
    """No pupil code in a problem: not in the pupil code column, nor as any other value."""
    if problems.empty:
        return problems
    hide = (problems["column"] == sid_header).to_numpy().copy()
    vals = problems["value"].astype(str).str.strip()
    con.register("_pv", pd.DataFrame({"pv": pd.unique(vals[~hide & (vals != "")])}))
    codes = {r[0] for r in con.execute(
        "SELECT DISTINCT p.pv FROM ids JOIN (SELECT pv, pv AS k FROM _pv UNION ALL "
        "SELECT pv, pv || '.0' FROM _pv) p ON ids.student_id = p.k").fetchall()}
    con.unregister("_pv")
    hide |= vals.isin(codes).to_numpy()
    problems = problems.copy()
    problems.loc[hide, "value"] = "(скрыто)"
    return problems


def _checked_rows(con: duckdb.DuckDBPyConnection, loaded: Loaded, spec: InputSpec,
                  path: Path, indicators: dict[str, str], params: IngestParams,
                  known: set[str] | None) -> tuple[Checked, list[Column], int]:
    """Value tables, the rows view, the checks and the duplicates; `alive` and `kept` views."""
    constants = _constants(loaded, spec, path)
    cols = pupil_columns(loaded.mapped, loaded.position, constants, indicators)
    sid = next(c for c in cols if c.name == "student_id")
    cols = [c for c in cols if c.name != "student_id"]
    if not any(c.name in ("mark", "score", "is_low") for c in cols):
        raise DataError(f"Файл {loaded.mapped.where}: в файле с результатами обучающихся нужен "
                        f"столбец отметки (mark) или балла (score); в параметрах columns он не "
                        f"указан или не найден в файле")
    distinct_values(con, cols)
    for c in cols:
        value_table(con, c, loaded.mapped, constants.get(c.name), params)
    _school_flags(con, loaded)
    rows_view(con, cols, loaded, sid, known)
    n_records = int(con.execute("SELECT count(*) FROM s").fetchall()[0][0])
    suspect = suspect_sql(con, cols, loaded, sid, known is not None and _has(con, "known"))
    checked = row_checks(con, cols, loaded, known, params, n_records, suspect)
    if checked.repaired:
        con.executemany("UPDATE m_school_id SET canon = ? WHERE canon = ?",
                        [(new, old) for old, new in checked.repaired.items()])
    out_rid = np.concatenate([checked.rejected, checked.not_data]).astype(np.int64)
    con.register("_out", pd.DataFrame({"rid": out_rid}))
    con.execute("CREATE TABLE gone AS SELECT rid FROM _out")
    con.unregister("_out")
    slim_view(con, "alive", cols, sid, ["student_id", "year", "procedure", "subject"])
    dup, frame = duplicates(con, loaded)
    if frame is not None:
        checked.problems.append(frame)
        con.register("_dup", pd.DataFrame({"rid": dup.astype(np.int64)}))
        con.execute("INSERT INTO gone SELECT rid FROM _dup")
        con.unregister("_dup")
        checked.rejected = np.concatenate([checked.rejected, dup])
    slim_view(con, "kept", cols, sid, KEY + ["mark", "score", "is_low"])
    con.execute(f"CREATE VIEW ids AS SELECT {pupil_code_sql(sid, con)} AS student_id FROM s")
    return checked, cols, n_records


def aggregate_pupil_file(path: Path, file: str, spec: InputSpec, indicators: dict[str, str],
                         params: IngestParams, known: set[str] | None,
                         work_dir: Path | None = None) -> PupilFile:
    """Read, check and aggregate one pupil-level CSV or Parquet file in DuckDB."""
    pool = ThreadPoolExecutor(1)
    hashing = pool.submit(file_sha256, path)  # alongside DuckDB's reading
    base = Path(work_dir) if work_dir is not None else None
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pupils-", dir=base))
    try:
        con = open_duckdb(work, params.pupils_memory_limit, params.pupils_threads)
        try:
            if path.suffix.lower() in (".parquet", ".pq"):
                loaded = load_parquet(con, path, file, spec, indicators)
            else:
                loaded = load_csv(con, path, file, spec, indicators, params.header_search_rows,
                                  work)
            source_view(con, loaded)
            checked, cols, _ = _checked_rows(con, loaded, spec, path, indicators, params, known)
            frame = _aggregate(con, cols, params, file)
            problems = list(loaded.mapped.problems) + checked.problems
            if checked.rows_read == 0:
                problems.append(problem_frame(file, pd.NA, "", "", WARNING,
                                              "в файле нет строк с данными (только заголовок)"))
            pdf = pd.concat(problems, ignore_index=True) if problems else empty_problems()
            pdf = _redact(con, pdf, loaded.mapped.source.get("student_id", ""))
        finally:
            con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if base is not None and base.is_dir() and not any(base.iterdir()):
            base.rmdir()
    sha = hashing.result()
    pool.shutdown()
    n_kept = int(frame["_w"].sum()) if len(frame) else 0
    rejected = checked.rows_read - n_kept
    if rejected != len(checked.rejected) + len(loaded.skipped_bad):
        raise RuntimeError(f"row accounting broken for {file}")
    return PupilFile(frame, pdf.reset_index(drop=True), sha, checked.rows_read, rejected,
                     checked.rows_empty, checked.rows_totals,
                     loaded.mapped.source.get("school_id", "school_id"))

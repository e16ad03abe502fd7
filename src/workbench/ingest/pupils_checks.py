"""The checks of a pupil-level file read by DuckDB, in the order and with the messages of a small
file (`mapping`, `validate`): only the rows with something to say leave DuckDB — empty rows,
rows with extra cells, repeated header rows, values that failed their type or range, rows
without a result, unknown schools — and the same sequence of rules runs on them in pandas
(a row rejected by one rule is not reported by the later ones). Duplicates of a pupil's result
(pupil × year × procedure × subject) are found in SQL by a hash of the key, then confirmed
exactly on the few rows that share one."""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from workbench.config.ingest import IngestParams
from workbench.core.tables import KEYS
from workbench.ingest.codes import Repair, repair_codes, repair_line
from workbench.ingest.coerce import TEXT_MISSING_MARKERS
from workbench.ingest.problems import (ERROR, INFO, check_message, implausible_message,
                                       problem_frame, type_message)
from workbench.ingest.pupils_load import Loaded
from workbench.ingest.pupils_values import HUGE, NULL, RANGE, TYPE, Column
from workbench.ingest.totals import total_example, total_message, total_rows
from workbench.ingest.validate import duplicate_problems

OVERFLOW_RU = ("в строке больше значений, чем столбцов в заголовке (лишний разделитель или "
               "сдвинутые ячейки) — исправьте строку")
UNREADABLE_RU = ("строку не удалось прочитать: в ней намного больше значений, чем столбцов в "
                 "заголовке, или неверная кодировка — исправьте строку")


@dataclass
class Checked:
    """What the checks found: problems, the rejected positions, the row counts."""

    problems: list[pd.DataFrame] = field(default_factory=list)
    rejected: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # rid
    not_data: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # rid
    rows_read: int = 0
    rows_empty: int = 0
    rows_totals: int = 0
    repaired: dict[str, str] = field(default_factory=dict)   # code as written → school list


def _value_set(con: duckdb.DuckDBPyConnection, c: Column, name: str, where: str,
               extra: str = "") -> str:
    """A condition on the raw cell of `c`: its value is one of `m_<c>` rows matching `where`
    (a small table `name`; a blank cell tested apart)."""
    if not c.in_file:
        hit = con.execute(f"SELECT count(*) FROM m_{c.name} WHERE {where}").fetchall()[0][0]
        return "true" if hit else "false"
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT v FROM m_{c.name} WHERE ({where}) "
                f"AND v IS NOT NULL {extra}")
    null = con.execute(f"SELECT count(*) FROM m_{c.name} WHERE v IS NULL AND ({where})"
                       ).fetchall()[0][0]
    return f"({c.expr} IN (SELECT v FROM {name})" + (f" OR {c.expr} IS NULL)" if null else ")")


def suspect_sql(con: duckdb.DuckDBPyConnection, cols: list[Column], loaded: Loaded,
                sid: Column, known: bool) -> str:
    """A cheap condition on the raw cells true of every row some rule may speak of (and of a
    few more): a value of a column that failed, a school cell blank, a total word, the header
    or unknown, extra cells, no result, a short or blank pupil code."""
    conds = ["_over"]
    for c in cols:
        extra = ""
        if c.name == "school_id" and c.in_file:
            extra = ("UNION SELECT v FROM k_school WHERE hdr OR open_key" +
                     (" UNION SELECT v FROM m_school_id WHERE canon IS NOT NULL AND canon NOT "
                      "IN (SELECT id FROM known)" if known else ""))
        conds.append(_value_set(con, c, f"x_{c.name}", "fail <> 0", extra))
    if "school_id" not in loaded.position:  # empty rows: none of the cells filled
        conds.append("(" + " AND ".join(f"c{j} IS NULL" for j in range(loaded.width)) + ")")
    res = [c for c in cols if c.name in ("mark", "score")]
    if res:
        conds.append("(" + " AND ".join(_value_set(con, c, f"n_{c.name}", "canon IS NULL")
                                        for c in res) + ")")
    markers = ", ".join("'" + m + "'" for m in sorted(TEXT_MISSING_MARKERS))
    x = sid.expr
    conds.append(f"{x} IS NULL" if not sid.in_file else
                 f"({x} IS NULL OR (length(CAST({x} AS VARCHAR)) <= 12 AND (NOT "
                 f"regexp_full_match(CAST({x} AS VARCHAR), '[0-9A-Za-z]+') OR "
                 f"lower(CAST({x} AS VARCHAR)) IN ({markers}))))")
    return " OR ".join(conds)


def flagged_rows(con: duckdb.DuckDBPyConnection, cols: list[Column], loaded: Loaded,
                 suspect: str) -> pd.DataFrame:
    """The rows of `v` some rule may speak of (`v`: pupils_sql.rows_view), looked at only
    among the rows `suspect` (a condition on the raw cells) picks."""
    con.execute(f"CREATE TEMP TABLE sus AS SELECT rid FROM s WHERE {suspect}")
    conds = ["is_empty", "overflow", "hdr", "open_key", "student_id IS NULL", "unknown"]
    conds += [f'"f_{c.name}" <> 0' for c in cols]
    res = [c.name for c in cols if c.name in ("mark", "score")]
    if res:
        conds.append(" AND ".join(f'"{c}" IS NULL' for c in res))
    select = ["rid", "is_empty", "overflow", "hdr", "open_key", "student_id IS NULL AS no_id",
              "unknown"]
    select += [f'"{c.name}", "f_{c.name}", "r_{c.name}"' for c in cols]
    return con.execute(f"SELECT {', '.join(select)} FROM v WHERE rid IN (SELECT rid FROM sus) "
                       f"AND ({' OR '.join(conds)}) ORDER BY rid").df()


def _totals(con: duckdb.DuckDBPyConnection, f: pd.DataFrame, loaded: Loaded,
            school: int | None, out: Checked) -> np.ndarray:
    """Total lines among the flagged rows (totals.total_rows on their cells); the info line."""
    cand = f["open_key"].to_numpy(bool) & ~f["is_empty"].to_numpy(bool)
    tot = np.zeros(len(f), dtype=bool)
    if not cand.any() or school is None:
        return tot
    con.register("_cand", pd.DataFrame({"rid": f["rid"].to_numpy()[cand]}))
    cells = ", ".join(f"c{j}" for j in range(loaded.width))
    body = con.execute(f"SELECT {cells} FROM s WHERE rid IN (SELECT rid FROM _cand) "
                       f"ORDER BY rid").df()
    con.unregister("_cand")
    body.columns = list(range(loaded.width))
    body = body.astype(object).where(body.notna(), "")
    hit = total_rows(body, school, np.ones(len(body), dtype=bool))
    tot[np.flatnonzero(cand)[hit]] = True
    if hit.any():
        first = int(np.flatnonzero(hit)[0])
        example = total_example(body.iloc[first])
        row = int(loaded.row_numbers(f["rid"].to_numpy()[tot][:1])[0])
        out.problems.append(problem_frame(loaded.mapped.file, row, "", example, INFO,
                                          total_message(int(hit.sum()), example)))
    return tot


def _coerce_problems(f: pd.DataFrame, rows: np.ndarray, reject: np.ndarray, cols: list[Column],
                     file: str, params: IngestParams, out: Checked) -> None:
    """A value not of its type or not a plausible number: the first such cell of a row."""
    for c in cols:
        fail = f[f"f_{c.name}"].to_numpy()
        for code in (HUGE, TYPE):
            bad = (fail == code) & ~reject
            if bad.any():
                msg = implausible_message(c.header) if code == HUGE else \
                    type_message(c.kind, c.header, params)
                out.problems.append(problem_frame(file, rows[bad], c.header,
                                                  f[f"r_{c.name}"].to_numpy()[bad], ERROR, msg))
                reject |= bad


def _range_problems(f: pd.DataFrame, rows: np.ndarray, reject: np.ndarray, cols: list[Column],
                    loaded: Loaded, params: IngestParams, out: Checked) -> None:
    """Range checks and required values, every failing cell of the rows still alive."""
    file = loaded.mapped.file
    new = np.zeros(len(f), dtype=bool)
    sid = loaded.mapped.source["student_id"]
    blank_id = f["no_id"].to_numpy(bool) & ~reject
    if blank_id.any():
        out.problems.append(problem_frame(file, rows[blank_id], sid, "", ERROR,
                                          check_message("not_nullable", sid, None, params)))
        new |= blank_id
    for c in cols:
        fail = f[f"f_{c.name}"].to_numpy()
        for code, check in ((RANGE, c.check), (NULL, "not_nullable")):
            bad = (fail == code) & ~reject
            if bad.any() and check is not None:
                out.problems.append(problem_frame(
                    file, rows[bad], c.header, f[f"r_{c.name}"].to_numpy()[bad], ERROR,
                    check_message(check, c.header, None, params)))
                new |= bad
    reject |= new
    res = [c for c in cols if c.name in ("mark", "score")]
    if res:
        nothing = np.logical_and.reduce([f[c.name].isna().to_numpy() for c in res]) & ~reject
        if nothing.any():
            out.problems.append(problem_frame(
                file, rows[nothing], res[0].header, "", ERROR,
                "нет ни отметки, ни балла обучающегося — заполните результат или удалите строку"))
            reject |= nothing


def _unknown_problems(f: pd.DataFrame, rows: np.ndarray, reject: np.ndarray, loaded: Loaded,
                      known: set[str], params: IngestParams, out: Checked) -> None:
    """Codes missing from the school list: repaired (one warning line) or a problem each."""
    if "school_id" not in f.columns:
        return
    file, header = loaded.mapped.file, loaded.mapped.source["school_id"]
    ids = f["school_id"]
    unknown = f["unknown"].to_numpy(bool) & ids.notna().to_numpy() & ~reject
    repair: Repair | None = repair_codes(ids, unknown, known) if params.repair_codes else None
    if repair is not None:
        out.problems.append(repair_line(repair, file, header, rows[repair.rows[0]]))
        out.repaired = {str(w): str(c) for w, c in zip(ids.to_numpy()[repair.rows], repair.codes)}
        unknown[repair.rows] = False
    if unknown.any():
        sev = params.unknown_school_severity
        out.problems.append(problem_frame(
            file, rows[unknown], header, ids.to_numpy()[unknown], sev,
            "школы с таким кодом нет в списке школ (таблица schools) — исправьте код "
            "или добавьте школу в список"))
        if sev == ERROR:
            reject |= unknown


def row_checks(con: duckdb.DuckDBPyConnection, cols: list[Column], loaded: Loaded,
               known: set[str] | None, params: IngestParams, n_records: int, suspect: str
               ) -> Checked:
    """Every rule but the duplicates, on the flagged rows (rows of `v` in file order)."""
    out = Checked()
    f = flagged_rows(con, cols, loaded, suspect)
    file = loaded.mapped.file
    school = loaded.position.get("school_id")
    empty = f["is_empty"].to_numpy(bool)
    tot = _totals(con, f, loaded, school, out)
    data = ~empty & ~tot
    out.not_data = f["rid"].to_numpy()[~data]
    out.rows_empty = int(empty.sum()) + loaded.blank_lines
    out.rows_totals = int(tot.sum())
    f = f[data].reset_index(drop=True)
    rows = loaded.row_numbers(f["rid"].to_numpy())
    reject = np.zeros(len(f), dtype=bool)
    over = f["overflow"].to_numpy(bool)
    if over.any():
        out.problems.append(problem_frame(file, rows[over], "", "", ERROR, OVERFLOW_RU))
        reject |= over
    hdr = f["hdr"].to_numpy(bool)
    if hdr.any():
        out.problems.append(problem_frame(
            file, rows[hdr], loaded.mapped.source["school_id"],
            f["r_school_id"].to_numpy()[hdr], ERROR,
            "повтор строки заголовка внутри данных — строка пропущена; удалите её"))
        reject |= hdr
    _coerce_problems(f, rows, reject, cols, file, params, out)
    _range_problems(f, rows, reject, cols, loaded, params, out)
    if known is not None:
        _unknown_problems(f, rows, reject, loaded, known, params, out)
    out.rejected = f["rid"].to_numpy()[reject]
    if len(loaded.skipped_bad):
        out.problems.append(problem_frame(file, loaded.skipped_bad, "", "", ERROR, UNREADABLE_RU))
    out.rows_read = n_records - len(out.not_data) + len(loaded.skipped_bad)
    return out


def duplicates(con: duckdb.DuckDBPyConnection, loaded: Loaded) -> tuple[np.ndarray,
                                                                        pd.DataFrame | None]:
    """Later results of a pupil × year × procedure × subject among the rows alive (`alive`
    view): rejected, the message names the first (pupil codes hidden)."""
    key = KEYS["results_students"]
    cols = ", ".join(f'"{k}"' for k in key)
    some = con.execute(f"SELECT count(*) - count(DISTINCT hash({cols})) FROM alive").fetchall()
    if not some[0][0]:  # the usual case, found at half the cost of finding which
        return np.zeros(0, np.int64), None
    con.execute(f"""CREATE TEMP TABLE dup_rows AS
        WITH h AS (SELECT hash({cols}) AS h FROM alive),
             d AS (SELECT h FROM h GROUP BY h HAVING count(*) > 1)
        SELECT rid, {cols} FROM alive WHERE hash({cols}) IN (SELECT h FROM d)""")
    cand = con.execute("SELECT * FROM dup_rows ORDER BY rid").df()
    con.execute("DROP TABLE dup_rows")
    if cand.empty:
        return np.zeros(0, np.int64), None
    rows = loaded.row_numbers(cand["rid"].to_numpy())
    src = loaded.mapped.source
    files = np.array([loaded.mapped.file] * len(cand), dtype=object)
    dup, frame = duplicate_problems(cand, key, np.ones(len(cand), bool), files, rows, src,
                                    np.array(["(скрыто)"] * len(cand), dtype=object),
                                    redact=True)
    return cand["rid"].to_numpy()[dup], frame

"""The values of a pupil-level file read by DuckDB, coerced and checked by the same functions as
a small file's: a column of a national file has few distinct values (schools, years, subjects,
marks; scores a few thousand), so each column's distinct values are fetched, run through
`coerce.py` and the range checks of `validate.py` in pandas, and the result goes back to DuckDB
as a small table joined to the rows. The pupil code is the exception (a value per pupil): it is
normalised in SQL the way `coerce.to_text` does.

A value table `m_<column>` has `v` (the raw value, the file's type), `canon` (the typed value)
and `fail`: 0 fine, 1 not of its type, 2 not a plausible number, 3 failed its range check,
4 blank in a required column."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from workbench.config.ingest import IngestParams
from workbench.core.tables import REQUIRED_COLUMNS
from workbench.ingest.coerce import (_ARROW_SPACE, COERCERS, TEXT_MISSING_MARKERS, as_series,
                                     is_blank, to_number)
from workbench.ingest.columns import GRADE, NUM, YEAR, column_types
from workbench.ingest.mapping import Mapped
from workbench.ingest.percent import apply_scales
from workbench.ingest.problems import PLAUSIBLE_ABS
from workbench.ingest.validate import _checks
from workbench.ingest.years import school_year_text

OK, TYPE, HUGE, RANGE, NULL = 0, 1, 2, 3, 4
PUPIL_TABLE = "results_students"
_PLAIN_NUMBER = r"^-?[0-9]{1,12}(\.[0-9]{1,12})?$"  # typed in SQL alike (< 10¹²); the rest in pandas


@dataclass
class Column:
    """A canonical column of the pupil file: where its values come from and what they are."""

    name: str
    kind: str
    expr: str                 # SQL of its raw value in `s` (a column c<j> or a literal)
    header: str               # the source header (or «(константа …)»)
    check: str | None         # the name of its range check (problems.check_message)
    in_file: bool


def pupil_columns(mapped: Mapped, position: dict[str, int], constants: dict[str, Any],
                  indicators: dict[str, str]) -> list[Column]:
    """The mapped columns in the order a small file checks them: the file's columns in file
    order, then the constants the file lacks."""
    types = column_types(PUPIL_TABLE, indicators)
    checks = {c: [n for n, _ in lst] for c, lst in
              _checks(PUPIL_TABLE, types, IngestParams()).items()}
    cols = []
    for name, j in sorted(position.items(), key=lambda kv: kv[1]):
        if name in types:
            cols.append(Column(name, types[name], f"c{j}", mapped.source[name],
                               (checks.get(name) or [None])[0], True))
    for name, value in constants.items():
        if name not in position and name in types:
            cols.append(Column(name, types[name], sql_literal(value), mapped.source[name],
                               (checks.get(name) or [None])[0], False))
    return cols


def sql_literal(value: Any) -> str:
    """A constant of the params as an SQL literal (text, as a cell would hold it)."""
    if value is None:
        return "NULL::VARCHAR"
    return "'" + str(value).replace("'", "''") + "'::VARCHAR"


def _coerced(col: Column, raw: pd.Series, mapped: Mapped, constant: Any,
             params: IngestParams) -> tuple[np.ndarray, np.ndarray]:
    """(typed values, fail codes) of distinct raw values, as coerce_and_check gives them."""
    if col.in_file and constant is not None:  # a constant fills the blank cells of its column
        blank = is_blank(raw, TEXT_MISSING_MARKERS)
        raw = as_series(np.where(blank, constant, raw.to_numpy(dtype=object)))
    fail = np.zeros(len(raw), dtype=np.int8)
    if col.kind == NUM:
        vals, bad = to_number(raw, mapped.decimal, mapped.thousands)
        arr = vals.to_numpy(dtype="float64", copy=True)
        with np.errstate(invalid="ignore"):
            huge = ~(np.abs(arr) <= PLAUSIBLE_ABS) & ~np.isnan(arr) & ~bad
        arr[huge] = np.nan
        fail[huge] = HUGE
        vals = pd.Series(arr)
    else:
        vals, bad = COERCERS[col.kind](raw)
    fail[bad & (fail == OK)] = TYPE
    df = pd.DataFrame({col.name: as_series(vals.to_numpy() if isinstance(vals, pd.Series)
                                            else vals)})
    if col.kind in (NUM, YEAR, GRADE):
        df[col.name] = pd.to_numeric(df[col.name], errors="coerce").astype("float64")
    apply_scales(df, mapped.scales)
    out = df[col.name]
    if col.name == "year" and mapped.year_is == "spring_calendar" and not mapped.year_fixed:
        shift = ~school_year_text(raw.to_numpy()) & out.notna().to_numpy()
        out = out.where(~shift, out - 1)
    return out.to_numpy(), fail


def _range_fail(col: Column, canon: np.ndarray, fail: np.ndarray, params: IngestParams) -> None:
    """Range checks and required values (the pandera schema of validate.py), in place."""
    checks = dict(_checks(PUPIL_TABLE, {col.name: col.kind}, params).get(col.name, []))
    s = pd.Series(canon)
    present = s.notna().to_numpy()
    if col.check is not None and col.check in checks:
        ok = np.asarray(checks[col.check](s[present]), dtype=bool)
        idx = np.flatnonzero(present)[~ok]
        fail[idx[fail[idx] == OK]] = RANGE
    if col.name in REQUIRED_COLUMNS[PUPIL_TABLE]:
        fail[~present & (fail == OK)] = NULL


def distinct_values(con: duckdb.DuckDBPyConnection, cols: list[Column]) -> None:
    """`d_<column>`: the distinct raw values of every column of the file, in one pass."""
    inf = [c for c in cols if c.in_file]
    if not inf:
        return
    exprs = ", ".join(c.expr for c in inf)
    sets = ", ".join(f"({c.expr})" for c in inf)
    con.execute(f"CREATE TEMP TABLE _d AS SELECT {exprs}, GROUPING_ID({exprs}) AS g FROM s "
                f"GROUP BY GROUPING SETS ({sets})")
    n = len(inf)
    for i, c in enumerate(inf):
        g = (1 << n) - 1 - (1 << (n - 1 - i))  # every column but this one rolled up
        con.execute(f"CREATE TEMP TABLE d_{c.name} AS SELECT {c.expr} AS v FROM _d WHERE g = {g}")
    con.execute("DROP TABLE _d")


def value_table(con: duckdb.DuckDBPyConnection, col: Column, mapped: Mapped, constant: Any,
                params: IngestParams) -> None:
    """`m_<column>`: every distinct raw value of the column (`d_<column>`), typed and
    checked."""
    fast = col.kind == NUM and col.in_file and _is_text(con, col)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _distinct AS SELECT v FROM d_{col.name}"
                if col.in_file else
                f"CREATE OR REPLACE TEMP TABLE _distinct AS SELECT {col.expr} AS v")
    where = f"WHERE NOT coalesce(regexp_matches(v, '{_PLAIN_NUMBER}'), false)" if fast else ""
    raw = con.execute(f"SELECT v FROM _distinct {where}").df()["v"]
    raw = as_series(raw.to_numpy(dtype=object))
    canon, fail = _coerced(col, raw, mapped, constant, params)
    _range_fail(col, canon, fail, params)
    sql_type = "DOUBLE" if col.kind in (NUM, YEAR, GRADE) else \
        "BOOLEAN" if col.kind == "bool" else "VARCHAR"
    table = pd.DataFrame({"v": raw.to_numpy(dtype=object), "canon": _as_python(canon),
                          "fail": fail.astype(np.int8)})
    con.register("_vals", table)
    v_type = _sql_type(con, col)
    con.execute(f"CREATE TABLE m_{col.name} AS SELECT CAST(v AS {v_type}) AS v, "
                f"CAST(canon AS {sql_type}) AS canon, fail::TINYINT AS fail FROM _vals")
    con.unregister("_vals")
    if fast:  # plain numbers: typed in SQL, checked like the others
        x = "CAST(v AS DOUBLE)" + (" / 100.0" if (mapped.scales or {}).get(col.name) ==
                                   "percent" else "")
        con.execute(f"""INSERT INTO m_{col.name}
            SELECT v, {x} AS canon,
                   CASE WHEN {_range_sql(col).replace('x', x)} THEN 0 ELSE 3 END
            FROM _distinct WHERE regexp_matches(v, '{_PLAIN_NUMBER}')""")


def _range_sql(col: Column) -> str:
    """The range check of a number column in SQL (x: the value), as validate._checks."""
    if col.check == "mark":
        return "x IN (2, 3, 4, 5)"
    if col.check == "nonneg":
        return "x >= 0"
    return "true"


def _is_text(con: duckdb.DuckDBPyConnection, col: Column) -> bool:
    return _sql_type(con, col) == "VARCHAR"


def _sql_type(con: duckdb.DuckDBPyConnection, col: Column) -> str:
    """The DuckDB type of a column's raw values."""
    return source_type(con, col.expr) if col.in_file else "VARCHAR"


def source_type(con: duckdb.DuckDBPyConnection, column: str) -> str:
    """The DuckDB type of a column of `s`."""
    got = con.execute("SELECT column_type FROM (DESCRIBE s) WHERE column_name = ?",
                      [column]).fetchall()
    return str(got[0][0]) if got else "VARCHAR"


def _as_python(canon: np.ndarray) -> np.ndarray:
    """Typed values as an object array DuckDB reads (None for missing)."""
    out = np.empty(len(canon), dtype=object)
    for i, v in enumerate(canon):
        out[i] = None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA \
            else (float(v) if isinstance(v, (np.floating, np.integer)) else v)
    return out


def pupil_code_sql(col: Column, con: duckdb.DuckDBPyConnection) -> str:
    """SQL of the normalised pupil code (coerce.to_text: whitespace runs → one space, trimmed;
    missing markers and empty → NULL; a whole number 12.0 → «12»)."""
    typ = _sql_type(con, col)
    x = col.expr
    if typ in ("DOUBLE", "FLOAT"):
        x = f"CASE WHEN {x} = floor({x}) THEN CAST(CAST({x} AS BIGINT) AS VARCHAR) " \
            f"ELSE CAST({x} AS VARCHAR) END"
    elif typ != "VARCHAR":
        x = f"CAST({x} AS VARCHAR)"
    space = _ARROW_SPACE.replace("'", "''")
    markers = ", ".join("'" + m.replace("'", "''") + "'" for m in sorted(TEXT_MISSING_MARKERS))
    n = (f"CASE WHEN regexp_matches({x}, '{space}') THEN trim(regexp_replace({x}, "
         f"'{space}+', ' ', 'g')) ELSE {x} END")
    return (f"CASE WHEN length({n}) <= 12 AND ({n} = '' OR lower({n}) IN ({markers})) "
            f"THEN NULL ELSE {n} END")



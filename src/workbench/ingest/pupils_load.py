"""A pupil-level results file (CSV or Parquet) opened in DuckDB without loading it into pandas:
its header found and mapped exactly as for a small file (the same `detect_header` and
`map_sheet`, on the first lines only), then the body read by DuckDB's own reader into a table
`src` of positional columns `c0, c1, …` in file order (`rid`: the record's position).

CSV: every cell as text (`read_csv` with explicit VARCHAR columns), a few spare columns
beyond the header so that rows with extra cells are kept and rejected, not dropped, read once
in file order into an in-memory table (what exceeds the memory limit spills to the work
folder) that every later pass reads; blank lines
(DuckDB skips them) and lines DuckDB cannot parse are found by their line numbers, so that every
row keeps its number in the file. A file not in UTF-8 (cp1251) is first copied as UTF-8 into the
work folder. Parquet: the file's own columns and types (`file_row_number` is the position)."""
from __future__ import annotations

import codecs
import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from workbench.config import InputSpec
from workbench.ingest.errors import DataError
from workbench.ingest.headers import detect_header, display_header, header_lookup
from workbench.ingest.mapping import Mapped, map_sheet
from workbench.ingest.readers import (Sheet, _detect_decimal, decode_bytes, sniff_separator,
                                      title_cells)

SPARE_COLUMNS = 4            # cells beyond the header still read (more: a rejected line)
HEAD_BYTES = 1 << 20         # the head of a CSV searched for the header and separator
PUPIL_TABLE = "results_students"


@dataclass
class Loaded:
    """The file in DuckDB: `src` (c0… positional, rid) and what is known of its layout."""

    mapped: Mapped                       # header mapping (raw is empty: no row in pandas)
    position: dict[str, int]             # canonical column → position in the file
    width: int                           # cells of the header
    n_columns: int                       # columns of `src` (width + spare cells for CSV)
    first_row: int                       # the number of the file's first data row
    skipped: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # rows not in src
    skipped_bad: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # of them: unparsable
    blank_lines: int = 0                 # blank lines DuckDB did not return (empty rows)
    is_csv: bool = True
    title: list[str] = field(default_factory=list)  # cells above the header (year_from: title)

    def row_numbers(self, rid: np.ndarray) -> np.ndarray:
        """Row numbers in the file of records at positions `rid` of `src`."""
        rid = np.asarray(rid, dtype=np.int64)
        if not len(self.skipped):
            return self.first_row + rid
        idx = self.skipped - self.first_row          # file positions not in src
        shifted = idx - np.arange(len(idx))          # src position each gap comes before
        return self.first_row + rid + np.searchsorted(shifted, rid, side="right")


def file_sha256(path: Path) -> str:
    """sha256 of a file read in chunks (a national file does not fit in memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _head_text(path: Path, spec: InputSpec, file: str) -> tuple[list[str], str, list[pd.DataFrame]]:
    """The first lines of a CSV (cut at a line end), its encoding and the decoding problems."""
    with open(path, "rb") as f:
        data = f.read(HEAD_BYTES)
        more = bool(f.read(1))
    if more and b"\n" in data:
        data = data[:data.rindex(b"\n") + 1]
    text, enc, problems = decode_bytes(data, spec.encoding, file)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")[:200], enc, problems


def _header(path: Path, file: str, spec: InputSpec, lookup: dict[str, str], search_rows: int
            ) -> tuple[Sheet, str, str]:
    """The header of a CSV as a Sheet without rows, the separator and the encoding."""
    lines, enc, problems = _head_text(path, spec, file)
    if not any(ln.strip(" \t;,|\ufeff") for ln in lines):
        raise DataError(f"Файл «{file}» пуст: в нём нет ни заголовка, ни данных")
    sep = spec.sep or sniff_separator(lines)
    head_rows = list(csv.reader(lines[:search_rows + 2], delimiter=sep))
    idx, header, nh = detect_header(head_rows, lookup, spec.header_row, search_rows)
    if not header:
        raise DataError(f"Файл «{file}»: не найдена строка заголовка")
    skip = idx + nh
    decimal = spec.decimal or _detect_decimal(lines[skip:], sep)
    body = pd.DataFrame({j: pd.Series(dtype=object) for j in range(len(header))})
    sheet = Sheet(file, [display_header(h) for h in header], body, skip + 1, problems, decimal,
                  spec.thousands, [], title_cells(head_rows[:idx]))
    return sheet, sep, enc


def _mapped(sheet: Sheet, spec: InputSpec, indicators: dict[str, str], path: Path
            ) -> tuple[Mapped, dict[str, int]]:
    """The header mapped as for a small file; canonical column → its position."""
    mapped = map_sheet(sheet, PUPIL_TABLE, spec, indicators, path.name)
    position = {c: sheet.headers.index(h) for c, h in mapped.source.items()
                if h in sheet.headers and not h.startswith("(")}
    return mapped, position


def _utf8_copy(path: Path, enc: str, work: Path) -> Path:
    """A UTF-8 copy of a CSV in another encoding (DuckDB reads UTF-8), written in chunks."""
    out = work / "pupils_utf8.csv"
    dec = codecs.getincrementaldecoder(enc)(errors="replace")
    with open(path, "rb") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        for chunk in iter(lambda: src.read(1 << 24), b""):
            dst.write(dec.decode(chunk))
        dst.write(dec.decode(b"", final=True))
    return out


def _blank_lines(path: Path, skip: int) -> np.ndarray:
    """1-based numbers of the empty lines after the first `skip` lines (DuckDB skips them);
    read in chunks (a mapped file would count in the process's memory)."""
    found: list[int] = []
    size = path.stat().st_size
    newlines, offset, tail = 0, 0, b""      # newlines before `data`, file offset of the chunk
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 24), b""):
            data = tail + chunk
            start = offset - len(tail)
            for pattern in (b"\n\n", b"\n\r\n"):
                at = data.find(pattern)
                while at >= 0:
                    end = start + at + len(pattern)
                    if at + len(pattern) > len(tail) and end < size:  # new, not the last end
                        found.append(newlines + data[:at + 1].count(b"\n") + 1)
                    at = data.find(pattern, at + 1)
            tail = data[-2:]
            newlines += data[:len(data) - len(tail)].count(b"\n")
            offset += len(chunk)
    lines = np.unique(np.array(found, dtype=np.int64))
    return lines[lines > skip]


def _read_csv_sql(path: Path, sep: str, skip: int, width: int, n_columns: int,
                  parallel: bool) -> str:
    """The CSV's records: the header's cells c0… and `_over` (a spare cell is filled)."""
    cols = ", ".join(f"'c{j}': 'VARCHAR'" for j in range(n_columns))
    over = " OR ".join(f"coalesce(trim(c{j}), '') <> ''" for j in range(width, n_columns))
    keep = ", ".join(f"c{j}" for j in range(width))
    quoted = str(path).replace("'", "''")
    sep_sql = sep.replace("'", "''")
    return (f"SELECT {keep}, ({over or 'false'}) AS _over FROM read_csv('{quoted}', "
            f"header=false, skip={skip}, delim='{sep_sql}', "
            f"quote='\"', escape='\"', columns={{{cols}}}, null_padding=true, "
            f"store_rejects=true, rejects_table='src_rejects', rejects_scan='src_scan', "
            f"parallel={'true' if parallel else 'false'}, auto_detect=false)")


def load_csv(con: duckdb.DuckDBPyConnection, path: Path, file: str, spec: InputSpec,
             indicators: dict[str, str], search_rows: int, work: Path) -> Loaded:
    """A pupil-level CSV into `src` (all text, file order)."""
    lookup = header_lookup(PUPIL_TABLE, spec.targets(), indicators)
    sheet, sep, enc = _header(path, file, spec, lookup, search_rows)
    mapped, position = _mapped(sheet, spec, indicators, path)
    if enc.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        path = _utf8_copy(path, enc, work)
    skip = sheet.first_row - 1
    width = len(sheet.headers)
    n_columns = width + SPARE_COLUMNS
    try:
        con.execute(f"CREATE TABLE src AS {_read_csv_sql(path, sep, skip, width, n_columns, True)}")
    except duckdb.Error as exc:
        if "parallel" not in str(exc):
            raise DataError(f"Файл «{file}» не читается как CSV: {str(exc).splitlines()[0][:160]}"
                            ) from None
        for t in ("src", "src_rejects", "src_scan"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        con.execute(f"CREATE TABLE src AS {_read_csv_sql(path, sep, skip, width, n_columns, False)}")
    bad = np.array([r[0] for r in con.execute(
        "SELECT DISTINCT line FROM src_rejects ORDER BY line").fetchall()], dtype=np.int64)
    blank = _blank_lines(path, skip)
    skipped = np.union1d(bad, blank)
    return Loaded(mapped, position, width, n_columns, sheet.first_row, skipped,
                  np.setdiff1d(bad, blank), len(np.setdiff1d(blank, bad)), title=sheet.title)


def load_parquet(con: duckdb.DuckDBPyConnection, path: Path, file: str, spec: InputSpec,
                 indicators: dict[str, str]) -> Loaded:
    """A pupil-level Parquet file as the view `src` (its own types, file order)."""
    try:
        names = [str(n) for n in pq.read_schema(path).names]
    except Exception as exc:
        raise DataError(f"Файл «{file}» не удаётся прочитать как Parquet: {str(exc)[:160]}"
                        ) from None
    body = pd.DataFrame({j: pd.Series(dtype=object) for j in range(len(names))})
    sheet = Sheet(file, names, body, 2, [], ".", None, [])
    mapped, position = _mapped(sheet, spec, indicators, path)
    quoted = str(path).replace("'", "''")
    cols = ", ".join(f'"{n.replace(chr(34), chr(34) * 2)}" AS c{j}' for j, n in enumerate(names))
    con.execute(f"CREATE VIEW src AS SELECT file_row_number AS rid, {cols}, false AS _over "
                f"FROM read_parquet('{quoted}', file_row_number=true)")
    return Loaded(mapped, position, len(names), len(names), 2, is_csv=False)


def open_duckdb(work: Path, memory_limit: str, threads: int) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB database (nothing written but what exceeds the memory limit) with
    its memory and threads limited; what it spills goes to the work folder."""
    work.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:")
    spill = str(work / "spill").replace("'", "''")
    con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute(f"SET threads={int(threads)}")
    con.execute(f"SET temp_directory='{spill}'")
    con.execute("SET preserve_insertion_order=true")
    con.execute("SET enable_progress_bar=false")
    return con


def source_view(con: duckdb.DuckDBPyConnection, loaded: Loaded) -> None:
    """`s`: the records of `src` with their position `rid` (CSV: the table's rowid)."""
    if loaded.is_csv:  # the table keeps the file's order (preserve_insertion_order)
        con.execute("CREATE VIEW s AS SELECT rowid AS rid, * FROM src")
    else:
        con.execute("CREATE VIEW s AS SELECT * FROM src")

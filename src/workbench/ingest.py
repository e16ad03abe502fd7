"""Stage module: ingest — read regional exports, map them onto canonical tables, validate.

Readers: CSV (encoding, separator and decimal mark detected when not given), Excel via
python-calamine (a title row above the header is detected), Parquet; a `path` may be a glob.
Validation collects every problem at once (pandera, lazy, plus checks pandera cannot express).
Each problem has a severity: ``error`` (the row is rejected) or ``warning`` (the row is kept),
the file, the row number as the user sees it in Excel, the SOURCE column header, the value and a
Russian message saying what to fix. Every file is accounted for: read = kept + rejected.

Pupil-level results (`student_id` mapped) are aggregated here to the `results` shape and never
leave this module.
"""
from __future__ import annotations

import csv
import glob as globmod
import hashlib
import html
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pydantic import Field

from workbench import canon
from workbench.canon import KEYS, REQUIRED_COLUMNS, StrictModel, WorkbenchError

ERROR, WARNING = "error", "warning"
PROBLEM_COLUMNS = ["file", "row", "column", "value", "severity", "message"]
SEVERITY_RU = {ERROR: "ошибка (строка не загружена)", WARNING: "предупреждение (строка загружена)"}
TABLE_RU = {"schools": "школы", "context": "контекст", "results": "результаты",
            "monitoring": "мониторинг", "risk_survey": "анкетирование рисков",
            "programme": "участие в программе"}
MISSING_MARKERS = {"", "-", "—", "–", "н/д", "нд", "n/a", "na", "nan", "null", "none",
                   "нет данных", "x", "х", "#н/д", "#n/a"}
TEXT_MISSING_MARKERS = {"", "-", "—", "–", "н/д", "#н/д", "#n/a", "nan", "none", "null"}
_SPACES_RE = r"[\s\u00a0\u202f\u2009\u2007']"


class DataError(WorkbenchError):
    """An input file cannot be used at all (unreadable, empty, missing sheet or column).

    `problems` (optional) holds the row problems found before stopping, so that the stage can
    still write data_quality.* for the user."""

    def __init__(self, message: str, problems: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.problems = problems


class IngestParams(StrictModel):
    """Settings of the ingest stage (params section `ingest`)."""

    year_min: int = Field(default=2000, description="earliest acceptable year")
    year_max: int = Field(default=2100, description="latest acceptable year")
    max_grade: int = Field(default=11, ge=1, description="highest school grade")
    header_search_rows: int = Field(default=30, ge=1, description="rows searched for the header")
    marks_sum_tolerance: float = Field(
        default=0.0, ge=0, description="allowed |sum of mark counts - participants|")
    pct_sum_tolerance: float = Field(
        default=1.5, ge=0, description="allowed |sum of pct_mark2..5 - 100| (percentage points)")
    min_scores: dict[str, float] = Field(
        default_factory=dict,
        description="minimum score per subject ('Математика' or 'ЕГЭ/Математика') for pupil "
                    "rows with scores: a score below it counts as below-minimum (n_low)")
    unknown_school_severity: Literal["error", "warning"] = "error"
    use_store: bool = Field(default=True, description="put canonical tables into the DuckDB store")
    html_max_rows: int = Field(default=3000, ge=1, description="problems listed in the HTML page")


# ============================================================================ column types
ID, TEXT, NUM, YEAR, GRADE, BOOL, PROC, WAVE, DOMAIN, LOCALITY = (
    "id", "text", "num", "year", "grade", "bool", "procedure", "wave", "domain", "locality")

_BASE_TYPES: dict[str, dict[str, str]] = {
    "schools": {"school_id": ID, "school_name": TEXT, "municipality": TEXT, "locality": LOCALITY,
                "school_type": TEXT, "latitude": NUM, "longitude": NUM, "is_small": BOOL},
    "context": {"school_id": ID, "year": YEAR},
    "results": {"school_id": ID, "year": YEAR, "procedure": PROC, "subject": TEXT, "grade": GRADE,
                "n_participants": NUM, **{f"n_mark{k}": NUM for k in range(2, 6)},
                **{f"pct_mark{k}": NUM for k in range(2, 6)}, "mean_score": NUM,
                "sd_score": NUM, "n_low": NUM, "share_low": NUM},
    "results_students": {"student_id": ID, "school_id": ID, "year": YEAR, "procedure": PROC,
                         "subject": TEXT, "grade": GRADE, "mark": NUM, "score": NUM,
                         "is_low": BOOL},
    "monitoring": {"school_id": ID, "year": YEAR, "wave": WAVE, "domain": DOMAIN,
                   "indicator": TEXT, "value": NUM, "n": NUM, "higher_is_better": BOOL},
    "risk_survey": {"school_id": ID, "year": YEAR, "risk_factor": TEXT, "value": NUM,
                    "source": TEXT},
    "programme": {"school_id": ID, "year": YEAR, "participant": BOOL, "curator": TEXT,
                  "partner_school_id": ID},
}
COUNT_COLUMNS = {"n_participants", "n_mark2", "n_mark3", "n_mark4", "n_mark5", "n_low"}
NONNEG_COLUMNS = COUNT_COLUMNS | {"mean_score", "sd_score", "n", "n_students", "internet_mbps",
                                  "distance_km", "score"}
PCT_COLUMNS = {f"pct_mark{k}" for k in range(2, 6)}


def is_share_column(name: str) -> bool:
    """Columns whose values are shares in [0, 1] (share_*, *_share, *_rate)."""
    return name.startswith("share_") or name.endswith("_share") or name.endswith("_rate")


def column_types(table: str, indicators: dict[str, str]) -> dict[str, str]:
    """Canonical column → value type for a table (context gets the declared indicators)."""
    types = dict(_BASE_TYPES[table])
    if table == "context":
        for name in indicators:
            types[name] = BOOL if name == "is_rural" else NUM
    return types


# ============================================================================ problems
def _problem_frame(file: str, rows: Any, column: str, values: Any, severity: str,
                   message: Any) -> pd.DataFrame:
    if np.ndim(rows):
        rows = pd.array(pd.to_numeric(pd.Series(np.asarray(rows, dtype=object)), errors="coerce")
                        .to_numpy(dtype="float64"), dtype="Int64")
    n = len(rows) if np.ndim(rows) else 1
    vals = pd.Series(values, dtype=object) if np.ndim(values) else [values] * n
    return pd.DataFrame({"file": [file] * n, "row": rows if np.ndim(rows) else [rows],
                         "column": column, "value": [_show(v) for v in vals],
                         "severity": severity, "message": message})


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def empty_problems() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})


# ============================================================================ header matching
def norm_header(value: Any) -> str:
    """Header key: trimmed, whitespace collapsed, lower case, «ё» = «е»; 2.0 → '2'."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е")
    return re.sub(r"\s+", " ", s).strip().lower()


def _display_header(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", "" if value is None else str(value)).strip()


def header_lookup(table: str, columns: dict[str, str], indicators: dict[str, str]) -> dict[str, str]:
    """Normalised source header → canonical name: the mapping, plus canonical names as is."""
    types = column_types(table, indicators)
    lookup = {norm_header(c): c for c in types}
    if table == "context":
        lookup.update({norm_header(c): c for c in indicators})
    lookup.update({norm_header(src): dst for src, dst in columns.items()})
    return lookup


def _row_score(row: list[Any], lookup: dict[str, str]) -> int:
    return len({lookup[k] for k in (norm_header(v) for v in row) if k in lookup})


def detect_header(rows: list[list[Any]], lookup: dict[str, str], header_row: int | None,
                  search_rows: int) -> tuple[int, list[Any], int]:
    """(0-based index of the first header row, header cells, number of header rows).

    The header is the first row holding the most mapped source headers; two rows are merged
    (lower cell, else upper cell) when that recognises more columns (merged header cells).
    """
    if header_row is not None:
        idx = header_row - 1
        return idx, (rows[idx] if idx < len(rows) else []), 1
    best, best_idx = 0, None
    limit = min(len(rows), search_rows)
    for i in range(limit):
        score = _row_score(rows[i], lookup)
        if score > best:
            best, best_idx = score, i
    best2, best2_idx, merged = best, None, None
    for i in range(limit - 1):
        upper, lower = rows[i], rows[i + 1]
        width = max(len(upper), len(lower))
        comb = [(lower[j] if j < len(lower) and norm_header(lower[j]) else
                 (upper[j] if j < len(upper) else "")) for j in range(width)]
        score = _row_score(comb, lookup)
        if score > best2:
            best2, best2_idx, merged = score, i, comb
    if best2_idx is not None and merged is not None:
        return best2_idx, merged, 2
    if best_idx is None:  # nothing recognised: the first non-empty row is the header
        best_idx = next((i for i, r in enumerate(rows) if any(norm_header(v) for v in r)), 0)
    return best_idx, (rows[best_idx] if rows else []), 1


# ============================================================================ readers
@dataclass
class Sheet:
    """A file read into positional columns, with its header and row numbering."""

    file: str                     # the name shown to the user
    headers: list[str]            # source headers as written (positional)
    body: pd.DataFrame            # data rows, positional integer columns, raw values
    first_row: int                # Excel row number of body row 0
    problems: list[pd.DataFrame] = field(default_factory=list)
    decimal: str | None = None
    thousands: str | None = None
    overflow_rows: list[int] = field(default_factory=list)  # body positions with extra cells


def decode_bytes(data: bytes, declared: str | None, file: str) -> tuple[str, str, list[pd.DataFrame]]:
    """Decode a CSV: BOM → utf-8-sig/utf-16; valid UTF-8 wins over a wrong declaration; else
    the declared encoding, else cp1251. Returns (text, encoding used, problems)."""
    problems: list[pd.DataFrame] = []
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", problems
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16", problems
    if declared:
        try:
            "".encode(declared)
        except LookupError:
            raise DataError(f"Файл «{file}»: неизвестная кодировка «{declared}» в параметрах "
                            f"(укажите utf-8 или cp1251 или удалите ключ encoding)") from None
    declared_key = (declared or "").lower().replace("_", "-")
    try:
        text = data.decode("utf-8")
        used = "utf-8"
    except UnicodeDecodeError as exc:
        text, used = None, None
        utf8_error = exc
    if text is not None:
        if declared and declared_key not in ("utf-8", "utf8", "utf-8-sig") and not data.isascii():
            problems.append(_problem_frame(
                file, pd.NA, "", declared, WARNING,
                f"в параметрах указана кодировка «{declared}», но файл записан в UTF-8; "
                f"файл прочитан как UTF-8 — исправьте ключ encoding"))
        return text, used, problems
    for enc in ([declared] if declared else []) + ["cp1251"]:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if declared and enc != declared:
            line = data[:utf8_error.start].count(b"\n") + 1
            problems.append(_problem_frame(
                file, line, "", declared, WARNING,
                f"файл не в кодировке «{declared}», указанной в параметрах; прочитан как "
                f"{enc} — проверьте ключ encoding"))
        return text, enc, problems
    line = data[:utf8_error.start].count(b"\n") + 1
    bad = data[utf8_error.start:utf8_error.start + 1].hex()
    raise DataError(f"Файл «{file}»: не удаётся определить кодировку (строка {line}, байт 0x{bad}); "
                    f"сохраните файл в UTF-8 или cp1251")


def sniff_separator(lines: list[str]) -> str:
    """Separator among ; , tab | giving the most consistent number (>1) of fields per line."""
    sample = [ln for ln in lines if ln.strip()][:50]
    best, best_score = ";", (-1.0, 0)
    for sep in [";", "\t", "|", ","]:
        counts = [len(r) for r in csv.reader(sample, delimiter=sep)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode <= 1:
            continue
        consistency = sum(c == mode for c in counts[-min(len(counts), 40):]) / min(len(counts), 40)
        score = (round(consistency, 2), mode)
        if score > best_score:
            best, best_score = sep, score
    return best


def _detect_decimal(lines: list[str], sep: str) -> str:
    if sep == ",":
        return "."
    text = "\n".join(lines[:200])
    commas = len(re.findall(r"(?<![\d.,])-?\d+,\d+(?![\d.,])", text))
    dots = len(re.findall(r"(?<![\d.,])-?\d+\.\d+(?![\d.,])", text))
    return "," if commas >= dots else "."


def _head_lines(text: str, n: int) -> list[str]:
    """The first n lines of a (possibly huge) text without splitting all of it."""
    size = 1 << 16
    while True:
        chunk = text[:size]
        lines = chunk.split("\n", n)
        if len(lines) > n or len(chunk) == len(text):
            return lines[:n]
        size *= 4


def read_csv_file(path: Path, file: str, spec: Any, lookup: dict[str, str],
                  search_rows: int) -> Sheet:
    """Read a delimited text file into a Sheet (all values as text)."""
    data = path.read_bytes()
    if not re.search(rb"[^ \t\r\n\xef\xbb\xbf\x00;,|]", data):  # stops at the first cell
        raise DataError(f"Файл «{file}» пуст: в нём нет ни заголовка, ни данных")
    text, enc, problems = decode_bytes(data, spec.encoding, file)
    del data
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    head_lines = _head_lines(text, 200)
    sep = spec.sep or sniff_separator(head_lines)
    head_rows = list(csv.reader(head_lines[:search_rows + 2], delimiter=sep))
    idx, header, nh = detect_header(head_rows, lookup, spec.header_row, search_rows)
    skip = idx + nh
    width = len(header)
    if width == 0:
        raise DataError(f"Файл «{file}»: не найдена строка заголовка")
    decimal = spec.decimal or _detect_decimal(head_lines[skip:], sep)
    overflow: list[int] = []
    try:
        with warnings.catch_warnings():  # extra cells must not be dropped silently
            warnings.simplefilter("error", pd.errors.ParserWarning)
            body = pd.read_csv(path, encoding=enc, sep=sep, header=None, names=list(range(width)),
                               skiprows=skip, dtype=object, keep_default_na=False,
                               na_filter=False,  # every cell stays text; short rows get ""
                               skip_blank_lines=False, index_col=False, engine="c")
    except (pd.errors.ParserError, pd.errors.ParserWarning):
        # rows with more cells than the header: parse by hand and reject those rows later
        rows = list(csv.reader(text.split("\n")[skip:], delimiter=sep))
        if rows and rows[-1] == []:
            rows = rows[:-1]
        overflow = [i for i, r in enumerate(rows) if len(r) > width and any(x.strip() for x in r[width:])]
        body = pd.DataFrame([(r + [""] * width)[:width] for r in rows], columns=list(range(width)),
                            dtype=object)
    except pd.errors.EmptyDataError:
        body = pd.DataFrame({j: pd.Series(dtype=object) for j in range(width)})
    # pandas reads a final "\n" as no row; other blank lines are kept (counted as empty rows)
    return Sheet(file, [_display_header(h) for h in header], body, skip + 1, problems,
                 decimal, spec.thousands, overflow)


def read_excel_file(path: Path, file: str, spec: Any, lookup: dict[str, str],
                    search_rows: int) -> Sheet:
    """Read one sheet of an Excel workbook (python-calamine) into a Sheet."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for corrupt files
        raise DataError(f"Файл «{file}» не удаётся прочитать как книгу Excel ({type(exc).__name__}: "
                        f"{str(exc)[:120]}); проверьте, что файл не повреждён и сохранён как .xlsx") from None
    names = list(wb.sheet_names)
    sheet = spec.sheet
    if isinstance(sheet, int):
        if sheet < 0 or sheet >= len(names):
            raise DataError(f"Файл «{file}»: нет листа с номером {sheet} (нумерация с 0); листы в "
                            f"файле: {', '.join('«' + n + '»' for n in names)}")
        name = names[sheet]
    else:
        match = [n for n in names if norm_header(n) == norm_header(sheet)]
        if not match:
            raise DataError(f"Файл «{file}»: нет листа «{sheet}»; листы в файле: "
                            f"{', '.join('«' + n + '»' for n in names)}")
        name = match[0]
    try:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise DataError(f"Файл «{file}», лист «{name}» не читается: {str(exc)[:120]}") from None
    if not any(any(norm_header(v) for v in r) for r in rows):
        raise DataError(f"Файл «{file}», лист «{name}» пуст: в нём нет ни заголовка, ни данных")
    idx, header, nh = detect_header(rows, lookup, spec.header_row, search_rows)
    width = len(header)
    data_rows = rows[idx + nh:]
    overflow = [i for i, r in enumerate(data_rows)
                if len(r) > width and any(norm_header(x) for x in r[width:])]
    body = pd.DataFrame([(list(r) + [""] * width)[:width] for r in data_rows],
                        columns=list(range(width)), dtype=object)
    return Sheet(file, [_display_header(h) for h in header], body, idx + nh + 1, [],
                 spec.decimal or ",", spec.thousands, overflow)


def read_parquet_file(path: Path, file: str) -> Sheet:
    """Read a Parquet file into a Sheet (row numbers as if the header were row 1)."""
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise DataError(f"Файл «{file}» не удаётся прочитать как Parquet: {str(exc)[:160]}") from None
    headers = [str(c) for c in df.columns]
    df.columns = list(range(len(headers)))
    return Sheet(file, headers, df.reset_index(drop=True), 2, [], ".", None, [])


def read_any(path: Path, file: str, spec: Any, lookup: dict[str, str], search_rows: int) -> Sheet:
    """Dispatch on the file extension."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise DataError(f"Файл «{file}» не найден")
    if path.stat().st_size == 0:
        raise DataError(f"Файл «{file}» пуст (0 байт)")
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv_file(path, file, spec, lookup, search_rows)
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        return read_excel_file(path, file, spec, lookup, search_rows)
    if suffix in (".parquet", ".pq"):
        return read_parquet_file(path, file)
    raise DataError(f"Файл «{file}»: неизвестный формат «{suffix}» (поддерживаются .csv, .xlsx, "
                    f".parquet)")


# ============================================================================ value coercion
def _series(values: Any) -> pd.Series:
    """A Series that keeps object arrays as object (pandas 3 would infer its string dtype).
    The array is wrapped, not copied: callers pass arrays they own and never write into."""
    arr = np.asarray(values) if not isinstance(values, pd.api.extensions.ExtensionArray) else values
    return pd.Series(arr, dtype=object if getattr(arr, "dtype", None) == object else None,
                     copy=False)


_MANY_UNIQUES = 5000  # above this, text uniques are normalised by Arrow compute, not Python


def _arrow_strings(uniques: Any) -> Any:
    """The uniques as an Arrow string array when they are all text, else None."""
    import pyarrow as pa

    if len(uniques) <= _MANY_UNIQUES:
        return None
    try:
        return pa.array(np.asarray(uniques, dtype=object), type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _blank_flags(uniques: Any, markers: set[str]) -> np.ndarray:
    """For each distinct value: is it a missing marker once stripped and lower-cased?"""
    arr = _arrow_strings(uniques)
    if arr is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        low = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
        flags = pc.is_in(low, value_set=pa.array(sorted(markers), type=pa.string()))
        return flags.to_numpy(zero_copy_only=False).astype(bool)
    return np.array([isinstance(u, str) and u.strip().lower() in markers for u in uniques],
                    dtype=bool)


def _is_blank(s: pd.Series, markers: set[str] = MISSING_MARKERS) -> np.ndarray:
    """Missing cell: NaN/None or a missing marker («», «-», «н/д», ...)."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return s.isna().to_numpy()
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return _coded_blank(codes, uniques, markers)


def _coded_blank(codes: np.ndarray, uniques: Any, markers: set[str]) -> np.ndarray:
    """_is_blank from a factorisation: missing (code −1) or a missing marker."""
    flags = np.append(_blank_flags(uniques, markers), True) if len(uniques) else np.ones(1, bool)
    return flags[codes]  # code −1 picks the final True


def to_number(s: pd.Series, decimal: str | None = ",", thousands: str | None = None
              ) -> tuple[pd.Series, np.ndarray]:
    """Numbers from raw cells: '1 234,5' (spaces/nbsp as thousands, decimal comma), '−3'.
    Returns (float Series, mask of non-blank cells that are not numbers)."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype("float64"), np.zeros(len(s), bool)
    if pd.api.types.is_numeric_dtype(s):
        return pd.Series(np.asarray(s, dtype="float64"), index=s.index), np.zeros(len(s), bool)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(s) > 5000 and len(uniques) > 0.3 * len(s):
        return _to_number_direct(s, decimal, thousands)
    u_vals, u_fail = _to_number_direct(pd.Series(np.asarray(uniques, dtype=object)), decimal,
                                       thousands)
    vals = np.append(u_vals.to_numpy(), np.nan)[codes]
    fail = np.append(u_fail, False)[codes]
    return pd.Series(vals, index=s.index, dtype="float64"), fail


def _to_number_direct(s: pd.Series, decimal: str | None, thousands: str | None
                      ) -> tuple[pd.Series, np.ndarray]:
    blank = _is_blank(s)
    num = pd.to_numeric(s.where(~blank, None), errors="coerce").astype("float64")
    fail = num.isna().to_numpy() & ~blank
    if fail.any():
        sub = s[fail].astype(str).str.replace(_SPACES_RE, "", regex=True)
        sub = sub.str.replace("−", "-", regex=False).str.replace("\u2013", "-", regex=False)
        if thousands and thousands not in (" ", "\u00a0"):
            sub = sub.str.replace(thousands, "", regex=False)
        if decimal == ".":
            sub = sub.where(~sub.str.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?"),
                            sub.str.replace(",", "", regex=False))
        else:
            sub = sub.str.replace(",", ".", regex=False)
        fixed = pd.to_numeric(sub, errors="coerce")
        num.loc[fixed.index] = fixed.to_numpy()
        fail = num.isna().to_numpy() & ~blank
    return num, fail


def _arrow_column(s: pd.Series) -> Any:
    """A long text column as one Arrow string array (None when a cell is not text)."""
    import pyarrow as pa

    if len(s) <= _MANY_UNIQUES or pd.api.types.is_numeric_dtype(s) \
            or pd.api.types.is_bool_dtype(s):
        return None
    try:
        return pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


# what Python's str.split() splits on, for RE2 (whose \s is ASCII only)
_ARROW_SPACE = (r"[\s\x{0b}\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
                r"\x{202f}\x{205f}\x{3000}]")


def _normalise_text_arrow(arr: Any, markers: set[str]) -> np.ndarray:
    """Whitespace runs → one space, trimmed; missing markers and empty → None (object array).
    Works on the distinct values (Arrow dictionary encoding), so a column with few distinct
    values costs little and each distinct text becomes one Python object, shared by its rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    sample = arr.slice(0, 2000)
    if pc.count_distinct(sample).as_py() > 0.5 * len(sample):  # nearly all distinct: ids
        enc = None
        words = arr
    else:
        enc = pc.dictionary_encode(arr)
        words = enc.dictionary
    if pc.any(pc.match_substring_regex(words, _ARROW_SPACE)).as_py():
        words = pc.utf8_trim(pc.replace_substring_regex(words, _ARROW_SPACE + "+", " "), " ")
    blank = pc.is_in(pc.utf8_lower(words), value_set=pa.array(sorted(markers | {""}),
                                                                type=pa.string()))
    words = pc.if_else(blank, pa.scalar(None, pa.string()), words)
    if enc is None:
        return words.to_numpy(zero_copy_only=False)
    table = np.append(words.to_numpy(zero_copy_only=False), None)
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)
    return table[codes]  # code −1 (a null cell) picks the final None


def to_text(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Stripped text; 1001.0 → '1001'; blanks → NA."""
    arr = _arrow_column(s)
    if arr is not None:  # a long all-text column (pupil or school ids): vectorised, same result
        vals = _normalise_text_arrow(arr, TEXT_MISSING_MARKERS)
        return pd.Series(vals, index=s.index, dtype=object, copy=False), np.zeros(len(s), bool)

    def conv(v: Any) -> Any:
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() else repr(v)
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        return " ".join(str(v).split())

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    blank = _coded_blank(codes, uniques, TEXT_MISSING_MARKERS)
    vals = _mapped(codes, [conv(u) for u in uniques])
    vals[blank] = None
    vals[vals == ""] = None
    return pd.Series(vals, index=s.index, dtype=object, copy=False), np.zeros(len(s), bool)


def _mapped(codes: np.ndarray, mapped_uniques: list[Any]) -> np.ndarray:
    """Values of the distinct values put back on the rows (None where the code is −1)."""
    mapped = np.empty(len(mapped_uniques) + 1, dtype=object)
    mapped[:-1] = mapped_uniques
    mapped[-1] = None
    return mapped[codes]


def _category(func: Callable[[Any], Any]) -> Callable[[pd.Series], tuple[pd.Series, np.ndarray]]:
    def coerce(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)  # once: columns are long
        blank_u = _blank_flags(uniques, MISSING_MARKERS) if len(uniques) else np.zeros(0, bool)
        conv = [None if b else func(u) for u, b in zip(uniques, blank_u)]
        failed_u = np.array([v is None or bool(pd.isna(v)) for v in conv] + [False],
                            dtype=bool) & np.append(~blank_u, False)
        vals = pd.Series(_mapped(codes, conv), index=s.index, dtype=object, copy=False)
        return vals, failed_u[codes]
    return coerce


def _year(v: Any) -> Any:
    if hasattr(v, "year") and hasattr(v, "month"):  # an Excel date cell: its calendar year
        return int(v.year)
    if isinstance(v, str):
        v = v.strip()
        if re.fullmatch(r"\d{4}[.,]0+", v):
            v = v[:4]
    return canon.parse_year(v)


def _grade(v: Any) -> Any:
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, float):
        return int(v) if v.is_integer() else None
    m = re.fullmatch(r"\s*(\d{1,2})(?:[.,]0+)?\s*(?:-?\s*(?:й|ой|ый))?\s*(?:кл\.?|класс[а-я]*)?\s*",
                     str(v).lower())
    return int(m.group(1)) if m else None


_LOCALITY = {"город": "город", "городская": "город", "городской": "город", "г": "город",
             "г.": "город", "city": "город", "urban": "город", "село": "село", "сельская": "село",
             "сельский": "село", "сельская местность": "село", "с": "село", "с.": "село",
             "rural": "село", "деревня": "село", "поселок": "село"}


def _locality(v: Any) -> Any:
    key = norm_header(v)
    return _LOCALITY.get(key, re.sub(r"\s+", " ", str(v)).strip())


def _boolean(v: Any) -> Any:
    return canon.normalise_bool(v.strip() if isinstance(v, str) else v)


COERCERS: dict[str, Callable[..., tuple[pd.Series, np.ndarray]]] = {
    YEAR: _category(_year),
    GRADE: _category(_grade),
    BOOL: _category(_boolean),
    PROC: _category(lambda v: canon.normalise_procedure(v) or None),
    WAVE: _category(canon.normalise_wave),
    DOMAIN: _category(canon.normalise_domain),
    LOCALITY: _category(_locality),
    TEXT: lambda s: to_text(s),
    ID: lambda s: to_text(s),
}


def _type_message(kind: str, header: str, params: IngestParams) -> str:
    return {
        NUM: f"в столбце «{header}» ожидается число — исправьте значение (допустимы «1 234» и "
             f"«12,5»; пустая ячейка — нет данных)",
        YEAR: f"в столбце «{header}» не понят год — укажите год числом (2024) или учебный год "
              f"(«2024/25», «2024-2025»)",
        GRADE: f"в столбце «{header}» ожидается номер класса (целое число 1–{params.max_grade})",
        BOOL: f"в столбце «{header}» ожидается «да» или «нет» (или 1/0)",
        WAVE: f"в столбце «{header}» неизвестный этап мониторинга — допустимо: входной, "
              f"промежуточный, итоговый",
        DOMAIN: f"в столбце «{header}» неизвестное направление мониторинга — допустимо: "
                f"результаты, преподавание, управление, среда",
    }.get(kind, f"в столбце «{header}» значение не распознано")


# ============================================================================ mapping
@dataclass
class Mapped:
    """A file mapped onto canonical names: raw values, the source header of each column."""

    table: str
    file: str
    raw: pd.DataFrame              # canonical columns, raw values
    source: dict[str, str]         # canonical → source header (or «(константа)»)
    rows: np.ndarray               # Excel row numbers
    reject: np.ndarray             # rows already rejected (structural problems)
    problems: list[pd.DataFrame]
    rows_empty: int = 0
    decimal: str | None = ","
    thousands: str | None = None


def _expected(spec: Any, canonical: str) -> str:
    src = [f"«{k}»" for k, v in spec.columns.items() if v == canonical]
    return f"{' или '.join(src)} для поля «{canonical}»" if src else f"поля «{canonical}»"


def map_sheet(sheet: Sheet, table: str, spec: Any, indicators: dict[str, str]) -> Mapped:
    """Map source headers onto canonical names, fill constants, drop empty rows, flag repeated
    header rows and rows with extra cells; a missing required column raises DataError."""
    types = column_types(table, indicators)
    lookup = header_lookup(table, spec.columns, indicators)
    problems = list(sheet.problems)
    chosen: dict[str, int] = {}
    for j, h in enumerate(sheet.headers):
        canon_name = lookup.get(norm_header(h))
        if canon_name is None or canon_name not in types and canon_name != "student_id":
            continue
        if canon_name in chosen:
            problems.append(_problem_frame(
                sheet.file, sheet.first_row - 1, h, h, WARNING,
                f"столбец для поля {canon_name} встречается в файле дважды; использован первый "
                f"(«{sheet.headers[chosen[canon_name]]}») — удалите лишний столбец"))
            continue
        chosen[canon_name] = j
    constants = {k: v for k, v in spec.constants.items()}
    for name in list(constants):
        if name not in types:
            raise DataError(f"Файл «{sheet.file}»: константа «{name}» в параметрах не является "
                            f"полем таблицы {table}; допустимые поля: {', '.join(types)}")
    required = REQUIRED_COLUMNS[table]
    missing = [c for c in required if c not in chosen and c not in constants]
    if missing:
        c = missing[0]
        expected = [src for src, dst in spec.columns.items() if dst == c]
        want = (" или ".join(f"«{e}»" for e in expected) if expected
                else f"(в параметрах columns не указан столбец для поля «{c}»)")
        have = ", ".join(f"«{h}»" for h in sheet.headers if h) or "(нет ни одного заголовка)"
        raise DataError(
            f"Файл «{sheet.file}»: нет обязательного столбца {want} для поля «{c}» таблицы "
            f"{table}" + (f" (не хватает также: {', '.join(_expected(spec, m) for m in missing[1:])})"
                          if len(missing) > 1 else "") +
            f". В файле есть столбцы: {have}. Исправьте заголовок в файле или раздел columns в "
            f"параметрах.")
    for src, dst in spec.columns.items():
        if dst not in chosen and dst not in constants and dst in types:
            problems.append(_problem_frame(
                sheet.file, sheet.first_row - 1, src, "", WARNING,
                f"столбец «{src}» (поле {dst}) не найден в файле — данных по нему нет; проверьте "
                f"заголовок или раздел columns в параметрах"))
    body = sheet.body
    n = len(body)
    rows = np.arange(sheet.first_row, sheet.first_row + n, dtype=np.int64)
    # empty rows: no value in any cell → not data (counted apart)
    empty = np.ones(n, dtype=bool)
    for j in body.columns:
        if not empty.any():
            break
        col = body[j]
        idx = np.flatnonzero(empty)
        sub = col.iloc[idx]
        if pd.api.types.is_numeric_dtype(sub):
            nonempty = sub.notna().to_numpy()
        else:
            nonempty = (sub.notna() & (sub.astype(str).str.strip() != "")).to_numpy()
        empty[idx[nonempty]] = False
    keep = ~empty
    all_rows = bool(keep.all())
    raw = pd.DataFrame({c: _series(body[j].to_numpy() if all_rows else body[j].to_numpy()[keep])
                        for c, j in chosen.items()},
                       index=pd.RangeIndex(int(keep.sum())))
    rows = rows[keep]
    reject = np.zeros(len(raw), dtype=bool)
    source = {c: sheet.headers[j] for c, j in chosen.items()}
    for name, value in constants.items():
        if name in raw.columns:  # the file has the column: the constant fills its blank cells
            blank = _is_blank(raw[name], TEXT_MISSING_MARKERS)
            raw[name] = _series(np.where(blank, value, raw[name].to_numpy(dtype=object)))
        else:
            raw[name] = _series(np.array([value] * len(raw), dtype=object))
            source[name] = f"(константа {name})"
    # rows with more cells than the header
    if sheet.overflow_rows:
        pos = np.cumsum(keep) - 1
        bad = pos[[i for i in sheet.overflow_rows if keep[i]]]
        reject[bad] = True
        problems.append(_problem_frame(
            sheet.file, rows[bad], "", "", ERROR,
            "в строке больше значений, чем столбцов в заголовке (лишний разделитель или "
            "сдвинутые ячейки) — исправьте строку"))
    # repeated header rows (files pasted one under another)
    key_col = "school_id" if "school_id" in chosen else (required[0] if required[0] in chosen
                                                            else None)
    if key_col is not None and len(raw):
        header_text = norm_header(source[key_col])
        col = raw[key_col]
        if not pd.api.types.is_numeric_dtype(col) and header_text:
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
            flags = np.append(_header_like(uniques, header_text), False)
            if flags.any():
                rep = flags[codes]
                if rep.any():
                    reject |= rep
                    problems.append(_problem_frame(
                        sheet.file, rows[rep], source[key_col], col[rep].to_numpy(), ERROR,
                        "повтор строки заголовка внутри данных — строка пропущена; удалите её"))
    return Mapped(table, sheet.file, raw.reset_index(drop=True), source, rows, reject, problems,
                  int(empty.sum()), sheet.decimal, sheet.thousands)


def _header_like(values: Any, header_text: str) -> np.ndarray:
    """Which values read as the header (norm_header equal): a repeated header row. With many
    distinct values (school ids) only those containing the header's longest word are
    normalised; Arrow finds them."""
    cand = np.ones(len(values), dtype=bool)
    words = re.findall(r"\w+", header_text)
    arr = _arrow_strings(values) if words else None
    if arr is not None:
        import pyarrow.compute as pc

        low = pc.replace_substring(pc.utf8_lower(arr), "ё", "е")
        cand = pc.match_substring(low, max(words, key=len)).to_numpy(zero_copy_only=False)
        cand = cand.astype(bool)
    out = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(cand):
        u = values[i]
        out[i] = isinstance(u, str) and norm_header(u) == header_text
    return out


# ============================================================================ validation
def _checks(table: str, types: dict[str, str], params: IngestParams
            ) -> dict[str, list[tuple[str, Callable[[pd.Series], Any]]]]:
    checks: dict[str, list[tuple[str, Callable[[pd.Series], Any]]]] = {}
    for c, kind in types.items():
        lst: list[tuple[str, Callable[[pd.Series], Any]]] = []
        if kind == YEAR:
            lst.append(("year_range", lambda s: s.between(params.year_min, params.year_max)))
        elif kind == GRADE:
            lst.append(("grade_range", lambda s: s.between(1, params.max_grade)))
        elif kind == NUM:
            if is_share_column(c) or (table == "risk_survey" and c == "value"):
                lst.append(("share_range", lambda s: s.between(0, 1)))
            elif c in PCT_COLUMNS:
                lst.append(("pct_range", lambda s: s.between(0, 100)))
            elif c == "mark":
                lst.append(("mark", lambda s: s.isin([2, 3, 4, 5])))
            elif c == "latitude":
                lst.append(("lat", lambda s: s.between(-90, 90)))
            elif c == "longitude":
                lst.append(("lon", lambda s: s.between(-180, 180)))
            elif c in NONNEG_COLUMNS:
                lst.append(("nonneg", lambda s: s >= 0))
            if c in COUNT_COLUMNS:
                lst.append(("whole", lambda s: (s - s.round()).abs() < 1e-9))
        checks[c] = lst
    return checks


def _check_message(check: str, header: str, value: Any, params: IngestParams) -> str:
    if check == "share_range":
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = float("nan")
        if 1 < v <= 100:
            return (f"доля в столбце «{header}» должна быть от 0 до 1; похоже, доля указана в "
                    f"процентах — разделите на 100 (например, 0,25 вместо 25)")
        return f"доля в столбце «{header}» должна быть в диапазоне от 0 до 1 — исправьте значение"
    return {
        "not_nullable": f"не заполнено обязательное поле «{header}» — заполните ячейку",
        "year_range": f"год в столбце «{header}» вне допустимого диапазона "
                      f"{params.year_min}–{params.year_max} — проверьте год",
        "grade_range": f"класс в столбце «{header}» должен быть от 1 до {params.max_grade}",
        "pct_range": f"процент в столбце «{header}» должен быть от 0 до 100",
        "mark": f"отметка в столбце «{header}» должна быть 2, 3, 4 или 5",
        "lat": f"широта в столбце «{header}» должна быть от −90 до 90",
        "lon": f"долгота в столбце «{header}» должна быть от −180 до 180",
        "nonneg": f"значение в столбце «{header}» не может быть отрицательным — исправьте число",
        "whole": f"количество в столбце «{header}» должно быть целым числом",
    }.get(check, f"значение в столбце «{header}» не прошло проверку {check}")


def pandera_problems(df: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray, mapped: Mapped,
                     types: dict[str, str], params: IngestParams
                     ) -> tuple[pd.DataFrame, np.ndarray]:
    """Range and not-null checks with a lazy pandera schema → (problems, failing positions)."""
    required = set(REQUIRED_COLUMNS[mapped.table])
    checks = _checks(mapped.table, types, params)
    cols = {}
    for c in df.columns:
        if c not in types:
            continue
        cols[c] = pa.Column(checks=[pa.Check(f, name=name) for name, f in checks.get(c, [])],
                            nullable=c not in required, required=False)
    schema = pa.DataFrameSchema(cols, strict=False)
    try:
        schema.validate(df, lazy=True, inplace=True)  # nothing is coerced: no copy needed
        return empty_problems(), np.zeros(0, dtype=np.int64)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    fc = fc[fc["index"].notna() & fc["column"].notna()]
    if fc.empty:
        return empty_problems(), np.zeros(0, dtype=np.int64)
    out = []
    for (col, check), grp in fc.groupby(["column", "check"], sort=False):
        idx = grp["index"].astype("int64").to_numpy()
        header = mapped.source.get(col, col)
        values = raw[col].to_numpy()[idx] if col in raw.columns else grp["failure_case"].to_numpy()
        if check == "share_range":
            msgs = [_check_message(check, header, v, params) for v in df[col].to_numpy()[idx]]
        else:
            msgs = _check_message(str(check), header, None, params)
        check_name = "not_nullable" if "nullable" in str(check) else str(check)
        if check_name == "not_nullable":
            msgs = _check_message(check_name, header, None, params)
        out.append((idx, _problem_frame(mapped.file, rows[idx], header, values, ERROR, msgs)))
    return pd.concat([p for _, p in out], ignore_index=True), np.unique(
        np.concatenate([i for i, _ in out]))


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


def coerce_and_check(mapped: Mapped, indicators: dict[str, str], params: IngestParams
                     ) -> tuple[pd.DataFrame, np.ndarray, list[pd.DataFrame]]:
    """Typed canonical frame, reject mask and problems (types, ranges, nulls, table rules)."""
    table = mapped.table
    types = column_types(table, indicators)
    raw = mapped.raw
    rows = mapped.rows
    reject = mapped.reject.copy()
    problems = list(mapped.problems)
    typed: dict[str, Any] = {}
    for c in raw.columns:
        kind = types.get(c, TEXT)
        if kind == NUM:
            vals, bad = to_number(raw[c], mapped.decimal, mapped.thousands)
        else:
            vals, bad = COERCERS[kind](raw[c])
        bad &= ~reject
        if bad.any():
            header = mapped.source.get(c, c)
            problems.append(_problem_frame(mapped.file, rows[bad], header, raw[c].to_numpy()[bad],
                                           ERROR, _type_message(kind, header, params)))
            reject |= bad
        typed[c] = _series(vals.to_numpy() if isinstance(vals, pd.Series) else vals)
    df = pd.DataFrame(typed, index=pd.RangeIndex(len(raw)))
    for c in df.columns:
        if types.get(c) in (NUM, YEAR, GRADE):
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    # pandera: ranges, membership, required not null (type errors already reported)
    if reject.any():
        pframe, idx = pandera_problems(df[~reject].reset_index(drop=True),
                                       raw[~reject].reset_index(drop=True), rows[~reject], mapped,
                                       types, params)
    else:
        pframe, idx = pandera_problems(df, raw, rows, mapped, types, params)
    if len(idx):
        problems.append(pframe)
        live = np.flatnonzero(~reject)
        reject[live[idx]] = True
    # table-specific rules
    extra = table_rules(df, raw, rows, reject, mapped, params)
    for mask, frame in extra:
        reject |= mask
        problems.append(frame)
    return df, reject, problems


def table_rules(df: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray, reject: np.ndarray,
                mapped: Mapped, params: IngestParams) -> list[tuple[np.ndarray, pd.DataFrame]]:
    """Checks pandera cannot express: mark counts vs participants, percent sums, n_low."""
    out: list[tuple[np.ndarray, pd.DataFrame]] = []
    file, src = mapped.file, mapped.source
    if mapped.table == "results":
        n = df["n_participants"]
        marks = [c for c in (f"n_mark{k}" for k in range(2, 6)) if c in df.columns]
        if marks:
            any_mark = df[marks].notna().any(axis=1)
            total = df[marks].fillna(0).sum(axis=1)
            bad = (any_mark & n.notna() & ((total - n).abs() > params.marks_sum_tolerance)
                   ).to_numpy() & ~reject
            if bad.any():
                msgs = [f"сумма количеств отметок «2»–«5» ({_show(t)}) не равна числу участников "
                        f"({_show(v)}) — проверьте количества отметок и участников"
                        for t, v in zip(total[bad], n[bad])]
                out.append((bad, _problem_frame(file, rows[bad], src["n_participants"],
                                                raw["n_participants"].to_numpy()[bad], ERROR, msgs)))
        pcts = [c for c in PCT_COLUMNS if c in df.columns]
        if pcts:
            any_pct = df[pcts].notna().any(axis=1)
            total = df[pcts].fillna(0).sum(axis=1)
            bad = (any_pct & ((total - 100).abs() > params.pct_sum_tolerance)).to_numpy() & ~reject
            if bad.any():
                first = sorted(pcts)[0]
                msgs = [f"сумма процентов отметок «2»–«5» равна {t:.1f}, а должна быть 100 — "
                        f"проверьте распределение" for t in total[bad]]
                out.append((bad, _problem_frame(file, rows[bad], src[first],
                                                raw[first].to_numpy()[bad], ERROR, msgs)))
        if "n_low" in df.columns:
            bad = (df["n_low"] > n).to_numpy() & ~reject
            if bad.any():
                out.append((bad, _problem_frame(
                    file, rows[bad], src["n_low"], raw["n_low"].to_numpy()[bad], ERROR,
                    "число обучающихся с низким результатом больше числа участников — проверьте")))
    if mapped.table == "results_students":
        have = [c for c in ("mark", "score", "is_low") if c in df.columns]
        if not have:
            raise DataError(f"Файл «{file}»: в файле с результатами обучающихся нужен столбец "
                            f"отметки (mark) или балла (score); в параметрах columns он не указан "
                            f"или не найден в файле")
        res = [c for c in ("mark", "score") if c in df.columns]
        if res:
            nothing = df[res].isna().all(axis=1).to_numpy() & ~reject
            if nothing.any():
                c = res[0]
                out.append((nothing, _problem_frame(
                    file, rows[nothing], src[c], "", ERROR,
                    "нет ни отметки, ни балла обучающегося — заполните результат или удалите строку")))
    return out


def duplicate_problems(df: pd.DataFrame, key: list[str], alive: np.ndarray, files: np.ndarray,
                       rows: np.ndarray, source: dict[str, str], raw_first: np.ndarray,
                       redact: bool = False) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Later occurrences of a key (among rows still alive) are rejected; message names the first."""
    key = [k for k in key if k in df.columns]
    if not key or not alive.any():
        return np.zeros(len(df), bool), None
    sub = df.loc[alive, key]
    dup_local = sub.duplicated(keep="first").to_numpy()
    if not dup_local.any():
        return np.zeros(len(df), bool), None
    live_idx = np.flatnonzero(alive)
    first_pos = sub.groupby(key, dropna=False, sort=False).ngroup().to_numpy()
    first_of_group = pd.Series(live_idx).groupby(first_pos).transform("first").to_numpy()
    dup = np.zeros(len(df), bool)
    dup[live_idx[dup_local]] = True
    msgs = []
    for i in live_idx[dup_local]:
        j = first_of_group[np.searchsorted(live_idx, i)]
        where = f"строка {_show(rows[j])}" if files[j] == files[i] else \
            f"файл «{files[j]}», строка {_show(rows[j])}"
        keytxt = ", ".join(f"{source.get(k, k)} = {'(скрыто)' if redact and k == 'student_id' else _show(df[k].iat[i])}"
                           for k in key)
        msgs.append(f"повтор записи ({keytxt}) — такая же уже есть ({where}); удалите лишнюю "
                    f"строку или исправьте ключ")
    k0 = key[0]
    frames = pd.concat([_problem_frame(f, rows[i], source.get(k0, k0),
                                       "(скрыто)" if redact and k0 == "student_id" else raw_first[i],
                                       ERROR, m)
                        for f, i, m in zip(files[dup], np.flatnonzero(dup), msgs)], ignore_index=True) \
        if dup.sum() < 2000 else _problem_frame(
            files[dup][0], rows[dup], source.get(k0, k0), raw_first[dup], ERROR, msgs)
    if dup.sum() >= 2000:
        frames["file"] = files[dup]
    return dup, frames


# ============================================================================ aggregation
def aggregate_students(df: pd.DataFrame, min_scores: dict[str, float] | None = None) -> pd.DataFrame:
    """Pupil rows → results rows: counts of marks, mean/sd of scores, n_low (mark «2», is_low or
    score below the subject's minimum), share_low; `_w` = pupil rows in the group."""
    min_scores = min_scores or {}
    key = ["school_id", "year", "procedure", "subject", "grade"]
    d = df.copy()
    low = pd.Series(np.nan, index=d.index, dtype="float64")
    if "score" in d.columns and min_scores:
        mins = pd.Series([min_scores.get(f"{p}/{s}", min_scores.get(s, np.nan))
                          for p, s in zip(d["procedure"], d["subject"])], index=d.index, dtype="float64")
        ok = d["score"].notna() & mins.notna()
        low = low.mask(ok, (d["score"] < mins).astype("float64"))
    if "mark" in d.columns:
        ok = d["mark"].notna()
        low = low.mask(ok, (d["mark"] == 2).astype("float64"))
    if "is_low" in d.columns:
        ok = d["is_low"].notna()
        low = low.mask(ok, d["is_low"].astype("float64"))
    d["_low"] = low
    agg: dict[str, Any] = {"n_participants": ("school_id", "size"), "n_low": ("_low", "sum"),
                           "_w": ("school_id", "size"), "_file": ("_file", "first"),
                           "_nlow_known": ("_low", "count")}
    if "mark" in d.columns:
        for k in range(2, 6):
            d[f"_m{k}"] = (d["mark"] == k).astype("float64").where(d["mark"].notna())
            agg[f"n_mark{k}"] = (f"_m{k}", "sum")
        agg["_marks_known"] = ("mark", "count")
    if "score" in d.columns:
        agg["mean_score"] = ("score", "mean")
        agg["sd_score"] = ("score", "std")
    out = d.groupby(key, sort=True, dropna=False).agg(**agg).reset_index()
    out.loc[out["_nlow_known"] == 0, "n_low"] = np.nan
    if "_marks_known" in out.columns:
        out.loc[out["_marks_known"] == 0, [f"n_mark{k}" for k in range(2, 6)]] = np.nan
        out = out.drop(columns=["_marks_known"])
    out["share_low"] = out["n_low"] / out["n_participants"]
    out["_row"] = pd.NA
    return out.drop(columns=["_nlow_known"])


def finish_results(df: pd.DataFrame) -> pd.DataFrame:
    """Percent distributions → counts, n_low from «2», share_low = n_low / n_participants."""
    d = df.copy()
    n = d["n_participants"]
    for k in range(2, 6):
        pc, nc = f"pct_mark{k}", f"n_mark{k}"
        if pc in d.columns:
            conv = (d[pc] / 100.0 * n).round()
            d[nc] = d[nc].fillna(conv) if nc in d.columns else conv
    marks = [f"n_mark{k}" for k in range(2, 6)]
    for c in marks:
        if c not in d.columns:
            d[c] = np.nan
    any_mark = d[marks].notna().any(axis=1)
    d.loc[any_mark, marks] = d.loc[any_mark, marks].fillna(0)
    if "n_low" not in d.columns:
        d["n_low"] = np.nan
    d["n_low"] = d["n_low"].fillna(d["n_mark2"])
    if "share_low" in d.columns:
        d["n_low"] = d["n_low"].fillna((d["share_low"] * n).round())
        share = (d["n_low"] / n.where(n > 0)).where(d["n_low"].notna(), d["share_low"])
    else:
        share = d["n_low"] / n.where(n > 0)
    d["share_low"] = share
    for c in ("mean_score", "sd_score"):
        if c not in d.columns:
            d[c] = np.nan
    return d.drop(columns=[c for c in PCT_COLUMNS if c in d.columns])


# ============================================================================ per file
def process_file(path: Path, file: str, table: str, spec: Any, indicators: dict[str, str],
                 params: IngestParams, known_schools: set[str] | None) -> FileResult:
    """Read, map, coerce and validate one file; pupil-level results are aggregated here."""
    data = path.read_bytes() if path.exists() else b""
    sha = hashlib.sha256(data).hexdigest()
    del data
    src_table = table
    if table == "results" and "student_id" in spec.columns.values():
        src_table = "results_students"
    lookup = header_lookup(src_table, spec.columns, indicators)
    sheet = read_any(path, file, spec, lookup, params.header_search_rows)
    mapped = map_sheet(sheet, src_table, spec, indicators)
    df, reject, problems = coerce_and_check(mapped, indicators, params)
    rows = mapped.rows
    redact = src_table == "results_students"
    # unknown schools
    if known_schools is not None and table != "schools":
        ids = df["school_id"]
        unknown = (ids.notna() & ~ids.isin(known_schools)).to_numpy() & ~reject
        if unknown.any():
            sev = params.unknown_school_severity
            problems.append(_problem_frame(
                file, rows[unknown], mapped.source["school_id"], df["school_id"].to_numpy()[unknown],
                sev, "школы с таким кодом нет в списке школ (таблица schools) — исправьте код "
                     "или добавьте школу в список"))
            if sev == ERROR:
                reject |= unknown
        if "partner_school_id" in df.columns:
            p = df["partner_school_id"]
            badp = (p.notna() & ~p.isin(known_schools)).to_numpy() & ~reject
            if badp.any():
                problems.append(_problem_frame(
                    file, rows[badp], mapped.source["partner_school_id"], p.to_numpy()[badp],
                    WARNING, "школы-партнёра с таким кодом нет в списке школ — проверьте код"))
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
        problems.append(_problem_frame(file, pd.NA, "", "", WARNING,
                                       "в файле нет строк с данными (только заголовок)"))
    problems_df = pd.concat(problems, ignore_index=True) if problems else empty_problems()
    if redact and len(problems_df):
        sid = mapped.source.get("student_id")
        problems_df.loc[problems_df["column"] == sid, "value"] = "(скрыто)"
    kept = df[~reject].reset_index(drop=True) if reject.any() else df
    kept["_file"] = file
    kept["_row"] = rows[~reject]
    kept["_w"] = 1
    n_read = len(df)
    n_rej = int(reject.sum())
    if src_table == "results_students":
        kept = aggregate_students(kept, params.min_scores)
    if table == "results":
        kept = finish_results(kept)
    if n_read != n_rej + int(kept["_w"].sum() if len(kept) else 0):
        raise RuntimeError(f"row accounting broken for {file}")
    return FileResult(table, file, str(path), sha, kept, problems_df, n_read, n_rej, mapped.rows_empty)


# ============================================================================ all inputs
@dataclass
class IngestResult:
    """Canonical tables, all problems, and the per-file accounting."""

    tables: dict[str, pd.DataFrame]
    problems: pd.DataFrame
    inputs: list[dict[str, Any]]
    files: dict[str, pd.DataFrame] = field(default_factory=dict)  # tables + `_file` (for store)


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
    if base is not None:
        try:
            return str(path.resolve().relative_to(Path(base).resolve()))
        except ValueError:
            pass
    return str(path)


CANONICAL_ORDER: dict[str, list[str]] = {
    "schools": ["school_id", "school_name", "municipality", "locality", "school_type", "latitude",
                "longitude", "is_small"],
    "results": ["school_id", "year", "procedure", "subject", "grade", "n_participants", "n_mark2",
                "n_mark3", "n_mark4", "n_mark5", "mean_score", "sd_score", "n_low", "share_low"],
    "monitoring": ["school_id", "year", "wave", "domain", "indicator", "value", "n",
                   "higher_is_better"],
    "risk_survey": ["school_id", "year", "risk_factor", "value", "source"],
    "programme": ["school_id", "year", "participant", "curator", "partner_school_id"],
}


def finalise_table(table: str, df: pd.DataFrame, indicators: dict[str, str],
                   keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Canonical columns in canonical order and dtypes (internal columns dropped except `keep`).
    Rows stay in file order (ctx.write_canonical sorts by key)."""
    if table == "context":
        cols = ["school_id", "year"] + [c for c in indicators if c in df.columns]
    else:
        cols = CANONICAL_ORDER[table]
    out = pd.DataFrame(index=df.index)
    for c in cols:
        out[c] = df[c] if c in df.columns else np.nan
    for c in ("school_id", "school_name", "municipality", "locality", "school_type", "procedure",
              "subject", "wave", "domain", "indicator", "risk_factor", "source", "curator",
              "partner_school_id"):
        if c in out.columns and out[c].dtype != object:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    for c in ("year", "grade", "n_participants"):
        if c in out.columns:
            out[c] = out[c].astype("int64")
    if table == "schools":
        out["is_small"] = out["is_small"].map(lambda v: bool(v) if v is not None and v == v else False).astype(bool)
        for c in ("latitude", "longitude"):
            out[c] = out[c].astype("float64")
    if table == "monitoring":
        out["higher_is_better"] = out["higher_is_better"].map(
            lambda v: True if v is None or v != v else bool(v)).astype(bool)
        out["value"] = out["value"].astype("float64")
        out["n"] = out["n"].astype("float64")
    if table == "risk_survey":
        out["source"] = out["source"].where(out["source"].notna(), "")
        out["value"] = out["value"].astype("float64")
    if table == "programme":
        out["participant"] = out["participant"].astype(bool)
    if table == "results":
        for c in cols[6:]:
            out[c] = out[c].astype("float64")
    if table == "context":
        for c in cols[2:]:
            out[c] = pd.to_numeric(out[c].map(lambda v: float(v) if v is not None else np.nan)
                                   if out[c].dtype == object else out[c], errors="coerce").astype("float64")
    for c in keep:
        out[c] = df[c]
    return out.reset_index(drop=True)


def ingest_inputs(params: Any, base_dir: Path | None = None) -> IngestResult:
    """Read and validate every input of `params.inputs`; schools first (known ids)."""
    ip: IngestParams = params.ingest
    indicators = params.indicator_directions()
    base = base_dir or params.base_dir
    specs: list[tuple[str, Any]] = [("schools", params.inputs.schools)]
    for name in ("context", "results", "monitoring", "risk_survey", "programme"):
        value = getattr(params.inputs, name)
        for spec in (value if isinstance(value, list) else [value] if value is not None else []):
            specs.append((name, spec))
    known: set[str] | None = None
    per_table: dict[str, list[FileResult]] = {}
    for table, spec in specs:
        for path in expand_paths(spec.path, params.resolve):
            file = _display_name(path, base)
            res = process_file(path, file, table, spec, indicators, ip,
                               known if table != "schools" else None)
            per_table.setdefault(table, []).append(res)
        if table == "schools":
            frames = per_table["schools"]
            combined = _combine("schools", frames, indicators)
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
    tables: dict[str, pd.DataFrame] = {}
    internal: dict[str, pd.DataFrame] = {}
    for table, results in per_table.items():
        fin = finalise_table(table, _combine(table, results, indicators), indicators,
                             keep=("_file",))
        internal[table] = fin
        tables[table] = fin.drop(columns=["_file"])
    problems = [r.problems for rs in per_table.values() for r in rs]
    problems_df = pd.concat([p for p in problems if len(p)], ignore_index=True) \
        if any(len(p) for p in problems) else empty_problems()
    problems_df = problems_df.drop_duplicates(["file", "row", "column", "severity", "message"])
    inputs = []
    for table, results in per_table.items():
        for r in results:
            kept = r.rows_read - r.rows_rejected
            inputs.append({"path": r.file, "table": table, "sha256": r.sha256,
                           "rows_read": r.rows_read, "rows_kept": kept,
                           "rows_rejected": r.rows_rejected, "rows_empty": r.rows_empty})
            if kept + r.rows_rejected != r.rows_read:
                raise RuntimeError(f"row accounting broken for {r.file}")
    return IngestResult(tables, problems_df.reset_index(drop=True), inputs, internal)


def _combine(table: str, results: list[FileResult], indicators: dict[str, str]) -> pd.DataFrame:
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


# ============================================================================ reports
def problem_summary(problems: pd.DataFrame) -> pd.DataFrame:
    """Counts of problems by file, severity and message (Russian headers)."""
    if problems.empty:
        return pd.DataFrame(columns=["Файл", "Серьёзность", "Проблема", "Число строк"])
    msg = problems["message"].str.replace(r"\([^)]*\d[^)]*\)", "(…)", regex=True)
    g = problems.assign(m=msg).groupby(["file", "severity", "m"], sort=False).size().reset_index()
    g.columns = ["Файл", "Серьёзность", "Проблема", "Число строк"]
    g["Серьёзность"] = g["Серьёзность"].map(SEVERITY_RU)
    return g.sort_values(["Число строк"], ascending=False, kind="mergesort").reset_index(drop=True)


def write_data_quality(problems: pd.DataFrame, inputs: list[dict[str, Any]], run_dir: Path,
                       region: str = "", max_rows: int = 3000) -> tuple[Path, Path]:
    """data_quality.csv (UTF-8, file,row,column,value,severity,message) and data_quality.html."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    p = problems[PROBLEM_COLUMNS].copy() if len(problems) else empty_problems()
    p = p.sort_values(["file", "row"], kind="mergesort", na_position="first")
    csv_path = run_dir / "data_quality.csv"
    p.to_csv(csv_path, index=False, encoding="utf-8")
    e = html.escape
    n_err = int((p["severity"] == ERROR).sum())
    n_warn = int((p["severity"] == WARNING).sum())
    inp_rows = "".join(
        f"<tr><td>{e(str(i['path']))}</td><td>{e(TABLE_RU.get(i['table'], i['table']))}</td>"
        f"<td class=n>{i['rows_read']}</td><td class=n>{i['rows_kept']}</td>"
        f"<td class=n>{i['rows_rejected']}</td><td class=n>{i.get('rows_empty', 0)}</td></tr>"
        for i in inputs)
    summ = problem_summary(p)
    sum_rows = "".join(
        f"<tr><td>{e(str(r['Файл']))}</td><td>{e(str(r['Серьёзность']))}</td>"
        f"<td>{e(str(r['Проблема']))}</td><td class=n>{r['Число строк']}</td></tr>"
        for _, r in summ.iterrows())
    shown = p.head(max_rows)
    det_rows = "".join(
        f"<tr class={'err' if r.severity == ERROR else 'warn'}><td>{e(str(r.file))}</td>"
        f"<td class=n>{e(_show(r.row) if r.row is not pd.NA else '')}</td><td>{e(str(r.column))}</td>"
        f"<td>{e(str(r.value))}</td><td>{e(SEVERITY_RU.get(r.severity, str(r.severity)))}</td>"
        f"<td>{e(str(r.message))}</td></tr>" for r in shown.itertuples())
    more = (f"<p>Показаны первые {max_rows} из {len(p)} записей; полный список — в файле "
            f"data_quality.csv.</p>" if len(p) > max_rows else "")
    page = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Качество данных — {e(region)}</title>
<style>body{{font-family:"PT Sans",Arial,sans-serif;margin:24px;color:#222}}
table{{border-collapse:collapse;margin:12px 0;font-size:13px}}
th,td{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}}
th{{background:#eef2f7}} td.n{{text-align:right}} tr.err td{{background:#fdeeee}}
tr.warn td{{background:#fff8e5}} .lead{{font-size:15px}}</style></head><body>
<h1>Качество исходных данных</h1>
<p class="lead">{e(region)}. Ошибок: <b>{n_err}</b> (такие строки не загружены),
предупреждений: <b>{n_warn}</b> (строки загружены). Номер строки — как в Excel, с учётом строки
заголовка.</p>
<h2>Загруженные файлы</h2>
<table><tr><th>Файл</th><th>Таблица</th><th>Прочитано строк</th><th>Загружено</th>
<th>Отклонено</th><th>Пустых строк</th></tr>{inp_rows}</table>
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


def loaded_summary(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Small Russian summaries for the notebook: years, procedures/subjects, coverage."""
    out: dict[str, pd.DataFrame] = {}
    schools = tables.get("schools", pd.DataFrame())
    res = tables.get("results")
    if res is not None and len(res):
        g = res.groupby(["year", "procedure"]).agg(
            rows=("school_id", "size"), participants=("n_participants", "sum"))
        n_schools = res[["year", "procedure", "school_id"]].drop_duplicates().groupby(
            ["year", "procedure"]).size()
        g.insert(0, "schools", n_schools.reindex(g.index).to_numpy())
        g = g.reset_index()
        g.columns = ["Год", "Процедура", "Школ", "Строк", "Участников"]
        out["results_by_year"] = g
        # on the distinct (procedure, subject, grade, year) first: millions of rows nationally
        ps = res.groupby(["procedure", "subject", "grade", "year"]).size().reset_index()
        s = ps.groupby(["procedure", "subject"]).agg(
            grades=("grade", lambda x: ", ".join(str(v) for v in sorted(set(x)))),
            years=("year", lambda x: ", ".join(str(v) for v in sorted(set(x))))).reset_index()
        s.columns = ["Процедура", "Предмет", "Классы", "Годы"]
        out["subjects"] = s
    if len(schools):
        cov = schools.groupby("municipality").agg(n_schools=("school_id", "size")).reset_index()
        for name in ("context", "results"):
            t = tables.get(name)
            if t is not None and len(t):
                ids = set(t["school_id"])
                cov[f"with_{name}"] = schools.assign(h=schools["school_id"].isin(ids)).groupby(
                    "municipality")["h"].sum().reindex(cov["municipality"]).to_numpy()
        cov = cov.rename(columns={"municipality": "Муниципалитет", "n_schools": "Школ",
                                  "with_context": "С данными контекста",
                                  "with_results": "С результатами"})
        out["coverage"] = cov
    return out


def figures(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """First charts (plotly): schools per municipality; participants per year and procedure."""
    import plotly.express as px

    figs: dict[str, Any] = {}
    schools = tables.get("schools")
    if schools is not None and len(schools):
        c = schools.groupby("municipality").size().sort_values().reset_index(name="n")
        figs["schools_per_municipality"] = px.bar(
            c, x="n", y="municipality", orientation="h",
            labels={"n": "Число школ", "municipality": "Муниципалитет"},
            title="Школы по муниципалитетам", height=max(320, 22 * len(c) + 120))
    res = tables.get("results")
    if res is not None and len(res):
        g = res.groupby(["year", "procedure"])["n_participants"].sum().reset_index()
        figs["participants_per_year"] = px.bar(
            g, x="year", y="n_participants", color="procedure", barmode="group",
            labels={"year": "Год", "n_participants": "Участников", "procedure": "Процедура"},
            title="Участники оценочных процедур по годам")
    return figs


# ============================================================================ stage
def stage(ctx: Any, store_root: Path | None = None) -> dict[str, Any]:
    """Ingest every input, write canonical tables, data_quality.*, input meta and the store."""
    params = ctx.params
    try:
        result = ingest_inputs(params)
    except DataError as exc:  # still tell the user every row problem found before stopping
        if exc.problems is not None:
            write_data_quality(exc.problems, [], ctx.run_dir, params.region,
                               params.ingest.html_max_rows)
        raise
    sha_of = {i["path"]: i["sha256"] for i in result.inputs}
    written = {}
    for name, df in result.tables.items():
        tagged = result.files.get(name)
        prov = None
        if tagged is not None:  # few distinct files: a categorical, cheap to carry and store
            codes, files = pd.factorize(tagged["_file"], use_na_sentinel=False)
            shas, which = np.unique(np.array([sha_of[f] for f in files], dtype=object),
                                    return_inverse=True)  # two copies of one file: one sha
            prov = pd.Series(pd.Categorical.from_codes(which[codes], categories=shas))
        written[name] = ctx.write_canonical(name, df, provenance=prov)
    store_job = None
    if params.ingest.use_store:  # DuckDB reads the Parquet files beside the work below
        from workbench import store as store_mod

        root = store_root or getattr(ctx, "outputs_root", None) or params.resolve("outputs")
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-store")
        store_job = pool.submit(store_mod.ingest_parquet, root, written, result.inputs)
        pool.shutdown(wait=False)  # the job runs on; store_job.result() below waits and re-raises
    write_data_quality(result.problems, result.inputs, ctx.run_dir, params.region,
                       params.ingest.html_max_rows)
    ctx.write_meta("inputs", [{k: i[k] for k in ("path", "table", "sha256", "rows_read",
                                                  "rows_kept", "rows_rejected")}
                              for i in result.inputs])
    n_err = int((result.problems["severity"] == ERROR).sum()) if len(result.problems) else 0
    if n_err:
        ctx.note(f"Во входных данных найдено ошибок: {n_err}; такие строки не загружены "
                 f"(см. data_quality.html)")
    inputs_df = pd.DataFrame(result.inputs).rename(columns={
        "path": "Файл", "table": "Таблица", "sha256": "sha256", "rows_read": "Прочитано строк",
        "rows_kept": "Загружено", "rows_rejected": "Отклонено", "rows_empty": "Пустых строк"})
    if len(inputs_df):
        inputs_df["Таблица"] = inputs_df["Таблица"].map(lambda t: TABLE_RU.get(t, t))
        inputs_df = inputs_df.drop(columns=["sha256"])
    out: dict[str, Any] = {
        "inputs": inputs_df,
        "problems": result.problems,
        "problem_summary": problem_summary(result.problems),
        "problem_sample": result.problems.head(30).rename(columns={
            "file": "Файл", "row": "Строка", "column": "Столбец", "value": "Значение",
            "severity": "Серьёзность", "message": "Что исправить"}),
        "n_errors": n_err,
        "n_warnings": int((result.problems["severity"] == WARNING).sum()) if len(result.problems) else 0,
        "tables": {k: len(v) for k, v in result.tables.items()},
        "figures": figures(result.tables),
    }
    out.update(loaded_summary(result.tables))
    out["summary_ru"] = summary_text(result)
    if store_job is not None:
        store_job.result()
    return out


def summary_text(result: IngestResult) -> str:
    """One Russian paragraph (markdown) on what was loaded and the problems found."""
    read = sum(i["rows_read"] for i in result.inputs)
    kept = sum(i["rows_kept"] for i in result.inputs)
    rej = sum(i["rows_rejected"] for i in result.inputs)
    p = result.problems
    n_err = int((p["severity"] == ERROR).sum()) if len(p) else 0
    n_warn = int((p["severity"] == WARNING).sum()) if len(p) else 0
    parts = [f"Прочитано файлов: **{len(result.inputs)}**, строк данных: **{read}**; загружено "
             f"**{kept}**, отклонено **{rej}**."]
    res = result.tables.get("results")
    if res is not None and len(res):
        years = sorted(set(res["year"]))
        parts.append(f"Результаты за {years[0]}–{years[-1]} гг.: процедуры "
                     f"{', '.join(sorted(set(res['procedure'])))}; предметов: "
                     f"{res['subject'].nunique()}.")
    if n_err or n_warn:
        parts.append(f"Найдено ошибок: **{n_err}** (строки не загружены), предупреждений: "
                     f"**{n_warn}**. Полный список — в файле data_quality.html (и .csv) папки "
                     f"запуска.")
    else:
        parts.append("Проблем в исходных данных не найдено.")
    return " ".join(parts)

"""Writing tables the same way every time: sorted by key, CSV in UTF-8 with ',', every text
cell safe to open in Excel, xlsx workbooks with a creation time taken from the data."""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

# what makes Excel or LibreOffice read a CSV cell as a formula (OWASP, «CSV injection»)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def excel_safe_text(value: object) -> object:
    """A text cell that would start a formula gets a leading apostrophe (OWASP); genuine numbers
    («-5», «+3,2») and everything else are left as they are."""
    if isinstance(value, str) and value[:1] in FORMULA_START and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """The table with every formula-looking text cell made inert (numbers and bools untouched);
    the same object when nothing needs it."""
    out = df
    for col in df.columns:
        s = df[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        try:  # vectorised (national tables); non-text cells of an object column are NaN here
            risky = s.str.startswith(FORMULA_START, na=False).astype(bool)
        except (AttributeError, TypeError):
            risky = s.map(lambda v: isinstance(v, str) and v[:1] in FORMULA_START).astype(bool)
        if risky.any():
            if out is df:
                out = df.copy()
            out[col] = s.where(~risky, s.map(excel_safe_text))
    return out


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with ',' via Arrow's C++ writer (7× faster than pandas on national tables);
    text is quoted, booleans are true/false, formula-looking text made inert (`excel_safe`).
    Falls back to pandas for columns Arrow can't type."""
    df = excel_safe(df)
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        df.to_csv(path, index=False, encoding="utf-8")
        return
    pcsv.write_csv(table, path, write_options=pcsv.WriteOptions(quoting_style="needed"))


def sorted_by(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    key = [c for c in key if c in df.columns]
    if key and len(df):
        df = df.sort_values(key, kind="mergesort").reset_index(drop=True)
    return df


def workbook_created(year: int | None = None) -> dt.datetime:
    """The creation time every xlsx of the workbench carries: 1 September of the run's current
    school year (from the data, so two runs of the same inputs give the same bytes), or
    SOURCE_DATE_EPOCH when it is set (the reproducible-builds convention); 1 September 2000
    when the year is unknown."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdecimal() and epoch.isascii():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(int(year) if year is not None else 2000, 9, 1)


def fix_workbook_time(workbook: Any, year: int | None = None) -> None:
    """Set an xlsxwriter workbook's creation time to `workbook_created(year)` (xlsxwriter fixes
    the zip entries' times itself; this is the one time it would take from the clock)."""
    workbook.set_properties({"created": workbook_created(year)})


def fix_zip_times(path: Path, year: int | None = None) -> None:
    """Rewrite an Office file (docx: python-docx stamps every zip entry with the clock) with
    every entry's time `workbook_created(year)`, entries in the same order, so the same inputs
    give the same bytes."""
    stamp = workbook_created(year).timetuple()[:6]
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".zip-tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            dst.writestr(fixed, data)
    tmp.replace(path)

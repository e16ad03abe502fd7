"""Value coercion: raw cells (text as typed, or Excel/Parquet values) become typed values, and
the cells that cannot be read are flagged (the caller reports them, the row is rejected).

Numbers as Russians write them («1 234,5», «−3»), years and school years («2024/25»), grades
(«5 кл»), yes/no, ВПР/ОГЭ/ЕГЭ, monitoring waves and domains, urban/rural; missing markers
(«», «-», «н/д», ...) are blanks, not errors. Columns are long and repetitive, so each coercer
works on the distinct values (a factorisation) and, above a few thousand distinct texts, with
Arrow compute instead of Python."""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core.values import (normalise_bool, normalise_domain, normalise_procedure,
                                   normalise_wave, parse_year)
from workbench.ingest.columns import BOOL, DATE, DOMAIN, GRADE, ID, LOCALITY, PROC, TEXT, WAVE, YEAR
from workbench.ingest.headers import norm_header

MISSING_MARKERS = {"", "-", "—", "–", "н/д", "нд", "n/a", "na", "nan", "null", "none",
                   "нет данных", "x", "х", "#н/д", "#n/a"}
TEXT_MISSING_MARKERS = {"", "-", "—", "–", "н/д", "#н/д", "#n/a", "nan", "none", "null"}
_SPACES_RE = r"[\s\u00a0\u202f\u2009\u2007']"


def as_series(values: Any) -> pd.Series:
    """A Series that keeps object arrays as object (pandas 3 would infer its string dtype).
    The array is wrapped, not copied: callers pass arrays they own and never write into."""
    arr = np.asarray(values) if not isinstance(values, pd.api.extensions.ExtensionArray) else values
    return pd.Series(arr, dtype=object if getattr(arr, "dtype", None) == object else None,
                     copy=False)


_MANY_UNIQUES = 5000  # above this, text uniques are normalised by Arrow compute, not Python


def arrow_strings(uniques: Any) -> Any:
    """The uniques as an Arrow string array when they are all text, else None."""
    if len(uniques) <= _MANY_UNIQUES:
        return None
    try:
        return pa.array(np.asarray(uniques, dtype=object), type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _blank_flags(uniques: Any, markers: set[str]) -> np.ndarray:
    """For each distinct value: is it a missing marker once stripped and lower-cased?"""
    arr = arrow_strings(uniques)
    if arr is not None:
        low = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
        flags = pc.is_in(low, value_set=pa.array(sorted(markers), type=pa.string()))
        return flags.to_numpy(zero_copy_only=False).astype(bool)
    return np.array([isinstance(u, str) and u.strip().lower() in markers for u in uniques],
                    dtype=bool)


def is_blank(s: pd.Series, markers: set[str] = MISSING_MARKERS) -> np.ndarray:
    """Missing cell: NaN/None or a missing marker («», «-», «н/д», ...)."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return s.isna().to_numpy()
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return _coded_blank(codes, uniques, markers)


def _coded_blank(codes: np.ndarray, uniques: Any, markers: set[str]) -> np.ndarray:
    """is_blank from a factorisation: missing (code −1) or a missing marker."""
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
    """to_number cell by cell: pandas parses plain numbers, the rest is cleaned and retried."""
    blank = is_blank(s)
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
    """A column coercer from a value parser (None = not understood), run on distinct values."""
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
    """2024, «2024/25», «2024-2025», «2024,0», an Excel date → 2024; else None."""
    if hasattr(v, "year") and hasattr(v, "month"):  # an Excel date cell: its calendar year
        return int(v.year)
    if isinstance(v, str):
        v = v.strip()
        if re.fullmatch(r"\d{4}[.,]0+", v):
            v = v[:4]
    return parse_year(v)


def _grade(v: Any) -> Any:
    """5, 5.0, «5 кл», «5-й класс» → 5; else None."""
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
    """«городская», «г.», «urban» → «город»; «сельская», «с.» → «село»; else as written."""
    key = norm_header(v)
    return _LOCALITY.get(key, re.sub(r"\s+", " ", str(v)).strip())


def _date(v: Any) -> Any:
    """An Excel date cell, «31.08.2024», «2024-08-31» → «2024-08-31» (ISO text); else None."""
    if hasattr(v, "year") and hasattr(v, "month") and hasattr(v, "day"):
        return f"{int(v.year):04d}-{int(v.month):02d}-{int(v.day):02d}"
    s = str(v).strip()
    m = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})(?:\s+0?0:00(?::00)?)?", s)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0?0:00(?::00)?)?", s)
        if not m:
            return None
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return pd.Timestamp(year=y, month=mo, day=d).strftime("%Y-%m-%d")
    except ValueError:
        return None


def _boolean(v: Any) -> Any:
    """«да/нет», 1/0, true/false → bool; else None."""
    return normalise_bool(v.strip() if isinstance(v, str) else v)


# value type → coercer returning (values, mask of non-blank cells not understood); numbers go
# through to_number with the file's decimal mark instead
COERCERS: dict[str, Callable[..., tuple[pd.Series, np.ndarray]]] = {
    YEAR: _category(_year),
    GRADE: _category(_grade),
    BOOL: _category(_boolean),
    PROC: _category(lambda v: normalise_procedure(v) or None),
    WAVE: _category(normalise_wave),
    DOMAIN: _category(normalise_domain),
    LOCALITY: _category(_locality),
    DATE: _category(_date),
    TEXT: lambda s: to_text(s),
    ID: lambda s: to_text(s),
}

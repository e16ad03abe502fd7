"""Mapping: a Sheet's source headers become canonical column names (params `columns`), constants
of the params fill their columns, empty rows are set apart (counted, not data), and rows that
cannot be data are flagged: repeated header rows (files pasted one under another) and rows with
more cells than the header. A missing required column stops with a DataError naming the
columns the file does have."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from workbench.config import InputSpec
from workbench.core.tables import REQUIRED_COLUMNS
from workbench.ingest.coerce import TEXT_MISSING_MARKERS, arrow_strings, as_series, is_blank
from workbench.ingest.columns import column_types
from workbench.ingest.errors import DataError
from workbench.ingest.headers import (header_lookup, looks_like_header, looks_like_value,
                                      norm_header)
from workbench.ingest.problems import ERROR, INFO, WARNING, problem_frame
from workbench.ingest.readers import Sheet
from workbench.ingest.totals import total_example, total_message, total_rows
from workbench.ingest.years import file_year


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
    rows_totals: int = 0
    scales: dict[str, str] | None = None      # canonical → "percent" for columns in percent
    year_is: str = "school_year"               # the years of this input (years.py)
    year_fixed: bool = False                   # the year came from the file name or title
    header_row: int | None = None              # Excel row of the header (file-level lines)
    where: str = ""                            # the file (and sheet) as messages name it


def map_sheet(sheet: Sheet, table: str, spec: InputSpec, indicators: dict[str, str],
              file_name: str = "") -> Mapped:
    """Map source headers onto canonical names, fill constants (and the year of the file name or
    title), set apart empty rows and total lines, flag repeated header rows and rows with extra
    cells; a missing required column raises DataError."""
    types = column_types(table, indicators)
    lookup = header_lookup(table, spec.targets(), indicators)
    problems = list(sheet.problems)
    chosen = _choose_columns(sheet, lookup, types, problems)
    constants = {k: v for k, v in spec.constants.items()}
    year_source = None
    if spec.year_from != "column":
        year, year_source = file_year(spec, file_name or sheet.file, sheet.title, sheet.where)
        constants["year"] = year
        chosen.pop("year", None)
    _check_columns(sheet, table, spec, types, chosen, constants, problems)
    body = sheet.body
    rows = np.arange(sheet.first_row, sheet.first_row + len(body), dtype=np.int64)
    empty = _empty_rows(body)
    totals = total_rows(body, chosen.get("school_id"), ~empty)
    if totals.any():
        first = int(np.flatnonzero(totals)[0])
        example = total_example(body.iloc[first])
        problems.append(problem_frame(sheet.file, int(rows[first]), "", example, INFO,
                                      total_message(int(totals.sum()), example)))
    keep = ~(empty | totals)
    all_rows = bool(keep.all())
    raw = pd.DataFrame({c: as_series(body[j].to_numpy() if all_rows else body[j].to_numpy()[keep])
                        for c, j in chosen.items()},
                       index=pd.RangeIndex(int(keep.sum())))
    rows = rows[keep]
    reject = np.zeros(len(raw), dtype=bool)
    source = {c: sheet.headers[j] for c, j in chosen.items()}
    _fill_constants(raw, source, constants)
    if year_source is not None:
        source["year"] = f"(год из {year_source})"
    if sheet.overflow_rows:  # rows with more cells than the header
        pos = np.cumsum(keep) - 1
        bad = pos[[i for i in sheet.overflow_rows if keep[i]]].astype(np.int64)
        reject[bad] = True
        problems.append(problem_frame(
            sheet.file, rows[bad], "", "", ERROR,
            "в строке больше значений, чем столбцов в заголовке (лишний разделитель или "
            "сдвинутые ячейки) — исправьте строку"))
    required = REQUIRED_COLUMNS[table]
    key_col = "school_id" if "school_id" in chosen else (required[0] if required[0] in chosen
                                                            else None)
    if key_col is not None and len(raw):
        rep = _repeated_header_rows(raw[key_col], source[key_col])
        if rep is not None:
            reject |= rep
            problems.append(problem_frame(
                sheet.file, rows[rep], source[key_col], raw[key_col][rep].to_numpy(), ERROR,
                "повтор строки заголовка внутри данных — строка пропущена; удалите её"))
    return Mapped(table, sheet.file, raw.reset_index(drop=True), source, rows, reject, problems,
                  int(empty.sum()), sheet.decimal, sheet.thousands, int(totals.sum()),
                  spec.scales(), spec.year_is, year_source is not None, sheet.first_row - 1,
                  sheet.where)


def _choose_columns(sheet: Sheet, lookup: dict[str, str], types: dict[str, str],
                    problems: list[pd.DataFrame]) -> dict[str, int]:
    """Canonical name → position of its source column; a second column for the same field is
    ignored with a warning."""
    chosen: dict[str, int] = {}
    for j, h in enumerate(sheet.headers):
        canon_name = lookup.get(norm_header(h))
        if canon_name is None or canon_name not in types and canon_name != "student_id":
            continue
        if canon_name in chosen:
            problems.append(problem_frame(
                sheet.file, sheet.first_row - 1, h, h, WARNING,
                f"столбец для поля {canon_name} встречается в файле дважды; использован первый "
                f"(«{sheet.headers[chosen[canon_name]]}») — удалите лишний столбец"))
            continue
        chosen[canon_name] = j
    return chosen


def _expected(spec: InputSpec, canonical: str) -> str:
    src = [f"«{k}»" for k, v in spec.targets().items() if v == canonical]
    return f"{' или '.join(src)} для поля «{canonical}»" if src else f"поля «{canonical}»"


def _check_columns(sheet: Sheet, table: str, spec: InputSpec, types: dict[str, str],
                   chosen: dict[str, int], constants: dict[str, Any],
                   problems: list[pd.DataFrame]) -> None:
    """Constants must name fields of the table and every required field must be present
    (DataError); a mapped column the file lacks is a warning."""
    for name in list(constants):
        if name not in types:
            raise DataError(f"Файл {sheet.where}: константа «{name}» в параметрах не является "
                            f"полем таблицы {table}; допустимые поля: {', '.join(types)}")
    required = REQUIRED_COLUMNS[table]
    missing = [c for c in required if c not in chosen and c not in constants]
    if missing:
        c = missing[0]
        expected = [src for src, dst in spec.targets().items() if dst == c]
        want = (" или ".join(f"«{e}»" for e in expected) if expected
                else f"(в параметрах columns не указан столбец для поля «{c}»)")
        raise DataError(
            f"Файл {sheet.where}: нет обязательного столбца {want} для поля «{c}» таблицы "
            f"{TABLE_OF.get(table, table)}" +
            (f" (не хватает также: {', '.join(_expected(spec, m) for m in missing[1:])})"
             if len(missing) > 1 else "") + ". " + _headers_found(sheet, table, bool(chosen)) +
            " Исправьте заголовок в файле или раздел columns в параметрах." +
            (f" Внимание: {sheet.sheet_note}." if sheet.sheet_note else ""))
    for src, dst in spec.targets().items():
        if dst == "year" and spec.year_from != "column":
            continue
        if dst not in chosen and dst not in constants and dst in types:
            problems.append(problem_frame(
                sheet.file, sheet.first_row - 1, src, "", WARNING,
                f"столбец «{src}» (поле {dst}) не найден в файле — данных по нему нет; проверьте "
                f"заголовок или раздел columns в параметрах"))


TABLE_OF = {"results_students": "results"}  # pupil-level rows make the results table


def _headers_found(sheet: Sheet, table: str, recognised: bool) -> str:
    """What the message says of the file's header row. Only cells that read as column names
    are listed; when no cell of the row matched the params, the row may be a record (a file
    without its header row): of a pupil-level file nothing of it is shown, of another file only
    its header-like cells."""
    cells = [h for h in sheet.headers if h]
    row = sheet.first_row - 1
    if not recognised:
        shown = [h for h in cells if looks_like_header(h)]
        lead = (f"Ни одно название в строке {row} не совпало с разделом columns — похоже, в "
                f"файле нет строки заголовка (или она ниже первых строк): добавьте её.")
        if table == "results_students" or not shown:
            return lead + (" Значения этой строки не показываются: это могут быть данные "
                           "обучающихся." if table == "results_students" else "")
        return lead + f" Похожие на названия ячейки строки {row}: " + \
            ", ".join(f"«{h}»" for h in shown) + "."
    if not cells:
        return "В файле есть столбцы: (нет ни одного заголовка)."
    shown = [h for h in cells if not looks_like_value(h)]
    hidden = len(cells) - len(shown)
    return ("В файле есть столбцы: " + (", ".join(f"«{h}»" for h in shown) or "—") +
            (f" (и ещё {hidden} ячеек заголовка, не похожих на названия, — не показаны)"
             if hidden else "") + ".")


def _empty_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows with no value in any cell: not data (counted apart)."""
    empty = np.ones(len(body), dtype=bool)
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
    return empty


def _fill_constants(raw: pd.DataFrame, source: dict[str, str], constants: dict[str, Any]) -> None:
    """A constant of the params fills its column (only the blank cells when the file has it)."""
    for name, value in constants.items():
        if name in raw.columns:  # the file has the column: the constant fills its blank cells
            blank = is_blank(raw[name], TEXT_MISSING_MARKERS)
            raw[name] = as_series(np.where(blank, value, raw[name].to_numpy(dtype=object)))
        else:
            raw[name] = as_series(np.array([value] * len(raw), dtype=object))
            source[name] = f"(константа {name})"


def _repeated_header_rows(col: pd.Series, header: str) -> np.ndarray | None:
    """Rows whose key cell repeats the key column's header, or None when there are none."""
    header_text = norm_header(header)
    if pd.api.types.is_numeric_dtype(col) or not header_text:
        return None
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    flags = np.append(header_like(uniques, header_text), False)
    if not flags.any():
        return None
    rep = flags[codes]
    return rep if rep.any() else None


def header_like(values: Any, header_text: str) -> np.ndarray:
    """Which values read as the header (norm_header equal): a repeated header row. With many
    distinct values (school ids) only those containing the header's longest word are
    normalised; Arrow finds them."""
    cand = np.ones(len(values), dtype=bool)
    words = re.findall(r"\w+", header_text)
    arr = arrow_strings(values) if words else None
    if arr is not None:
        low = pc.replace_substring(pc.utf8_lower(arr), "ё", "е")
        cand = pc.match_substring(low, max(words, key=len)).to_numpy(zero_copy_only=False)
        cand = cand.astype(bool)
    out = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(cand):
        u = values[i]
        out[i] = isinstance(u, str) and norm_header(u) == header_text
    return out

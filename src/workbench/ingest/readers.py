"""Readers: a file becomes a Sheet (positional raw columns, its header, Excel row numbering).

CSV: encoding, separator and decimal mark detected when the params do not give them (a BOM,
valid UTF-8 or else cp1251; the separator with the most consistent field count). Excel via
python-calamine: the sheet named or numbered in params, a title row above the header detected.
Parquet as is. Rows with more cells than the header are kept apart so that they are rejected,
never silently truncated."""
from __future__ import annotations

import csv
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from workbench.config import InputSpec
from workbench.ingest.errors import DataError
from workbench.ingest.headers import detect_header, display_header, norm_header
from workbench.ingest.problems import WARNING, problem_frame


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
    title: list[str] = field(default_factory=list)  # non-empty cells of the rows above the header
    sheet_name: str = ""          # the Excel sheet read («» for CSV and Parquet)
    sheet_hidden: bool = False    # that sheet is hidden in the workbook
    sheet_note: str = ""          # what to know about the sheet read (hidden: the visible ones)

    @property
    def where(self) -> str:
        """The file as messages name it: «file», and for Excel the sheet that was read."""
        if not self.sheet_name:
            return f"«{self.file}»"
        return f"«{self.file}», лист «{self.sheet_name}»" + (" (скрытый лист книги)"
                                                            if self.sheet_hidden else "")


def title_cells(rows: list[list[object]]) -> list[str]:
    """The non-empty cells of the rows above the header, as text (a title such as
    «Распределение групп баллов в % — ВПР 2024»)."""
    return [display_header(v) for r in rows for v in r if norm_header(v)]


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
            problems.append(problem_frame(
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
            problems.append(problem_frame(
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


def read_csv_file(path: Path, file: str, spec: InputSpec, lookup: dict[str, str],
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
    return Sheet(file, [display_header(h) for h in header], body, skip + 1, problems,
                 decimal, spec.thousands, overflow, title_cells(head_rows[:idx]))


def read_excel_file(path: Path, file: str, spec: InputSpec, lookup: dict[str, str],
                    search_rows: int) -> Sheet:
    """Read one sheet of an Excel workbook (python-calamine) into a Sheet."""
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for corrupt files
        raise DataError(f"Файл «{file}» не удаётся прочитать как книгу Excel ({type(exc).__name__}: "
                        f"{str(exc)[:120]}); проверьте, что файл не повреждён и сохранён как .xlsx") from None
    names = list(wb.sheet_names)
    name = _sheet_name(names, spec.sheet, file)
    hidden = _hidden_sheets(wb)
    try:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise DataError(f"Файл «{file}», лист «{name}» не читается: {str(exc)[:120]}") from None
    if not any(any(norm_header(v) for v in r) for r in rows):
        raise DataError(f"Файл «{file}», лист «{name}»{' (скрытый лист книги)' if name in hidden else ''} "
                        f"пуст: в нём нет ни заголовка, ни данных")
    idx, header, nh = detect_header(rows, lookup, spec.header_row, search_rows)
    width = len(header)
    data_rows = rows[idx + nh:]
    overflow = [i for i, r in enumerate(data_rows)
                if len(r) > width and any(norm_header(x) for x in r[width:])]
    body = _excel_body(data_rows, width)
    hidden_line = _hidden_sheet_line(file, name, spec.sheet, names, hidden)
    return Sheet(file, [display_header(h) for h in header], body, idx + nh + 1, hidden_line,
                 spec.decimal or ",", spec.thousands, overflow, title_cells(rows[:idx]),
                 name, name in hidden, hidden_line[0]["message"].iat[0] if hidden_line else "")


def _excel_body(data_rows: list[list[object]], width: int) -> pd.DataFrame:
    """The data rows as `width` positional object columns: cut to the header's width, short
    rows padded with "". Calamine gives every row the sheet's width: then one C pass."""
    if data_rows and len(data_rows[0]) >= width and all(len(r) == len(data_rows[0])
                                                         for r in data_rows):
        arr = np.empty((len(data_rows), len(data_rows[0])), dtype=object)
        arr[:] = data_rows
        return pd.DataFrame(arr[:, :width], columns=list(range(width)), dtype=object)
    return pd.DataFrame([(list(r) + [""] * width)[:width] for r in data_rows],
                        columns=list(range(width)), dtype=object)


def _sheet_name(names: list[str], sheet: int | str, file: str) -> str:
    """The sheet the params name (a 0-based number or a name); DataError listing the sheets
    when there is none such."""
    listed = ", ".join("«" + n + "»" for n in names)
    if isinstance(sheet, int):
        if sheet < 0 or sheet >= len(names):
            raise DataError(f"Файл «{file}»: нет листа с номером {sheet} (нумерация с 0); листы в "
                            f"файле: {listed}")
        return names[sheet]
    match = [n for n in names if norm_header(n) == norm_header(sheet)]
    if not match:
        raise DataError(f"Файл «{file}»: нет листа «{sheet}»; листы в файле: {listed}")
    return match[0]


def _hidden_sheets(wb: python_calamine.CalamineWorkbook) -> set[str]:
    """Names of the sheets hidden in the workbook (hidden or «very hidden»)."""
    try:
        return {m.name for m in wb.sheets_metadata
                if m.visible != python_calamine.SheetVisibleEnum.Visible}
    except Exception:  # formats without sheet metadata: nothing known to be hidden
        return set()


def _hidden_sheet_line(file: str, name: str, sheet: int | str, names: list[str],
                       hidden: set[str]) -> list[pd.DataFrame]:
    """A warning when the sheet read is hidden in the workbook (the user sees other tabs)."""
    if name not in hidden:
        return []
    visible = [n for n in names if n not in hidden]
    how = f"sheet: {sheet}" if isinstance(sheet, int) else f"sheet: «{sheet}»"
    hint = (f"; видимые листы: {', '.join('«' + n + '»' for n in visible)} — если данные на "
            f"одном из них, укажите его в параметрах (sheet: «{visible[0]}»)" if visible else "")
    return [problem_frame(file, pd.NA, "", name, WARNING,
                          f"прочитан лист «{name}» ({how}), а он скрыт в книге{hint}")]


def read_parquet_file(path: Path, file: str) -> Sheet:
    """Read a Parquet file into a Sheet (row numbers as if the header were row 1)."""
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise DataError(f"Файл «{file}» не удаётся прочитать как Parquet: {str(exc)[:160]}") from None
    headers = [str(c) for c in df.columns]
    df.columns = list(range(len(headers)))
    return Sheet(file, headers, df.reset_index(drop=True), 2, [], ".", None, [])


def read_any(path: Path, file: str, spec: InputSpec, lookup: dict[str, str], search_rows: int) -> Sheet:
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

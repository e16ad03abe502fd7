"""Header matching: source headers are compared normalised (case, spaces, «ё»), mapped onto
canonical names through the params' `columns`, and the header row is found among the first rows
of a sheet (a title above it, a header split over two merged rows)."""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from workbench.ingest.columns import column_types


def norm_header(value: Any) -> str:
    """Header key: trimmed, whitespace collapsed, lower case, «ё» = «е»; 2.0 → '2'."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е")
    return re.sub(r"\s+", " ", s).strip().lower()


def display_header(value: Any) -> str:
    """A header as shown in messages: as written, whitespace collapsed; 2.0 → '2'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", "" if value is None else str(value)).strip()


_TOKEN = re.compile(r"[^\W_]+")


def looks_like_value(value: Any) -> bool:
    """Whether a cell reads as a record's value rather than a column name: a number of five or
    more digits, a code mixing letters and digits («UCHSECRET0000000X», «S000123», «А1234»), a
    date, a school year («2024/25»), or any non-text cell. Such cells are never shown as headers
    in a message (a file without its header row must not put its first record there)."""
    if not isinstance(value, str):
        return True
    text = display_header(value)
    if re.search(r"\d{5,}|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}\s*[/-]\s*\d{2}", text):
        return True
    for tok in _TOKEN.findall(text):
        digits = sum(ch.isdigit() for ch in tok)
        if 0 < digits < len(tok) and (len(tok) >= 6 or digits >= 4):
            return True
    return False


def looks_like_header(value: Any) -> bool:
    """Whether a cell of a row not known to be the header may still be shown as a column name:
    text with a letter that does not read as a value (`looks_like_value`)."""
    return isinstance(value, str) and bool(re.search(r"[^\W\d_]", value)) \
        and not looks_like_value(value) and len(value) <= 80


def header_lookup(table: str, columns: dict[str, str], indicators: dict[str, str]) -> dict[str, str]:
    """Normalised source header → canonical name: the mapping, plus canonical names as is."""
    types = column_types(table, indicators)
    lookup = {norm_header(c): c for c in types}
    if table == "context":
        lookup.update({norm_header(c): c for c in indicators})
    lookup.update({norm_header(src): dst for src, dst in columns.items()})
    return lookup


def _row_score(row: list[Any], lookup: dict[str, str]) -> int:
    """How many canonical columns a row's cells name."""
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

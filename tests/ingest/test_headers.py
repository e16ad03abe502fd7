"""Header detection: the first row naming the most mapped columns; a given header row wins."""
from __future__ import annotations

from workbench.ingest.headers import detect_header


def test_detect_header_prefers_first_full_row():
    lookup = {"код оо": "school_id", "год": "year"}
    rows = [["Отчёт"], [], ["Код ОО", "Год"], ["Код ОО", "Год"], ["1", "2023"]]
    assert detect_header(rows, lookup, None, 30)[0] == 2
    assert detect_header(rows, lookup, 4, 30)[0] == 3

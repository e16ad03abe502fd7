"""Reading the next workbook in the background: order of results and errors, what is read ahead."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench.ingest.errors import DataError
from workbench.ingest.prefetch import ReadAhead


@dataclass
class Item:
    path: Path


def test_next_workbook_is_read_while_the_current_one_is_used():
    items = [Item(Path("a.xlsx")), Item(Path("b.csv")), Item(Path("c.xlsx")), Item(Path("d.XLSX"))]
    started: list[str] = []
    c_started = threading.Event()

    def read(item: Item) -> str:
        started.append(item.path.name)
        if item.path.name == "c.xlsx":
            c_started.set()
        return item.path.stem

    with ReadAhead(items, read) as ahead:
        assert ahead.get(0) == "a"
        # while b.csv (not read ahead: the caller reads it) is processed, c.xlsx is being read
        assert ahead.get(1) is None
        assert c_started.wait(5)
        assert ahead.get(2) == "c"
        assert ahead.get(3) == "d"
    assert sorted(started) == ["a.xlsx", "c.xlsx", "d.XLSX"]  # never the CSV


def test_read_error_is_raised_at_its_turn_not_before():
    items = [Item(Path("a.xlsx")), Item(Path("bad.xlsx")), Item(Path("c.xlsx"))]

    def read(item: Item) -> str:
        if item.path.name == "bad.xlsx":
            raise DataError("Файл «bad.xlsx» пуст")
        return item.path.stem

    with ReadAhead(items, read) as ahead:
        assert ahead.get(0) == "a"  # bad.xlsx has failed by now in the background: not raised
        with pytest.raises(DataError, match="bad.xlsx"):
            ahead.get(1)


def test_at_most_two_workbooks_read_ahead_past_other_files():
    items = [Item(Path(n)) for n in ("a.xlsx", "b.csv", "c.csv", "d.xlsx", "e.xlsx", "f.xlsx")]
    release = threading.Event()
    started: list[str] = []

    def read(item: Item) -> str:
        started.append(item.path.name)
        if item.path.name != "a.xlsx":
            release.wait(5)
        return item.path.stem

    with ReadAhead(items, read) as ahead:
        assert ahead.get(0) == "a"
        # the next two workbooks, past the two CSV files, are being read; the third waits
        assert sorted(ahead._futures) == [3, 4] and "f.xlsx" not in started
        assert ahead.get(1) is None and ahead.get(2) is None
        release.set()
        assert ahead.get(3) == "d" and sorted(ahead._futures) == [4, 5]
        assert ahead.get(4) == "e" and ahead.get(5) == "f"
    assert sorted(started) == ["a.xlsx", "d.xlsx", "e.xlsx", "f.xlsx"]


def test_items_without_a_path_are_not_read():
    items = [Item(Path("a.xlsx")), DataError("нет файла")]
    with ReadAhead(items, lambda it: it.path.stem) as ahead:
        assert ahead.get(0) == "a"
        assert ahead.get(1) is None


def test_two_workbooks_ingested_with_read_ahead_match_one_by_one(tmp_path, monkeypatch):
    """The same tables and accounting whether the second workbook is read ahead or not."""
    import pandas as pd

    from workbench import ingest
    from workbench.config import parse_params
    from workbench.ingest import prefetch

    pd.DataFrame({"Код ОО": ["1", "2"], "Наименование ОО": ["Школа 1", "Школа 2"],
                  "МО": ["Район", "Район"]}).to_excel(
        tmp_path / "s.xlsx", index=False)
    for year, n in ((2023, 10), (2024, 12)):
        pd.DataFrame({"Код ОО": ["1", "2", "3"], "Год": [year] * 3, "Предмет": ["Математика"] * 3,
                      "Класс": [5, 5, 5], "Участников": [n, n + 1, 4], "2": [1, 2, 1],
                      "3": [n - 1, n - 1, 3], "4": [0, 0, 0], "5": [0, 0, 0]}).to_excel(
            tmp_path / f"r_{year}.xlsx", index=False)
    params = {"inputs": {
        "schools": {"path": "s.xlsx", "columns": {"Код ОО": "school_id",
                                                  "Наименование ОО": "school_name",
                                                  "МО": "municipality"}},
        "results": [{"path": "r_*.xlsx", "constants": {"procedure": "ВПР"}, "columns": {
            "Код ОО": "school_id", "Год": "year", "Предмет": "subject", "Класс": "grade",
            "Участников": "n_participants", "2": "n_mark2", "3": "n_mark3", "4": "n_mark4",
            "5": "n_mark5"}}]}}
    ahead = ingest.ingest_inputs(parse_params(params, base_dir=tmp_path))
    monkeypatch.setattr(prefetch, "READ_AHEAD_SUFFIXES", (".none",))
    one_by_one = ingest.ingest_inputs(parse_params(params, base_dir=tmp_path))
    pd.testing.assert_frame_equal(ahead.tables["results"], one_by_one.tables["results"])
    pd.testing.assert_frame_equal(ahead.problems, one_by_one.problems)
    assert ahead.inputs == one_by_one.inputs
    assert len(ahead.tables["results"]) == 4  # school 3 is not in the list: rejected twice
    assert [i["rows_rejected"] for i in ahead.inputs if i["table"] == "results"] == [1, 1]

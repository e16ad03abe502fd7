"""The national benchmark's report (benchmarks/bench_national.py) judges each target right, and
its read floor reads every input file once; no national run happens here."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

SPEC = importlib.util.spec_from_file_location(
    "bench_national", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_national.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def _run(fmt, seconds, floor, peak, html):
    return {"schools": 40000, "format": fmt, "input_mb": 100.0, "floor_seconds": [floor, floor],
            "floor_by_kind": {"xlsx": floor}, "ratio": round(seconds / floor, 2),
            "run": {"seconds": seconds, "ok": True, "peak_tree_gb": peak, "peak_process_gb": peak,
                    "stage_seconds": {"ingest": seconds / 2}, "html_mb": {"02_identify.html": html}}}


def test_report_marks_met_and_missed_targets():
    md = bench.markdown({"machine": "test", "load_before": [1.0], "load_after": [2.0],
                         "runs": [_run("xlsx", 100.0, 25.0, 3.0, 6.0),
                                  _run("parquet", 60.0, 30.0, 4.5, 12.0)]})
    assert "| xlsx: run ÷ read floor | ≤ 2.5 | 4.0 | **missed** |" in md
    assert "| xlsx: peak memory GB | ≤ 4 | 3.0 | met |" in md
    assert "| parquet: run ÷ read floor | ≤ 2.5 | 2.0 | met |" in md
    assert "| parquet: peak memory GB | ≤ 4 | 4.5 | **missed** |" in md
    assert "| parquet: largest notebook HTML MB | ≤ 10 | 12.0 | **missed** |" in md
    lines = md.splitlines()
    header = next(line for line in lines if line.startswith("| schools"))
    assert header.count("|") == lines[lines.index(header) + 1].count("|")


def test_read_floor_reads_every_row_of_each_kind(tmp_path):
    pd.DataFrame({"a": range(7), "b": ["x"] * 7}).to_csv(tmp_path / "t.csv", sep=";", index=False,
                                                         encoding="cp1251")
    pd.DataFrame({"a": range(5)}).to_parquet(tmp_path / "t.parquet")
    pd.DataFrame({"a": range(3)}).to_excel(tmp_path / "t.xlsx", index=False)
    files = [(tmp_path / "t.csv", {"encoding": "cp1251", "sep": None, "header_row": None}),
             (tmp_path / "t.parquet", {"encoding": None, "sep": None, "header_row": None}),
             (tmp_path / "t.xlsx", {"encoding": None, "sep": None, "header_row": None})]
    floor = bench.read_floor(files)
    assert floor["rows"] == 7 + 5 + 4  # the workbook's header row is a row to the reader
    assert set(floor["by_kind"]) == {"csv", "parquet", "xlsx"}

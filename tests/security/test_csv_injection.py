"""Security: CSV outputs are safe to open in Excel (issue 17, item 11): a text cell starting with
= + - @ tab or CR gets the OWASP apostrophe, genuine numbers and other text stay as written —
in every table the run writes (`tables/*.csv`) and in data_quality.csv."""
from __future__ import annotations

import pandas as pd
import pytest

from support.runs import tiny_project
from workbench import pipeline
from workbench.context.tables_io import excel_safe, excel_safe_text, write_csv

HOSTILE = ['=HYPERLINK("http://evil.example","Нажмите")', "+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_get_the_apostrophe(text):
    assert excel_safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["-5", "+3,2", "-0.25", "1e-3", "-1E+5", "Школа № 1", "",
                                  "'уже текст", "a=b", " =1"])
def test_numbers_and_ordinary_text_are_left_alone(text):
    assert excel_safe_text(text) == text


def test_write_csv_keeps_numbers_and_neutralises_text(tmp_path):
    df = pd.DataFrame({"school_id": ["01", "=1+1"], "name": pd.array(["-3", "@x"], dtype="str"),
                       "value": [-1.5, 2.0], "flag": [True, False],
                       "mixed": pd.Series(["=A1", 5], dtype=object)})
    write_csv(df, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert back["school_id"].tolist() == ["01", "'=1+1"]
    assert back["name"].tolist() == ["-3", "'@x"]
    assert back["value"].astype(float).tolist() == [-1.5, 2.0]
    assert back["flag"].str.lower().tolist() == ["true", "false"]
    assert back["mixed"].tolist() == ["'=A1", "5"]
    assert df["school_id"].tolist() == ["01", "=1+1"]  # the caller's table is not changed
    assert excel_safe(df[["value"]]) is not None


@pytest.mark.slow
def test_a_whole_run_writes_no_live_formula_into_any_csv(tmp_path):
    params = tiny_project(tmp_path, n=15, names=HOSTILE[:4])
    vpr = tmp_path / "data" / "vpr_2023.csv"
    text = vpr.read_text(encoding="cp1251")  # a rejected row: a formula as a count
    vpr.write_text(text + "00001;2023/24;Физика;4;=1+2;10,0;30,0;30,0;30,0\n", encoding="cp1251")
    final = pipeline.run(params, use_notebooks=False)
    files = sorted((final / "tables").glob("*.csv")) + [final / "data_quality.csv"]
    seen = set()
    for f in files:
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col in df.columns:
            for v in df[col]:
                assert not (v[:1] in "=+-@\t\r" and not excel_safe_text(v) == v), (f.name, col, v)
                seen.add(v)
    assert "'" + HOSTILE[0] in seen  # the school name itself reached a table, neutralised
    dq = pd.read_csv(final / "data_quality.csv", dtype=str, keep_default_na=False)
    assert "'=1+2" in set(dq["value"]), dq
    # Parquet keeps the data as it is (for the explorer and the notebooks)
    assert HOSTILE[0] in set(pd.read_parquet(final / "tables" / "schools.parquet")["school_name"])

"""Every input through the steps and the tables combined (workbench.ingest.files).

The malformed-input corpus (tests/support/bad_inputs.py): every case either ingests cleanly
with the problem listed (file, Excel row, source column, value, severity, Russian message) or
raises DataError naming the file and what is wrong — never another exception — and the row
accounting holds (read = kept + rejected; kept rows are exactly the canonical rows). Random
hand-edited-spreadsheet damage does the same. A glob of yearly Parquet files, and the demo
region's files (xlsx with a title row, cp1251 CSV with decimal commas, pupil-level rows, ...)
ingest back to exactly the generator's canonical tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.bad_inputs import CASES, COLUMNS, RES, RES_HDR, Project, write_csv
from support.ingest import ingest_project
from workbench import ingest
from workbench.config import load_params, parse_params
from workbench.core.tables import KEYS


# ------------------------------------------------------------------ the malformed-input corpus
def _run(tmp_path, name):
    project = Project(tmp_path)
    expect = CASES[name](project)
    params = parse_params(project.params, base_dir=tmp_path)
    return expect, params


def _accounting_holds(res: ingest.IngestResult) -> None:
    for info in res.inputs:
        assert info["rows_read"] == info["rows_kept"] + info["rows_rejected"], info
    for table, df in res.tables.items():
        files = [i for i in res.inputs if i["table"] == table]
        tagged = res.files[table]
        for info in files:
            if table == "results" and "student" in str(info):
                continue
            n_rows = int((tagged["_file"] == info["path"]).sum())
            if n_rows and tagged is not None:
                assert n_rows <= info["rows_kept"]
        if table != "results":
            assert sum(i["rows_kept"] for i in files) == len(df), table


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(tmp_path, name):
    expect, params = _run(tmp_path, name)
    if expect.kind == "error":
        with pytest.raises(ingest.DataError) as info:
            ingest.ingest_inputs(params)
        msg = str(info.value)
        for frag in expect.contains:
            assert frag in msg, (frag, msg)
        assert "Traceback" not in msg
        return
    res = ingest.ingest_inputs(params)
    _accounting_holds(res)
    if expect.kind == "clean":
        expect.check(res)
        return
    pr = res.problems
    cand = pr[pr["file"].str.endswith(expect.file)]
    if expect.row is None:
        cand = cand[cand["row"].isna()]
    else:
        cand = cand[cand["row"] == expect.row]
    cand = cand[(cand["column"] == expect.column) & (cand["severity"] == expect.severity)]
    cand = cand[cand["value"].astype(str) == expect.value]
    assert len(cand), f"no problem like {expect} in\n{pr.to_string()}"
    assert cand["message"].str.contains(expect.message, regex=False).any(), cand["message"].tolist()
    if expect.check is not None:
        expect.check(res)
    # an error rejects exactly the named row; the file accounting shows it
    info = [i for i in res.inputs if i["path"].endswith(expect.file)][0]
    if expect.severity == "error" and expect.row is not None:
        assert info["rows_rejected"] >= 1


def test_clean_project_has_no_problems(tmp_path):
    project = Project(tmp_path)
    res = ingest.ingest_inputs(parse_params(project.params, base_dir=tmp_path))
    assert res.problems.empty, res.problems.to_string()
    assert {k: len(v) for k, v in res.tables.items()} == {
        "schools": 5, "context": 3, "results": 4, "monitoring": 2, "risk_survey": 2, "programme": 2}
    _accounting_holds(res)


def test_all_problems_collected_at_once(tmp_path):
    """Several different problems in one file are all listed in one pass."""
    project = Project(tmp_path)
    rows = [list(r) for r in RES]
    rows[0][5] = "двадцать"      # text in numeric
    rows[1][6] = "-1"            # negative count
    rows[2][0] = "9999"          # unknown school
    rows[3][1] = "1800"          # year out of range
    write_csv(project.path("results_2023.csv"), RES_HDR, rows)
    res = ingest.ingest_inputs(parse_params(project.params, base_dir=tmp_path))
    pr = res.problems[res.problems["file"].str.endswith("results_2023.csv")]
    assert sorted(pr["row"].tolist()) == [2, 3, 4, 5]
    assert len(res.tables["results"]) == 0
    info = [i for i in res.inputs if i["path"].endswith("results_2023.csv")][0]
    assert (info["rows_read"], info["rows_kept"], info["rows_rejected"]) == (4, 0, 4)


# ------------------------------------------------------------------ random damage
CELLS = ["", " ", "1001", "1002", "9999", "2023", "2023/24", "1999", "-1", "0", "20", "1 234",
         "1\u00a0234", "12,5", "12.5", "abc", "ВПР", "впр", "ОГЭ", "Математика", "5", "5 кл",
         "13", "н/д", "-", "да", "нет", "<b>x</b>", "Код ОО", "\"q;uoted\"", "2;3", "1e3", "nan"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=0, max_size=12), max_size=8),
       header_cut=st.integers(0, 3), blank_lines=st.integers(0, 2))
def test_random_results_file(tmp_path_factory, rows, header_cut, blank_lines):
    tmp = tmp_path_factory.mktemp("fuzz")
    project = Project(tmp)
    header = RES_HDR[header_cut:] if header_cut else RES_HDR
    text = "\n".join([";".join(header)] + [";".join(r) for r in RES[:2] + rows]) + "\n" * (1 + blank_lines)
    project.path("results_2023.csv").write_text(text, encoding="utf-8")
    params = parse_params(project.params, base_dir=tmp)
    try:
        res = ingest.ingest_inputs(params)
    except ingest.DataError as exc:
        assert "results_2023.csv" in str(exc)
        assert header_cut > 0
        return
    info = [i for i in res.inputs if i["path"].endswith("results_2023.csv")][0]
    assert info["rows_read"] == info["rows_kept"] + info["rows_rejected"]
    n_nonblank = 2 + sum(1 for r in rows if any(c.strip() for c in r))
    assert info["rows_read"] == n_nonblank
    assert len(res.tables["results"]) == sum(
        i["rows_kept"] for i in res.inputs if i["table"] == "results")
    if not header_cut:  # rows with extra non-empty cells are rejected, never truncated silently
        lines = [";".join(r) for r in rows]
        overflow = sum(1 for ln in lines if '"' not in ln and any(
            c.strip() for c in ln.split(";")[len(RES_HDR):]))
        assert info["rows_rejected"] >= overflow
    assert set(res.problems.columns) >= {"file", "row", "column", "value", "severity", "message"}
    assert COLUMNS  # corpus mapping in use


# ------------------------------------------------------------------ globs and the demo region
def test_parquet_and_glob_of_yearly_files(tmp_path):
    (tmp_path / "data").mkdir()
    for year, n2 in [(2022, 3), (2023, 1)]:
        pd.DataFrame({"school_id": ["1001", "1002"], "year": [year, year], "procedure": ["ОГЭ"] * 2,
                      "subject": ["Математика"] * 2, "grade": [9, 9], "n_participants": [30, 12],
                      "mean_score": [14.5, 11.0], "n_low": [n2, 0]}).to_parquet(
            tmp_path / "data" / f"oge_{year}.parquet")
    res = ingest_project(tmp_path, {"results": {"path": "data/oge_*.parquet"}})
    r = res.tables["results"].sort_values(["year", "school_id"])
    assert r["year"].tolist() == [2022, 2022, 2023, 2023]
    assert r["share_low"].tolist() == pytest.approx([0.1, 0, 1 / 30, 0])
    assert r["n_mark2"].isna().all()
    assert [i["rows_read"] for i in res.inputs if i["table"] == "results"] == [2, 2]
    assert len({i["sha256"] for i in res.inputs}) == 3


@pytest.fixture(scope="module")
def demo_ingested(demo600_run):
    """The files of the session's demo region (600 schools, seed 2026) ingested."""
    data_dir, _ = demo600_run
    return ingest.ingest_inputs(load_params(data_dir.parent.parent / "params" / "demo.yaml"))


def _norm(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    df = df.sort_values(key, kind="mergesort").reset_index(drop=True)
    return df.astype(object).where(df.notna(), np.nan)


def test_demo_files_ingest_to_generator_tables(demo_ingested, demo600):
    assert demo_ingested.problems.empty, demo_ingested.problems.head().to_string()
    for name, truth in demo600.tables.items():
        got = demo_ingested.tables[name]
        assert list(got.columns) == list(truth.columns), name
        pd.testing.assert_frame_equal(_norm(got, KEYS[name]), _norm(truth, KEYS[name]),
                                      check_dtype=False, atol=1e-9, obj=name)


def test_demo_accounting_and_no_pupil_ids(demo_ingested, demo600_run):
    data_dir, _ = demo600_run
    for info in demo_ingested.inputs:
        assert info["rows_read"] == info["rows_kept"] + info["rows_rejected"]
        assert info["rows_rejected"] == 0
    pupils = [i for i in demo_ingested.inputs if "students" in i["path"]]
    assert pupils and pupils[0]["rows_read"] > len(
        demo_ingested.tables["results"].query("procedure == 'РДР'"))
    ids = pd.read_csv(data_dir / "rdr_students.csv", dtype=str).iloc[:, 0]
    values = set(demo_ingested.tables["results"].astype(str).to_numpy().ravel())
    assert not values & set(ids)

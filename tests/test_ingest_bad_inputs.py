"""The malformed-input corpus (tests/bad_inputs/corpus.py): every case either ingests cleanly
with the problem listed (file, Excel row, source column, value, severity, Russian message) or
raises DataError naming the file and what is wrong — never another exception — and the row
accounting holds (read = kept + rejected; kept rows are exactly the canonical rows)."""
from __future__ import annotations

import pytest

from bad_inputs.corpus import CASES, Project
from workbench import ingest
from workbench.config import parse_params


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
    from bad_inputs.corpus import RES, RES_HDR, write_csv
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

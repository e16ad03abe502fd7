"""The ingest stage writes its outputs: data_quality.csv/.html, input meta, the canonical tables
(with their source file, hidden from later stages) and the DuckDB store, idempotently; values
shown in the quality report are escaped."""
from __future__ import annotations

import json

import pandas as pd

from support.bad_inputs import SCHOOLS, SCHOOLS_HDR, Project, write_csv
from workbench import ingest
from workbench.config import load_params, parse_params
from workbench.context import RunContext, store

N = 600  # schools of the session's demo region


def test_stage_writes_outputs_and_store(demo600_run, tmp_path):
    data_dir, _ = demo600_run
    params = load_params(data_dir.parent.parent / "params" / "demo.yaml")
    ctx = RunContext(params, tmp_path / "run", outputs_root=tmp_path / "outputs")
    out = ingest.run(ctx)
    assert not (tmp_path / "outputs").exists()  # the store changes only when a run publishes
    store.ingest_run_folder(tmp_path / "outputs", ctx.run_dir)  # as the runner does then
    dq = pd.read_csv(tmp_path / "run" / "data_quality.csv")
    assert list(dq.columns) == ["file", "row", "column", "value", "severity", "message"]
    page = (tmp_path / "run" / "data_quality.html").read_text(encoding="utf-8")
    assert "Качество исходных данных" in page and "http" not in page
    meta = json.loads((tmp_path / "run" / ".meta" / "inputs.json").read_text(encoding="utf-8"))
    assert {m["table"] for m in meta} == set(ingest.TABLE_RU)
    assert all(set(m) == {"path", "table", "sha256", "rows_read", "rows_kept", "rows_rejected"}
               for m in meta)
    assert len(ctx.table("schools")) == N and ctx.has_table("results")
    assert {"inputs", "problem_summary", "figures", "coverage", "results_by_year"} <= set(out)
    assert set(out["figures"]) == {"schools_per_municipality", "participants_per_year"}
    assert out["coverage"]["Школ"].sum() == N
    with store.Store(tmp_path / "outputs") as st:
        assert len(st.read("results")) == len(ctx.table("results"))
        assert len(st.log()) == len(meta)
        # every row carries its source file: rows per (table, sha) = rows kept from that file
        logged = {(r.table_name, r.sha256): r.rows for r in st.log().itertuples()}
        for m in meta:
            n = st.con.execute(f'SELECT count(*) FROM "{m["table"]}" WHERE _sha256 = ?',
                               [m["sha256"]]).fetchone()[0]
            assert logged[(m["table"], m["sha256"])] == n
            if m["table"] != "results" or "rdr" not in m["path"]:  # pupil rows are aggregated
                assert n == m["rows_kept"], m
            else:
                assert 0 < n < m["rows_kept"], m
    assert "_sha256" not in ctx.table("results").columns
    ingest.run(ctx)  # again: nothing added twice
    store.ingest_run_folder(tmp_path / "outputs", ctx.run_dir)
    with store.Store(tmp_path / "outputs") as st:
        assert len(st.read("results")) == len(ctx.table("results"))
        assert len(st.log()) == len(meta)


def test_stage_data_quality_escapes_values(tmp_path):
    project = Project(tmp_path)
    write_csv(project.path("schools.csv"), SCHOOLS_HDR,
              SCHOOLS + [["1006", "Школа 6", "Район А", "<script>alert(1)</script>"]])
    params = parse_params({**project.params, "ingest": {"use_store": False},
                           "quality": {"max_rejected_share": 0.5}}, base_dir=tmp_path)
    ctx = RunContext(params, tmp_path / "run")
    out = ingest.run(ctx)
    page = (tmp_path / "run" / "data_quality.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    dq = pd.read_csv(tmp_path / "run" / "data_quality.csv", dtype=str)
    assert dq.iloc[0].tolist()[:5] == ["data/schools.csv", "7", "Широта",
                                       "<script>alert(1)</script>", "error"]
    assert out["n_errors"] == 1
    assert not (tmp_path / "outputs").exists()

"""Round trip on the demo region: the files `workbench demo` writes (xlsx with a title row,
cp1251 CSV with decimal commas, pupil-level rows, ...) ingest back to exactly the generator's
canonical tables; and the ingest stage writes its outputs (data_quality, meta, canonical tables,
store)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench import demo, ingest, store
from workbench.canon import KEYS
from workbench.config import load_params
from workbench.pipeline import RunContext

N, SEED = 120, 11


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo_ingest")
    (root / "params").mkdir()
    demo.write_demo(root / "data" / "demo", root / "params" / "demo.yaml", n_schools=N, seed=SEED)
    return root


@pytest.fixture(scope="module")
def ingested(demo_project):
    return ingest.ingest_inputs(load_params(demo_project / "params" / "demo.yaml"))


def _norm(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    df = df.sort_values(key, kind="mergesort").reset_index(drop=True)
    return df.astype(object).where(df.notna(), np.nan)


def test_demo_files_ingest_to_generator_tables(ingested):
    region = demo.generate_region(n_schools=N, seed=SEED)
    assert ingested.problems.empty, ingested.problems.head().to_string()
    for name, truth in region.tables.items():
        got = ingested.tables[name]
        assert list(got.columns) == list(truth.columns), name
        pd.testing.assert_frame_equal(_norm(got, KEYS[name]), _norm(truth, KEYS[name]),
                                      check_dtype=False, atol=1e-9, obj=name)


def test_demo_accounting_and_no_pupil_ids(ingested, demo_project):
    for info in ingested.inputs:
        assert info["rows_read"] == info["rows_kept"] + info["rows_rejected"]
        assert info["rows_rejected"] == 0
    pupils = [i for i in ingested.inputs if "students" in i["path"]]
    assert pupils and pupils[0]["rows_read"] > len(ingested.tables["results"].query("procedure == 'РДР'"))
    ids = pd.read_csv(demo_project / "data" / "demo" / "rdr_students.csv", dtype=str).iloc[:, 0]
    values = set(ingested.tables["results"].astype(str).to_numpy().ravel())
    assert not values & set(ids)


def test_stage_writes_outputs_and_store(demo_project, tmp_path):
    params = load_params(demo_project / "params" / "demo.yaml")
    ctx = RunContext(params, tmp_path / "run")
    out = ingest.stage(ctx, store_root=tmp_path / "outputs")
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
    ingest.stage(ctx, store_root=tmp_path / "outputs")  # again: nothing added twice
    with store.Store(tmp_path / "outputs") as st:
        assert len(st.read("results")) == len(ctx.table("results"))
        assert len(st.log()) == len(meta)


def test_stage_data_quality_escapes_values(tmp_path):
    from bad_inputs.corpus import SCHOOLS, SCHOOLS_HDR, Project, write_csv
    from workbench.config import parse_params

    project = Project(tmp_path)
    write_csv(project.path("schools.csv"), SCHOOLS_HDR,
              SCHOOLS + [["1006", "Школа 6", "Район А", "<script>alert(1)</script>"]])
    params = parse_params({**project.params, "ingest": {"use_store": False}}, base_dir=tmp_path)
    ctx = RunContext(params, tmp_path / "run")
    out = ingest.stage(ctx)
    page = (tmp_path / "run" / "data_quality.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    dq = pd.read_csv(tmp_path / "run" / "data_quality.csv", dtype=str)
    assert dq.iloc[0].tolist()[:5] == ["data/schools.csv", "7", "Широта",
                                       "<script>alert(1)</script>", "error"]
    assert out["n_errors"] == 1
    assert not (tmp_path / "outputs").exists()

"""DuckDB store: rows keyed by source sha256, idempotent re-ingestion, ingestion log, read back."""
from __future__ import annotations

import pandas as pd
import pytest

from support.bad_inputs import RES, RES_HDR, Project, write_csv
from workbench import ingest
from workbench.context import store
from workbench.config import parse_params


def _ingest(tmp_path, project):
    res = ingest.ingest_inputs(parse_params(project.params, base_dir=tmp_path))
    store.ingest_result(res, tmp_path / "outputs")
    return res


def test_ingest_twice_adds_nothing(tmp_path):
    project = Project(tmp_path / "p")
    res = _ingest(tmp_path / "p", project)
    with store.Store(tmp_path / "p" / "outputs") as st:
        counts1 = {t: len(st.read(t)) for t in res.tables}
        log1 = st.log()
    _ingest(tmp_path / "p", project)
    with store.Store(tmp_path / "p" / "outputs") as st:
        counts2 = {t: len(st.read(t)) for t in res.tables}
        log2 = st.log()
        schools = st.read("schools")
    assert counts1 == counts2 == {k: len(v) for k, v in res.tables.items()}
    assert len(log1) == len(log2) == len(res.inputs) == 6
    assert log2.groupby(["path", "table_name"]).size().max() == 1
    assert set(log2["sha256"]) == {i["sha256"] for i in res.inputs}
    pd.testing.assert_frame_equal(schools.reset_index(drop=True),
                                  res.tables["schools"].reset_index(drop=True),
                                  check_dtype=False)


def test_read_by_sha_and_new_file_version(tmp_path):
    project = Project(tmp_path)
    res = _ingest(tmp_path, project)
    sha_res = [i["sha256"] for i in res.inputs if i["table"] == "results"][0]
    with store.Store(tmp_path / "outputs") as st:
        assert len(st.read("results", [sha_res])) == 4
        assert len(st.read("results", ["0" * 64])) == 0
    # a corrected export of the same file replaces the old rows; a second yearly file adds rows
    write_csv(project.path("results_2023.csv"), RES_HDR, RES[:3])
    write_csv(project.path("results_2024.csv"), RES_HDR, [["1001", "2024"] + RES[0][2:]])
    res2 = _ingest(tmp_path, project)
    with store.Store(tmp_path / "outputs") as st:
        r = st.read("results")
        log = st.log()
    assert len(r) == 4 and sorted(r["year"].tolist()) == [2023, 2023, 2023, 2024]
    assert len(log[log["table_name"] == "results"]) == 2
    assert sha_res not in set(log["sha256"])
    assert set(log["rows"][log["table_name"] == "results"]) == {3, 1}
    assert len(res2.tables["results"]) == 4


def test_store_keeps_no_pupil_rows(tmp_path):
    project = Project(tmp_path)
    cols = {"ID": "student_id", "Код ОО": "school_id", "Год": "year", "Предмет": "subject",
            "Класс": "grade", "Отметка": "mark"}
    project.spec("results").update(columns=cols, constants={"procedure": "ВПР"})
    write_csv(project.path("results_2023.csv"), list(cols),
              [["PUPIL-1", "1001", "2023", "Математика", "5", "4"],
               ["PUPIL-2", "1001", "2023", "Математика", "5", "2"]])
    _ingest(tmp_path, project)
    raw = (tmp_path / "outputs" / "store.duckdb").read_bytes()
    assert b"PUPIL-1" not in raw and b"PUPIL-2" not in raw
    with store.Store(tmp_path / "outputs") as st:
        r = st.read("results")
        assert "student_id" not in r.columns
        assert r[["n_participants", "n_low"]].values.tolist() == [[2, 1]]


def test_new_context_column_added(tmp_path):
    with store.Store(tmp_path) as st:
        st.put("context", "a" * 64, "c1.csv", pd.DataFrame({"school_id": ["1"], "year": [2023],
                                                             "share_ovz": [0.1]}))
        st.put("context", "b" * 64, "c2.csv", pd.DataFrame({"school_id": ["2"], "year": [2023],
                                                             "distance_km": [12.0]}))
        df = st.read("context")
    assert list(df.columns) == ["school_id", "year", "share_ovz", "distance_km"]
    assert df["distance_km"].isna().tolist() == [True, False]
    with store.Store(tmp_path) as st, pytest.raises(ValueError):
        st.put("pupils", "c" * 64, "x", df)


def test_store_held_by_another_process_gives_russian_error(tmp_path):
    import subprocess
    import sys
    import time

    code = ("import sys, time; from workbench.context import store; s = store.Store(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(4); s.close()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        t0 = time.monotonic()
        with pytest.raises(store.StoreError) as info:
            store.Store(tmp_path, wait_seconds=0.5)
        assert "занято другим процессом" in str(info.value)
        assert time.monotonic() - t0 < 3
        with store.Store(tmp_path, wait_seconds=15) as st:  # waits for the other one to finish
            assert "ingestion_log" in st.tables()
    finally:
        proc.wait(timeout=30)

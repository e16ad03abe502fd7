"""`workbench demo --pupil-results`: the ВПР pupil by pupil. Expanding a results row gives its
participants with the row's marks (checked by hand on two rows), the file ingested (DuckDB)
gives the ВПР results of the same region written as yearly files, and the default demo's files
are untouched by the option's existence."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from workbench import demo, ingest
from workbench.config import load_params
from workbench.demo import pupil_file


def test_two_rows_expanded_by_hand():
    v = pd.DataFrame({"school_id": ["0101001", "0202002"], "year": [2023, 2024],
                      "subject": ["Математика", "Русский язык"], "grade": [5, 4],
                      "n_participants": [4, 3], "n_mark2": [1.0, 0.0], "n_mark3": [2.0, 0.0],
                      "n_mark4": [0.0, 3.0], "n_mark5": [1.0, 0.0], "_s": [0, 7]})
    t = pupil_file.pupil_table(v).to_pandas()
    h = pupil_file.PUPIL_HEADERS
    assert t[h["mark"]].tolist() == [2, 3, 3, 5, 4, 4, 4]
    assert t[h["school_id"]].tolist() == ["0101001"] * 4 + ["0202002"] * 3
    assert t[h["year"]].tolist() == ["2023/24"] * 4 + ["2024/25"] * 3
    assert t[h["student_id"]].tolist()[:2] == ["23000000050000", "23000000050001"]
    assert t[h["student_id"]].tolist()[4] == "24000007040000"
    assert t[h["student_id"]].is_unique


def test_chunks_cover_every_row_once():
    n = np.array([5, 0, 7, 3, 9, 1])
    chunks = pupil_file._chunks(n, 8)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(n)
    assert all(a < b and b == c for (a, b), (c, _) in zip(chunks, chunks[1:]))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_pupil_file_ingests_to_the_vpr_of_the_yearly_files(tmp_path, fmt):
    demo.write_demo(tmp_path / "y" / "data", tmp_path / "y" / "p.yaml", n_schools=60, seed=5,
                    results_format="csv")
    pupils = demo.write_demo(tmp_path / "p" / "data", tmp_path / "p" / "p.yaml", n_schools=60,
                             seed=5, results_format="csv", pupil_results=fmt)
    assert "vpr_pupils" in pupils["files"] and not any(k.startswith("vpr_2") for k in
                                                        pupils["files"])
    path = tmp_path / "p" / "data" / f"vpr_pupils.{fmt}"
    n_rows = pq.read_metadata(path).num_rows if fmt == "parquet" else \
        sum(1 for _ in open(path, encoding="utf-8")) - 1
    got = {}
    for name in ("y", "p"):
        res = ingest.ingest_inputs(load_params(tmp_path / name / "p.yaml"))
        r = res.tables["results"]
        got[name] = r[r["procedure"] == "ВПР"].sort_values(
            ["school_id", "year", "subject", "grade"]).reset_index(drop=True)
        if name == "p":
            info = [i for i in res.inputs if i["path"].endswith(f"vpr_pupils.{fmt}")][0]
            assert info["rows_read"] == info["rows_kept"] == n_rows == pupils["rows"]["vpr_pupils"]
    assert n_rows == int(got["y"]["n_participants"].sum())
    pd.testing.assert_frame_equal(got["p"].drop(columns=["mean_score", "sd_score"]),
                                  got["y"].drop(columns=["mean_score", "sd_score"]))


def test_bad_pupil_format(tmp_path):
    with pytest.raises(ValueError):
        demo.write_demo(tmp_path / "d", tmp_path / "p.yaml", n_schools=60, pupil_results="xlsx")

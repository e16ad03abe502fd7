"""Mapping: unmapped source columns are dropped, declared indicators kept; repeated header
rows are recognised among many distinct codes."""
from __future__ import annotations

import numpy as np

from support.ingest import ingest_project
from workbench.ingest.headers import norm_header
from workbench.ingest.mapping import header_like


def test_unmapped_columns_dropped_declared_indicator_kept(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ctx.csv").write_text(
        "Код ОО;Год;ФИО директора;share_sport;Кружков\n1001;2023;Иванов И. И.;0,3;4\n",
        encoding="utf-8")
    res = ingest_project(tmp_path, {"context": {"path": "data/ctx.csv", "columns": {
        "Код ОО": "school_id", "Год": "year", "Кружков": "n_clubs"}}},
        context_indicators={"share_sport": "favourable", "n_clubs": "favourable"})
    ctx = res.tables["context"]
    assert list(ctx.columns) == ["school_id", "year", "share_sport", "n_clubs"]
    assert ctx.iloc[0]["share_sport"] == 0.3 and ctx.iloc[0]["n_clubs"] == 4


def test_header_like_on_long_columns():
    ids = np.array([f"{i:08d}" for i in range(7000)] + ["Код  ОО", "КОД\u00a0оо", "код оо 2"],
                   dtype=object)
    flags = header_like(ids, norm_header("Код ОО"))
    assert flags.tolist()[-3:] == [True, True, False] and flags.sum() == 2

"""The regional exports: files read back give the tables (by pandas, and by the real ingester
with no problems and no rejected rows), in every results format."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import demo
from workbench.config import load_params
from workbench.ingest import ingest_inputs

KEYS = ["school_id", "year", "procedure", "subject", "grade", "wave", "domain", "indicator",
        "risk_factor", "source"]


def _normalised(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    key = [k for k in KEYS if k in cols]
    out = df[cols].sort_values(key, kind="mergesort").reset_index(drop=True)
    for c in out.columns:  # None and NaN both mean "no value"
        if not pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def test_files_round_trip_to_tables(written, tmp_path):
    proj = written["a"]["project"]
    d = proj / "data" / "demo"
    region = demo.generate_region(60, seed=11)
    # schools.xlsx, sheet «ОО»
    sch = pd.read_excel(d / "schools.xlsx", sheet_name="ОО", engine="calamine", dtype={"Код ОО": str})
    assert list(sch.columns) == list(demo.SCHOOL_HEADERS.values())
    assert sch["Код ОО"].tolist() == region.tables["schools"]["school_id"].tolist()
    assert set(sch["Малокомплектная"]) <= {"да", "нет"}
    # context.csv: cp1251, ';', decimal comma, «2024/25»
    raw = (d / "context.csv").read_bytes()
    assert "Доля детей из малообеспеченных семей".encode("cp1251") in raw
    ctx = pd.read_csv(d / "context.csv", sep=";", decimal=",", encoding="cp1251", dtype={"Код ОО": str})
    assert ctx["Учебный год"].iloc[0] == "2021/22"
    assert np.allclose(ctx["Доля детей из малообеспеченных семей"],
                       region.tables["context"]["share_low_income"], equal_nan=True)
    # ВПР xlsx: title row above the header
    from python_calamine import CalamineWorkbook

    top = CalamineWorkbook.from_path(str(d / "vpr_2024.xlsx")).get_sheet_by_name("ВПР").to_python()
    assert top[0][0] == "Результаты ВПР 2024/25 учебного года"
    assert top[1] == demo.VPR_HEADERS  # «2»..«5» are text cells
    assert top[2][0] == region.tables["schools"]["school_id"].iloc[0]  # codes keep leading zeros
    v = pd.read_excel(d / "vpr_2024.xlsx", engine="calamine", header=1, dtype={"Код ОО": str})
    exp = region.tables["results"].query("procedure == 'ВПР' and year == 2024")
    assert len(v) == len(exp) and (v[["2", "3", "4", "5"]].sum(axis=1) == v["Кол-во участников"]).all()
    assert v["Кол-во участников"].sum() == exp["n_participants"].sum()
    # monitoring.csv: Russian values
    mon = pd.read_csv(d / "monitoring.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert set(mon["Этап"]) <= {"входной", "промежуточный", "итоговый"}
    assert set(mon["Направление"]) == {"результаты", "преподавание", "управление", "среда"}
    assert set(mon["Чем выше, тем лучше"]) == {"да", "нет"}
    prog = pd.read_csv(d / "programme.csv", encoding="utf-8-sig", dtype=str)
    assert set(prog["Участник программы"]) == {"да", "нет"}
    gt = json.loads((d / "ground_truth.json").read_text(encoding="utf-8"))
    assert gt["seed"] == 11 and gt["programme_effect"] == 0.25 and gt["programme_start_year"] == 2024


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_other_results_formats(tmp_path, fmt):
    s = demo.write_demo(tmp_path / "data" / "demo", tmp_path / "params" / "demo.yaml",
                        n_schools=30, seed=4, results_format=fmt)
    path = Path(s["files"]["vpr_2023"])
    assert path.name == f"vpr_2023.{fmt}"
    df = (pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype={"Код ОО": str}) if fmt == "csv"
          else pd.read_parquet(path))
    assert list(df.columns) == demo.VPR_HEADERS
    assert (df[["2", "3", "4", "5"]].sum(axis=1) == df["Кол-во участников"]).all()
    assert not list((tmp_path / "data" / "demo").glob("vpr_*.xlsx"))


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "parquet"])
def test_ingested_demo_equals_generated_tables(tmp_path, fmt):
    summary = demo.write_demo(tmp_path / "data" / "demo", tmp_path / "params" / "demo.yaml",
                              n_schools=60, seed=21, results_format=fmt)
    params = load_params(summary["params_path"])
    got = ingest_inputs(params)
    assert len(got.problems) == 0, got.problems.head().to_dict("records")
    expected = demo.generate_region(60, seed=21)
    for i in got.inputs:
        assert i["rows_rejected"] == 0 and i["rows_read"] == i["rows_kept"]
    for name, exp in expected.tables.items():
        df = got.tables[name]
        assert set(df.columns) == set(exp.columns), name
        pd.testing.assert_frame_equal(_normalised(df, list(exp.columns)),
                                      _normalised(exp, list(exp.columns)),
                                      check_dtype=False, check_exact=False, atol=1e-9, obj=name)

"""Loading a run: names from the schools table, a run without optional tables, run folders
resolved from a folder or a params file with Russian errors, the run's small-cell param."""
from __future__ import annotations

import io
import json
import shutil

import openpyxl
import pandas as pd
import pytest

import support.explorer as ws
from workbench import explorer
from workbench.core.errors import WorkbenchError
from workbench.identify.lists import N_PUPILS


def test_load_run_takes_names_from_schools_table(data, run_dir):
    raw = pd.read_parquet(run_dir / "tables" / "identification.parquet")
    assert "school_name" not in raw.columns  # names must come from tables/schools.parquet
    row = data.identification[data.identification["school_id"] == "S0007"].iloc[0]
    assert row["school_name"] == "Школа № 8"
    assert row["municipality"] == ws.MUNICIPALITIES[7 % len(ws.MUNICIPALITIES)]
    assert data.region == "Тестовый край"
    assert data.years == [2021, 2022, 2023, 2024, 2025]


def test_load_run_with_names_in_identification_and_no_schools_table(tmp_path):
    schools, ident = ws.make_identification(30)
    ident = ident.merge(schools, on="school_id")
    (tmp_path / "tables").mkdir()
    ident.to_parquet(tmp_path / "tables" / "identification.parquet")
    d = explorer.load_run(tmp_path)
    assert d.identification["school_name"].str.startswith("Школа №").all()
    assert len(d.schools) == 30
    app = explorer.Explorer(d)  # no clusters, partners, dynamics: still works
    assert app.cluster.options == (("Все кластеры", explorer.ALL),)
    app.show_school("S0001")
    assert "Школа № 2" in app.card.value


def test_resolve_run_dir_errors_are_russian(tmp_path):
    with pytest.raises(WorkbenchError, match="не найдена"):
        explorer.resolve_run_dir(tmp_path / "nope")
    with pytest.raises(WorkbenchError, match="workbench run"):
        explorer.resolve_run_dir(tmp_path)
    proj = tmp_path / "proj"
    (proj / "params").mkdir(parents=True)
    pfile = proj / "params" / "x.yaml"
    pfile.write_text("run_id: r1\ninputs:\n  schools: {path: data/s.csv}\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match=r"Сначала выполните расчёт: workbench run"):
        explorer.resolve_run_dir(pfile)
    ws.write_run(proj / "outputs" / "r1", n_schools=20)
    assert explorer.resolve_run_dir(pfile) == proj / "outputs" / "r1"


def test_the_run_small_cell_param_reaches_the_list_and_its_download(run_dir, tmp_path):
    """briefings.min_cell of the run (the one small-cell param) suppresses the share of «2» in
    the list on screen and in the xlsx, not a constant of 5."""
    assert explorer.load_run(run_dir).min_cell == 5  # no briefings section: the default
    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    manifest["params"]["briefings"] = {"min_cell": 25}
    (run / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    d = explorer.load_run(run)
    assert d.min_cell == 25
    from workbench.config.explorer import ExplorerParams

    app = explorer.Explorer(d, ExplorerParams(max_table_rows=200))
    app.category.value = explorer.ALL
    app.municipality.value = ws.MUNICIPALITIES[0]  # 100 schools: the whole table is on screen
    small = app.listed[app.listed["n_pupils"] < 25]
    assert 0 < len(small) and (app.listed["n_pupils"] < 5).sum() < len(small)
    assert sum(r["cells"][5] == "<25 уч." for r in app.table.rows) == len(small)
    sheet = openpyxl.load_workbook(io.BytesIO(app.xlsx_bytes())).active
    top = next(i for i, r in enumerate(sheet.iter_rows(values_only=True), 1) if r[0] == "Код ОО")
    header = [c.value for c in sheet[top]]
    n_col, share_col = header.index(N_PUPILS), header.index("Доля «2»")
    rows = list(sheet.iter_rows(min_row=top + 1, values_only=True))
    assert sum(r[n_col] == "<25" for r in rows) == len(small)
    assert all(r[share_col] is None for r in rows if r[n_col] == "<25")

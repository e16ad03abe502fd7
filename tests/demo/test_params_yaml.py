"""The demo params file: equal to the committed params/demo.yaml, valid, pointing at the files;
absolute paths when the data lie outside the project."""
from __future__ import annotations

import glob
from pathlib import Path

from workbench import demo
from workbench.config import load_params

ROOT = Path(__file__).resolve().parents[2]


def test_committed_params_equal_generated(written):
    committed = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8")
    assert Path(written["a"]["params_path"]).read_text(encoding="utf-8") == committed


def test_written_params_validate_and_point_at_files(written):
    summary = written["a"]
    p = load_params(summary["params_path"])
    assert p.run_id == "demo" and p.region == "Демонстрационный край"
    assert p.inputs.schools.path == "data/demo/schools.xlsx"
    assert [r.constants.get("procedure") for r in p.inputs.results] == ["ВПР", None, "РДР"]
    assert len(glob.glob(str(p.resolve(p.inputs.results[0].path)))) == 5
    for spec in [p.inputs.schools, p.inputs.context, *p.inputs.results, p.inputs.monitoring,
                 p.inputs.risk_survey, p.inputs.programme]:
        assert glob.glob(str(p.resolve(spec.path))), spec.path
    assert p.inputs.results[0].columns["2"] == "n_mark2"
    assert p.inputs.results[2].columns == {"Код участника": "student_id", "Код ОО": "school_id",
                                           "Год": "year", "Предмет": "subject", "Класс": "grade",
                                           "Отметка": "mark"}
    text = Path(summary["params_path"]).read_text(encoding="utf-8")
    assert "# Параметры запуска" in text and "ground_truth" not in text
    # the number of clusters is left to the data (issue 15): no fixed k, default method
    assert p.clusters.k is None and p.clusters.method == "gmm"


def test_params_use_absolute_paths_outside_the_project(tmp_path):
    s = demo.write_demo(tmp_path / "elsewhere", tmp_path / "proj" / "params" / "x.yaml",
                        n_schools=30, seed=1, results_format="csv")
    text = Path(s["params_path"]).read_text(encoding="utf-8")
    assert f"path: {(tmp_path / 'elsewhere').resolve().as_posix()}/schools.xlsx" in text
    assert "vpr_*.csv" in text
    p = load_params(s["params_path"])
    assert Path(p.inputs.results[0].path).is_absolute()

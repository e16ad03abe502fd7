"""A region with only a school list, one ФИС ОКО-style percent file and two context columns
(no ОГЭ/ЕГЭ, no monitoring, no risk survey, no programme) still gets a whole, sensible run."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.regions import contract_checker

from workbench.config.stages import STAGES

BIN = Path(sys.executable).parent
CHECKER = contract_checker(Path(__file__)) or Path("/nonexistent/check_contract.py")
pytestmark = pytest.mark.slow


def _comma(x: float) -> str:
    return str(round(x, 1)).replace(".", ",")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    proj = tmp_path_factory.mktemp("minimal")
    (proj / "data").mkdir()
    (proj / "params").mkdir()
    rng = np.random.default_rng(1)
    n = 60
    ids = [f"5{i:04d}" for i in range(n)]
    pd.DataFrame({"Код ОО": ids, "Наименование ОО": [f"МБОУ СОШ № {i}" for i in range(n)],
                  "МО": [f"Район {i % 4}" for i in range(n)]}).to_csv(
        proj / "data" / "oo.csv", sep=";", index=False, encoding="cp1251")
    quality = rng.normal(0, 0.5, n)
    quality[:3] = -2.0  # three clearly weak schools
    rows = []
    for year in (2023, 2024, 2025):
        for i, sid in enumerate(ids):
            for grade in (4, 5, 6):
                for subject in ("Математика", "Русский язык"):
                    p2 = float(np.clip(0.12 - 0.1 * quality[i] + rng.normal(0, 0.02), 0, 0.7))
                    p5 = float(np.clip(0.2 + 0.08 * quality[i], 0.02, 0.5))
                    p3 = 1 - p2 - 0.3 - p5
                    rows.append({"Код ОО": sid, "Год": f"{year}/{str(year + 1)[2:]}",
                                 "Предмет": subject, "Класс": grade,
                                 "Участников": int(rng.integers(20, 60)),
                                 "«2», %": _comma(p2 * 100), "«3», %": _comma(p3 * 100),
                                 "«4», %": "30,0", "«5», %": _comma(p5 * 100)})
    pd.DataFrame(rows).to_csv(proj / "data" / "vpr.csv", sep=";", index=False, encoding="cp1251")
    pd.DataFrame({"Код ОО": ids, "Год": "2025/26",
                  "Доля малообеспеченных": [_comma(x) for x in rng.uniform(0, 0.5, n)],
                  "Сельская": rng.integers(0, 2, n)}).to_csv(
        proj / "data" / "ctx.csv", sep=";", index=False, encoding="cp1251")
    (proj / "params" / "min.yaml").write_text("""run_id: min
region: Малый край
inputs:
  schools: {path: data/oo.csv, columns: {"Код ОО": school_id, "Наименование ОО": school_name, "МО": municipality}}
  context: {path: data/ctx.csv, columns: {"Код ОО": school_id, "Год": year, "Доля малообеспеченных": share_low_income, "Сельская": is_rural}}
  results:
    path: data/vpr.csv
    constants: {procedure: ВПР}
    columns: {"Код ОО": school_id, "Год": year, "Предмет": subject, "Класс": grade, "Участников": n_participants,
              "«2», %": pct_mark2, "«3», %": pct_mark3, "«4», %": pct_mark4, "«5», %": pct_mark5}
""", encoding="utf-8")
    out = subprocess.run([BIN / "workbench", "run", proj / "params" / "min.yaml"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return proj / "outputs" / "min"


def test_contract_holds(project):
    if not CHECKER.exists():
        pytest.skip(f"contract checker not found at {CHECKER}")
    res = subprocess.run([sys.executable, CHECKER, project], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout


def test_missing_parts_are_said(project):
    man = json.loads((project / "manifest.json").read_text(encoding="utf-8"))
    assert sum(i["rows_rejected"] for i in man["inputs"]) == 0
    assert any("мониторинга не переданы" in n for n in man["notes"])
    assert len(list((project / "notebooks").glob("*.html"))) == len(STAGES)  # a notebook per stage


def test_weak_schools_are_listed_with_reasons(project):
    ident = pd.read_csv(project / "tables" / "identification.csv", dtype={"school_id": str})
    now = ident[ident["year"] == ident["year"].max()].set_index("school_id")
    for sid in ("50000", "50001", "50002"):
        assert now.loc[sid, "category"] in {"low_results", "low_results_adverse"}, sid
        assert "доля «2» по ВПР" in now.loc[sid, "reasons"]
    assert (project / "briefings" / "school" / "50000.html").exists()

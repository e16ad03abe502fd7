"""A tiny region with the shapes real offices send (ФИС ОКО percent export without a year column
in one file, school-year strings, codes with leading zeros, shares in percent, cp1251, a
municipality column), written independently of `workbench.demo`, for whole runs of the runner,
the store, the security cases and the fuzz test. `tiny_project(root)` → the params file."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

PARAMS = """run_id: {run_id}
region: Малый край
briefings: {{progress: false}}
inputs:
  schools: {{path: data/oo.csv, columns: {{"Код ОО": school_id, "Наименование ОО": school_name, "МО": municipality}}}}
  context: {{path: data/ctx.csv, columns: {{"Код ОО": school_id, "Год": year, "Доля малообеспеченных": share_low_income, "Сельская": is_rural, "Обучающихся": n_students}}}}
  results:
    path: data/vpr_*.csv
    constants: {{procedure: ВПР}}
    columns: {{"Код ОО": school_id, "Год": year, "Предмет": subject, "Класс": grade, "Участников": n_participants,
              "«2», %": pct_mark2, "«3», %": pct_mark3, "«4», %": pct_mark4, "«5», %": pct_mark5}}
"""


def _comma(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def tiny_project(root: Path, n: int = 30, years: tuple[int, ...] = (2023, 2024), seed: int = 1,
                 run_id: str = "tiny", names: list[str] | None = None,
                 encoding: str = "cp1251") -> Path:
    """Files of an n-school region in root/data and root/params/tiny.yaml (returned); `names`
    replaces the first school names (hostile text for the security cases; the school list is
    then best written in UTF-8: `encoding`)."""
    rng = np.random.default_rng(seed)
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "params").mkdir(parents=True, exist_ok=True)
    ids = [f"0{i + 1:04d}" for i in range(n)]  # leading zeros, as in ФИС ОКО
    school_names = [f"МБОУ СОШ № {i + 1}" for i in range(n)]
    for i, name in enumerate(names or []):
        school_names[i] = name
    pd.DataFrame({"Код ОО": ids, "Наименование ОО": school_names,
                  "МО": [f"Район {'АБВ'[i % 3]}" for i in range(n)]}).to_csv(
        root / "data" / "oo.csv", sep=";", index=False, encoding=encoding)
    quality = rng.normal(0, 0.5, n)
    quality[: max(2, n // 10)] = -1.8  # a few clearly weak schools
    for year in years:
        rows = []
        for i, sid in enumerate(ids):
            for grade in (4, 5):
                for subject in ("Математика", "Русский язык"):
                    p2 = float(np.clip(0.12 - 0.1 * quality[i] + rng.normal(0, 0.02), 0, 0.6))
                    p5 = float(np.clip(0.2 + 0.08 * quality[i], 0.02, 0.4))
                    p3 = 1 - p2 - 0.3 - p5
                    rows.append({"Код ОО": sid, "Год": f"{year}/{str(year + 1)[2:]}",
                                 "Предмет": subject, "Класс": grade,
                                 "Участников": int(rng.integers(3 if i == n - 1 else 15, 40)),
                                 "«2», %": _comma(p2 * 100), "«3», %": _comma(p3 * 100),
                                 "«4», %": "30,0", "«5», %": _comma(p5 * 100)})
        pd.DataFrame(rows).to_csv(root / "data" / f"vpr_{year}.csv", sep=";", index=False,
                                  encoding="cp1251")
    adverse = np.clip(0.25 - 0.3 * quality + rng.normal(0, 0.05, n), 0, 0.9)
    pd.DataFrame({"Код ОО": ids, "Год": f"{years[-1]}/{str(years[-1] + 1)[2:]}",
                  "Доля малообеспеченных": [_comma(x) for x in adverse],
                  "Сельская": rng.integers(0, 2, n),
                  "Обучающихся": rng.integers(40, 900, n)}).to_csv(
        root / "data" / "ctx.csv", sep=";", index=False, encoding="cp1251")
    params = root / "params" / "tiny.yaml"
    params.write_text(PARAMS.format(run_id=run_id), encoding="utf-8")
    return params

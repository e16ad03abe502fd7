"""Benchmark (run: .venv/bin/python benchmarks/bench_ingest.py): ~2M result rows (40,000 schools × 5 years × 10 grade-subject rows) from Parquet.
The target is well under 30 s on an idle machine; the assertion leaves room for a shared one."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from workbench import ingest
from workbench.config import parse_params


def two_million_result_rows(tmp_path) -> float:
    ns, years = 40_000, 5
    combos = [(g, s) for g in range(4, 9) for s in ("Русский язык", "Математика")]
    rng = np.random.default_rng(1)
    ids = np.array([f"{100000 + i}" for i in range(ns)], dtype=object)
    pd.DataFrame({"Код ОО": ids, "Наименование": [f"Школа {i}" for i in range(ns)],
                  "МО": [f"Район {i % 80}" for i in range(ns)]}).to_parquet(tmp_path / "s.parquet")
    n = ns * years * len(combos)
    marks = rng.multinomial(40, [0.1, 0.4, 0.35, 0.15], size=n)
    pd.DataFrame({
        "Код ОО": np.repeat(ids, years * len(combos)),
        "Год": np.tile(np.repeat(np.arange(2019, 2019 + years), len(combos)), ns),
        "Предмет": np.tile(np.array([c[1] for c in combos], dtype=object), ns * years),
        "Класс": np.tile(np.array([c[0] for c in combos]), ns * years),
        "Участников": marks.sum(1), "2": marks[:, 0], "3": marks[:, 1], "4": marks[:, 2],
        "5": marks[:, 3], "Средний балл": np.round(rng.normal(3.5, 0.3, n), 2),
    }).to_parquet(tmp_path / "r.parquet")
    params = parse_params({"ingest": {"use_store": False}, "inputs": {
        "schools": {"path": "s.parquet", "columns": {"Код ОО": "school_id", "Наименование": "school_name",
                                                     "МО": "municipality"}},
        "results": {"path": "r.parquet", "constants": {"procedure": "ВПР"}, "columns": {
            "Код ОО": "school_id", "Год": "year", "Предмет": "subject", "Класс": "grade",
            "Участников": "n_participants", "2": "n_mark2", "3": "n_mark3", "4": "n_mark4",
            "5": "n_mark5", "Средний балл": "mean_score"}}}}, base_dir=tmp_path)
    t0 = time.perf_counter()
    res = ingest.ingest_inputs(params)
    seconds = time.perf_counter() - t0
    print(f"ingest of {n} result rows: {seconds:.1f} s")
    assert len(res.tables["results"]) == n == 2_000_000 and res.problems.empty
    assert abs(res.tables["results"]["share_low"].mean() - 0.1) < 0.005
    return seconds


if __name__ == "__main__":
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        two_million_result_rows(Path(tmp))

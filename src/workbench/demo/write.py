"""`workbench demo`: generate the region and write it as regional-export-like files, its ground
truth and the params file that maps the files."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from workbench.demo.files import RESULTS_FORMATS, write_exports
from workbench.demo.generate import generate_region
from workbench.demo.ground_truth import write_ground_truth
from workbench.demo.params_yaml import write_params
from workbench.demo.plan import write_plans
from workbench.demo.pupil_file import PUPIL_FORMATS


def write_demo(out_dir: Path, params_path: Path, n_schools: int = 600, seed: int = 2026,
               programme_effect: float = 0.25, results_format: str = "xlsx",
               pupil_results: str | None = None) -> dict[str, Any]:
    """Write the demo region as regional-export-like files into `out_dir` and its params file;
    with `pupil_results` (csv, parquet) the ВПР pupil by pupil (pupil_file.py).

    Returns a summary: out_dir, params_path, files (name → path), rows (name → data rows),
    seconds, n_schools, seed.
    """
    if pupil_results is not None and pupil_results not in PUPIL_FORMATS:
        raise ValueError(f"pupil_results must be one of {PUPIL_FORMATS}, got {pupil_results!r}")
    if results_format not in RESULTS_FORMATS:
        raise ValueError(f"results_format must be one of {RESULTS_FORMATS}, got {results_format!r}")
    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    params_path = Path(params_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in [*out_dir.glob("vpr_*.*"), *out_dir.glob("plans/*.xlsx")]:  # stale files  # stale yearly files of an earlier run (other format/years)
        if old.suffix in (".xlsx", ".csv", ".parquet"):
            old.unlink()
    region = generate_region(n_schools=n_schools, seed=seed, programme_effect=programme_effect)
    written = write_exports(region, out_dir, results_format, pupil_results)
    written.update(write_plans(region, out_dir, seed))
    files = {name: path for name, (path, _) in written.items()}
    rows = {name: n for name, (_, n) in written.items()}
    files.update(write_ground_truth(region, out_dir, files, results_format))
    write_params(params_path, out_dir, results_format, pupil_results)
    return {"out_dir": str(out_dir), "params_path": str(params_path),
            "files": {k: str(p) for k, p in files.items()}, "rows": rows,
            "seconds": round(time.perf_counter() - t_start, 2), "n_schools": int(n_schools),
            "seed": int(seed), "results_format": results_format,
            **({"pupil_results": pupil_results} if pupil_results else {})}

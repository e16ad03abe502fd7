"""Benchmark of the school briefings: rendered by the package in one process vs the naive way.

    .venv/bin/python benchmarks/bench_briefings.py                 # 600-school demo, 3 naive runs
    .venv/bin/python benchmarks/bench_briefings.py --schools 200 --naive 2 --json

1. The demo region (seed 2026) goes through identify, clusters (with partners) and monitoring in
   process; then `briefings.stage.run` renders every briefing. Reported: the median time per school
   passport, the whole stage, the number of pages.
2. The naive way: a tiny per-school notebook (written to a temp dir) is executed by papermill and
   exported by `jupyter nbconvert --no-input` for a sample of schools; reported: seconds per school.
3. Ratio = naive seconds per school / median package seconds per school.

Writes benchmarks/results/briefings.json and prints a Markdown table; with --json the last line of
stdout is the JSON (benchmarks/run.py reads it).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent

NAIVE_CODE = '''import pandas as pd
from pathlib import Path
from IPython.display import HTML, display
from workbench import briefings
from workbench.briefings.prepare import prepare
from workbench.briefings.school_view import school_view
from workbench.config.briefings import BriefingsParams
from workbench.core.formatting import year_label
from workbench.core.tables import CANONICAL_TABLES
rd = Path(run_dir)
tables = {}
for n in CANONICAL_TABLES:
    p = rd / ".canonical" / f"{n}.parquet"
    tables[n] = pd.read_parquet(p) if p.exists() else None
for n in briefings.PRODUCED:
    p = rd / "tables" / f"{n}.parquet"
    tables[n] = pd.read_parquet(p) if p.exists() else None
prep = prepare(tables, region="Демонстрационный край",
               risk_names=dict(zip(tables["risk_profiles"]["risk_factor"],
                                   tables["risk_profiles"]["risk_name"])))
view = school_view(briefings.school_input(prep, school_id), BriefingsParams(progress=False))
page = briefings.environment().get_template("school.html").render(
    root="../", title="Паспорт", region=prep.region, run_id="", year=prep.year,
    year_label=year_label(prep.year), missing=[], **view)
display(HTML(page))'''


def naive_notebook(path: Path) -> None:
    """The per-school notebook of the naive approach (parameters: school_id, run_dir)."""
    nb = new_notebook(cells=[
        new_code_cell('school_id = ""\nrun_dir = ""', metadata={"tags": ["parameters"]}),
        new_code_cell(NAIVE_CODE)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    nbformat.write(nb, path)


def build_run(n_schools: int, seed: int, run_dir: Path) -> dict:
    """Demo region → canonical tables → identify, clusters, monitoring in process."""
    from workbench import demo, pipeline
    from workbench.config import parse_params
    from workbench.context import RunContext

    params = parse_params({"inputs": {"schools": {"path": "-"}}, "run_id": "bench",
                           "region": "Демонстрационный край", "briefings": {"progress": False}})
    ctx = RunContext(params, run_dir)
    t0 = time.perf_counter()
    reg = demo.generate_region(n_schools=n_schools, seed=seed)
    for k, v in reg.tables.items():
        ctx.write_canonical(k, v)
    times = {}
    for name in ("identify", "clusters", "monitoring"):
        t = time.perf_counter()
        pipeline.run_stage_inprocess(name, ctx)
        times[name] = round(time.perf_counter() - t, 2)
    times["total_setup"] = round(time.perf_counter() - t0, 2)
    return {"ctx": ctx, "setup_seconds": times}


def naive_runs(run_dir: Path, school_ids: list[str]) -> list[float]:
    """Seconds per school of papermill + nbconvert on the tiny per-school notebook."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nb = tmp / "school.ipynb"
        naive_notebook(nb)
        for sid in school_ids:
            t0 = time.perf_counter()
            executed = tmp / f"school_{sid}.ipynb"
            subprocess.run([str(BIN / "papermill"), str(nb), str(executed), "-r", "school_id", sid,
                            "-r", "run_dir", str(run_dir), "-k", "python3", "--no-progress-bar"],
                           check=True, capture_output=True)
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                            str(executed)], check=True, capture_output=True)
            out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=600)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--naive", type=int, default=3, help="schools rendered the naive way")
    ap.add_argument("--json", action="store_true", help="last stdout line is the JSON result")
    args = ap.parse_args()

    from workbench import briefings

    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        built = build_run(args.schools, args.seed, run_dir)
        t0 = time.perf_counter()
        out = briefings.stage.run(built["ctx"])
        stage_s = time.perf_counter() - t0
        pages = len(list((run_dir / "briefings").rglob("*.html")))
        ids = sorted(p.stem for p in (run_dir / "briefings" / "school").glob("*.html"))
        tm = built["ctx"].table("tech_map")
        listed = sorted(set(tm["school_id"].astype(str))) if len(tm) else []
        sample = (listed + [i for i in ids if i not in listed])[:args.naive]
        naive = naive_runs(run_dir, sample) if args.naive else []
    median_ms = out["median_school_ms"]
    naive_s = statistics.median(naive) if naive else None
    res = {
        "schools": args.schools, "pages": pages, "stage_seconds": round(stage_s, 2),
        "median_ms": round(median_ms, 2),
        "naive_schools": len(naive), "naive_seconds_per_school": round(naive_s, 2) if naive else None,
        "ratio": round(naive_s * 1000 / median_ms) if naive and median_ms else None,
        "naive_all_schools_hours": round(naive_s * args.schools / 3600, 2) if naive else None,
        "setup_seconds": built["setup_seconds"],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "briefings.json").write_text(json.dumps(res, ensure_ascii=False, indent=2),
                                        encoding="utf-8")
    md = ["| measure | value |", "|---|---|",
          f"| schools | {res['schools']} |", f"| pages rendered | {res['pages']} |",
          f"| briefings stage, s (risks, xlsx, all pages) | {res['stage_seconds']} |",
          f"| median per school passport, ms | {res['median_ms']} |",
          f"| naive papermill + nbconvert per school, s (n={res['naive_schools']}) | "
          f"{res['naive_seconds_per_school']} |",
          f"| ratio naive / package | {res['ratio']} |",
          f"| naive for all schools, h | {res['naive_all_schools_hours']} |"]
    print("\n".join(md))
    if args.json:
        print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Benchmark of the school briefings: rendered by the package in one process vs the naive way.

    .venv/bin/python benchmarks/bench_briefings.py                 # 600-school demo, 3 naive runs
    .venv/bin/python benchmarks/bench_briefings.py --schools 200 --naive 2 --json
    .venv/bin/python benchmarks/bench_briefings.py --schools 8000 --naive 0 --before 17002ea

1. The demo region (seed 2026) goes through identify, clusters (with partners) and monitoring in
   process; then `briefings.stage.run` renders every briefing. Reported: the median time per school
   passport, the whole stage, the number of pages.
2. The naive way: a tiny per-school notebook (written to a temp dir) is executed by papermill and
   exported by `jupyter nbconvert --no-input` for a sample of schools; reported: seconds per school.
3. Ratio = naive seconds per school / median package seconds per school.

4. With --before COMMIT: the same built run (copied) goes through the briefings stage with that
   commit's code (its src/ from `git archive`, first on PYTHONPATH) and with this code, in child
   processes, alternately (`--rounds` times each, before first); reported: the stage's wall and
   CPU seconds of each (CPU time suffers less from other work on a shared machine), the ratios
   of the medians, and whether the two wrote byte-identical briefings, risk
   profiles and technological maps.

Writes benchmarks/results/briefings.json and prints a Markdown table; with --json the last line of
stdout is the JSON (benchmarks/run.py reads it).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
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


PARAMS = {"inputs": {"schools": {"path": "-"}}, "run_id": "bench",
          "region": "Демонстрационный край", "briefings": {"progress": False}}


def context(run_dir: Path):
    """The benchmark's RunContext over run_dir (the same params in every process)."""
    from workbench.config import parse_params
    from workbench.context import RunContext

    return RunContext(parse_params(PARAMS), run_dir)


def build_run(n_schools: int, seed: int, run_dir: Path) -> dict:
    """Demo region → canonical tables → identify, clusters, monitoring in process."""
    from workbench import demo, pipeline

    ctx = context(run_dir)
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


def outputs_digest(run_dir: Path) -> str:
    """sha256 over every file the briefings stage writes (names and bytes, in sorted order)."""
    h = hashlib.sha256()
    files = sorted((run_dir / "briefings").rglob("*")) + [
        run_dir / "tables" / f"{t}.{ext}" for t in ("risk_profiles", "tech_map")
        for ext in ("csv", "parquet")]
    for f in files:
        if f.is_file():
            h.update(str(f.relative_to(run_dir)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def stage_only(run_dir: Path) -> None:
    """Child process of --before: the briefings stage alone on run_dir; prints its JSON."""
    from workbench import briefings

    t0, c0 = time.perf_counter(), time.process_time()
    briefings.stage.run(context(run_dir))
    print(json.dumps({"seconds": round(time.perf_counter() - t0, 2),
                      "cpu_seconds": round(time.process_time() - c0, 2),
                      "digest": outputs_digest(run_dir)}))


def compare(run_dir: Path, commit: str, rounds: int) -> dict:
    """The briefings stage on copies of run_dir with the code of `commit` and with this code,
    alternately in child processes."""
    out: dict = {"commit": commit, "before": [], "after": [], "before_cpu": [], "after_cpu": [],
                 "digests": set()}
    with tempfile.TemporaryDirectory(prefix="bench_briefings_before_") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        for _ in range(rounds):
            for label, path in (("before", str(Path(tmp) / "src")), ("after", "")):
                copy = Path(tmp) / "run"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("briefings"))
                env = {**os.environ, "PYTHONPATH": path}
                child = subprocess.run([sys.executable, __file__, "--stage-only", str(copy)],
                                       env=env, check=True, capture_output=True, text=True)
                res = json.loads(child.stdout.strip().splitlines()[-1])
                out[label].append(res["seconds"])
                out[f"{label}_cpu"].append(res["cpu_seconds"])
                out["digests"].add(res["digest"])
                print(f"{label}: {res['seconds']} s (CPU {res['cpu_seconds']} s)",
                      file=sys.stderr, flush=True)
    out["identical"] = len(out.pop("digests")) == 1
    for k in ("", "_cpu"):  # wall time, and CPU time of the process (less hurt by other load)
        out[f"ratio{k}"] = round(statistics.median(out[f"before{k}"])
                                 / statistics.median(out[f"after{k}"]), 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=600)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--naive", type=int, default=3, help="schools rendered the naive way")
    ap.add_argument("--json", action="store_true", help="last stdout line is the JSON result")
    ap.add_argument("--before", default=None, metavar="COMMIT",
                    help="also time the stage with this commit's code (same run, same process tree)")
    ap.add_argument("--rounds", type=int, default=1, help="stage runs of each code with --before")
    ap.add_argument("--stage-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage_only:
        stage_only(args.stage_only)
        return

    from workbench import briefings

    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        built = build_run(args.schools, args.seed, run_dir)
        before = compare(run_dir, args.before, args.rounds) if args.before else None
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
        "setup_seconds": built["setup_seconds"], "before": before, "load": os.getloadavg(),
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
    if before:
        md += [f"| stage s with {before['commit']} (before) | {before['before']} |",
               f"| stage s with this code (after) | {before['after']} |",
               f"| ratio before / after (medians) | {before['ratio']} |",
               f"| CPU s of the stage's process, before | {before['before_cpu']} |",
               f"| CPU s of the stage's process, after | {before['after_cpu']} |",
               f"| CPU ratio before / after (medians) | {before['ratio_cpu']} |",
               f"| outputs byte-identical | {'yes' if before['identical'] else 'NO'} |"]
    md.append(f"| load average 1/5/15 min at the end | {res['load']} |")
    print("\n".join(md))
    if args.json:
        print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()

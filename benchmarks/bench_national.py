"""The national run as users run it, against the read floor of the same files (issue 19).

    .venv/bin/python benchmarks/bench_national.py                     # 40,000 schools, xlsx + Parquet
    .venv/bin/python benchmarks/bench_national.py --formats xlsx      # the default files only
    .venv/bin/python benchmarks/bench_national.py --schools 5000      # a quicker look

For each results format the region is generated once by `workbench demo --schools N` (xlsx: the
default files, five yearly ВПР workbooks and CSV for the rest; parquet: the same region with
`--results-format parquet`) into benchmarks/results/national-<N>-<format>/ and reused by later
runs (delete the folder to regenerate). Then, in this one process tree and in one go:

1. the read floor: every input file of the params read once with the fastest readers here
   (pyarrow's CSV reader, python-calamine for xlsx, pyarrow for Parquet), in this process;
2. `workbench run` with notebooks on (every stage, as `workbench run params.yaml` does), its
   wall time, the seconds per stage from its manifest, the peak memory of its process tree
   (the runner and its notebook kernels, RSS summed, sampled every 0.2 s) and of its largest
   single process (same samples: the generation's own memory does not count), and the size of
   each notebook's HTML;
3. the read floor again (the machine is shared: the floor is the mean of the two).

The ratio run ÷ floor is what is reported (target ≤ 2.5×, peak ≤ 4 GB). Results:
benchmarks/results/national.{json,md} (git-ignored; other sizes or formats:
national-<N>-<formats>.{json,md}); a one-line JSON per format on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
TARGET_RATIO, TARGET_PEAK_GB, TARGET_HTML_MB = 2.5, 4.0, 10.0


def generate(n: int, fmt: str, seed: int, folder: Path) -> float | None:
    """`workbench demo` for n schools into `folder` unless already there; seconds or None."""
    params = folder / "params" / "national.yaml"
    if params.exists():
        return None
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([BIN / "workbench", "demo", "--schools", str(n), "--seed", str(seed),
                    "--out", folder / "data", "--params", params, "--results-format", fmt],
                   check=True, capture_output=True)
    return round(time.perf_counter() - t0, 1)


def input_files(params_path: Path) -> list[tuple[Path, dict]]:
    """Every input file the params name (globs expanded) with its read options."""
    from workbench.config import load_params
    from workbench.ingest.files import _input_specs, expand_paths

    params = load_params(params_path)
    files = []
    for _table, spec in _input_specs(params):
        for path in expand_paths(spec.path, params.resolve):
            files.append((path, {"encoding": spec.encoding, "sep": spec.sep,
                                 "header_row": spec.header_row}))
    return files


def read_floor(files: list[tuple[Path, dict]]) -> dict:
    """Seconds to read every input once with the fastest readers available (no validation)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    import python_calamine

    per_kind = {"csv": 0.0, "xlsx": 0.0, "parquet": 0.0}
    rows = 0
    t_all = time.perf_counter()
    for path, opt in files:
        t0 = time.perf_counter()
        suffix = path.suffix.lower()
        if suffix == ".csv":
            kind = "csv"
            enc = (opt["encoding"] or "utf-8").lower().replace("utf-8-sig", "utf8")
            with path.open("rb") as fh:
                head = fh.read(4096).decode(enc if enc != "utf8" else "utf-8", "replace")
            sep = opt["sep"] or max(";,\t|", key=head.split("\n")[0].count)
            table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding=enc),
                                   parse_options=pacsv.ParseOptions(delimiter=sep))
            rows += table.num_rows
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            kind = "xlsx"
            wb = python_calamine.CalamineWorkbook.from_path(str(path))
            rows += len(wb.get_sheet_by_index(0).to_python())
        else:
            kind = "parquet"
            rows += pq.read_table(path).num_rows
        per_kind[kind] += time.perf_counter() - t0
    return {"seconds": round(time.perf_counter() - t_all, 2), "rows": rows,
            "by_kind": {k: round(v, 2) for k, v in per_kind.items() if v}}


def _tree_rss(pid: int) -> tuple[int, int]:
    """RSS in bytes of a process and all its descendants (Linux /proc): summed, and the
    largest single process."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                parts = fh.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(d))
        except (OSError, IndexError, ValueError):
            continue
    total, largest, todo = 0, 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                rss = int(fh.read().split()[1]) * page
            total, largest = total + rss, max(largest, rss)
        except (OSError, IndexError, ValueError):
            pass
        todo += children.get(p, [])
    return total, largest


def run_pipeline(params_path: Path, outputs: Path) -> dict:
    """`workbench run` with notebooks: wall, stages, peak memory of its tree, HTML sizes."""
    shutil.rmtree(outputs, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen([BIN / "workbench", "run", params_path, "--outputs", outputs],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total, largest = _tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    res = {"seconds": round(wall, 1), "ok": proc.returncode == 0,
           "peak_tree_gb": round(peak[0] / 1024 ** 3, 2),
           "peak_process_gb": round(peak[1] / 1024 ** 3, 2)}
    runs = [p for p in outputs.iterdir() if p.is_dir() and not p.name.startswith(".")
            and not p.is_symlink()] if outputs.exists() else []
    if proc.returncode != 0 or not runs:
        res["error"] = (err or out)[-2000:]
        return res
    run_dir = runs[0]
    res["stage_seconds"] = json.loads((run_dir / "manifest.json").read_text("utf-8"))["seconds"]
    res["html_mb"] = {p.name: round(p.stat().st_size / 1e6, 2)
                      for p in sorted((run_dir / "notebooks").glob("*.html"))}
    return res


def one_format(n: int, fmt: str, seed: int, keep: bool) -> dict:
    folder = OUT / f"national-{n}-{fmt}"
    gen = generate(n, fmt, seed, folder)
    params_path = folder / "params" / "national.yaml"
    files = input_files(params_path)
    before = read_floor(files)
    run = run_pipeline(params_path, folder / "outputs")
    after = read_floor(files)
    floor = (before["seconds"] + after["seconds"]) / 2
    res = {"schools": n, "format": fmt, "generate_seconds": gen, "input_files": len(files),
           "input_mb": round(sum(p.stat().st_size for p, _ in files) / 1e6, 1),
           "floor_seconds": [before["seconds"], after["seconds"]], "floor_rows": before["rows"],
           "floor_by_kind": before["by_kind"], "run": run,
           "ratio": round(run["seconds"] / floor, 2) if run.get("ok") else None}
    if not keep:
        shutil.rmtree(folder / "outputs", ignore_errors=True)
    return res


def markdown(report: dict) -> str:
    lines = ["# National run vs read floor", "", f"Machine: {report['machine']}; load average "
             f"before {report['load_before']}, after {report['load_after']}", "",
             "| schools | results format | input MB | read floor s (before, after) | run s | "
             "run ÷ floor | peak tree GB | largest process GB | largest notebook HTML MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in report["runs"]:
        run = r["run"]
        html = max(run.get("html_mb", {}).values(), default=None)
        lines.append(f"| {r['schools']} | {r['format']} | {r['input_mb']} | "
                     f"{r['floor_seconds'][0]}, {r['floor_seconds'][1]} | {run['seconds']} | "
                     f"**{r['ratio']}×** | {run['peak_tree_gb']} | {run['peak_process_gb']} | "
                     f"{html} |")
    for r in report["runs"]:
        run = r["run"]
        lines += ["", f"**{r['format']}**: stages `{json.dumps(run.get('stage_seconds'))}`; "
                  f"floor by kind `{json.dumps(r['floor_by_kind'])}`; HTML MB "
                  f"`{json.dumps(run.get('html_mb'), ensure_ascii=False)}`"]
        if "error" in run:
            lines += ["", "```", run["error"][-1500:], "```"]
    lines += ["", "| target | limit | measured | |", "|---|---|---|---|"]
    for r in report["runs"]:
        run = r["run"]
        html = max(run.get("html_mb", {}).values(), default=None)
        for name, limit, value in ((f"{r['format']}: run ÷ read floor", TARGET_RATIO, r["ratio"]),
                                   (f"{r['format']}: peak memory GB", TARGET_PEAK_GB,
                                    run.get("peak_tree_gb")),
                                   (f"{r['format']}: largest notebook HTML MB", TARGET_HTML_MB, html)):
            met = "—" if value is None else ("met" if value <= limit else "**missed**")
            lines.append(f"| {name} | ≤ {limit:g} | {'—' if value is None else value} | {met} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=40000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--formats", default="xlsx,parquet", help="xlsx, parquet or both")
    ap.add_argument("--keep-outputs", action="store_true", help="keep the run's outputs")
    args = ap.parse_args()
    report = {"machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}",
              "load_before": [round(x, 1) for x in os.getloadavg()], "runs": []}
    for fmt in args.formats.split(","):
        report["runs"].append(one_format(args.schools, fmt.strip(), args.seed, args.keep_outputs))
        print(json.dumps(report["runs"][-1], ensure_ascii=False), flush=True)
    report["load_after"] = [round(x, 1) for x in os.getloadavg()]
    OUT.mkdir(parents=True, exist_ok=True)
    name = "national" if (args.schools, args.formats) == (40000, "xlsx,parquet") else \
        f"national-{args.schools}-{args.formats.replace(',', '-')}"
    (OUT / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    (OUT / f"{name}.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()

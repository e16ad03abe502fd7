"""Benchmark of pupil-level results out of core (issue 19 item 2):
`nice .venv/bin/python benchmarks/bench_pupils.py --schools 28500` (≈ 50 million pupil rows).

The demo region of `--schools` schools is generated once into `--out` (its school list and the
ВПР pupil by pupil, `workbench demo --pupil-results`, as CSV and as Parquet; kept for the next
run, `--fresh` rewrites them). Then, for each format, in child processes one after the other
(each its own peak RSS): DuckDB's own bare `SELECT … GROUP BY` over the file (read_csv with
sniffed types, or read_parquet) to the results grain with the mark counts, and the ingest of
the same file by the workbench (mapping, validation, duplicates, aggregation: pupils_sql.py),
both with the same DuckDB memory limit and threads. Reports the seconds, the ratio ingest /
bare (target ≤ 3×) and the peak RSS of the ingest (target ≤ 4 GB), and the machine's load."""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

MEMORY, THREADS = "2GB", 2


def generate(out: Path, schools: int, fresh: bool) -> dict[str, int]:
    """The school list and vpr_pupils.csv/.parquet of a demo region (once)."""
    from workbench.demo.files import SCHOOL_HEADERS, write_csv
    from workbench.demo.generate import generate_region
    from workbench.demo.pupil_file import write_vpr_pupils

    done = out / "rows.json"
    if done.exists() and not fresh:
        return json.loads(done.read_text())
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    region = generate_region(n_schools=schools, seed=2026)
    sch = region.tables["schools"][["school_id", "school_name", "municipality"]]
    write_csv(sch.rename(columns=SCHOOL_HEADERS), out / "schools.csv")
    rows = {}
    for fmt in ("csv", "parquet"):
        rows[fmt] = write_vpr_pupils(region, out, fmt)[1]
    rows["seconds"] = round(time.perf_counter() - t0, 1)
    done.write_text(json.dumps(rows))
    return rows


def _params(out: Path, fmt: str) -> object:
    from workbench.config import parse_params
    from workbench.demo.pupil_file import PUPIL_HEADERS

    return parse_params({"ingest": {"use_store": False, "pupils_memory_limit": MEMORY,
                                    "pupils_threads": THREADS}, "inputs": {
        "schools": {"path": "schools.csv", "columns": {
            "Код ОО": "school_id", "Наименование ОО": "school_name",
            "Муниципалитет": "municipality"}},
        "results": {"path": f"vpr_pupils.{fmt}", "constants": {"procedure": "ВПР"},
                    "columns": {v: k for k, v in PUPIL_HEADERS.items()}}}}, base_dir=out)


def bare(out: Path, fmt: str) -> dict[str, object]:
    """DuckDB alone: the file grouped to school × year × subject × grade with mark counts."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit='{MEMORY}'")
    con.execute(f"SET threads={THREADS}")
    src = f"read_csv('{out / 'vpr_pupils.csv'}')" if fmt == "csv" else \
        f"read_parquet('{out / 'vpr_pupils.parquet'}')"
    t0 = time.perf_counter()
    df = con.execute(f"""SELECT "Код ОО", "Учебный год", "Предмет", "Класс", count(*) AS n,
        {', '.join(f'sum(CAST("Отметка" = {k} AS INTEGER)) AS m{k}' for k in range(2, 6))}
        FROM {src} GROUP BY ALL""").df()
    return {"seconds": time.perf_counter() - t0, "groups": len(df), "pupils": int(df["n"].sum())}


def workbench_ingest(out: Path, fmt: str) -> dict[str, object]:
    """The workbench's ingest of the school list and the pupil file."""
    from workbench import ingest

    params = _params(out, fmt)
    t0 = time.perf_counter()
    res = ingest.ingest_inputs(params, work_dir=out / "work")
    seconds = time.perf_counter() - t0
    info = [i for i in res.inputs if i["table"] == "results"][0]
    return {"seconds": seconds, "groups": len(res.tables["results"]),
            "pupils": int(res.tables["results"]["n_participants"].sum()),
            "rows_read": info["rows_read"], "rows_rejected": info["rows_rejected"],
            "problems": len(res.problems)}


def _peak_rss_gb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _child(kind: str, out: Path, fmt: str) -> dict[str, object]:
    """One measurement in its own process: its result and peak RSS."""
    cmd = [sys.executable, __file__, "--measure", kind, "--format", fmt, "--out", str(out)]
    got = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(got.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=28500)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench_pupils"))
    ap.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--measure", choices=["bare", "ingest"])
    a = ap.parse_args()
    out = a.out / str(a.schools) if a.measure is None else a.out
    if a.measure:
        result = (bare if a.measure == "bare" else workbench_ingest)(out, a.format)
        result["peak_rss_gb"] = _peak_rss_gb()
        print(json.dumps(result))
        return
    rows = generate(out, a.schools, a.fresh)
    print(f"{a.schools} schools: {rows['csv']:,} pupil rows "
          f"(CSV {(out / 'vpr_pupils.csv').stat().st_size / 2**30:.2f} GB, Parquet "
          f"{(out / 'vpr_pupils.parquet').stat().st_size / 2**30:.2f} GB); "
          f"load average before: {os.getloadavg()[0]:.1f}, cores: {os.cpu_count()}")
    for fmt in (["csv", "parquet"] if a.format == "both" else [a.format]):
        b = _child("bare", out, fmt)
        w = _child("ingest", out, fmt)
        assert w["pupils"] == b["pupils"] == rows[fmt] and w["groups"] == b["groups"], (w, b)
        print(f"{fmt}: bare DuckDB GROUP BY {b['seconds']:.1f} s (peak {b['peak_rss_gb']:.2f} GB)"
              f"; workbench ingest {w['seconds']:.1f} s (peak {w['peak_rss_gb']:.2f} GB); "
              f"ratio {w['seconds'] / b['seconds']:.2f}× (target ≤ 3×, ≤ 4 GB); "
              f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""Pipeline benchmark at several sizes: one command, JSON + Markdown report.

    .venv/bin/python benchmarks/run.py                      # 1k, 5k, 10k, 40k schools × 5 years
    .venv/bin/python benchmarks/run.py --sizes 1000,5000    # a quicker look

For each size `workbench demo` generates the region (results as Parquet), then a fresh process
runs ingest + identify + clusters (with partners) + monitoring in-process (no notebooks, no
briefings) and reports wall time per stage and its own peak memory (the pipeline's alone).
Then the 600-school demo is run whole (`workbench run`, notebooks and every briefing), the
per-school briefing time is taken from benchmarks/bench_briefings.py when present, and the
explorer's recompute after a slider change is timed. Results: benchmarks/results/report.json
and report.md, with a table of the targets (met / missed).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
PIPE_STAGES = ["ingest", "identify", "clusters", "monitoring"]
TARGETS = {"national_seconds": 60.0, "national_peak_gb": 4.0, "demo_run_seconds": 90.0,
           "briefing_ms": 50.0, "briefing_ratio": 50.0, "explorer_ms": 300.0}


def generate(n: int, workdir: Path) -> float:
    """`workbench demo` for n schools (results as Parquet) in its own process; seconds taken."""
    t0 = time.perf_counter()
    subprocess.run([BIN / "workbench", "demo", "--schools", str(n), "--seed", "7",
                    "--out", workdir / "data", "--params", workdir / "params" / "bench.yaml",
                    "--results-format", "parquet"], check=True, capture_output=True)
    return time.perf_counter() - t0


def one_size(n: int, workdir: Path, gen: float) -> dict:
    """Run the analytical stages on the generated region in this process (so its peak memory
    is the pipeline's alone)."""
    from workbench import pipeline
    from workbench.context import RunContext
    from workbench.config import load_params

    params_path = workdir / "params" / "bench.yaml"
    text = params_path.read_text(encoding="utf-8").replace("run_id: demo", "run_id: bench")
    params_path.write_text(text, encoding="utf-8")
    params = load_params(params_path).model_copy(update={"stages": PIPE_STAGES})
    run_dir = workdir / "run"
    ctx = RunContext(params, run_dir)
    seconds = {}
    for stage in PIPE_STAGES:
        t = time.perf_counter()
        pipeline.run_stage_inprocess(stage, ctx)
        ctx._cache.clear()
        seconds[stage] = round(time.perf_counter() - t, 2)
    total = round(sum(seconds.values()), 2)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    return {"schools": n, "generate_seconds": round(gen, 2), "stage_seconds": seconds,
            "pipeline_seconds": total, "schools_per_second": round(n / total, 1),
            "peak_memory_gb": round(peak_gb, 2)}


def run_sizes(sizes: list[int]) -> list[dict]:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench{n}-") as tmp:
            try:
                gen = generate(n, Path(tmp))
            except subprocess.CalledProcessError as exc:
                rows.append({"schools": n, "error": (exc.stderr or b"").decode()[-2000:]})
                continue
            out = subprocess.run([sys.executable, __file__, "--one", str(n), "--workdir", tmp,
                                  "--generated", str(gen)], capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                rows.append({"schools": n, "error": out.stderr.strip()[-2000:]})
            else:
                rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return rows


def demo_run() -> dict:
    """The 600-school demo region, the whole `workbench run` with notebooks and briefings."""
    with tempfile.TemporaryDirectory(prefix="benchdemo-") as tmp:
        tmp = Path(tmp)
        subprocess.run([BIN / "workbench", "demo", "--out", tmp / "data",
                        "--params", tmp / "params" / "demo.yaml"], check=True, capture_output=True)
        t0 = time.perf_counter()
        out = subprocess.run([BIN / "workbench", "run", tmp / "params" / "demo.yaml"],
                             capture_output=True, text=True)
        wall = time.perf_counter() - t0
        res = {"seconds": round(wall, 1), "ok": out.returncode == 0}
        man = tmp / "outputs" / "demo" / "manifest.json"
        if man.exists():
            res["stage_seconds"] = json.loads(man.read_text(encoding="utf-8"))["seconds"]
            res["briefings"] = len(list((tmp / "outputs" / "demo" / "briefings").rglob("*.html")))
        else:
            res["error"] = out.stderr[-1500:]
        return res


def explorer_recompute() -> dict:
    """Time of re-deriving the lists after a slider change on the 600-school region."""
    from workbench import demo, identify
    from workbench.core.tables import STANDARD_INDICATORS

    region = demo.generate_region(600, seed=2026)
    t = region.tables
    ident, _, _ = identify.identify(t["results"], t["context"], t["schools"],
                                    identify.IdentifyParams(), dict(STANDARD_INDICATORS))
    times = []
    for share in (0.10, 0.15, 0.20, 0.12, 0.18, 0.25, 0.08, 0.14, 0.16, 0.22):
        p = identify.IdentifyParams(bottom_share=share)
        t0 = time.perf_counter()
        identify.classify(ident, p)
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
            "school_years": len(ident)}


def briefing_bench() -> dict:
    script = ROOT / "benchmarks" / "bench_briefings.py"
    if not script.exists():
        return {"error": "benchmarks/bench_briefings.py missing"}
    out = subprocess.run([sys.executable, script, "--json"], capture_output=True, text=True, cwd=ROOT)
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return {"error": (out.stderr or out.stdout)[-1500:]}


def markdown(report: dict) -> str:
    lines = ["# Benchmark report", "", f"Machine: {report['machine']}", "",
             "| schools | generate s | " + " | ".join(f"{s} s" for s in PIPE_STAGES)
             + " | pipeline s | schools/s | peak GB |", "|" + "---|" * (5 + len(PIPE_STAGES))]
    for r in report["sizes"]:
        if "error" in r:
            lines.append(f"| {r['schools']} | error: {r['error'][-200:]!r} |")
            continue
        st = r["stage_seconds"]
        lines.append(f"| {r['schools']} | {r['generate_seconds']} | "
                     + " | ".join(str(st.get(s, '')) for s in PIPE_STAGES)
                     + f" | {r['pipeline_seconds']} | {r['schools_per_second']} | {r['peak_memory_gb']} |")
    ok = [r for r in report["sizes"] if "error" not in r]
    if len(ok) >= 2:
        lines += ["", "Growth between sizes (time ratio ÷ size ratio; 1.0 = linear, below 1 while "
                  "fixed costs still dominate):", ""]
        for a, b in zip(ok, ok[1:]):
            t, n = b["pipeline_seconds"] / a["pipeline_seconds"], b["schools"] / a["schools"]
            lines.append(f"- {a['schools']} → {b['schools']}: time ×{t:.2f} for schools ×{n:.0f} "
                         f"(ratio {t / n:.2f})")
    for key in ("demo_run", "briefings", "explorer"):
        if key in report:
            lines += ["", f"**{key}**: `{json.dumps(report[key], ensure_ascii=False)}`"]
    lines += ["", "| target | limit | measured | |", "|---|---|---|---|"]
    for name, limit, value, higher in target_rows(report):
        met = "—" if value is None else ("met" if (value >= limit if higher else value <= limit)
                                         else "**missed**")
        lines.append(f"| {name} | {'≥' if higher else '≤'} {limit:g} | "
                     f"{'—' if value is None else f'{value:g}'} | {met} |")
    return "\n".join(lines) + "\n"


def target_rows(report: dict) -> list[tuple[str, float, float | None, bool]]:
    """(target, limit, measured or None, higher is better) for every target of issue 8."""
    nat = next((r for r in report.get("sizes", []) if r.get("schools") == 40000
                and "error" not in r), None)
    demo = report.get("demo_run") or {}
    brief = report.get("briefings") or {}
    expl = report.get("explorer") or {}
    return [
        ("40,000 schools, ingest → monitoring, s", TARGETS["national_seconds"],
         nat["pipeline_seconds"] if nat else None, False),
        ("40,000 schools, peak memory, GB", TARGETS["national_peak_gb"],
         nat["peak_memory_gb"] if nat else None, False),
        ("600-school demo, whole run with briefings, s", TARGETS["demo_run_seconds"],
         demo.get("seconds") if demo.get("ok") else None, False),
        ("one school briefing, median ms", TARGETS["briefing_ms"], brief.get("median_ms"), False),
        ("briefings vs one papermill run per school, ×", TARGETS["briefing_ratio"],
         brief.get("ratio"), True),
        ("explorer recompute after a slider change, ms", TARGETS["explorer_ms"],
         expl.get("median_ms"), False),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,10000,40000")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    ap.add_argument("--generated", type=float, default=0.0, help=argparse.SUPPRESS)
    ap.add_argument("--skip-demo", action="store_true", help="skip the whole 600-school run")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, Path(args.workdir), args.generated)))
        return
    report = {"machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}",
              "sizes": run_sizes([int(s) for s in args.sizes.split(",")])}
    if not args.skip_demo:
        report["demo_run"] = demo_run()
        report["briefings"] = briefing_bench()
        report["explorer"] = explorer_recompute()
    report["targets"] = TARGETS
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    (OUT / "report.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()

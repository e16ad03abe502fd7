"""The explorer on a national run (issue 19): a slider move in-process, and the first load of
`workbench present` in headless Chromium.

    .venv/bin/python benchmarks/bench_explorer.py --params RUN/params/demo.yaml   # a finished run
    .venv/bin/python benchmarks/bench_explorer.py --schools 40000                 # generate one
    .venv/bin/python benchmarks/bench_explorer.py --params … --skip-browser       # in-process only
    .venv/bin/python benchmarks/bench_explorer.py --params … --skip-browser --before d8a33df

Without --params a region of --schools schools is generated in a temporary folder
(`workbench demo --schools N --seed 2026 --results-format parquet`, then `workbench run
--no-notebooks`; ≈ 3 min at 40,000 schools on a quiet 2-core machine, much longer on a busy one).

(a) In-process, in one Python process: import, `load_run`, `Explorer(...)` (the widget a
    kernel builds), then slider moves: «Нижняя группа» through `--rounds` values (the cuts of
    every slider position computed in the background first: the time a participant sees once
    the page has been open a few seconds), the same with a cold share (the thread not awaited,
    fresh explorer), «Лет подряд», «Мин. обучающихся» (a new min_n: ranks recomputed) and
    «Доля НСУ». Each move: the widget's recompute and redraw (`last_recompute_s`: classify,
    filters, the page of the list with its reasons, the chart's traces) plus the JSON of the
    widget state it changed (what the kernel sends: figure, points, table rows) — both timed.
(b) First load in Chromium (Playwright, offline): `workbench present` on the run with a pool
    of `--pool` preheated kernels; from navigation start to the headline `.wb-count` with the
    chart drawn, a fresh browser context per load, after the pool has refilled.
(c) With --before COMMIT: the «Нижняя группа» moves with that commit's code and with this code,
    one after the other in child processes (the ratio, measured in one run).
Median, min, max; load average beside them. Results: benchmarks/results/explorer.{json,md}.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
OUT = ROOT / "benchmarks" / "results"
TARGETS = {"slider_ms": 300.0, "first_load_s": 10.0}
SHARES = [20, 15, 12, 8, 25, 30, 18, 6, 22, 14]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {msg}", file=sys.stderr,
          flush=True)


def summary(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "median": statistics.median(values) if values else None,
            "min": min(values) if values else None, "max": max(values) if values else None,
            "values": [round(v, 1) for v in values]}


def build_region(root: Path, schools: int, seed: int) -> Path:
    import support.present as sp
    params = root / "params" / "demo.yaml"
    subprocess.run(sp.workbench_cmd() + ["demo", "--schools", str(schools), "--seed", str(seed),
                                         "--results-format", "parquet",
                                         "--out", str(root / "data" / "demo"),
                                         "--params", str(params)],
                   cwd=root, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(sp.workbench_cmd() + ["run", str(params), "--no-notebooks"],
                   cwd=root, check=True, stdout=subprocess.DEVNULL)
    return params


def _state_json_ms(app: Any) -> tuple[float, int]:
    """ms and bytes of the JSON of the state a move changes (as the kernel sends it)."""
    t0 = time.perf_counter()
    n = sum(len(json.dumps(x, ensure_ascii=False, allow_nan=False))
            for x in (app.scatter.figure, app.table.rows, app.count.value, app.changes.value,
                      app.summary.value))
    return (time.perf_counter() - t0) * 1000, n


def _moves(app: Any, name: str, values: list[Any]) -> dict[str, Any]:
    widget, recompute, serialise, sizes = app.sliders[name], [], [], []
    for v in values:
        widget.value = v
        recompute.append(app.last_recompute_s * 1000)
        ms, n = _state_json_ms(app)
        serialise.append(ms)
        sizes.append(n)
    total = [a + b for a, b in zip(recompute, serialise)]
    return {"recompute_ms": summary(recompute), "json_ms": summary(serialise),
            "total_ms": summary(total), "state_kb": round(statistics.median(sizes) / 1000, 1)}


def in_process(params: Path, rounds: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    from workbench import explorer
    t1 = time.perf_counter()
    data = explorer.load_run(params)
    t2 = time.perf_counter()
    app = explorer.Explorer(data)
    t3 = time.perf_counter()
    res: dict[str, Any] = {"rows": len(data.identification), "import_s": round(t1 - t0, 2),
                           "load_run_s": round(t2 - t1, 2), "explorer_init_s": round(t3 - t2, 2),
                           "points_kb": round(len(json.dumps(app.scatter.points,
                                                             ensure_ascii=False)) / 1000, 1)}
    log(f"import {t1 - t0:.1f} s, load_run {t2 - t1:.1f} s, Explorer {t3 - t2:.1f} s")
    th = app.live.re.ahead_thread if app.live.re is not None else None
    t4 = time.perf_counter()
    if th is not None:
        th.join()
    res["background_cuts_s"] = round(time.perf_counter() - t4, 1)
    res["bottom_share"] = _moves(app, "bottom_share", SHARES[:rounds])
    log(f"bottom_share: {res['bottom_share']['total_ms']['values']} ms")
    res["persist_years"] = _moves(app, "persist_years", [3, 2, 1, 4, 2, 3, 1][:rounds])
    res["adverse_share"] = _moves(app, "adverse_share", [25, 15, 30, 10, 35, 20, 12][:rounds])
    res["min_n"] = _moves(app, "min_n", [5, 15, 25, 30, 20, 12, 8][:rounds])
    log(f"persist_years {res['persist_years']['total_ms']['median']:.0f} ms, adverse_share "
        f"{res['adverse_share']['total_ms']['median']:.0f} ms, min_n (new ranks) "
        f"{res['min_n']['total_ms']['median']:.0f} ms")
    cold = explorer.Explorer(data)  # its thread not awaited: shares it has not reached yet
    res["bottom_share_cold"] = _moves(cold, "bottom_share", [39, 38, 37, 36, 35][:rounds])
    log(f"bottom_share cold: {res['bottom_share_cold']['total_ms']['values']} ms")
    return res


async def first_loads(params: Path, pool: int, rounds: int) -> dict[str, Any]:
    import bench_present as bp
    import support.present as sp
    from playwright.async_api import async_playwright

    root = Path(tempfile.mkdtemp(prefix="bench_explorer_"))
    served = sp.project_with(params, root, {"kernel_pool": pool})
    proc, url = sp.start_present(served, "--port", str(bp.free_port()), timeout=600)
    times, heads, waits = [], [], []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=sp.CHROMIUM, headless=True,
                                               args=sp.CHROMIUM_ARGS)
            for i in range(rounds):
                waits.append(await bp.wait_pool(proc.pid, pool, timeout=900))
                ctx, page, t, _wall, head = await bp.open_view(browser, url)
                times.append(t)
                heads.append(head)
                log(f"(b) {i + 1}/{rounds}: {t:.2f} s (headline {head:.2f} s)")
                await bp.leave(ctx, page)
            await browser.close()
    finally:
        sp.stop(proc)
    return {"first_load_s": summary(times), "headline_s": summary(heads),
            "pool_wait_s": summary(waits), "pool": pool}


def markdown(r: dict[str, Any]) -> str:
    ip, la = r["in_process"], r["load_avg"]
    lines = ["# The explorer on a national run", "",
             f"`{r['command']}` — {r['date']}, {ip['rows']} school × year rows, {r['cpus']} CPUs.",
             "", f"import {ip['import_s']} s, `load_run` {ip['load_run_s']} s, `Explorer` "
             f"{ip['explorer_init_s']} s; the cuts of every «Нижняя группа» position in the "
             f"background: {ip['background_cuts_s']} s more; the chart's points "
             f"{ip['points_kb']} kB once per filter.", "",
             "| slider move (in-process) | recompute + redraw ms | JSON of the state ms | total "
             "ms (median, min–max) | state kB | n |", "|---|---|---|---|---|---|"]
    names = {"bottom_share": "«Нижняя группа» (cuts ready)",
             "bottom_share_cold": "«Нижняя группа», a share not computed yet",
             "persist_years": "«Лет подряд»", "adverse_share": "«Доля НСУ»",
             "min_n": "«Мин. обучающихся» (ranks recomputed)"}
    for k, label in names.items():
        m = ip[k]
        t = m["total_ms"]
        lines.append(f"| {label} | {m['recompute_ms']['median']:.0f} | {m['json_ms']['median']:.0f}"
                     f" | **{t['median']:.0f}** ({t['min']:.0f}–{t['max']:.0f}) | "
                     f"{m['state_kb']} | {t['n']} |")
    if r.get("browser"):
        b = r["browser"]
        f = b["first_load_s"]
        lines += ["", f"First load in Chromium (pool of {b['pool']}): **{f['median']:.1f} s** "
                  f"median ({f['min']:.1f}–{f['max']:.1f}, n={f['n']}); headline alone "
                  f"{b['headline_s']['median']:.1f} s."]
    if r.get("compare"):
        c = r["compare"]
        lines += ["", f"«Нижняя группа» moves, code of {c['commit']} then this code, one after "
                  f"the other: median {c['before']['total_ms']['median']:.0f} ms → "
                  f"{c['after']['total_ms']['median']:.0f} ms (×{c['ratio']}); JSON "
                  f"{c['before']['json_kb']} kB → {c['after']['json_kb']} kB per move."]
    lines += ["", "Load average (1, 5, 15 min): " + "; ".join(
        f"{k} {a[0]:.2f} {a[1]:.2f} {a[2]:.2f}" for k, a in la.items()) + ".", ""]
    return "\n".join(lines)


def moves_only(params: Path, rounds: int) -> dict[str, Any]:
    """5+ «Нижняя группа» moves of a fresh Explorer (the background cuts awaited when the code
    has them): what `--before` runs for both versions of the code."""
    from workbench import explorer
    app = explorer.Explorer(explorer.load_run(params))
    live = getattr(app, "live", None)
    th = getattr(getattr(live, "re", None), "ahead_thread", None)
    if th is not None:
        th.join()
    total, sizes = [], []
    for v in SHARES[:rounds]:
        t0 = time.perf_counter()
        app.sliders["bottom_share"].value = v
        n = sum(len(json.dumps(x, ensure_ascii=False)) for x in (app.scatter.figure,
                                                                  app.table.rows))
        total.append((time.perf_counter() - t0) * 1000)
        sizes.append(n)
    return {"total_ms": summary(total), "json_kb": round(statistics.median(sizes) / 1000, 1)}


def compare(params: Path, commit: str, rounds: int) -> dict[str, Any]:
    """The same moves with the code of `commit` (its src/ from `git archive`, first on
    PYTHONPATH) and with this code, one after the other in child processes."""
    out: dict[str, Any] = {"commit": commit}
    with tempfile.TemporaryDirectory(prefix="bench_explorer_before_") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        for label, path in (("before", str(Path(tmp) / "src")), ("after", "")):
            env = dict(os.environ)
            env["PYTHONPATH"] = path
            run = subprocess.run([sys.executable, __file__, "--params", str(params),
                                  "--rounds", str(rounds), "--moves-only"], env=env,
                                 check=True, capture_output=True, text=True)
            out[label] = json.loads(run.stdout)
            log(f"{label}: {out[label]['total_ms']['values']} ms")
    out["ratio"] = round(out["before"]["total_ms"]["median"] / out["after"]["total_ms"]["median"],
                         1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--params", type=Path, default=None, help="a finished run's params file")
    ap.add_argument("--schools", type=int, default=40000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--pool", type=int, default=2, help="preheated kernels for (b)")
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--before", default=None,
                    help="also time the «Нижняя группа» moves with the code of this commit, "
                         "then with this code, one after the other (the ratio)")
    ap.add_argument("--moves-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.moves_only:
        print(json.dumps(moves_only(a.params, max(a.rounds, 5))))
        return 0
    res: dict[str, Any] = {"command": " ".join(["benchmarks/bench_explorer.py",
                                                *(argv or sys.argv[1:])]),
                           "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                           "cpus": os.cpu_count(), "targets": TARGETS,
                           "load_avg": {"start": os.getloadavg()}}
    with tempfile.TemporaryDirectory(prefix="bench_explorer_run_") as tmp:
        params = a.params.resolve() if a.params else build_region(Path(tmp), a.schools, a.seed)
        if a.before:
            res["compare"] = compare(params, a.before, max(a.rounds, 5))
        res["in_process"] = in_process(params, max(a.rounds, 5))
        res["load_avg"]["after_in_process"] = os.getloadavg()
        if not a.skip_browser:
            res["browser"] = asyncio.run(first_loads(params, a.pool, max(a.rounds, 5)))
            res["load_avg"]["end"] = os.getloadavg()
    import bench_present as bp

    bp.save_report(a.out, "explorer", res, markdown(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The seminar-explorer benchmark (benchmarks/bench_present.py) judges right: median, min and max
of hand-made timings, the issue's targets met or missed (the slower of the two redraws counts),
and the report says which. The browser part itself is run by the benchmark, not here."""
from __future__ import annotations

import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "bench_present", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_present.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def _results(first: list[float], fourth: list[float], muni: list[float], slider: list[float]):
    s = bench.summary
    return {"first_view": {"in_page_s": s(first), "wall_s": s(first),
                           "headline_only_s": s(first), "pool_wait_s": s([2.0])},
            "four_together": {"fourth_s": s(fourth), "rounds_sorted_s": [[1.0, 2.0, 3.0, 4.0]],
                              "pool_wait_s": s([9.0])},
            "redraw_municipality_ms": s(muni), "redraw_slider_ms": s(slider),
            "reported_recompute_ms": s([40.0, 60.0]),
            "load_avg": {"start": (3.5, 2.0, 1.0)}}


def test_summary_of_timings():
    got = bench.summary([4.0, 1.0, 3.0, 2.0, 10.0])
    assert (got["n"], got["median"], got["min"], got["max"]) == (5, 3.0, 1.0, 10.0)
    assert bench.summary([1.0, 2.0])["median"] == 1.5
    assert bench.summary([])["median"] is None and bench.verdict(None, 1.0) == "—"


def test_targets_met_or_missed():
    res = _results([2.0, 2.9, 3.5], [5.0, 7.0, 6.5], [100.0, 200.0, 900.0], [300.0, 450.0, 480.0])
    assert bench.verdicts(res) == {"first_view_s": "met", "fourth_of_four_s": "missed",
                                   "redraw_ms": "met"}  # 200 and 450 ms medians, 900 a maximum
    res = _results([3.1], [6.0], [100.0], [600.0, 501.0, 700.0])
    assert bench.verdicts(res) == {"first_view_s": "missed", "fourth_of_four_s": "met",
                                   "redraw_ms": "missed"}  # the slider's 600 ms median


def test_report_says_the_verdicts_and_the_load():
    res = _results([2.0], [7.0], [100.0], [200.0])
    md = bench.markdown({"command": "benchmarks/bench_present.py --rounds 1", "date": "d",
                         "schools": 60, "seed": 1, "kernel_pool": 4, "cpus": 2,
                         "results": res, "verdicts": bench.verdicts(res)})
    row = next(line for line in md.splitlines() if line.startswith("| (b)"))
    assert "**7.00** s" in row and row.endswith("| missed |")
    assert "start 3.50 2.00 1.00" in md and "shared" in md


def test_comparison_with_webgl_gives_the_ratios_of_the_medians():
    default = _results([1.0, 2.0, 3.0], [4.0], [100.0], [200.0])
    webgl = _results([4.0, 4.0, 5.0], [8.0], [100.0], [400.0])
    rows, md = bench.comparison(default, webgl)
    assert rows["(a) first view, s"] == {"default": 2.0, "webgl_full": 4.0, "ratio": 0.5}
    assert rows["(b) 4th of four, s"]["ratio"] == 0.5
    assert rows["(c) redraw, municipality, ms"]["ratio"] == 1.0
    assert rows["(c) redraw, slider, ms"]["ratio"] == 0.5
    assert "| (a) first view, s | 2.00 | 4.00 | **0.50** |" in md

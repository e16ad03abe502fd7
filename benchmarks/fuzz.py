"""The long fuzz run (issue 17): the properties of tests/security/test_fuzz.py with many more
examples and a random seed, within a time budget; prints what ran and the first failure found.

    .venv/bin/python benchmarks/fuzz.py                     # 10 minutes
    .venv/bin/python benchmarks/fuzz.py --minutes 60 --seed 7
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.fuzz import NAME, ROW, ingest_bytes, ingest_results_rows, whole_run  # noqa: E402


def _prop(name: str, strategy, check, chunk: int, rng_seed: int, seconds: float) -> dict:
    """Run one property in chunks of `chunk` examples (a new seed each) for about `seconds`;
    returns the number of examples and the first failure (shrunk by Hypothesis)."""
    done = {"n": 0}

    def one(value):
        done["n"] += 1
        check(value)

    t0 = time.monotonic()
    failure, i = None, 0
    while failure is None and time.monotonic() - t0 < seconds:
        prop = seed(rng_seed + i)(settings(
            max_examples=chunk, deadline=None, database=None, print_blob=True,
            suppress_health_check=list(HealthCheck))(given(strategy)(one)))
        try:
            prop()
        except Exception as exc:  # the shrunk counterexample is in the message
            failure = f"{type(exc).__name__}: {str(exc)[:2000]}"
        i += 1
    return {"property": name, "examples": done["n"], "seconds": round(time.monotonic() - t0, 1),
            "failure": failure}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    args = ap.parse_args()
    budget = args.minutes * 60
    plan = [("hostile cells in a results file", st.lists(ROW, min_size=1, max_size=12),
             ingest_results_rows, 50, 0.35),
            ("hostile bytes as a file", st.tuples(st.binary(max_size=2000),
                                                  st.sampled_from([".csv", ".xlsx", ".txt"])),
             lambda v: ingest_bytes(*v), 100, 0.15),
            ("hostile school names through a whole run", st.lists(NAME, min_size=1, max_size=5),
             whole_run, 3, 0.5)]
    report = []
    for name, strategy, check, chunk, share in plan:
        report.append(_prop(name, strategy, check, chunk, args.seed, budget * share))
        print(json.dumps(report[-1], ensure_ascii=False), flush=True)
    print(json.dumps({"seed": args.seed, "minutes": args.minutes,
                      "failures": sum(r["failure"] is not None for r in report)}))
    return 1 if any(r["failure"] for r in report) else 0


if __name__ == "__main__":
    sys.exit(main())

"""The demo run's outputs against a stored digest: a refactor that changes any table, the data
quality report, lists.xlsx or a briefing page fails here. A deliberate change of outputs
rewrites `demo_digest.json` (see tests/support/digest.py) in the commit that explains it."""
from __future__ import annotations

import json
from pathlib import Path

from support.digest import digest, same

STORED = Path(__file__).with_name("demo_digest.json")


def test_demo_outputs_match_stored_digest(demo600_run):
    data_dir, run_dir = demo600_run
    now = digest(data_dir, run_dir)
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    changed = sorted(k for k in set(now) | set(stored) if not same(stored.get(k), now.get(k)))
    assert not changed, f"outputs differ from the stored digest: {changed}"


def test_float_fingerprint_ignores_last_bits_but_not_a_change():
    import numpy as np

    from support.digest import float_fingerprint

    x = np.random.default_rng(1).normal(size=3000)
    base = float_fingerprint(x)
    assert same(base, float_fingerprint(x * (1 + 1e-15)))  # BLAS/thread noise
    moved = x.copy()
    moved[1234] *= 1 + 1e-5  # one value, sixth significant digit
    assert not same(base, float_fingerprint(moved))
    swapped = x.copy()
    swapped[[10, 20]] = swapped[[20, 10]]  # two rows reordered
    assert not same(base, float_fingerprint(swapped))
    with_nan = x.copy()
    with_nan[5] = np.nan
    assert not same(base, float_fingerprint(with_nan))

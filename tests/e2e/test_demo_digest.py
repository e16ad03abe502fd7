"""The demo run's outputs against a stored digest: a refactor that changes any table, the data
quality report, lists.xlsx or a briefing page fails here. A deliberate change of outputs
rewrites `demo_digest.json` (see tests/support/digest.py) in the commit that explains it."""
from __future__ import annotations

import json
from pathlib import Path

from support.digest import digest

STORED = Path(__file__).with_name("demo_digest.json")


def test_demo_outputs_match_stored_digest(demo600_run):
    data_dir, run_dir = demo600_run
    now = digest(data_dir, run_dir)
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    changed = sorted(k for k in set(now) | set(stored) if now.get(k) != stored.get(k))
    assert not changed, f"outputs differ from the stored digest: {changed}"

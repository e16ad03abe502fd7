"""write_demo: the same seed gives byte-identical files, another seed other data; bad formats."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from workbench import demo


def _digests(summary: dict) -> dict[str, str]:
    paths = [Path(p) for p in summary["files"].values()] + [Path(summary["params_path"])]
    return {(f"plans/{p.name}" if p.parent.name == "plans" else p.name):
            hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_same_seed_gives_byte_identical_files(written):
    a, b = _digests(written["a"]), _digests(written["b"])
    plans = [k for k in a if k.startswith("plans/")]
    assert len(a) - len(plans) == 19  # 10 files (agreements, curators, decisions too), 5 ВПР years, 3 ground truth, params
    assert plans  # a plan workbook per municipality with participants
    assert a == b


def test_other_seed_gives_other_data(written):
    a, c = _digests(written["a"]), _digests(written["c"])
    for name in ("schools.xlsx", "context.csv", "vpr_2021.xlsx", "oge_ege.csv", "ground_truth.csv"):
        assert a[name] != c[name], name
    assert a["demo.yaml"] == c["demo.yaml"]  # params depend on paths and format only


def test_bad_results_format(tmp_path):
    with pytest.raises(ValueError):
        demo.write_demo(tmp_path / "d", tmp_path / "p.yaml", n_schools=20, results_format="ods")

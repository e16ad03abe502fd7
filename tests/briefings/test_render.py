"""Rendering every page: escaping, the index with its filters, no external URLs, no «nan»,
passports only for the listed schools when asked, and 600 passports in one process."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from support.briefings import hand_made_run, text
from workbench.briefings import render_all
from workbench.briefings.prepare import prepare
from workbench.config.briefings import BriefingsParams


@pytest.fixture(scope="module")
def briefings_dir(tmp_path_factory):
    rd = tmp_path_factory.mktemp("run")
    hand_made_run(rd)
    return rd / "briefings"


def test_script_in_name_is_escaped_everywhere(briefings_dir):
    b = briefings_dir
    for page in [b / "school" / "S3.html", b / "index.html", b / "region.html",
                 b / "municipality" / "yuzhnyy-rayon.html"]:
        html = text(page)
        assert "<script>alert(1)</script>" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page
        assert len(re.findall(r"<script\b", html)) == 1  # only our assets/briefings.js
    s3 = text(b / "school" / "S3.html")
    assert "&#34;кавычки&#34;" in s3 or "&quot;кавычки&quot;" in s3


def test_index_lists_every_school_with_filters(briefings_dir):
    html = text(briefings_dir / "index.html")
    assert html.count("<tr data-mun=") == 4
    assert 'data-mun="severnyy-rayon" data-cat="low_results_adverse"' in html
    assert 'id="q"' in html and 'src="assets/briefings.js"' in html


def test_no_external_urls(briefings_dir):
    for page in briefings_dir.rglob("*.html"):
        html = text(page)
        assert not re.search(r"(src|href)=\"(https?:)?//", html), page


def test_missing_values_never_show_as_nan(briefings_dir):
    for page in briefings_dir.rglob("*.html"):
        assert not re.search(r"\bnan\b|\bNone\b|\bNaN\b", text(page)), page


def test_only_listed_passports_when_asked(tmp_path):
    hand_made_run(tmp_path, briefings={"progress": False, "school_pages": "listed"})
    b = tmp_path / "briefings"
    assert sorted(p.name for p in (b / "school").iterdir()) == ["S1.html", "S3.html"]
    s1 = text(b / "school" / "S1.html")
    assert "Гимназия № 2" in s1 and 'href="../school/S2.html"' not in s1  # no dead link
    index = text(b / "index.html")
    assert 'href="school/S2.html"' not in index and 'href="school/S1.html"' in index


def test_passports_for_600_schools_in_one_process(tmp_path):
    """600 schools rendered in one process from precomputed group-bys (the speed itself:
    benchmarks/bench_briefings.py)."""
    rng = np.random.default_rng(0)
    n = 600
    ids = [f"{i:05d}" for i in range(n)]
    schools = pd.DataFrame({"school_id": ids, "school_name": [f"Школа {i}" for i in ids],
                            "municipality": [f"Район {i % 20}" for i in range(n)]})
    years = [2021, 2022, 2023, 2024, 2025]
    ident = pd.DataFrame([{"school_id": s, "year": y, "n_pupils": 100.0,
                           "result_index": rng.normal(), "result_ci_low": -1.0,
                           "result_ci_high": 1.0, "share_low": 0.1, "category": "typical",
                           "reasons": "", "result_percentile": 50.0} for s in ids for y in years])
    results = pd.DataFrame([{"school_id": s, "year": y, "procedure": "ВПР", "subject": subj,
                             "grade": g, "n_participants": 25, "n_low": 3.0, "share_low": 0.12}
                            for s in ids for y in years for subj in ("Математика", "Русский язык")
                            for g in (4, 5, 6, 7, 8)])
    tables = {"schools": schools, "identification": ident, "results": results}
    p = prepare(tables, risk_names={})
    info = render_all(p, tmp_path, BriefingsParams(progress=False))
    assert info["n_school"] == n  # speed is measured by benchmarks/bench_briefings.py
    assert info["median_school_ms"] > 0
    # a passport shows the current year's results: only those rows are grouped per school
    assert {r["year"] for r in p.by_school[ids[0]]["results"]} == {max(years)}
    assert len(p.by_school[ids[0]]["results"]) == 10

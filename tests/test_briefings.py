"""HTML briefings on a hand-made run folder: content of the passport, suppression, escaping,
degradation when stages are missing, and speed."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from workbench import briefings, pipeline
from workbench.config import parse_params

YEAR = 2025
EVIL = '<script>alert(1)</script> «Школа» "кавычки" \'апостроф\'\nновая строка & Ко'


def _params(**over):
    return parse_params({"inputs": {"schools": {"path": "x"}}, "region": "Тестовый край",
                         "run_id": "t", "briefings": {"progress": False}, **over})


def _canonical():
    schools = pd.DataFrame({
        "school_id": ["S1", "S2", "S3", "S4"],
        "school_name": ["МБОУ Первая СОШ", "Гимназия № 2", EVIL, "Малая школа"],
        "municipality": ["Северный район", "Северный район", "Южный район", "Южный район"],
        "locality": ["село", "город", "город", None],
        "school_type": [None, "Гимназия", None, None]})
    context = pd.DataFrame({"school_id": ["S1", "S2", "S3", "S4"], "year": [YEAR] * 4,
                            "n_students": [120.0, 900.0, 400.0, 4.0],
                            "share_low_income": [0.3, 0.1, 0.2, 0.75],
                            "internet_mbps": [2.0, 100.0, 50.0, 10.0],
                            "teacher_vacancy_rate": [0.12, 0.0, 0.02, 0.3]})
    results = pd.DataFrame({
        "school_id": ["S1", "S1", "S2", "S3", "S4"], "year": [YEAR] * 5,
        "procedure": ["ВПР", "ВПР", "ВПР", "ВПР", "ВПР"],
        "subject": ["Математика", "Русский язык", "Математика", "Математика", "Математика"],
        "grade": [5, 5, 5, 5, 5], "n_participants": [20, 3, 60, 30, 4],
        "n_low": [8.0, 2.0, 3.0, 3.0, 3.0], "mean_score": [2.9, 3.1, 4.1, 3.8, 2.5]})
    results["share_low"] = results["n_low"] / results["n_participants"]
    survey = pd.DataFrame({"school_id": ["S1", "S1"], "year": [YEAR, YEAR],
                           "risk_factor": ["R03", "R03"], "value": [0.9, 0.7],
                           "source": ["директор", "педагоги"]})
    monitoring = pd.DataFrame({
        "school_id": ["S1"] * 3, "year": [YEAR] * 3, "wave": ["entry", "intermediate", "final"],
        "domain": ["results"] * 3, "indicator": ["Доля «2», математика"] * 3,
        "value": [0.4, 0.35, 0.3], "n": [20.0, 3.0, 20.0], "higher_is_better": [False] * 3})
    return {"schools": schools, "context": context, "results": results, "risk_survey": survey,
            "monitoring": monitoring}


def _produced():
    ident = pd.DataFrame({
        "school_id": ["S1", "S2", "S3", "S4", "S1"], "year": [YEAR] * 4 + [YEAR - 1],
        "n_pupils": [23.0, 60.0, 30.0, 4.0, 25.0],
        "result_index": [-1.234, 0.9, -1.5, -3.0, -1.1],
        "result_ci_low": [-1.81, 0.5, -2.0, -4.0, -1.6],
        "result_ci_high": [-0.66, 1.3, -1.0, -2.0, -0.6],
        "result_percentile": [6.0, 90.0, 4.0, 1.0, 8.0],
        "share_low": [0.435, 0.05, 0.1, 0.75, 0.4], "share_low_region": [0.12] * 5,
        "value_added": [-0.8, 0.5, -0.9, -1.0, -0.7], "va_ci_low": [-1.2] * 5,
        "va_ci_high": [-0.4] * 5,
        "category": ["low_results_adverse", "high_performing", "low_results", "insufficient_data",
                     "low_results_adverse"],
        "objectivity_flag": [False, True, False, False, False],
        "reasons": ["доля «2» по ВПР, математика 5 кл.: 40% (регион 12%), 2 года подряд; "
                    "неблагоприятные социальные условия", "", "индекс результатов −1,5", None, None],
        "years_low": [2, 0, 1, 0, 1]})
    ident["category_ru"] = ident["category"]
    clusters = pd.DataFrame({"school_id": ["S1", "S2", "S3", "S4"], "year": [YEAR] * 4,
                             "cluster": [1, 1, 2, 2],
                             "cluster_name": ["Сельские, медленный интернет"] * 2 + ["Городские"] * 2,
                             "similar_schools_percentile": [10.0, 95.0, 5.0, 1.0]})
    partners = pd.DataFrame({"school_id": ["S1", "S1"], "year": [YEAR] * 2,
                             "partner_id": ["S2", "S3"], "rank": [1, 2], "score": [1.0, 0.5],
                             "assigned": [True, False], "distance_km": [12.3, 40.0],
                             "same_municipality": [True, False],
                             "reasons": ["похожие условия: кластер 1", "далеко"]})
    changes = pd.DataFrame({"school_id": ["S3"], "year": [YEAR], "change": ["вошла в список"],
                            "category_before": ["typical"], "category_now": ["low_results"]})
    return {"identification": ident, "clusters": clusters, "partners": partners,
            "list_changes": changes}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("run")
    ctx = pipeline.RunContext(_params(), rd)
    for k, v in _canonical().items():
        ctx.write_canonical(k, v)
    for k, v in _produced().items():
        ctx.write_table(k, v)
    out = briefings.stage(ctx)
    return rd / "briefings", out, ctx


def _text(path):
    return path.read_text(encoding="utf-8")


def test_files_and_tables(run):
    b, out, ctx = run
    assert (b / "index.html").exists() and (b / "region.html").exists()
    assert sorted(p.name for p in (b / "municipality").iterdir()) == ["severnyy-rayon.html",
                                                                      "yuzhnyy-rayon.html"]
    assert sorted(p.name for p in (b / "school").iterdir()) == [f"S{i}.html" for i in range(1, 5)]
    assert (b / "assets" / "briefings.css").exists() and (b / "assets" / "briefings.js").exists()
    assert (b / "tech_maps" / "severnyy-rayon.xlsx").exists()
    prof = ctx.table("risk_profiles")
    assert set(prof["school_id"]) == {"S1", "S3"}  # the listed schools only
    r03 = prof[(prof.school_id == "S1") & (prof.risk_factor == "R03")].iloc[0]
    assert r03["score"] == pytest.approx(0.8) and r03["level"] == "high" and not r03["derived"]
    assert (ctx.tables_dir / "tech_map.csv").exists()
    assert out["n_briefings"] == 4 + 2 + 2


def test_passport_contains_category_reasons_interval_partner_map(run):
    b, _, ctx = run
    html = _text(b / "school" / "S1.html")
    assert "ШНОР в неблагоприятных социальных условиях" in html
    assert "доля «2» по ВПР, математика 5 кл.: 40% (регион 12%), 2 года подряд" in html
    assert "неблагоприятные социальные условия" in html
    assert "−1,23 <span class=\"muted\">[−1,81; −0,66]</span>" in html
    assert "Гимназия № 2" in html and "12 км" in html and 'href="../school/S2.html"' in html
    tm = ctx.table("tech_map")
    for problem in tm.loc[tm.school_id == "S1", "problem"]:
        assert problem in html
    assert "Скорая методическая помощь" in html  # R03 high (survey) → its module
    assert "Технологическая карта адресной помощи" in html
    assert html.count("<svg") >= 3
    # the resource school's passport shows whom it supports
    assert "Ресурсная школа для" in _text(b / "school" / "S2.html")


def test_small_cells_are_suppressed(run):
    b, _, _ = run
    s1 = _text(b / "school" / "S1.html")
    # Русский язык: 3 participants, 2 of them «2» (67%) → hidden
    row = re.search(r"<tr><td>ВПР</td><td>Русский язык</td>.*?</tr>", s1).group(0)
    assert "менее 5 участников" in row and "67%" not in row
    assert "менее 5" in s1 and "0,35" not in s1  # monitoring wave from 3 pupils
    s4 = _text(b / "school" / "S4.html")  # 4 pupils in the whole school
    assert "менее 5 участников" in s4
    assert "−3,00" not in s4 and "75%" not in s4  # neither the index nor 3 of 4 pupils «2»
    assert "доли по контингенту не показываются" in s4  # 4 pupils: low-income share 75% hidden


def test_script_in_name_is_escaped_everywhere(run):
    b, _, _ = run
    for page in [b / "school" / "S3.html", b / "index.html", b / "region.html",
                 b / "municipality" / "yuzhnyy-rayon.html"]:
        html = _text(page)
        assert "<script>alert(1)</script>" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page
        assert len(re.findall(r"<script\b", html)) == 1  # only our assets/briefings.js
    s3 = _text(b / "school" / "S3.html")
    assert "&#34;кавычки&#34;" in s3 or "&quot;кавычки&quot;" in s3


def test_index_lists_every_school_with_filters(run):
    b, _, _ = run
    html = _text(b / "index.html")
    assert html.count("<tr data-mun=") == 4
    assert 'data-mun="severnyy-rayon" data-cat="low_results_adverse"' in html
    assert 'id="q"' in html and 'src="assets/briefings.js"' in html


def test_no_external_urls(run):
    b, _, _ = run
    for page in b.rglob("*.html"):
        html = _text(page)
        assert not re.search(r"(src|href)=\"(https?:)?//", html), page


def test_degrades_without_produced_tables(tmp_path):
    ctx = pipeline.RunContext(_params(), tmp_path)
    for k, v in _canonical().items():
        ctx.write_canonical(k, v)
    out = briefings.stage(ctx)
    s1 = _text(tmp_path / "briefings" / "school" / "S1.html")
    assert "нет данных" in s1 and "Нет данных этапов" in s1
    assert len(ctx.table("risk_profiles")) == 0
    assert out["n_briefings"] == 8


def test_svg_helpers_escape_and_scale():
    svg = briefings.svg_bars([{"label": "<b>x</b>", "value": 0.5}, {"label": "нет", "value": None}],
                             vmax=1.0)
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "нет данных" in svg
    iv = briefings.svg_interval(0.0, -1.0, 1.0, np.linspace(-2, 2, 50), [0.1, 0.2, 0.3])
    assert iv.count("<rect") == 4 and "<circle" in iv
    assert "нет данных" in briefings.svg_trend([])


def test_interval_chart_from_a_precomputed_spread_is_the_same():
    """Passports get the region's and the cluster's spread computed once (not per page: that was
    O(schools²) nationally); the chart must not change."""
    region = list(np.random.default_rng(1).normal(size=400)) + [None, float("nan")]
    peers = [0.1, 0.2, 0.3, None]
    for args in ((0.0, -1.0, 1.0), (2.5, None, None), (None, None, None)):
        assert briefings.svg_interval(*args, region, peers) == briefings.svg_interval(
            *args, briefings.Spread.of(region), briefings.Spread.of(peers))
    one = briefings.Spread.of([3.0])
    assert (one.n, one.lo, one.hi, one.pct) == (1, 3.0, 3.0, ())
    assert "нет данных" in briefings.svg_interval(None, None, None, [], briefings.Spread(0))


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
    p = briefings.prepare(tables, risk_names={})
    info = briefings.render_all(p, tmp_path, briefings.BriefingsParams(progress=False))
    assert info["n_school"] == n  # speed is measured by benchmarks/bench_briefings.py
    assert info["median_school_ms"] > 0
    # a passport shows the current year's results: only those rows are grouped per school
    assert {r["year"] for r in p.by_school[ids[0]]["results"]} == {max(years)}
    assert len(p.by_school[ids[0]]["results"]) == 10


def test_municipality_and_region_pages(run):
    b, _, _ = run
    north = _text(b / "municipality" / "severnyy-rayon.html")
    assert "в списке ШНОР: 1 (годом ранее: 1)" in north
    assert 'href="../tech_maps/severnyy-rayon.xlsx"' in north
    assert "Гимназия № 2" in north and "Сельские, медленный интернет" in north
    south = _text(b / "municipality" / "yuzhnyy-rayon.html")
    assert "вошла в список (Типичная → ШНОР (низкие результаты обучения))" in south
    region = _text(b / "region.html")
    assert "в списке ШНОР: 2 (годом ранее: 1)" in region
    assert 'href="municipality/severnyy-rayon.html"' in region
    # the list: both listed schools, linked to their passports
    assert 'href="school/S1.html"' in region and 'href="school/S3.html"' in region


def test_only_listed_passports_when_asked(tmp_path):
    ctx = pipeline.RunContext(_params(briefings={"progress": False, "school_pages": "listed"}),
                              tmp_path)
    for k, v in _canonical().items():
        ctx.write_canonical(k, v)
    for k, v in _produced().items():
        ctx.write_table(k, v)
    briefings.stage(ctx)
    b = tmp_path / "briefings"
    assert sorted(p.name for p in (b / "school").iterdir()) == ["S1.html", "S3.html"]
    s1 = _text(b / "school" / "S1.html")
    assert "Гимназия № 2" in s1 and 'href="../school/S2.html"' not in s1  # no dead link
    index = _text(b / "index.html")
    assert 'href="school/S2.html"' not in index and 'href="school/S1.html"' in index


def test_missing_values_never_show_as_nan(run):
    b, _, _ = run
    for page in b.rglob("*.html"):
        assert not re.search(r"\bnan\b|\bNone\b|\bNaN\b", _text(page)), page

"""The briefings stage: files and tables of a hand-made run, degradation when earlier stages are
missing, and a small demo region run through identify, clusters and monitoring (every passport
carries its school's category, reasons, tech map and partner)."""
from __future__ import annotations

import pytest
from markupsafe import escape

from support.briefings import hand_made_run, text
from workbench.core.vocabulary import CATEGORIES


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("run")
    ctx, out = hand_made_run(rd)
    return rd / "briefings", out, ctx


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


def test_degrades_without_produced_tables(tmp_path):
    ctx, out = hand_made_run(tmp_path, produced=False)
    s1 = text(tmp_path / "briefings" / "school" / "S1.html")
    assert "нет данных" in s1 and "Нет данных этапов" in s1
    assert len(ctx.table("risk_profiles")) == 0
    assert out["n_briefings"] == 8


@pytest.mark.slow
def test_every_demo_school_has_a_passport_with_its_category(briefings_demo_run):
    b, ctx, out, reg = briefings_demo_run
    ident = ctx.table("identification")
    year = int(ident["year"].max())
    cur = ident[ident["year"] == year]
    assert len(list((b / "school").glob("*.html"))) == len(reg.tables["schools"]) == 150
    for rec in cur.to_dict("records"):
        page = (b / "school" / f"{rec['school_id']}.html").read_text(encoding="utf-8")
        assert str(escape(CATEGORIES[rec["category"]])) in page
    assert out["median_school_ms"] > 0  # its speed: benchmarks/bench_briefings.py


@pytest.mark.slow
def test_listed_demo_passports_have_reasons_map_and_partner(briefings_demo_run):
    b, ctx, _, _ = briefings_demo_run
    ident = ctx.table("identification")
    year = int(ident["year"].max())
    listed = ident[(ident["year"] == year)
                   & ident["category"].isin(["low_results_adverse", "low_results"])]
    assert len(listed) >= 3
    tm, prof, partners = ctx.table("tech_map"), ctx.table("risk_profiles"), ctx.table("partners")
    names = ctx.table("schools").set_index("school_id")["school_name"]
    assert set(prof["school_id"]) == set(listed["school_id"]) == set(tm["school_id"])
    assert tm.groupby("school_id")["priority"].max().between(1, 4).all()
    for rec in listed.to_dict("records"):
        sid = rec["school_id"]
        page = (b / "school" / f"{sid}.html").read_text(encoding="utf-8")
        for reason in str(rec["reasons"]).split("; "):
            assert str(escape(reason.strip())) in page, (sid, reason)
        for problem in tm.loc[tm["school_id"] == sid, "problem"]:
            assert str(escape(problem)) in page
        assigned = partners[(partners["school_id"] == sid) & (partners["year"] == year)
                            & partners["assigned"].astype(bool)]
        for pid in assigned["partner_id"]:
            assert str(escape(str(names[pid]))) in page
            assert f'href="../school/{pid}.html"' in page


def test_derived_sources_name_only_the_inputs_used():
    import pandas as pd

    from workbench.briefings.stage import derived_sources_ru

    def src(*names):
        return pd.DataFrame({"source": [f"расчёт по данным: {', '.join(n)}" for n in names]})

    assert derived_sources_ru(src(["доля «2» / ниже минимума"])) == "результатов"
    assert derived_sources_ru(src(["доля обучающихся с овз", "доля «2» / ниже минимума"])) == \
        "контекста и результатов"
    assert derived_sources_ru(src(["мониторинг: Результаты обучения"],
                                  ["расстояние до муниципального центра, км"],
                                  ["доля «2» / ниже минимума"])) == \
        "контекста, результатов и мониторинга"

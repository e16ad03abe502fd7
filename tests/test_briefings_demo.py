"""Briefings over a small demo region run through identify, clusters and monitoring: every
passport carries its school's category, reasons, tech map and partner; speed of the renderer."""
from __future__ import annotations

import pandas as pd
import pytest
from markupsafe import escape
from openpyxl import load_workbook

from workbench.canon import CATEGORIES, slugify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(briefings_demo_run):
    return briefings_demo_run


def test_every_school_has_a_passport_with_its_category(demo_run):
    b, ctx, out, reg = demo_run
    ident = ctx.table("identification")
    year = int(ident["year"].max())
    cur = ident[ident["year"] == year]
    assert len(list((b / "school").glob("*.html"))) == len(reg.tables["schools"]) == 150
    for rec in cur.to_dict("records"):
        page = (b / "school" / f"{rec['school_id']}.html").read_text(encoding="utf-8")
        assert str(escape(CATEGORIES[rec["category"]])) in page
    assert out["median_school_ms"] > 0  # its speed: benchmarks/bench_briefings.py


def test_listed_passports_have_reasons_map_and_partner(demo_run):
    b, ctx, _, _ = demo_run
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


def test_tech_map_workbooks_per_municipality(demo_run):
    b, ctx, _, _ = demo_run
    tm = ctx.table("tech_map")
    schools = ctx.table("schools").set_index("school_id")
    muns = sorted({slugify(schools.loc[s, "municipality"]) for s in tm["school_id"]})
    files = sorted(p.stem for p in (b / "tech_maps").glob("*.xlsx"))
    assert files == muns
    wb = load_workbook(b / "tech_maps" / f"{muns[0]}.xlsx")
    assert "Модули" in wb.sheetnames and len(wb.sheetnames) >= 2


def test_risk_profiles_follow_the_survey(demo_run):
    """Listed schools with a survey this year get survey scores (derived = False)."""
    _, ctx, _, reg = demo_run
    prof = ctx.table("risk_profiles")
    rs = reg.tables["risk_survey"]
    year = int(prof["year"].max())
    surveyed = set(rs.loc[rs["year"] >= year - 1, "school_id"])
    p = prof[prof["school_id"].isin(surveyed)]
    assert len(p) and not p["derived"].any()
    mean = (rs[rs["school_id"].isin(p["school_id"])].sort_values("year")
            .groupby(["school_id", "risk_factor"]).apply(
                lambda g: g[g["year"] == g["year"].max()]["value"].mean(), include_groups=False))
    got = p.set_index(["school_id", "risk_factor"])["score"]
    pd.testing.assert_series_equal(got.sort_index(), mean.loc[got.index].sort_index().round(4),
                                   check_names=False, atol=1e-4)

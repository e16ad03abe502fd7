"""The view model of one school: what its passport shows (category, reasons, interval, partner,
tech map) and what it hides (every figure from fewer than min_cell pupils)."""
from __future__ import annotations

import re

import pytest

from support.briefings import canonical, hand_made_run, params, produced, text
from workbench.briefings import SchoolInput, school_input
from workbench.briefings.prepare import prepare
from workbench.briefings.school_view import school_view


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("run")
    ctx, out = hand_made_run(rd)
    return rd / "briefings", out, ctx


def test_passport_contains_category_reasons_interval_partner_map(run):
    b, _, ctx = run
    html = text(b / "school" / "S1.html")
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
    assert "Ресурсная школа для" in text(b / "school" / "S2.html")


def test_small_cells_are_suppressed(run):
    b, _, _ = run
    s1 = text(b / "school" / "S1.html")
    # Русский язык: 3 participants, 2 of them «2» (67%) → hidden
    row = re.search(r"<tr><td>ВПР</td><td>Русский язык</td>.*?</tr>", s1).group(0)
    assert "менее 5 участников" in row and "67%" not in row
    assert "менее 5" in s1 and "0,35" not in s1  # monitoring wave from 3 pupils
    s4 = text(b / "school" / "S4.html")  # 4 pupils in the whole school
    assert "менее 5 участников" in s4
    assert "−3,00" not in s4 and "75%" not in s4  # neither the index nor 3 of 4 pupils «2»
    assert "доли по контингенту не показываются" in s4  # 4 pupils: low-income share 75% hidden


def test_view_model_is_a_plain_function_of_one_school():
    """The explorer's card is to render from the same model: it needs only the school's input
    and the params, and it follows min_cell."""
    p = prepare({**canonical(), **produced()}, risk_names={"R03": "Компетентность"})
    s1 = school_input(p, "S1")
    assert isinstance(s1, SchoolInput) and s1.region is p.refs and s1.peers.n == 2
    view = school_view(s1, params().briefings)
    assert view["ri_fmt"] == {"value": "−1,23", "lo": "−1,81", "hi": "−0,66"}
    assert view["partner_rows"][0]["name"] == "Гимназия № 2" and view["partner_rows"][0]["exists"]
    assert [r["code"] for r in view["risk_rows"]] == ["R03"]
    strict = school_view(s1, params(briefings={"progress": False, "min_cell": 30}).briefings)
    assert strict["small"] and strict["ri"]["value"] is None and strict["va"] == "—"
    assert any("менее чем по 30 участникам" in n for n in strict["notes"])

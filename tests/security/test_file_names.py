"""Security: names from the data that become files never overwrite each other (issue 17, items 3
and 4) and never leave their folder; reserved run ids are refused (item 8)."""
from __future__ import annotations

import re

import pytest
from markupsafe import escape

from support.briefings import canonical, params, produced, text
from workbench.briefings.stage import run as run_briefings
from workbench.config import ParamsError, parse_params
from workbench.context import RunContext

IDS = {"S1": "X/1", "S2": "X_1", "S3": "../../evil", "S4": "X\\1"}
MUNS = {"Северный район": "Ельнинский", "Южный район": "Эльнинский"}


def _renamed(tables):
    out = {}
    for name, df in tables.items():
        df = df.copy()
        for col in ("school_id", "partner_id"):
            if col in df:
                df[col] = df[col].map(lambda v: IDS.get(v, v))
        if "municipality" in df:
            df["municipality"] = df["municipality"].map(MUNS)
        out[name] = df
    return out


@pytest.fixture(scope="module")
def colliding_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("collide")
    ctx = RunContext(params(), rd)
    for k, v in _renamed(canonical()).items():
        ctx.write_canonical(k, v)
    for k, v in _renamed(produced()).items():
        ctx.write_table(k, v)
    run_briefings(ctx)
    return rd / "briefings", _renamed(canonical())["schools"]


def test_every_school_has_its_own_passport(colliding_run):
    b, schools = colliding_run
    files = sorted((b / "school").iterdir())
    assert len(files) == 4, [f.name for f in files]
    assert (b / "school" / "X_1.html").exists()  # the code written as its file keeps it
    index = text(b / "index.html")
    for sid, name in zip(schools["school_id"], schools["school_name"]):
        link = re.search(r'<td>' + re.escape(sid.replace("&", "&amp;")) +
                         r'</td><td><a href="(school/[^"]+)">', index)
        assert link, sid
        page = text(b / link.group(1))
        assert f"<title>Паспорт школы: {escape(name)}" in page, sid  # its own passport


def test_nothing_is_written_outside_the_briefings_folder(colliding_run):
    b, _ = colliding_run
    assert not list(b.parent.parent.glob("evil*")) and not list(b.parent.glob("evil*"))
    for p in b.rglob("*"):
        assert p.resolve().is_relative_to(b.resolve())


def test_municipalities_that_slugify_alike_get_two_pages_and_two_maps(colliding_run):
    b, _ = colliding_run
    pages = sorted(p.stem for p in (b / "municipality").glob("*.html"))
    assert len(pages) == 2 and all(p.startswith("elninskiy-") for p in pages)
    for stem in pages:
        html = text(b / "municipality" / f"{stem}.html")
        own = "Ельнинский" if "Ельнинский</h1>" in html or "Справка: Ельнинский" in html \
            else "Эльнинский"
        assert f"Справка: {own}" in html
        for href in re.findall(r'href="\.\./tech_maps/([^"]+)"', html):
            assert (b / "tech_maps" / href).exists() and href.startswith(stem)
    maps = sorted(p.stem for p in (b / "tech_maps").glob("*.xlsx"))
    assert set(maps) <= set(pages) and maps


@pytest.mark.parametrize("run_id", ["latest", "store.duckdb", ".failed-x", "LATEST"])
def test_reserved_run_ids_are_refused_before_anything_runs(run_id):
    with pytest.raises(ParamsError) as info:
        parse_params({"inputs": {"schools": {"path": "x"}}, "run_id": run_id})
    assert "run_id" in str(info.value)

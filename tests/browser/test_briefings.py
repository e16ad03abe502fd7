"""Headless Chromium opens the briefings of a small demo run from file:// with the network blocked:
no failed requests, no console errors, charts visible, the index search filters the list."""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def demo_run(briefings_demo_run):
    b, ctx, _, _ = briefings_demo_run
    return b, ctx


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"нет {CHROMIUM}: установите Debian-пакет chromium (make setup)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _richest_school(ctx) -> str:
    """A listed school with monitoring dynamics (the longest passport), else any listed one."""
    listed = sorted(set(ctx.table("tech_map")["school_id"].astype(str)))
    dyn = set(ctx.table("dynamics")["school_id"].astype(str)) if ctx.has_table("dynamics") else set()
    return next((s for s in listed if s in dyn), listed[0])


def _open(browser, path: Path, width: int = 1100):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            problems.append(f"external request: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def _not_blank(page) -> float:
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(page.screenshot(full_page=False))).convert("L"),
                     dtype=float)
    return float(img.var())


def _charts_visible(page) -> int:
    charts = page.locator("svg.chart")
    n = charts.count()
    for i in range(min(n, 3)):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 50 and box["height"] > 20, box
    return n


def test_pages_open_offline_with_charts(demo_run, browser):
    b, ctx = demo_run
    listed = _richest_school(ctx)
    mun = sorted((b / "municipality").glob("*.html"))[0]
    for path, min_charts in [(b / "index.html", 0), (b / "region.html", 2), (mun, 1),
                             (b / "school" / f"{listed}.html", 3)]:
        page, problems = _open(browser, path)
        assert problems == [], (path.name, problems)
        assert _charts_visible(page) >= min_charts, path.name
        assert _not_blank(page) > 100, path.name
        assert page.locator("h1").inner_text().strip()
        page.close()


def test_school_passport_on_phone_width(demo_run, browser):
    b, ctx = demo_run
    sid = _richest_school(ctx)
    page, problems = _open(browser, b / "school" / f"{sid}.html", width=390)
    assert problems == []
    # no horizontal scrolling of the page itself (wide tables scroll inside their wrapper)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    assert "Технологическая карта" in page.inner_text("body")
    page.close()


def test_index_search_and_filters(demo_run, browser):
    b, ctx = demo_run
    page, problems = _open(browser, b / "index.html")
    rows = page.locator("#schools tbody tr")
    total = rows.count()
    schools = ctx.table("schools")
    assert total == len(schools) == 150  # every school of the region is listed
    name = str(schools["school_name"].iloc[7])
    sid = str(schools["school_id"].iloc[7])
    page.locator("#q").press_sequentially(sid, delay=10)
    visible = page.locator("#schools tbody tr:not(.hidden)")
    assert visible.count() == 1
    assert name in visible.first.inner_text()
    assert page.locator("#count").inner_text() == f"Показано 1 из {total}"
    page.locator("#q").fill("")
    word = str(schools["municipality"].iloc[0]).split()[-1][:6]
    page.locator("#q").press_sequentially(word.upper(), delay=5)  # case-insensitive
    text = (schools["school_id"].astype(str) + " " + schools["school_name"].astype(str) + " "
            + schools["municipality"].astype(str)).str.lower()
    expected = int(text.str.contains(word.lower(), regex=False).sum())
    assert 0 < expected and visible.count() == expected
    page.locator("#q").fill("")
    page.locator("#q").dispatch_event("input")
    assert visible.count() == total
    slug = page.locator("#f-mun option").nth(1).get_attribute("value")
    page.select_option("#f-mun", slug)
    n_mun = visible.count()
    assert 0 < n_mun < total
    assert all(v == slug for v in visible.evaluate_all("rs => rs.map(r => r.dataset.mun)"))
    page.select_option("#f-cat", "low_results_adverse")
    assert visible.count() <= n_mun
    assert problems == []
    page.close()


def test_passport_prints_on_a4(demo_run, browser):
    import re

    b, ctx = demo_run
    page, problems = _open(browser, b / "school" / f"{_richest_school(ctx)}.html")
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()  # navigation is not printed
    def n_pages() -> int:
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        return len(re.findall(rb"/Type\s*/Page[^s]", pdf))

    # the passport itself is one A4 page; the technological map is its annex on page 2
    assert page.locator(".techmap").evaluate("e => getComputedStyle(e).breakBefore") == "page"
    assert page.locator(".techmap .annex").is_visible()
    assert n_pages() == 2
    page.add_style_tag(content="@media print { .techmap { display: none } }")
    assert n_pages() == 1
    assert problems == []
    page.close()
    # a school with no technological map prints on one page, with no empty annex
    unlisted = sorted(set(ctx.table("identification")["school_id"].astype(str))
                      - set(ctx.table("tech_map")["school_id"].astype(str)))[0]
    page, problems = _open(browser, b / "school" / f"{unlisted}.html")
    page.emulate_media(media="print")
    assert n_pages() == 1
    page.close()

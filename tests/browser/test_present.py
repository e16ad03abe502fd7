"""Seminar mode in a real browser: `workbench present` on a copy of a small demo run (real
pipeline, 200 schools: the session's `explorer_demo_run`) → the workbench's Voilà → headless
Chromium, offline. A seminar's use: filters, a threshold, search, sorting, a box selection on the
chart, a click on a point, the served passport, the what-if xlsx, «режим презентации»; the
layout at 1920×1080 and 1280×800 and under zoom (screenshots in tests/artifacts/); every
request to 127.0.0.1. Then the server's life: 10 pages loaded and closed leave no kernel and no
memory behind, and SIGTERM stops Voilà and every kernel."""
from __future__ import annotations

import re
import signal
import socket
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest

import support.present as sp
from workbench import explorer
from workbench.core.vocabulary import LISTED_CATEGORIES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _chromium() -> None:
    if not Path(sp.CHROMIUM).exists():
        pytest.skip("нет /usr/bin/chromium")


def _count(page) -> int:
    txt = page.locator(".wb-count").first.inner_text()
    return int(re.search(r"Список ШНОР:\s*(\d+)", txt).group(1))


def _rows(page) -> int:
    return page.locator(".wb-table-widget tbody tr").count()


def _column(page, n: int) -> list[str]:
    return page.locator(f".wb-table-widget tbody tr td:nth-child({n})").all_inner_texts()


def _wait_count_not(page, n: int) -> int:
    page.wait_for_function(
        "n => !document.querySelector('.wb-count').innerText.includes('Список ШНОР: ' + n + ' ')",
        arg=n, timeout=30_000)
    return _count(page)


def _wait_rows(page, n: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('.wb-table-widget tbody tr').length === n",
        arg=n, timeout=30_000)


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


POINT_JS = """() => {
  const gd = document.querySelector('.wb-list-col ~ .wb-chart-col .wb-chart-plot');
  const fl = gd._fullLayout, t = gd._fullData.filter(d => d.x.length).pop();  // on top
  const r = gd.getBoundingClientRect();
  return {x: r.left + fl._size.l + fl.xaxis.l2p(t.x[0]), y: r.top + fl._size.t + fl.yaxis.l2p(t.y[0]),
          id: String(t.customdata[0])};
}"""
INSIDE_JS = """([x0, y0, x1, y1]) => {
  const gd = document.querySelector('.wb-list-col ~ .wb-chart-col .wb-chart-plot');
  const fl = gd._fullLayout, r = gd.getBoundingClientRect();
  const ids = [];
  for (const t of gd._fullData) {
    t.x.forEach((x, k) => {
      const px = r.left + fl._size.l + fl.xaxis.l2p(x), py = r.top + fl._size.t + fl.yaxis.l2p(t.y[k]);
      if (px >= x0 && px <= x1 && py >= y0 && py <= y1) { ids.push(String(t.customdata[k])); }
    });
  }
  return ids;
}"""


@pytest.fixture(scope="module")
def served(explorer_demo_run, tmp_path_factory):
    params = sp.project_with(explorer_demo_run, tmp_path_factory.mktemp("present"),
                             {"kernel_pool": 2})
    proc, url = sp.start_present(params)
    yield params, proc, url
    sp.stop(proc)


def _grows_with_bottom_share(params_path: Path) -> str:
    """A municipality whose list is non-empty and grows when the bottom share goes to 30 %."""
    from workbench.identify import IdentifyParams, classify

    data = explorer.load_run(params_path)
    year, ident = data.years[-1], data.identification

    def listed(df):
        d = df[(df["year"] == year) & df["category"].isin(LISTED_CATEGORIES)]
        return d.groupby("municipality").size()

    before = listed(ident)
    after = listed(classify(ident, IdentifyParams(**{**data.identify_params,
                                                     "bottom_share": 0.3})))
    grows = [m for m in before.index if after.get(m, 0) > before[m]]
    assert grows, "no municipality whose list grows"
    return max(grows, key=lambda m: before[m])


def _filters_threshold_search_sort(page, muni: str) -> int:
    n0 = _count(page)
    assert n0 > 0 and _rows(page) == n0
    page.locator(".widget-dropdown", has_text="Муниципалитет").locator("select") \
        .select_option(label=muni)
    n1 = _wait_count_not(page, n0)
    assert 0 < n1 < n0
    _wait_rows(page, n1)
    assert set(_column(page, 3)) == {muni}
    readout = page.locator(".widget-slider", has_text="Нижняя группа").locator(".widget-readout")
    assert readout.inner_text().strip() == "10"
    rev = page.locator(".wb-list-col ~ .wb-chart-col .wb-chart").get_attribute("data-rev")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    n2 = _wait_count_not(page, n1)
    assert n2 > n1
    _wait_rows(page, n2)  # the table shows exactly the counted list
    assert set(_column(page, 3)) == {muni}
    assert "По сравнению с порогами расчёта: вошли" in page.content()
    page.wait_for_function(  # the chart was redrawn in place for the new thresholds
        "r => document.querySelector('.wb-list-col ~ .wb-chart-col .wb-chart').dataset.rev !== r",
        arg=rev, timeout=30_000)
    # sort by name (a header click), then search a word of the first name
    page.locator(".wb-table-widget th button", has_text="Наименование ОО").click()
    assert sp.wait_for(lambda: _column(page, 2) == sorted(_column(page, 2), key=str.lower),
                       timeout=30, step=0.3)  # Python sorts, the rows come back
    assert page.locator(".wb-table-widget th[aria-sort='ascending']").inner_text() \
        .startswith("Наименование ОО")
    code = _column(page, 1)[-1]
    page.locator(".widget-text", has_text="Поиск").locator("input").fill(code)
    _wait_rows(page, 1)
    assert _column(page, 1) == [code]
    page.locator(".widget-text", has_text="Поиск").locator("input").fill("")
    _wait_rows(page, n2)
    return n2


def _download(page, tmp_path: Path, n: int, muni: str) -> None:
    page.locator("button", has_text="Скачать xlsx").click()
    link = page.locator("a.wb-download")
    link.wait_for(timeout=30_000)
    with page.expect_download() as dl:
        link.click()
    xlsx = tmp_path / "list.xlsx"
    dl.value.save_as(xlsx)
    assert dl.value.suggested_filename.startswith("что_если_") and "нижние30" in \
        dl.value.suggested_filename
    sheet = openpyxl.load_workbook(xlsx).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == explorer.WHAT_IF
    top = next(i for i, r in enumerate(rows) if r[0] == "Код ОО")
    assert len(rows) - top - 1 == n and {r[2] for r in rows[top + 1:]} == {muni}


def _box_select(page) -> None:
    """A box on the chart (the toolbar's «Выделить прямоугольником») filters the list."""
    page.locator(".wb-list-col ~ .wb-chart-col [data-title='Выделить прямоугольником']").click()
    plot = _box(page, ".wb-list-col ~ .wb-chart-col .wb-chart-plot .nsewdrag")
    x0, y0 = plot["x"] + 5, plot["y"] + 5
    x1, y1 = plot["x"] + plot["width"] * 0.5, plot["y"] + plot["height"] - 5
    want = set(page.evaluate(INSIDE_JS, [x0, y0, x1, y1]))
    assert want
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    page.locator(".wb-note", has_text="Выделено на графике").wait_for(timeout=30_000)
    page.wait_for_function("n => { const k = document.querySelectorAll("
                           "'.wb-table-widget tbody tr').length; return k > 0 && k <= n; }",
                           arg=len(want), timeout=30_000)
    got = set(_column(page, 1))
    assert got <= want, (len(got), len(want), sorted(got - want)[:5])
    page.locator("button", has_text="Сбросить выделение").click()
    page.locator(".wb-note", has_text="Выделено на графике").wait_for(state="detached",
                                                                     timeout=30_000)
    page.locator(".wb-list-col ~ .wb-chart-col [data-title='Увеличить область']").click()


def _settled(page) -> None:
    """Wait until the chart next to the list is drawn and stays so for half a second."""
    sel = ".wb-list-col ~ .wb-chart-col .wb-chart"
    for _ in range(2):
        page.wait_for_function(f"() => !document.querySelector('{sel}').classList"
                               ".contains('wb-drawing')", timeout=30_000)
        page.wait_for_timeout(500)


def _point_opens_card_and_passport(page, url: str) -> None:
    page.locator(".wb-list-col ~ .wb-chart-col .wb-chart").scroll_into_view_if_needed()
    _settled(page)
    p = page.evaluate(POINT_JS)
    page.mouse.move(p["x"], p["y"])
    page.locator(".hoverlayer .hovertext").first.wait_for(timeout=10_000)
    page.mouse.click(p["x"], p["y"])
    card = page.locator(".wb-card")
    card.wait_for(timeout=30_000)
    assert f"код {p['id']}" in card.inner_text()
    assert "Индекс результатов" in card.inner_text() and "Основания" in card.inner_text()
    link = page.locator("a.wb-passport")
    assert link.get_attribute("target") == "_blank"
    href = link.get_attribute("href")
    assert href.startswith("/workbench/passport/school/")
    resp = page.request.get(url.rstrip("/") + href)
    assert resp.status == 200 and f"код ОО {p['id']}" in resp.text()
    assert page.request.post(url.rstrip("/") + href).status in (403, 405)  # read-only


def _layout_1920(page) -> None:
    table, chart = _box(page, ".wb-table-wrap"), _box(page, ".wb-list-col ~ .wb-chart-col .wb-chart")
    assert chart["x"] > table["x"] + table["width"] - 5  # side by side
    assert table["y"] < 1080 * 0.6 and chart["y"] < 1080 * 0.6
    assert chart["y"] + chart["height"] <= 1080 + 60  # the chart, legend included, on screen
    assert _no_horizontal_overflow(page)


def _presentation_mode(page) -> None:
    base = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.wb-app'))"
                         ".fontSize)")
    page.locator("button", has_text="Режим презентации").click()
    page.wait_for_function("b => parseFloat(getComputedStyle(document.querySelector('.wb-app'))"
                           ".fontSize) > b * 1.2", arg=base, timeout=30_000)
    assert _no_horizontal_overflow(page)
    _settled(page)
    page.screenshot(path=str(ARTIFACTS / "present_1920_presentation.png"))
    page.locator("button", has_text="Режим презентации").click()
    page.wait_for_function("b => parseFloat(getComputedStyle(document.querySelector('.wb-app'))"
                           ".fontSize) === b", arg=base, timeout=30_000)


@pytest.mark.timeout(420)
def test_present_in_chromium(served, tmp_path):
    _chromium()
    from playwright.sync_api import sync_playwright

    params, _proc, url = served
    muni = _grows_with_bottom_share(params)
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = sp.launch(pw)
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
        sp.local_only(ctx, blocked)
        page = ctx.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("websocket", lambda w: requests.append(w.url))
        page.goto(url, timeout=60_000)
        page.locator(".wb-count").first.wait_for(timeout=120_000)
        page.locator(".wb-chart .main-svg").first.wait_for(state="attached", timeout=60_000)
        assert page.title() == explorer.APP_TITLE
        assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0
        assert "Executing" not in page.inner_text("body")
        assert "Загрузка обозревателя" in page.content()  # the Russian loading message
        _layout_1920(page)
        page.screenshot(path=str(ARTIFACTS / "present_1920.png"))
        n = _filters_threshold_search_sort(page, muni)
        _download(page, tmp_path, n, muni)
        page.locator(".widget-dropdown", has_text="Категория").locator("select") \
            .select_option(label="Все категории")
        _box_select(page)
        _presentation_mode(page)
        _point_opens_card_and_passport(page, url)
        page.screenshot(path=str(ARTIFACTS / "present_card.png"), full_page=True)
        ctx.close()
        _projector_1280_and_zoom(browser, url)
        browser.close()
    assert not blocked, f"запросы не к 127.0.0.1: {blocked[:5]}"
    hosts = {urlparse(u).hostname for u in requests
             if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts <= sp.LOCAL_HOSTS, hosts


def _projector_1280_and_zoom(browser, url: str) -> None:
    """1280×800: the list starts above the fold, nothing is clipped; 1920×1080 at 200 % zoom
    (a 960×540 CSS viewport) still fits the width; sizes follow the root font (rem)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(url, timeout=60_000)
    page.locator(".wb-count").first.wait_for(timeout=120_000)
    table = _box(page, ".wb-table-widget tbody tr")
    assert table["y"] < 800 - 100  # the first rows of the list are visible without scrolling
    reasons = _box(page, ".wb-table-widget tbody tr td.wide")
    assert reasons["x"] + reasons["width"] <= 1280  # «Основания» not clipped
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(ARTIFACTS / "present_1280.png"))
    page.set_viewport_size({"width": 960, "height": 540})
    page.wait_for_timeout(500)
    assert _no_horizontal_overflow(page)
    size = page.evaluate("() => { document.documentElement.style.fontSize = '24px';"
                         "return parseFloat(getComputedStyle(document.querySelector('.wb-app'))"
                         ".fontSize); }")
    assert size == pytest.approx(24 * 18 / 16, abs=0.1)  # relative units follow the root size
    page.screenshot(path=str(ARTIFACTS / "present_zoom200.png"))
    ctx.close()


@pytest.mark.timeout(600)
def test_present_cleans_up_after_itself(explorer_demo_run, tmp_path):
    """6 pages loaded and closed: every kernel ends with its tab — 3 left by navigating away
    (Voilà's xsrf-checked shutdown request), 3 closed without it (Chromium's tab close; their
    websocket closes, `disconnect_grace_s` later the kernel stops) — the memory of Voilà and
    its kernels is back where it was; SIGTERM (systemd, a closed terminal) then stops Voilà
    and every kernel like Ctrl+C."""
    _chromium()
    from playwright.sync_api import sync_playwright

    params = sp.project_with(explorer_demo_run, tmp_path, {"kernel_pool": 1,
                                                           "disconnect_grace_s": 4})
    proc, url = sp.start_present(params)
    seen: set[int] = set()
    page_kernels: set[int] = set()
    try:
        assert sp.wait_for(lambda: sp.pool_ready(proc.pid, 1), timeout=90)  # preheated, idle
        baseline = sp.rss_mb(sp.descendants(proc.pid))
        seen.update(sp.descendants(proc.pid))
        with sync_playwright() as pw:
            browser = sp.launch(pw)
            for i in range(6):
                page = browser.new_page()
                page.goto(url, timeout=60_000)
                page.locator(".wb-count").first.wait_for(timeout=120_000)
                seen.update(sp.descendants(proc.pid))
                page_kernels.update(sp.kernels(proc.pid))
                if i % 2 == 0:
                    page.goto("about:blank")  # leaving the page: the shutdown request
                page.close(run_before_unload=True)
            browser.close()
        assert sp.wait_for(lambda: len(sp.kernels(proc.pid)) == 1, timeout=90), \
            f"kernels left: {sp.kernels(proc.pid)}"
        assert sp.wait_for(lambda: sp.pool_ready(proc.pid, 1), timeout=90)  # the new one too
        after = sp.rss_mb(sp.descendants(proc.pid))
        assert after < baseline + 150, (baseline, after)  # one leaked kernel is ~250 MB
        seen.update(sp.descendants(proc.pid))
        # every page had a kernel of its own (whether the pool's refill is seen depends on when
        # Voilà starts it, so only the pages' kernels are counted)
        assert len(page_kernels) >= 6, sorted(page_kernels)
    finally:
        out = sp.stop(proc, signal.SIGTERM)
    assert proc.returncode == 0 and "Остановка сервера" in out
    assert sp.wait_for(lambda: not sp.alive(sorted(seen)), timeout=20), sp.alive(sorted(seen))
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", urlparse(url).port), timeout=2).close()

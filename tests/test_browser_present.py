"""Seminar mode in a real browser: `workbench present PARAMS` on a small demo run (real pipeline,
200 schools) → Voilà → headless Chromium. Changes the municipality filter and a threshold slider
and checks that the shown count and list change; clicks a point of the chart to open a school
card; checks that every request goes to 127.0.0.1 (no CDN); saves screenshots to
tests/artifacts/present*.png; stops the server with Ctrl+C (SIGINT)."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest

import widgets_support as ws
from workbench import widgets
from workbench.canon import LISTED_CATEGORIES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _start_present(params: Path) -> tuple[subprocess.Popen, str]:
    """`workbench present PARAMS` in a child process; returns (process, url)."""
    exe = Path(sys.executable).with_name("workbench")
    cmd = [str(exe), "present", str(params)] if exe.exists() else \
        [sys.executable, "-m", "workbench.cli", "present", str(params)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, cwd=str(params.parent.parent))
    t0 = time.time()
    lines = []
    while time.time() - t0 < 90:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        m = re.search(r"Откройте (http://127\.0\.0\.1:\d+/).*Ctrl\+C — остановить", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise AssertionError("serve did not print its address:\n" + "".join(lines))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # serve stops Voilà itself on Ctrl+C
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _count(page) -> int:
    txt = page.locator(".wb-count").first.inner_text()
    return int(re.search(r"Список ШНОР:\s*(\d+)", txt).group(1))


def _first_rows(page, n: int = 5) -> list[str]:
    return page.locator(".wb-table tbody tr td:first-child").all_inner_texts()[:n]


def _municipalities(page) -> set[str]:
    return set(page.locator(".wb-table-wrap .wb-table tbody tr td:nth-child(3)").all_inner_texts())


@pytest.mark.timeout(300)
def test_present_in_chromium(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("нет /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    from workbench.identify import IdentifyParams, classify

    params = ws.build_demo_run(tmp_path, n_schools=200)
    data = widgets.load_run(params)
    # a municipality whose list is non-empty and grows when the bottom share goes 0.12 → 0.30
    year = data.years[-1]
    ident = data.identification

    def listed(df):
        d = df[(df["year"] == year) & df["category"].isin(LISTED_CATEGORIES)]
        return d.groupby("municipality").size()

    before = listed(ident)
    after = listed(classify(ident, IdentifyParams(**{**data.identify_params, "bottom_share": 0.3})))
    grows = [m for m in before.index if after.get(m, 0) > before[m]]
    assert grows, "no municipality whose list grows"
    muni = max(grows, key=lambda m: before[m])

    proc, url = _start_present(params)
    requests: list[str] = []
    blocked: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"])
            ctx = browser.new_context(viewport={"width": 1600, "height": 1100})

            def guard(route):
                u = urlparse(route.request.url)
                if u.scheme in ("http", "https", "ws", "wss") and u.hostname not in LOCAL_HOSTS:
                    blocked.append(route.request.url)
                    return route.abort()
                return route.continue_()

            ctx.route("**/*", guard)
            page = ctx.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("websocket", lambda w: requests.append(w.url))
            page.goto(url, timeout=60_000)
            page.locator(".wb-count").first.wait_for(timeout=120_000)
            assert page.title() == "ШНОР: обозреватель результатов"
            # no code visible
            assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0

            n0 = _count(page)
            rows0 = _first_rows(page)
            assert n0 > 0 and rows0
            assert len(_municipalities(page)) > 1

            # municipality filter
            page.locator(".widget-dropdown", has_text="Муниципалитет").locator("select") \
                .select_option(label=muni)
            page.wait_for_function(
                f"() => !document.querySelector('.wb-count').innerText.includes('Список ШНОР: {n0} ')",
                timeout=30_000)
            n1 = _count(page)
            assert 0 < n1 < n0
            page.wait_for_function(
                "m => [...document.querySelectorAll('.wb-table-wrap .wb-table tbody tr td:nth-child(3)')]"
                ".every(td => td.innerText === m)", arg=muni, timeout=30_000)
            assert _municipalities(page) == {muni}
            rows1 = _first_rows(page)

            # threshold slider: bottom share 12 % → 30 % through the editable readout (percent)
            slider = page.locator(".widget-slider", has_text="нижней группы")
            readout = slider.locator(".widget-readout")
            assert readout.inner_text().strip() == "12"
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("30")
            page.keyboard.press("Enter")
            page.wait_for_function(
                f"() => !document.querySelector('.wb-count').innerText.includes('Список ШНОР: {n1} ')",
                timeout=30_000)
            n2 = _count(page)
            assert n2 > n1
            # the table shows exactly the counted list (widgets update one after another)
            page.wait_for_function(
                "n => document.querySelectorAll('.wb-table-wrap .wb-table tbody tr').length === n",
                arg=n2, timeout=30_000)
            assert _municipalities(page) == {muni}
            assert "По сравнению с порогами расчёта: вошли" in page.content()
            assert rows1 != _first_rows(page, 100) or n2 != n1

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "present.png"), full_page=True)

            # «Скачать xlsx» → a link → the browser downloads the current list
            page.locator("button", has_text="Скачать xlsx").click()
            link = page.locator("a.wb-download")
            link.wait_for(timeout=30_000)
            with page.expect_download() as dl:
                link.click()
            xlsx = tmp_path / "list.xlsx"
            dl.value.save_as(xlsx)
            assert dl.value.suggested_filename.startswith(f"список_{year}_")
            sheet = openpyxl.load_workbook(xlsx).active
            assert sheet.max_row - 1 == n2
            assert {r[2].value for r in sheet.iter_rows(min_row=2)} == {muni}

            # clicking a point of the scatter opens the school card
            n_adv = re.search(r"ШНОР в НСУ: (\d+)", page.locator(".wb-count").first.inner_text())
            page.locator(".lm-TabBar-tab", has_text="График").click()
            # the chart is rebuilt for the current filter: wait for the new one (legend counts)
            legend = f"ШНОР в неблагоприятных социальных условиях: {n_adv.group(1)}"
            page.wait_for_function(
                "t => [...document.querySelectorAll('.js-plotly-plot')].length === 2 && "
                "[...document.querySelectorAll('.legendtext')].some(e => e.textContent === t)",
                arg=legend, timeout=30_000)
            page.wait_for_timeout(500)
            point = page.locator(".scatterlayer .trace .points path").first
            point.wait_for(timeout=30_000)
            box = point.bounding_box()  # plotly listens on its drag layer: a real mouse click
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.locator(".hoverlayer .hovertext").first.wait_for(timeout=10_000)
            page.mouse.click(x, y)
            card = page.locator(".wb-card")
            card.wait_for(timeout=30_000)
            assert "Индекс результатов" in card.inner_text()
            assert "95% ДИ" in card.inner_text()
            page.screenshot(path=str(ARTIFACTS / "present_card.png"), full_page=True)
            browser.close()
    finally:
        _stop(proc)

    assert not blocked, f"запросы не к 127.0.0.1: {blocked[:5]}"
    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts <= LOCAL_HOSTS, hosts
    assert proc.returncode is not None
    out = proc.stdout.read()
    assert "Остановка сервера" in out
    port = urlparse(url).port
    time.sleep(1)
    with pytest.raises(OSError):  # Voilà is gone too
        socket.create_connection(("127.0.0.1", port), timeout=2).close()

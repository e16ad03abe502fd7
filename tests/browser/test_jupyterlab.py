"""notebooks/explore.ipynb in JupyterLab (a methodologist's own desk): a copy of the notebook in
a JupyterLab bound to 127.0.0.1 with its own config folders and no update or news checks,
headless Chromium offline; «Run All Cells», the explorer renders (list, chart drawn with the
plotly.js of the app's library widget) and reacts to a filter."""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

import support.present as sp
from workbench import explorer

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def lab(explorer_demo_run, tmp_path):
    """JupyterLab on 127.0.0.1 over a copy of explore.ipynb, showing the demo run."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "explore.ipynb", tmp_path / "notebooks" / "explore.ipynb")
    token, port = secrets.token_hex(12), _free_port()
    env = dict(os.environ)
    env[explorer.RUN_DIR_ENV] = str(explorer_demo_run.parent.parent / "outputs" / "demo")
    env.pop(explorer.SERVED_ENV, None)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings")):
        env[var] = str(tmp_path / "jupyter" / sub)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",  # CI runs as root
           "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True, cwd=str(tmp_path))
    lines: list[str] = []
    while True:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise AssertionError("JupyterLab did not start:\n" + "".join(lines))
        lines.append(line)
        if re.search(rf"http://127\.0\.0\.1:{port}/lab", line):
            break
    yield f"http://127.0.0.1:{port}/lab/tree/notebooks/explore.ipynb?token={token}", proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _count(page) -> int:
    txt = page.locator(".wb-count").first.inner_text()
    return int(re.search(r"Список ШНОР:\s*(\d+)", txt).group(1))


@pytest.mark.timeout(400)
def test_explore_notebook_runs_in_jupyterlab_and_reacts(lab):
    if not Path(sp.CHROMIUM).exists():
        pytest.skip("нет /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    url, _proc = lab
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = sp.launch(pw)
        ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
        sp.local_only(ctx, blocked)
        page = ctx.new_page()
        page.goto(url, timeout=120_000)
        page.locator(".jp-NotebookPanel").first.wait_for(timeout=120_000)
        dialog = page.locator(".jp-Dialog .jp-mod-accept")  # «Select Kernel»: Python 3 offered
        try:
            dialog.first.wait_for(timeout=15_000)
            dialog.first.click()
        except Exception:  # no dialog: the kernel started by itself
            pass
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle'], "
                     ".jp-Toolbar-kernelStatus").first.wait_for(timeout=120_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.locator(".wb-count").first.wait_for(timeout=180_000)
        page.locator(".wb-chart .main-svg").first.wait_for(state="attached", timeout=120_000)
        n0 = _count(page)
        assert n0 > 0 and page.locator(".wb-table-widget tbody tr").count() == n0
        page.locator(".widget-dropdown", has_text="Категория").locator("select") \
            .select_option(label="Все категории")
        page.wait_for_function(
            "() => /В таблице: \\d+/.test(document.querySelector('.wb-count').innerText) && "
            "!document.querySelector('.wb-count').innerText.includes('В таблице: ' + "
            f"{n0} + '.')", timeout=60_000)
        assert page.locator(".wb-table-widget tbody tr").count() > n0
        page.screenshot(path=str(ROOT / "tests" / "artifacts" / "jupyterlab_explore.png"))
        browser.close()
    assert not blocked, f"запросы не к 127.0.0.1: {blocked[:5]}"
    assert urlparse(url).hostname == "127.0.0.1"

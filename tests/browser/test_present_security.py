"""The security cases of `workbench present` (issue 17 items 6, 7, 13, 21, 22): only local Host
names are served (DNS rebinding), the kernel websocket refuses a foreign Origin, a cap on kernels
with a Russian «слишком много участников» page, idle kernels culled, the passports served
read-only and inside the run's briefings/ folder, SIGHUP stops everything like Ctrl+C, a busy
port is refused in Russian (and the address printed is never another server's), a dead kernel
or a restarted server says so in Russian with a reload button."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.ioloop import IOLoop
from tornado.websocket import websocket_connect

import support.present as sp
from workbench.explorer.voila_app import TOO_MANY_TITLE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


def _get(port: int, path: str, host: str | None = None, method: str = "GET",
         origin: str | None = None) -> tuple[int, str]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": host or f"127.0.0.1:{port}"}
    if origin:
        headers["Origin"] = origin
    c.request(method, path, body=b"" if method != "GET" else None, headers=headers)
    r = c.getresponse()
    body = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, body


def _ws_status(port: int, kernel_id: str, host: str, origin: str) -> int:
    """The HTTP status of a kernel websocket handshake (101 = open)."""
    req = HTTPRequest(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id=t",
                      headers={"Host": host, "Origin": origin})

    async def go() -> int:
        try:
            conn = await websocket_connect(req)
        except HTTPClientError as exc:
            return exc.code
        conn.close()
        return 101

    return IOLoop.current().run_sync(go, timeout=60)


@pytest.fixture(scope="module")
def guarded(explorer_demo_run, tmp_path_factory):
    """One server with a tiny cap and fast culling, no preheated pool."""
    params = sp.project_with(explorer_demo_run, tmp_path_factory.mktemp("guarded"),
                             {"kernel_pool": 0, "max_kernels": 2, "cull_idle_s": 5,
                              "cull_interval_s": 1})
    proc, url = sp.start_present(params)
    yield params, proc, url, urlparse(url).port
    sp.stop(proc)


def test_only_local_host_names_are_served(guarded):
    _params, _proc, _url, port = guarded
    status, body = _get(port, "/", host=f"evil.example:{port}")  # a DNS-rebinding page
    assert status == 403 and "kernelId" not in body
    for path in ("/workbench/health", "/voila/static/voila.js", "/workbench/passport/index.html",
                 "/workbench/static/plotly.min.js", "/workbench/static/plotly-basic.min.js",
                 "/api/kernels/00000000-0000-0000-0000-000000000000"):
        assert _get(port, path, host=f"evil.example:{port}")[0] == 403, path
    assert _get(port, "/workbench/health", host=f"localhost:{port}")[0] == 200
    assert _get(port, "/workbench/passport/index.html")[0] == 200
    assert _get(port, "/workbench/static/plotly-basic.min.js")[0] == 200


def test_kernel_websocket_refuses_a_foreign_origin_and_cap_and_culling(guarded):
    """A page's kernel: its websocket opens only from the page's own origin; two pages are the
    cap (the third gets the Russian page, 503); idle kernels without a page are culled and
    the cap frees."""
    _params, _proc, _url, port = guarded
    status, page = _get(port, "/")
    assert status == 200
    kid = KERNEL_ID.search(page).group(1)
    local = f"127.0.0.1:{port}"
    assert _ws_status(port, kid, local, "http://evil.example") == 403
    assert _ws_status(port, kid, f"evil.example:{port}", f"http://evil.example:{port}") == 403
    assert _ws_status(port, kid, local, f"http://{local}") == 101
    assert _get(port, "/")[0] == 200  # the second page
    status, body = _get(port, "/")
    assert status == 503 and TOO_MANY_TITLE in body and "Обновить страницу" in body
    assert "kernelId" not in body
    assert sp.wait_for(lambda: _get(port, f"/workbench/kernel/{kid}")[0] == 404, timeout=60)
    assert sp.wait_for(lambda: _get(port, "/")[0] == 200, timeout=60)  # culled: room again


def test_passports_are_read_only_and_stay_in_the_briefings_folder(guarded):
    params, _proc, _url, port = guarded
    briefings = params.parent.parent / "outputs" / "demo" / "briefings"
    (briefings / "leak.html").symlink_to(briefings.parent / "manifest.json")
    try:
        school = sorted((briefings / "school").iterdir())[0].name
        status, body = _get(port, f"/workbench/passport/school/{school}")
        assert status == 200 and "Паспорт школы" in body
        for path in ("/workbench/passport/../manifest.json",
                     "/workbench/passport/%2e%2e/manifest.json",
                     "/workbench/passport/..%2fmanifest.json",
                     "/workbench/passport/leak.html"):
            status, body = _get(port, path)
            assert status in (403, 404), path
            assert '"run_id"' not in body, path
        for method in ("POST", "PUT", "DELETE"):
            assert _get(port, f"/workbench/passport/school/{school}", method=method)[0] in \
                (403, 405), method
    finally:
        (briefings / "leak.html").unlink()


def test_sighup_stops_present_voila_and_every_kernel(explorer_demo_run, tmp_path):
    """A closed terminal (SIGHUP) stops like Ctrl+C: no Voilà, no kernel left."""
    params = sp.project_with(explorer_demo_run, tmp_path, {"kernel_pool": 1})
    proc, url = sp.start_present(params)
    try:
        assert sp.wait_for(lambda: len(sp.kernels(proc.pid)) == 1, timeout=90)
        tree = sp.descendants(proc.pid)
        assert len(tree) >= 2
    finally:
        out = sp.stop(proc, signal.SIGHUP)
    assert proc.returncode == 0 and "Остановка сервера" in out
    assert sp.wait_for(lambda: not sp.alive(tree), timeout=20), sp.alive(tree)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", urlparse(url).port), timeout=2).close()


def test_a_busy_port_is_refused_in_russian_and_no_other_server_is_announced(explorer_demo_run,
                                                                            tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run(sp.workbench_cmd() + ["present", str(explorer_demo_run), "--port",
                                                   str(port)], capture_output=True, text=True,
                             timeout=120, cwd=str(explorer_demo_run.parent.parent))
    assert out.returncode == 4, out.stdout + out.stderr
    assert f"Порт {port}" in out.stderr and "занят" in out.stderr
    assert "Откройте" not in out.stdout and f":{port + 1}" not in out.stdout


def _kernel_pid(kernel_id: str) -> int:
    pids = [int(d.name) for d in Path("/proc").iterdir() if d.name.isdigit()
            and f"kernel-{kernel_id}.json" in sp.cmdline(int(d.name))]
    assert len(pids) == 1, pids
    return pids[0]


@pytest.mark.timeout(480)
def test_dead_kernel_and_restarted_server_say_so_in_russian(explorer_demo_run, tmp_path):
    if not Path(sp.CHROMIUM).exists():
        pytest.skip("нет /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    params = sp.project_with(explorer_demo_run, tmp_path, {"kernel_pool": 0})
    proc, url = sp.start_present(params)
    port = str(urlparse(url).port)
    try:
        with sync_playwright() as pw:
            browser = sp.launch(pw)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url, timeout=60_000)
            page.locator(".wb-count").first.wait_for(timeout=120_000)
            kid = KERNEL_ID.search(page.content()).group(1)
            os.kill(_kernel_pid(kid), signal.SIGKILL)  # the kernel dies
            box = page.locator("#wb-recovery")
            box.wait_for(timeout=30_000)
            assert "ядро завершилось" in box.inner_text()
            page.screenshot(path=str(Path(__file__).resolve().parents[1] / "artifacts"
                                     / "present_dead_kernel.png"))
            box.locator("button", has_text="Обновить страницу").click()
            page.locator(".wb-count").first.wait_for(timeout=120_000)  # back, a new kernel
            assert page.locator("#wb-recovery").count() == 0
            sp.stop(proc, signal.SIGTERM)  # the presenter restarts the server
            box.wait_for(timeout=30_000)
            text = box.inner_text()
            assert "Нет связи с сервером" in text or "был перезапущен" in text
            proc, url2 = sp.start_present(params, "--port", port)
            assert url2 == url
            box.locator("button", has_text="Обновить страницу").click()
            page.locator(".wb-count").first.wait_for(timeout=120_000)
            browser.close()
    finally:
        sp.stop(proc)
    time.sleep(0.5)

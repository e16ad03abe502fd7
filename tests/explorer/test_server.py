"""Seminar mode without a browser: the command line of the server, the port check, the params it
reads, the cap on kernels, the clean-up of left-over processes."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench import explorer
from workbench.config.explorer import ExplorerParams
from workbench.core.errors import EnvironmentProblem
from workbench.explorer import server, voila_app


def test_voila_template_has_no_cdn_and_speaks_russian():
    tpl = explorer.voila_template_root() / "voila" / "templates" / "workbench" / "index.html.j2"
    text = tpl.read_text(encoding="utf-8")
    assert "http" not in text
    assert "Загрузка обозревателя" in text and "Обновить страницу" in text


def test_command_is_local_one_port_culled_and_preheated():
    p = ExplorerParams(kernel_pool=3, max_kernels=7, cull_idle_s=90, cull_interval_s=15)
    cmd = server.voila_command(Path("x.ipynb"), 8899, p, Path("/run/briefings"), "abc",
                               Path("/tmp/k"))
    assert cmd[1:3] == ["-m", "workbench.explorer.voila_app"]
    for arg in ("--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--port=8899", "--no-browser",
                "--strip_sources=True", "--template=workbench",
                "--MappingKernelManager.cull_idle_timeout=90",
                "--MappingKernelManager.cull_interval=15", "--KernelManager.autorestart=False",
                "--WorkbenchVoila.max_kernels=7", "--WorkbenchVoila.nonce=abc",
                "--WorkbenchVoila.passport_dir=/run/briefings",
                "--Voila.connection_dir_root=/tmp/k", "--preheat_kernel=True", "--pool_size=3"):
        assert arg in cmd, arg
    assert not any("preheat" in a for a in server.voila_command(Path("x"), 1,
                                                                  ExplorerParams(kernel_pool=0)))


def test_busy_port_is_a_russian_environment_problem():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(EnvironmentProblem, match=f"Порт {port} .* занят"):
            server.check_port(port)
    server.check_port(port)  # free again


def test_server_params_come_from_the_params_file_or_the_run(tmp_path):
    params = tmp_path / "params" / "p.yaml"
    params.parent.mkdir()
    params.write_text("region: Край\ninputs:\n  schools: {path: s.csv}\nexplorer:\n  max_kernels: 3\n",
                      encoding="utf-8")
    assert server.server_params(params).max_kernels == 3
    run = tmp_path / "outputs" / "r"
    (run / "tables").mkdir(parents=True)
    (run / "tables" / "identification.parquet").write_bytes(b"")
    (run / "manifest.json").write_text('{"params": {"explorer": {"kernel_pool": 1, "gone": 2}}}',
                                       encoding="utf-8")
    assert server.server_params(run).kernel_pool == 1


class _KM:
    def __init__(self, total: int, pooled: int) -> None:
        self.total, self.pooled = total, pooled

    def list_kernel_ids(self):
        return [f"k{i}" for i in range(self.total)]

    def get_pool_size(self, _nb):
        return self.pooled


def test_kernels_in_use_do_not_count_the_preheated_pool():
    assert voila_app.kernels_in_use(_KM(7, 4), "explore.ipynb") == 3
    assert voila_app.kernels_in_use(_KM(2, 4), "explore.ipynb") == 0
    page = voila_app.too_many_page(20, 20)
    assert voila_app.TOO_MANY_TITLE in page and "explorer.max_kernels" in page


def test_left_over_processes_are_found_by_their_folder_and_ended(tmp_path):
    marker = str(tmp_path / "workbench-kernels-test")
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    try:
        time.sleep(0.3)
        assert server.processes_mentioning(marker) == [proc.pid]
        server.end_processes([proc.pid], grace_s=2)
        proc.wait(timeout=5)
        assert server.processes_mentioning(marker) == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_connection_watch_names_kernels_without_a_page_after_the_grace():
    w = voila_app.ConnectionWatch()
    w.opened("a")
    w.opened("a")  # two websockets (a reconnect racing the old one)
    w.opened("b")
    w.closed("a", 100.0)
    assert w.due(1000.0, 5) == []  # «a» still has a page
    w.closed("a", 100.0)
    w.closed("b", 103.0)
    assert w.due(104.0, 5) == []
    assert w.due(105.0, 5) == ["a"] and w.due(108.0, 5) == ["b"]
    w.opened("c")
    w.closed("c", 0.0)
    w.opened("c")  # the page came back in time
    assert w.due(100.0, 5) == []

"""Seminar mode (`workbench present`): the workbench's Voilà (`voila_app`) on
notebooks/explore.ipynb for one run, on 127.0.0.1 only, code hidden, offline template.

A server that cleans up after itself: kernels end when their tab closes and idle ones are culled
(`explorer.cull_idle_s`); Ctrl+C, SIGTERM and SIGHUP (a closed terminal, systemd) all stop Voilà,
which stops its kernels, and any kernel left behind is ended by its connection folder; the port
is checked before the start and Voilà never moves to another one (`port_retries=0`); the printed
address is the one that answered this start's nonce. Preheated kernels (`explorer.kernel_pool`)
give a participant the page without waiting for the notebook to run.
"""
from __future__ import annotations

import errno
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import webbrowser
from pathlib import Path
from typing import Any

from workbench.config import load_params
from workbench.config.explorer import ExplorerParams
from workbench.core.errors import EnvironmentProblem, WorkbenchError
from workbench.explorer.data import RUN_DIR_ENV, SERVED_ENV, manifest_params, resolve_run_dir
from workbench.explorer.style import APP_TITLE

HOST = "127.0.0.1"
POOL_REFILL_DELAY_S = 5.0  # a used preheated kernel is replaced after this delay (not at once:
#                            the participants who just joined get the CPU first)
STOP_TIMEOUT_S = 20.0
# labextensions the explorer does not use (jupyterlab-plotly alone is a 4.8 MB download)
UNUSED_LABEXTENSIONS = ["jupyterlab-plotly", "jupyterlab_pygments",
                        "@voila-dashboards/jupyterlab-preview"]


class StopRequested(Exception):
    """SIGTERM or SIGHUP reached `serve`: stop like Ctrl+C."""


def notebook_path() -> Path:
    """notebooks/explore.ipynb of the project (editable install: next to src/)."""
    p = Path(__file__).resolve().parents[3] / "notebooks" / "explore.ipynb"
    if not p.exists():
        raise WorkbenchError(f"Не найден блокнот обозревателя: {p}")
    return p


def voila_template_root() -> Path:
    """Folder added to JUPYTER_PATH: holds voila/templates/workbench (lab without CDN links)."""
    return Path(__file__).resolve().parent / "voila_share"


def server_params(target: str | os.PathLike) -> ExplorerParams:
    """The `explorer` section for the server: of the params file given to `present`, else of
    the run's manifest (a run folder given)."""
    p = Path(target)
    if p.suffix.lower() in (".yaml", ".yml"):
        return load_params(p).explorer
    section = manifest_params(resolve_run_dir(p))["explorer_params"]
    known = {k: v for k, v in section.items() if k in ExplorerParams.model_fields}
    return ExplorerParams.model_validate(known)


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_busy_message(port: int) -> str:
    return (f"Порт {port} на {HOST} занят другой программой (возможно, уже идёт другой показ). "
            f"Укажите другой порт (workbench present … --port {port + 1}) или запустите без "
            "--port — свободный порт будет выбран сам.")


def check_port(port: int, host: str = HOST) -> None:
    """EnvironmentProblem (Russian) when `port` cannot be listened on (bound the way tornado
    binds it, with SO_REUSEADDR)."""
    if not 1 <= port <= 65535:
        raise WorkbenchError(f"Порт {port} вне диапазона 1–65535.")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise EnvironmentProblem(port_busy_message(port)) from None
            raise


def voila_command(nb: Path, port: int, params: ExplorerParams | None = None,
                  passport_dir: Path | None = None, nonce: str = "",
                  connection_root: Path | None = None) -> list[str]:
    """The command line of the server: local only, one port, code hidden, offline template,
    idle kernels culled, dead kernels not restarted (the page says so), preheated pool."""
    p = params or ExplorerParams()
    cmd = [sys.executable, "-m", "workbench.explorer.voila_app", str(nb), f"--port={port}",
           "--no-browser", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
           "--template=workbench", "--theme=light", "--strip_sources=True",
           "--show_tracebacks=False", "--VoilaConfiguration.file_allowlist=[]",
           f"--VoilaConfiguration.extension_denylist={UNUSED_LABEXTENSIONS!r}",
           f"--MappingKernelManager.cull_idle_timeout={p.cull_idle_s}",
           f"--MappingKernelManager.cull_interval={p.cull_interval_s}",
           "--KernelManager.autorestart=False",
           f"--WorkbenchVoila.max_kernels={p.max_kernels}", f"--WorkbenchVoila.nonce={nonce}",
           f"--WorkbenchVoila.disconnect_grace_s={p.disconnect_grace_s}"]
    if passport_dir is not None:
        cmd.append(f"--WorkbenchVoila.passport_dir={passport_dir}")
    if connection_root is not None:
        cmd.append(f"--Voila.connection_dir_root={connection_root}")
    if p.kernel_pool > 0:
        cmd += ["--preheat_kernel=True", f"--pool_size={p.kernel_pool}",
                f"--VoilaKernelManager.fill_delay={POOL_REFILL_DELAY_S}"]
    return cmd


def _voila_env(run_dir: Path) -> dict[str, str]:
    """The environment of the server and its kernels: the run to show, our template folder,
    and the mark that the workbench's routes (passports, plotly.js) are served."""
    env = dict(os.environ)
    env[RUN_DIR_ENV] = str(run_dir)
    env[SERVED_ENV] = "1"
    extra = str(voila_template_root())
    env["JUPYTER_PATH"] = extra + (os.pathsep + env["JUPYTER_PATH"]
                                   if env.get("JUPYTER_PATH") else "")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def start_server(target: str | os.PathLike, port: int | None = None,
                 log_path: Path | None = None,
                 params: ExplorerParams | None = None) -> tuple[subprocess.Popen, str]:
    """Start the server on the explorer for a run (folder or params file); return
    (process, url). The process carries `log_path`, `temp_log`, `nonce`, `connection_root`.

    Voilà's own log goes to `log_path` (default: a temporary file)."""
    run_dir = resolve_run_dir(target).resolve()
    params = params or server_params(target)
    nb = notebook_path()
    port = port or free_port()
    nonce = secrets.token_hex(16)
    connection_root = Path(tempfile.mkdtemp(prefix="workbench-kernels-"))
    passports = run_dir / "briefings"
    cmd = voila_command(nb, port, params, passports if passports.is_dir() else None, nonce,
                        connection_root)
    temp_log = log_path is None
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="workbench-voila-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    with open(log_path, "w", encoding="utf-8") as log:
        # own session: a terminal's Ctrl+C reaches only `serve`, which then stops Voilà cleanly
        proc = subprocess.Popen(cmd, env=_voila_env(run_dir), cwd=str(nb.parent), stdout=log,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
    for k, v in (("log_path", log_path), ("temp_log", temp_log), ("nonce", nonce),
                 ("connection_root", connection_root)):
        setattr(proc, k, v)
    return proc, f"http://{HOST}:{port}/"


def _log_tail(proc: subprocess.Popen) -> list[str]:
    log = getattr(proc, "log_path", None)
    if not log or not Path(log).exists():
        return []
    return Path(log).read_text(encoding="utf-8", errors="replace").strip().splitlines()


def _answers_nonce(url: str, nonce: str) -> bool:
    try:
        with urllib.request.urlopen(url + "workbench/health", timeout=2) as r:
            return r.read().decode("utf-8", "replace").strip() == nonce
    except (OSError, urllib.error.URLError):
        return False


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Block until the server at `url` answers this start's nonce (so the address printed is
    this server's); WorkbenchError (Russian) if it died or did not answer in time.

    Only /workbench/health is asked: a GET of the page would take a kernel."""
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            tail = _log_tail(proc)
            if any("no available port" in line or "already in use" in line for line in tail):
                raise EnvironmentProblem(port_busy_message(port))
            raise WorkbenchError("Voilà не запустился: " + (tail[-1] if tail
                                                           else "причина неизвестна"))
        if _answers_nonce(url, getattr(proc, "nonce", "")):
            return
        time.sleep(0.3)
    raise WorkbenchError(f"Voilà не ответил за {timeout:.0f} с; журнал: "
                         f"{getattr(proc, 'log_path', '?')}")


def _say(text: str) -> None:
    """A line for the presenter (a closed terminal must not stop the clean-up)."""
    try:
        print(text, flush=True)
    except (OSError, ValueError):
        pass


def _raise_stop(signum: int, _frame: Any) -> None:
    raise StopRequested(signum)


def serve(run_dir_or_params: str, port: int | None = None, open_browser: bool = False) -> None:
    """`workbench present`: the explorer in Voilà on 127.0.0.1; blocks until Ctrl+C, SIGTERM or
    SIGHUP, then stops the server and every kernel."""
    params = server_params(run_dir_or_params)
    if port is not None:
        check_port(port)
    proc, url = start_server(run_dir_or_params, port, params=params)
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        wait_until_up(url, proc, params.server_start_timeout_s)
        _say(f"Откройте {url} в браузере (показ: «{APP_TITLE}»). Ctrl+C — остановить.")
        if open_browser:
            webbrowser.open(url)
        while proc.poll() is None:
            try:
                proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        raise WorkbenchError(f"Сервер Voilà неожиданно остановился (код {proc.returncode}); "
                             f"журнал: {getattr(proc, 'log_path', '?')}")
    except (KeyboardInterrupt, StopRequested):
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # let the clean-up finish
            signal.signal(s, signal.SIG_IGN)
        _say("Остановка сервера…")
        stop_server(proc)
        if getattr(proc, "temp_log", False):  # clean stop: the temporary log is not needed
            Path(proc.log_path).unlink(missing_ok=True)  # type: ignore[attr-defined]
    finally:
        stop_server(proc)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for s, h in previous.items():
            signal.signal(s, h)


def stop_server(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> None:
    """Stop the server: SIGTERM (Voilà stops its kernels and exits), SIGKILL of its process
    group after `timeout`; then end any kernel of its connection folder still running."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.wait()
    root = getattr(proc, "connection_root", None)
    if root is not None:
        end_processes(processes_mentioning(str(root)))
        shutil.rmtree(root, ignore_errors=True)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def processes_mentioning(text: str) -> list[int]:
    """Pids of the processes whose command line contains `text` (Linux /proc; [] elsewhere):
    the kernels of one server, found by the connection folder made for it."""
    out = []
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        return out
    for d in proc_dir.iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            cmdline = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline:
            out.append(int(d.name))
    return out


def end_processes(pids: list[int], grace_s: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `grace_s` for those still running."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    t0 = time.time()
    alive = list(pids)
    while alive and time.time() - t0 < grace_s:
        time.sleep(0.1)
        alive = [p for p in alive if _running(p)]
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    stat = Path(f"/proc/{pid}/stat")  # a zombie is not running
    try:
        return stat.read_text().split(") ", 1)[1][0] != "Z" if stat.exists() else True
    except (OSError, IndexError):
        return False

"""`workbench present` for the browser tests and the benchmark: a copy of a finished run with its
own `explorer` params, the CLI in a child process, its process tree (Voilà and the kernels),
their memory, headless Chromium offline."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
IDLE_TICKS = 2  # CPU ticks (1/100 s) per process over one second: "idle"
ADDRESS = re.compile(r"Откройте (http://127\.0\.0\.1:(\d+)/).*Ctrl\+C — остановить")


def project_with(params: Path, root: Path, explorer: dict) -> Path:
    """A copy of the run of `params` (outputs/<run_id>) in `root`, and a params file for it
    with the given `explorer` section; returns the new params file."""
    cfg = yaml.safe_load(params.read_text(encoding="utf-8"))
    run_id = cfg["run_id"]
    src = params.parent.parent / "outputs" / run_id
    shutil.copytree(src, root / "outputs" / run_id, symlinks=True)
    cfg["explorer"] = {**(cfg.get("explorer") or {}), **explorer}
    out = root / "params" / params.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def workbench_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("workbench")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench.cli"]


def start_present(params: Path, *extra: str, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """`workbench present PARAMS` in a child process (own session, like a terminal); returns
    (process, url) once it printed its address."""
    proc = subprocess.Popen(workbench_cmd() + ["present", str(params), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, cwd=str(params.parent.parent))
    t0, lines = time.time(), []
    while time.time() - t0 < timeout:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        m = ADDRESS.search(line)
        if m:
            proc.lines = lines  # type: ignore[attr-defined]
            return proc, m.group(1)
    stop(proc, signal.SIGKILL)
    raise AssertionError("present did not print its address:\n" + "".join(lines))


def stop(proc: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 40) -> str:
    """Send `sig` to `present` and wait; returns the rest of its output."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:  # Voilà runs in a session of its own: kill the tree
            tree = descendants(proc.pid)
            os.killpg(proc.pid, signal.SIGKILL)
            for pid in tree:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            proc.wait()
    return proc.stdout.read() if proc.stdout else ""


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d.name))
    return kids


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Voilà and its kernels below `present`)."""
    kids, out, todo = _children(), [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kernels(pid: int) -> list[int]:
    """The kernel processes below `pid`."""
    return [p for p in descendants(pid) if "ipykernel" in cmdline(p)]


def alive(pids: list[int]) -> list[int]:
    out = []
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            out.append(p)
    return out


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes, MB."""
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def wait_for(predicate, timeout: float = 60, step: float = 0.5) -> bool:
    t0 = time.time()
    while time.time() - t0 < timeout:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def launch(pw):
    """Headless Debian Chromium, offline."""
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def local_only(context, blocked: list[str]) -> None:
    """Abort (and record) every request of `context` that is not to 127.0.0.1."""
    from urllib.parse import urlparse

    def guard(route):
        u = urlparse(route.request.url)
        if u.scheme in ("http", "https", "ws", "wss") and u.hostname not in LOCAL_HOSTS:
            blocked.append(route.request.url)
            return route.abort()
        return route.continue_()

    context.route("**/*", guard)

def cpu_ticks(pids: list[int]) -> dict[int, int]:
    out = {}
    for p in pids:
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            out[p] = int(f[11]) + int(f[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return out


def pool_ready(pid: int, pool: int) -> bool:
    """`pool` kernels and every process of the server idle over one second."""
    if len(alive(kernels(pid))) != pool:
        return False
    procs = [pid] + descendants(pid)
    a = cpu_ticks(procs)
    time.sleep(1.0)
    b = cpu_ticks(procs)
    return len(alive(kernels(pid))) == pool and \
        all(b[p] - a.get(p, b[p]) <= IDLE_TICKS for p in b)

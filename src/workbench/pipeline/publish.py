"""The run folder's life: one run at a time, build in a temporary folder, swap it into place,
point `latest` at it, keep a failed build aside.

Every file and folder the runner makes in outputs/ is made without following a symlink someone
left there (the lock is opened with O_NOFOLLOW and must be a regular file with one link; the
build folder is new, never reused; a leftover `.old-*`, `.failed-*` or `.latest-*` is removed as
the link or file it is, never through it)."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import stat
from pathlib import Path

from workbench.config.stages import STAGES
from workbench.core.errors import EnvironmentProblem, environment_problem

LOCK_FILE = ".workbench.lock"


def os_problem(exc: OSError, path: Path) -> BaseException:
    """An OSError of the runner's own files as the user's EnvironmentProblem when it is one."""
    return environment_problem(exc, path) or exc


@contextlib.contextmanager
def run_lock(outputs_root: Path):
    """One run at a time per outputs folder (store and outputs are shared)."""
    try:
        outputs_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_problem(exc, outputs_root) from None
    fd = _open_lock(outputs_root / LOCK_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise EnvironmentProblem(f"Уже идёт другой запуск с папкой результатов {outputs_root}. "
                                 "Дождитесь его окончания и запустите снова.") from None
    try:
        with contextlib.suppress(OSError):  # the PID is a courtesy for whoever looks
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _open_lock(path: Path) -> int:
    """The lock file, opened without following a symlink and refused unless it is a regular
    file of its own (not a FIFO, device or a hard link to another file)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise EnvironmentProblem(
                f"Файл блокировки {path} — символическая ссылка. Её мог оставить кто-то другой; "
                f"удалите её и запустите снова.") from None
        raise os_problem(exc, path) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        raise EnvironmentProblem(f"Файл блокировки {path} — не обычный файл (или жёсткая ссылка "
                                 f"на другой файл). Удалите его и запустите снова.")
    return fd


def remove_path(p: Path) -> None:
    """Remove a file, a symlink (never what it points to) or a folder; nothing if absent."""
    try:
        st = p.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(p)
    else:
        p.unlink()


def check_outputs(root: Path, run_id: str) -> None:
    """Before a run: `latest` must be the workbench's link (a folder or file there would break
    the publish after every stage has run); the run folder and the store must not be symlinks."""
    latest = root / "latest"
    if os.path.lexists(latest) and not latest.is_symlink():
        raise EnvironmentProblem(
            f"В папке результатов {root} есть «latest», но это не ссылка на запуск, а папка или "
            f"файл. Переименуйте или удалите его и запустите снова.")
    for path, what in ((root / run_id, "папка запуска"), (root / "store.duckdb", "хранилище"),
                       (root / "store.duckdb.wal", "журнал хранилища")):
        if path.is_symlink():  # DuckDB and the publish would write through it
            raise EnvironmentProblem(f"{path} — символическая ссылка, а не {what}. Удалите её "
                                     f"и запустите снова.")


def new_build(root: Path, run_id: str, stamp: str) -> Path:
    """A new, empty build folder (never an existing one, never through a symlink)."""
    build = root / f".build-{run_id}-{stamp}-{os.getpid()}-{secrets.token_hex(3)}"
    try:
        build.mkdir()
    except OSError as exc:
        raise os_problem(exc, build) from None
    return build


def reuse_previous_tables(final: Path, build: Path, stages: list[str]) -> None:
    """For stages not run now, take their tables from the previous run of the same run_id."""
    for stage in STAGES:
        if stage.name in stages:
            continue
        for name in stage.tables:
            for ext in ("csv", "parquet"):
                src = final / "tables" / f"{name}.{ext}"
                if src.exists():
                    (build / "tables").mkdir(exist_ok=True)
                    shutil.copy2(src, build / "tables" / src.name)


def publish(build: Path, final: Path) -> None:
    """Swap the finished build into place: old → .old, build → final, remove .old."""
    old = final.with_name(f".old-{final.name}")
    remove_path(old)  # a leftover of an interrupted publish (folder, file or symlink)
    if os.path.lexists(final):
        final.rename(old)
    try:
        build.rename(final)
    except OSError:
        if os.path.lexists(old) and not os.path.lexists(final):
            old.rename(final)  # the previous outputs back in place
        raise
    with contextlib.suppress(OSError):
        remove_path(old)


def point_latest(root: Path, final: Path) -> None:
    """outputs/latest → the last good run (a relative symlink, replaced atomically)."""
    tmp = root / f".latest-{os.getpid()}"
    remove_path(tmp)
    tmp.symlink_to(final.name)
    os.replace(tmp, root / "latest")


def keep_failed(build: Path, root: Path, run_id: str) -> Path:
    """Move a failed build to outputs/.failed-<run_id>/ (replacing an older one); where that is
    impossible (a read-only or full disk), the build stays where it is."""
    failed = root / f".failed-{run_id}"
    try:
        remove_path(failed)
        build.rename(failed)
    except OSError:
        return build
    return failed

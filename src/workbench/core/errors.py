"""The errors a user can cause, each with its stable exit code (documented in the README):
0 ok, 2 data or params, 3 quality gate, 4 environment (disk, permissions, lock), 130
interrupted, 1 only for a bug."""
from __future__ import annotations

import errno

EXIT_OK, EXIT_BUG, EXIT_DATA, EXIT_QUALITY_GATE, EXIT_ENVIRONMENT, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


class WorkbenchError(Exception):
    """An error about the user's data or params; its message is Russian and shown as is."""

    exit_code = EXIT_DATA


class QualityGateError(WorkbenchError):
    """The inputs were read but too much was rejected (or a needed table is empty): nothing is
    published."""

    exit_code = EXIT_QUALITY_GATE


class EnvironmentProblem(WorkbenchError):
    """The machine, not the data: disk full, no permission, another run holds the lock."""

    exit_code = EXIT_ENVIRONMENT


def user_error_names() -> set[str]:
    """Class names of WorkbenchError and of every subclass defined so far: an error with one of
    these names raised in a notebook kernel is the user's, not a bug (its message is shown)."""
    return set(user_error_classes())


def user_error_classes() -> dict[str, type[WorkbenchError]]:
    """Name → class of WorkbenchError and every subclass defined so far."""
    found: dict[str, type[WorkbenchError]] = {}
    todo: list[type[WorkbenchError]] = [WorkbenchError]
    while todo:
        cls = todo.pop()
        found.setdefault(cls.__name__, cls)
        todo.extend(cls.__subclasses__())
    return found


def exit_code_of(exc: BaseException) -> int:
    """The exit code a CLI command ends with after exc."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, WorkbenchError):
        return int(getattr(exc, "exit_code", EXIT_DATA))
    if environment_problem(exc) is not None:
        return EXIT_ENVIRONMENT
    return EXIT_BUG


# errno values that are the machine's, not the data's: disk full or over quota, no permission,
# a read-only file system, too many open files
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_NO_PERMISSION = {errno.EACCES, errno.EPERM}
_ENVIRONMENT_ERRNOS = _DISK_FULL | _NO_PERMISSION | {errno.EROFS, errno.EMFILE, errno.ENFILE}


def environment_problem(exc: BaseException, path: object = None) -> EnvironmentProblem | None:
    """The Russian EnvironmentProblem an OSError stands for (disk full, no permission, read-only
    disk, too many open files), or None when it is not the machine's fault."""
    if not isinstance(exc, OSError) or exc.errno not in _ENVIRONMENT_ERRNOS:
        return None
    where = path if path is not None else (exc.filename or "")
    at = f" ({where})" if where else ""
    if exc.errno in _DISK_FULL:
        text = f"Недостаточно места на диске{at}. Освободите место и запустите снова."
    elif exc.errno in _NO_PERMISSION:
        text = (f"Нет прав на запись{at}. Выберите папку, в которую можно писать (--outputs), "
                f"или дайте права на эту.")
    elif exc.errno == errno.EROFS:
        text = (f"Диск только для чтения{at}. Выберите другую папку результатов (--outputs).")
    else:
        text = "Слишком много открытых файлов в системе; закройте другие программы и повторите."
    return EnvironmentProblem(text)

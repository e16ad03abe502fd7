"""Part of step 8 of the briefings: the pages are written to disk on one background thread while
the next ones render, so that a slow or shared disk does not add its wait to every passport
(40,000 of them at national scale). Rendering stays in this process and on this thread; the
writer only encodes and writes, and releases the GIL while the disk works.

At most `max_pending` pages wait in memory. The first error of the writer (a full disk, no
permission) is raised in the caller at its next `write` or at `close`, as the same exception; once
it failed, the writer writes nothing more."""
from __future__ import annotations

import queue
import threading
from pathlib import Path
from types import TracebackType

_DONE = None  # the sentinel that ends the writer thread


class PageWriter:
    """Writes (path, UTF-8 text) pairs on a background thread; use as a context manager."""

    def __init__(self, max_pending: int = 64) -> None:
        self._queue: queue.Queue[tuple[Path, str] | None] = queue.Queue(maxsize=max_pending)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="briefings-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (item := self._queue.get()) is not _DONE:
            if self._error is None:  # after a failure keep draining, so that put never blocks
                try:
                    item[0].write_text(item[1], encoding="utf-8")
                except BaseException as exc:  # noqa: BLE001 (handed to the caller as it is)
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, path: Path, text: str) -> None:
        """Queue a page (blocks while `max_pending` pages wait); raises the writer's error."""
        self._raise()
        self._queue.put((Path(path), text))

    def close(self) -> None:
        """Wait until every queued page is written; raises the writer's error."""
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()
        self._raise()

    def __enter__(self) -> "PageWriter":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:  # the caller's error wins; the pages queued so far are still written
            self._queue.put(_DONE)
            self._thread.join()

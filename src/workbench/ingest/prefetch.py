"""Reading the next Excel workbooks while the current input file is validated.

Parsing a workbook (python-calamine: Rust) releases the GIL, so background threads parse the
next two workbooks while this thread maps, coerces and validates file i: on two cores the
yearly ВПР workbooks are read side by side, and behind validation. Threads, not processes:
`fork` is unsafe inside a Jupyter kernel (zmq and Arrow threads) and `spawn` re-imports the
caller's `__main__`.

Only workbooks are read ahead (the CSV reader sets a warnings filter, which is process-wide
state, and reading CSV is quick); at most `ahead` sheets (two: ~0.4 GB each for a national
ВПР year) wait in memory beside the current one. A file's read error (a DataError) is raised when its turn comes, so the messages and what
was validated before are the same as when reading one file after the other."""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Sequence

READ_AHEAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


class ReadAhead:
    """`get(i)`: what `read(items[i])` returns, read in the background when items[i] is a
    workbook (its `path` ends in one of READ_AHEAD_SUFFIXES), else None (the caller reads it);
    the next `ahead` workbooks are read meanwhile, by `ahead` threads.
    Items without a `path` (e.g. an error to raise at that point) are never read."""

    def __init__(self, items: Sequence[Any], read: Callable[[Any], Any], ahead: int = 2) -> None:
        self._items = items
        self._read = read
        self._ahead = ahead
        self._futures: dict[int, Future] = {}
        self._pool: ThreadPoolExecutor | None = None

    def _wanted(self, i: int) -> bool:
        path = getattr(self._items[i], "path", None)
        return path is not None and str(path).lower().endswith(READ_AHEAD_SUFFIXES)

    def _submit(self, i: int) -> None:
        if i >= len(self._items) or i in self._futures or not self._wanted(i):
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self._ahead,
                                            thread_name_prefix="workbench-read")
        self._futures[i] = self._pool.submit(self._read, self._items[i])

    def get(self, i: int) -> Any:
        """The read of items[i] (waits for it), or None when it is not read ahead; starts the
        reads of the next `ahead` workbooks (wherever they are in the list) first."""
        if self._wanted(i):
            self._submit(i)
        later = [j for j in range(i + 1, len(self._items)) if self._wanted(j)]
        for j in later[:self._ahead]:
            self._submit(j)
        fut = self._futures.pop(i, None)
        return None if fut is None else fut.result()

    def close(self) -> None:
        """Drop the reads not needed any more (waits for the one running)."""
        if self._pool is not None:
            for fut in self._futures.values():
                fut.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._futures.clear()
        self._pool = None

    def __enter__(self) -> "ReadAhead":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

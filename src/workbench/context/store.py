"""DuckDB store of canonical tables, keyed by the sha256 of the source file, with an ingestion log.

One file `<outputs root>/store.duckdb`. Each canonical table is a DuckDB table with the canonical
columns plus `_sha256` (the source file the row came from). Ingesting a file again replaces its
rows (nothing is added twice), and so does ingesting a new version of a file at the same path
(the corrected export replaces the old one); the log `ingestion_log(path, sha256, table_name,
rows, ingested_at)` holds one entry per (file, table). Pupil-level rows never reach the store: ingest
aggregates them first.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import threading
import time
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.context.run_context import CANONICAL_DIR, META_DIR
from workbench.core.errors import EnvironmentProblem, WorkbenchError, environment_problem
from workbench.core.tables import CANONICAL_TABLES, KEYS

STORE_FILE = "store.duckdb"
LOG_TABLE = "ingestion_log"


class StoreError(WorkbenchError):
    """The store cannot be opened (e.g. another run is writing it)."""


def store_path(root: str | Path) -> Path:
    """The store file under an outputs root."""
    return Path(root) / STORE_FILE


def _ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"bad identifier {name!r}")
    return f'"{name}"'


def _duck_type(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(s):
        return "BIGINT"
    if pd.api.types.is_float_dtype(s):
        return "DOUBLE"
    return "VARCHAR"


def _arrow_duck_type(t: Any) -> str:
    """The store type of a Parquet column (the four types `_duck_type` gives)."""
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE"
    return "VARCHAR"


class Store:
    """A DuckDB file of canonical tables; use as a context manager or call close()."""

    def __init__(self, root: str | Path, read_only: bool = False, wait_seconds: float = 10.0
                 ) -> None:
        self.path = store_path(root)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if read_only and not self.path.exists():
            read_only = False
        deadline = time.monotonic() + wait_seconds
        while True:  # DuckDB allows one writing process: wait a little for the other one
            try:
                self.con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.IOException as exc:
                mapped = _store_problem(exc, self.path)
                if mapped is not exc:  # no permission or no space: waiting would not help
                    raise mapped from None
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"Хранилище {self.path} занято другим процессом (идёт другой запуск?) "
                        f"или повреждено: {str(exc)[:160]}. Дождитесь окончания другого запуска "
                        f"и повторите.") from None
                time.sleep(0.2)
        if not read_only:
            self.con.execute(
                f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (path VARCHAR, sha256 VARCHAR, "
                f"table_name VARCHAR, rows BIGINT, ingested_at TIMESTAMP)")

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # ---------------------------------------------------------------- schema
    def tables(self) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]

    def _types(self, table: str) -> dict[str, str]:
        return {r[0]: r[1] for r in self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()}

    def _ensure(self, table: str, types: dict[str, str]) -> dict[str, str]:
        """Create the table or add the columns it lacks; returns its column types."""
        existing = self._types(table)
        if not existing:
            cols = ", ".join(f"{_ident(c)} {t}" for c, t in types.items())
            self.con.execute(f"CREATE TABLE {_ident(table)} ({cols})")
            return dict(types)
        for c, t in types.items():
            if c not in existing:
                self.con.execute(f"ALTER TABLE {_ident(table)} ADD COLUMN {_ident(c)} {t}")
                existing[c] = t
        return existing

    # ---------------------------------------------------------------- write / read
    def put(self, table: str, sha256: str, path: str, df: pd.DataFrame) -> None:
        """Replace the rows of one source file in one table and log it."""
        if table not in CANONICAL_TABLES:
            raise ValueError(f"not a canonical table: {table}")
        types = {c: _duck_type(df[c]) for c in df.columns}
        self.con.register("_incoming", df.assign(_sha256=sha256))
        try:
            self._replace(table, "_incoming", types, [(path, sha256)])
        finally:
            self.con.unregister("_incoming")

    def put_parquet(self, table: str, parquet: str | Path, files: list[tuple[str, str]]) -> None:
        """Replace the rows of several source files (path, sha256) in one table from a
        Parquet file whose `_sha256` column names the source of each row. DuckDB reads the file
        itself (no Python objects, the GIL released), so this can run beside other work."""
        with self.transaction():
            self.put_parquet_rows(table, parquet, files)

    def _replace(self, table: str, source: str, types: dict[str, str],
                 files: list[tuple[str, str]]) -> None:
        """The rows of these files replaced in one transaction of their own."""
        with self.transaction():
            self.replace_rows(table, source, types, files)

    @contextlib.contextmanager
    def transaction(self):
        """BEGIN … COMMIT; on any error a ROLLBACK whose own failure (DuckDB may have ended the
        transaction already) never hides the first error; a full disk or a missing permission
        becomes an EnvironmentProblem."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            mapped = _store_problem(exc, self.path)
            if mapped is exc:
                raise
            raise mapped from exc

    def replace_rows(self, table: str, source: str, types: dict[str, str],
                     files: list[tuple[str, str]]) -> None:
        """Inside the caller's transaction: drop the rows of these files (and of older versions
        at the same paths), insert the source's rows, log each file."""
        have = self._ensure(table, {**types, "_sha256": "VARCHAR"})
        for path, sha256 in files:
            # the same content (sha) or an older version of the same file (path) is replaced
            old = [r[0] for r in self.con.execute(
                f"SELECT sha256 FROM {LOG_TABLE} WHERE table_name = ? AND path = ?",
                [table, path]).fetchall()]
            for sha in {sha256, *old}:
                self.con.execute(f"DELETE FROM {_ident(table)} WHERE _sha256 = ?", [sha])
                self.con.execute(f"DELETE FROM {LOG_TABLE} WHERE sha256 = ? AND table_name = ?",
                                 [sha, table])
        cols = [*types, "_sha256"]
        select = ", ".join(f"CAST({_ident(c)} AS {have[c]}) AS {_ident(c)}" for c in cols)
        self.con.execute(f"INSERT INTO {_ident(table)} BY NAME SELECT {select} FROM {source}")
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        for path, sha256 in files:
            rows = self.con.execute(f"SELECT count(*) FROM {_ident(table)} WHERE _sha256 = ?",
                                    [sha256]).fetchone()[0]
            self.con.execute(f"INSERT INTO {LOG_TABLE} VALUES (?, ?, ?, ?, ?)",
                             [path, sha256, table, int(rows), now])

    def put_parquet_rows(self, table: str, parquet: str | Path,
                         files: list[tuple[str, str]]) -> None:
        """`put_parquet` inside the caller's transaction."""
        if table not in CANONICAL_TABLES:
            raise ValueError(f"not a canonical table: {table}")
        types = {f.name: _arrow_duck_type(f.type) for f in pq.read_schema(parquet)
                 if f.name != "_sha256"}
        quoted = str(parquet).replace("'", "''")
        self.replace_rows(table, f"read_parquet('{quoted}')", types, files)

    def read(self, table: str, shas: Iterable[str] | None = None) -> pd.DataFrame:
        """Rows of a canonical table (optionally only from the given source files), sorted by key,
        without the internal `_sha256` column."""
        if table not in self.tables():
            return pd.DataFrame()
        sql = f"SELECT * FROM {_ident(table)}"
        args: list[Any] = []
        if shas is not None:
            shas = list(shas)
            if not shas:
                return self.con.execute(sql + " LIMIT 0").df().drop(columns=["_sha256"])
            sql += " WHERE _sha256 IN (SELECT unnest(?))"
            args.append(shas)
        df = self.con.execute(sql, args).df().drop(columns=["_sha256"])
        key = [k for k in KEYS.get(table, []) if k in df.columns]
        if key and len(df):
            df = df.sort_values(key, kind="mergesort").reset_index(drop=True)
        return df

    def log(self) -> pd.DataFrame:
        """The ingestion log (path, sha256, table_name, rows, ingested_at)."""
        return self.con.execute(f"SELECT * FROM {LOG_TABLE} ORDER BY table_name, path").df()


def ingest_result(result: Any, root: str | Path) -> None:
    """Put every canonical table of an ingest.IngestResult into the store at `root`, one
    replacement per source file (rows of that file from that table)."""
    with Store(root) as st:
        for info in result.inputs:
            table, file = info["table"], info["path"]
            tagged = result.files.get(table)
            if tagged is None:
                continue
            part = tagged[tagged["_file"] == file].drop(columns=["_file"])
            st.put(table, info["sha256"], file, part.reset_index(drop=True))


def ingest_parquet(root: str | Path, parquet: dict[str, Path], inputs: list[dict[str, Any]]
                   ) -> None:
    """The same from the run's canonical Parquet files (with their `_sha256` column): table →
    file; `inputs` as in IngestResult.inputs."""
    with Store(root) as st:
        for table, path in parquet.items():
            files = [(i["path"], i["sha256"]) for i in inputs if i["table"] == table]
            if files:
                st.put_parquet(table, path, files)


def _store_problem(exc: BaseException, path: Path) -> BaseException:
    """What a failure of the store is for the user: a full disk or a missing permission is an
    EnvironmentProblem (exit 4) saying the store was not changed; anything else unchanged."""
    env = environment_problem(exc, path)
    if env is not None:
        return EnvironmentProblem(f"{env} Хранилище {path} не изменено.")
    if isinstance(exc, duckdb.Error):
        text = str(exc)
        low = text.lower()
        if "no space left" in low or "disk full" in low or "disk is full" in low:
            return EnvironmentProblem(f"Недостаточно места на диске для хранилища {path}; "
                                      f"хранилище не изменено. Освободите место и запустите снова.")
        if "permission denied" in low or "read-only file system" in low:
            return EnvironmentProblem(f"Нет прав на запись в хранилище {path} (или диск только "
                                      f"для чтения); хранилище не изменено.")
    return exc


class PendingUpdate:
    """The store's changes of one run: made in one transaction on a thread of their own while
    the later stages work (DuckDB releases the GIL), committed only when the run publishes
    (`commit`), rolled back otherwise (`abort`, or the process ending). Until then the store
    file shows what it showed before the run."""

    def __init__(self, root: str | Path, parquet: dict[str, Path],
                 inputs: list[dict[str, Any]]) -> None:
        self.root = Path(root)
        self._ready = threading.Event()      # the rows are in (or it failed)
        self._decided = threading.Event()
        self._finished = threading.Event()
        self._commit = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(parquet, inputs), daemon=True,
                                        name="workbench-store")
        self._thread.start()

    def _work(self, parquet: dict[str, Path], inputs: list[dict[str, Any]]) -> None:
        st: Store | None = None
        try:
            st = Store(self.root)
            st.con.execute("BEGIN TRANSACTION")
            for table, path in sorted(parquet.items()):
                files = [(i["path"], i["sha256"]) for i in inputs
                         if i.get("table") == table and i.get("sha256")]
                if files:
                    st.put_parquet_rows(table, path, files)
        except BaseException as exc:  # re-raised in the caller's thread by commit()
            self._error = exc
        self._ready.set()
        self._decided.wait()
        try:
            if st is not None:
                if self._commit and self._error is None:
                    st.con.execute("COMMIT")
                else:
                    with contextlib.suppress(duckdb.Error):
                        st.con.execute("ROLLBACK")
        except BaseException as exc:
            self._error = exc
            with contextlib.suppress(duckdb.Error):
                st.con.execute("ROLLBACK")
        finally:
            if st is not None:
                with contextlib.suppress(Exception):
                    st.close()
            self._finished.set()

    def wait_ready(self) -> None:
        """Wait until the rows are in (raises the error of putting them)."""
        self._ready.wait()
        if self._error is not None:
            self.abort()
            self._raise()

    def commit(self) -> None:
        """Make the run's changes the store's (raises, with the store unchanged, on failure)."""
        self.wait_ready()
        self._commit = True
        self._decided.set()
        self._finished.wait()
        if self._error is not None:
            self._raise()

    def _raise(self) -> None:
        exc = self._error
        mapped = _store_problem(exc, store_path(self.root))
        if mapped is exc:
            raise exc
        raise mapped from exc

    def abort(self) -> None:
        """Throw the run's changes away (safe to call more than once)."""
        self._decided.set()
        self._finished.wait(timeout=60)


def pending_from_run(root: str | Path, run_dir: str | Path) -> PendingUpdate:
    """The store update of a run folder being built: its canonical Parquet files (with the
    `_sha256` column the ingest stage writes) and its input accounting (`.meta/inputs.json`)."""
    run_dir = Path(run_dir)
    parquet = {p.stem: p for p in sorted((run_dir / CANONICAL_DIR).glob("*.parquet"))}
    meta = run_dir / META_DIR / "inputs.json"
    inputs = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else []
    return PendingUpdate(root, parquet, inputs)


def ingest_run_folder(root: str | Path, run_dir: str | Path) -> None:
    """Put a run folder's canonical tables into the store at `root` now (one transaction)."""
    pending_from_run(root, run_dir).commit()

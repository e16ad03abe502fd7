"""DuckDB store of canonical tables, keyed by the sha256 of the source file, with an ingestion log.

One file `<outputs root>/store.duckdb`. Each canonical table is a DuckDB table with the canonical
columns plus `_sha256` (the source file the row came from). Ingesting a file again replaces its
rows (nothing is added twice), and so does ingesting a new version of a file at the same path
(the corrected export replaces the old one); the log `ingestion_log(path, sha256, table_name,
rows, ingested_at)` holds one entry per (file, table). Pupil-level rows never reach the store: ingest
aggregates them first.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pandas as pd

from workbench.canon import CANONICAL_TABLES, KEYS, WorkbenchError

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
    import pyarrow as pa

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
        if table not in CANONICAL_TABLES:
            raise ValueError(f"not a canonical table: {table}")
        import pyarrow.parquet as pq

        types = {f.name: _arrow_duck_type(f.type) for f in pq.read_schema(parquet)
                 if f.name != "_sha256"}
        quoted = str(parquet).replace("'", "''")
        self._replace(table, f"read_parquet('{quoted}')", types, files)

    def _replace(self, table: str, source: str, types: dict[str, str],
                 files: list[tuple[str, str]]) -> None:
        """In one transaction: drop the rows of these files (and of older versions at the same
        paths), insert the source's rows, log each file."""
        self.con.execute("BEGIN TRANSACTION")
        try:
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
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

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

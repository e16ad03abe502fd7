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

    def _columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()]

    def _ensure(self, table: str, df: pd.DataFrame) -> None:
        existing = self._columns(table)
        if not existing:
            cols = ", ".join(f"{_ident(c)} {_duck_type(df[c])}" for c in df.columns)
            self.con.execute(f"CREATE TABLE {_ident(table)} ({cols})")
            return
        for c in df.columns:
            if c not in existing:
                self.con.execute(f"ALTER TABLE {_ident(table)} ADD COLUMN {_ident(c)} "
                                 f"{_duck_type(df[c])}")

    # ---------------------------------------------------------------- write / read
    def put(self, table: str, sha256: str, path: str, df: pd.DataFrame) -> None:
        """Replace the rows of one source file in one table and log it."""
        if table not in CANONICAL_TABLES:
            raise ValueError(f"not a canonical table: {table}")
        data = df.copy()
        data["_sha256"] = sha256
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._ensure(table, data)
            # the same content (sha) or an older version of the same file (path) is replaced
            old = [r[0] for r in self.con.execute(
                f"SELECT sha256 FROM {LOG_TABLE} WHERE table_name = ? AND path = ?",
                [table, path]).fetchall()]
            for sha in {sha256, *old}:
                self.con.execute(f"DELETE FROM {_ident(table)} WHERE _sha256 = ?", [sha])
                self.con.execute(f"DELETE FROM {LOG_TABLE} WHERE sha256 = ? AND table_name = ?",
                                 [sha, table])
            self.con.register("_incoming", data)
            self.con.execute(f"INSERT INTO {_ident(table)} BY NAME SELECT * FROM _incoming")
            self.con.unregister("_incoming")
            self.con.execute(f"INSERT INTO {LOG_TABLE} VALUES (?, ?, ?, ?, ?)",
                             [path, sha256, table, len(data),
                              dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)])
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

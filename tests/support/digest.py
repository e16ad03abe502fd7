"""Digest of a demo region's files and of a run's outputs: guards behaviour through refactors.

`python tests/support/digest.py DATA_DIR RUN_DIR > tests/e2e/demo_digest.json` rewrites the
stored digest (do it only in a commit that says which outputs changed and why).

Tables are digested column by column, so a failure names the column that changed. Text, integer
and boolean columns are hashed exactly. Float columns are fingerprinted instead: the count of
missing values, Σ|x| and two sums Σ wᵢxᵢ with fixed pseudo-random weights, compared within a
relative 1e-9 of Σ|x| (`same`). The last bits of a bootstrap or a least-squares fit depend on the
machine's BLAS and its thread count (CI, on another machine, failed an exact hash of the same run),
and the digest must guard behaviour, not the last bit; a change of one value in the sixth
significant digit, or a reordering of rows, still moves a weighted sum far beyond the tolerance."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

RTOL = 1e-9


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def xlsx_cells(path: Path) -> str:
    """sha256 of every cell value of every sheet (xlsx files carry a creation time)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    text = json.dumps({ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
                       for ws in wb.worksheets}, ensure_ascii=False, default=str)
    wb.close()
    return _sha(text.encode())


def float_fingerprint(values: np.ndarray) -> list[float]:
    """[missing count, Σ|x|, Σ w₁x, Σ w₂x] with weights fixed by the column's length."""
    rng = np.random.default_rng(len(values))
    w = rng.uniform(0.5, 1.5, size=(2, len(values)))
    missing = ~np.isfinite(values)
    x = np.where(missing, 0.0, values)
    return [float(missing.sum()), float(np.abs(x).sum()), float(w[0] @ x), float(w[1] @ x)]


def same(stored: object, now: object) -> bool:
    """Equal hashes, or float fingerprints within RTOL of Σ|x|."""
    if isinstance(stored, list) and isinstance(now, list) and len(stored) == len(now) == 4:
        tol = RTOL * max(stored[1], now[1], 1e-300) * 1.5
        return stored[0] == now[0] and all(abs(a - b) <= tol for a, b in zip(stored[1:], now[1:]))
    return stored == now


def table_columns(df: pd.DataFrame, key: str) -> dict[str, object]:
    """`key:column` → sha256 of the column's text, or a float fingerprint; `key` → the dtypes."""
    out: dict[str, object] = {key: _sha(",".join(f"{c}:{t}" for c, t in df.dtypes.astype(str).items()).encode()
                                        + f"#{len(df)}".encode())}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_float_dtype(s):
            out[f"{key}:{c}"] = float_fingerprint(s.to_numpy(dtype=float))
        else:
            out[f"{key}:{c}"] = _sha("\n".join("<NA>" if pd.isna(v) else str(v) for v in s.tolist()).encode())
    return out


def digest(data_dir: Path, run_dir: Path) -> dict[str, object]:
    """Key → sha256: demo files, table columns (CSV, or the content of Parquet-only tables),
    data quality, lists.xlsx cells and every briefing page."""
    out: dict[str, object] = {}
    for p in sorted(data_dir.rglob("*")):
        if p.is_file():
            out[f"data/{p.relative_to(data_dir)}"] = _sha(p.read_bytes())
    tables = run_dir / "tables"
    for p in sorted(tables.glob("*.csv")):
        out.update(table_columns(pd.read_csv(p, keep_default_na=False, na_values=[""]),
                                 f"tables/{p.name}"))
    for p in sorted(tables.glob("*.parquet")):
        if not p.with_suffix(".csv").exists():  # Parquet-only tables: hash the content
            out.update(table_columns(pd.read_parquet(p), f"tables/{p.name}"))
    out["data_quality.csv"] = _sha((run_dir / "data_quality.csv").read_bytes())
    out["lists.xlsx (cells)"] = xlsx_cells(run_dir / "lists.xlsx")
    pages = sorted((run_dir / "briefings").rglob("*.html"))
    out["briefings/*.html"] = _sha(b"".join(_sha(p.read_bytes()).encode() for p in pages))
    return out


if __name__ == "__main__":
    print(json.dumps(digest(Path(sys.argv[1]), Path(sys.argv[2])), indent=1, sort_keys=True))

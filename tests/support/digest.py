"""Digest of a demo region's files and of a run's outputs: guards behaviour through refactors.

`python tests/support/digest.py DATA_DIR RUN_DIR > tests/e2e/demo_digest.json` rewrites the
stored digest (do it only in a commit that says which outputs changed and why)."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import openpyxl
import pandas as pd


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def xlsx_cells(path: Path) -> str:
    """sha256 of every cell value of every sheet (xlsx files carry a creation time)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    text = json.dumps({ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
                       for ws in wb.worksheets}, ensure_ascii=False, default=str)
    wb.close()
    return _sha(text.encode())


def digest(data_dir: Path, run_dir: Path) -> dict[str, str]:
    """File → sha256: demo files, table CSVs (content of Parquet-only tables), data quality,
    lists.xlsx cells and every briefing page."""
    out: dict[str, str] = {}
    for p in sorted(data_dir.rglob("*")):
        if p.is_file():
            out[f"data/{p.relative_to(data_dir)}"] = _sha(p.read_bytes())
    tables = run_dir / "tables"
    for p in sorted(tables.glob("*.csv")):
        out[f"tables/{p.name}"] = _sha(p.read_bytes())
    for p in sorted(tables.glob("*.parquet")):
        if not p.with_suffix(".csv").exists():  # Parquet-only tables: hash the content
            df = pd.read_parquet(p)
            h = hashlib.sha256(pd.util.hash_pandas_object(df, index=False).values.tobytes())
            h.update(",".join(f"{c}:{t}" for c, t in df.dtypes.astype(str).items()).encode())
            out[f"tables/{p.name}"] = h.hexdigest()
    out["data_quality.csv"] = _sha((run_dir / "data_quality.csv").read_bytes())
    out["lists.xlsx (cells)"] = xlsx_cells(run_dir / "lists.xlsx")
    pages = sorted((run_dir / "briefings").rglob("*.html"))
    out["briefings/*.html"] = _sha(b"".join(_sha(p.read_bytes()).encode() for p in pages))
    return out


if __name__ == "__main__":
    print(json.dumps(digest(Path(sys.argv[1]), Path(sys.argv[2])), indent=1, sort_keys=True))

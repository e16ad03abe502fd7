"""The ВПР pupil by pupil (`workbench demo --pupil-results csv|parquet`): every school × year ×
subject × grade row of the ВПР expanded into one row per participant with a mark, so that the
file aggregates exactly to the ВПР mark counts of the default demo. At national size (40,000
schools, five years) that is some 50 million rows: they are written in chunks, never held at
once. A pupil's code (14 digits: year, school, grade, number in the grade) is the same for each
subject of the grade, as in real exports."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from workbench.core.formatting import year_label
from workbench.demo.params import DemoRegion

PUPIL_HEADERS = {"student_id": "Код участника", "school_id": "Код ОО", "year": "Учебный год",
                 "subject": "Предмет", "grade": "Класс", "mark": "Отметка"}
PUPIL_FORMATS = ("csv", "parquet")
CHUNK_PUPILS = 4_000_000  # rows of pupils built and written at once


def _vpr_rows(region: DemoRegion) -> pd.DataFrame:
    """The ВПР rows of the results with the school's position in the school list."""
    res = region.tables["results"]
    v = res[res["procedure"] == "ВПР"].reset_index(drop=True)
    schools = region.tables["schools"]["school_id"].to_numpy()
    pos = pd.Series(np.arange(len(schools)), index=schools)
    return v.assign(_s=pos.loc[v["school_id"]].to_numpy())


def _chunks(n: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """Row ranges of the results whose participants add up to about `limit` each."""
    ends = np.searchsorted(np.cumsum(n), np.arange(limit, int(n.sum()) + limit, limit),
                           side="right")
    bounds = np.unique(np.concatenate([[0], np.minimum(ends, len(n)), [len(n)]]))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def pupil_table(v: pd.DataFrame) -> pa.Table:
    """Results rows → one row per participant (marks in order «2»…«5» within the row)."""
    n = v["n_participants"].to_numpy(dtype=np.int64)
    row = np.repeat(np.arange(len(v)), n)
    k = np.arange(len(row)) - np.repeat(np.cumsum(n) - n, n)  # number within the row
    c = v[[f"n_mark{j}" for j in (2, 3, 4)]].to_numpy(dtype=np.int64).cumsum(axis=1)[row]
    mark = 2 + (k[:, None] >= c).sum(axis=1)
    year = v["year"].to_numpy(dtype=np.int64)[row]
    grade = v["grade"].to_numpy(dtype=np.int64)[row]
    code = ((year % 100) * 10**12 + v["_s"].to_numpy(dtype=np.int64)[row] * 10**6
            + grade * 10**4 + k)
    labels = {y: year_label(int(y)) for y in np.unique(year)}
    return pa.table({
        PUPIL_HEADERS["student_id"]: pc.utf8_lpad(pa.array(code).cast(pa.string()), 14, "0"),
        PUPIL_HEADERS["school_id"]: pa.DictionaryArray.from_arrays(
            pa.array(row, pa.int64()), pa.array(v["school_id"].astype(str).to_numpy(), pa.string())
        ).cast(pa.string()),
        PUPIL_HEADERS["year"]: pa.array([labels[y] for y in np.unique(year)], pa.string())
        .take(pa.array(np.searchsorted(np.unique(year), year))),
        PUPIL_HEADERS["subject"]: pa.array(v["subject"].astype(str).to_numpy(), pa.string()
                                           ).take(pa.array(row)),
        PUPIL_HEADERS["grade"]: pa.array(grade),
        PUPIL_HEADERS["mark"]: pa.array(mark.astype(np.int64)),
    })


def _writer(path: Path, fmt: str, schema: pa.Schema) -> pq.ParquetWriter | pcsv.CSVWriter:
    """CSV (utf-8, «,», no quotes: no cell needs them) or Parquet (zstd) written in chunks."""
    if fmt == "csv":
        return pcsv.CSVWriter(path, schema, write_options=pcsv.WriteOptions(
            quoting_style="none", quoting_header="none", include_header=True))
    return pq.ParquetWriter(path, schema, compression="zstd")


def write_vpr_pupils(region: DemoRegion, out_dir: Path, fmt: str) -> tuple[Path, int]:
    """vpr_pupils.csv (utf-8, «,») or vpr_pupils.parquet: the ВПР pupil by pupil. Returns
    (path, rows)."""
    if fmt not in PUPIL_FORMATS:
        raise ValueError(f"pupil_results must be one of {PUPIL_FORMATS}, got {fmt!r}")
    v = _vpr_rows(region)
    path = Path(out_dir) / f"vpr_pupils.{fmt}"
    first = pupil_table(v.iloc[0:0])
    total = 0
    with _writer(path, fmt, first.schema) as w:
        for a, b in _chunks(v["n_participants"].to_numpy(dtype=np.int64), CHUNK_PUPILS):
            t = pupil_table(v.iloc[a:b].reset_index(drop=True))
            total += t.num_rows
            w.write_table(t)
        if total == 0:
            w.write_table(first)
    return path, total

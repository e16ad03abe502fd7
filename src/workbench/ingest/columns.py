"""The columns of the tables: the value type of every column of every canonical table (and of
pupil-level results) as read, the columns checked as counts, shares and percentages, and the
final canonical column order and dtypes; the tables' Russian names."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.vocabulary import TABLE_RU  # noqa: F401  (the tables' Russian names)

# value types: how a raw cell is coerced (coerce.py) and which message a failure gets
ID, TEXT, NUM, YEAR, GRADE, BOOL, PROC, WAVE, DOMAIN, LOCALITY, DATE = (
    "id", "text", "num", "year", "grade", "bool", "procedure", "wave", "domain", "locality", "date")

_BASE_TYPES: dict[str, dict[str, str]] = {
    "schools": {"school_id": ID, "school_name": TEXT, "municipality": TEXT, "locality": LOCALITY,
                "school_type": TEXT, "latitude": NUM, "longitude": NUM, "is_small": BOOL},
    "context": {"school_id": ID, "year": YEAR},
    "results": {"school_id": ID, "year": YEAR, "procedure": PROC, "subject": TEXT, "grade": GRADE,
                "n_participants": NUM, **{f"n_mark{k}": NUM for k in range(2, 6)},
                **{f"pct_mark{k}": NUM for k in range(2, 6)}, "mean_score": NUM,
                "sd_score": NUM, "n_low": NUM, "share_low": NUM},
    "results_students": {"student_id": ID, "school_id": ID, "year": YEAR, "procedure": PROC,
                         "subject": TEXT, "grade": GRADE, "mark": NUM, "score": NUM,
                         "is_low": BOOL},
    "monitoring": {"school_id": ID, "year": YEAR, "wave": WAVE, "domain": DOMAIN,
                   "indicator": TEXT, "value": NUM, "n": NUM, "higher_is_better": BOOL},
    "risk_survey": {"school_id": ID, "year": YEAR, "risk_factor": TEXT, "value": NUM,
                    "source": TEXT},
    "programme": {"school_id": ID, "year": YEAR, "participant": BOOL, "curator": TEXT,
                  "partner_school_id": ID},
    "agreements": {"school_id": ID, "partner_id": ID, "number": TEXT, "date": DATE,
                   "valid_until": DATE, "status": TEXT},
    "curators": {"curator_id": ID, "name": TEXT, "organisation": TEXT, "municipality": TEXT,
                 "capacity": NUM},
    "decisions": {"school_id": ID, "year": YEAR, "decision": TEXT, "category": TEXT,
                  "reason": TEXT, "expert": TEXT, "decision_date": TEXT},
    "plan": {"school_id": ID, "year": YEAR, "measure_no": NUM, "problem_number": NUM,
             "problem": TEXT, "module": TEXT, "level": TEXT, "measure": TEXT, "deadline": TEXT,
             "responsible": TEXT, "status_sep": TEXT, "status_dec": TEXT, "status_mar": TEXT,
             "status_jun": TEXT, "note": TEXT},
}
COUNT_COLUMNS = {"n_participants", "n_mark2", "n_mark3", "n_mark4", "n_mark5", "n_low"}
NONNEG_COLUMNS = COUNT_COLUMNS | {"mean_score", "sd_score", "n", "n_students", "internet_mbps",
                                  "distance_km", "score", "capacity"}
PCT_COLUMNS = {f"pct_mark{k}" for k in range(2, 6)}


def is_share_column(name: str) -> bool:
    """Columns whose values are shares in [0, 1] (share_*, *_share, *_rate)."""
    return name.startswith("share_") or name.endswith("_share") or name.endswith("_rate")


def column_types(table: str, indicators: dict[str, str]) -> dict[str, str]:
    """Canonical column → value type for a table (context gets the declared indicators)."""
    types = dict(_BASE_TYPES[table])
    if table == "context":
        for name in indicators:
            types[name] = BOOL if name == "is_rural" else NUM
    return types


CANONICAL_ORDER: dict[str, list[str]] = {
    "schools": ["school_id", "school_name", "municipality", "locality", "school_type", "latitude",
                "longitude", "is_small"],
    "results": ["school_id", "year", "procedure", "subject", "grade", "n_participants", "n_mark2",
                "n_mark3", "n_mark4", "n_mark5", "mean_score", "sd_score", "n_low", "share_low"],
    "monitoring": ["school_id", "year", "wave", "domain", "indicator", "value", "n",
                   "higher_is_better"],
    "risk_survey": ["school_id", "year", "risk_factor", "value", "source"],
    "programme": ["school_id", "year", "participant", "curator", "partner_school_id"],
    "agreements": ["school_id", "partner_id", "number", "date", "valid_until", "status"],
    "curators": ["curator_id", "name", "organisation", "municipality", "capacity"],
    "decisions": ["school_id", "year", "decision", "category", "reason", "expert",
                  "decision_date"],
    "plan": ["school_id", "year", "measure_no", "problem_number", "problem", "module", "level",
             "measure", "deadline", "responsible", "status_sep", "status_dec", "status_mar",
             "status_jun", "note"],
}


def finalise_table(table: str, df: pd.DataFrame, indicators: dict[str, str],
                   keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Canonical columns in canonical order and dtypes (internal columns dropped except `keep`).
    Rows stay in file order (ctx.write_canonical sorts by key)."""
    if table == "context":
        cols = ["school_id", "year"] + [c for c in indicators if c in df.columns]
    else:
        cols = CANONICAL_ORDER[table]
    out = pd.DataFrame(index=df.index)
    for c in cols:
        out[c] = df[c] if c in df.columns else np.nan
    for c in ("school_id", "school_name", "municipality", "locality", "school_type", "procedure",
              "subject", "wave", "domain", "indicator", "risk_factor", "source", "curator",
              "partner_school_id", "partner_id", "number", "date", "valid_until", "status",
              "curator_id", "name", "organisation",
              "decision", "category", "reason", "expert", "decision_date",
              "problem", "module", "level", "measure", "deadline", "responsible", "status_sep",
              "status_dec", "status_mar", "status_jun", "note"):
        if c in out.columns and out[c].dtype != object:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    for c in ("year", "grade", "n_participants"):
        if c in out.columns:
            out[c] = out[c].astype("int64")
    if table == "schools":
        out["is_small"] = out["is_small"].map(lambda v: bool(v) if v is not None and v == v else False).astype(bool)
        for c in ("latitude", "longitude"):
            out[c] = out[c].astype("float64")
    if table == "monitoring":
        out["higher_is_better"] = out["higher_is_better"].map(
            lambda v: True if v is None or v != v else bool(v)).astype(bool)
        out["value"] = out["value"].astype("float64")
        out["n"] = out["n"].astype("float64")
    if table == "risk_survey":
        out["source"] = out["source"].where(out["source"].notna(), "")
        out["value"] = out["value"].astype("float64")
    if table == "programme":
        out["participant"] = out["participant"].astype(bool)
    if table == "curators":
        out["capacity"] = pd.to_numeric(out["capacity"], errors="coerce").astype("float64")
    if table == "results":
        for c in cols[6:]:
            out[c] = out[c].astype("float64")
    if table == "context":
        for c in cols[2:]:
            out[c] = pd.to_numeric(out[c].map(lambda v: float(v) if v is not None else np.nan)
                                   if out[c].dtype == object else out[c], errors="coerce").astype("float64")
    if table == "plan":
        for c in ("measure_no", "problem_number"):
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in keep:
        out[c] = df[c]
    return out.reset_index(drop=True)

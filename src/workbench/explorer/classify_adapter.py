"""The thin adapter over `workbench.identify.classify`: the sliders' params model, params from
the run's manifest, and categories re-derived from the run's precomputed indices with new
thresholds (same rows, Russian labels that follow the codes)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench import identify
from workbench.config.base import StrictModel
from workbench.config.identify import IdentifyParams
from workbench.core.privacy import MIN_CELL
from workbench.core.vocabulary import CATEGORIES
from workbench.identify.decisions import decided_reasons


def identify_params_model() -> type[StrictModel]:
    """The params model whose fields the threshold sliders edit (identify's section model)."""
    return IdentifyParams


def make_identify_params(values: dict[str, Any]) -> StrictModel:
    """Build identify params from a dict (e.g. the run's manifest), ignoring unknown keys."""
    model = identify_params_model()
    return model.model_validate({k: v for k, v in values.items() if k in model.model_fields})


def classify(identification: pd.DataFrame, params: StrictModel,
             years: list[int] | None = None, cells: pd.DataFrame | None = None,
             min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The one place that calls `workbench.identify.classify` (thin adapter): flags, categories
    and reasons re-derived from the precomputed indices with new thresholds; same rows.
    years: the years whose reasons are written (the explorer's year on screen); None = all.
    cells: the run's identification_details, so the reasons name the worst subjects exactly as
    the run's (and the passport's) do; min_cell: the run's small-cell param."""
    out = align(identification, identify.classify(identification, params, cells=cells,
                                                  reasons_years=years, min_cell=min_cell))
    return with_decisions(identification, out)


def with_decisions(run: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """The expert decisions of the run kept at any thresholds: a decided row keeps the run's
    category (include, exclude and category decisions do not depend on the thresholds) and its
    reasons open with the decision, as in the run (`identify.decisions`); category_statistical
    follows the explorer's thresholds."""
    if "decision" not in run.columns or "decision" not in out.columns:
        return out
    decided = run["decision"].notna().to_numpy()
    out = out.assign(category_statistical=out["category"])
    if not decided.any():
        return out
    out.loc[decided, "category"] = run.loc[decided, "category"].to_numpy()
    out.loc[decided, "category_ru"] = out.loc[decided, "category"].map(CATEGORIES).to_numpy()
    for col in ("decision", "decision_text"):
        out.loc[decided, col] = run.loc[decided, col].to_numpy()
    out.loc[decided, "reasons"] = decided_reasons(run.loc[decided, "decision_text"],
                                                  out.loc[decided, "reasons"])
    return out


def align(base: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """Put classify's columns back onto the base rows (a classify may return fewer columns)."""
    if len(out) == len(base) and out.index.equals(base.index) and \
            "school_name" in out.columns:
        res = out
    else:
        keep = [c for c in out.columns if c not in ("school_name", "municipality")]
        extra = base[["school_id", "year"] + [c for c in base.columns
                                              if c not in keep and c not in ("school_id", "year")]]
        o = out[keep].copy()
        o["school_id"] = o["school_id"].astype(str)
        o["year"] = o["year"].astype(int)
        res = extra.merge(o, on=["school_id", "year"], how="left")
        res = res.set_index(base.index)
    # category_ru always follows category (classify implementations may leave a stale label)
    return res.assign(category_ru=res["category"].map(CATEGORIES).fillna(res["category"]))

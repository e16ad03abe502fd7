"""Step 3 — social index.

A standardised composite of the context indicators (adverse ones count negatively, favourable
ones positively): each indicator z-scored per year across schools, missing values imputed by the
year's region median (and counted), the signed scores averaged and z-scored again. Higher = more
favourable; the bottom `adverse_share` of a year is the adverse context (ШФНСУ).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams
from workbench.core.errors import WorkbenchError
from workbench.core.tables import ADVERSE, FAVOURABLE

COLUMNS = ["school_id", "year", "social_index", "social_percentile", "adverse_context"]


def social_directions(directions: dict[str, str], override: dict[str, str] | None,
                      available: list[str]) -> dict[str, str]:
    """Indicators of the social index: override or all adverse/favourable ones present."""
    chosen = dict(override) if override else dict(directions)
    return {k: v for k, v in chosen.items() if v in (ADVERSE, FAVOURABLE) and k in available}


def _rural_from_locality(ctx: pd.DataFrame, schools: pd.DataFrame | None,
                         directions: dict[str, str], params: IdentifyParams) -> None:
    """is_rural from the schools' locality («сел…» = 1, «город…» = 0) when the context has no
    such column and the social index uses it (changes ctx in place)."""
    if (params.rural_from_locality and "is_rural" not in ctx.columns and schools is not None
            and "locality" in schools.columns and schools["locality"].notna().any()
            and "is_rural" in (params.social_indicators or directions)):
        # a registry without localities gives all-missing values: nothing to derive from them
        loc = schools.set_index(schools["school_id"].astype(str))["locality"]
        rural = loc.map(lambda v: (1.0 if v.strip().lower().startswith("сел") else
                                   0.0 if v.strip().lower().startswith("город") else np.nan)
                        if isinstance(v, str) else np.nan)
        ctx["is_rural"] = ctx["school_id"].map(rural).astype(float)


def social_index(context: pd.DataFrame, directions: dict[str, str],
                 schools: pd.DataFrame | None = None, params: IdentifyParams | None = None
                 ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """School × year social index (higher = more favourable), standardised per year.

    Each indicator is z-scored per year across schools (missing values → the year's region
    median, counted), signed (adverse −, favourable +), averaged, and the composite z-scored
    again. Returns (table: school_id, year, social_index, social_percentile, adverse_context,
    and the indicator values used; info: indicators, directions, n_imputed per indicator).
    """
    params = params or IdentifyParams()
    info: dict[str, Any] = {"indicators": [], "n_imputed": {}, "dropped": []}
    if context is None or len(context) == 0:
        return pd.DataFrame(columns=COLUMNS), info
    ctx = context.copy()
    ctx["school_id"] = ctx["school_id"].astype(str)
    ctx["year"] = pd.to_numeric(ctx["year"], errors="coerce").astype("Int64")
    ctx = ctx[ctx["year"].notna()].copy()
    ctx["year"] = ctx["year"].astype(int)
    _rural_from_locality(ctx, schools, directions, params)
    available = [c for c in ctx.columns if c not in ("school_id", "year")
                 and pd.to_numeric(ctx[c], errors="coerce").notna().any()]
    dirs = social_directions(directions, params.social_indicators, available)
    if not dirs:
        raise WorkbenchError(
            "Не удалось рассчитать социальный индекс: в данных о контексте нет ни одного показателя "
            "с направлением (например, share_low_income, share_ovz, distance_km). Добавьте их в "
            "таблицу контекста или укажите identification.social_indicators в параметрах.")
    parts = []
    for ind, direction in dirs.items():
        x = pd.to_numeric(ctx[ind], errors="coerce").astype(float)
        med = x.groupby(ctx["year"]).transform("median")
        info["n_imputed"][ind] = int((x.isna() & med.notna()).sum())
        x = x.fillna(med)
        mean = x.groupby(ctx["year"]).transform("mean")
        sd = x.groupby(ctx["year"]).transform("std")
        z = (x - mean) / sd.where(sd > 1e-12)
        if z.notna().sum() == 0:
            info["dropped"].append(ind)
            continue
        parts.append((1.0 if direction == FAVOURABLE else -1.0) * z)
        info["indicators"].append(ind)
        ctx[ind] = x
    info["directions"] = {k: dirs[k] for k in info["indicators"]}
    comp = pd.concat(parts, axis=1).mean(axis=1) if parts else pd.Series(np.nan, index=ctx.index)
    mean = comp.groupby(ctx["year"]).transform("mean")
    sd = comp.groupby(ctx["year"]).transform("std")
    ctx["social_index"] = ((comp - mean) / sd.where(sd > 1e-12)).fillna(0.0).where(comp.notna())
    ctx["social_percentile"] = ctx.groupby("year")["social_index"].rank(pct=True) * 100
    ctx["adverse_context"] = (ctx["social_percentile"] <= params.adverse_share * 100).fillna(False)
    return ctx[COLUMNS + info["indicators"]].reset_index(drop=True), info

"""Step 5 — objectivity of the ВПР results: a flag for review, never an exclusion.

Two signs. 1) ВПР far above what the school's own ОГЭ/ЕГЭ predict: the regression residual in
noise units, pooled over consecutive years. 2) The ВПР share of «5» far above the region's while
the school's own exams are low.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams
from workbench.core.formatting import fmt_num, fmt_pct
from workbench.identify.grid import grid, wide
from workbench.identify.result_index import aggregate_index

EXAM_PROCEDURES = ("ОГЭ", "ЕГЭ")
VPR = "ВПР"
COLUMNS = ["school_id", "year", "vpr_index", "exam_index", "exam_se", "objectivity_gap",
           "objectivity_z",
           "vpr_share5", "vpr_share5_region", "vpr_mean_mark", "objectivity_flag",
           "objectivity_reason"]


def _side_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The ВПР and ОГЭ/ЕГЭ cells with their side ("vpr"/"exam"), only the columns used here."""
    side = np.where(cells["procedure"] == VPR, "vpr",
                    np.where(cells["procedure"].isin(EXAM_PROCEDURES), "exam", ""))
    keep = side != ""
    need = ["school_id", "year", "grade", "n", "z", "z_var", "z_se", "share5", "mean_mark"]
    need += ["in_index"] if "in_index" in cells.columns else []
    return cells.loc[keep, need].assign(_side=side[keep])


def _side_indices(c: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """School × year: index, se and participants of the ВПР side and of the exam side."""
    side = aggregate_index(c, params, by=("school_id", "year", "_side"))
    wide_ = side.pivot_table(index=["school_id", "year"], columns="_side",
                             values=["index", "se", "n_results"], aggfunc="first")
    wide_.columns = [f"{a}_{b}" for a, b in wide_.columns]
    for col in ("index_vpr", "index_exam", "se_vpr", "se_exam", "n_results_vpr", "n_results_exam"):
        if col not in wide_.columns:
            wide_[col] = np.nan
    out = wide_.reset_index()
    out["vpr_index"] = out["index_vpr"]
    out["exam_index"] = out["index_exam"]
    out["exam_se"] = out["se_exam"]
    out["objectivity_gap"] = np.nan
    out["objectivity_z"] = np.nan
    return out


def _exam_gap(out: pd.DataFrame, enough: pd.Series) -> None:
    """Per year (≥ 10 schools with enough pupils on both sides): ВПР index regressed on the exam
    index; objectivity_gap = residual above the median residual, objectivity_z = that gap over
    its noise (sampling error of both indices + the region's robust residual spread). In place."""
    for year, g in out[enough].groupby("year"):
        if len(g) < 10:
            continue
        b1, b0 = np.polyfit(g["exam_index"], g["vpr_index"], 1)
        res = g["vpr_index"] - (b0 + b1 * g["exam_index"])
        centre = float(res.median())
        mad = 1.4826 * float((res - centre).abs().median())
        noise2 = g["se_vpr"] ** 2 + (b1 * g["se_exam"]) ** 2
        spread2 = max(0.0, mad ** 2 - float(noise2.median()))
        out.loc[g.index, "objectivity_gap"] = res - centre
        out.loc[g.index, "objectivity_z"] = (res - centre) / np.sqrt(spread2 + noise2)


def _pool_over_years(out: pd.DataFrame, k_years: int) -> np.ndarray:
    """objectivity_z summed over the last k consecutive years with a value (÷√k), per row."""
    years = sorted(out["year"].unique().tolist())
    zw = wide(out, out["objectivity_z"], years, np.nan).to_numpy()
    pooled = np.full_like(zw, np.nan)
    for j in range(len(years)):
        acc = np.zeros(zw.shape[0])
        cnt = np.zeros(zw.shape[0])
        alive = np.ones(zw.shape[0], bool)
        for lag in range(k_years):
            jj = j - lag
            if jj < 0 or years[jj] != years[j] - lag:
                break
            v = zw[:, jj]
            alive &= np.isfinite(v)
            acc = np.where(alive, acc + np.nan_to_num(v), acc)
            cnt = np.where(alive, cnt + 1, cnt)
        pooled[:, j] = np.where(cnt > 0, acc / np.sqrt(np.maximum(cnt, 1)), np.nan)
    _, pos_s, pos_y = grid(out, years)
    return pooled[pos_s, pos_y]


def vpr_mean_mark(c: pd.DataFrame) -> pd.Series:
    """The school-year's mean ВПР mark over all its ВПР rows (classes of any size), weighted by
    participants — the number a region typically selects programme participants on; the
    monitoring matches on it (`monitoring.match_extra`). Indexed by (school_id, year)."""
    v = c[(c["_side"] == "vpr") & c["mean_mark"].notna() & (c["n"] > 0)]
    v = v.assign(_pts=v["mean_mark"] * v["n"])
    g = v.groupby(["school_id", "year"]).agg(_pts=("_pts", "sum"), _n=("n", "sum"))
    return (g["_pts"] / g["_n"]).rename("vpr_mean_mark")


def _share5_sign(out: pd.DataFrame, c: pd.DataFrame,
                 params: IdentifyParams) -> tuple[pd.DataFrame, pd.Series]:
    """The ВПР share of «5» of the school and of the region; flagged when the excess is large
    and significant (binomial z) while the school's own exams are low. Returns (out, flag)."""
    v = c[(c["_side"] == "vpr") & c["share5"].notna()]
    v = v.assign(_n5=v["share5"] * v["n"])
    s5 = v.groupby(["school_id", "year"]).agg(_n5=("_n5", "sum"), _n=("n", "sum"))
    reg = v.groupby("year").agg(_n5=("_n5", "sum"), _n=("n", "sum"))
    s5["vpr_share5"] = s5["_n5"] / s5["_n"]
    s5["n5_base"] = s5["_n"]
    out = out.merge(s5[["vpr_share5", "n5_base"]].reset_index(), on=["school_id", "year"], how="left")
    out["vpr_share5_region"] = out["year"].map(reg["_n5"] / reg["_n"])
    p = out["vpr_share5_region"]
    excess = out["vpr_share5"] - p
    zz = excess / np.sqrt(p * (1 - p) / out["n5_base"])
    exam_low = (out["n_results_exam"] >= params.objectivity_min_n) & (
        out["exam_index"] < params.objectivity_share5_exam_ceiling)
    flag5 = ((out["n5_base"] >= params.objectivity_min_n)
             & (excess > params.objectivity_share5_excess)
             & (zz >= params.objectivity_share5_z) & exam_low).fillna(False)
    return out, flag5


def _reasons(out: pd.DataFrame, flag_gap: pd.Series, flag5: pd.Series) -> list[str]:
    """The Russian reason of each row ("" when not flagged)."""
    reasons = []
    for fg, f5, r in zip(flag_gap, flag5, out.itertuples()):
        parts = []
        if fg:
            parts.append(f"индекс ВПР {fmt_num(r.vpr_index, 1, True)} при индексе ОГЭ/ЕГЭ "
                         f"{fmt_num(r.exam_index, 1, True)}: ВПР выше ожидаемого по ОГЭ/ЕГЭ на "
                         f"{fmt_num(r.objectivity_gap, 1)}")
        if f5:
            parts.append(f"доля «5» по ВПР {fmt_pct(r.vpr_share5)} (регион "
                         f"{fmt_pct(r.vpr_share5_region)})")
        reasons.append("признаки необъективности результатов ВПР, требуется проверка: "
                       + "; ".join(parts) if parts else "")
    return reasons


def objectivity(cells: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """School × year signs of non-objective ВПР results (for review, never exclusion).

    1. ВПР against the school's own ОГЭ/ЕГЭ: per year the ВПР index is regressed on the exam
       index over the schools with at least `objectivity_min_n` participants on both sides; the
       residual (ВПР above what its exams predict) is divided by its noise (sampling error of both
       indices plus the region's robust residual spread) and summed over the last
       `objectivity_pool_years` consecutive years (÷√k); flagged when ≥ `objectivity_z` and
       the year's gap is at least `objectivity_gap` and the ВПР index at least
       `objectivity_min_vpr_index`.
    2. ВПР share of «5» above the region's by `objectivity_share5_excess` (binomial z ≥
       `objectivity_share5_z`) while the school's own exams do not back it (exam index below
       `objectivity_share5_exam_ceiling`; a school without exams is not judged on this sign).
    """
    if len(cells) == 0:
        return pd.DataFrame(columns=COLUMNS)
    c = _side_cells(cells)
    if len(c) == 0:
        return pd.DataFrame(columns=COLUMNS)
    out = _side_indices(c, params)
    enough = ((out["n_results_vpr"] >= params.objectivity_min_n)
              & (out["n_results_exam"] >= params.objectivity_min_n)
              & out["vpr_index"].notna() & out["exam_index"].notna())
    _exam_gap(out, enough)
    out["objectivity_z"] = _pool_over_years(out, params.objectivity_pool_years)
    flag_gap = (enough & (out["objectivity_z"] >= params.objectivity_z)
                & (out["objectivity_gap"] >= params.objectivity_gap)
                & (out["vpr_index"] >= params.objectivity_min_vpr_index)).fillna(False)
    out, flag5 = _share5_sign(out, c, params)
    out = out.merge(vpr_mean_mark(c).reset_index(), on=["school_id", "year"], how="left")
    out["objectivity_flag"] = flag_gap | flag5
    out["objectivity_reason"] = _reasons(out, flag_gap, flag5)
    return out[COLUMNS]

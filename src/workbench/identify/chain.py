"""The whole chain of identification: cells (1) → the year's index (2) → social index (3) →
objectivity (5, needed before pooling: a flagged school is pooled on its exams) → variance
components, pooled index, expected result and value added, persistent quality (4) → classify
(6), with the Russian notes on what had to be filled in (context of a neighbouring year, imputed
indicators, a short history, small classes left out of the index)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.config.identify import IdentifyParams
from workbench.core.errors import WorkbenchError
from workbench.core.formatting import years_ru
from workbench.core.privacy import MIN_CELL
from workbench.core.tables import INDICATOR_LABELS_RU, STANDARD_INDICATORS
from workbench.identify.cells import cell_scores
from workbench.identify.classify import classify
from workbench.identify.objectivity import objectivity
from workbench.identify.components import (school_subject_variance, school_year_variance,
                                           subject_weight2)
from workbench.identify.pooled import pooled_estimates
from workbench.identify.quality import quality
from workbench.identify.result_index import result_index
from workbench.identify.social_index import social_index
from workbench.identify.value_added import value_added

SOCIAL = ["social_index", "social_percentile"]
COLUMNS = ["school_id", "year", "n_pupils", "n_pupils_index", "result_index", "result_se",
           "result_ci_low", "result_ci_high", "result_index_shrunk", "result_se_shrunk",
           "year_percentile", "pooled_index", "pooled_se", "n_years", "window_from", "n_pooled",
           "ranked_on_exams", "quality_index", "quality_se", "quality_ci_low", "quality_ci_high",
           "shrink_weight", "result_percentile", "rank_ci_low", "rank_ci_high", "prob_bottom",
           "bottom_cut", "in_bottom", "share_low", "share_low_region", "social_index",
           "social_percentile", "expected_index", "value_added", "va_se", "va_ci_low",
           "va_ci_high", "low_results", "watch", "adverse_context", "insufficient_data",
           "category", "category_ru", "objectivity_flag", "reasons", "years_low", "evidence_years",
           "listed_since", "exit_met", "exit_reason", "years_out", "list_on_hold", "benchmark",
           "sigma_u2", "sigma_drift2", "sigma_subj2", "subject_weight2", "tau2", "tau2_year",
           "vpr_index", "exam_index", "exam_se", "objectivity_gap", "objectivity_z", "vpr_share5",
           "vpr_share5_region", "vpr_mean_mark", "objectivity_reason"]


def _school_years(idx: pd.DataFrame, soc: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Rows: every school with results in a results year, plus schools with context in those
    years; the result index and the social index of the same year."""
    keys = idx[["school_id", "year"]]
    extra = soc.loc[soc["year"].isin(years), ["school_id", "year"]]
    keys = pd.concat([keys, extra]).drop_duplicates().reset_index(drop=True)
    df = keys.merge(idx, on=["school_id", "year"], how="left")
    df["n_pupils"] = df["n_pupils"].fillna(0)
    df["n_pupils_index"] = df["n_pupils_index"].fillna(0)
    df["tau2_year"] = df["year"].map(idx.groupby("year")["tau2_year"].first())
    df["share_low_region"] = df["year"].map(idx.groupby("year")["share_low_region"].first())
    return df.merge(soc[["school_id", "year"] + SOCIAL], on=["school_id", "year"], how="left")


def _borrow_context(df: pd.DataFrame, soc: pd.DataFrame) -> int:
    """Context of the nearest earlier, else the nearest later year where the year of the results
    has none (in place). Returns how many rows took it."""
    miss = df["social_index"].isna()
    if not (miss.any() and len(soc)):
        return 0
    right = soc.dropna(subset=["social_index"])[["school_id", "year"] + SOCIAL]
    right = right.astype({"year": "int64"}).sort_values("year")
    left = df.loc[miss, ["school_id", "year"]].astype({"year": "int64"}).reset_index()
    left = left.sort_values("year")
    for direction in ("backward", "forward"):
        got = pd.merge_asof(left, right, on="year", by="school_id", direction=direction)
        got = got.dropna(subset=["social_index"]).set_index("index")
        todo = got.index[df.loc[got.index, "social_index"].isna()]
        df.loc[todo, SOCIAL] = got.loc[todo, SOCIAL].to_numpy()
    return int(miss.sum() - df["social_index"].isna().sum())


def _notes(df: pd.DataFrame, info: dict[str, Any], n_moved: int, years: list[int],
           params: IdentifyParams, labels: dict[str, str] | None = None) -> list[str]:
    """What the chain had to fill in or take into account, in Russian."""
    labels = labels or INDICATOR_LABELS_RU
    notes: list[str] = []
    if n_moved:
        notes.append(f"Социальный индекс {n_moved} школ взят из данных о контексте соседнего "
                     "года (за год результатов контекста нет).")
    n_no_ctx = int(df["social_index"].isna().sum())
    if n_no_ctx:
        notes.append(f"Для {n_no_ctx} строк «школа × год» нет данных о контексте: социальный индекс "
                     "не рассчитан, школа не относится к ШФНСУ.")
    imputed = {k: v for k, v in info.get("n_imputed", {}).items() if v}
    if imputed:
        listed = ", ".join(f"{labels.get(k, k)} — {v}" for k, v in imputed.items())
        notes.append(f"Социальный индекс: пропуски заменены медианой региона ({listed}).")
    if info.get("indicators"):
        notes.append("Социальный индекс рассчитан по показателям: " + ", ".join(
            labels.get(k, k) for k in info["indicators"]) + ".")
    if len(years) < params.min_years:
        if params.short_history == "strict":
            notes.append(f"Данные о результатах есть только за {years_ru(len(years))}: для "
                         f"включения в список ШНОР нужно не менее {years_ru(params.min_years)}, "
                         "поэтому список пуст; школы нижней группы — в зоне риска.")
        else:
            notes.append(f"Данные о результатах есть только за {years_ru(len(years))}: список ШНОР "
                         "составлен по имеющимся годам (об этом сказано в основаниях).")
    small = df.loc[(df["n_pupils"] > 0) & (df["n_pupils_index"] == 0)]
    if len(small):
        notes.append(f"У {len(small)} строк «школа × год» все классы меньше {params.min_class_n} "
                     "обучающихся: индекс результатов не рассчитан (недостаточно данных).")
    return notes


def _pooled(df: pd.DataFrame, idx: pd.DataFrame, cells: pd.DataFrame,
            params: IdentifyParams) -> pd.DataFrame:
    """df with the variance components and the pooled index (step 4a)."""
    sigma_u2, sigma_drift2 = school_year_variance(idx)
    sigma_subj2 = school_subject_variance(cells) if params.subject_term else 0.0
    df = df.merge(subject_weight2(cells), on=["school_id", "year"], how="left")
    pooled = pooled_estimates(df, params, sigma_u2, sigma_subj2, sigma_drift2)
    return df.merge(pooled, on=["school_id", "year"], how="left")


def identify(results: pd.DataFrame, context: pd.DataFrame, schools: pd.DataFrame | None,
             params: IdentifyParams, directions: dict[str, str] | None = None,
             min_cell: int = MIN_CELL, labels: dict[str, str] | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """All of identification. Returns (identification, cells, notes in Russian); `labels`:
    Russian names of the context indicators (params' labels of declared ones included)."""
    directions = directions or dict(STANDARD_INDICATORS)
    cells = cell_scores(results, params)
    if len(cells) == 0 or cells["z"].notna().sum() == 0:
        raise WorkbenchError(
            "Нет результатов оценочных процедур для расчёта индекса результатов: таблица results "
            "пуста или в ней нет ни долей «2», ни отметок, ни средних баллов.")
    idx = result_index(cells, params)
    years = sorted(idx["year"].unique().tolist())
    soc, info = social_index(context, directions, schools, params)
    df = _school_years(idx, soc, years)
    n_moved = _borrow_context(df, soc)
    notes = _notes(df, info, n_moved, years, params, labels)
    df = df.merge(objectivity(cells, params), on=["school_id", "year"], how="left")
    df["objectivity_flag"] = df["objectivity_flag"].fillna(False).astype(bool)
    df = quality(value_added(_pooled(df, idx, cells, params), params), params)
    df = classify(df, params, cells, min_cell=min_cell)
    df = df[COLUMNS].sort_values(["school_id", "year"], kind="mergesort").reset_index(drop=True)
    return df, cells, notes

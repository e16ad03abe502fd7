"""The pairs and curators for people: the sheets «Пары школ», «Кураторы» and «Нагрузка
кураторов» of lists.xlsx and the summary per municipality (Russian headers)."""
from __future__ import annotations

import numpy as np
import pandas as pd


PAIRS_COLUMNS = ["Муниципалитет", "Код ОО", "Наименование ОО", "Основание пары", "Соглашение",
                 "Код школы-партнёра", "Наименование школы-партнёра", "Муниципалитет партнёра",
                 "Расстояние, км", "Оценка соответствия", "Проверка критериев", "Обоснование"]
_BASIS_RU = {"agreed": "действующее партнёрство", "proposed": "предложена"}


def partners_sheet(partners: pd.DataFrame, schools: pd.DataFrame,
                   unmatched: pd.DataFrame | None = None) -> pd.DataFrame:
    """The pairs sheet of lists.xlsx (Russian headers): every agreed pair (with its agreement and
    its check against the criteria), one row per other low-results school with candidates — its
    proposed partner, or «не назначен» with the best candidate — and the schools without any
    candidate with the note why."""
    cols = PAIRS_COLUMNS
    sch = schools.copy()
    sch["school_id"] = sch["school_id"].astype(str)
    name = dict(zip(sch["school_id"], sch["school_name"].astype(str))) if "school_name" in sch else {}
    mun = dict(zip(sch["school_id"], sch["municipality"].astype(str))) if "municipality" in sch else {}
    parts = []
    if partners is not None and len(partners):
        pr = partners.copy()
        pr["school_id"] = pr["school_id"].astype(str)
        pr["partner_id"] = pr["partner_id"].astype(str)
        basis = pr["basis"] if "basis" in pr.columns else pd.Series("proposed", index=pr.index)
        agreed = pr[basis == "agreed"]
        proposed = pr[basis != "agreed"]
        parts += [_agreed_rows(agreed, name, mun), _proposed_rows(proposed, name, mun)]
    if unmatched is not None and len(unmatched):
        sid = unmatched["school_id"].astype(str).to_numpy(dtype=object)
        parts.append(pd.DataFrame({"Муниципалитет": [mun.get(x, "") for x in sid], "Код ОО": sid,
                                   "Наименование ОО": [name.get(x, "") for x in sid],
                                   "Основание пары": "нет пары",
                                   "Обоснование": unmatched["note"].astype(str).to_numpy()}))
    parts = [x for x in parts if len(x)]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True).reindex(columns=cols)
    for c in cols:
        if c not in ("Расстояние, км", "Оценка соответствия"):
            out[c] = out[c].astype(object).where(out[c].notna(), "")
    return out.sort_values(["Муниципалитет", "Код ОО"], kind="mergesort").reset_index(drop=True)


def _agreed_rows(a: pd.DataFrame, name: dict, mun: dict) -> pd.DataFrame:
    """Rows of the agreed pairs: the agreement, the partner, the check against the criteria."""
    if len(a) == 0:
        return pd.DataFrame()
    ok = a["meets_criteria"].astype(bool).to_numpy()
    return pd.DataFrame({
        "Муниципалитет": [mun.get(x, "") for x in a["school_id"]], "Код ОО": a["school_id"].to_numpy(),
        "Наименование ОО": [name.get(x, "") for x in a["school_id"]],
        "Основание пары": _BASIS_RU["agreed"], "Соглашение": a["agreement"].astype(str).to_numpy(),
        "Код школы-партнёра": a["partner_id"].to_numpy(),
        "Наименование школы-партнёра": [name.get(x, "") for x in a["partner_id"]],
        "Муниципалитет партнёра": [mun.get(x, "") for x in a["partner_id"]],
        "Расстояние, км": a["distance_km"].to_numpy(dtype=float),
        "Оценка соответствия": np.nan,
        "Проверка критериев": np.where(ok, "соответствует критериям ресурсной школы",
                                       "НЕ соответствует: " + a["criteria_note"].astype(str).to_numpy()),
        "Обоснование": a["reasons"].astype(str).to_numpy()})


def _proposed_rows(pr: pd.DataFrame, name: dict, mun: dict) -> pd.DataFrame:
    """Per school: its proposed partner (the best ranked if several), else its best candidate."""
    if len(pr) == 0:
        return pd.DataFrame()
    pr = pr.assign(_assigned=pr["assigned"].astype(bool))
    first = pr.assign(_free=~pr["_assigned"]).sort_values(
        ["school_id", "_free", "rank"], kind="mergesort").drop_duplicates("school_id")
    got = first["_assigned"].to_numpy()
    pid = first["partner_id"].to_numpy(dtype=object)
    reasons = first["reasons"].astype(str).to_numpy(dtype=object)
    sid = first["school_id"].to_numpy(dtype=object)
    return pd.DataFrame({
        "Муниципалитет": [mun.get(x, "") for x in sid], "Код ОО": sid,
        "Наименование ОО": [name.get(x, "") for x in sid],
        "Основание пары": np.where(got, _BASIS_RU["proposed"], "партнёр не назначен"),
        "Код школы-партнёра": np.where(got, pid, ""),
        "Наименование школы-партнёра": [name.get(q, "") if g else "" for q, g in zip(pid, got)],
        "Муниципалитет партнёра": [mun.get(q, "") if g else "" for q, g in zip(pid, got)],
        "Расстояние, км": np.where(got, first["distance_km"].to_numpy(dtype=float), np.nan),
        "Оценка соответствия": np.where(got, first["score"].to_numpy(dtype=float), np.nan),
        "Проверка критериев": np.where(got, "соответствует критериям ресурсной школы", ""),
        "Обоснование": np.where(got, reasons, "партнёр не назначен (ресурсные школы заняты); "
                                              "лучший кандидат: " + reasons.astype(str)),
    })


def curator_sheets(assignments: pd.DataFrame, workload: pd.DataFrame,
                   schools: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The sheets «Кураторы» (school → curator, kept or assigned) and «Нагрузка кураторов»."""
    sch = schools.assign(school_id=schools["school_id"].astype(str))
    name = dict(zip(sch["school_id"], sch["school_name"].astype(str))) if "school_name" in sch else {}
    mun = dict(zip(sch["school_id"], sch["municipality"].astype(str))) if "municipality" in sch else {}
    a = assignments if assignments is not None else pd.DataFrame(columns=["school_id"])
    sid = a["school_id"].astype(str).to_numpy(dtype=object)
    src = {"agreed": "сохранён (указан в таблице участия)", "assigned": "назначен"}
    cur = pd.DataFrame({
        "Муниципалитет": [mun.get(x, "") for x in sid], "Код ОО": sid,
        "Наименование ОО": [name.get(x, "") for x in sid],
        "Куратор": a.get("curator_name", pd.Series(dtype=object)).fillna("").astype(str).to_numpy(),
        "Организация куратора": a.get("organisation", pd.Series(dtype=object)).fillna("").astype(str).to_numpy(),
        "Свой муниципалитет": ["да" if v else "нет" for v in a.get("same_municipality", [])],
        "Основание": [src.get(v, str(v)) for v in a.get("source", [])]})
    w = workload if workload is not None else pd.DataFrame()
    load = pd.DataFrame({
        "Куратор": w.get("curator_name", pd.Series(dtype=object)),
        "Организация": w.get("organisation", pd.Series(dtype=object)),
        "Муниципалитет": w.get("municipality", pd.Series(dtype=object)),
        "Предельная нагрузка, школ": w.get("capacity", pd.Series(dtype=float)),
        "Школ": w.get("n_schools", pd.Series(dtype=float)),
        "Из них сохранено": w.get("n_kept", pd.Series(dtype=float)),
        "Из них назначено": w.get("n_assigned", pd.Series(dtype=float)),
        "В другом муниципалитете": w.get("n_other_municipality", pd.Series(dtype=float)),
        "Сверх нагрузки": ["да" if v else "" for v in w.get("over_capacity", [])]})
    return {"Кураторы": cur.sort_values(["Муниципалитет", "Код ОО"], kind="mergesort")
            .reset_index(drop=True), "Нагрузка кураторов": load}


def pairs_by_municipality(partners: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Per municipality: ШНОР with candidates, with an assigned partner, partner in the same
    municipality, median distance (Russian headers)."""
    cols = ["Муниципалитет", "ШНОР с кандидатами", "Назначен партнёр", "Партнёр в своём муниципалитете",
            "Медианное расстояние, км"]
    if partners is None or len(partners) == 0:
        return pd.DataFrame(columns=cols)
    sch = schools[["school_id", "municipality"]].copy()
    sch["school_id"] = sch["school_id"].astype(str)
    pr = partners.copy()
    pr["school_id"] = pr["school_id"].astype(str)
    pr = pr.merge(sch, on="school_id", how="left")
    g = pr.groupby("municipality", dropna=False)
    ass = pr[pr["assigned"].astype(bool)]  # agreed and proposed pairs
    ga = ass.groupby("municipality", dropna=False)
    out = pd.DataFrame({
        "ШНОР с кандидатами": g["school_id"].nunique(),
        "Назначен партнёр": ga["school_id"].nunique(),
        "Партнёр в своём муниципалитете": ga["same_municipality"].sum(),
        "Медианное расстояние, км": ga["distance_km"].median().round(1),
    }).fillna({"Назначен партнёр": 0, "Партнёр в своём муниципалитете": 0})
    out = out.reset_index().rename(columns={"municipality": "Муниципалитет"})
    out["Назначен партнёр"] = out["Назначен партнёр"].astype(int)
    out["Партнёр в своём муниципалитете"] = out["Партнёр в своём муниципалитете"].astype(int)
    return out[cols].sort_values("Муниципалитет", kind="mergesort").reset_index(drop=True)

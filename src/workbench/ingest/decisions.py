"""The rows of the optional `decisions` table (expert decisions after the statistics, seed 001:
«по итогам идентификации, углубленного анализа и экспертной оценки»): the decision and the
category normalised to their codes, Russian words accepted; a row whose decision or category is
not understood is rejected with file, row, column and what to write instead."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.vocabulary import CATEGORIES
from workbench.ingest.mapping import Mapped
from workbench.ingest.problems import ERROR, problem_frame

DECISION_WORDS: dict[str, str] = {
    "include": "include", "включить": "include", "включена": "include", "включение": "include",
    "exclude": "exclude", "исключить": "exclude", "исключена": "exclude",
    "исключение": "exclude",
    "category": "category", "категория": "category", "изменить категорию": "category",
    "изменение категории": "category",
}
_ALLOWED = "«включить», «исключить» или «категория» (include / exclude / category)"


def _norm(value: object) -> str:
    return " ".join(str(value).strip().lower().replace("ё", "е").split())


def category_code(value: object) -> str | None:
    """A category given by its code, its Russian label or the start of the label (e.g. «ШНОР в
    неблагоприятных …», «Зона риска»); None when it is none of them."""
    if value is None or value != value:
        return None
    text = _norm(value)
    for code, label in CATEGORIES.items():
        if text == code or text == _norm(label):
            return code
    hits = [code for code, label in CATEGORIES.items() if _norm(label).startswith(text)]
    return hits[0] if len(hits) == 1 else None


def decision_rules(df: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray, reject: np.ndarray,
                   mapped: Mapped) -> list[tuple[np.ndarray, pd.DataFrame]]:
    """Normalise `decision` and `category` of df in place; rows not understood are rejected.
    Returns (rows to reject, problems) pairs."""
    out: list[tuple[np.ndarray, pd.DataFrame]] = []
    file, src = mapped.file, mapped.source
    words = [DECISION_WORDS.get(_norm(v)) if v is not None and v == v else None
             for v in df["decision"].to_numpy(dtype=object)]
    bad = np.array([w is None for w in words]) & ~reject
    if bad.any():
        out.append((bad, problem_frame(file, rows[bad], src["decision"],
                                       raw["decision"].to_numpy()[bad], ERROR,
                                       f"решение не распознано — напишите {_ALLOWED}")))
    df["decision"] = words
    cats = df["category"].to_numpy(dtype=object) if "category" in df.columns \
        else np.full(len(df), None, dtype=object)
    codes = [category_code(v) for v in cats]
    given = np.array([v is not None and v == v and str(v).strip() != "" for v in cats])
    bad_cat = given & np.array([c is None for c in codes]) & ~reject & ~bad
    need = np.array([w == "category" for w in words]) & ~given & ~reject & ~bad
    if bad_cat.any():
        out.append((bad_cat, problem_frame(
            file, rows[bad_cat], src["category"], raw["category"].to_numpy()[bad_cat], ERROR,
            "категория не распознана — напишите код или название категории, например "
            "«ШНОР (низкие результаты обучения)» или low_results")))
    if need.any():
        out.append((need, problem_frame(
            file, rows[need], src["decision"], raw["decision"].to_numpy()[need], ERROR,
            "решение «категория» без категории — заполните столбец категории")))
    if "category" in df.columns or any(codes):
        df["category"] = codes
    return out

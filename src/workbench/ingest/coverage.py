"""Data of another year: schools with results in a school year but no context of that year
take the context of their nearest earlier (else later) year (identify step 3 does it). Ingest
lists this in data quality — one warning line per results year and year used — so the user sees
it before reading a briefing, and the run notes repeat it."""
from __future__ import annotations

import pandas as pd

from workbench.core.formatting import fmt_int, year_label
from workbench.ingest.problems import WARNING, empty_problems, problem_frame


def borrowed_context(results: pd.DataFrame | None, context: pd.DataFrame | None
                     ) -> pd.DataFrame:
    """(year, used_year, n_schools): schools with results in `year` and no context of it, by
    the context year they take: the nearest earlier year, else the nearest later one."""
    cols = ["year", "used_year", "n_schools"]
    if results is None or context is None or len(results) == 0 or len(context) == 0:
        return pd.DataFrame(columns=cols)
    need = results[["school_id", "year"]].drop_duplicates()
    have = context[["school_id", "year"]].drop_duplicates()
    miss = need.merge(have.assign(_h=True), on=["school_id", "year"], how="left")
    miss = miss[miss["_h"].isna()][["school_id", "year"]]
    if miss.empty:
        return pd.DataFrame(columns=cols)
    right = have.rename(columns={"year": "used_year"}).astype({"used_year": "int64"})
    left = miss.astype({"year": "int64"}).sort_values("year")
    right = right.sort_values("used_year")
    back = pd.merge_asof(left, right, left_on="year", right_on="used_year", by="school_id",
                         direction="backward")
    fwd = pd.merge_asof(left, right, left_on="year", right_on="used_year", by="school_id",
                        direction="forward")
    used = back["used_year"].fillna(fwd["used_year"])
    got = left.assign(used_year=used.to_numpy()).dropna(subset=["used_year"])
    if got.empty:
        return pd.DataFrame(columns=cols)
    out = got.groupby(["year", "used_year"]).size().reset_index(name="n_schools")
    return out.astype({"used_year": "int64"})[cols]


def borrowed_lines(borrowed: pd.DataFrame, context_file: str) -> pd.DataFrame:
    """The data-quality lines: one per results year and context year used."""
    if borrowed.empty:
        return empty_problems()
    frames = [problem_frame(
        context_file, pd.NA, "year", year_label(r.year), WARNING,
        f"за {year_label(r.year)} учебный год нет данных о контексте для "
        f"{fmt_int(r.n_schools)} школ с результатами: их социальный индекс взят из данных "
        f"{year_label(r.used_year)} учебного года — добавьте контекст этого года, если он есть")
        for r in borrowed.itertuples()]
    return pd.concat(frames, ignore_index=True)

"""The school card: THE view model of a school (`briefings.school_view`, the one the passport
renders) over the run's tables, with the explorer's current classification in place of the
run's, rendered by `templates/card.html`, with a link to the school's HTML passport (served by
`workbench present`, read-only).

A finished run keeps the produced tables, not the canonical ones: the subjects table is rebuilt
from `identification_details` (one row per results row, the same counts and shares), and the
context indicators and programme data, which only the passport has, are named in the card's
notes with the way to the passport.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import ChoiceLoader, FileSystemLoader

from workbench.briefings import render as briefings_render
from workbench.briefings.prepare import Prepared, SchoolInput, prepare, records, school_input
from workbench.briefings.school_view import school_view
from workbench.briefings.styles import category_rules, stylesheet
from workbench.config.briefings import BriefingsParams
from workbench.core.formatting import year_label
from workbench.core.vocabulary import CATEGORIES, LISTED_CATEGORIES
from workbench.explorer.data import SERVED_ENV, ExplorerData
from workbench.explorer.escape import esc
from workbench.identify.changes import list_changes

TEMPLATES = Path(__file__).resolve().parent / "templates"
PASSPORT_ROUTE = "workbench/passport/"  # of the present server, relative to its base URL
NOT_IN_RUN = ("Показатели контекста школы и участие в программе есть только в паспорте: "
              "в папке расчёта их таблиц нет.")


def card_css() -> str:
    """The briefings' chart and category-badge styles, scoped to the card."""
    svg = [f".wb-card {line}" for line in stylesheet().splitlines() if line.startswith("svg")]
    cats = [f".wb-card {line}" for line in category_rules().splitlines() if line]
    return "\n".join(svg + cats) + (
        "\n.wb-card .cat { display: inline-block; padding: 0.05em 0.4em; border-radius: 0.2em; }")


def briefings_params(data: ExplorerData) -> BriefingsParams:
    """The run's `briefings` section (unknown keys of another version ignored)."""
    known = {k: v for k, v in data.briefings_params.items() if k in BriefingsParams.model_fields}
    return BriefingsParams.model_validate({**known, "progress": False})


def results_from_cells(cells: pd.DataFrame | None, year: int) -> pd.DataFrame | None:
    """The results rows of one year as the passport's subjects table reads them, from
    identification_details (n → participants, share of «2» → count of «2»)."""
    if cells is None or cells.empty:
        return None
    c = cells[cells["year"] == year]
    n = c["n"].astype(float)
    return pd.DataFrame({"school_id": c["school_id"].astype(str), "year": c["year"].astype(int),
                         "procedure": c["procedure"].astype(str),
                         "subject": c["subject"].astype(str), "grade": c["grade"],
                         "n_participants": n, "n_low": c["share_low"] * n,
                         "share_low": c["share_low"], "mean_score": c["mean_score"]})


def passport_url(data: ExplorerData, school_id: str) -> str | None:
    """The passport's address on the present server (None outside `workbench present` or
    when the run has no passport for the school)."""
    rel = data.passport_relpath(school_id)
    if rel is None or not os.environ.get(SERVED_ENV):
        return None
    base = os.environ.get("VOILA_BASE_URL") or "/"
    return base.rstrip("/") + "/" + PASSPORT_ROUTE + rel


class CardRenderer:
    """Renders cards of one run: the briefings' prepared run per year (built on first use),
    patched with the current classification for the school shown."""

    def __init__(self, data: ExplorerData, max_risks: int = 5) -> None:
        self.data = data
        self.params = briefings_params(data)
        self.max_risks = max_risks
        self._prepared: dict[int, Prepared] = {}
        env = briefings_render.environment(self.params.min_cell)
        self.template = env.overlay(loader=ChoiceLoader([
            FileSystemLoader(str(TEMPLATES)), env.loader])).get_template("card.html")

    def prepared(self, year: int) -> Prepared:
        """The run's tables up to `year` grouped by school once (briefings.prepare)."""
        if year not in self._prepared:
            self._prepared[year] = prepare(self._tables(year), region=self.data.region,
                                           run_id=self.data.run_id,
                                           risk_names=self.data.risk_names)
        return self._prepared[year]

    def _tables(self, year: int) -> dict[str, pd.DataFrame | None]:
        d = self.data
        files = d.run_dir / "tables"
        out: dict[str, pd.DataFrame | None] = {}
        for name, df in d.tables.items():
            if not (files / f"{name}.parquet").exists():
                out[name] = None
            elif "year" in df.columns and name != "schools":
                out[name] = df[pd.to_numeric(df["year"], errors="coerce") <= year]
            else:
                out[name] = df
        ident = d.identification
        out["schools"] = d.schools  # names of every school (from identification when no table)
        out["identification"] = ident[ident["year"] <= year]
        out["results"] = results_from_cells(d.cells, year)
        return out

    def view(self, current: pd.DataFrame, school_id: str, year: int,
             what_if: bool) -> dict[str, Any] | None:
        """The passport's view model of one school in `year` with the categories of
        `current` (the explorer's classification, all years); None for an unknown school."""
        p = self.prepared(year)
        if school_id not in p.school_by_id:
            return None
        base = school_input(p, school_id)
        mine = current[(current["school_id"] == school_id) & (current["year"] <= year)]
        rows = records(mine.drop(columns=[c for c in ("school_name", "municipality")
                                          if c in mine.columns]))
        now = next((r for r in rows if int(r["year"]) == year), {})
        cat = now.get("category") if isinstance(now.get("category"), str) else None
        school = {**base.school, "ident": now, "category": cat,
                  "category_ru": CATEGORIES.get(cat, "нет данных") if cat else "нет данных",
                  "listed": cat in LISTED_CATEGORIES}
        by_table = {**base.rows, "identification": rows}
        if what_if:
            by_table["list_changes"] = records(list_changes(mine)) if len(mine) else []
        return school_view(SchoolInput(school=school, rows=by_table, peers=base.peers,
                                       region=base.region, schools=base.schools), self.params)

    def html(self, current: pd.DataFrame, school_id: str, year: int, what_if: bool) -> str:
        """The card of one school (Russian; every text from the data escaped)."""
        v = self.view(current, school_id, year, what_if)
        if v is None:
            return f"<p>Школа {esc(school_id)} не найдена в расчёте.</p>"
        run = self.data.identification
        orig = run.loc[(run["school_id"] == school_id) & (run["year"] == year), "category"]
        run_cat = orig.iloc[0] if len(orig) else None
        changed = what_if and run_cat != v["s"]["category"]  # the run's category differs
        risks = sorted([r for r in v["risk_rows"] if r["score"] != "—"],
                       key=lambda r: -_number(r["score"]))[:self.max_risks]
        url = passport_url(self.data, school_id)
        rel = self.data.passport_relpath(school_id)
        return self.template.render(
            **v, year_label=year_label(year), what_if=what_if,
            run_category=CATEGORIES.get(run_cat, "") if changed and run_cat else "",
            risk_rows_shown=risks, passport_url=url,
            passport_path=str(self.data.run_dir / "briefings" / rel) if rel else "",
            not_in_card=[NOT_IN_RUN + (" Откройте паспорт по ссылке выше." if url else "")])


def _number(text: str) -> float:
    """A number formatted by core.formatting back to a float («−0,25» → −0.25)."""
    try:
        return float(str(text).replace("\u2212", "-").replace(",", ".").replace(" ", ""))
    except ValueError:
        return float("nan")

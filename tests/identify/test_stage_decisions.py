"""An expert exclusion through the stages: it changes the list (lists.xlsx, the annex, the
changes) and the passport says so beside the statistics."""
from __future__ import annotations

import openpyxl
import pandas as pd

from support.briefings import canonical, params, produced, text
from workbench.briefings.stage import run as run_briefings
from workbench.config import parse_params
from workbench.context import RunContext
from workbench.identify import stage
from workbench.identify.decisions import apply_decisions


def _decision(sid: str, year: int, kind: str) -> pd.DataFrame:
    return pd.DataFrame({"school_id": [sid], "year": [year], "decision": [kind],
                         "category": [None], "reason": ["реорганизация"],
                         "expert": ["Экспертная группа"], "decision_date": ["25.08.2024"]})


def test_an_exclusion_changes_the_list_and_the_annex(demo600, tmp_path):
    ctx = RunContext(parse_params({"inputs": {"schools": {"path": "x.csv"}},
                                   "order": {"number": "77"}}), tmp_path / "a")
    for name in ("schools", "context", "results"):
        ctx.write_canonical(name, demo600.tables[name])
    before = stage.run(ctx)["identification"]
    year = int(before["year"].max())
    cur = before[before["year"] == year]
    sid = str(cur.loc[cur["category"] == "low_results", "school_id"].iloc[0])
    ctx2 = RunContext(ctx.params, tmp_path / "b")
    for name in ("schools", "context", "results"):
        ctx2.write_canonical(name, demo600.tables[name])
    ctx2.write_canonical("decisions", _decision(sid, year, "exclude"))
    out = stage.run(ctx2)
    after = out["identification"]
    row = after[(after["school_id"] == sid) & (after["year"] == year)].iloc[0]
    assert row["category"] == "watch" and row["category_statistical"] == "low_results"
    assert len(out["listed"]) == len(before[(before["year"] == year)
                                            & before["category"].isin(
                                                ["low_results", "low_results_adverse"])]) - 1
    wb = openpyxl.load_workbook(tmp_path / "b" / "lists.xlsx")
    assert sid not in [r[0] for r in wb["ШНОР"].iter_rows(min_row=2, values_only=True)]
    watch = {r[0]: r for r in wb["Зона риска"].iter_rows(min_row=2, values_only=True)}
    assert watch[sid][4].startswith("Исключена из списка ШНОР решением экспертной группы")
    annex = [r[2] for r in wb["Приложение к приказу"].iter_rows(values_only=True)
             if isinstance(r[0], int)]
    assert sid not in annex and len(annex) == int(
        after[(after["year"] == year) & after["category"].isin(
            ["low_results", "low_results_adverse", "adverse_context"])].shape[0])
    changes = pd.read_parquet(tmp_path / "b" / "tables" / "list_changes.parquet")
    assert sid in set(changes.loc[changes["year"] == year, "school_id"])


def test_the_passport_shows_the_decision_beside_the_statistics(tmp_path):
    ctx = RunContext(params(), tmp_path)
    for k, v in canonical().items():
        ctx.write_canonical(k, v)
    tables = produced()
    ident, _ = apply_decisions(tables.pop("identification"), _decision("S1", 2025, "exclude"))
    ctx.write_table("identification", ident)
    for k, v in tables.items():
        ctx.write_table(k, v)
    run_briefings(ctx)
    html = text(tmp_path / "briefings" / "school" / "S1.html")
    assert ("Исключена из списка ШНОР решением экспертной группы (Экспертная группа, "
            "25.08.2024). Основание: реорганизация; по статистике — «ШНОР в неблагоприятных "
            "социальных условиях».") in html
    assert "Зона риска" in html
    # the statistical reasons are still listed, one per item, without the decision in them
    assert "<li>доля «2» по ВПР, математика 5 кл.: 40% (регион 12%), 2 года подряд</li>" in html
    region = text(tmp_path / "briefings" / "region.html")
    assert "включено в список 0, исключено из списка 1, категория изменена 0" in region

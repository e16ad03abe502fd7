"""The technological-map workbooks: one per municipality, the plan sheet first, the full
appendix-2 form per school and «Модули»; the plan edited by a school and read back by ingest."""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from support.briefings import YEAR, risk_inputs
from support.ingest import ingest_project
from workbench.briefings.risk_profiles import risk_profiles
from workbench.briefings.tech_map import full_form
from workbench.briefings.tech_map_facts import school_facts
from workbench.briefings.tech_map_xlsx import write_tech_map_xlsx
from workbench.config.briefings import RisksParams
from workbench.core.names import slugify
from workbench.core.vocabulary import RISK_FACTORS


def _workbook(tmp_path, ids=("S1", "S2")):
    survey, context, results = risk_inputs()
    ren = dict(zip(("S1", "S2"), ids))
    survey, context, results = (d.assign(school_id=d["school_id"].map(ren))
                                for d in (survey, context, results))
    schools = pd.DataFrame({"school_id": list(ids),
                            "school_name": ["Школа «Первая»", "Школа [2]"],
                            "municipality": ["Северный район", "Северный район"]})
    partners = pd.DataFrame({"school_id": [ids[0]], "year": [YEAR], "partner_id": [ids[1]],
                             "rank": [1], "assigned": [True]})
    facts = school_facts({"schools": schools, "partners": partners}, YEAR)
    prof = risk_profiles(list(ids), YEAR, survey, context, results, RisksParams())
    full = full_form(prof, RisksParams(), facts)
    return write_tech_map_xlsx(full, schools, tmp_path, RISK_FACTORS, facts), full


def test_xlsx_per_municipality_is_the_full_form(tmp_path):
    files, full = _workbook(tmp_path)
    assert [f.name for f in files] == ["severnyy-rayon.xlsx"]
    wb = load_workbook(files[0])
    assert wb.sheetnames == ["План мероприятий", "S1", "S2", "Модули"]
    ws = wb["S1"]
    assert "Школа «Первая»" in ws.cell(2, 1).value
    assert "ресурсная школа: «Школа [2]» (код S2)" in ws.cell(2, 1).value
    headers = [ws.cell(4, c).value for c in range(1, 12)]
    assert headers[:5] == ["№", "Проблема", "Приоритет", "Модуль поддержки",
                           "Обоснование (данные)"]
    assert headers[5] == "На уровне ОО" and headers[-1] == "Иные организации"
    numbers = [ws.cell(r, 1).value for r in range(5, 15)]
    assert numbers == list(range(1, 11))  # every problem of appendix 2, in its order
    prio = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(5, 15)}
    s1 = full[(full["school_id"] == "S1") & full["priority"].notna()]
    assert {n: p for n, p in prio.items() if p} == dict(zip(s1["number"], s1["priority"]))
    assert ws.cell(11, 2).value.startswith("Низкая скорость Интернета")  # № 7
    assert ws.cell(11, 6).alignment.wrap_text and ws.cell(11, 6).border.left.style == "thin"
    plan = [r for r in wb["План мероприятий"].iter_rows(values_only=True)]
    assert plan[0][:4] == ("Код ОО", "Наименование ОО", "Учебный год", "№ мероприятия")
    # a measure per prioritised problem and level: 4 problems × 6 levels for S1, 1 × 6 for S2
    assert sum(r[0] == "S1" for r in plan[1:]) == 24 and sum(r[0] == "S2" for r in plan[1:]) == 6
    res = [r for r in plan[1:] if r[0] == "S1" and r[7] == "На уровне ресурсных центров"]
    assert all("«Школа [2]» (код S2)" in r[10] for r in res)


def test_the_edited_plan_reads_back_with_a_deliberate_error_reported(tmp_path):
    files, _ = _workbook(tmp_path / "maps", ids=("1001", "1002"))
    wb = load_workbook(files[0])
    ws = wb["План мероприятий"]
    head = {c.value: c.column for c in ws[1]}
    ws.cell(2, head["Статус на 30.09"], "в работе")
    ws.cell(2, head["Статус на 31.12"], "Выполнено")
    ws.cell(3, head["Статус на 30.09"], "сделано")          # not a status: rejected
    ws.cell(4, head["Срок"], "31.02.2026")                  # no such date: rejected
    ws.cell(5, head["Ответственный"], "завуч Петрова")
    wb.save(files[0])
    (tmp_path / "data").mkdir()
    res = ingest_project(tmp_path, {"plan": {"path": "maps/*.xlsx"}})
    plan = res.tables["plan"].sort_values(["school_id", "measure_no"]).reset_index(drop=True)
    acc = [i for i in res.inputs if i["table"] == "plan"][0]
    assert acc["rows_read"] == 30 and acc["rows_rejected"] == 2 and len(plan) == 28
    first = plan.iloc[0]
    assert (first["school_id"], first["year"], first["measure_no"]) == ("1001", YEAR, 1)
    assert (first["status_sep"], first["status_dec"]) == ("in_progress", "done")
    assert first["level"] == "level_oo" and first["deadline"] == f"{YEAR + 1}-06-30"
    assert plan.loc[plan["measure_no"] == 4, "responsible"].iloc[0] == "завуч Петрова"
    p = res.problems[res.problems["file"].str.endswith(".xlsx")].set_index("row")
    assert p.loc[3, "column"] == "Статус на 30.09" and p.loc[3, "value"] == "сделано"
    assert "«выполнено»" in p.loc[3, "message"]
    assert p.loc[4, "column"] == "Срок" and "ДД.ММ.ГГГГ" in p.loc[4, "message"]


@pytest.mark.slow
def test_tech_map_workbooks_per_municipality(briefings_demo_run):
    b, ctx, _, _ = briefings_demo_run
    tm = ctx.table("tech_map")
    schools = ctx.table("schools").set_index("school_id")
    muns = sorted({slugify(schools.loc[s, "municipality"]) for s in tm["school_id"]})
    files = sorted(p.stem for p in (b / "tech_maps").glob("*.xlsx"))
    assert files == muns
    wb = load_workbook(b / "tech_maps" / f"{muns[0]}.xlsx")
    assert wb.sheetnames[0] == "План мероприятий" and "Модули" in wb.sheetnames

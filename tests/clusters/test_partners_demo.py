"""The demo run (600 schools, seed 2026; the shared session run): agreed and proposed pairs, the
agreed partners' check, curators within capacity, the sheets of lists.xlsx and the curator in
the passport — all read back from the published outputs."""
from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook


def _t(run_dir, name):
    return pd.read_parquet(run_dir / "tables" / f"{name}.parquet")


def test_demo_pairs_agreed_kept_and_checked(demo600_run):
    data_dir, run_dir = demo600_run
    pr = _t(run_dir, "partners")
    agreed = pr[pr["basis"] == "agreed"]
    # every agreement in force and every programme partner of the last year is kept as it is
    prog = pd.read_csv(data_dir / "programme.csv", dtype=str)
    last = prog[prog["Учебный год"] == prog["Учебный год"].max()]
    recorded = set(zip(last["Код ОО"], last["Код школы-партнёра"].fillna("")))
    recorded = {p for p in recorded if p[1]}
    assert recorded <= set(zip(agreed["school_id"], agreed["partner_id"]))
    assert agreed["assigned"].all() and agreed["agreement"].str.len().gt(0).all()
    bad = agreed[~agreed["meets_criteria"]]
    assert len(bad) > 0 and (bad["criteria_note"].str.len() > 0).all()
    assert (agreed.loc[agreed["meets_criteria"], "criteria_note"] == "").all()
    # proposals only where no pair is agreed, within 150 km, resource schools by the criteria
    proposed = pr[pr["basis"] == "proposed"]
    assert not set(proposed["school_id"]) & set(agreed["school_id"])
    assert (proposed["distance_km"] <= 150).all()
    ident = _t(run_dir, "identification")
    y = int(ident["year"].max())
    recent = ident[ident["year"] >= y - 2]
    listed = set(recent.loc[recent["category"].isin(["low_results", "low_results_adverse", "watch"]),
                            "school_id"])
    flagged = set(ident.loc[(ident["year"] >= y - 1) & ident["objectivity_flag"], "school_id"])
    assert not set(proposed["partner_id"]) & (listed | flagged)
    cur = ident[ident["year"] == y].set_index("school_id")
    assert (cur.loc[proposed["partner_id"], "quality_ci_low"].to_numpy()
            > cur["quality_index"][~cur["insufficient_data"]].mean()).all()
    load = pr[pr["assigned"]].groupby("partner_id").size()
    assert load.max() <= 2 or set(load[load > 2].index) <= set(agreed["partner_id"])


def test_demo_curators_within_capacity_and_in_lists_and_passport(demo600_run):
    data_dir, run_dir = demo600_run
    a = _t(run_dir, "curator_assignments")
    w = _t(run_dir, "curator_workload").set_index("curator_id")
    roster = pd.read_csv(data_dir / "curators.csv", dtype=str).set_index("Код куратора")
    assert set(a["source"]) == {"agreed", "assigned"} and a["school_id"].is_unique
    load = a.groupby("curator_id").size()
    cap = roster["Предельная нагрузка (школ)"].astype(int)
    new = a[a["source"] == "assigned"].groupby("curator_id").size()
    # new schools only within the free capacity; the workload table counts what the table holds
    assert all(load[c] <= cap[c] or c not in new.index for c in load.index)
    assert (w.loc[load.index, "n_schools"].to_numpy() == load.to_numpy()).all()
    wb = load_workbook(run_dir / "lists.xlsx", read_only=True)
    assert {"Пары школ", "Кураторы", "Нагрузка кураторов"} <= set(wb.sheetnames)
    pairs = list(wb["Пары школ"].iter_rows(values_only=True))
    head = pairs[0]
    basis = {r[head.index("Основание пары")] for r in pairs[1:]}
    assert {"действующее партнёрство", "предложена"} <= basis
    checks = [r[head.index("Проверка критериев")] for r in pairs[1:]]
    assert any(str(c).startswith("НЕ соответствует: ") for c in checks)
    sheet = list(wb["Кураторы"].iter_rows(values_only=True))
    assert len(sheet) - 1 == len(a)
    # the passport of a school with an assigned curator names them
    row = a[a["source"] == "assigned"].iloc[0]
    html = (run_dir / "briefings" / "school" / f"{row['school_id']}.html").read_text(encoding="utf-8")
    assert f"куратор: {row['curator_name']}" in html and "назначен" in html

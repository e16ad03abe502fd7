"""The support cycle on a region not written by the demo (`support.cycle` over
`support.regions`): agreements in force kept and the others said, curators kept from the
programme table and the rest assigned within capacity, the experts' decisions applied over the
statistics, and a school's plan read back into the quarterly report — numbers worked by hand in
`support.cycle`."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from support.cycle import add_support_cycle
from support.regions import Region, write_region

from workbench import pipeline
from workbench.core.vocabulary import LISTED_CATEGORIES

pytestmark = pytest.mark.slow
LIGHT = {"clusters": {"n_bootstrap": 2, "n_init": 2}, "ingest": {"use_store": False}}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    reg = Region()
    params = add_support_cycle(write_region(tmp_path_factory.mktemp("cycle"), region=reg,
                                            extra_params=LIGHT), reg)
    run_dir = pipeline.run(params, use_notebooks=False)
    notes = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["notes"]
    return reg, run_dir, notes


def _table(run_dir, name):
    return pd.read_csv(run_dir / "tables" / f"{name}.csv", dtype={"school_id": str,
                                                                  "partner_id": str})


def test_agreement_in_force_is_the_pair_and_the_others_are_said(run):
    reg, run_dir, notes = run
    p = _table(run_dir, "partners")
    agreed = p[p["basis"] == "agreed"].set_index("school_id")
    assert agreed.loc[reg.ids[0], "partner_id"] == reg.ids[3]
    assert agreed.loc[reg.ids[0], "agreement"] == \
        "соглашение № 15/2024-С от 02.09.2024, действует до 31.08.2026"
    assert reg.ids[9] not in agreed.index and reg.ids[10] not in agreed.index
    assert "Партнёры: соглашений, не действующих в 2024/25 учебном году, — 2 (расторгнуты — 1, " \
           "истекли — 1, заключены позже — 0); они не учтены." in notes


def test_curators_kept_from_the_programme_and_the_rest_within_capacity(run):
    reg, run_dir, _ = run
    a = _table(run_dir, "curator_assignments")
    w = pd.read_csv(run_dir / "tables" / "curator_workload.csv")
    kept = a[a["source"] == "agreed"].set_index("school_id")["curator_id"].to_dict()
    # the programme names «Куратор {i % 2 + 1}» for its first five schools
    assert kept == {reg.ids[i]: f"К-{i % 2 + 1}" for i in range(5)}
    assert a["school_id"].is_unique and set(reg.ids[:10]) <= set(a["school_id"])
    load = a["curator_id"].value_counts()
    assert w.set_index("curator_id")["n_schools"].to_dict() == load.to_dict()
    assert (load <= 4).all() and not w["over_capacity"].any()


def test_expert_decisions_change_the_list_and_say_so(run):
    reg, run_dir, notes = run
    ident = _table(run_dir, "identification")
    y = ident[ident["year"] == 2024].set_index("school_id")
    out, inn = y.loc[reg.ids[2]], y.loc[reg.ids[19]]
    assert out["category_statistical"] in LISTED_CATEGORIES
    assert out["category"] not in LISTED_CATEGORIES
    assert out["decision_text"].startswith("Исключена из списка ШНОР")
    assert inn["category_statistical"] == "typical" and inn["category"] in LISTED_CATEGORIES
    assert inn["decision_text"].startswith("Включена в список ШНОР")
    assert any(n.startswith("Решения экспертной группы применены после статистики: включено 1, "
                            "исключено 1") for n in notes)


def test_the_plan_read_back_feeds_the_quarterly_report(run):
    reg, run_dir, _ = run
    exe = _table(run_dir, "plan_execution").set_index("school_id")
    row = exe.loc[reg.ids[0]]
    assert (row["quarter"], row["due"], row["done_due"], row["overdue"]) == ("2025-Q1", 2, 1, 1)
    page = re.sub(r"<[^>]+>", " ", (run_dir / "reports" / "quarterly_2025-Q1.html")
                  .read_text(encoding="utf-8"))
    assert "Срок наступил у 2, из них выполнено 1 (50%); просрочено 1." in page
    index = (run_dir / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="quarterly_2025-Q1.html"' in index and 'href="annual_2024.html"' in index


def test_derived_risk_note_agrees_in_number(run):
    _, _, notes = run  # four factors derived: «4 значения», not «4 значений»
    assert "Профили рисков: 4 значения факторов рассчитаны по данным контекста и результатов " \
           "(нет анкет)." in notes

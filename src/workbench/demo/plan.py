"""The demo's plans of measures, as the schools send them back (the sheet «План мероприятий» of
the technological-map workbooks, one workbook per municipality in `plans/`): for every programme
participant and year three problems of appendix 2, two measures each (at the school's level and
one other), a deadline at a quarter end and the status at each quarter end — the previous
school year complete, the current one up to 31 March (the report of 2026-Q1 is the latest).

Each measure is started at some quarter and done at its deadline (most), one quarter late, or
not at all (then «перенесено» or still «в работе» after the deadline: overdue); a few are
cancelled. Drawn from its own random stream («plan»)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.config.briefings import RisksParams
from workbench.core.formatting import year_label
from workbench.core.names import file_stems
from workbench.core.vocabulary import (LEVEL_LABELS, PLAN_HEADERS, PLAN_SHEET, QUARTER_END,
                                       QUARTER_STATUS)
from workbench.demo.files import write_xlsx
from workbench.demo.helpers import part_rng
from workbench.demo.params import DemoRegion

QUARTERS = list(QUARTER_STATUS)  # sep, dec, mar, jun


def _statuses(rng: np.random.Generator, deadline: int, filled: int) -> list[str]:
    """Statuses of one measure at the quarter ends (blank after the `filled` first ones)."""
    start = int(rng.integers(0, deadline + 1))
    fate = rng.choice(["on_time", "late", "never", "cancelled"], p=[0.62, 0.15, 0.18, 0.05])
    done = {"on_time": deadline, "late": deadline + 1}.get(str(fate), 99)
    out = []
    for q in range(4):
        if q >= filled:
            out.append("")
        elif fate == "cancelled" and q >= start:
            out.append("отменено")
        elif q < start:
            out.append("не начато")
        elif q >= done:
            out.append("выполнено")
        elif q > deadline and fate == "never":
            out.append("перенесено" if q % 2 else "в работе")
        else:
            out.append("в работе")
    return out


def plan_rows(region: DemoRegion, seed: int) -> pd.DataFrame:
    """The plan rows of every participant-year (canonical names plus school_name)."""
    rng = part_rng(seed, "plan")
    rules = [r for r in RisksParams().modules if r.number]
    prog = region.tables["programme"]
    part = prog[prog["participant"].astype(bool)].sort_values(["year", "school_id"])
    names = dict(zip(region.tables["schools"]["school_id"], region.tables["schools"]["school_name"]))
    last = int(part["year"].max()) if len(part) else 0
    weights = np.array([0.4 if r.number == 9 else 1.0 for r in rules])
    rows = []
    for sid, year in zip(part["school_id"].astype(str), part["year"].astype(int)):
        filled = 3 if year == last else 4
        chosen = rng.choice(len(rules), size=3, replace=False, p=weights / weights.sum())
        k = 0
        for i in chosen:
            rule = rules[int(i)]
            other = str(rng.choice(["level_mouo", "level_institute", "level_resource_centres"]))
            for lvl in ("level_oo", other):
                k += 1
                dq = int(rng.choice(4, p=[0.1, 0.3, 0.3, 0.3]))
                add, month, day = QUARTER_END[QUARTERS[dq]]
                st = _statuses(rng, dq, filled)
                rows.append({"school_id": sid, "school_name": names.get(sid, sid),
                             "year": year_label(year), "measure_no": k,
                             "problem_number": rule.number, "problem": rule.problem,
                             "module": rule.module, "level": LEVEL_LABELS[lvl],
                             "measure": getattr(rule, lvl).split(";")[0].split("{")[0].strip(),
                             "deadline": f"{day:02d}.{month:02d}.{year + add}",
                             "responsible": "директор ОО" if lvl == "level_oo" else "куратор",
                             **dict(zip(QUARTERS, st)), "note": ""})
    return pd.DataFrame(rows)


def write_plans(region: DemoRegion, out_dir: Path, seed: int) -> dict[str, tuple[Path, int]]:
    """plans/<municipality>.xlsx, the plan sheet as the workbook has it: «plan/<stem>» → (path,
    data rows)."""
    folder = out_dir / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    rows = plan_rows(region, seed)
    written: dict[str, tuple[Path, int]] = {}
    if not len(rows):
        return written
    mun = dict(zip(region.tables["schools"]["school_id"].astype(str),
                   region.tables["schools"]["municipality"]))
    rows["municipality"] = rows["school_id"].map(mun)
    stems = file_stems(set(rows["municipality"]), kind="slug")
    heads = {v: k for k, v in PLAN_HEADERS.items()}
    cols = ["school_id", "school_name", *[c for c in PLAN_HEADERS.values() if c != "school_id"]]
    for m, g in rows.groupby("municipality", sort=True):
        sheet = g[cols].rename(columns={**heads, "school_name": "Наименование ОО"})
        write_xlsx(folder / f"{stems[m]}.xlsx", PLAN_SHEET, sheet)
        written[f"plan/{stems[m]}"] = (folder / f"{stems[m]}.xlsx", len(g))
    return written


def plan_params_lines(d: str) -> list[str]:
    """The demo params' input entry of the plans (the workbook's headers need no mapping)."""
    return [
        "  # Планы мероприятий, заполненные школами (лист «План мероприятий» технологических",
        "  # карт): сроки, ответственные, статус на конец каждого квартала.",
        "  plan:",
        f"    path: {d}/plans/*.xlsx",
        "",
    ]

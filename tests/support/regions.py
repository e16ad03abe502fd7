"""Small regions shaped like real regional exports, written independently of `workbench.demo`.

The baseline region (`Region`, ~36 schools, three school years 2022/23–2024/25) has the shapes
real offices send: a school registry in Excel with a title row, codes with leading zeros and a
closing «Всего» line; ФИС ОКО «Распределение групп баллов в %» exports of the ВПР, one Excel file
per spring (`ВПР_2023.xlsx` … `ВПР_2025.xlsx`: no year column, the year is the calendar year of
the spring in the file name), with a title row and «Итого по …» subtotal lines; an ОГЭ table in
CSV whose «Год» is the calendar year of the exam; context as CSV in cp1251 with «;», decimal
commas, school-year strings («2023/24»), shares in percent and codes that lost their leading
zeros in Excel; monitoring, a risk survey and the programme table.

Every optional column and table can be left out (`drop`), and the results narrowed to one year,
procedure and subject (`narrow`), so that tests run the whole pipeline on each variant.
`write_region(root, ...)` writes the files into `root/data/` and the params into
`root/params/region.yaml`, and returns the params path.

Canonical names of what can be dropped: `OPTIONAL` (table → canonical columns) and `TABLES`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import yaml

from workbench import pipeline

SCHOOL_YEARS = (2022, 2023, 2024)          # school years 2022/23 … 2024/25
MUNICIPALITIES = ("Заречный район", "Озёрский район", "Город Северск-на-Волге")
SUBJECTS = ("Математика", "Русский язык")
GRADES = (4, 5, 6)
CUSTOM_INDICATOR = "share_migrants"
CUSTOM_LABEL = "Доля детей-мигрантов"

# canonical columns that may be dropped from each input, and the tables that may be dropped
OPTIONAL: dict[str, list[str]] = {
    "schools": ["locality", "school_type", "latitude", "longitude", "is_small"],
    "context": ["n_students", "share_low_income", "share_ovz", "share_teachers_60plus",
                "distance_km", CUSTOM_INDICATOR],
    "results": ["sd_score", "mean_score", "n_low"],          # of the ОГЭ file
    "monitoring": ["n", "higher_is_better"],
    "risk_survey": ["source"],
    "programme": ["curator", "partner_school_id"],
}
TABLES = ("context", "monitoring", "risk_survey", "programme", "oge")


@dataclass
class Source:
    """One input file in its source shape: Russian headers, values as the export has them."""

    frame: pd.DataFrame
    columns: dict[str, Any]          # source header → canonical name (or {name, scale})
    spec: dict[str, Any] = field(default_factory=dict)   # further InputSpec keys


def _code(i: int) -> str:
    return f"0{10001 + i}"           # «010001»: six digits with a leading zero


def _pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


class Region:
    """The truth of a small region and its source files (see module docstring)."""

    def __init__(self, n_schools: int = 36, seed: int = 14) -> None:
        self.n = n_schools
        self.rng = np.random.default_rng(seed)
        self.ids = [_code(i) for i in range(n_schools)]
        self.quality = self.rng.normal(0, 0.6, n_schools)
        self.quality[:3] = -2.2                      # three clearly weak schools
        self.quality[3:6] = 1.6                      # three strong ones (resource schools)
        self.rural = (np.arange(n_schools) % 3 == 0)
        self.listed = self.ids[:3]

    # ------------------------------------------------------------------ sources
    def schools(self) -> Source:
        rows = []
        for i, sid in enumerate(self.ids):
            rows.append({"Код ОО": sid, "Наименование ОО": f"МБОУ «Школа № {i + 1}»",
                         "Муниципалитет": MUNICIPALITIES[i % 3],
                         "Тип населённого пункта": "сельская" if self.rural[i] else "городская",
                         "Вид ОО": "гимназия" if i % 7 == 3 else "СОШ",
                         "Широта": round(56 + i * 0.05, 4),
                         "Долгота": 44 + (i % 5) * 0.3,
                         "Малокомплектная": "да" if self.rural[i] and i % 2 else "нет"})
        return Source(pd.DataFrame(rows), {
            "Код ОО": "school_id", "Наименование ОО": "school_name",
            "Муниципалитет": "municipality", "Тип населённого пункта": "locality",
            "Вид ОО": "school_type", "Широта": "latitude", "Долгота": "longitude",
            "Малокомплектная": "is_small"}, {"sheet": "Реестр"})

    def context(self) -> Source:
        rows = []
        for year in SCHOOL_YEARS:
            for i, sid in enumerate(self.ids):
                adverse = -0.5 * self.quality[i] + (0.8 if self.rural[i] else 0)
                rows.append({
                    "Код ОО": str(int(sid)),              # leading zero lost in Excel
                    "Учебный год": f"{year}/{str(year + 1)[2:]}",
                    "Численность обучающихся": str(int(120 + 40 * (i % 9) + 3 * (year - 2022))),
                    "Доля малообеспеченных, %": _pct(np.clip(20 + 12 * adverse
                                                             + self.rng.normal(0, 3), 1, 90)),
                    "Доля ОВЗ, %": _pct(np.clip(6 + 3 * adverse + self.rng.normal(0, 1), 0, 40)),
                    "Доля педагогов 60+": f"{np.clip(0.2 + 0.1 * adverse, 0, 1):.3f}".replace(".", ","),
                    "Расстояние до центра, км": _pct(3 + (45 if self.rural[i] else 0) + i % 4),
                    "Доля мигрантов, %": _pct(np.clip(5 + 4 * adverse + self.rng.normal(0, 1),
                                                      0, 60))})
        return Source(pd.DataFrame(rows), {
            "Код ОО": "school_id", "Учебный год": "year",
            "Численность обучающихся": "n_students",
            "Доля малообеспеченных, %": {"name": "share_low_income", "scale": "percent"},
            "Доля ОВЗ, %": {"name": "share_ovz", "scale": "percent"},
            "Доля педагогов 60+": "share_teachers_60plus",
            "Расстояние до центра, км": "distance_km",
            "Доля мигрантов, %": {"name": CUSTOM_INDICATOR, "scale": "percent"}},
            {"encoding": "cp1251", "sep": ";", "decimal": ","})

    def vpr(self) -> pd.DataFrame:
        """The ФИС ОКО percent export of the ВПР of one spring (each call: a new spring)."""
        rows = []
        for i, sid in enumerate(self.ids):
            for subject in SUBJECTS:
                for grade in GRADES:
                    q = self.quality[i] + self.rng.normal(0, 0.25)
                    p2 = float(np.clip(0.12 - 0.08 * q, 0.0, 0.7))
                    p5 = float(np.clip(0.18 + 0.07 * q, 0.02, 0.5))
                    p4 = 0.3
                    p3 = max(0.0, 1 - p2 - p4 - p5)
                    pcts = [round(100 * v, 1) for v in (p2, p3, p4, p5)]
                    pcts[1] = round(100 - pcts[0] - pcts[2] - pcts[3], 1)
                    rows.append({"Муниципалитет": MUNICIPALITIES[i % 3], "Код ОО": sid,
                                 "Наименование ОО": f"МБОУ «Школа № {i + 1}»",
                                 "Предмет": subject, "Класс": grade,
                                 "Кол-во участников": int(self.rng.integers(12, 40)),
                                 "2": pcts[0], "3": pcts[1], "4": pcts[2], "5": pcts[3]})
        return pd.DataFrame(rows)

    def oge(self) -> Source:
        rows = []
        for year in SCHOOL_YEARS:
            for i, sid in enumerate(self.ids):
                for subject in SUBJECTS:
                    n = int(self.rng.integers(8, 30))
                    mean = float(np.clip(15 + 3 * self.quality[i] + self.rng.normal(0, 1), 3, 30))
                    rows.append({"Код ОО": sid, "Год": str(year + 1), "Предмет": subject,
                                 "Участников": str(n), "Средний балл": _pct(mean),
                                 "Ст. откл.": _pct(4 + self.rng.uniform(0, 1)),
                                 "Не преодолели минимум": str(int(round(n * float(np.clip(
                                     0.08 - 0.05 * self.quality[i], 0, 0.6)))))})
        return Source(pd.DataFrame(rows), {
            "Код ОО": "school_id", "Год": "year", "Предмет": "subject",
            "Участников": "n_participants", "Средний балл": "mean_score", "Ст. откл.": "sd_score",
            "Не преодолели минимум": "n_low"},
            {"encoding": "cp1251", "sep": ";", "constants": {"procedure": "ОГЭ", "grade": 9},
             "year_is": "spring_calendar"})

    def monitoring(self) -> Source:
        year = SCHOOL_YEARS[-1]
        plan = [("входной", "результаты"), ("промежуточный", "результаты"),
                ("итоговый", "результаты"), ("входной", "преподавание"),
                ("итоговый", "преподавание"), ("итоговый", "управление"), ("итоговый", "среда")]
        rows = []
        for sid in self.ids[:10]:
            for k, (wave, domain) in enumerate(plan):
                low = domain == "результаты"
                value = (0.3 - 0.04 * k) if low else 50 + 5 * k
                rows.append({"Код ОО": sid, "Уч. год": f"{year}/{str(year + 1)[2:]}",
                             "Этап": wave, "Направление": domain,
                             "Показатель": "Доля «2»" if low else "Индекс качества",
                             "Значение": f"{value:.2f}".replace(".", ","),
                             "Участников": "25",
                             "Чем больше, тем лучше": "нет" if low else "да"})
        return Source(pd.DataFrame(rows), {
            "Код ОО": "school_id", "Уч. год": "year", "Этап": "wave", "Направление": "domain",
            "Показатель": "indicator", "Значение": "value", "Участников": "n",
            "Чем больше, тем лучше": "higher_is_better"}, {"sep": ";"})

    def risk_survey(self) -> Source:
        year = SCHOOL_YEARS[-1]
        rows = [{"Код ОО": sid, "Уч. год": f"{year}/{str(year + 1)[2:]}", "Фактор": f"R{k:02d}",
                 "Значение": f"{0.2 + 0.06 * k:.2f}".replace(".", ","), "Кто отвечал": "директор"}
                for sid in self.ids[:8] for k in range(1, 11)]
        return Source(pd.DataFrame(rows), {
            "Код ОО": "school_id", "Уч. год": "year", "Фактор": "risk_factor",
            "Значение": "value", "Кто отвечал": "source"}, {"sep": ";"})

    def programme(self) -> Source:
        year = SCHOOL_YEARS[-1]
        rows = [{"Код ОО": sid, "Уч. год": f"{year}/{str(year + 1)[2:]}",
                 "Участник программы": "да" if i < 10 else "нет",  # the 10 monitored
                 "Куратор": f"Куратор {i % 2 + 1}" if i < 5 else "",
                 "Школа-партнёр": self.ids[3 + i % 3] if i < 3 else ""}
                for i, sid in enumerate(self.ids[:12])]
        return Source(pd.DataFrame(rows), {
            "Код ОО": "school_id", "Уч. год": "year", "Участник программы": "participant",
            "Куратор": "curator", "Школа-партнёр": "partner_school_id"}, {"sep": ";"})


# ------------------------------------------------------------------ writing
def _drop(src: Source, canonical: list[str]) -> Source:
    """The source without the columns mapped onto these canonical names."""
    src = copy.deepcopy(src)
    gone = [h for h, c in src.columns.items()
            if (c["name"] if isinstance(c, dict) else c) in canonical]
    src.frame = src.frame.drop(columns=gone)
    for h in gone:
        del src.columns[h]
    return src


def _csv(path: Path, df: pd.DataFrame, spec: dict[str, Any]) -> None:
    df.to_csv(path, sep=spec.get("sep", ";"), index=False,
              encoding=spec.get("encoding", "utf-8"))


def _xlsx(path: Path, sheet: str, title: str, df: pd.DataFrame,
          tail: list[list[Any]] | None = None) -> None:
    """An Excel sheet with a title row above the header, the rows, and closing lines."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in row])
    for row in tail or []:
        ws.append(row)
    wb.save(path)


def _subtotals(df: pd.DataFrame) -> pd.DataFrame:
    """ФИС ОКО style: a «Итого по <муниципалитет>» line after each municipality's schools and
    «Итого по региону» at the end (blank code, participants summed, mean percentages)."""
    parts = []
    for mun, g in df.groupby("Муниципалитет", sort=False):
        parts.append(g)
        parts.append(_total_row(g, f"Итого по {mun}"))
    parts.append(_total_row(df, "Итого по региону"))
    return pd.concat(parts, ignore_index=True)


def _total_row(g: pd.DataFrame, label: str) -> pd.DataFrame:
    row = {c: None for c in g.columns}
    row["Муниципалитет"] = label
    row["Кол-во участников"] = int(g["Кол-во участников"].sum())
    for k in "2345":
        row[k] = round(float(g[k].mean()), 1)
    return pd.DataFrame([row])


def write_region(root: Path, drop: tuple[str, ...] = (), narrow: bool = False,
                 region: Region | None = None, run_id: str = "region",
                 extra_params: dict[str, Any] | None = None,
                 context_years: tuple[int, ...] | None = None) -> Path:
    """Write the region's files into root/data and its params into root/params/region.yaml.

    drop: canonical names «table.column» (a column of OPTIONAL) or table names of TABLES
    («oge» = the ОГЭ results file). narrow: results for one year, one procedure (ВПР) and one
    subject only. context_years: the school years the context file covers (default: all).
    Returns the params path."""
    reg = region or Region()
    data, params_dir = root / "data", root / "params"
    data.mkdir(parents=True, exist_ok=True)
    params_dir.mkdir(parents=True, exist_ok=True)
    cols = {t: [d.split(".", 1)[1] for d in drop if d.startswith(t + ".")] for t in OPTIONAL}
    inputs: dict[str, Any] = {}

    sch = _drop(reg.schools(), cols["schools"])
    total = [["Всего ОО: " + str(reg.n)]]
    _xlsx(data / "ОО.xlsx", "Реестр", "Реестр образовательных организаций", sch.frame, total)
    inputs["schools"] = {"path": "data/ОО.xlsx", "columns": sch.columns, **sch.spec}

    springs = [y + 1 for y in SCHOOL_YEARS]
    if narrow:
        springs = springs[-1:]
    (data / "vpr").mkdir(exist_ok=True)
    for spring in springs:
        df = reg.vpr()
        if narrow:
            df = df[df["Предмет"] == SUBJECTS[0]]
        _xlsx(data / "vpr" / f"ВПР_{spring}.xlsx", "Лист1",
              f"Распределение групп баллов в % — ВПР {spring}", _subtotals(df))
    results = [{"path": "data/vpr/ВПР_*.xlsx", "year_from": "filename",
                "year_is": "spring_calendar", "constants": {"procedure": "ВПР"},
                "columns": {"Код ОО": "school_id", "Предмет": "subject", "Класс": "grade",
                            "Кол-во участников": "n_participants", "2": "pct_mark2",
                            "3": "pct_mark3", "4": "pct_mark4", "5": "pct_mark5"}}]
    if "oge" not in drop and not narrow:
        oge = _drop(reg.oge(), cols["results"])
        _csv(data / "ОГЭ.csv", oge.frame, oge.spec)
        results.append({"path": "data/ОГЭ.csv", "columns": oge.columns, **oge.spec})
    inputs["results"] = results

    for table, file in (("context", "контекст.csv"), ("monitoring", "мониторинг.csv"),
                        ("risk_survey", "анкета_рисков.csv"), ("programme", "программа.csv")):
        if table in drop:
            continue
        src = _drop(getattr(reg, table)(), cols[table])
        if table == "context" and context_years is not None:
            first = src.frame["Учебный год"].str[:4].astype(int)
            src.frame = src.frame[first.isin(context_years)]
        _csv(data / file, src.frame, src.spec)
        inputs[table] = {"path": f"data/{file}", "columns": src.columns, **src.spec}

    params: dict[str, Any] = {"run_id": run_id, "region": "Приозёрный край", "inputs": inputs,
                              "briefings": {"progress": False}}
    if "context" not in drop:  # declared even when its column is dropped: the run says so
        params["context_indicators"] = {CUSTOM_INDICATOR: {"direction": "adverse",
                                                           "label": CUSTOM_LABEL}}
    for k, v in (extra_params or {}).items():
        params[k] = v
    path = params_dir / "region.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def variants() -> list[tuple[str, dict[str, Any]]]:
    """Every variant of the matrix: (id, write_region keyword arguments), the whole region
    first."""
    out: list[tuple[str, dict[str, Any]]] = [("baseline", {})]
    for table, columns in OPTIONAL.items():
        for c in columns:
            out.append((f"no-{table}.{c}", {"drop": (f"{table}.{c}",)}))
    for t in TABLES:
        out.append((f"no-{t}", {"drop": (t,)}))
    out.append(("narrow", {"narrow": True}))
    # everything optional missing at once: the registry's codes and names, and the ВПР exports
    out.append(("minimal", {"drop": tuple(f"{t}.{c}" for t, cs in OPTIONAL.items() for c in cs)
                            + TABLES}))
    out.append(("context-of-earlier-years", {"context_years": SCHOOL_YEARS[:-1]}))
    return out


def run_variant(root: Path, kwargs: dict[str, Any], extra_params: dict[str, Any],
                notebooks: bool = False) -> Path:
    """Write a variant into root and run the whole pipeline on it (for a process pool)."""
    params = write_region(root, extra_params=extra_params, **kwargs)
    return pipeline.run(params, use_notebooks=notebooks)


def contract_checker(start: Path) -> Path | None:
    """../shared/tools/check_contract.py of the checkout (a worktree sits one level deeper)."""
    for folder in start.resolve().parents:
        candidate = folder / "shared" / "tools" / "check_contract.py"
        if candidate.exists():
            return candidate
    return None

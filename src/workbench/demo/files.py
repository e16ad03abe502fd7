"""The regional exports: the canonical tables written as files that look like real ones (ВПР
xlsx with a title row, context CSV in cp1251 with ';' and decimal commas, Russian headers and
values, «2024/25» school years), with reproducible bytes for a seed (fixed xlsx document date,
our own CSV writer)."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

from workbench.core.formatting import year_label
from workbench.demo.decisions import write_decisions
from workbench.demo.params import DemoRegion
from workbench.demo.pupil_file import write_vpr_pupils

SCHOOL_HEADERS = {"school_id": "Код ОО", "school_name": "Наименование ОО",
                  "municipality": "Муниципалитет", "locality": "Тип поселения",
                  "school_type": "Вид ОО", "latitude": "Широта", "longitude": "Долгота",
                  "is_small": "Малокомплектная"}
CONTEXT_HEADERS = {
    "n_students": "Численность обучающихся, чел.",
    "share_low_income": "Доля детей из малообеспеченных семей",
    "share_single_parent": "Доля детей из неполных семей",
    "share_parents_no_higher_ed": "Доля родителей без высшего образования",
    "share_ovz": "Доля обучающихся с ОВЗ",
    "share_non_native": "Доля обучающихся, для которых русский язык не родной",
    "share_at_risk_register": "Доля обучающихся на профилактическом учёте",
    "teacher_vacancy_rate": "Доля вакантных ставок педагогов",
    "share_teachers_60plus": "Доля педагогов 60 лет и старше",
    "internet_mbps": "Скорость интернета, Мбит/с",
    "distance_km": "Расстояние до муниципального центра, км",
    "is_rural": "Сельская местность",
}
VPR_HEADERS = ["Код ОО", "Наименование ОО", "Муниципалитет", "Учебный год", "Предмет", "Класс",
               "Кол-во участников", "2", "3", "4", "5"]
EXAM_HEADERS = {"school_id": "Код ОО", "year": "Год", "procedure": "Процедура",
                "subject": "Предмет", "grade": "Класс", "n_participants": "Участников",
                "mean_score": "Средний балл", "sd_score": "Стандартное отклонение",
                "n_low": "Не преодолели минимум"}
STUDENT_HEADERS = {"student_id": "Код участника", "school_id": "Код ОО", "year": "Год",
                   "subject": "Предмет", "grade": "Класс", "mark": "Отметка"}
MONITORING_HEADERS = {"school_id": "Код ОО", "year": "Учебный год", "wave": "Этап",
                      "domain": "Направление", "indicator": "Показатель", "value": "Значение",
                      "n": "Число участников", "higher_is_better": "Чем выше, тем лучше"}
RISK_HEADERS = {"school_id": "Код ОО", "year": "Учебный год", "risk_factor": "Фактор риска",
                "value": "Значение", "source": "Источник"}
PROGRAMME_HEADERS = {"school_id": "Код ОО", "year": "Учебный год",
                     "participant": "Участник программы", "curator": "Куратор",
                     "partner_school_id": "Код школы-партнёра"}
AGREEMENT_HEADERS = {"school_id": "Код ОО", "partner_id": "Код школы-партнёра",
                     "number": "Номер соглашения", "date": "Дата заключения",
                     "valid_until": "Действует до", "status": "Статус"}
CURATOR_HEADERS = {"curator_id": "Код куратора", "name": "ФИО куратора",
                   "organisation": "Организация", "municipality": "Муниципалитет",
                   "capacity": "Предельная нагрузка (школ)"}
WAVE_EXPORT = {"entry": "входной", "intermediate": "промежуточный", "final": "итоговый"}
DOMAIN_EXPORT = {"results": "результаты", "teaching": "преподавание", "management": "управление",
                 "environment": "среда"}
RESULTS_FORMATS = ("xlsx", "csv", "parquet")
_XLSX_CREATED = _dt.datetime(2026, 1, 1)  # fixed document date: identical bytes for a seed


def _csv_column(s: pd.Series, sep: str, decimal: str) -> pa.Array:
    """One column as CSV text (minimal quoting like pandas; floats in shortest form)."""
    if pd.api.types.is_bool_dtype(s):
        s = pd.Series(np.where(s.to_numpy(dtype=bool), "True", "False"))
    if pd.api.types.is_float_dtype(s):
        arr = pa.array(s.to_numpy(), from_pandas=True).cast(pa.string())
        return pc.replace_substring(arr, ".", decimal) if decimal != "." else arr
    if pd.api.types.is_integer_dtype(s):
        return pa.array(s, from_pandas=True).cast(pa.string())
    arr = pa.array(s.astype("str"), from_pandas=True, type=pa.string())
    needs = pc.or_(pc.match_substring(arr, sep), pc.match_substring(arr, '"'))
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
    return pc.if_else(pc.fill_null(needs, False), quoted, arr)


def write_csv(df: pd.DataFrame, path: Path, sep: str = ",", decimal: str = ".",
              encoding: str = "utf-8", eol: str = "\n") -> None:
    """Fast CSV writer (lines joined in pyarrow) with a separator, decimal mark and encoding."""
    bad = [c for c in df.columns if sep in str(c) or '"' in str(c)]
    if bad:
        raise ValueError(f"CSV headers must not contain the separator or quotes: {bad}")
    cols = [pc.fill_null(_csv_column(df[c], sep, decimal), "") for c in df.columns]
    header = sep.join(str(c) for c in df.columns)
    lines = pc.binary_join_element_wise(*cols, sep).to_pylist() if len(df) else []
    text = eol.join([header, *lines]) + eol
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-8", "utf8"):
        Path(path).write_bytes(text.encode("utf-8"))
    elif enc == "utf-8-sig":
        Path(path).write_bytes(text.encode("utf-8-sig"))
    else:
        Path(path).write_bytes(text.encode(encoding))


def _years_labels(years: pd.Series) -> pd.Series:
    """School years as in regional files: 2024 → «2024/25»."""
    return years.map({y: year_label(int(y)) for y in years.unique()})


def _yes_no(values: pd.Series) -> np.ndarray:
    return np.where(values.astype(bool), "да", "нет")


def write_xlsx(path: Path, sheet: str, df: pd.DataFrame, title: str | None = None) -> None:
    """A plain xlsx sheet (header row, optional title row above it), written reproducibly."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": _XLSX_CREATED, "author": "workbench demo",
                       "title": title or sheet})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    r = 0
    if title:
        ws.write_string(0, 0, title, bold)
        r = 1
    ws.write_row(r, 0, list(df.columns), bold)
    cols = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s):
            cols.append(_yes_no(s).tolist())
        elif pd.api.types.is_numeric_dtype(s):
            cols.append([None if v != v else v for v in s.tolist()])
        else:
            cols.append([None if v is None or v != v else str(v) for v in s.tolist()])
    for i, row in enumerate(zip(*cols), start=r + 1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(i, j, v)
            else:
                ws.write_number(i, j, v)
    wb.close()


def vpr_frame(region: DemoRegion, year: int) -> pd.DataFrame:
    """The ВПР export of one year: one row per school × subject × grade, marks «2»…«5»."""
    res = region.tables["results"]
    v = res[(res["procedure"] == "ВПР") & (res["year"] == year)]
    sch = region.tables["schools"].set_index("school_id")
    out = pd.DataFrame({
        "Код ОО": v["school_id"].to_numpy(),
        "Наименование ОО": sch.loc[v["school_id"], "school_name"].to_numpy(),
        "Муниципалитет": sch.loc[v["school_id"], "municipality"].to_numpy(),
        "Учебный год": year_label(year),
        "Предмет": v["subject"].to_numpy(), "Класс": v["grade"].to_numpy(),
        "Кол-во участников": v["n_participants"].to_numpy()})
    for j in (2, 3, 4, 5):
        out[str(j)] = v[f"n_mark{j}"].to_numpy().astype("int64")
    return out


Written = tuple[Path, int]  # a written file and its number of data rows


def write_schools(region: DemoRegion, out_dir: Path) -> Written:
    """schools.xlsx, sheet «ОО»."""
    sch = region.tables["schools"].rename(columns=SCHOOL_HEADERS)
    path = out_dir / "schools.xlsx"
    write_xlsx(path, "ОО", sch)
    return path, len(sch)


def write_context(region: DemoRegion, out_dir: Path) -> Written:
    """context.csv: cp1251, ';', decimal comma, CRLF line ends."""
    ctx = region.tables["context"].copy()
    ctx["year"] = _years_labels(ctx["year"])
    ctx["n_students"] = ctx["n_students"].round().astype("Int64")
    ctx["is_rural"] = ctx["is_rural"].round().astype("Int64")
    ctx = ctx.rename(columns={"school_id": "Код ОО", "year": "Учебный год", **CONTEXT_HEADERS})
    path = out_dir / "context.csv"
    write_csv(ctx, path, sep=";", decimal=",", encoding="cp1251", eol="\r\n")
    return path, len(ctx)


def write_vpr(region: DemoRegion, out_dir: Path, results_format: str) -> dict[str, Written]:
    """vpr_<year>.<format>, one file per year: xlsx with a title row, csv (utf-8-sig, ';') or
    parquet. Returns «vpr_<year>» → written."""
    out: dict[str, Written] = {}
    for year in region.meta["years"]:
        v = vpr_frame(region, year)
        path = out_dir / f"vpr_{year}.{results_format}"
        if results_format == "xlsx":
            write_xlsx(path, "ВПР", v, title=f"Результаты ВПР {year_label(year)} учебного года")
        elif results_format == "csv":
            write_csv(v, path, sep=";", encoding="utf-8-sig")
        else:
            v.to_parquet(path, index=False)
        out[f"vpr_{year}"] = (path, len(v))
    return out


def write_exams(region: DemoRegion, out_dir: Path) -> Written:
    """oge_ege.csv (utf-8-sig)."""
    res = region.tables["results"]
    ex = res[res["procedure"].isin(["ОГЭ", "ЕГЭ"])][list(EXAM_HEADERS)].copy()
    ex["year"] = _years_labels(ex["year"])
    ex["n_low"] = ex["n_low"].astype("int64")
    path = out_dir / "oge_ege.csv"
    write_csv(ex.rename(columns=EXAM_HEADERS), path, encoding="utf-8-sig")
    return path, len(ex)


def write_students(region: DemoRegion, out_dir: Path) -> Written:
    """rdr_students.csv: the РДР pupil by pupil (utf-8)."""
    st = region.students[list(STUDENT_HEADERS)].copy()
    st["year"] = _years_labels(st["year"])
    path = out_dir / "rdr_students.csv"
    write_csv(st.rename(columns=STUDENT_HEADERS), path, encoding="utf-8")
    return path, len(st)


def write_monitoring(region: DemoRegion, out_dir: Path) -> Written:
    """monitoring.csv: utf-8-sig, ';', decimal comma, Russian waves, domains and «да»/«нет»."""
    mon = region.tables["monitoring"][list(MONITORING_HEADERS)].copy()
    mon["year"] = _years_labels(mon["year"])
    mon["wave"] = mon["wave"].map(WAVE_EXPORT)
    mon["domain"] = mon["domain"].map(DOMAIN_EXPORT)
    mon["n"] = mon["n"].round().astype("Int64")
    mon["higher_is_better"] = _yes_no(mon["higher_is_better"])
    path = out_dir / "monitoring.csv"
    write_csv(mon.rename(columns=MONITORING_HEADERS), path, sep=";", decimal=",",
              encoding="utf-8-sig")
    return path, len(mon)


def write_risk_survey(region: DemoRegion, out_dir: Path) -> Written:
    """risk_survey.csv (utf-8)."""
    rs = region.tables["risk_survey"][list(RISK_HEADERS)].copy()
    rs["year"] = _years_labels(rs["year"])
    path = out_dir / "risk_survey.csv"
    write_csv(rs.rename(columns=RISK_HEADERS), path, encoding="utf-8")
    return path, len(rs)


def write_programme(region: DemoRegion, out_dir: Path) -> Written:
    """programme.csv (utf-8-sig, participation as «да»/«нет»)."""
    pr = region.tables["programme"][list(PROGRAMME_HEADERS)].copy()
    pr["year"] = _years_labels(pr["year"])
    pr["participant"] = _yes_no(pr["participant"])
    path = out_dir / "programme.csv"
    write_csv(pr.rename(columns=PROGRAMME_HEADERS), path, encoding="utf-8-sig")
    return path, len(pr)


def write_agreements(region: DemoRegion, out_dir: Path) -> Written:
    """agreements.csv (utf-8-sig, dates as ДД.ММ.ГГГГ as in office spreadsheets)."""
    ag = region.tables["agreements"][list(AGREEMENT_HEADERS)].copy()
    for c in ("date", "valid_until"):
        ag[c] = ag[c].map(lambda v: f"{v[8:10]}.{v[5:7]}.{v[:4]}" if isinstance(v, str) else "")
    path = out_dir / "agreements.csv"
    write_csv(ag.rename(columns=AGREEMENT_HEADERS), path, encoding="utf-8-sig")
    return path, len(ag)


def write_curators(region: DemoRegion, out_dir: Path) -> Written:
    """curators.csv (utf-8-sig)."""
    cu = region.tables["curators"][list(CURATOR_HEADERS)].copy()
    path = out_dir / "curators.csv"
    write_csv(cu.rename(columns=CURATOR_HEADERS), path, encoding="utf-8-sig")
    return path, len(cu)


def write_exports(region: DemoRegion, out_dir: Path, results_format: str,
                  pupil_results: str | None = None) -> dict[str, Written]:
    """Every regional export of the region into `out_dir`, in the order of the params file:
    name → (path, data rows). With `pupil_results` (csv, parquet) the ВПР is one file pupil by
    pupil instead of the yearly workbooks (pupil_file.py)."""
    vpr = write_vpr(region, out_dir, results_format) if pupil_results is None else \
        {"vpr_pupils": write_vpr_pupils(region, out_dir, pupil_results)}
    return {"schools": write_schools(region, out_dir), "context": write_context(region, out_dir),
            **vpr, "oge_ege": write_exams(region, out_dir),
            "rdr_students": write_students(region, out_dir),
            "monitoring": write_monitoring(region, out_dir),
            "risk_survey": write_risk_survey(region, out_dir),
            "programme": write_programme(region, out_dir),
            "agreements": write_agreements(region, out_dir),
            "curators": write_curators(region, out_dir),
            "decisions": write_decisions(region.truth_years, out_dir)}

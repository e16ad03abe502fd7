"""What the notebook shows after loading: the files read (Russian headers), the results by year
and procedure, subjects and grades, coverage by municipality, a sample of the problems, the
first charts and one Russian paragraph on what was loaded."""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.ingest.columns import TABLE_RU
from workbench.ingest.files import IngestResult
from workbench.ingest.problems import ERROR, WARNING

PROBLEM_HEADERS_RU = {"file": "Файл", "row": "Строка", "column": "Столбец", "value": "Значение",
                      "severity": "Серьёзность", "message": "Что исправить"}
INPUT_HEADERS_RU = {"path": "Файл", "table": "Таблица", "sha256": "sha256",
                    "rows_read": "Прочитано строк", "rows_kept": "Загружено",
                    "rows_rejected": "Отклонено", "rows_empty": "Пустых строк"}


def inputs_table(inputs: list[dict[str, Any]]) -> pd.DataFrame:
    """The files read with their row accounting (Russian headers and table names)."""
    inputs_df = pd.DataFrame(inputs).rename(columns=INPUT_HEADERS_RU)
    if len(inputs_df):
        inputs_df["Таблица"] = inputs_df["Таблица"].map(lambda t: TABLE_RU.get(t, t))
        inputs_df = inputs_df.drop(columns=["sha256"])
    return inputs_df


def rejected_rows(inputs: list[dict[str, Any]]) -> tuple[int, int]:
    """(rows rejected, rows read) over all input files."""
    return (sum(int(i.get("rows_rejected", 0)) for i in inputs),
            sum(int(i.get("rows_read", 0)) for i in inputs))


def problem_sample(problems: pd.DataFrame, n: int = 30) -> pd.DataFrame:
    """The first problems (Russian headers)."""
    return problems.head(n).rename(columns=PROBLEM_HEADERS_RU)


def count_severity(problems: pd.DataFrame, severity: str) -> int:
    """How many problems have this severity."""
    return int((problems["severity"] == severity).sum()) if len(problems) else 0


def loaded_summary(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Small Russian summaries for the notebook: years, procedures/subjects, coverage."""
    out: dict[str, pd.DataFrame] = {}
    schools = tables.get("schools", pd.DataFrame())
    res = tables.get("results")
    if res is not None and len(res):
        g = res.groupby(["year", "procedure"]).agg(
            rows=("school_id", "size"), participants=("n_participants", "sum"))
        n_schools = res[["year", "procedure", "school_id"]].drop_duplicates().groupby(
            ["year", "procedure"]).size()
        g.insert(0, "schools", n_schools.reindex(g.index).to_numpy())
        g = g.reset_index()
        g.columns = ["Год", "Процедура", "Школ", "Строк", "Участников"]
        out["results_by_year"] = g
        # on the distinct (procedure, subject, grade, year) first: millions of rows nationally
        ps = res.groupby(["procedure", "subject", "grade", "year"]).size().reset_index()
        s = ps.groupby(["procedure", "subject"]).agg(
            grades=("grade", lambda x: ", ".join(str(v) for v in sorted(set(x)))),
            years=("year", lambda x: ", ".join(str(v) for v in sorted(set(x))))).reset_index()
        s.columns = ["Процедура", "Предмет", "Классы", "Годы"]
        out["subjects"] = s
    if len(schools):
        cov = schools.groupby("municipality").agg(n_schools=("school_id", "size")).reset_index()
        for name in ("context", "results"):
            t = tables.get(name)
            if t is not None and len(t):
                ids = set(t["school_id"])
                cov[f"with_{name}"] = schools.assign(h=schools["school_id"].isin(ids)).groupby(
                    "municipality")["h"].sum().reindex(cov["municipality"]).to_numpy()
        cov = cov.rename(columns={"municipality": "Муниципалитет", "n_schools": "Школ",
                                  "with_context": "С данными контекста",
                                  "with_results": "С результатами"})
        out["coverage"] = cov
    return out


def figures(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """First charts (plotly): schools per municipality; participants per year and procedure."""
    import plotly.express as px  # heavy (~0.1 s more than plotly); only these charts use it

    figs: dict[str, Any] = {}
    schools = tables.get("schools")
    if schools is not None and len(schools):
        c = schools.groupby("municipality").size().sort_values().reset_index(name="n")
        figs["schools_per_municipality"] = px.bar(
            c, x="n", y="municipality", orientation="h",
            labels={"n": "Число школ", "municipality": "Муниципалитет"},
            title="Школы по муниципалитетам", height=max(320, 22 * len(c) + 120))
    res = tables.get("results")
    if res is not None and len(res):
        g = res.groupby(["year", "procedure"])["n_participants"].sum().reset_index()
        figs["participants_per_year"] = px.bar(
            g, x="year", y="n_participants", color="procedure", barmode="group",
            labels={"year": "Год", "n_participants": "Участников", "procedure": "Процедура"},
            title="Участники оценочных процедур по годам")
    return figs


def summary_text(result: IngestResult) -> str:
    """One Russian paragraph (markdown) on what was loaded and the problems found."""
    read = sum(i["rows_read"] for i in result.inputs)
    kept = sum(i["rows_kept"] for i in result.inputs)
    rej = sum(i["rows_rejected"] for i in result.inputs)
    n_err = count_severity(result.problems, ERROR)
    n_warn = count_severity(result.problems, WARNING)
    parts = [f"Прочитано файлов: **{len(result.inputs)}**, строк данных: **{read}**; загружено "
             f"**{kept}**, отклонено **{rej}**."]
    res = result.tables.get("results")
    if res is not None and len(res):
        years = sorted(set(res["year"]))
        parts.append(f"Результаты за {years[0]}–{years[-1]} гг.: процедуры "
                     f"{', '.join(sorted(set(res['procedure'])))}; предметов: "
                     f"{res['subject'].nunique()}.")
    if n_err or n_warn:
        parts.append(f"Найдено ошибок: **{n_err}** (строки не загружены), предупреждений: "
                     f"**{n_warn}**. Полный список — в файле data_quality.html (и .csv) папки "
                     f"запуска.")
    else:
        parts.append("Проблем в исходных данных не найдено.")
    return " ".join(parts)

"""The stage on a RunContext: the identification table, list_changes and lists.xlsx."""
from __future__ import annotations

import pandas as pd
import pytest

from workbench import identify as I
from workbench.core.vocabulary import CATEGORIES
from workbench.identify import stage


def test_stage_writes_tables_and_lists(demo600, tmp_path):
    import openpyxl

    from workbench.config import parse_params
    from workbench.context import RunContext

    params = parse_params({"inputs": {"schools": {"path": "x.csv"}},
                           "identification": {"bottom_share": 0.12}})
    ctx = RunContext(params, tmp_path)
    for name in ("schools", "context", "results"):
        ctx.write_canonical(name, demo600.tables[name])
    out = stage.run(ctx)
    ident = pd.read_parquet(tmp_path / "tables" / "identification.parquet")
    for col in ["school_id", "year", "result_index", "result_se", "result_ci_low", "result_ci_high",
                "share_low", "social_index", "expected_index", "value_added", "va_ci_low",
                "va_ci_high", "low_results", "adverse_context", "category", "objectivity_flag",
                "reasons", "result_index_shrunk", "result_percentile", "share_low_region",
                "social_percentile", "category_ru", "years_low", "n_pupils", "quality_index",
                "quality_se", "prob_bottom", "rank_ci_low", "rank_ci_high", "watch",
                "exit_met", "listed_since", "pooled_index", "n_years"]:
        assert col in ident.columns, col
    assert set(ident["category"]) <= set(CATEGORIES)
    assert (tmp_path / "tables" / "identification.csv").exists()
    changes = pd.read_parquet(tmp_path / "tables" / "list_changes.parquet")
    assert set(changes["change"]) <= {"вошла в список", "выполнены критерии выхода",
                                      "нет данных: решение о выходе отложено"}
    assert {"вошла в список", "выполнены критерии выхода"} <= set(changes["change"])
    assert out["funnel"] is not None and out["social"] is not None
    wb = openpyxl.load_workbook(tmp_path / "lists.xlsx")
    assert wb.sheetnames[:10] == ["Приложение к приказу", "Сводка", "ШНОР в НСУ", "ШНОР", "Зона риска", "ШФНСУ",
                                 "Резильентные", "Высокие результаты", "Типичные",
                                 "Недостаточно данных"]
    assert "Изменения" in wb.sheetnames and all(len(s) <= 31 for s in wb.sheetnames)
    ws = wb["ШНОР в НСУ"]
    header = [c.value for c in ws[1]]
    assert header == ["Код ОО", "Наименование ОО", "Муниципалитет", "Категория",
                      "Решение экспертной группы", "Основания",
                      "Устойчивый уровень", "95% ДИ уровня", "Процентиль",
                      "95% интервал процентиля", "Вероятность нижней группы",
                      "Индекс результатов года", "95% ДИ индекса года", "Доля «2»",
                      "Социальный индекс", "Число обучающихся, писавших работы"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    cur = ident[(ident["year"] == ident["year"].max()) & (ident["category"] == "low_results_adverse")]
    assert ws.max_row - 1 == len(cur)
    first = [c.value for c in ws[2]]
    row = cur.set_index("school_id").loc[first[0]]
    assert first[3] == "ШНОР в неблагоприятных социальных условиях"
    assert first[6] == pytest.approx(row["quality_index"], abs=0.006)
    assert first[10] == pytest.approx(row["prob_bottom"], abs=0.0006)
    assert first[11] == pytest.approx(row["result_index"], abs=0.006)
    assert first[15] == row["n_pupils"]
    assert ws.column_dimensions["F"].width > 50
    summary = {r[0]: r[2] for r in wb["Сводка"].iter_rows(min_row=2, values_only=True)}
    assert summary["ШНОР в неблагоприятных социальных условиях"] == len(cur)
    # the partners stage can add its sheet later
    I.write_lists(tmp_path / "lists2.xlsx", ident, demo600.tables["schools"],
                  extra_sheets={"Пары школ": pd.DataFrame({"Код ОО": ["1"], "Партнёр": ["2"]})})
    assert "Пары школ" in openpyxl.load_workbook(tmp_path / "lists2.xlsx").sheetnames



def test_stage_leaves_lists_to_the_clusters_stage_when_the_runner_says_so(demo600, tmp_path):
    from workbench.config import parse_params
    from workbench.context import RunContext

    ctx = RunContext(parse_params({"inputs": {"schools": {"path": "x.csv"}}}), tmp_path)
    for name in ("schools", "context", "results"):
        ctx.write_canonical(name, demo600.tables[name])
    ctx.write_meta("lists", {"writer": "clusters"})
    stage.run(ctx)
    assert (tmp_path / "tables" / "identification.parquet").exists()
    assert (tmp_path / "lists_annex.docx").exists()
    assert not (tmp_path / "lists.xlsx").exists()

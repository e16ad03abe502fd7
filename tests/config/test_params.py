"""Params validation: unknown keys and wrong types are Russian errors naming the key."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from workbench.core.names import slugify
from workbench.core.values import normalise_domain, normalise_wave, parse_year
from workbench.config import ParamsError, load_params, parse_params

MINIMAL = {"run_id": "t", "inputs": {"schools": {"path": "s.csv"}}}


def test_minimal_params_get_defaults():
    p = parse_params(dict(MINIMAL))
    assert p.stages == ["ingest", "identify", "clusters", "monitoring", "briefings", "reports"]
    assert p.inputs.results == []
    assert p.indicator_directions()["share_low_income"] == "adverse"


def test_results_accepts_one_spec_or_a_list():
    p = parse_params({**MINIMAL, "inputs": {"schools": {"path": "s"}, "results": {"path": "r"}}})
    assert [r.path for r in p.inputs.results] == ["r"]


@pytest.mark.parametrize("data, words", [
    ({**MINIMAL, "identificaton": {}}, ["неизвестный ключ", "identificaton",
                                         "возможно, identification?", "docs/params.md"]),
    ({**MINIMAL, "identification": {"persist_year": 2}}, ["возможно, persist_years?"]),
    ({**MINIMAL, "quality": {"tables": {"resuts": 0.1}}}, ["quality.tables.resuts",
                                                          "возможно, results?"]),
    ({**MINIMAL, "stages": ["ingest", "briefngs"]}, ["stages.1", "возможно, briefings?"]),
    ({**MINIMAL, "identification": {"bottom_share": 2}}, ["bottom_share",
                                                          "значение должно быть меньше 1"]),
    ({**MINIMAL, "inputs": {"schools": {"path": "s", "sheet": [1]}}},
     ["inputs.schools.sheet", "ожидается целое число или текст"]),
    ({**MINIMAL, "inputs": {"schools": {"path": "s", "year_is": "spring"}}},
     ["inputs.schools.year_is", "school_year, spring_calendar", "возможно, spring_calendar?"]),
    ({**MINIMAL, "inputs": {"schools": {"path": "s", "colums": {}}}}, ["inputs.schools.colums"]),
    ({"run_id": "t"}, ["не задан обязательный ключ", "inputs"]),
    ({**MINIMAL, "run_id": "../etc"}, ["run_id"]),
    ({**MINIMAL, "stages": ["identify", "ingest"]}, ["stages", "порядке"]),
    ({**MINIMAL, "stages": ["ingest", "report"]}, ["stages.1"]),
    ({**MINIMAL, "context_indicators": {"x": "bad"}}, ["context_indicators.x"]),
    ({**MINIMAL, "inputs": {"schools": {"path": "s", "header_row": "два"}}}, ["header_row", "два"]),
])
def test_bad_params_name_the_key(data, words):
    with pytest.raises(ParamsError) as err:
        parse_params(data, source="p.yaml")
    msg = str(err.value)
    assert msg.startswith("p.yaml")
    for w in words:
        assert w in msg


def test_yaml_errors_are_russian_with_line(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("run_id: a\ninputs: [\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="ошибка синтаксиса YAML, строка"):
        load_params(f)
    with pytest.raises(ParamsError, match="не найден"):
        load_params(tmp_path / "none.yaml")


def test_unsafe_yaml_tags_are_refused(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("run_id: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(ParamsError):
        load_params(f)


def test_paths_resolve_against_the_project_folder(tmp_path):
    (tmp_path / "params").mkdir()
    f = tmp_path / "params" / "x.yaml"
    f.write_text("run_id: x\ninputs:\n  schools: {path: data/s.xlsx}\n", encoding="utf-8")
    p = load_params(f)
    assert p.resolve(p.inputs.schools.path) == tmp_path / "data" / "s.xlsx"


@pytest.mark.parametrize("raw, year", [(2024, 2024), ("2024/25", 2024), ("2024-2025", 2024),
                                       ("2024/2025", 2024), (2024.0, 2024), (" 2023 ", 2023),
                                       ("2024/26", None), ("abc", None), ("24/25", None)])
def test_parse_year(raw, year):
    assert parse_year(raw) == year


def test_normalise_russian_categories():
    assert normalise_wave("Входной") == "entry" and normalise_wave("итоговый") == "final"
    assert normalise_wave("ПРОМЕЖУТОЧНЫЙ") == "intermediate" and normalise_wave("средний") is None
    assert normalise_domain("Управление") == "management" and normalise_domain("среда") == "environment"
    assert slugify("г. Светлогорск-на-Ветлуге") == "g-svetlogorsk-na-vetluge"


CONTEXT = {"path": "c.csv", "columns": {"Код": "school_id", "Год": "year"}}


def _with(columns=None, **spec):
    ctx = {**CONTEXT, **spec}
    if columns:
        ctx["columns"] = {**CONTEXT["columns"], **columns}
    return {**MINIMAL, "inputs": {"schools": {"path": "s.csv"}, "context": ctx}}


@pytest.mark.parametrize("data, words", [
    (_with({"Доля ОВЗ": "share_ovs"}), ["inputs.context.columns", "«Доля ОВЗ»", "«share_ovs»",
                                         "возможно, share_ovz?", "docs/canonical_tables.md",
                                         "context_indicators"]),
    (_with({"Доля ОВЗ, %": {"name": "share_ovz", "scale": "процент"}}),
     ["inputs.context.columns.Доля ОВЗ, %.scale", "share, percent"]),
    (_with({"Доля ОВЗ, %": {"nme": "share_ovz"}}), ["«inputs.context.columns.Доля ОВЗ, %.name»",
                                                    "неизвестный ключ", ".nme»"]),
    ({**MINIMAL, "inputs": {"schools": {"path": "s"},
                            "results": [{"path": "r", "constants": {"procedur": "ВПР"}}]}},
     ["inputs.results.constants", "«procedur»", "возможно, procedure?"]),
    (_with(year_from="filename"), ["inputs.context", "year_from: filename", "оставьте что-то одно"]),
    ({**MINIMAL, "context_indicators": {"year": "adverse"}}, ["context_indicators", "«year»"]),
    ({**MINIMAL, "context_indicators": {"x": {"direction": "adverse", "lable": "X"}}},
     ["context_indicators.x.lable"]),
])
def test_mapping_is_checked_against_the_vocabulary(data, words):
    with pytest.raises(ParamsError) as err:
        parse_params(data, source="p.yaml")
    for w in words:
        assert w in str(err.value), (w, str(err.value))


ENGLISH = ("Input should", "Field required", "Extra inputs", "Value error", "valid integer",
           "greater than", "less than", "should be", "Unable to")


@pytest.mark.parametrize("data", [
    {**MINIMAL, "run_id": 5}, {**MINIMAL, "stages": "ingest"}, {**MINIMAL, "region": []},
    {**MINIMAL, "ingest": {"year_min": 1.5}}, {**MINIMAL, "ingest": {"use_store": "может"}},
    {**MINIMAL, "quality": {"max_rejected_share": -1}}, {**MINIMAL, "quality": []},
    {**MINIMAL, "briefings": {"school_pages": "some"}}, {**MINIMAL, "inputs": "s.csv"},
    {**MINIMAL, "identification": {"confidence": "высокая"}},
    {**MINIMAL, "inputs": {"schools": {"path": "s", "header_row": 0}}},
    {**MINIMAL, "inputs": {"schools": {"path": "s", "year_pattern": "(["}}},
    {**MINIMAL, "context_indicators": {"x": {"label": ""}}},
])
def test_params_messages_are_russian(data):
    with pytest.raises(ParamsError) as err:
        parse_params(data, source="p.yaml")
    msg = str(err.value)
    assert not [e for e in ENGLISH if e in msg], msg
    assert any("а" <= ch <= "я" for ch in msg.split("ошибки в параметрах:")[1])


def test_new_keys_have_defaults_and_read_both_forms():
    p = parse_params({**MINIMAL, "context_indicators": {
        "share_migrants": "adverse", "low_income_pct": {"direction": "adverse",
                                                        "label": "Доля малообеспеченных"}},
        "inputs": {"schools": {"path": "s"}, "context": {"path": "c", "columns": {
            "Код": "school_id", "Мигранты, %": {"name": "share_migrants", "scale": "percent"},
            "Малообеспеченные": "low_income_pct"}}}})
    assert p.indicator_directions()["low_income_pct"] == "adverse"
    assert p.indicator_labels()["low_income_pct"] == "Доля малообеспеченных"
    assert p.indicator_labels().get("share_migrants") is None  # no label: shown by its code
    spec = p.inputs.context
    assert spec.targets() == {"Код": "school_id", "Мигранты, %": "share_migrants",
                              "Малообеспеченные": "low_income_pct"}
    assert spec.scales() == {"share_migrants": "percent"}
    assert (spec.year_from, spec.year_is) == ("column", "school_year")
    assert (p.quality.max_rejected_share, p.quality.threshold("results")) == (0.05, 0.05)
    assert (p.ingest.year_min, p.ingest.year_max) == (1950, 2100)


def test_the_readme_example_is_valid_params():
    """The region example of the README parses (a misspelt key or field there would mislead
    every new region)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(run_id: kray2025.*?)```", readme, flags=re.S).group(1)
    p = parse_params(yaml.safe_load(block), source="README.md")
    vpr = p.inputs.results[0]
    assert (vpr.year_from, vpr.year_is) == ("filename", "spring_calendar")
    assert set(vpr.targets().values()) >= {"pct_mark2", "pct_mark5"}
    assert p.indicator_labels()["share_migrants"] == "Доля детей-мигрантов"
    assert p.inputs.context.scales() == {"share_low_income": "percent", "share_ovz": "percent"}

"""Params validation: unknown keys and wrong types are Russian errors naming the key."""
from __future__ import annotations

import pytest

from workbench.canon import parse_year, normalise_wave, normalise_domain, slugify
from workbench.config import ParamsError, load_params, parse_params

MINIMAL = {"run_id": "t", "inputs": {"schools": {"path": "s.csv"}}}


def test_minimal_params_get_defaults():
    p = parse_params(dict(MINIMAL))
    assert p.stages == ["ingest", "identify", "clusters", "monitoring", "briefings"]
    assert p.inputs.results == []
    assert p.indicator_directions()["share_low_income"] == "adverse"


def test_results_accepts_one_spec_or_a_list():
    p = parse_params({**MINIMAL, "inputs": {"schools": {"path": "s"}, "results": {"path": "r"}}})
    assert [r.path for r in p.inputs.results] == ["r"]


@pytest.mark.parametrize("data, words", [
    ({**MINIMAL, "identificaton": {}}, ["неизвестный ключ", "identificaton"]),
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

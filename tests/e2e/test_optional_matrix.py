"""Every optional thing may be missing (issue 14, item 6): the whole pipeline, every stage, on the
small real-shaped region of tests/support/regions.py with each optional column of each canonical
table removed in turn, each optional table removed in turn, and results for one year, procedure
and subject only. Each variant: exit 0 (the run publishes), the output contract holds, what could
not be computed is said in Russian in the manifest notes and on the region's briefing, and no
section of the region page is empty without a word.

The stages run in-process (`--no-notebooks`: the same `run(ctx)` the notebooks call); one variant
goes through the notebooks as well."""
from __future__ import annotations

import functools
import importlib.util
import json
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from support.regions import (
    CUSTOM_INDICATOR,
    CUSTOM_LABEL,
    contract_checker,
    run_variant,
    variants,
)

from workbench.config.stages import STAGES
from workbench.core.tables import INDICATOR_LABELS_RU

CHECKER = contract_checker(Path(__file__))
LIGHT = {"clusters": {"n_bootstrap": 2, "n_init": 2}, "ingest": {"use_store": False}}
pytestmark = pytest.mark.slow

# what the run must say when a thing is missing (None: nothing downstream depends on it)
SAID = {
    "no-schools.locality": "нет типа населённого пункта (locality)",
    "no-schools.latitude": "нет координат (latitude, longitude)",
    "no-schools.longitude": "нет координат (latitude, longitude)",
    "no-context.n_students": "нет численности обучающихся (n_students)",
    f"no-context.{CUSTOM_INDICATOR}": f"«{CUSTOM_LABEL}» ({CUSTOM_INDICATOR}) объявлен в "
                                      "context_indicators, но его нет в данных контекста",
    "no-results.sd_score": "Для ОГЭ нет стандартного отклонения баллов (sd_score)",
    "no-results.mean_score": "Для ОГЭ нет среднего балла (mean_score)",
    "no-results.n_low": "Для ОГЭ нет числа не преодолевших минимум (n_low)",
    "no-monitoring.n": "нет числа участников замеров (n)",
    "no-monitoring.higher_is_better": "не указано направление показателей (higher_is_better)",
    "no-context": "Кластеры и партнёры не рассчитаны: нет данных о контексте школ",
    "no-monitoring": "данные мониторинга не переданы",
    "no-risk_survey": "Анкеты рисков не переданы",
    "no-programme": "Участие в программе не передано (inputs.programme): эффект программы не оценён",
    "no-oge": "Результатов ОГЭ и ЕГЭ нет",
    "narrow": "Данные о результатах есть только за 1 год",
    # no context and no monitoring: the derived risk scores name results only
    "minimal": "профили рисков рассчитаны только по данным результатов.",
    "context-of-earlier-years": "Данные другого года: За 2024/25 учебный год нет данных о "
                                "контексте для 36 школ с результатами: их социальный индекс взят "
                                "из данных 2023/24 учебного года",
}
VARIANTS = dict(variants())


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Every variant run once, two at a time (each run is single-threaded work)."""
    root = tmp_path_factory.mktemp("matrix")
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        jobs = {n: pool.submit(run_variant, root / n, kw, LIGHT) for n, kw in VARIANTS.items()}
        return {n: j.result() for n, j in jobs.items()}


@functools.cache
def _checker():
    spec = importlib.util.spec_from_file_location("check_contract", CHECKER)
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    return checker


def _contract(run_dir: Path, notebooks: bool) -> list[str]:
    """The checker's problems (loaded once, called in-process: a subprocess per variant would
    cost a second of imports each); runs without notebooks have no notebooks/*.html."""
    if CHECKER is None:
        pytest.skip("contract checker ../shared/tools/check_contract.py not found")
    lines = _checker().main(str(run_dir))
    return [ln for ln in lines if notebooks or "no executed notebook" not in ln]


def _empty_sections(page: str) -> list[str]:
    """Sections whose text, headings left out, is empty."""
    bad = []
    for sec in re.findall(r"<section[^>]*>(.*?)</section>", page, flags=re.S):
        title = re.search(r"<h2[^>]*>(.*?)</h2>", sec, flags=re.S)
        body = re.sub(r"<h[23][^>]*>.*?</h[23]>", "", sec, flags=re.S)
        text = re.sub(r"<[^>]+>", "", body).strip()
        if not text and "<svg" not in body:
            bad.append(title.group(1) if title else sec[:60])
    return bad


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_runs_and_says_what_is_missing(name, runs):
    run_dir = runs[name]
    assert _contract(run_dir, notebooks=False) == []
    notes = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["notes"]
    region = (run_dir / "briefings" / "region.html").read_text(encoding="utf-8")
    expected = SAID.get(name)
    if expected:
        assert any(expected in n for n in notes), (expected, notes)
        assert expected in region.replace("&#34;", '"')
    if name.startswith("no-context.") and name != f"no-context.{CUSTOM_INDICATOR}":
        label = INDICATOR_LABELS_RU[name.split(".", 1)[1]]
        used = next(n for n in notes if n.startswith("Социальный индекс рассчитан по показателям"))
        assert label not in used and (name.endswith("n_students") or CUSTOM_LABEL in used)
    assert _empty_sections(region) == []
    for page in (run_dir / "briefings" / "municipality").glob("*.html"):
        assert _empty_sections(page.read_text(encoding="utf-8")) == [], page.name


def test_context_of_another_year_is_said_where_it_is_used(runs):
    """Results of 2024/25, context up to 2023/24: listed in data quality, said on the region
    page and in every passport; the partners' note is true (listed schools exist, they have no
    cluster of that year)."""
    run_dir = runs["context-of-earlier-years"]
    dq = pd.read_csv(run_dir / "data_quality.csv")
    line = dq[dq["message"].str.contains("нет данных о контексте", regex=False)]
    assert line[["file", "severity", "value"]].values.tolist() == [
        ["data/контекст.csv", "warning", "2024/25"]]
    passport = (run_dir / "briefings" / "school" / "010001.html").read_text(encoding="utf-8")
    assert "Показатели контекста — за 2023/24 учебный год: за 2024/25 данных о контексте школы " \
           "нет." in passport
    notes = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["notes"]
    ident = pd.read_csv(run_dir / "tables" / "identification.csv")
    n_low = int(ident[ident["year"] == 2024]["low_results"].sum())
    partners = [n for n in notes if n.startswith("Партнёры")]
    assert n_low > 0 and not any("нет школ с низкими результатами" in n for n in partners)
    assert any(f"для {n_low} школ с низкими результатами 2024/25 учебного года нет кластеров"
               in n for n in partners), partners


def test_custom_labels_reach_every_output(runs):
    run_dir = runs["baseline"]
    notes = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["notes"]
    assert any(CUSTOM_LABEL in n for n in notes if n.startswith("Социальный индекс"))
    names = pd.read_csv(run_dir / "tables" / "clusters.csv")["cluster_name"]
    assert names.str.contains(CUSTOM_LABEL).any() and not names.str.contains(CUSTOM_INDICATOR).any()
    pages = list((run_dir / "briefings").rglob("*.html"))
    passport = (run_dir / "briefings" / "school" / "010001.html").read_text(encoding="utf-8")
    assert CUSTOM_LABEL in passport
    assert not [p.name for p in pages if CUSTOM_INDICATOR in p.read_text(encoding="utf-8")]


def test_one_variant_through_the_notebooks(tmp_path):
    run_dir = run_variant(tmp_path, VARIANTS["no-context"], LIGHT, notebooks=True)
    assert _contract(run_dir, notebooks=True) == []
    assert len(list((run_dir / "notebooks").glob("*.html"))) == len(STAGES)  # a notebook per stage
    notes = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["notes"]
    assert any(SAID["no-context"] in n for n in notes)

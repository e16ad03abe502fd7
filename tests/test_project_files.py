"""The project's own setup files agree with each other and with the design card."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r): r for r in py["dependencies"] + py["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d): d for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    assert set(conda) == set(declared), (set(conda) ^ set(declared))
    for name, req in declared.items():  # same version floors
        assert re.sub(r"\s", "", conda[name]) == re.sub(r"\s", "", req), name


def test_layout_of_the_design_card_exists():
    for p in ["notebooks", "src/workbench", "data", "params", "outputs", "environment.yml", "tests",
              "README.md", "pyproject.toml", "Makefile", ".ci/run", "benchmarks"]:
        assert (ROOT / p).exists(), p


def test_ci_calls_the_readme_test_command():
    assert "make test" in (ROOT / ".ci/run").read_text()
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_notebooks_committed_clean_with_python3_kernel_and_one_parameters_cell():
    nbs = sorted((ROOT / "notebooks").glob("*.ipynb"))
    names = {p.name for p in nbs}
    assert {"01_ingest.ipynb", "02_identify.ipynb", "03_clusters.ipynb", "04_monitoring.ipynb",
            "05_briefings.ipynb", "06_reports.ipynb", "explore.ipynb"} <= names
    for p in nbs:
        nb = json.loads(p.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3", p.name
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), p.name
        ids = [c.get("id") for c in nb["cells"]]  # stored ids: a run does not draw random ones
        assert all(ids) and len(set(ids)) == len(ids), p.name
        tags = [t for c in nb["cells"] for t in c.get("metadata", {}).get("tags", [])]
        if p.name != "explore.ipynb":
            assert tags.count("parameters") == 1, p.name


@pytest.mark.parametrize("name, module", [
    ("01_ingest", "ingest"), ("02_identify", "identify"), ("03_clusters", "clusters"),
    ("04_monitoring", "monitoring"), ("05_briefings", "briefings"), ("06_reports", "reports")])
def test_stage_notebook_is_thin_and_parameterised(name, module):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == {"name": "python3", "display_name": "Python 3",
                                         "language": "python"}
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert tagged[0].source == 'params_path = "../params/demo.yaml"\nrun_dir = ""'
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    src = nb.cells[2].source  # the stage package's run(ctx) on the run's context
    assert f"from workbench import {module}, viz" in src and f"{module}.run(ctx)" in src
    assert "open_context(params_path, run_dir)" in src
    # thin: no function or class definitions, few lines of code
    assert not any(re.search(r"^\s*(def|class) ", c.source, re.M) for c in code)
    assert sum(len(c.source.splitlines()) for c in code) < 60
    # prose in Russian
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert len(re.findall(r"[А-Яа-яЁё]", prose)) > 200


def test_no_cdn_links_in_code_that_makes_html():
    pat = re.compile(r"cdn\.plot\.ly|unpkg\.com|cdn\.jsdelivr|cdnjs\.|fonts\.googleapis|"
                     r"include_plotlyjs\s*=\s*['\"]cdn")
    for p in list((ROOT / "src").rglob("*.*")) + list((ROOT / "notebooks").glob("*.ipynb")):
        if p.suffix in {".py", ".html", ".js", ".css", ".j2", ".ipynb"}:
            assert not pat.search(p.read_text(encoding="utf-8", errors="replace")), p

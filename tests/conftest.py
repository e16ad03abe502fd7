"""Shared fixtures: expensive builds done once per test session.

Demo-based fixtures are for calibration and end-to-end runs; ingestion and whole-run tests of
real-region shapes build their own small regions (tests/support/)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def demo600():
    """The 600-school demo region in memory (seed 2026), generated once."""
    from workbench import demo

    return demo.generate_region(n_schools=600, seed=2026)


@pytest.fixture(scope="session")
def demo600_run(tmp_path_factory):
    """`workbench demo` (600 schools, seed 2026) + `workbench run --no-notebooks`, once.
    Returns (data folder, run folder). Read-only: copy before changing anything."""
    from workbench import demo, pipeline

    proj = tmp_path_factory.mktemp("demo600")
    demo.write_demo(proj / "data" / "demo", proj / "params" / "demo.yaml", n_schools=600, seed=2026)
    run_dir = pipeline.run(proj / "params" / "demo.yaml", use_notebooks=False)
    return proj / "data" / "demo", run_dir


@pytest.fixture(scope="session")
def demo60_full_run(tmp_path_factory):
    """`workbench demo --schools 60 --seed 11` + `workbench run` WITH the notebooks, once, as a
    user runs it (the CLI in a subprocess). Returns (project folder, run folder). Read-only."""
    import subprocess
    import sys
    from pathlib import Path

    wb = str(Path(sys.executable).parent / "workbench")
    proj = tmp_path_factory.mktemp("demo60")
    out = subprocess.run([wb, "demo", "--schools", "60", "--seed", "11", "--out",
                          str(proj / "data" / "demo"), "--params", str(proj / "params" / "demo.yaml")],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([wb, "run", str(proj / "params" / "demo.yaml")], capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stderr + out.stdout
    assert "Готово" in out.stdout
    return proj, proj / "outputs" / "demo"


@pytest.fixture(scope="session")
def briefings_demo_run(tmp_path_factory):
    """A 150-school demo region run in-process through identify, clusters, monitoring and
    briefings. Returns (briefings folder, RunContext, briefings.stage.run output, DemoRegion)."""
    from workbench import briefings, demo
    from workbench.config import parse_params
    from workbench.context import RunContext
    from workbench.pipeline import run_stage_inprocess

    rd = tmp_path_factory.mktemp("briefings_demo_run")
    params = parse_params({"inputs": {"schools": {"path": "-"}}, "run_id": "demo-test",
                           "region": "Демонстрационный край", "briefings": {"progress": False}})
    ctx = RunContext(params, rd)
    reg = demo.generate_region(n_schools=150, seed=2026)
    for k, v in reg.tables.items():
        ctx.write_canonical(k, v)
    for name in ("identify", "clusters", "monitoring"):
        run_stage_inprocess(name, ctx)
    out = briefings.stage.run(ctx)
    return rd / "briefings", ctx, out, reg


@pytest.fixture(scope="session")
def explorer_demo_run(tmp_path_factory):
    """`workbench demo` (200 schools, seed 2026) + `workbench run --no-notebooks`, once, for the
    explorer on a real run and its browser test. Returns the params file (the run is
    outputs/demo next to its params/ folder). Read-only."""
    from support.explorer import build_demo_run

    return build_demo_run(tmp_path_factory.mktemp("explorer_demo"), n_schools=200)

"""Shared fixtures: expensive pipeline builds done once per test session."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def briefings_demo_run(tmp_path_factory):
    """A 150-school demo region run in-process through identify, clusters, monitoring and
    briefings. Returns (briefings folder, RunContext, briefings.stage output, DemoRegion)."""
    from workbench import briefings, clusters, demo, identify, monitoring, pipeline
    from workbench.config import parse_params

    rd = tmp_path_factory.mktemp("briefings_demo_run")
    params = parse_params({"inputs": {"schools": {"path": "-"}}, "run_id": "demo-test",
                           "region": "Демонстрационный край", "briefings": {"progress": False}})
    ctx = pipeline.RunContext(params, rd)
    reg = demo.generate_region(n_schools=150, seed=2026)
    for k, v in reg.tables.items():
        ctx.write_canonical(k, v)
    for mod in (identify, clusters, monitoring):
        mod.stage(ctx)
    out = briefings.stage(ctx)
    return rd / "briefings", ctx, out, reg

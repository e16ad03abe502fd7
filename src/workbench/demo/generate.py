"""Generate the demo region («Демонстрационный край») in memory with a known ground truth
(design §7): vectorised numpy, deterministic from the seed.

The model, in short (all knobs in `DemoParams`):
- municipalities (city districts and rural districts) spatially grouped around a fictional centre;
  schools of 5 context types (the clustering ground truth) with type-specific distributions of the
  standard context indicators (design §3), drifting a little from year to year;
- true result of a school × year (SD units, region mean 0) = context effect (more adverse → lower)
  + latent quality (school random effect) + a small yearly random walk + the programme effect for
  participants from their participation year on;
- observed results are drawn pupil by pupil from that true result: ВПР mark counts, ОГЭ/ЕГЭ scores
  and below-minimum counts, a pupil-level regional diagnostic (РДР); planted anomalies:
  inflated ВПР (ВПР shifted up, exams follow the truth) and tiny schools with one extreme year;
- the programme selects mostly schools with low observed ВПР in the two years before it starts;
  monitoring waves, risk survey and programme table for them.

Random draws: every step takes a generator as its first argument, and each part of the model
has its own independent stream (`helpers.part_rng(seed, part)`): the structure, the context,
the true results, the pupil model, ВПР before the programme, the selection, ВПР from the
programme's start on, the exams, the РДР pupils, the programme table, monitoring and the risk
survey. Draws whose probabilities depend on the programme effect are made by inversion (a fixed
number of uniforms per row, `helpers.binomial_inv`), so changing `programme_effect` changes only
the participants' outcomes from their participation year on: every other row — all of the
years before the programme and every non-participant — stays byte for byte the same
(tests/demo/test_generate.py). The same seed gives the same bytes
(tests/e2e/test_demo_digest.py).
"""
from __future__ import annotations

import numpy as np

from workbench.demo.context import adverse_index, context_table, draw_base_context, draw_context_years
from workbench.demo.exams import exam_rows
from workbench.demo.helpers import part_rng
from workbench.demo.ground_truth import region_meta, truth_per_school, truth_per_year
from workbench.demo.monitoring import monitoring_table
from workbench.demo.names import school_names
from workbench.demo.params import DEFAULT_YEARS, DemoParams, DemoRegion, default_n_municipalities
from workbench.demo.partnerships import agreements_table, curators_table
from workbench.demo.programme import programme_table, programme_timing, select_participants
from workbench.demo.pupils import draw_pupil_model
from workbench.demo.results import join_vpr, results_table, vpr_for_years
from workbench.demo.risk_survey import risk_survey_table
from workbench.demo.structure import draw_structure, school_coordinates, schools_table
from workbench.demo.students import rdr_students
from workbench.demo.true_results import draw_true_results


def generate_region(n_schools: int = 600, seed: int = 2026, programme_effect: float = 0.25,
                    years: tuple[int, ...] = DEFAULT_YEARS, n_municipalities: int | None = None,
                    params: DemoParams | None = None) -> DemoRegion:
    """Generate the demo region in memory, deterministically from `seed`.

    Returns canonical tables (schools, context, results, monitoring, risk_survey, programme),
    pupil-level РДР rows (`students`), the per-school ground truth (`truth`), the per school × year
    truth (`truth_years`: true_result, true_low) and `meta`.
    """
    p = params or DemoParams()
    years = tuple(int(y) for y in years)
    if n_schools < 10:
        raise ValueError("n_schools must be at least 10")
    n = int(n_schools)
    n_mun = n_municipalities or default_n_municipalities(n)

    def rng(part: str) -> np.random.Generator:
        return part_rng(seed, part)

    # the schools and what they work with
    st = draw_structure(rng("structure"), n, n_mun, p)
    base = draw_base_context(rng("base_context"), st, p)
    latitude, longitude = school_coordinates(rng("coordinates"), st, base["distance_km"])
    tr = draw_true_results(rng("true_results"), st, adverse_index(base), len(years), p)
    ctx_cols = draw_context_years(rng("context_years"), base, st.tiny, len(years), p)
    names, kinds = school_names(st.mun_idx, st.ctype, st.basic, rng("names"))
    pm = draw_pupil_model(rng("pupils"), st, ctx_cols["n_students"], tr.latent, years, p)

    # ВПР before the programme → participants → the true result with the programme effect
    timing = programme_timing(years)
    vpr_pre = vpr_for_years(rng("vpr_pre"), pm, timing.pre, tr.true0)
    sel = select_participants(rng("selection"), vpr_pre, timing, n, p)
    true = tr.true0 + programme_effect * sel.treated

    # observed results from the programme start on, then the programme's own tables
    vpr_post = vpr_for_years(rng("vpr_post"), pm, timing.post, true) if timing.post else None
    vpr = join_vpr(vpr_pre, vpr_post)
    exams = exam_rows(rng("exams"), pm, true)
    students, rdr = rdr_students(rng("students"), pm, true, st.school_id)
    programme = programme_table(rng("programme"), sel, timing, st, p)
    monitoring, missing_waves = monitoring_table(rng("monitoring"), pm, true, sel.treated,
                                                 sel.part_year, programme_effect,
                                                 ctx_cols["n_students"], tr.adverse, st.school_id)
    risk_survey = risk_survey_table(rng("risk_survey"), sel, timing, vpr, ctx_cols, tr.latent,
                                    true, st.school_id, p)

    schools = schools_table(st, names, kinds, latitude, longitude, base)
    rng_p = rng("partnerships")
    tables = {"schools": schools, "context": context_table(st.school_id, years, ctx_cols),
              "results": results_table([vpr, exams, rdr], st.school_id),
              "monitoring": monitoring, "risk_survey": risk_survey, "programme": programme,
              "agreements": agreements_table(rng_p, programme),
              "curators": curators_table(rng_p, programme, schools)}
    return DemoRegion(tables=tables, students=students, truth=truth_per_school(st, tr, pm, sel),
                      truth_years=truth_per_year(st.school_id, years, true, sel.treated),
                      meta=region_meta(seed, n_mun, programme_effect, timing, sel, pm,
                                       missing_waves))

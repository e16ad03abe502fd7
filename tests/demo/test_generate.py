"""generate_region: determinism in memory, canonical shapes and dtypes, the effect knob."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import demo
from workbench.core.tables import OPTIONAL_COLUMNS, REQUIRED_COLUMNS


def test_same_seed_same_tables_in_memory():
    a, b = demo.generate_region(80, seed=3), demo.generate_region(80, seed=3)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    pd.testing.assert_frame_equal(a.truth, b.truth)
    pd.testing.assert_frame_equal(a.students, b.students)
    assert a.meta == b.meta


def test_canonical_shapes_and_dtypes(demo600):
    for name, df in demo600.tables.items():
        assert set(REQUIRED_COLUMNS[name]) <= set(df.columns), name
        extra = set(df.columns) - set(REQUIRED_COLUMNS[name]) - set(OPTIONAL_COLUMNS[name])
        if name == "context":
            assert extra == set(demo.INDICATORS) - {"school_id", "year"}
        else:
            assert not extra, (name, extra)
        key = "curator_id" if name == "curators" else "school_id"
        assert df[key].map(type).eq(str).all()
        if "year" in df:
            assert df["year"].dtype == np.int64
    res = demo600.tables["results"]
    assert res["grade"].dtype == np.int64 and res["n_participants"].dtype == np.int64
    assert demo600.tables["schools"]["school_id"].str.fullmatch(r"\d{7}").all()
    assert demo600.tables["schools"]["school_id"].is_unique
    for name, key in (("results", ["school_id", "year", "procedure", "subject", "grade"]),
                      ("context", ["school_id", "year"]), ("programme", ["school_id", "year"]),
                      ("monitoring", ["school_id", "year", "wave", "domain", "indicator"]),
                      ("risk_survey", ["school_id", "year", "risk_factor", "source"]),
                      ("agreements", ["school_id", "partner_id"]), ("curators", ["curator_id"])):
        assert not demo600.tables[name].duplicated(key).any(), name
    assert not demo600.students.duplicated(["student_id", "year"]).any()
    ag = demo600.tables["agreements"]
    assert len(ag) >= 4 and set(ag["status"]) == {"действует", "расторгнуто"}
    assert demo600.tables["curators"]["capacity"].gt(0).all()


def _changed_keys(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """(school_id, year) of the rows that differ between two tables of the same shape."""
    assert a.shape == b.shape and list(a.columns) == list(b.columns)
    same = (a == b) | (a.isna() & b.isna())
    return a.loc[~same.all(axis=1), ["school_id", "year"]].drop_duplicates()


def test_effect_changes_only_the_participants_outcomes_after_they_join():
    """A controlled comparison: the same seed with another programme effect gives the same
    schools, context, programme, pre-programme results and every non-participant's rows byte for
    byte; only the participants' rows from their participation year on move, and they all do
    (independent random streams per part, effect-dependent draws by inversion)."""
    a = demo.generate_region(150, seed=9, programme_effect=0.25)
    b = demo.generate_region(150, seed=9, programme_effect=0.0)
    treated = a.truth_years.loc[a.truth_years["treated"], ["school_id", "year"]]
    assert len(treated) > 0
    treated_keys = set(map(tuple, treated.to_numpy()))
    for name in ("schools", "context", "programme"):
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    pd.testing.assert_frame_equal(a.truth, b.truth)
    start = a.meta["programme_start_year"]
    for name in ("results", "monitoring", "risk_survey"):
        changed = _changed_keys(a.tables[name], b.tables[name])
        assert set(map(tuple, changed.to_numpy())) <= treated_keys, name
        assert (changed["year"] >= start).all(), name
    # every treated school-year of the results moved (a 0.25 SD shift is visible in its counts)
    res_changed = _changed_keys(a.tables["results"], b.tables["results"])
    assert len(res_changed) == len(treated)
    pre_a = a.tables["results"][a.tables["results"]["year"] < start]
    pre_b = b.tables["results"][b.tables["results"]["year"] < start]
    pd.testing.assert_frame_equal(pre_a, pre_b)
    st_changed = _changed_keys(a.students, b.students)
    assert set(map(tuple, st_changed.to_numpy())) <= treated_keys
    # the truth: only the treated school-years' true result differs, by the effect
    diff = a.truth_years["true_result"] - b.truth_years["true_result"]
    assert np.allclose(diff, 0.25 * a.truth_years["treated"], atol=1e-5)
    assert b.meta["programme_effect"] == 0.0


def test_parts_draw_from_independent_streams():
    """A part's stream does not depend on what other parts drew: the stream of a part is the
    same generator whatever was drawn before, and two parts' streams differ."""
    from workbench.demo.helpers import part_rng

    x = part_rng(5, "exams").uniform(size=4)
    part_rng(5, "vpr_post").uniform(size=1000)
    assert np.array_equal(part_rng(5, "exams").uniform(size=4), x)
    assert not np.array_equal(part_rng(5, "vpr_post").uniform(size=4), x)
    assert not np.array_equal(part_rng(6, "exams").uniform(size=4), x)


def test_inversion_draws_have_binomial_and_multinomial_moments():
    from workbench.demo.helpers import binomial_inv, multinomial_inv

    rng = np.random.default_rng(0)
    x = binomial_inv(rng, np.full(40_000, 30), np.full(40_000, 0.2))
    assert abs(x.mean() - 6.0) < 0.05 and abs(x.var() - 4.8) < 0.15
    assert binomial_inv(rng, np.array([0, 5, 5]), np.array([0.5, 0.0, 1.0])).tolist() == [0, 0, 5]
    probs = np.tile([0.1, 0.4, 0.3, 0.2], (40_000, 1))
    c = multinomial_inv(rng, np.full(40_000, 50), probs)
    assert (c.sum(axis=1) == 50).all() and (c >= 0).all()
    assert np.allclose(c.mean(axis=0), [5, 20, 15, 10], atol=0.1)
    assert abs(np.cov(c[:, 0], c[:, 1])[0, 1] - (-50 * 0.1 * 0.4)) < 0.2


def test_fewer_than_three_years_give_no_programme():
    region = demo.generate_region(30, seed=1, years=(2023, 2024))
    assert region.meta["programme_start_year"] is None and region.meta["n_participants"] == 0
    assert sorted(region.tables["results"]["year"].unique()) == [2023, 2024]
    for name in ("programme", "monitoring", "risk_survey"):
        assert region.tables[name].empty, name
    assert not region.truth["participant"].any() and not region.truth_years["treated"].any()


def test_too_few_schools():
    with pytest.raises(ValueError):
        demo.generate_region(9)

"""Demo region generator: determinism, shapes and ranges, planted ground truth, files and params."""
from __future__ import annotations

import glob
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import demo

ROOT = Path(__file__).resolve().parents[1]
YEARS = [2021, 2022, 2023, 2024, 2025]


@pytest.fixture(scope="module")
def region() -> demo.DemoRegion:
    return demo.generate_region(600, seed=2026)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict:
    """Two small demo projects from the same seed, one from another seed (xlsx results)."""
    out = {}
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        proj = tmp_path_factory.mktemp(f"proj_{name}")
        out[name] = demo.write_demo(proj / "data" / "demo", proj / "params" / "demo.yaml",
                                    n_schools=60, seed=seed)
        out[name]["project"] = proj
    return out


def _digests(summary: dict) -> dict[str, str]:
    paths = [Path(p) for p in summary["files"].values()] + [Path(summary["params_path"])]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


# ----------------------------------------------------------------------------- determinism
def test_same_seed_gives_byte_identical_files(written):
    a, b = _digests(written["a"]), _digests(written["b"])
    assert len(a) == 16  # 7 files + 5 ВПР years + 3 ground-truth files + params
    assert a == b


def test_other_seed_gives_other_data(written):
    a, c = _digests(written["a"]), _digests(written["c"])
    for name in ("schools.xlsx", "context.csv", "vpr_2021.xlsx", "oge_ege.csv", "ground_truth.csv"):
        assert a[name] != c[name], name
    assert a["demo.yaml"] == c["demo.yaml"]  # params depend on paths and format only


def test_same_seed_same_tables_in_memory():
    a, b = demo.generate_region(80, seed=3), demo.generate_region(80, seed=3)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    pd.testing.assert_frame_equal(a.truth, b.truth)
    pd.testing.assert_frame_equal(a.students, b.students)
    assert a.meta == b.meta


# ----------------------------------------------------------------------------- shapes and ranges
def test_canonical_shapes_and_dtypes(region):
    from workbench.canon import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

    for name, df in region.tables.items():
        assert set(REQUIRED_COLUMNS[name]) <= set(df.columns), name
        extra = set(df.columns) - set(REQUIRED_COLUMNS[name]) - set(OPTIONAL_COLUMNS[name])
        if name == "context":
            assert extra == set(demo.INDICATORS) - {"school_id", "year"}
        else:
            assert not extra, (name, extra)
        assert df["school_id"].map(type).eq(str).all()
        if "year" in df:
            assert df["year"].dtype == np.int64
    res = region.tables["results"]
    assert res["grade"].dtype == np.int64 and res["n_participants"].dtype == np.int64
    assert region.tables["schools"]["school_id"].str.fullmatch(r"\d{7}").all()
    assert region.tables["schools"]["school_id"].is_unique
    for name, key in (("results", ["school_id", "year", "procedure", "subject", "grade"]),
                      ("context", ["school_id", "year"]), ("programme", ["school_id", "year"]),
                      ("monitoring", ["school_id", "year", "wave", "domain", "indicator"]),
                      ("risk_survey", ["school_id", "year", "risk_factor", "source"])):
        assert not region.tables[name].duplicated(key).any(), name
    assert not region.students.duplicated(["student_id", "year"]).any()


def test_region_layout(region):
    sch = region.tables["schools"]
    assert sch["municipality"].nunique() == 20
    assert sch["locality"].isin(["город", "село"]).all()
    assert sch["latitude"].between(55, 62).all() and sch["longitude"].between(43, 56).all()
    assert sch.groupby("municipality")["school_name"].apply(lambda s: s.is_unique).all()
    assert sch["school_name"].str.contains('"').all()
    assert region.truth["context_type"].value_counts().sort_index().index.tolist() == [1, 2, 3, 4, 5]
    assert set(region.truth["context_type_name"]) == set(demo.CONTEXT_TYPE_NAMES.values())
    assert demo.default_n_municipalities(60) == 3 and demo.default_n_municipalities(40000) == 60


def test_context_ranges(region):
    ctx = region.tables["context"]
    assert sorted(ctx["year"].unique()) == YEARS
    for c in demo.SHARE_INDICATORS:
        v = ctx[c].dropna()
        assert v.between(0, 1).all(), c
    missing = ctx[demo.INDICATORS[1:]].isna().to_numpy().mean()
    assert 0.005 < missing < 0.02
    assert ctx["n_students"].notna().all() and ctx["is_rural"].isin([0.0, 1.0]).all()
    # small remote schools have 30-80 pupils (tiny ones ~45)
    small = region.truth.loc[region.truth["context_type"] == 5, "school_id"]
    first = ctx[(ctx["year"] == 2021) & ctx["school_id"].isin(small)]
    assert first["n_students"].between(30, 80).all()
    # year-to-year drift is small: same school correlates strongly across years
    wide = ctx.pivot(index="school_id", columns="year", values="share_low_income")
    assert wide[2021].corr(wide[2025]) > 0.9


def test_results_ranges(region):
    res = region.tables["results"]
    vpr = res[res["procedure"] == "ВПР"]
    marks = vpr[["n_mark2", "n_mark3", "n_mark4", "n_mark5"]]
    assert (marks.sum(axis=1) == vpr["n_participants"]).all()
    assert (marks >= 0).all().all() and (vpr["n_participants"] > 0).all()
    assert sorted(vpr["grade"].unique()) == [4, 5, 6, 7, 8]
    assert sorted(vpr["year"].unique()) == YEARS
    assert set(vpr[vpr["grade"] == 4]["subject"]) == {"Русский язык", "Математика", "Окружающий мир"}
    assert set(vpr[vpr["grade"] == 8]["subject"]) == {"Русский язык", "Математика"}
    share2 = marks["n_mark2"].sum() / vpr["n_participants"].sum()
    assert 0.06 < share2 < 0.15
    exams = res[res["procedure"].isin(["ОГЭ", "ЕГЭ"])]
    assert set(zip(exams["procedure"], exams["grade"])) == {("ОГЭ", 9), ("ЕГЭ", 11)}
    assert (exams["n_low"] <= exams["n_participants"]).all() and exams["n_mark2"].isna().all()
    assert exams["mean_score"].between(0, 100).all()
    oge = exams[(exams["procedure"] == "ОГЭ") & (exams["subject"] == "Русский язык")]
    assert oge["mean_score"].between(0, 33).all() and 22 < oge["mean_score"].mean() < 28
    assert np.allclose(res["share_low"], res["n_low"] / res["n_participants"])
    # basic (9-year) schools have no ЕГЭ
    small = region.truth.loc[region.truth["context_type"] == 5, "school_id"]
    assert not exams[(exams["procedure"] == "ЕГЭ") & exams["school_id"].isin(small)].size
    # rural classes are small
    rural = region.truth.loc[region.truth["context_type"] == 4, "school_id"]
    med = vpr[vpr["school_id"].isin(rural)]["n_participants"].median()
    assert 5 <= med <= 20


def test_students_aggregate_to_rdr_rows(region):
    st = region.students
    assert set(st["procedure"]) == {"РДР"} and set(st["grade"]) == {7}
    assert sorted(st["year"].unique()) == [2024, 2025] and st["mark"].between(2, 5).all()
    counts = st.groupby(["school_id", "year", "mark"]).size().unstack(fill_value=0)
    rdr = region.tables["results"].query("procedure == 'РДР'").set_index(["school_id", "year"])
    for m in (2, 3, 4, 5):
        assert (rdr[f"n_mark{m}"] == counts[m].reindex(rdr.index)).all()


# ----------------------------------------------------------------------------- ground truth
def _vpr_mean_mark(results: pd.DataFrame) -> pd.Series:
    v = results[results["procedure"] == "ВПР"]
    pts = v["n_mark2"] * 2 + v["n_mark3"] * 3 + v["n_mark4"] * 4 + v["n_mark5"] * 5
    g = pd.DataFrame({"school_id": v["school_id"], "year": v["year"], "pts": pts,
                      "n": v["n_participants"]}).groupby(["school_id", "year"]).sum()
    return g["pts"] / g["n"]


def test_observed_results_follow_truth(region):
    mm = _vpr_mean_mark(region.tables["results"]).rename("mm").reset_index()
    m = mm.merge(region.truth_years, on=["school_id", "year"])
    m = m[~m["school_id"].isin(region.truth.query("inflated_vpr or tiny_extreme")["school_id"])]
    assert m["mm"].corr(m["true_result"]) > 0.8
    ty = region.truth_years
    assert ty.groupby("year")["true_low"].mean().round(2).eq(0.10).all()
    base = ty[ty["year"] == 2021]["true_result"]
    assert abs(base.mean()) < 1e-6 and 0.55 < base.std() < 0.95
    # more adverse context types have lower true results
    te = region.truth.groupby("context_type")["context_effect"].mean()
    assert te.is_monotonic_decreasing


def test_context_types_recoverable_but_not_trivially(region):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    c = region.tables["context"].query("year == 2025").set_index("school_id").drop(columns="year")
    c = c.fillna(c.median())
    c = c.assign(n_students=np.log(c["n_students"]), internet_mbps=np.log(c["internet_mbps"]),
                 distance_km=np.log1p(c["distance_km"]))
    x = StandardScaler().fit_transform(c)
    truth = region.truth.set_index("school_id").loc[c.index, "context_type"]
    ari = adjusted_rand_score(truth, KMeans(5, n_init=10, random_state=0).fit_predict(x))
    assert 0.55 < ari < 0.9


def test_planted_inflated_vpr(region):
    t = region.truth
    assert t["inflated_vpr"].sum() == 12  # 2% of 600
    res = region.tables["results"]
    mm = _vpr_mean_mark(res).groupby("school_id").mean()
    oge = res[res["procedure"] == "ОГЭ"].groupby("school_id")["mean_score"].mean()
    z = lambda s: (s - s.mean()) / s.std()  # noqa: E731
    gap = (z(mm) - z(oge.reindex(mm.index))).reindex(t["school_id"]).to_numpy()
    infl = t["inflated_vpr"].to_numpy()
    assert np.nanmean(gap[infl]) > 1.0 > np.nanmean(gap[~infl]) + 0.5
    # most of the 12 are in the top 5% of the ВПР-vs-ОГЭ gap
    top = gap >= np.nanquantile(gap, 0.95)
    assert (top & infl).sum() >= 9


def test_planted_tiny_extreme(region):
    t = region.truth[region.truth["tiny_extreme"]]
    assert len(t) == 3 and (t["context_type"] == 5).all()
    assert t["latent_quality"].abs().max() < 0.3
    res = region.tables["results"]
    for sid, year in zip(t["school_id"], t["extreme_year"]):
        v = res[(res["school_id"] == sid) & (res["procedure"] == "ВПР")]
        assert v["n_participants"].between(4, 6).all()
        ext = v[v["year"] == year]
        assert (ext["n_mark2"] == ext["n_participants"]).all()
        assert (v[v["year"] != year]["n_mark2"] < v[v["year"] != year]["n_participants"]).any()


def test_programme_participants_and_effect(region):
    t = region.truth
    assert t["participant"].sum() == 48  # 8% of 600
    assert set(t.loc[t["participant"], "participation_year"]) <= {2024, 2025}
    assert t["participation_year"].isna().eq(~t["participant"]).all()
    # mostly schools with low observed ВПР in 2022-2023
    mm = _vpr_mean_mark(region.tables["results"]).unstack("year")[[2022, 2023]].mean(axis=1)
    low = mm <= mm.quantile(0.15)
    part = t.set_index("school_id")["participant"]
    assert (low & part).sum() >= 0.6 * part.sum()
    prog = region.tables["programme"]
    assert len(prog) == 2 * 600 and sorted(prog["year"].unique()) == [2024, 2025]
    now = prog[prog["participant"]]
    assert now["curator"].notna().all() and prog[~prog["participant"]]["curator"].isna().all()
    assert 0.3 < now["partner_school_id"].notna().mean() < 0.9
    assert now["partner_school_id"].dropna().isin(region.tables["schools"]["school_id"]).all()
    assert region.meta["programme_start_year"] == 2024 and region.meta["programme_effect"] == 0.25


def test_zero_effect_only_changes_the_treated_truth():
    a = demo.generate_region(150, seed=9, programme_effect=0.25)
    b = demo.generate_region(150, seed=9, programme_effect=0.0)
    diff = a.truth_years["true_result"] - b.truth_years["true_result"]
    assert np.allclose(diff, 0.25 * a.truth_years["treated"], atol=1e-5)
    assert a.truth_years["treated"].sum() > 0
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert b.meta["programme_effect"] == 0.0


def test_monitoring_schedule_and_missing_waves(region):
    mon = region.tables["monitoring"]
    t = region.truth
    assert set(mon["school_id"]) <= set(t.loc[t["participant"], "school_id"])
    assert set(mon["wave"]) == {"entry", "intermediate", "final"}
    assert set(mon["domain"]) == {"results", "teaching", "management", "environment"}
    assert set(mon.loc[mon["domain"] == "teaching", "wave"]) == {"entry", "final"}
    assert set(mon.loc[mon["domain"].isin(["management", "environment"]), "wave"]) == {"final"}
    hib = mon.drop_duplicates("indicator").set_index("indicator")["higher_is_better"]
    assert not hib["Доля «2» в диагностической работе, математика"]
    assert hib["Средний балл, русский язык"]
    share = mon[mon["indicator"].str.startswith("Доля")]["value"]
    assert share.between(0, 1).all()
    missing = region.meta["missing_waves"]
    expected = sum((t["participant"] & (t["participation_year"] <= y)).sum() for y in (2024, 2025)) * 7
    assert 0.02 < len(missing) / expected < 0.09
    have = set(map(tuple, mon[["school_id", "year", "domain", "wave"]].drop_duplicates().to_numpy()))
    for m in missing:
        assert tuple(m) not in have
    assert len(have) + len(missing) == expected


def test_risk_survey(region):
    rs = region.tables["risk_survey"]
    assert rs["value"].between(0, 1).all()
    assert sorted(rs["risk_factor"].unique()) == [f"R{i:02d}" for i in range(1, 11)]
    assert set(rs["source"]) == {"директор", "педагоги", "обучающиеся", "родители"}
    part = set(region.truth.loc[region.truth["participant"], "school_id"])
    assert part <= set(rs["school_id"]) and len(set(rs["school_id"]) - part) > 0
    # R02 follows the vacancy rate, R01 the internet speed (inverse)
    m = rs.groupby(["school_id", "year", "risk_factor"])["value"].mean().unstack()
    ctx = region.tables["context"].set_index(["school_id", "year"]).loc[m.index]
    assert m["R02"].corr(ctx["teacher_vacancy_rate"]) > 0.5
    assert m["R01"].corr(np.log(ctx["internet_mbps"])) < -0.5


# ----------------------------------------------------------------------------- files and params
def test_committed_params_equal_generated(written):
    committed = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8")
    assert Path(written["a"]["params_path"]).read_text(encoding="utf-8") == committed


def test_written_params_validate_and_point_at_files(written):
    from workbench.config import load_params

    summary = written["a"]
    p = load_params(summary["params_path"])
    assert p.run_id == "demo" and p.region == "Демонстрационный край"
    assert p.inputs.schools.path == "data/demo/schools.xlsx"
    assert [r.constants.get("procedure") for r in p.inputs.results] == ["ВПР", None, "РДР"]
    assert len(glob.glob(str(p.resolve(p.inputs.results[0].path)))) == 5
    for spec in [p.inputs.schools, p.inputs.context, *p.inputs.results, p.inputs.monitoring,
                 p.inputs.risk_survey, p.inputs.programme]:
        assert glob.glob(str(p.resolve(spec.path))), spec.path
    assert p.inputs.results[0].columns["2"] == "n_mark2"
    assert p.inputs.results[2].columns == {"Код участника": "student_id", "Код ОО": "school_id",
                                           "Год": "year", "Предмет": "subject", "Класс": "grade",
                                           "Отметка": "mark"}
    text = Path(summary["params_path"]).read_text(encoding="utf-8")
    assert "# Параметры запуска" in text and "ground_truth" not in text


def test_params_use_absolute_paths_outside_the_project(tmp_path):
    s = demo.write_demo(tmp_path / "elsewhere", tmp_path / "proj" / "params" / "x.yaml",
                        n_schools=30, seed=1, results_format="csv")
    text = Path(s["params_path"]).read_text(encoding="utf-8")
    assert f"path: {(tmp_path / 'elsewhere').resolve().as_posix()}/schools.xlsx" in text
    assert "vpr_*.csv" in text
    from workbench.config import load_params

    p = load_params(s["params_path"])
    assert Path(p.inputs.results[0].path).is_absolute()


def test_files_round_trip_to_tables(written, tmp_path):
    proj = written["a"]["project"]
    d = proj / "data" / "demo"
    region = demo.generate_region(60, seed=11)
    # schools.xlsx, sheet «ОО»
    sch = pd.read_excel(d / "schools.xlsx", sheet_name="ОО", engine="calamine", dtype={"Код ОО": str})
    assert list(sch.columns) == list(demo.SCHOOL_HEADERS.values())
    assert sch["Код ОО"].tolist() == region.tables["schools"]["school_id"].tolist()
    assert set(sch["Малокомплектная"]) <= {"да", "нет"}
    # context.csv: cp1251, ';', decimal comma, «2024/25»
    raw = (d / "context.csv").read_bytes()
    assert "Доля детей из малообеспеченных семей".encode("cp1251") in raw
    ctx = pd.read_csv(d / "context.csv", sep=";", decimal=",", encoding="cp1251", dtype={"Код ОО": str})
    assert ctx["Учебный год"].iloc[0] == "2021/22"
    assert np.allclose(ctx["Доля детей из малообеспеченных семей"],
                       region.tables["context"]["share_low_income"], equal_nan=True)
    # ВПР xlsx: title row above the header
    from python_calamine import CalamineWorkbook

    top = CalamineWorkbook.from_path(str(d / "vpr_2024.xlsx")).get_sheet_by_name("ВПР").to_python()
    assert top[0][0] == "Результаты ВПР 2024/25 учебного года"
    assert top[1] == demo.VPR_HEADERS  # «2»..«5» are text cells
    assert top[2][0] == region.tables["schools"]["school_id"].iloc[0]  # codes keep leading zeros
    v = pd.read_excel(d / "vpr_2024.xlsx", engine="calamine", header=1, dtype={"Код ОО": str})
    exp = region.tables["results"].query("procedure == 'ВПР' and year == 2024")
    assert len(v) == len(exp) and (v[["2", "3", "4", "5"]].sum(axis=1) == v["Кол-во участников"]).all()
    assert v["Кол-во участников"].sum() == exp["n_participants"].sum()
    # monitoring.csv: Russian values
    mon = pd.read_csv(d / "monitoring.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert set(mon["Этап"]) <= {"входной", "промежуточный", "итоговый"}
    assert set(mon["Направление"]) == {"результаты", "преподавание", "управление", "среда"}
    assert set(mon["Чем выше, тем лучше"]) == {"да", "нет"}
    prog = pd.read_csv(d / "programme.csv", encoding="utf-8-sig", dtype=str)
    assert set(prog["Участник программы"]) == {"да", "нет"}
    gt = json.loads((d / "ground_truth.json").read_text(encoding="utf-8"))
    assert gt["seed"] == 11 and gt["programme_effect"] == 0.25 and gt["programme_start_year"] == 2024


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_other_results_formats(tmp_path, fmt):
    s = demo.write_demo(tmp_path / "data" / "demo", tmp_path / "params" / "demo.yaml",
                        n_schools=30, seed=4, results_format=fmt)
    path = Path(s["files"]["vpr_2023"])
    assert path.name == f"vpr_2023.{fmt}"
    df = (pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype={"Код ОО": str}) if fmt == "csv"
          else pd.read_parquet(path))
    assert list(df.columns) == demo.VPR_HEADERS
    assert (df[["2", "3", "4", "5"]].sum(axis=1) == df["Кол-во участников"]).all()
    assert not list((tmp_path / "data" / "demo").glob("vpr_*.xlsx"))


def test_bad_results_format(tmp_path):
    with pytest.raises(ValueError):
        demo.write_demo(tmp_path / "d", tmp_path / "p.yaml", n_schools=20, results_format="ods")

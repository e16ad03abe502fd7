"""Deterministic demo region («Демонстрационный край») with a known ground truth (design §7).

`generate_region` builds the canonical tables in memory (vectorised numpy, one
`np.random.default_rng(seed)` drawn in a fixed order, so the same seed gives the same region);
`write_demo` writes them as files that look like real regional exports (ВПР xlsx with a title
row, context CSV in cp1251 with ';' and decimal commas, ...) plus the params file that maps them.

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
"""
from __future__ import annotations

import datetime as _dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field
from scipy.special import ndtr

from workbench.canon import StrictModel

REGION_NAME = "Демонстрационный край"
DEFAULT_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025)

CONTEXT_TYPE_NAMES: dict[int, str] = {
    1: "Городские гимназии и лицеи",
    2: "Городские массовые школы",
    3: "Школы пригородов и малых городов",
    4: "Сельские школы",
    5: "Малокомплектные удалённые сельские школы",
}

# context indicators in the order they are generated (design §3 standard names)
INDICATORS = ["n_students", "share_low_income", "share_single_parent",
              "share_parents_no_higher_ed", "share_ovz", "share_non_native",
              "share_at_risk_register", "teacher_vacancy_rate", "share_teachers_60plus",
              "internet_mbps", "distance_km", "is_rural"]
SHARE_INDICATORS = INDICATORS[1:9]

# ВПР: (grade, subject) rows of every school and year
RUS, MATH, WORLD = "Русский язык", "Математика", "Окружающий мир"
VPR_COMBOS: list[tuple[int, str]] = [(4, RUS), (4, MATH), (4, WORLD)] + [
    (g, s) for g in (5, 6, 7, 8) for s in (RUS, MATH)]
PROC_CODES = {name: i for i, name in enumerate(sorted(["ВПР", "ОГЭ", "ЕГЭ", "РДР"]))}
SUBJ_CODES = {name: i for i, name in enumerate(sorted([RUS, MATH, WORLD, "Математика профильная"]))}
SUBJECT_DIFFICULTY = {RUS: 0.0, MATH: -0.08, WORLD: 0.25, "Математика профильная": 0.0}
# exams: (procedure, grade, subject, centre, scale, max score, below-minimum cut in ability units)
EXAMS: list[tuple[str, int, str, float, float, float, float]] = [
    ("ОГЭ", 9, RUS, 25.0, 4.5, 33.0, -1.9),
    ("ОГЭ", 9, MATH, 16.0, 5.0, 31.0, -1.55),
    ("ЕГЭ", 11, RUS, 68.0, 13.0, 100.0, -2.3),
    ("ЕГЭ", 11, "Математика профильная", 58.0, 16.0, 100.0, -1.65),
]

MONITORING_INDICATORS: list[tuple[str, str, bool]] = [  # domain, indicator, higher_is_better
    ("results", "Доля «2» в диагностической работе, математика", False),
    ("results", "Средний балл, русский язык", True),
    ("teaching", "Индекс качества урока", True),
    ("management", "Индекс качества управления", True),
    ("environment", "Индекс школьной среды", True),
]
SCHEDULE = {"results": ["entry", "intermediate", "final"], "teaching": ["entry", "final"],
            "management": ["final"], "environment": ["final"]}
RISK_SOURCES = ["директор", "педагоги", "обучающиеся", "родители"]

# ---------------------------------------------------------------- fictional names
_CITY_NAMES = ["г. Светлогорск-на-Ветлуге", "г. Краснозорск", "г. Новоясненск", "г. Тихоборск",
               "г. Звонковск", "г. Синеречье", "г. Златоборск", "г. Ясногорье-Северное",
               "г. Кедроград", "г. Лучезарск", "г. Верхнеключевск", "г. Белозорье",
               "г. Малинозорск", "г. Ольховград", "г. Яснозорск"]
_DISTRICT_ROOTS = ["Ясноборский", "Тиходольский", "Светлоозёрский", "Зеленолугский",
                   "Звонкополянский", "Синехолмский", "Высокоборский", "Малиноярский",
                   "Кедрозёрский", "Рябинодольский", "Журавлинский", "Ольхоборский",
                   "Лебедеозёрский", "Тёплоключевский", "Серебродольский", "Клюквенский",
                   "Брусничинский", "Тихоструйский", "Соболиноярский", "Камышеборский",
                   "Калиноводский", "Дубравинский", "Голубоозёрский", "Вересковский",
                   "Ивняковский", "Снегирёвский", "Глухоманский", "Лесозвонский",
                   "Черёмуховодский", "Сосноярский", "Зорянский", "Студеноключевский",
                   "Каменнобродский", "Ковыльский", "Орешниковский", "Туманоборский",
                   "Светлоречинский", "Ягодноборский", "Полынский", "Медовоярский"]
_VILLAGES = ["Сосновская", "Берёзовская", "Ольховская", "Липовская", "Дубовская", "Кленовская",
             "Осиновская", "Рябиновская", "Калиновская", "Малиновская", "Вишнёвская",
             "Луговская", "Полевская", "Озёрская", "Заречная", "Заозёрная", "Подгорная",
             "Нагорная", "Покровская", "Никольская", "Троицкая", "Успенская", "Ильинская",
             "Петровская", "Михайловская", "Васильевская", "Александровская", "Николаевская",
             "Ивановская", "Андреевская", "Григорьевская", "Константиновская", "Алексеевская",
             "Дмитриевская", "Степановская", "Фёдоровская", "Павловская", "Семёновская",
             "Знаменская", "Воскресенская", "Спасская", "Краснопольская", "Белоключевская",
             "Каменская", "Ключевская", "Родниковская", "Травинская", "Боровская",
             "Гаревская", "Холмовская", "Долговская", "Красноборская", "Широковская",
             "Глубоковская", "Высоковская", "Кедровская", "Ягодная", "Черёмуховская",
             "Тополёвская", "Журавлёвская"]
_TOWNS = ["пгт Заречный", "пгт Лесной", "пгт Ключи", "пгт Боровое", "пгт Светлый",
          "пгт Сосновый Бор", "пгт Кедровый", "пгт Ясный", "пгт Озёрный", "пгт Луговой"]
_SURNAMES = ["Афанасьева", "Белова", "Воронцова", "Гладкова", "Добрынина", "Ершова", "Жданова",
             "Зимина", "Каштанова", "Лаптева", "Миронова", "Нестерова", "Орлова", "Полякова",
             "Рябова", "Соколова", "Тарасова", "Ульянова", "Фомина", "Чернова", "Широкова",
             "Яковлева", "Громов", "Дроздов", "Ковалёв", "Лебедев", "Морозов", "Синицын"]
_INITIALS = ["А. В.", "Е. Н.", "И. П.", "Л. С.", "М. А.", "Н. Г.", "О. Ю.", "Т. В.", "С. И."]


class DemoParams(StrictModel):
    """Knobs of the demo generator (defaults give the documented demo region)."""

    type_shares_city: list[float] = Field(default=[0.22, 0.62, 0.16, 0.0, 0.0],
                                          description="context types 1..5 in a city district")
    type_shares_district: list[float] = Field(default=[0.02, 0.14, 0.26, 0.36, 0.22],
                                              description="context types 1..5 in a rural district")
    share_city_municipalities: float = 0.15
    concentration: float = Field(default=55.0, gt=0,
                                 description="Beta concentration of shares (higher = tighter types)")
    lognormal_sigma: float = Field(default=0.35, gt=0, description="spread of internet/distance")
    non_native_municipal_sd: float = 0.6
    quality_sd: float = Field(default=0.5, description="latent school quality, SD units")
    context_sd: float = Field(default=0.5, description="SD of the context effect")
    gymnasium_bonus: float = 0.3
    drift_sd: float = Field(default=0.07, description="yearly random walk of the true result")
    context_drift_sd: float = Field(default=0.06, description="yearly drift of context (logit)")
    share_missing_context: float = 0.01
    pupil_beta: float = Field(default=0.6, description="pupil ability = beta·true result + N(0,1)")
    mark_cuts: list[float] = Field(default=[-1.25, -0.1, 1.0], description="cuts of marks 2|3|4|5")
    cohort_sd: float = 0.15
    subject_sd: float = 0.1
    vpr_participation: float = 0.92
    share_inflated: float = 0.02
    inflation_shift: float = Field(default=1.1, description="ВПР ability shift of inflated schools")
    n_tiny: int = 3
    share_participants: float = 0.08
    share_selected_low: float = Field(default=0.8, description="participants chosen for low results")
    selection_noise: float = 0.35
    share_late_cohort: float = Field(default=0.2, description="participants joining a year later")
    share_with_partner: float = 0.6
    share_missing_waves: float = 0.05
    share_other_surveyed: float = Field(default=0.5,
                                        description="low non-participants that answered the survey")


@dataclass
class DemoRegion:
    """The generated region: canonical tables, pupil rows, ground truth and meta.

    - `tables`: schools, context, results (ВПР, ОГЭ, ЕГЭ and the РДР rows aggregated from
      `students`, exactly what ingesting the written files gives), monitoring, risk_survey,
      programme — canonical columns and dtypes (architecture.md).
    - `students`: student_id, school_id, year, procedure («РДР»), subject, grade (7), mark (2–5),
      for the last two years.
    - `truth` (per school): school_id, municipality, context_type (1..5), context_type_name,
      context_effect, latent_quality, inflated_vpr, tiny_extreme, extreme_year (Int64, tiny only),
      participant, participation_year (Int64, participants only).
    - `truth_years` (school × year): true_result (SD units, includes the programme effect),
      true_low (bottom 10% of the year, noise-free), treated (participant in that year).
    - `meta`: region, seed, n_schools, n_municipalities, programme_effect, years,
      programme_start_year, context_types, missing_waves [(school_id, year, domain, wave)],
      n_participants, n_inflated_vpr, n_tiny_extreme.
    """

    tables: dict[str, pd.DataFrame]
    students: pd.DataFrame
    truth: pd.DataFrame
    truth_years: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


# ===================================================================== small helpers
def default_n_municipalities(n_schools: int) -> int:
    """About one municipality per 30 schools, between 3 and 60."""
    return int(min(60, max(3, round(n_schools / 30))))


def _beta_mean(rng: np.random.Generator, mean: np.ndarray, conc: float) -> np.ndarray:
    mean = np.clip(mean, 1e-3, 1 - 1e-3)
    return rng.beta(mean * conc, (1 - mean) * conc)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-3, 1 - 1e-3)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = np.nanstd(x)
    return (x - np.nanmean(x)) / (sd if sd > 0 else 1.0)


def mark_probabilities(mu: np.ndarray, cuts: list[float]) -> np.ndarray:
    """P(mark = 2,3,4,5) for pupils with ability N(mu, 1) and the given cut points; shape (n, 4)."""
    c = np.asarray(cuts, dtype=float)
    cdf = ndtr(c[None, :] - np.asarray(mu, dtype=float)[:, None])
    p = np.diff(np.concatenate([np.zeros((len(cdf), 1)), cdf, np.ones((len(cdf), 1))], axis=1),
                axis=1)
    p = np.clip(p, 0, 1)
    return p / p.sum(axis=1, keepdims=True)


def _str_from_codes(codes: np.ndarray, names: list[str] | np.ndarray) -> pd.api.extensions.ExtensionArray:
    """names[codes] as a pandas string array, fast (dictionary decode in pyarrow)."""
    arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)),
                                         pa.array([str(x) for x in names], type=pa.string()))
    return pd.array(arr.cast(pa.string()), dtype="str")


def school_year_label(year: int) -> str:
    """2024 → «2024/25»."""
    return f"{year}/{(year + 1) % 100:02d}"


# ===================================================================== region structure
def _municipalities(rng: np.random.Generator, n_mun: int, p: DemoParams) -> pd.DataFrame:
    n_city = max(1, int(round(p.share_city_municipalities * n_mun)))
    names: list[str] = []
    kinds: list[str] = []
    for i in range(n_mun):
        if i < n_city:
            base = _CITY_NAMES[i % len(_CITY_NAMES)]
            names.append(base if i < len(_CITY_NAMES) else f"{base}-{i // len(_CITY_NAMES) + 1}")
            kinds.append("city")
        else:
            j = i - n_city
            root = _DISTRICT_ROOTS[j % len(_DISTRICT_ROOTS)]
            if j >= len(_DISTRICT_ROOTS):
                root = "Верхне" + root[0].lower() + root[1:]
            suffix = "муниципальный округ" if j % 3 != 2 else "муниципальный район"
            names.append(f"{root} {suffix}")
            kinds.append("district")
    # centres: the capital in the middle, others on a disk (~250 km), cities nearer the centre
    centre = np.array([58.45, 49.35])  # fictional centre of «Демонстрационный край»
    radius = np.sqrt(rng.uniform(0.02, 1.0, n_mun)) * 2.3
    radius[np.array(kinds) == "city"] *= 0.5
    radius[0] = 0.0
    angle = rng.uniform(0, 2 * np.pi, n_mun)
    lat = centre[0] + radius * np.cos(angle)
    lon = centre[1] + radius * np.sin(angle) / np.cos(np.radians(centre[0]))
    weight = rng.uniform(0.6, 1.4, n_mun)
    weight[0] *= 3.0  # the regional capital is the largest
    return pd.DataFrame({"municipality": names, "kind": kinds, "lat": lat, "lon": lon,
                         "weight": weight})


def _allocate(n: int, weight: np.ndarray) -> np.ndarray:
    """Integer sizes summing to n, proportional to weight, at least 1 each (when n allows)."""
    w = weight / weight.sum()
    base = np.maximum(1, np.floor(w * n).astype(int)) if n >= len(w) else np.floor(w * n).astype(int)
    while base.sum() > n:
        base[np.argmax(base)] -= 1
    rem = n - base.sum()
    order = np.argsort(-(w * n - np.floor(w * n)), kind="stable")
    for k in range(rem):
        base[order[k % len(order)]] += 1
    return base


def _school_names(mun_idx: np.ndarray, ctype: np.ndarray, basic: np.ndarray,
                  rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Fictional school names unique within a municipality, and the kind of school («Вид ОО»)."""
    names: list[str] = []
    kinds: list[str] = []
    counters: dict[tuple[int, str], int] = {}
    village_orders: dict[int, np.ndarray] = {}
    village_used: dict[int, int] = {}
    for m, t, b in zip(mun_idx.tolist(), ctype.tolist(), basic.tolist()):
        if t == 1:
            kind = "Гимназия" if counters.get((m, "g"), 0) % 2 == 0 else "Лицей"
            k = counters[(m, "g")] = counters.get((m, "g"), 0) + 1
            names.append(f'МАОУ "{kind} № {k}"')
            kinds.append(kind)
        elif t in (2, 3):
            k = counters[(m, "s")] = counters.get((m, "s"), 0) + 1
            if t == 2:
                uiop = k % 7 == 3
                names.append(f'МБОУ "СОШ № {k}{" с УИОП" if uiop else ""}"')
                kinds.append("СОШ с УИОП" if uiop else "СОШ")
            else:
                town = _TOWNS[(k + m) % len(_TOWNS)]
                names.append(f'МБОУ "СОШ № {k} {town}"')
                kinds.append("СОШ")
        else:
            if m not in village_orders:
                village_orders[m] = rng.permutation(len(_VILLAGES))
                village_used[m] = 0
            u = village_used[m]
            village_used[m] = u + 1
            adj = _VILLAGES[village_orders[m][u % len(_VILLAGES)]]
            rep = u // len(_VILLAGES)
            kind = "ООШ" if b else "СОШ"
            prefix = "МКОУ" if t == 5 else "МБОУ"
            names.append(f'{prefix} "{adj} {kind}{f" № {rep + 1}" if rep else ""}"')
            kinds.append(kind)
    return names, kinds


# ===================================================================== generation
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
    rng = np.random.default_rng(seed)
    n = int(n_schools)
    ny = len(years)
    n_mun = n_municipalities or default_n_municipalities(n)

    # ---------------------------------------------------------------- municipalities, types
    mun = _municipalities(rng, n_mun, p)
    sizes = _allocate(n, mun["weight"].to_numpy())
    mun_idx = np.repeat(np.arange(n_mun), sizes)
    is_city_mun = (mun["kind"].to_numpy() == "city")[mun_idx]
    probs = np.where(is_city_mun[:, None], np.array(p.type_shares_city)[None, :],
                     np.array(p.type_shares_district)[None, :])
    probs = probs / probs.sum(axis=1, keepdims=True)
    u = rng.uniform(size=n)
    ctype = 1 + (u[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    ctype = np.minimum(ctype, 5)
    # tiny schools with extreme years: forced to small remote schools in rural districts
    n_tiny = int(min(p.n_tiny, max(2, n // 100))) if n >= 40 else 2
    cand = np.flatnonzero(~is_city_mun)
    if len(cand) < n_tiny:
        cand = np.arange(n)
    tiny_idx = np.sort(rng.choice(cand, size=n_tiny, replace=False))
    ctype[tiny_idx] = 5
    # order schools inside a municipality by type (gymnasiums first), stable
    order = np.lexsort((ctype, mun_idx))
    mun_idx, ctype = mun_idx[order], ctype[order]
    tiny = np.isin(order, tiny_idx)
    t0 = ctype - 1

    basic = (ctype == 5) | ((ctype == 4) & (rng.uniform(size=n) < 0.25))  # no grades 10-11
    n_grades = np.where(basic, 9, 11)

    # ---------------------------------------------------------------- base context
    conc = p.concentration
    means = {
        "share_low_income": [0.06, 0.14, 0.24, 0.34, 0.44],
        "share_single_parent": [0.15, 0.22, 0.25, 0.27, 0.30],
        "share_parents_no_higher_ed": [0.25, 0.50, 0.64, 0.77, 0.85],
        "share_ovz": [0.02, 0.045, 0.06, 0.07, 0.085],
        "share_non_native": [0.03, 0.05, 0.07, 0.10, 0.14],
        "share_at_risk_register": [0.004, 0.012, 0.018, 0.025, 0.032],
        "teacher_vacancy_rate": [0.02, 0.05, 0.08, 0.12, 0.18],
        "share_teachers_60plus": [0.12, 0.16, 0.21, 0.27, 0.33],
    }
    base: dict[str, np.ndarray] = {}
    n_med = np.array([950, 700, 420, 125, 52])[t0]
    n_sd = np.array([0.25, 0.3, 0.35, 0.4, 0.2])[t0]
    base["n_students"] = n_med * np.exp(rng.normal(0, 1, n) * n_sd)
    small = ctype == 5
    base["n_students"][small] = np.clip(base["n_students"][small], 30, 80)
    base["n_students"][tiny] = rng.integers(40, 50, tiny.sum())
    mun_non_native = np.exp(rng.normal(0, p.non_native_municipal_sd, n_mun))[mun_idx]
    for name, m in means.items():
        mean = np.array(m)[t0]
        if name == "share_non_native":
            mean = np.clip(mean * mun_non_native, 0.005, 0.8)
        base[name] = _beta_mean(rng, mean, conc)
    base["internet_mbps"] = np.array([120, 90, 45, 18, 7])[t0] * np.exp(
        rng.normal(0, p.lognormal_sigma, n))
    base["distance_km"] = np.array([4, 5, 12, 26, 55])[t0] * np.exp(
        rng.normal(0, p.lognormal_sigma, n))
    base["is_rural"] = (rng.uniform(size=n) < np.array([0, 0, 0.25, 1, 1])[t0]).astype(float)

    # ---------------------------------------------------------------- coordinates
    ang = rng.uniform(0, 2 * np.pi, n)
    lat0 = mun["lat"].to_numpy()[mun_idx]
    lon0 = mun["lon"].to_numpy()[mun_idx]
    latitude = np.round(lat0 + base["distance_km"] * np.cos(ang) / 111.0, 5)
    longitude = np.round(lon0 + base["distance_km"] * np.sin(ang) / (111.0 * np.cos(np.radians(lat0))), 5)

    # ---------------------------------------------------------------- true results
    adverse = (0.25 * _zscore(base["share_low_income"]) + 0.25 * _zscore(base["share_parents_no_higher_ed"])
               + 0.1 * _zscore(base["share_at_risk_register"]) + 0.1 * _zscore(base["share_non_native"])
               + 0.05 * _zscore(base["share_ovz"]) + 0.1 * _zscore(base["teacher_vacancy_rate"])
               + 0.05 * _zscore(-np.log(base["internet_mbps"])) + 0.05 * _zscore(np.log1p(base["distance_km"]))
               + 0.05 * _zscore(base["share_single_parent"]))
    context_effect = -p.context_sd * _zscore(adverse) + p.gymnasium_bonus * (ctype == 1)
    latent = rng.normal(0, p.quality_sd, n)
    latent[tiny] = rng.normal(0, 0.05, tiny.sum())
    context_effect = context_effect - np.mean(context_effect)  # region mean of baseline = 0
    latent = latent - np.mean(latent)
    drift = np.cumsum(rng.normal(0, p.drift_sd, (n, ny)), axis=1)
    drift -= drift[:, :1]
    true0 = (context_effect + latent)[:, None] + drift  # without the programme

    # ---------------------------------------------------------------- context table
    ctx_cols: dict[str, np.ndarray] = {}
    steps = np.cumsum(rng.normal(0, p.context_drift_sd, (len(SHARE_INDICATORS), n, ny)), axis=2)
    steps -= steps[:, :, :1]
    for k, name in enumerate(SHARE_INDICATORS):
        ctx_cols[name] = np.round(_expit(_logit(base[name])[:, None] + steps[k]), 3)
    n_steps = np.cumsum(rng.normal(0, 0.03, (n, ny)), axis=1)
    n_steps -= n_steps[:, :1]
    n_students_y = np.round(base["n_students"][:, None] * np.exp(n_steps))
    n_students_y[tiny] = base["n_students"][tiny][:, None]
    ctx_cols["n_students"] = n_students_y
    net_growth = 1.12 ** np.arange(ny)[None, :] * np.exp(rng.normal(0, 0.05, (n, ny)))
    ctx_cols["internet_mbps"] = np.round(base["internet_mbps"][:, None] * net_growth, 1)
    ctx_cols["distance_km"] = np.repeat(np.round(base["distance_km"], 1)[:, None], ny, axis=1)
    ctx_cols["is_rural"] = np.repeat(base["is_rural"][:, None], ny, axis=1)
    missable = [c for c in INDICATORS if c not in ("n_students", "is_rural")]
    for name in missable:
        mask = rng.uniform(size=(n, ny)) < p.share_missing_context
        ctx_cols[name] = np.where(mask, np.nan, ctx_cols[name])

    # ---------------------------------------------------------------- school ids, names
    within = np.zeros(n, int)
    for m in range(n_mun):
        sel = mun_idx == m
        within[sel] = np.arange(1, sel.sum() + 1)
    width = max(3, len(str(int(within.max()))))
    school_id = np.array([f"01{m + 1:02d}{k:0{width}d}" for m, k in zip(mun_idx, within)])
    names, kinds = _school_names(mun_idx, ctype, basic, rng)
    mun_names = mun["municipality"].to_numpy()[mun_idx]

    # ---------------------------------------------------------------- grade sizes
    # class size per school × year × grade (grades 4..11), pupils in the grade
    grades_all = np.arange(4, 12)
    g_size = (n_students_y[:, :, None] / n_grades[:, None, None]) * np.exp(
        rng.normal(0, 0.15, (n, ny, len(grades_all))))
    g_size = np.round(g_size)
    g_size[tiny] = rng.integers(4, 7, (tiny.sum(), ny, len(grades_all)))
    no_senior = np.broadcast_to(basic[:, None, None] & (grades_all[None, None, :] >= 10), g_size.shape)
    g_size[no_senior] = 0
    g_size = np.maximum(g_size, 0).astype(int)

    subj_offset = {s: rng.normal(0, p.subject_sd, n) for s in (RUS, MATH, WORLD,
                                                                "Математика профильная")}
    cohort = rng.normal(0, p.cohort_sd, (n, ny, len(grades_all)))

    # planted anomalies: inflated ВПР among ordinary schools with below-average quality
    n_infl = max(1, int(round(p.share_inflated * n)))
    infl_cand = np.flatnonzero(~tiny & (ctype >= 2) & (latent < np.median(latent)))
    inflated = np.zeros(n, bool)
    inflated[rng.choice(infl_cand, size=min(n_infl, len(infl_cand)), replace=False)] = True
    extreme_year = np.full(n, -1)
    extreme_year[tiny] = np.array(years)[rng.integers(max(0, ny - 3), ny, tiny.sum())]

    cuts = p.mark_cuts
    beta = p.pupil_beta

    def vpr_rows(school_idx: np.ndarray, year_idx: np.ndarray, true: np.ndarray) -> pd.DataFrame:
        """ВПР mark counts for the given school × year pairs (all 11 grade × subject rows)."""
        k = len(VPR_COMBOS)
        s = np.repeat(school_idx, k)
        yi = np.repeat(year_idx, k)
        grade = np.tile(np.array([g for g, _ in VPR_COMBOS]), len(school_idx))
        subj = np.tile(np.array([SUBJ_CODES[sj] for _, sj in VPR_COMBOS]), len(school_idx))
        size = g_size[s, yi, grade - 4]
        npart = rng.binomial(size, p.vpr_participation)
        npart = np.where(tiny[s], size, npart)
        off = np.zeros(len(s))
        for sj in (RUS, MATH, WORLD):
            m = subj == SUBJ_CODES[sj]
            off[m] = subj_offset[sj][s[m]] + SUBJECT_DIFFICULTY[sj]
        mu = beta * true[s, yi] + off + cohort[s, yi, grade - 4] + p.inflation_shift * inflated[s]
        counts = rng.multinomial(npart, mark_probabilities(mu, cuts))
        ext = tiny[s] & (np.array(years)[yi] == extreme_year[s])
        counts[ext] = 0
        counts[ext, 0] = npart[ext]
        df = pd.DataFrame({"_s": s, "year": np.array(years)[yi], "_proc": PROC_CODES["ВПР"],
                           "_subj": subj, "grade": grade, "n_participants": npart})
        for j in range(4):
            df[f"n_mark{j + 2}"] = counts[:, j].astype(float)
        return df[df["n_participants"] > 0]

    # pass A: ВПР before the programme (selection depends on it)
    start = years[-2] if ny >= 3 else None  # the selection needs years before the programme
    pre = [i for i, y in enumerate(years) if start is None or y < start]
    post = [i for i, y in enumerate(years) if i not in pre]
    grid_s = np.repeat(np.arange(n), len(pre))
    grid_y = np.tile(np.array(pre, dtype=int), n)
    vpr_pre = vpr_rows(grid_s, grid_y, true0)

    # ---------------------------------------------------------------- programme selection
    participant = np.zeros(n, bool)
    part_year = np.full(n, -1)
    if start is not None:
        sel_years = [years[i] for i in pre][-2:]
        v = vpr_pre[vpr_pre["year"].isin(sel_years)]
        pts = (v["n_mark2"] * 2 + v["n_mark3"] * 3 + v["n_mark4"] * 4 + v["n_mark5"] * 5)
        agg = pd.DataFrame({"_s": v["_s"], "pts": pts, "n": v["n_participants"]}).groupby("_s").sum()
        obs = np.full(n, np.nan)
        obs[agg.index.to_numpy()] = (agg["pts"] / agg["n"]).to_numpy()
        obs = np.where(np.isnan(obs), np.nanmean(obs), obs)
        score = -_zscore(obs) + rng.normal(0, p.selection_noise, n)
        n_part = max(2, int(round(p.share_participants * n)))
        n_low = int(round(p.share_selected_low * n_part))
        ranked = np.argsort(-score, kind="stable")
        chosen = list(ranked[:n_low])
        rest = np.setdiff1d(np.arange(n), chosen)
        chosen += list(rng.choice(rest, size=n_part - n_low, replace=False))
        participant[np.array(chosen, int)] = True
        late = rng.uniform(size=n) < p.share_late_cohort
        has_next = years.index(start) + 1 < ny
        part_year = np.where(participant, np.where(late & has_next, start + 1, start), -1)
    else:
        obs = np.zeros(n)

    year_arr = np.array(years)
    treated = participant[:, None] & (year_arr[None, :] >= part_year[:, None]) & (part_year[:, None] > 0)
    true = true0 + programme_effect * treated

    # pass B: ВПР from the programme start on
    if post:
        grid_s = np.repeat(np.arange(n), len(post))
        grid_y = np.tile(np.array(post, dtype=int), n)
        vpr_post = vpr_rows(grid_s, grid_y, true)
        vpr = pd.concat([vpr_pre, vpr_post], ignore_index=True)
    else:
        vpr = vpr_pre
    vpr["mean_score"] = np.nan
    vpr["sd_score"] = np.nan
    vpr["n_low"] = vpr["n_mark2"]

    # ---------------------------------------------------------------- ОГЭ / ЕГЭ
    exam_frames = []
    for proc, grade, subj, centre, scale, max_score, low_cut in EXAMS:
        s = np.repeat(np.arange(n), ny)
        yi = np.tile(np.arange(ny), n)
        size = g_size[s, yi, grade - 4]
        if proc == "ЕГЭ":
            size = np.round(size * (0.55 if grade == 11 else 1.0)).astype(int)
            rate = 0.97 if subj == RUS else 0.5
        else:
            rate = 0.97
        npart = rng.binomial(size, rate)
        mu = beta * true[s, yi] + subj_offset[subj][s] + SUBJECT_DIFFICULTY[subj] + cohort[s, yi, grade - 4]
        mean_ab = mu + rng.normal(0, 1, len(s)) / np.sqrt(np.maximum(npart, 1))
        mean_score = np.clip(centre + scale * mean_ab, 0, max_score)
        sd = scale * np.sqrt(rng.chisquare(np.maximum(npart - 1, 1)) / np.maximum(npart - 1, 1))
        sd = np.where(npart >= 2, sd, np.nan)
        nlow = rng.binomial(npart, ndtr(low_cut - mu))
        df = pd.DataFrame({"_s": s, "year": year_arr[yi], "_proc": PROC_CODES[proc],
                           "_subj": SUBJ_CODES[subj],
                           "grade": grade, "n_participants": npart,
                           "mean_score": np.round(mean_score, 2), "sd_score": np.round(sd, 2),
                           "n_low": nlow.astype(float)})
        exam_frames.append(df[df["n_participants"] > 0])
    exams = pd.concat(exam_frames, ignore_index=True)
    for j in range(2, 6):
        exams[f"n_mark{j}"] = np.nan

    # ---------------------------------------------------------------- pupil-level РДР
    st_years = list(range(max(0, ny - 2), ny))
    s = np.repeat(np.arange(n), len(st_years))
    yi = np.tile(np.array(st_years, int), n)
    npup = rng.binomial(g_size[s, yi, 7 - 4], 0.95)
    ps = np.repeat(s, npup)
    py = np.repeat(yi, npup)
    ability = (beta * true[ps, py] + subj_offset[MATH][ps] + SUBJECT_DIFFICULTY[MATH]
               + cohort[ps, py, 7 - 4] + rng.normal(0, 1, len(ps)))
    mark = 2 + (ability[:, None] > np.array(cuts)[None, :]).sum(axis=1)
    pyear = year_arr[py]
    seq = np.zeros(len(ps), int)
    for y in np.unique(pyear):
        m = pyear == y
        seq[m] = np.arange(1, m.sum() + 1)
    sid = pc.utf8_lpad(pa.array((pyear % 100) * 10_000_000 + seq).cast(pa.string()), 9, "0")
    students = pd.DataFrame({
        "student_id": pd.array(sid, dtype="str"),
        "school_id": _str_from_codes(ps, school_id), "year": pyear.astype(int), "procedure": "РДР",
        "subject": MATH, "grade": 7, "mark": mark.astype(int)})
    rdr = (pd.DataFrame({"_s": ps, "year": pyear, "mark": mark})
           .groupby(["_s", "year", "mark"]).size().unstack("mark", fill_value=0)
           .reindex(columns=[2, 3, 4, 5], fill_value=0).reset_index())
    rdr = pd.DataFrame({"_s": rdr["_s"].to_numpy(), "year": rdr["year"].to_numpy(),
                        "_proc": PROC_CODES["РДР"], "_subj": SUBJ_CODES[MATH], "grade": 7,
                        "n_participants": rdr[[2, 3, 4, 5]].sum(axis=1).to_numpy(),
                        **{f"n_mark{j}": rdr[j].to_numpy().astype(float) for j in (2, 3, 4, 5)}})
    rdr["mean_score"] = np.nan
    rdr["sd_score"] = np.nan
    rdr["n_low"] = rdr["n_mark2"]

    results = pd.concat([vpr, exams, rdr], ignore_index=True)
    order = np.lexsort([results[c].to_numpy() for c in ("grade", "_subj", "_proc", "year", "_s")])
    results = results.iloc[order].reset_index(drop=True)
    results.insert(0, "school_id", _str_from_codes(results["_s"].to_numpy(), school_id))
    results["procedure"] = _str_from_codes(results["_proc"].to_numpy(), list(PROC_CODES))
    results["subject"] = _str_from_codes(results["_subj"].to_numpy(), list(SUBJ_CODES))
    results = results.drop(columns=["_s", "_proc", "_subj"])
    results["year"] = results["year"].astype("int64")
    results["grade"] = results["grade"].astype("int64")
    results["n_participants"] = results["n_participants"].astype("int64")
    results["share_low"] = results["n_low"] / results["n_participants"]
    results = results[["school_id", "year", "procedure", "subject", "grade", "n_participants",
                       "n_mark2", "n_mark3", "n_mark4", "n_mark5", "mean_score", "sd_score",
                       "n_low", "share_low"]]

    # ---------------------------------------------------------------- tables: schools, context
    schools = pd.DataFrame({
        "school_id": school_id, "school_name": names, "municipality": mun_names,
        "locality": np.where(base["is_rural"] > 0, "село", "город"), "school_type": kinds,
        "latitude": latitude, "longitude": longitude,
        "is_small": (ctype == 5) | (base["n_students"] < 100)})
    context = pd.DataFrame({"school_id": np.repeat(school_id, ny), "year": np.tile(year_arr, n)})
    for name in INDICATORS:
        context[name] = ctx_cols[name].reshape(-1).astype(float)

    # ---------------------------------------------------------------- programme table
    prog_years = [y for y in years if start is not None and y >= start]
    curators = [f"{_SURNAMES[i % len(_SURNAMES)]} {_INITIALS[(i * 5) % len(_INITIALS)]}"
                for i in range(max(3, n_mun // 2))]
    curator_of = np.array(curators, dtype=object)[mun_idx % len(curators)]
    # partner: a school with high observed results in the same municipality (else the region)
    strong = (obs >= np.quantile(obs, 0.8)) & ~participant
    partner_of = np.full(n, "", dtype=object)
    with_partner = participant & (rng.uniform(size=n) < p.share_with_partner)
    for i in np.flatnonzero(with_partner):
        pool = np.flatnonzero(strong & (mun_idx == mun_idx[i]))
        if len(pool) == 0:
            pool = np.flatnonzero(strong)
        partner_of[i] = school_id[rng.choice(pool)]
    prog_rows = []
    for y in prog_years:
        part_now = participant & (part_year <= y)
        prog_rows.append(pd.DataFrame({
            "school_id": school_id, "year": y, "participant": part_now,
            "curator": np.where(part_now, curator_of, None),
            "partner_school_id": np.where(part_now & (partner_of != ""), partner_of, None)}))
    programme = (pd.concat(prog_rows, ignore_index=True) if prog_rows else
                 pd.DataFrame(columns=["school_id", "year", "participant", "curator",
                                       "partner_school_id"]))
    programme["year"] = programme["year"].astype("int64")
    programme["participant"] = programme["participant"].astype(bool)
    for c in ("curator", "partner_school_id"):  # text with missing values (not the word "None")
        programme[c] = pd.array([None if pd.isna(v) else str(v) for v in programme[c]], dtype="str")
    programme = programme.sort_values(["school_id", "year"], kind="mergesort").reset_index(drop=True)

    # ---------------------------------------------------------------- monitoring
    mon_s, mon_y = np.nonzero(treated)
    mon_frames = []
    missing_waves: list[tuple[str, int, str, str]] = []
    frac = {"entry": 0.0, "intermediate": 0.5, "final": 1.0}
    tested = np.maximum(1, np.round(0.9 * g_size[:, :, 1:5].sum(axis=2))).astype(int)  # grades 5-8
    adverse_z = _zscore(adverse)
    for domain, indicator, hib in MONITORING_INDICATORS:
        for wave in SCHEDULE[domain]:
            first_year = year_arr[mon_y] == part_year[mon_s]
            level = true[mon_s, mon_y] - programme_effect * (1 - frac[wave]) * first_year
            m = len(mon_s)
            if indicator.startswith("Доля «2»"):
                nn = tested[mon_s, mon_y]
                pr = ndtr(cuts[0] - (beta * level + subj_offset[MATH][mon_s] + SUBJECT_DIFFICULTY[MATH]))
                value = np.round(rng.binomial(nn, pr) / nn, 3)
            elif indicator.startswith("Средний балл"):
                nn = tested[mon_s, mon_y]
                probs_m = mark_probabilities(beta * level + subj_offset[RUS][mon_s], cuts)
                value = np.round(probs_m @ np.array([2, 3, 4, 5]) + rng.normal(0, 0.8, m) / np.sqrt(nn), 2)
            elif domain == "teaching":
                nn = rng.integers(5, 13, m)
                value = np.round(np.clip(58 + 12 * level + rng.normal(0, 4, m), 0, 100), 1)
            elif domain == "management":
                nn = np.maximum(3, np.round(n_students_y[mon_s, mon_y] / 12)).astype(int)
                value = np.round(np.clip(52 + 10 * level + rng.normal(0, 5, m), 0, 100), 1)
            else:
                nn = np.maximum(5, np.round(n_students_y[mon_s, mon_y] * 0.3)).astype(int)
                value = np.round(np.clip(62 + 8 * level - 4 * adverse_z[mon_s] + rng.normal(0, 5, m),
                                         0, 100), 1)
            mon_frames.append(pd.DataFrame({
                "_s": mon_s, "year": year_arr[mon_y], "wave": wave, "domain": domain,
                "indicator": indicator, "value": value.astype(float), "n": nn.astype(float),
                "higher_is_better": hib}))
    if mon_frames:
        monitoring = pd.concat(mon_frames, ignore_index=True)
        groups = monitoring[["_s", "year", "domain", "wave"]].drop_duplicates().sort_values(
            ["_s", "year", "domain", "wave"], kind="mergesort")
        drop = groups[rng.uniform(size=len(groups)) < p.share_missing_waves]
        key = ["_s", "year", "domain", "wave"]
        monitoring = monitoring.merge(drop.assign(_drop=True), on=key, how="left")
        monitoring = monitoring[monitoring["_drop"].isna()].drop(columns="_drop")
        missing_waves = [(str(school_id[a]), int(b), str(c), str(d))
                         for a, b, c, d in drop.itertuples(index=False)]
        monitoring.insert(0, "school_id", school_id[monitoring["_s"].to_numpy()])
        monitoring = monitoring.drop(columns="_s")
        monitoring["year"] = monitoring["year"].astype("int64")
        monitoring["higher_is_better"] = monitoring["higher_is_better"].astype(bool)
        monitoring = monitoring.sort_values(["school_id", "year", "wave", "domain", "indicator"],
                                            kind="mergesort").reset_index(drop=True)
    else:
        monitoring = pd.DataFrame(columns=["school_id", "year", "wave", "domain", "indicator",
                                           "value", "n", "higher_is_better"])
    missing_waves.sort()

    # ---------------------------------------------------------------- risk survey
    rs_s, rs_y = list(mon_s), list(mon_y)
    if start is not None:
        low_obs = obs <= np.quantile(obs, 0.2)
        others = np.flatnonzero(low_obs & ~participant & (rng.uniform(size=n) < p.share_other_surveyed))
        rs_s += list(others)
        rs_y += [years.index(start)] * len(others)
    rs_s_a = np.array(rs_s, int)
    rs_y_a = np.array(rs_y, int)
    risk_frames = []
    if len(rs_s_a):
        # failing share: observed share of «2» in ВПР of the previous year (or the same year)
        v = vpr[["_s", "year", "n_mark2", "n_participants"]].groupby(["_s", "year"]).sum()
        fail = np.full((n, ny), np.nan)
        idx_s = v.index.get_level_values(0).to_numpy()
        idx_y = np.searchsorted(year_arr, v.index.get_level_values(1).to_numpy())
        fail[idx_s, idx_y] = (v["n_mark2"] / v["n_participants"]).to_numpy()
        prev = np.maximum(rs_y_a - 1, 0)
        fail_z = _zscore(np.where(np.isnan(fail[rs_s_a, prev]), np.nanmean(fail), fail[rs_s_a, prev]))

        def cz(name: str, transform=lambda x: x) -> np.ndarray:
            col = ctx_cols[name][rs_s_a, rs_y_a]
            col = np.where(np.isnan(col), np.nanmean(col), col)
            ref = ctx_cols[name]
            ref = transform(np.where(np.isnan(ref), np.nanmean(ref), ref))
            return (transform(col) - ref.mean()) / (ref.std() or 1.0)

        q = latent[rs_s_a] / p.quality_sd
        tr = true[rs_s_a, rs_y_a]
        factors = {
            "R01": -cz("internet_mbps", np.log),
            "R02": cz("teacher_vacancy_rate"),
            "R03": -q,
            "R04": -0.5 * q + 0.5 * cz("share_teachers_60plus"),
            "R05": cz("share_ovz"),
            "R06": fail_z,
            "R07": 0.5 * cz("share_low_income") - 0.5 * tr / 0.7,
            "R08": cz("share_non_native"),
            "R09": cz("share_at_risk_register"),
            "R10": 0.5 * cz("share_single_parent") + 0.5 * cz("share_parents_no_higher_ed"),
        }
        for code, z in factors.items():
            basev = ndtr(0.8 * z - 0.2)
            for src in RISK_SOURCES:
                val = np.round(np.clip(basev + rng.normal(0, 0.08, len(z)), 0, 1), 2)
                risk_frames.append(pd.DataFrame({
                    "school_id": school_id[rs_s_a], "year": year_arr[rs_y_a], "risk_factor": code,
                    "value": val.astype(float), "source": src}))
    if risk_frames:
        risk_survey = pd.concat(risk_frames, ignore_index=True)
        risk_survey["year"] = risk_survey["year"].astype("int64")
        risk_survey = risk_survey.sort_values(["school_id", "year", "risk_factor", "source"],
                                              kind="mergesort").reset_index(drop=True)
    else:
        risk_survey = pd.DataFrame(columns=["school_id", "year", "risk_factor", "value", "source"])

    # ---------------------------------------------------------------- truth
    truth = pd.DataFrame({
        "school_id": school_id, "municipality": mun_names, "context_type": ctype.astype("int64"),
        "context_type_name": [CONTEXT_TYPE_NAMES[int(t)] for t in ctype],
        "context_effect": np.round(context_effect, 6), "latent_quality": np.round(latent, 6),
        "inflated_vpr": inflated, "tiny_extreme": tiny,
        "extreme_year": pd.array(np.where(tiny, extreme_year, -1), dtype="Int64"),
        "participant": participant,
        "participation_year": pd.array(np.where(participant, part_year, -1), dtype="Int64")})
    truth.loc[~truth["tiny_extreme"], "extreme_year"] = pd.NA
    truth.loc[~truth["participant"], "participation_year"] = pd.NA
    ty = pd.DataFrame({"school_id": np.repeat(school_id, ny), "year": np.tile(year_arr, n),
                       "true_result": np.round(true.reshape(-1), 6)})
    rank = ty.groupby("year")["true_result"].rank(method="first")
    cut_n = ty.groupby("year")["true_result"].transform("size") * 0.10
    ty["true_low"] = (rank <= np.floor(cut_n)).to_numpy()
    ty["treated"] = treated.reshape(-1)

    meta = {
        "region": REGION_NAME, "seed": int(seed), "n_schools": n, "n_municipalities": int(n_mun),
        "programme_effect": float(programme_effect), "years": list(years),
        "programme_start_year": int(start) if start is not None else None,
        "context_types": {str(k): v for k, v in CONTEXT_TYPE_NAMES.items()},
        "missing_waves": missing_waves,
        "n_participants": int(participant.sum()), "n_inflated_vpr": int(inflated.sum()),
        "n_tiny_extreme": int(tiny.sum()),
    }
    tables = {"schools": schools, "context": context, "results": results,
              "monitoring": monitoring, "risk_survey": risk_survey, "programme": programme}
    return DemoRegion(tables=tables, students=students, truth=truth, truth_years=ty, meta=meta)


# ===================================================================== files (regional exports)
SCHOOL_HEADERS = {"school_id": "Код ОО", "school_name": "Наименование ОО",
                  "municipality": "Муниципалитет", "locality": "Тип поселения",
                  "school_type": "Вид ОО", "latitude": "Широта", "longitude": "Долгота",
                  "is_small": "Малокомплектная"}
CONTEXT_HEADERS = {
    "n_students": "Численность обучающихся, чел.",
    "share_low_income": "Доля детей из малообеспеченных семей",
    "share_single_parent": "Доля детей из неполных семей",
    "share_parents_no_higher_ed": "Доля родителей без высшего образования",
    "share_ovz": "Доля обучающихся с ОВЗ",
    "share_non_native": "Доля обучающихся, для которых русский язык не родной",
    "share_at_risk_register": "Доля обучающихся на профилактическом учёте",
    "teacher_vacancy_rate": "Доля вакантных ставок педагогов",
    "share_teachers_60plus": "Доля педагогов 60 лет и старше",
    "internet_mbps": "Скорость интернета, Мбит/с",
    "distance_km": "Расстояние до муниципального центра, км",
    "is_rural": "Сельская местность",
}
VPR_HEADERS = ["Код ОО", "Наименование ОО", "Муниципалитет", "Учебный год", "Предмет", "Класс",
               "Кол-во участников", "2", "3", "4", "5"]
EXAM_HEADERS = {"school_id": "Код ОО", "year": "Год", "procedure": "Процедура",
                "subject": "Предмет", "grade": "Класс", "n_participants": "Участников",
                "mean_score": "Средний балл", "sd_score": "Стандартное отклонение",
                "n_low": "Не преодолели минимум"}
STUDENT_HEADERS = {"student_id": "Код участника", "school_id": "Код ОО", "year": "Год",
                   "subject": "Предмет", "grade": "Класс", "mark": "Отметка"}
MONITORING_HEADERS = {"school_id": "Код ОО", "year": "Учебный год", "wave": "Этап",
                      "domain": "Направление", "indicator": "Показатель", "value": "Значение",
                      "n": "Число участников", "higher_is_better": "Чем выше, тем лучше"}
RISK_HEADERS = {"school_id": "Код ОО", "year": "Учебный год", "risk_factor": "Фактор риска",
                "value": "Значение", "source": "Источник"}
PROGRAMME_HEADERS = {"school_id": "Код ОО", "year": "Учебный год",
                     "participant": "Участник программы", "curator": "Куратор",
                     "partner_school_id": "Код школы-партнёра"}
WAVE_EXPORT = {"entry": "входной", "intermediate": "промежуточный", "final": "итоговый"}
DOMAIN_EXPORT = {"results": "результаты", "teaching": "преподавание", "management": "управление",
                 "environment": "среда"}
RESULTS_FORMATS = ("xlsx", "csv", "parquet")
_XLSX_CREATED = _dt.datetime(2026, 1, 1)  # fixed document date: identical bytes for a seed


def _csv_column(s: pd.Series, sep: str, decimal: str) -> pa.Array:
    """One column as CSV text (minimal quoting like pandas; floats in shortest form)."""
    if pd.api.types.is_bool_dtype(s):
        s = pd.Series(np.where(s.to_numpy(dtype=bool), "True", "False"))
    if pd.api.types.is_float_dtype(s):
        arr = pa.array(s.to_numpy(), from_pandas=True).cast(pa.string())
        return pc.replace_substring(arr, ".", decimal) if decimal != "." else arr
    if pd.api.types.is_integer_dtype(s):
        return pa.array(s, from_pandas=True).cast(pa.string())
    arr = pa.array(s.astype("str"), from_pandas=True, type=pa.string())
    needs = pc.or_(pc.match_substring(arr, sep), pc.match_substring(arr, '"'))
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
    return pc.if_else(pc.fill_null(needs, False), quoted, arr)


def _write_csv(df: pd.DataFrame, path: Path, sep: str = ",", decimal: str = ".",
               encoding: str = "utf-8", eol: str = "\n") -> None:
    """Fast CSV writer (lines joined in pyarrow) with a separator, decimal mark and encoding."""
    bad = [c for c in df.columns if sep in str(c) or '"' in str(c)]
    if bad:
        raise ValueError(f"CSV headers must not contain the separator or quotes: {bad}")
    cols = [pc.fill_null(_csv_column(df[c], sep, decimal), "") for c in df.columns]
    header = sep.join(str(c) for c in df.columns)
    lines = pc.binary_join_element_wise(*cols, sep).to_pylist() if len(df) else []
    text = eol.join([header, *lines]) + eol
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-8", "utf8"):
        Path(path).write_bytes(text.encode("utf-8"))
    elif enc == "utf-8-sig":
        Path(path).write_bytes(text.encode("utf-8-sig"))
    else:
        Path(path).write_bytes(text.encode(encoding))


def _years_labels(years: pd.Series) -> pd.Series:
    return years.map({y: school_year_label(int(y)) for y in years.unique()})


def _yes_no(values: pd.Series) -> pd.Series:
    return np.where(values.astype(bool), "да", "нет")


def _write_xlsx(path: Path, sheet: str, df: pd.DataFrame, title: str | None = None) -> None:
    """A plain xlsx sheet (header row, optional title row above it), written reproducibly."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": _XLSX_CREATED, "author": "workbench demo",
                       "title": title or sheet})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    r = 0
    if title:
        ws.write_string(0, 0, title, bold)
        r = 1
    ws.write_row(r, 0, list(df.columns), bold)
    cols = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s):
            cols.append(_yes_no(s).tolist())
        elif pd.api.types.is_numeric_dtype(s):
            cols.append([None if v != v else v for v in s.tolist()])
        else:
            cols.append([None if v is None or v != v else str(v) for v in s.tolist()])
    for i, row in enumerate(zip(*cols), start=r + 1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(i, j, v)
            else:
                ws.write_number(i, j, v)
    wb.close()


def _vpr_frame(region: DemoRegion, year: int) -> pd.DataFrame:
    res = region.tables["results"]
    v = res[(res["procedure"] == "ВПР") & (res["year"] == year)]
    sch = region.tables["schools"].set_index("school_id")
    out = pd.DataFrame({
        "Код ОО": v["school_id"].to_numpy(),
        "Наименование ОО": sch.loc[v["school_id"], "school_name"].to_numpy(),
        "Муниципалитет": sch.loc[v["school_id"], "municipality"].to_numpy(),
        "Учебный год": school_year_label(year),
        "Предмет": v["subject"].to_numpy(), "Класс": v["grade"].to_numpy(),
        "Кол-во участников": v["n_participants"].to_numpy()})
    for j in (2, 3, 4, 5):
        out[str(j)] = v[f"n_mark{j}"].to_numpy().astype("int64")
    return out


def _rel_or_abs(path: Path, base: Path) -> str:
    """Path for the params file: relative to the project folder when inside it, else absolute."""
    path = path.resolve()
    try:
        return path.relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _yaml_map(mapping: dict[str, str], indent: int) -> list[str]:
    pad = " " * indent
    return [f'{pad}"{k}": {v}' for k, v in mapping.items()]


def params_yaml(data_ref: str, results_format: str = "xlsx") -> str:
    """Text of the demo params file (design §5), commented in Russian for methodologists.

    `data_ref` is the data folder as it should appear in the file (relative or absolute)."""
    d = data_ref.rstrip("/")
    vpr_ext = results_format
    lines = [
        "# Параметры запуска для демонстрационного региона (вымышленного).",
        "# Файл записан командой `workbench demo`; чтобы подключить свой регион, скопируйте его,",
        "# поменяйте пути к файлам и сопоставление столбцов (columns: «столбец в файле»: имя в",
        "# workbench), остальное можно не трогать: у всех настроек методики есть значения по умолчанию.",
        "# Относительные пути отсчитываются от папки проекта (родительской для папки params/).",
        "run_id: demo                       # папка результатов: outputs/demo/",
        "region: Демонстрационный край      # название региона в отчётах",
        "# stages: [ingest, identify, clusters, monitoring, briefings]   # можно запустить часть этапов",
        "",
        "inputs:",
        "  # Справочник образовательных организаций (ОО): одна строка на школу.",
        "  schools:",
        f"    path: {d}/schools.xlsx",
        "    sheet: ОО                        # имя или номер (с 0) листа Excel",
        "    columns:",
        *_yaml_map({"Код ОО": "school_id", "Наименование ОО": "school_name",
                    "Муниципалитет": "municipality", "Тип поселения": "locality",
                    "Вид ОО": "school_type", "Широта": "latitude", "Долгота": "longitude",
                    "Малокомплектная": "is_small"}, 6),
        "",
        "  # Показатели социального контекста: школа × учебный год («2024/25»).",
        "  # CSV из региональной системы: кодировка cp1251, разделитель «;», десятичная запятая.",
        "  context:",
        f"    path: {d}/context.csv",
        "    encoding: cp1251",
        '    sep: ";"',
        '    decimal: ","',
        "    columns:",
        *_yaml_map({"Код ОО": "school_id", "Учебный год": "year",
                    **{v: k for k, v in CONTEXT_HEADERS.items()}}, 6),
        "",
        "  # Результаты оценочных процедур: список файлов разной формы.",
        "  results:",
        "    # ВПР: по файлу на год (шаблон пути *), количество отметок «2»…«5».",
        f"    - path: {d}/vpr_*.{vpr_ext}",
    ]
    if results_format == "xlsx":
        lines += ["      header_row: 2                  # в строке 1 — заголовок таблицы"]
    elif results_format == "csv":
        lines += ["      encoding: utf-8-sig", '      sep: ";"']
    lines += [
        "      columns:",
        *_yaml_map({"Код ОО": "school_id", "Учебный год": "year", "Предмет": "subject",
                    "Класс": "grade", "Кол-во участников": "n_participants", "2": "n_mark2",
                    "3": "n_mark3", "4": "n_mark4", "5": "n_mark5"}, 8),
        "      constants: {procedure: ВПР}     # столбца «Процедура» в файле нет",
        "    # ОГЭ и ЕГЭ: средний балл, стандартное отклонение, не преодолевшие минимальный порог.",
        f"    - path: {d}/oge_ege.csv",
        "      encoding: utf-8-sig",
        '      sep: ","',
        "      columns:",
        *_yaml_map({"Код ОО": "school_id", "Год": "year", "Процедура": "procedure",
                    "Предмет": "subject", "Класс": "grade", "Участников": "n_participants",
                    "Средний балл": "mean_score", "Стандартное отклонение": "sd_score",
                    "Не преодолели минимум": "n_low"}, 8),
        "    # Региональная диагностическая работа: по строке на участника (агрегируется при загрузке,",
        "    # сведения об отдельных обучающихся в отчёты не попадают).",
        f"    - path: {d}/rdr_students.csv",
        "      encoding: utf-8",
        '      sep: ","',
        "      columns:",
        *_yaml_map({"Код участника": "student_id", "Код ОО": "school_id", "Год": "year",
                    "Предмет": "subject", "Класс": "grade", "Отметка": "mark"}, 8),
        "      constants: {procedure: РДР}",
        "",
        "  # Мониторинг школ — участниц программы: этапы входной / промежуточный / итоговый.",
        "  monitoring:",
        f"    path: {d}/monitoring.csv",
        "    encoding: utf-8-sig",
        '    sep: ";"',
        '    decimal: ","',
        "    columns:",
        *_yaml_map({v: k for k, v in MONITORING_HEADERS.items()}, 6),
        "",
        "  # Анкетирование по факторам риска (R01…R10), значения от 0 до 1 (выше — больше риск).",
        "  risk_survey:",
        f"    path: {d}/risk_survey.csv",
        "    encoding: utf-8",
        '    sep: ","',
        "    columns:",
        *_yaml_map({v: k for k, v in RISK_HEADERS.items()}, 6),
        "",
        "  # Участие в программе поддержки (да/нет), куратор и школа-партнёр.",
        "  programme:",
        f"    path: {d}/programme.csv",
        "    encoding: utf-8-sig",
        '    sep: ","',
        "    columns:",
        *_yaml_map({v: k for k, v in PROGRAMME_HEADERS.items()}, 6),
        "",
        "# Настройки методики (identification:, clusters:, partners:, monitoring:, risks:, briefings:)",
        "# не заданы — действуют значения по умолчанию, описанные в README. Исключение — число",
        "# кластеров: в демо-регионе пять типов школ (от городских гимназий до малокомплектных",
        "# сельских), методист знает эту типологию и задаёт k. Уберите k, чтобы число кластеров",
        "# выбиралось по силуэту (на демо-данных силуэт выбирает 3 укрупнённые группы).",
        "clusters:",
        "  k: 5",
        "",
    ]
    return "\n".join(lines)


def write_demo(out_dir: Path, params_path: Path, n_schools: int = 600, seed: int = 2026,
               programme_effect: float = 0.25, results_format: str = "xlsx") -> dict[str, Any]:
    """Write the demo region as regional-export-like files into `out_dir` and its params file.

    Returns a summary: out_dir, params_path, files (name → path), rows (name → data rows),
    seconds, n_schools, seed.
    """
    if results_format not in RESULTS_FORMATS:
        raise ValueError(f"results_format must be one of {RESULTS_FORMATS}, got {results_format!r}")
    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    params_path = Path(params_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("vpr_*.*"):  # stale yearly files of an earlier run (other format/years)
        if old.suffix in (".xlsx", ".csv", ".parquet"):
            old.unlink()
    region = generate_region(n_schools=n_schools, seed=seed, programme_effect=programme_effect)
    t = region.tables
    files: dict[str, Path] = {}
    rows: dict[str, int] = {}

    # schools.xlsx
    sch = t["schools"].rename(columns=SCHOOL_HEADERS)
    files["schools"] = out_dir / "schools.xlsx"
    _write_xlsx(files["schools"], "ОО", sch)
    rows["schools"] = len(sch)

    # context.csv (cp1251, ';', decimal comma)
    ctx = t["context"].copy()
    ctx["year"] = _years_labels(ctx["year"])
    ctx["n_students"] = ctx["n_students"].round().astype("Int64")
    ctx["is_rural"] = ctx["is_rural"].round().astype("Int64")
    ctx = ctx.rename(columns={"school_id": "Код ОО", "year": "Учебный год", **CONTEXT_HEADERS})
    files["context"] = out_dir / "context.csv"
    _write_csv(ctx, files["context"], sep=";", decimal=",", encoding="cp1251", eol="\r\n")
    rows["context"] = len(ctx)

    # vpr_<year>.<fmt>
    for year in region.meta["years"]:
        v = _vpr_frame(region, year)
        path = out_dir / f"vpr_{year}.{results_format}"
        if results_format == "xlsx":
            _write_xlsx(path, "ВПР", v,
                        title=f"Результаты ВПР {school_year_label(year)} учебного года")
        elif results_format == "csv":
            _write_csv(v, path, sep=";", encoding="utf-8-sig")
        else:
            v.to_parquet(path, index=False)
        files[f"vpr_{year}"] = path
        rows[f"vpr_{year}"] = len(v)

    # oge_ege.csv
    res = t["results"]
    ex = res[res["procedure"].isin(["ОГЭ", "ЕГЭ"])][list(EXAM_HEADERS)].copy()
    ex["year"] = _years_labels(ex["year"])
    ex["n_low"] = ex["n_low"].astype("int64")
    files["oge_ege"] = out_dir / "oge_ege.csv"
    _write_csv(ex.rename(columns=EXAM_HEADERS), files["oge_ege"], encoding="utf-8-sig")
    rows["oge_ege"] = len(ex)

    # rdr_students.csv (pupil level)
    st = region.students[list(STUDENT_HEADERS)].copy()
    st["year"] = _years_labels(st["year"])
    files["rdr_students"] = out_dir / "rdr_students.csv"
    _write_csv(st.rename(columns=STUDENT_HEADERS), files["rdr_students"], encoding="utf-8")
    rows["rdr_students"] = len(st)

    # monitoring.csv (utf-8-sig, ';', decimal comma, Russian values)
    mon = t["monitoring"][list(MONITORING_HEADERS)].copy()
    mon["year"] = _years_labels(mon["year"])
    mon["wave"] = mon["wave"].map(WAVE_EXPORT)
    mon["domain"] = mon["domain"].map(DOMAIN_EXPORT)
    mon["n"] = mon["n"].round().astype("Int64")
    mon["higher_is_better"] = _yes_no(mon["higher_is_better"])
    files["monitoring"] = out_dir / "monitoring.csv"
    _write_csv(mon.rename(columns=MONITORING_HEADERS), files["monitoring"], sep=";", decimal=",",
               encoding="utf-8-sig")
    rows["monitoring"] = len(mon)

    # risk_survey.csv
    rs = t["risk_survey"][list(RISK_HEADERS)].copy()
    rs["year"] = _years_labels(rs["year"])
    files["risk_survey"] = out_dir / "risk_survey.csv"
    _write_csv(rs.rename(columns=RISK_HEADERS), files["risk_survey"], encoding="utf-8")
    rows["risk_survey"] = len(rs)

    # programme.csv
    pr = t["programme"][list(PROGRAMME_HEADERS)].copy()
    pr["year"] = _years_labels(pr["year"])
    pr["participant"] = _yes_no(pr["participant"])
    files["programme"] = out_dir / "programme.csv"
    _write_csv(pr.rename(columns=PROGRAMME_HEADERS), files["programme"], encoding="utf-8-sig")
    rows["programme"] = len(pr)

    # ground truth (for tests; not an input of the params file)
    files["ground_truth"] = out_dir / "ground_truth.csv"
    _write_csv(region.truth, files["ground_truth"])
    files["ground_truth_years"] = out_dir / "ground_truth_years.csv"
    _write_csv(region.truth_years, files["ground_truth_years"])
    files["ground_truth_json"] = out_dir / "ground_truth.json"
    meta = {**region.meta, "results_format": results_format,
            "files": {k: p.name for k, p in files.items()}}
    files["ground_truth_json"].write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                          encoding="utf-8")

    # params (project folder = parent of params/, as config.base_dir_for; not imported here to
    # keep `workbench demo` free of the heavy stage imports)
    params_path.parent.mkdir(parents=True, exist_ok=True)
    folder = params_path.resolve().parent
    data_ref = _rel_or_abs(out_dir, folder.parent if folder.name == "params" else folder)
    params_path.write_text(params_yaml(data_ref, results_format), encoding="utf-8")
    return {"out_dir": str(out_dir), "params_path": str(params_path),
            "files": {k: str(p) for k, p in files.items()}, "rows": rows,
            "seconds": round(time.perf_counter() - t_start, 2), "n_schools": int(n_schools),
            "seed": int(seed), "results_format": results_format}

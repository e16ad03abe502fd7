"""Risk profiles of listed schools and the draft technological map of targeted support.

Design §1 step 4 and §8; seed 004, appendix 2 («Технологическая карта адресной помощи»).

- `risk_profiles`: per listed school (current year) a score in [0, 1] for each risk factor
  (higher = more risk): the mean over the survey sources of the risk survey; where the school has
  no survey answer for a factor, a score derived from context indicators or results (marked
  `derived`). Levels high/medium/low by thresholds in `RisksParams`.
- `tech_map`: 1–4 priority problems per school (highest scores first), each with its support
  module and the forms of support at the six levels, pre-filled from an editable default table.
- `write_tech_map_xlsx`: one editable workbook per municipality for the schools to complete.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from workbench.canon import (DOMAINS_RU, INDICATOR_LABELS_RU, LISTED_CATEGORIES, RISK_FACTORS,
                             StrictModel, slugify)

LEVELS = ["high", "medium", "low"]
LEVELS_RU = {"high": "высокий", "medium": "средний", "low": "низкий"}
TECH_LEVELS = ["level_oo", "level_mouo", "level_institute", "level_ministry",
               "level_resource_centres", "level_other"]
TECH_LEVELS_RU = {
    "level_oo": "На уровне ОО",
    "level_mouo": "На уровне МОУО",
    "level_institute": "На уровне института (ИРО)",
    "level_ministry": "На уровне министерства",
    "level_resource_centres": "На уровне ресурсных центров",
    "level_other": "Иные организации",
}
RISK_PROFILE_COLUMNS = ["school_id", "year", "risk_factor", "risk_name", "score", "level",
                        "derived", "source"]
TECH_MAP_COLUMNS = ["school_id", "year", "priority", "problem", "risk_factors", "module", "score",
                    *TECH_LEVELS]
MODULES = {
    "Школа — центр социума": "Оказание помощи в повышении социального статуса школы",
    "Одарённые дети": "Оказание помощи в адресной поддержке одарённых детей",
    "Управление качеством образования":
        "Помощь в конструировании программ повышения качества образования в УО и ОО",
    "Мобильный педагог": "Оказание помощи в решении кадровой проблемы в ОО",
    "Скорая методическая помощь": "Оказание адресной методической помощи педагогам",
    "Возможности для каждого":
        "Оказание адресной помощи в работе с низкомотивированными детьми, детьми с ОВЗ",
    "Ресурсные возможности": "Оказание помощи в решении материально-технических проблем ОО",
}


class DerivationRule(StrictModel):
    """A risk factor score derived from one indicator when the school has no survey answer.

    The score is linear in the indicator: 0 at `zero_at`, 1 at `one_at`, clipped to [0, 1]
    (so a favourable indicator such as internet speed has zero_at > one_at). `indicator` is a
    context column, `share_low` (the school's share of «2» / below-minimum results) or
    `monitoring:<domain>` (mean of the domain's higher-is-better indicators in the latest wave of
    the school's latest monitoring year).
    """

    risk_factor: str
    indicator: str
    zero_at: float
    one_at: float

    @model_validator(mode="after")
    def _distinct(self) -> "DerivationRule":
        if self.zero_at == self.one_at:
            raise ValueError("zero_at и one_at должны различаться")
        return self


class ModuleRule(StrictModel):
    """A row of the default technological map: risk factors → problem → support module, and the
    forms of support pre-filled at the six levels (a region edits these texts in params)."""

    risk_factors: list[str]
    problem: str
    module: str
    level_oo: str = ""
    level_mouo: str = ""
    level_institute: str = ""
    level_ministry: str = ""
    level_resource_centres: str = ""
    level_other: str = ""


def _default_rules() -> list[DerivationRule]:
    rows = [
        ("R01", "internet_mbps", 50.0, 2.0),
        ("R02", "teacher_vacancy_rate", 0.0, 0.2),
        ("R03", "share_teachers_60plus", 0.15, 0.6),
        ("R04", "share_teachers_60plus", 0.1, 0.5),
        ("R05", "share_ovz", 0.0, 0.2),
        ("R06", "share_low", 0.05, 0.35),
        ("R08", "share_non_native", 0.0, 0.4),
        ("R09", "share_at_risk_register", 0.0, 0.1),
        ("R10", "share_parents_no_higher_ed", 0.3, 0.9),
        # monitoring indices (0–100, higher is better): latest wave of the latest year
        ("R03", "monitoring:teaching", 65.0, 35.0),
        ("R04", "monitoring:management", 65.0, 35.0),
        ("R09", "monitoring:environment", 65.0, 35.0),
    ]
    return [DerivationRule(risk_factor=f, indicator=i, zero_at=z, one_at=o) for f, i, z, o in rows]


def _default_modules() -> list[ModuleRule]:
    m = ModuleRule
    return [
        m(risk_factors=["R02"], problem="Наличие вакансий", module="Мобильный педагог",
          level_oo="Указать вакансии; внутреннее совместительство, привлечение молодых специалистов",
          level_mouo="Муниципальный кадровый резерв, сетевые формы реализации программ",
          level_institute="Дистанционные уроки «Мобильного педагога», переподготовка педагогов",
          level_ministry="Меры социальной поддержки («Земский учитель», целевое обучение)",
          level_resource_centres="Уроки педагогов ресурсной школы в сетевой форме",
          level_other="Педагогические колледжи и вузы: практика и трудоустройство выпускников"),
        m(risk_factors=["R03"], problem="Профдефициты", module="Скорая методическая помощь",
          level_oo="Список учителей русского языка и математики, нуждающихся в адресной поддержке; "
                   "индивидуальные образовательные маршруты",
          level_mouo="Муниципальные методические объединения, наставничество",
          level_institute="Диагностика профессиональных дефицитов, адресные курсы повышения "
                          "квалификации, тьюторское сопровождение",
          level_ministry="Финансирование повышения квалификации",
          level_resource_centres="Стажировки, открытые уроки, наставники из ресурсной школы",
          level_other="Центры непрерывного повышения профессионального мастерства"),
        m(risk_factors=["R04"], problem="Отсутствие системы управления качеством образования в ОО",
          module="Управление качеством образования",
          level_oo="Программа повышения качества образования, внутришкольная система оценки "
                   "качества и повышения квалификации",
          level_mouo="Муниципальная программа поддержки ШНОР, куратор школы",
          level_institute="Командное обучение управленческих команд, экспертиза программ",
          level_ministry="Нормативное обеспечение региональной модели поддержки",
          level_resource_centres="Обмен управленческими практиками",
          level_other="Вузы и центры оценки качества образования: экспертиза и консультации"),
        m(risk_factors=["R05"], problem="Низкая адаптивность учебного процесса",
          module="Управление качеством образования",
          level_oo="Индивидуализация обучения, часы на подготовку к ОГЭ и ЕГЭ, "
                   "дифференцированные задания",
          level_mouo="Сетевые формы реализации образовательных программ",
          level_institute="Курсы по формирующему оцениванию и дифференцированному обучению",
          level_ministry="Нормативная поддержка сетевых и индивидуальных форм обучения",
          level_resource_centres="Методические материалы и стажировки",
          level_other="Организации дополнительного образования, онлайн-школы"),
        m(risk_factors=["R01"], problem="Низкая скорость Интернета и МТБ", module="Ресурсные возможности",
          level_oo="Указать материально-технические проблемы, влияющие на качество обучения",
          level_mouo="Включение школы в муниципальные программы развития МТБ",
          level_institute="Консультации по использованию цифровых ресурсов",
          level_ministry="Подключение к скоростному Интернету, поставка оборудования "
                         "по региональным и федеральным проектам",
          level_resource_centres="Доступ к оборудованию ресурсной школы, «Точки роста»",
          level_other="Операторы связи, социальные партнёры"),
        m(risk_factors=["R06"], problem="Высокая доля обучающихся с рисками учебной неуспешности",
          module="Возможности для каждого",
          level_oo="Выявление обучающихся группы риска, индивидуальные планы, консультации",
          level_mouo="Психолого-педагогическое сопровождение, ПМПК",
          level_institute="Курсы по работе с неуспевающими обучающимися и детьми с ОВЗ",
          level_ministry="Ресурсы ППМС-центров, финансирование тьюторов и специалистов",
          level_resource_centres="Дистанционные консультации для обучающихся",
          level_other="Центры психолого-педагогической помощи"),
        m(risk_factors=["R07"], problem="Высокий процент немотивированных обучающихся",
          module="Возможности для каждого",
          level_oo="Внеурочная деятельность, проектная работа, профориентация",
          level_mouo="Муниципальные конкурсы и проекты, дополнительное образование",
          level_institute="Курсы по повышению учебной мотивации",
          level_ministry="Региональные конкурсы, олимпиады и профориентационные проекты",
          level_resource_centres="Совместные проекты обучающихся с ресурсной школой",
          level_other="Организации дополнительного образования, «Кванториумы»"),
        m(risk_factors=["R08"], problem="Языковые и культурные барьеры обучающихся",
          module="Возможности для каждого",
          level_oo="Занятия по русскому языку как неродному, адаптация детей мигрантов",
          level_mouo="Языковые курсы и центры адаптации",
          level_institute="Курсы по обучению русскому языку как неродному",
          level_ministry="Региональная программа социокультурной адаптации",
          level_resource_centres="Методические материалы по поликультурному образованию",
          level_other="Национально-культурные объединения"),
        m(risk_factors=["R09"], problem="Низкое качество образовательной и воспитательной среды",
          module="Школа — центр социума",
          level_oo="Программа воспитания, школьные службы медиации, самоуправление",
          level_mouo="Профилактика, взаимодействие с комиссией по делам несовершеннолетних",
          level_institute="Курсы для классных руководителей и советников по воспитанию",
          level_ministry="Региональная программа воспитания и профилактики",
          level_resource_centres="Обмен практиками воспитательной работы",
          level_other="Учреждения культуры и спорта, НКО"),
        m(risk_factors=["R10"], problem="Незаинтересованные в качестве обучения и воспитания родители",
          module="Школа — центр социума",
          level_oo="Родительский всеобуч, вовлечение родителей в жизнь школы",
          level_mouo="Муниципальная консультационная служба для родителей",
          level_institute="Методические материалы для работы с родителями",
          level_ministry="Региональная консультационная служба для родителей",
          level_resource_centres="Совместные мероприятия для семей",
          level_other="Общественные организации, органы местного самоуправления"),
    ]


class RisksParams(StrictModel):
    """Settings of risk profiles and the technological map (params section `risks`)."""

    categories: list[str] = Field(default_factory=lambda: list(LISTED_CATEGORIES),
                                  description="categories of schools that get a profile and a map")
    risk_factors: dict[str, str] = Field(default_factory=lambda: dict(RISK_FACTORS),
                                         description="code → Russian name (rename or extend)")
    level_high: float = Field(0.6, ge=0, le=1, description="score ≥ level_high → high")
    level_medium: float = Field(0.35, ge=0, le=1, description="score ≥ level_medium → medium")
    survey_max_age: int = Field(1, ge=0, description="years a survey answer stays valid")
    derive_missing: bool = True
    derivations: list[DerivationRule] = Field(default_factory=_default_rules)
    modules: list[ModuleRule] = Field(default_factory=_default_modules)
    max_problems: int = Field(4, ge=1, le=10)
    min_problems: int = Field(1, ge=0, le=4)
    problem_min_level: str = Field("medium", pattern="^(high|medium|low)$",
                                   description="problems below this level enter only to reach "
                                               "min_problems")

    @model_validator(mode="after")
    def _thresholds(self) -> "RisksParams":
        if self.level_medium > self.level_high:
            raise ValueError("level_medium не может быть больше level_high")
        return self


# ------------------------------------------------------------------------------ helpers
def level_of(score: float, params: RisksParams) -> str:
    """high / medium / low of a score in [0, 1] by the params thresholds."""
    if score >= params.level_high:
        return "high"
    if score >= params.level_medium:
        return "medium"
    return "low"


def derived_score(value: float, rule: DerivationRule) -> float:
    """Linear score of an indicator value: 0 at rule.zero_at, 1 at rule.one_at, clipped."""
    return float(np.clip((value - rule.zero_at) / (rule.one_at - rule.zero_at), 0.0, 1.0))


def listed_schools(identification: pd.DataFrame, year: int, categories: list[str]) -> list[str]:
    """School ids in the given categories in `year` (sorted)."""
    if identification is None or len(identification) == 0 or "category" not in identification:
        return []
    idf = identification[(identification["year"] == year)
                         & identification["category"].isin(categories)]
    return sorted(idf["school_id"].astype(str).unique().tolist())


def latest_per_school(df: pd.DataFrame, year: int, max_age: int | None = None) -> pd.DataFrame:
    """Rows of the latest year ≤ `year` per school (within max_age years when given)."""
    if df is None or len(df) == 0:
        return pd.DataFrame(columns=list(df.columns) if df is not None else ["school_id", "year"])
    d = df[df["year"] <= year]
    if max_age is not None:
        d = d[d["year"] >= year - max_age]
    if len(d) == 0:
        return d
    last = d.groupby("school_id")["year"].transform("max")
    return d[d["year"] == last]


def school_share_low(results: pd.DataFrame, year: int) -> pd.Series:
    """Share of «2» / below-minimum results per school in `year` (participant-weighted)."""
    if results is None or len(results) == 0 or "n_low" not in results:
        return pd.Series(dtype=float)
    r = results[(results["year"] == year) & results["n_low"].notna()]
    g = r.groupby("school_id")[["n_low", "n_participants"]].sum()
    g = g[g["n_participants"] > 0]
    return (g["n_low"] / g["n_participants"]).astype(float)


# ------------------------------------------------------------------------------ profiles
def survey_scores(risk_survey: pd.DataFrame, schools: list[str], year: int,
                  params: RisksParams) -> pd.DataFrame:
    """Mean over sources of the latest survey (≤ year, within survey_max_age) per school × factor.

    Columns: school_id, risk_factor, score, source (Russian, lists the sources)."""
    cols = ["school_id", "risk_factor", "score", "source"]
    if risk_survey is None or len(risk_survey) == 0:
        return pd.DataFrame(columns=cols)
    rs = risk_survey[risk_survey["school_id"].astype(str).isin(schools)].copy()
    rs["school_id"] = rs["school_id"].astype(str)
    rs = rs[rs["value"].notna()]
    rs = latest_per_school(rs, year, params.survey_max_age)
    if len(rs) == 0:
        return pd.DataFrame(columns=cols)
    if "source" not in rs:
        rs["source"] = ""
    rs["source"] = rs["source"].fillna("").astype(str)
    rs["value"] = rs["value"].astype(float).clip(0, 1)
    out = (rs.groupby(["school_id", "risk_factor"], sort=True)
           .agg(score=("value", "mean"),
                sources=("source", lambda s: ", ".join(sorted({x for x in s if x}))),
                survey_year=("year", "max"))
           .reset_index())
    out["source"] = [f"анкетирование {int(y)}" + (f" ({s})" if s else "")
                     for y, s in zip(out["survey_year"], out["sources"])]
    return out[cols]


def monitoring_levels(monitoring: pd.DataFrame | None, schools: list[str],
                      year: int) -> dict[str, dict[str, float]]:
    """school → {"monitoring:<domain>": value}: mean of the domain's higher-is-better indicators
    in its latest wave (final, else intermediate, else entry) of the latest year ≤ year."""
    out: dict[str, dict[str, float]] = {}
    if monitoring is None or len(monitoring) == 0:
        return out
    m = monitoring.assign(school_id=monitoring["school_id"].astype(str))
    m = m[m["school_id"].isin(schools) & m["value"].notna()]
    if "higher_is_better" in m:
        m = m[m["higher_is_better"].fillna(True).astype(bool)]
    m = latest_per_school(m, year)
    if len(m) == 0:
        return out
    rank = {"entry": 0, "intermediate": 1, "final": 2}
    m = m.assign(_w=m["wave"].map(rank).fillna(-1))
    last = m.groupby(["school_id", "domain"])["_w"].transform("max")
    m = m[m["_w"] == last]
    for (sid, dom), v in m.groupby(["school_id", "domain"])["value"].mean().items():
        out.setdefault(sid, {})[f"monitoring:{dom}"] = float(v)
    return out


def derived_scores(context: pd.DataFrame, results: pd.DataFrame, schools: list[str], year: int,
                   params: RisksParams, share_low: pd.Series | None = None,
                   monitoring: pd.DataFrame | None = None) -> pd.DataFrame:
    """Scores derived from context indicators (latest year ≤ year), the school's share of «2»
    and monitoring indices.

    When several rules feed one factor their scores are averaged. Columns: school_id,
    risk_factor, score, source."""
    cols = ["school_id", "risk_factor", "score", "source"]
    values: dict[str, dict[str, float]] = {s: {} for s in schools}
    if context is not None and len(context):
        ctxl = latest_per_school(context.assign(school_id=context["school_id"].astype(str)), year)
        ctxl = ctxl[ctxl["school_id"].isin(schools)]
        for rec in ctxl.to_dict("records"):
            for k, v in rec.items():
                if k not in ("school_id", "year") and isinstance(v, (int, float, np.floating)) \
                        and not isinstance(v, bool) and v == v:
                    values[rec["school_id"]][k] = float(v)
    if share_low is None:
        share_low = school_share_low(results, year)
    for sid, v in share_low.items():
        if str(sid) in values and v == v:
            values[str(sid)]["share_low"] = float(v)
    for sid, vals in monitoring_levels(monitoring, schools, year).items():
        values[sid].update(vals)
    rows = []
    for sid in schools:
        per: dict[str, list[tuple[float, str]]] = {}
        for rule in params.derivations:
            if rule.indicator in values[sid]:
                per.setdefault(rule.risk_factor, []).append(
                    (derived_score(values[sid][rule.indicator], rule), rule.indicator))
        for factor, items in per.items():
            names = ", ".join(_indicator_ru(i) for _, i in items)
            rows.append({"school_id": sid, "risk_factor": factor,
                         "score": float(np.mean([s for s, _ in items])),
                         "source": f"расчёт по данным: {names}"})
    return pd.DataFrame(rows, columns=cols)


def _indicator_ru(name: str) -> str:
    if name == "share_low":
        return "доля «2» / ниже минимума"
    if name.startswith("monitoring:"):
        dom = name.split(":", 1)[1]
        return "мониторинг: " + DOMAINS_RU.get(dom, dom)
    return INDICATOR_LABELS_RU.get(name, name).lower() if name in INDICATOR_LABELS_RU else name


def risk_profiles(schools: list[str], year: int, risk_survey: pd.DataFrame,
                  context: pd.DataFrame, results: pd.DataFrame, params: RisksParams,
                  share_low: pd.Series | None = None,
                  monitoring: pd.DataFrame | None = None) -> pd.DataFrame:
    """Risk profile rows (school × factor) of the given schools in `year`.

    Survey answers win; a factor without a survey answer is derived when a rule supports it
    (`derived`=True). Factors with neither are absent (the briefing shows «нет данных»)."""
    survey = survey_scores(risk_survey, schools, year, params)
    survey["derived"] = False
    parts = [survey]
    if params.derive_missing:
        der = derived_scores(context, results, schools, year, params, share_low, monitoring)
        have = set(zip(survey["school_id"], survey["risk_factor"]))
        der = der[[(s, f) not in have for s, f in zip(der["school_id"], der["risk_factor"])]]
        der["derived"] = True
        parts.append(der)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=RISK_PROFILE_COLUMNS)
    df = pd.concat(parts, ignore_index=True)
    df = df[df["risk_factor"].isin(list(params.risk_factors))].copy()
    df["year"] = int(year)
    df["risk_name"] = df["risk_factor"].map(params.risk_factors)
    df["score"] = df["score"].astype(float).round(4)
    df["level"] = [level_of(s, params) for s in df["score"]]
    df["derived"] = df["derived"].astype(bool)
    order = {f: i for i, f in enumerate(params.risk_factors)}
    df["_o"] = df["risk_factor"].map(order)
    df = df.sort_values(["school_id", "_o"], kind="mergesort").drop(columns="_o")
    return df[RISK_PROFILE_COLUMNS].reset_index(drop=True)


# ------------------------------------------------------------------------------ tech map
def tech_map(profiles: pd.DataFrame, params: RisksParams) -> pd.DataFrame:
    """Draft technological map: per school its 1–4 priority problems with module and six levels.

    A problem's score is the maximum score of its risk factors; problems at `problem_min_level`
    or above are taken highest first up to `max_problems`; if fewer than `min_problems` qualify,
    the next highest are added. Ties are broken by the order of the modules table."""
    if profiles is None or len(profiles) == 0:
        return pd.DataFrame(columns=TECH_MAP_COLUMNS)
    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    min_rank = rank[params.problem_min_level]
    rows = []
    for (sid, year), g in profiles.groupby(["school_id", "year"], sort=True):
        score = dict(zip(g["risk_factor"], g["score"].astype(float)))
        cands = []
        for i, rule in enumerate(params.modules):
            present = [(score[f], f) for f in rule.risk_factors if f in score]
            if not present:
                continue
            s = max(v for v, _ in present)
            factors = [f for _, f in sorted(present, key=lambda t: -t[0])]
            cands.append((s, i, rule, factors))
        cands.sort(key=lambda t: (-t[0], t[1]))
        chosen = [c for c in cands if rank[level_of(c[0], params)] <= min_rank][:params.max_problems]
        if len(chosen) < params.min_problems:
            chosen = cands[:params.min_problems]
        for prio, (s, _, rule, factors) in enumerate(chosen, start=1):
            row = {"school_id": sid, "year": int(year), "priority": prio, "problem": rule.problem,
                   "risk_factors": ", ".join(factors), "module": rule.module, "score": round(s, 4)}
            row.update({lvl: getattr(rule, lvl) for lvl in TECH_LEVELS})
            rows.append(row)
    return pd.DataFrame(rows, columns=TECH_MAP_COLUMNS)


def write_tech_map_xlsx(tech: pd.DataFrame, schools: pd.DataFrame, folder: Path,
                        risk_names: dict[str, str] | None = None) -> list[Path]:
    """One editable workbook per municipality (`<slug>.xlsx`): one sheet per school with the
    draft map (Russian headers, wrapped text, borders, empty rows for the school's own problems)
    and a sheet describing the support modules. Returns the files written."""
    import xlsxwriter

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if tech is None or len(tech) == 0:
        return []
    info = schools.assign(school_id=schools["school_id"].astype(str)).set_index("school_id")
    t = tech.assign(school_id=tech["school_id"].astype(str))
    t["municipality"] = t["school_id"].map(info["municipality"]).fillna("Муниципалитет не указан")
    written = []
    headers = ["Приоритет", "Проблема", "Факторы риска", "Модуль поддержки",
               *[TECH_LEVELS_RU[lvl] for lvl in TECH_LEVELS]]
    widths = [10, 34, 16, 24, 30, 30, 30, 30, 30, 26]
    for mun, mg in t.groupby("municipality", sort=True):
        path = folder / f"{slugify(str(mun))}.xlsx"
        # data is text, never a formula or a link (a name like «=HYPERLINK(...)» stays text)
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                             "strings_to_urls": False})
        title = wb.add_format({"bold": True, "font_size": 13, "text_wrap": True, "valign": "top"})
        head = wb.add_format({"bold": True, "text_wrap": True, "border": 1, "valign": "top",
                              "bg_color": "#DDEBF7"})
        cell = wb.add_format({"text_wrap": True, "border": 1, "valign": "top"})
        note = wb.add_format({"italic": True, "text_wrap": True, "font_color": "#555555"})
        used: set[str] = set()
        for sid, g in mg.groupby("school_id", sort=True):
            name = str(info["school_name"].get(sid, sid)) if "school_name" in info else sid
            sheet = _sheet_name(sid, used)
            ws = wb.add_worksheet(sheet)
            for c, w in enumerate(widths):
                ws.set_column(c, c, w)
            ws.merge_range(0, 0, 0, len(headers) - 1,
                           f"Технологическая карта адресной помощи (проект). Школа: {name} "
                           f"(код {sid}), {mun}, {int(g['year'].iloc[0])} год", title)
            ws.set_row(0, 36)
            ws.merge_range(1, 0, 1, len(headers) - 1,
                           "ОО выбирает 1–4 проблемы в порядке приоритета, исключает второстепенное; "
                           "формы, мероприятия и проекты адресной поддержки можно дополнить "
                           "и изменить.", note)
            ws.write_row(2, 0, headers, head)
            r = 3
            for rec in g.sort_values("priority").to_dict("records"):
                vals = [int(rec["priority"]), rec["problem"], rec["risk_factors"], rec["module"],
                        *[rec[lvl] for lvl in TECH_LEVELS]]
                ws.write_row(r, 0, vals, cell)
                ws.set_row(r, 75)
                r += 1
            for _ in range(max(0, 4 - len(g))):  # blank rows for the school's own problems
                ws.write_row(r, 0, [""] * len(headers), cell)
                ws.set_row(r, 45)
                r += 1
            ws.freeze_panes(3, 2)
            ws.set_landscape()
            ws.set_paper(9)  # A4
            ws.fit_to_pages(1, 0)
        ws = wb.add_worksheet("Модули")
        ws.set_column(0, 0, 36)
        ws.set_column(1, 1, 80)
        ws.write_row(0, 0, ["Модуль", "Содержание помощи"], head)
        for i, (mname, desc) in enumerate(MODULES.items(), start=1):
            ws.write_row(i, 0, [mname, desc], cell)
        if risk_names:
            ws.write_row(len(MODULES) + 2, 0, ["Код фактора риска", "Фактор риска"], head)
            for i, (code, rname) in enumerate(risk_names.items(), start=len(MODULES) + 3):
                ws.write_row(i, 0, [code, rname], cell)
        wb.close()
        written.append(path)
    return written


def _sheet_name(school_id: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\'" else ch for ch in str(school_id))[:28] or "школа"
    name, k = base, 1
    while name.lower() in used:
        k += 1
        name = f"{base[:25]}_{k}"
    used.add(name.lower())
    return name

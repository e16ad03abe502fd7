"""Params sections `briefings` and `risks` (risk profiles and the technological map), with the
default table risk factor → problem → support module (design §8, seed 004 appendix 2)."""
from __future__ import annotations

from pydantic import Field, model_validator

from workbench.config.base import StrictModel
from workbench.core.privacy import MIN_CELL
from workbench.core.vocabulary import LISTED_CATEGORIES, RISK_FACTORS


class BriefingsParams(StrictModel):
    """Settings of the briefings stage (params section `briefings`)."""

    min_cell: int = Field(MIN_CELL, ge=1, description="цифры, рассчитанные по меньшему числу "
                                                      "обучающихся, не показываются")
    school_pages: str = Field("all", pattern="^(all|listed)$",
                              description="паспорта для всех школ (`all`) или только для школ из "
                                          "списков (`listed`)")
    progress: bool = Field(True, description="полоса выполнения (tqdm) при создании страниц справок")
    trend_years: int = Field(5, ge=1, description="сколько лет показывать в динамике школы")
    max_results_rows: int = Field(40, ge=1, description="наибольшее число строк таблицы предметов в "
                                                        "паспорте школы")
    xlsx_tech_maps: bool = Field(True, description="записывать технологические карты школ в файлы "
                                                   "xlsx (папка tech_maps)")


class DerivationRule(StrictModel):
    """A risk factor score derived from one indicator when the school has no survey answer.

    The score is linear in the indicator: 0 at `zero_at`, 1 at `one_at`, clipped to [0, 1]
    (so a favourable indicator such as internet speed has zero_at > one_at). `indicator` is a
    context column, `share_low` (the school's share of «2» / below-minimum results) or
    `monitoring:<domain>` (mean of the domain's higher-is-better indicators in the latest wave of
    the school's latest monitoring year).
    """

    risk_factor: str = Field(description="код фактора риска (R01 …)")
    indicator: str = Field(description="показатель: столбец контекста, `share_low` (доля «2» / "
                                       "результатов ниже минимального в школе) или "
                                       "`monitoring:<направление>` (среднее показателей "
                                       "направления, где больше — лучше, в последней волне "
                                       "последнего года мониторинга школы)")
    zero_at: float = Field(description="значение показателя, при котором балл фактора равен 0")
    one_at: float = Field(description="значение показателя, при котором балл фактора равен 1 (у "
                                      "благоприятного показателя, например скорости интернета, "
                                      "zero_at > one_at)")

    @model_validator(mode="after")
    def _distinct(self) -> "DerivationRule":
        if self.zero_at == self.one_at:
            raise ValueError("zero_at и one_at должны различаться")
        return self


class ModuleRule(StrictModel):
    """A problem of the technological map (seed 004, appendix 2): its number and wording, the
    risk factors that choose it, the indicators whose numbers justify it, its support module and
    the forms of support at the six levels (a region renames, rewrites or extends these in
    params). The level texts may name the school's own facts: {partner} (its resource school),
    {curator}, {municipality}, {subjects} (its weakest subjects and grades), {school}."""

    number: int = Field(0, ge=0, description="номер проблемы в приложении 2 (0 — без номера)")
    risk_factors: list[str] = Field(default_factory=list,
                                    description="факторы риска, балл которых выбирает проблему "
                                                "(пусто — проблему выбирает только сама школа)")
    problem: str = Field(description="формулировка проблемы")
    module: str = Field(description="модуль поддержки")
    indicators: list[str] = Field(
        default_factory=list,
        description="столбцы контекста, `share_low` или `weak_subjects`: цифры рядом с проблемой "
                    "(школа в сравнении с регионом)")
    level_oo: str = Field("", description="формы поддержки на уровне ОО; в текстах уровней можно "
                                          "подставлять {partner} (ресурсная школа), {curator}, "
                                          "{municipality}, {subjects} (самые слабые предметы и "
                                          "классы), {school}")
    level_mouo: str = Field("", description="формы поддержки на уровне МОУО")
    level_institute: str = Field("", description="формы поддержки на уровне института (ИРО)")
    level_ministry: str = Field("", description="формы поддержки на уровне министерства")
    level_resource_centres: str = Field("", description="формы поддержки на уровне ресурсных "
                                                        "центров")
    level_other: str = Field("", description="формы поддержки иных организаций")


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
    """The ten problems of appendix 2 in its order and wording, with the modules of the seed."""
    m = ModuleRule
    return [
        m(number=1, risk_factors=["R02"], problem="Наличие вакансий в ОО (указать вакансии)",
          module="Мобильный педагог", indicators=["teacher_vacancy_rate"],
          level_oo="Указать вакансии; внутреннее совместительство, привлечение молодых специалистов",
          level_mouo="Муниципальный кадровый резерв, сетевые формы реализации программ "
                     "({municipality}); куратор: {curator}",
          level_institute="Дистанционные уроки «Мобильного педагога», переподготовка педагогов; "
                          "куратор: {curator}",
          level_ministry="Меры социальной поддержки («Земский учитель», целевое обучение)",
          level_resource_centres="Уроки педагогов ресурсной школы {partner} в сетевой форме",
          level_other="Педагогические колледжи и вузы: практика и трудоустройство выпускников"),
        m(number=2, risk_factors=["R03"], module="Скорая методическая помощь",
          problem="Профдефициты (список учителей русского языка и математики, нуждающихся в "
                  "адресной поддержке)",
          indicators=["weak_subjects", "share_teachers_60plus"],
          level_oo="Список учителей ({subjects}), нуждающихся в адресной поддержке; "
                   "индивидуальные образовательные маршруты",
          level_mouo="Муниципальные методические объединения, наставничество; куратор: {curator}",
          level_institute="Диагностика профессиональных дефицитов учителей ({subjects}), "
                          "адресные курсы повышения квалификации, тьюторское сопровождение",
          level_ministry="Финансирование повышения квалификации",
          level_resource_centres="Стажировки, открытые уроки, наставники ресурсной школы "
                                 "{partner}",
          level_other="Центры непрерывного повышения профессионального мастерства"),
        m(number=3, risk_factors=["R04"], module="Управление качеством образования",
          problem="Отсутствие системы управления качеством образования в ОО",
          indicators=["share_low"],
          level_oo="Программа повышения качества образования, внутришкольная система оценки "
                   "качества и повышения квалификации",
          level_mouo="Муниципальная программа поддержки ШНОР ({municipality}); куратор: "
                     "{curator}",
          level_institute="Командное обучение управленческих команд, экспертиза программ",
          level_ministry="Нормативное обеспечение региональной модели поддержки",
          level_resource_centres="Обмен управленческими практиками с ресурсной школой {partner}",
          level_other="Вузы и центры оценки качества образования: экспертиза и консультации"),
        m(number=4, risk_factors=["R07"], module="Возможности для каждого",
          problem="Высокий процент немотивированных обучающихся", indicators=["share_low"],
          level_oo="Внеурочная деятельность, проектная работа, профориентация",
          level_mouo="Муниципальные конкурсы и проекты, дополнительное образование",
          level_institute="Курсы по повышению учебной мотивации",
          level_ministry="Региональные конкурсы, олимпиады и профориентационные проекты",
          level_resource_centres="Совместные проекты обучающихся с ресурсной школой {partner}",
          level_other="Организации дополнительного образования, «Кванториумы»"),
        m(number=5, risk_factors=["R10"], module="Школа — центр социума",
          problem="Незаинтересованные в качестве обучения и воспитания родители (в каком "
                  "направлении нужно провести работу)",
          indicators=["share_parents_no_higher_ed", "share_low_income"],
          level_oo="Родительский всеобуч, вовлечение родителей в жизнь школы",
          level_mouo="Муниципальная консультационная служба для родителей",
          level_institute="Методические материалы для работы с родителями",
          level_ministry="Региональная консультационная служба для родителей",
          level_resource_centres="Совместные мероприятия для семей с ресурсной школой {partner}",
          level_other="Общественные организации, органы местного самоуправления"),
        m(number=6, risk_factors=["R06"], module="Управление качеством образования",
          problem="Отсутствие часов на подготовку к ЕГЭ и ОГЭ", indicators=["share_low",
                                                                          "weak_subjects"],
          level_oo="Часы на подготовку к ОГЭ и ЕГЭ по предметам ({subjects}) в учебном плане и "
                   "внеурочной деятельности, консультации",
          level_mouo="Сетевые формы реализации образовательных программ; куратор: {curator}",
          level_institute="Курсы по подготовке к ГИА, разбор типичных ошибок",
          level_ministry="Нормативная поддержка сетевых и индивидуальных форм обучения",
          level_resource_centres="Консультации учителей ресурсной школы {partner} для "
                                 "выпускников",
          level_other="Организации дополнительного образования, онлайн-школы"),
        m(number=7, risk_factors=["R01"], module="Ресурсные возможности",
          problem="Низкая скорость Интернета и другие материально-технические проблемы, "
                  "влияющие на качество обучения (указать какие)", indicators=["internet_mbps"],
          level_oo="Указать материально-технические проблемы, влияющие на качество обучения",
          level_mouo="Включение школы в муниципальные программы развития МТБ ({municipality})",
          level_institute="Консультации по использованию цифровых ресурсов",
          level_ministry="Подключение к скоростному Интернету, поставка оборудования "
                         "по региональным и федеральным проектам",
          level_resource_centres="Доступ к оборудованию ресурсной школы {partner}, «Точки роста»",
          level_other="Операторы связи, социальные партнёры"),
        m(number=8, risk_factors=["R05", "R08"], module="Возможности для каждого",
          problem="Наличие детей, нуждающихся в индивидуальной или адресной поддержке (ОВЗ)",
          indicators=["share_ovz", "share_non_native"],
          level_oo="Индивидуальные планы и адаптированные программы, тьюторы; занятия по "
                   "русскому языку как неродному",
          level_mouo="Психолого-педагогическое сопровождение, ПМПК",
          level_institute="Курсы по работе с детьми с ОВЗ и детьми с неродным русским языком",
          level_ministry="Ресурсы ППМС-центров, финансирование тьюторов и специалистов",
          level_resource_centres="Дистанционные консультации специалистов ресурсной школы "
                                 "{partner}",
          level_other="Центры психолого-педагогической помощи"),
        m(number=9, risk_factors=[], module="Одарённые дети",
          problem="Отсутствие возможности адресной поддержки одарённых детей",
          level_oo="Выявление одарённых детей, индивидуальные маршруты, олимпиадная подготовка",
          level_mouo="Муниципальные олимпиады и профильные смены",
          level_institute="Курсы по работе с одарёнными детьми",
          level_ministry="Региональный центр выявления и поддержки одарённых детей",
          level_resource_centres="Занятия и кружки ресурсной школы {partner} для обучающихся",
          level_other="Вузы, «Сириус», организации дополнительного образования"),
        m(number=10, risk_factors=["R09"], module="Школа — центр социума",
          problem="Иное: низкое качество образовательной и воспитательной среды",
          indicators=["share_at_risk_register"],
          level_oo="Программа воспитания, школьные службы медиации, самоуправление",
          level_mouo="Профилактика, взаимодействие с комиссией по делам несовершеннолетних",
          level_institute="Курсы для классных руководителей и советников по воспитанию",
          level_ministry="Региональная программа воспитания и профилактики",
          level_resource_centres="Обмен практиками воспитательной работы с ресурсной школой "
                                 "{partner}",
          level_other="Учреждения культуры и спорта, НКО"),
    ]

class RisksParams(StrictModel):
    """Settings of risk profiles and the technological map (params section `risks`)."""

    categories: list[str] = Field(default_factory=lambda: list(LISTED_CATEGORIES),
                                  description="категории школ, для которых строятся профиль рисков "
                                              "и технологическая карта")
    risk_factors: dict[str, str] = Field(default_factory=lambda: dict(RISK_FACTORS),
                                         description="код → русское название (можно переименовать "
                                                     "или добавить свои)")
    level_high: float = Field(0.6, ge=0, le=1, description="балл ≥ level_high → высокий уровень "
                                                           "риска (`high`)")
    level_medium: float = Field(0.35, ge=0, le=1, description="балл ≥ level_medium → средний уровень "
                                                              "риска (`medium`)")
    survey_max_age: int = Field(1, ge=0, description="сколько лет действителен ответ анкеты")
    derive_missing: bool = Field(True, description="рассчитывать балл фактора без ответа анкеты по "
                                                   "показателям (правила derivations)")
    derivations: list[DerivationRule] = Field(default_factory=_default_rules, description="правила расчёта баллов факторов риска по "
                                                                                          "показателям, когда нет ответа анкеты")
    modules: list[ModuleRule] = Field(default_factory=_default_modules, description="проблемы технологической карты с "
                                                                                    "модулями и формами поддержки")
    max_problems: int = Field(4, ge=1, le=10, description="наибольшее число проблем в "
                                                          "технологической карте школы")
    min_problems: int = Field(1, ge=0, le=4, description="наименьшее число проблем в "
                                                         "технологической карте школы (если надо, "
                                                         "добираются проблемы ниже "
                                                         "problem_min_level)")
    problem_min_level: str = Field("medium", pattern="^(high|medium|low)$",
                                   description="проблемы ниже этого уровня риска (`high`, `medium`, "
                                               "`low`) попадают в карту, только чтобы набрать "
                                               "min_problems")

    @model_validator(mode="after")
    def _thresholds(self) -> "RisksParams":
        if self.level_medium > self.level_high:
            raise ValueError("level_medium не может быть больше level_high")
        return self


# ------------------------------------------------------------------------------ helpers

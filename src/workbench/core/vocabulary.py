"""Codes of the method and their Russian labels: categories, monitoring waves and domains, the
monitoring schedule, risk factors (design §4, §8)."""
from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "low_results_adverse": "ШНОР в неблагоприятных социальных условиях",
    "low_results": "ШНОР (низкие результаты обучения)",
    "watch": "Зона риска (нижняя группа, не включена в список)",
    "adverse_context": "ШФНСУ (неблагоприятные социальные условия)",
    "resilient": "Резильентная школа",
    "high_performing": "Высокие результаты",
    "typical": "Типичная",
    "insufficient_data": "Недостаточно данных",
}
LISTED_CATEGORIES = ["low_results_adverse", "low_results"]  # the ШНОР list
# the order categories are shown in (lists, legends, counts)
CATEGORY_ORDER = ["low_results_adverse", "low_results", "watch", "adverse_context", "resilient",
                  "high_performing", "typical", "insufficient_data"]

WAVES = ["entry", "intermediate", "final"]
WAVES_RU = {"entry": "входной", "intermediate": "промежуточный", "final": "итоговый"}
DOMAINS = ["results", "teaching", "management", "environment"]
DOMAINS_RU = {"results": "результаты обучения", "teaching": "качество преподавания",
              "management": "качество управления", "environment": "школьная среда"}
# monitoring schedule (seed 003, item 13): waves expected per domain and year
SCHEDULE: dict[str, list[str]] = {
    "results": ["entry", "intermediate", "final"],
    "teaching": ["entry", "final"],
    "management": ["final"],
    "environment": ["final"],
}

RISK_FACTORS: dict[str, str] = {
    "R01": "Низкий уровень оснащения школы",
    "R02": "Дефицит педагогических кадров",
    "R03": "Недостаточная предметная и методическая компетентность педагогических работников",
    "R04": "Несформированность внутришкольной системы повышения квалификации",
    "R05": "Риски низкой адаптивности учебного процесса",
    "R06": "Высокая доля обучающихся с рисками учебной неуспешности",
    "R07": "Низкая учебная мотивация обучающихся",
    "R08": "Низкое качество преодоления языковых и культурных барьеров",
    "R09": "Пониженный уровень качества школьной образовательной и воспитательной среды",
    "R10": "Низкий уровень вовлечённости родителей",
}

# ---- the plan of measures (the technological-map workbook's sheet, read back as `plan`)
PLAN_SHEET = "План мероприятий"
# the status of a measure at each calendar quarter end of the school year Y/Y+1
QUARTER_STATUS = {"status_sep": "Статус на 30.09", "status_dec": "Статус на 31.12",
                  "status_mar": "Статус на 31.03", "status_jun": "Статус на 30.06"}
QUARTER_END = {"status_sep": (0, 9, 30), "status_dec": (0, 12, 31), "status_mar": (1, 3, 31),
               "status_jun": (1, 6, 30)}  # (years after Y, month, day)
PLAN_HEADERS: dict[str, str] = {
    "Код ОО": "school_id", "Учебный год": "year", "№ мероприятия": "measure_no",
    "№ проблемы": "problem_number", "Проблема": "problem", "Модуль": "module",
    "Уровень": "level", "Мероприятие": "measure", "Срок": "deadline",
    "Ответственный": "responsible", **{v: k for k, v in QUARTER_STATUS.items()},
    "Примечание": "note"}
STATUSES = {"выполнено": "done", "в работе": "in_progress", "не начато": "not_started",
            "перенесено": "postponed", "отменено": "cancelled"}
STATUSES_RU = {v: k for k, v in STATUSES.items()}
# the six levels of the technological map (appendix 2), as its workbook names them
LEVEL_LABELS = {"level_oo": "На уровне ОО", "level_mouo": "На уровне МОУО",
                "level_institute": "На уровне института (ИРО)",
                "level_ministry": "На уровне министерства",
                "level_resource_centres": "На уровне ресурсных центров",
                "level_other": "Иные организации"}

"""Russian words shared by the briefing pages: the «no data» mark, trends, column headers of the
produced tables shown as they are, and the names of the stages whose tables a page may lack."""
from __future__ import annotations

NO_DATA = "нет данных"

TREND_RU = {"improved": "улучшение", "stable": "без изменений", "declined": "ухудшение"}
COLUMN_RU = {
    "school_id": "Код ОО", "school_name": "Школа", "municipality": "Муниципалитет",
    "year": "Год", "domain": "Направление", "indicator": "Показатель", "wave": "Этап",
    "entry": "Входной", "intermediate": "Промежуточный", "final": "Итоговый",
    "change": "Изменение", "peer_change": "Изменение у похожих школ", "trend": "Динамика",
    "expected": "Ожидалось", "present": "Получено", "observed": "Получено",
    "missing": "Нет данных", "missing_waves": "Отсутствующие этапы", "complete": "Полнота",
    "completeness": "Полнота", "share_complete": "Доля полноты", "n_expected": "Ожидалось",
    "n_present": "Получено", "n_missing": "Не получено",
    "effect": "Эффект", "ci_low": "Нижняя граница", "ci_high": "Верхняя граница",
    "n_treated": "Участники", "n_control": "Сравнение", "cluster": "Кластер",
    "cluster_name": "Кластер", "n_schools": "Школ", "stability": "Устойчивость (ARI)",
    "social_index": "Социальный индекс", "exited": "Вышла из списка", "exit": "Вышла из списка",
    "category_before": "Категория раньше", "category_now": "Категория сейчас",
    "participant": "Участник программы", "p_value": "p", "method": "Метод",
    "n_schools_treated": "Участники", "years_in_list": "Лет в списке",
    "estimate_ru": "Оценка", "domain_ru": "Направление", "conclusion": "Вывод",
    "programme_year": "Год начала программы", "base_year": "Базовый год", "wave_ru": "Этап",
}
PRODUCED_RU = {"identification": "идентификация", "list_changes": "изменения списка",
               "clusters": "кластеры", "cluster_profiles": "профили кластеров",
               "partners": "школы-партнёры", "dynamics": "динамика мониторинга",
               "effectiveness": "эффект программы", "monitoring_completeness": "полнота мониторинга",
               "exits": "выход из списка", "risk_profiles": "профили рисков",
               "tech_map": "технологические карты", "curator_assignments": "кураторы"}

"""The mapping of every input checked against the canonical vocabulary: a `columns` target or a
`constants` key that is neither a column of its table nor a declared context indicator is an
error naming it, with the closest valid names («возможно, share_ovz?»)."""
from __future__ import annotations

from workbench.config.inputs import InputSpec, InputsSpec
from workbench.config.messages import DOCS_TABLES, did_you_mean
from workbench.core.tables import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, STANDARD_INDICATORS

TABLE_RU = {"schools": "школы", "context": "контекст", "results": "результаты",
            "monitoring": "мониторинг", "risk_survey": "анкетирование рисков",
            "programme": "участие в программе",
            "agreements": "соглашения о партнёрстве", "curators": "кураторы",
            "decisions": "решения экспертной группы", "plan": "планы мероприятий"}


def valid_columns(table: str, declared: list[str]) -> list[str]:
    """Canonical names a source column of this table may be mapped onto."""
    names = REQUIRED_COLUMNS[table] + OPTIONAL_COLUMNS[table]
    if table == "context":
        names = names + list(STANDARD_INDICATORS) + [d for d in declared
                                                     if d not in STANDARD_INDICATORS]
    if table == "results":  # pupil-level results are aggregated to the results shape
        names = names + [c for c in REQUIRED_COLUMNS["results_students"]
                         + OPTIONAL_COLUMNS["results_students"] if c not in names]
    return names


def mapping_errors(inputs: InputsSpec, declared: list[str]) -> list[str]:
    """Russian lines for every unknown target of `columns` and key of `constants`."""
    lines: list[str] = []
    for table, spec, where in inputs.entries():
        lines += _spec_errors(table, spec, where, declared)
    return lines


def _spec_errors(table: str, spec: InputSpec, where: str, declared: list[str]) -> list[str]:
    valid = valid_columns(table, declared)
    extra = (" Свой показатель контекста объявите в context_indicators." if table == "context"
             else "")
    lines = []
    for src, dst in spec.targets().items():
        if dst not in valid:
            lines.append(f"{where}.columns: столбец «{src}» сопоставлен с «{dst}», но такого поля "
                         f"нет в таблице {table} ({TABLE_RU[table]}){did_you_mean(dst, valid) or '.'} "
                         f"Поля таблиц — в {DOCS_TABLES}.{extra}")
    for name in spec.constants:
        if name not in valid:
            lines.append(f"{where}.constants: «{name}» — не поле таблицы {table} "
                         f"({TABLE_RU[table]}){did_you_mean(name, valid) or '.'} Поля таблиц — в "
                         f"{DOCS_TABLES}.")
    targets = list(spec.targets().values())
    if spec.year_from != "column" and ("year" in targets or "year" in spec.constants):
        lines.append(f"{where}: год берётся из {'имени файла' if spec.year_from == 'filename' else 'заголовка'} "
                     f"(year_from: {spec.year_from}), а в columns или constants задан ещё и "
                     f"год — оставьте что-то одно")
    return lines

"""The params reference, generated from the pydantic models: every key with its type, default
and meaning. `python -m workbench.config.reference` writes docs/params.md; a test fails when
the file is stale (tests/config/test_reference.py)."""
from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from workbench.config.messages import is_model, unwrap_annotated
from workbench.config.params import Params

DOCS_FILE = Path(__file__).resolve().parents[3] / "docs" / "params.md"
LONG = 70  # characters of a default shown in the table

HEADER = """# Параметры запуска: все ключи

<!-- создан командой `python -m workbench.config.reference` по моделям pydantic из
src/workbench/config/; не правьте вручную: tests/config/test_reference.py падает, если файл устарел -->

Файл параметров — YAML (`params/<регион>.yaml`). Обязателен только раздел `inputs` с файлом
списка школ; у всех остальных ключей есть значения по умолчанию. Неизвестный ключ — ошибка с его
именем и подсказкой («возможно, …?»). Поля канонических таблиц, на которые отображаются столбцы
файлов (`columns`), описаны в [canonical_tables.md](canonical_tables.md). Учебный год: `year` —
первый календарный год учебного года (2024 — это 2024/25); весенняя процедура 2025 года относится
к 2024/25 (`year_is: spring_calendar`).

Для каждого ключа указаны тип, значение по умолчанию и смысл. Разделы идут в порядке ключей
верхнего уровня; у каждого вложенного раздела — своя таблица. `null` в YAML — «значение не задано».
"""


# The Russian line under each section heading (class docstrings stay English, the code rule); a
# model missing here falls back to its docstring and tests/config/test_reference.py fails.
SECTION_TITLES: dict[str, str] = {
    "Params": "Ключи верхнего уровня; у каждого раздела ниже своя таблица.",
    "IndicatorSpec": "Объявленный показатель контекста: его направление и русское название, "
                     "которое показывают все результаты.",
    "InputsSpec": "Входные файлы региона: по одной записи на каждую каноническую таблицу "
                  "(`results` — список записей).",
    "InputSpec": "Один исходный файл (или шаблон имён для файлов по годам) и то, как он "
                 "отображается на каноническую таблицу.",
    "ColumnSpec": "Столбец исходного файла, сопоставленный с каноническим именем, и шкала его "
                  "значений.",
    "IngestParams": "Настройки этапа загрузки данных.",
    "QualityParams": "Настройки контроля качества данных: если отклонено слишком много строк "
                     "входной таблицы, запуск останавливается и ничего не публикует.",
    "IdentifyParams": "Настройки этапа идентификации: индекс результатов, устойчивый уровень, "
                      "нижняя группа, категории школ, признаки необъективности результатов.",
    "ClustersParams": "Настройки этапа кластеризации: кластеры школ со сходным контекстом.",
    "PartnersParams": "Настройки подбора ресурсных школ-партнёров.",
    "CuratorsParams": "Настройки закрепления кураторов за школами.",
    "MonitoringParams": "Настройки этапа мониторинга и оценки эффекта программы.",
    "RisksParams": "Настройки профилей рисков и технологической карты.",
    "DerivationRule": "Балл фактора риска, рассчитанный по одному показателю, когда у школы нет "
                      "ответа анкеты: 0 при значении `zero_at`, 1 при `one_at`, между ними — "
                      "линейно, за пределами — 0 или 1.",
    "ModuleRule": "Проблема технологической карты (приложение 2 исходного документа 004): номер "
                  "и формулировка, факторы риска, которые её выбирают, показатели, которые её "
                  "подтверждают, модуль поддержки и формы поддержки на шести уровнях.",
    "BriefingsParams": "Настройки этапа справок (HTML-паспорта школ и справка по региону).",
    "ExplorerParams": "Настройки обозревателя и его сервера для семинара (`workbench present`).",
    "OrderParams": "Заголовок и подпись списков в виде приложения к приказу министерства (лист "
                   "«Приложение к приказу» в lists.xlsx и lists_annex.docx); пустые номер и дата "
                   "печатаются как пропуски для заполнения от руки.",
    "ReportParams": "Какой отчёт пишет этап `reports` (параметр командной строки `--period` "
                    "важнее этого ключа).",
}


def section_title(model: type[BaseModel]) -> str:
    """The Russian line of a section (the first docstring line when the model has none yet)."""
    if model.__name__ in SECTION_TITLES:
        return SECTION_TITLES[model.__name__]
    return (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""


def type_text(annotation: Any) -> str:
    """A type as the reference shows it."""
    annotation = unwrap_annotated(annotation)
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation)]
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [type_text(a) for a in args if a is not type(None)]
        text = " или ".join(parts)
        return text + (" или null" if type(None) in args else "")
    if origin is list:
        return f"список: {type_text(args[0])}"
    if origin is dict:
        return f"словарь: {type_text(args[0])} → {type_text(args[1])}"
    if is_model(annotation):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {str: "текст", int: "целое", float: "число", bool: "true/false", Path: "путь",
            Any: "любое"}.get(annotation, getattr(annotation, "__name__", str(annotation)))


def default_text(field: Any) -> str:
    """A field's default as YAML would show it (long ones shortened)."""
    if field.is_required():
        return "обязательный"
    value = field.default_factory() if field.default_factory is not None else field.default
    if value is PydanticUndefined:
        return "—"
    if isinstance(value, BaseModel):
        return "(раздел со значениями по умолчанию)"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"(таблица по умолчанию, строк: {len(value)})"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return f"`{text}`" if len(text) <= LONG else f"`{text[:LONG]}…`"


def _models(model: type[BaseModel], seen: list[type[BaseModel]]) -> list[type[BaseModel]]:
    """The model and every model nested in its fields, depth first, each once."""
    if model in seen:
        return seen
    seen.append(model)
    for field in model.model_fields.values():
        for sub in _nested(field.annotation):
            _models(sub, seen)
    return seen


def _nested(annotation: Any) -> list[type[BaseModel]]:
    annotation = unwrap_annotated(annotation)
    if is_model(annotation):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _nested(a)]


def _section(model: type[BaseModel], where: str) -> list[str]:
    lines = [f"## {model.__name__}", "", f"{where}. {section_title(model)}".strip(), "",
             "| ключ | тип | по умолчанию | описание |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        desc = (field.description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{name}` | {type_text(field.annotation)} | {default_text(field)} | "
                     f"{desc} |")
    return lines + [""]


def _where(models: list[type[BaseModel]]) -> dict[type[BaseModel], str]:
    """Where each model sits in the params file («Ключ `ingest`», «Ключи `inputs.schools`, …»)."""
    places: dict[type[BaseModel], list[str]] = {models[0]: []}
    for parent in models:
        for name, field in parent.model_fields.items():
            for sub in _nested(field.annotation):
                if sub is parent:
                    continue
                prefix = _common(places.get(parent) or [""])
                places.setdefault(sub, []).append(f"{prefix}.{name}" if prefix else name)
    out = {models[0]: "Верхний уровень файла"}
    for m, where in places.items():
        if m is not models[0]:
            keys = ", ".join(f"`{w}`" for w in where)
            out[m] = f"Ключ {keys}" if len(where) == 1 else f"Ключи {keys}"
    return out


def _common(paths: list[str]) -> str:
    """One dotted path for several («inputs.schools», «inputs.context» → «inputs.*»)."""
    if len(paths) == 1:
        return paths[0]
    parts = [p.split(".") for p in paths]
    same = [a[0] for a in zip(*parts) if len(set(a)) == 1]
    return ".".join(same + ["*"])


def reference_markdown() -> str:
    """The whole of docs/params.md."""
    models = _models(Params, [])
    where = _where(models)
    lines = [HEADER]
    for m in models:
        lines += _section(m, where[m])
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write docs/params.md (or the path given)."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else DOCS_FILE
    target.write_text(reference_markdown(), encoding="utf-8")
    print(f"{target}: {len(reference_markdown().splitlines())} строк")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

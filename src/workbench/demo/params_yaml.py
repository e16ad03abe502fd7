"""The params file of the demo region (design §5): the inputs mapped column by column onto the
files `write_demo` writes, commented in Russian for methodologists; paths relative to the
project folder when the data lie inside it."""
from __future__ import annotations

from pathlib import Path

from workbench.config import base_dir_for
from workbench.demo.decisions import decisions_params_lines
from workbench.demo.files import (AGREEMENT_HEADERS, CONTEXT_HEADERS, CURATOR_HEADERS, EXAM_HEADERS,
                                  MONITORING_HEADERS, PROGRAMME_HEADERS, RISK_HEADERS,
                                  SCHOOL_HEADERS, STUDENT_HEADERS)
from workbench.demo.pupil_file import PUPIL_HEADERS
from workbench.demo.plan import plan_params_lines


def _rel_or_abs(path: Path, base: Path) -> str:
    """Path for the params file: relative to the project folder when inside it, else absolute."""
    path = path.resolve()
    try:
        return path.relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _inverse(headers: dict[str, str]) -> dict[str, str]:
    """Canonical name → file header as the params' «file header: canonical name» mapping."""
    return {v: k for k, v in headers.items()}


def _yaml_map(mapping: dict[str, str], indent: int) -> list[str]:
    pad = " " * indent
    return [f'{pad}"{k}": {v}' for k, v in mapping.items()]


def _head_lines() -> list[str]:
    """What the file is, run id and region."""
    return [
        "# Параметры запуска для демонстрационного региона (вымышленного).",
        "# Файл записан командой `workbench demo`; чтобы подключить свой регион, скопируйте его,",
        "# поменяйте пути к файлам и сопоставление столбцов (columns: «столбец в файле»: имя в",
        "# workbench), остальное можно не трогать: у всех настроек методики есть значения по умолчанию.",
        "# Относительные пути отсчитываются от папки проекта (родительской для папки params/).",
        "run_id: demo                       # папка результатов: outputs/demo/",
        "region: Демонстрационный край      # название региона в отчётах",
        "# stages: [ingest, identify, clusters, monitoring, briefings]   # можно запустить часть этапов",
        "",
    ]


def _schools_context_lines(d: str) -> list[str]:
    """inputs: schools and context."""
    return [
        "inputs:",
        "  # Справочник образовательных организаций (ОО): одна строка на школу.",
        "  schools:",
        f"    path: {d}/schools.xlsx",
        "    sheet: ОО                        # имя или номер (с 0) листа Excel",
        "    columns:",
        *_yaml_map(_inverse(SCHOOL_HEADERS), 6),
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
                    **_inverse(CONTEXT_HEADERS)}, 6),
        "",
    ]


def _vpr_pupil_lines(d: str, pupil_results: str) -> list[str]:
    """inputs: results, the ВПР entry of a demo written pupil by pupil."""
    return [
        "    # ВПР по обучающимся: по строке на участника и предмет (агрегируется при загрузке",
        "    # DuckDB прямо из файла; коды обучающихся в отчёты не попадают).",
        f"    - path: {d}/vpr_pupils.{pupil_results}",
        *(["      encoding: utf-8", '      sep: ","'] if pupil_results == "csv" else []),
        "      columns:",
        *_yaml_map(_inverse(PUPIL_HEADERS), 8),
        "      constants: {procedure: ВПР}     # столбца «Процедура» в файле нет",
    ]


def _results_lines(d: str, results_format: str, pupil_results: str | None = None) -> list[str]:
    """inputs: results (ВПР in the chosen format or pupil by pupil, ОГЭ/ЕГЭ, РДР pupil by
    pupil)."""
    vpr = _vpr_lines(d, results_format) if pupil_results is None else \
        _vpr_pupil_lines(d, pupil_results)
    return ["  # Результаты оценочных процедур: список файлов разной формы.", "  results:",
            *vpr, *_exam_rdr_lines(d)]


def _vpr_lines(d: str, results_format: str) -> list[str]:
    """inputs: results, the yearly ВПР files."""
    lines = [
        "    # ВПР: по файлу на год (шаблон пути *), количество отметок «2»…«5».",
        f"    - path: {d}/vpr_*.{results_format}",
    ]
    if results_format == "xlsx":
        lines += ["      header_row: 2                  # в строке 1 — заголовок таблицы"]
    elif results_format == "csv":
        lines += ["      encoding: utf-8-sig", '      sep: ";"']
    return lines + [
        "      columns:",
        *_yaml_map({"Код ОО": "school_id", "Учебный год": "year", "Предмет": "subject",
                    "Класс": "grade", "Кол-во участников": "n_participants", "2": "n_mark2",
                    "3": "n_mark3", "4": "n_mark4", "5": "n_mark5"}, 8),
        "      constants: {procedure: ВПР}     # столбца «Процедура» в файле нет",
    ]


def _exam_rdr_lines(d: str) -> list[str]:
    """inputs: results, ОГЭ/ЕГЭ and the РДР pupil by pupil."""
    return [
        "    # ОГЭ и ЕГЭ: средний балл, стандартное отклонение, не преодолевшие минимальный порог.",
        f"    - path: {d}/oge_ege.csv",
        "      encoding: utf-8-sig",
        '      sep: ","',
        "      columns:",
        *_yaml_map(_inverse(EXAM_HEADERS), 8),
        "    # Региональная диагностическая работа: по строке на участника (агрегируется при загрузке,",
        "    # сведения об отдельных обучающихся в отчёты не попадают).",
        f"    - path: {d}/rdr_students.csv",
        "      encoding: utf-8",
        '      sep: ","',
        "      columns:",
        *_yaml_map(_inverse(STUDENT_HEADERS), 8),
        "      constants: {procedure: РДР}",
        "",
    ]


def _programme_lines(d: str) -> list[str]:
    """inputs: monitoring, risk survey and programme."""
    return [
        "  # Мониторинг школ — участниц программы: этапы входной / промежуточный / итоговый.",
        "  monitoring:",
        f"    path: {d}/monitoring.csv",
        "    encoding: utf-8-sig",
        '    sep: ";"',
        '    decimal: ","',
        "    columns:",
        *_yaml_map(_inverse(MONITORING_HEADERS), 6),
        "",
        "  # Анкетирование по факторам риска (R01…R10), значения от 0 до 1 (выше — больше риск).",
        "  risk_survey:",
        f"    path: {d}/risk_survey.csv",
        "    encoding: utf-8",
        '    sep: ","',
        "    columns:",
        *_yaml_map(_inverse(RISK_HEADERS), 6),
        "",
        "  # Участие в программе поддержки (да/нет), куратор и школа-партнёр.",
        "  programme:",
        f"    path: {d}/programme.csv",
        "    encoding: utf-8-sig",
        '    sep: ","',
        "    columns:",
        *_yaml_map(_inverse(PROGRAMME_HEADERS), 6),
        "",
        "  # Соглашения о партнёрстве: школа, школа-партнёр, номер, дата, срок действия, статус.",
        "  agreements:",
        f"    path: {d}/agreements.csv",
        "    encoding: utf-8-sig",
        '    sep: ","',
        "    columns:",
        *_yaml_map(_inverse(AGREEMENT_HEADERS), 6),
        "",
        "  # Кураторы: код, ФИО, организация, муниципалитет, предельная нагрузка (школ).",
        "  curators:",
        f"    path: {d}/curators.csv",
        "    encoding: utf-8-sig",
        '    sep: ","',
        "    columns:",
        *_yaml_map(_inverse(CURATOR_HEADERS), 6),
        "",
    ]


def _method_lines() -> list[str]:
    """Method settings: all defaults."""
    return [
        "# Настройки методики (identification:, clusters:, partners:, curators:, monitoring:, risks:,",
        "# briefings:)",
        "# не заданы — действуют значения по умолчанию, описанные в README. Число кластеров тоже",
        "# не задано: оно выбирается по данным (BIC смеси распределений, см. docs/clusters_method.md);",
        "# чтобы задать его самим, добавьте, например:",
        "# clusters:",
        "#   k: 5",
        "",
    ]


def params_yaml(data_ref: str, results_format: str = "xlsx",
                pupil_results: str | None = None) -> str:
    """Text of the demo params file (design §5), commented in Russian for methodologists.

    `data_ref` is the data folder as it should appear in the file (relative or absolute)."""
    d = data_ref.rstrip("/")
    return "\n".join([*_head_lines(), *_schools_context_lines(d), *_results_lines(d, results_format, pupil_results),
                      *_programme_lines(d), *decisions_params_lines(d),
                      *plan_params_lines(d), *_method_lines()])


def write_params(params_path: Path, out_dir: Path, results_format: str,
                 pupil_results: str | None = None) -> None:
    """Write the params file for data in `out_dir` (project folder as `config.base_dir_for`)."""
    params_path.parent.mkdir(parents=True, exist_ok=True)
    data_ref = _rel_or_abs(out_dir, base_dir_for(params_path))
    params_path.write_text(params_yaml(data_ref, results_format, pupil_results), encoding="utf-8")

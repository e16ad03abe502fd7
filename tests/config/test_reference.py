"""docs/params.md is generated from the params models and kept in step; the keys of the sections
this project reads from users' files (top level, inputs, ingest, quality) all say what they mean,
and everything a user reads there is Russian (code names in backticks aside)."""
from __future__ import annotations

import re
from pathlib import Path

from workbench.config.inputs import ColumnSpec, InputSpec, InputsSpec
from workbench.config.ingest import IngestParams
from workbench.config.params import IndicatorSpec, Params
from workbench.config.quality import QualityParams
from workbench.config.reference import SECTION_TITLES, _models, reference_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "params.md"


def test_params_reference_is_not_stale():
    assert DOCS.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/params.md is stale: run `python -m workbench.config.reference`")


def test_reference_lists_every_key_of_every_section():
    text = reference_markdown()
    for model in (Params, InputsSpec, InputSpec, ColumnSpec, IndicatorSpec, IngestParams,
                  QualityParams):
        assert f"## {model.__name__}" in text
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            assert f"| `{name}` |" in text, name
            assert field.description, f"{model.__name__}.{name} has no description"
    assert "| `max_rejected_share` | число | `0.05` |" in text
    assert "| `year_is` | `school_year` \\| `spring_calendar` | `\"school_year\"` |" in text


# three English words in a row (code names in backticks are not prose; a list of names such as
# «CSV, Parquet, DuckDB» is not either), or one English function word: «rows of the list», «or»
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?: +[A-Za-z][A-Za-z'’-]*){2,}")
ENGLISH_WORD = re.compile(r"(?<![\w`])(?:the|of|and|or|is|are|to|for|with|when|from|by|per|"
                          r"its|if|not|only|None)(?![\w`])")  # None: YAML says `null`
NOT_YET_RUSSIAN: set[str] = set()  # sections whose descriptions may still be English (none)


def english_prose(text: str) -> list[str]:
    """The English runs of a piece of the reference, code names in backticks left out."""
    plain = re.sub(r"`[^`]*`", "", text)
    return ENGLISH_RUN.findall(plain) + ENGLISH_WORD.findall(plain)


def prose_lines(markdown: str) -> list[tuple[str, str, str]]:
    """(section, kind, text) of everything the reference says in words: the header and each
    section's line (kind «line») and each key's description (kind «description»); not the key,
    type and default cells, nor the headings."""
    out: list[tuple[str, str, str]] = []
    section = "header"
    for line in markdown.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("| `"):
            cells = re.split(r"(?<!\\)\|", line)
            out.append((section, "description", f"{cells[1].strip()}: {cells[4].strip()}"))
        elif line.strip() and not line.startswith(("|", "# ")):
            out.append((section, "line", line))
    return out


def test_english_prose_check_finds_english_and_passes_russian():
    assert english_prose("rows of the list on one page")
    assert english_prose("доля; the others use it")
    assert english_prose("потоков BLAS; None = все")
    assert not english_prose("доля строк `max_rejected_share`, например {results: 0.10}; "
                             "`null` — определить автоматически (CSV, DuckDB, k-means++)")


def test_reference_has_no_english_prose():
    found = [f"{section} {text} → {english_prose(text)}"
             for section, kind, text in prose_lines(reference_markdown())
             if english_prose(text) and not (section in NOT_YET_RUSSIAN and kind == "description")]
    assert not found, "English prose in docs/params.md:\n" + "\n".join(found)


def test_every_section_has_a_russian_title():
    """A new params model needs its line in reference.SECTION_TITLES (the class docstring stays
    English: the code rule)."""
    names = [m.__name__ for m in _models(Params, [])]
    assert [n for n in names if n not in SECTION_TITLES] == []
    assert [n for n in SECTION_TITLES if n not in names] == []
    for name, title in SECTION_TITLES.items():
        assert not english_prose(title), name
        assert re.search("[а-яё]", title), name

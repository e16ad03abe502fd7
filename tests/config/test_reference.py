"""docs/params.md is generated from the params models and kept in step; the keys of the sections
this project reads from users' files (top level, inputs, ingest, quality) all say what they mean."""
from __future__ import annotations

from pathlib import Path

from workbench.config.inputs import ColumnSpec, InputSpec, InputsSpec
from workbench.config.ingest import IngestParams
from workbench.config.params import IndicatorSpec, Params
from workbench.config.quality import QualityParams
from workbench.config.reference import reference_markdown

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

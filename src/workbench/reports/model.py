"""What a report is made of: sections with Russian paragraphs and tables (rendered to printable
HTML and to xlsx by `render.py`), and the small wording helpers shared by both reports."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.core.formatting import fmt_int, fmt_pct, plural_ru


@dataclass
class Section:
    """A heading, its paragraphs and its tables (caption → table with Russian headers)."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)


@dataclass
class Report:
    """A report: its title, the lines under it and its sections."""

    kind: str          # quarterly | annual
    code: str          # 2026-Q1 | 2025
    title: str
    subtitle: list[str]
    sections: list[Section]

    @property
    def stem(self) -> str:
        return f"quarterly_{self.code}" if self.kind == "quarterly" else f"annual_{self.code}"


def n_schools(n: int) -> str:
    """«1 школа», «3 школы», «12 школ»."""
    return f"{fmt_int(n)} {plural_ru(n, 'школа', 'школы', 'школ')}"


def in_schools(n: int) -> str:
    """«в 1 школе», «в 28 школах»."""
    return f"в {fmt_int(n)} {plural_ru(n, 'школе', 'школах', 'школах')}"


def plural(n: int, one: str, few: str, many: str) -> str:
    """«144 замера», «5 замеров»."""
    return f"{fmt_int(n)} {plural_ru(n, one, few, many)}"


def n_measures(n: int) -> str:
    """«1 мероприятие», «3 мероприятия», «12 мероприятий»."""
    return f"{fmt_int(n)} {plural_ru(n, 'мероприятие', 'мероприятия', 'мероприятий')}"


def share(a: float, b: float) -> str:
    """«62%» of a of b, «—» when b is 0."""
    return fmt_pct(a / b) if b else "—"


def russian_counts(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """A counts table with Russian headers and the share as a percentage."""
    out = df.rename(columns=names)
    for col in out.columns:
        if col.startswith("Доля"):
            out[col] = [fmt_pct(v) if v == v else "—" for v in out[col]]
    return out


def as_text(reports: list[Report]) -> str:
    """The reports' titles, headings and paragraphs as plain text (the notebook shows it)."""
    lines: list[str] = []
    for r in reports:
        lines += [r.title, *r.subtitle]
        for s in r.sections:
            lines += ["", s.heading, *[f"  {p}" for p in s.paragraphs]]
        lines.append("")
    return "\n".join(lines)

"""What is on screen, in words: the filters, the search, the chart selection and the thresholds
(with the run's where they differ) — for the printed page and for the header block and the file
name of the what-if xlsx."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.formatting import fmt_num, year_label
from workbench.core.vocabulary import LISTED_CATEGORIES
from workbench.explorer.escape import esc
from workbench.explorer.exports import WHAT_IF, header_rows, whatif_filename
from workbench.explorer.sliders import SliderSpec
from workbench.explorer.views import ALL


@dataclass(frozen=True)
class ScreenState:
    """The explorer's state as Russian (label, value) pairs."""

    region: str
    run_id: str
    year: int
    municipality: str | None
    thresholds: list[tuple[str, str]]
    filters: list[tuple[str, str]]
    changes: str
    changed: dict[str, Any]


def threshold_text(spec: SliderSpec, value: float, run_value: float) -> str:
    """«15 (в расчёте 12)» — the slider's value, with the run's when it differs."""
    def show(v: float) -> str:
        v = spec.to_slider(v) if spec.percent else v
        return fmt_num(v, 0 if float(v).is_integer() else 2)
    now = show(spec.from_slider(value))
    return now if spec.from_slider(value) == run_value else f"{now} (в расчёте {show(run_value)})"


def _label(dropdown: Any) -> str:
    return next((lab for lab, v in dropdown.options if v == dropdown.value), str(dropdown.value))


def screen_state(app: Any) -> ScreenState:
    """The state of an Explorer (its widgets and tables) in words."""
    specs: dict[str, SliderSpec] = app.slider_specs
    thresholds = [(specs[k].full or specs[k].label, threshold_text(specs[k], s.value,
                                                  getattr(app.base_params, k)))
                  for k, s in app.sliders.items()]
    filters = [("муниципалитет", _label(app.municipality)), ("кластер", _label(app.cluster)),
               ("категория", _label(app.category))]
    if app.search.value.strip():
        filters.append(("поиск", app.search.value.strip()))
    if app.selection is not None:
        filters.append(("выделение на графике", f"{len(app.selection)} шк."))
    base = app.base_view  # the same filters over the run's thresholds
    b = set(base.loc[base["category"].isin(LISTED_CATEGORIES), "school_id"])
    c = set(app.view.loc[app.view["category"].isin(LISTED_CATEGORIES), "school_id"])
    changes = ("список совпадает со списком расчёта" if b == c
               else f"вошли {len(c - b)}, вышли {len(b - c)}")
    muni = None if app.municipality.value == ALL else str(app.municipality.value)
    return ScreenState(region=app.data.region, run_id=app.data.run_id, year=app.year.value,
                       municipality=muni, thresholds=thresholds, filters=filters,
                       changes=changes, changed=app.changed_thresholds())


def summary_html(app: Any) -> str:
    """The line the printed page starts with (hidden on screen: the controls say it)."""
    st = screen_state(app)
    parts = "; ".join(f"{esc(k)}: {esc(v)}" for k, v in st.filters + st.thresholds)
    what_if = f"<b>{esc(WHAT_IF)}.</b> " if st.changed else ""
    return (f"<div class='wb-print-summary'>{what_if}Расчёт {esc(st.run_id)}, "
            f"{esc(year_label(st.year))} уч. год. {parts}. По сравнению с порогами расчёта: "
            f"{esc(st.changes)}.</div>")


def export_name_and_header(app: Any) -> tuple[str, list[tuple[str, str]]]:
    """The what-if xlsx's file name and header block for the state of an Explorer."""
    st = screen_state(app)
    header = header_rows(st.region, st.run_id, year_label(st.year), st.thresholds, st.filters,
                         st.changes)
    return whatif_filename(st.year, st.changed, st.municipality), header

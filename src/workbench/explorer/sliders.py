"""The threshold sliders: which identification params a methodologist may move, their Russian
labels and ranges, and the ipywidgets slider of each."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W

from workbench.config.base import StrictModel


@dataclass(frozen=True)
class SliderSpec:
    """A threshold slider: IdentifyParams field, Russian label, range (in the field's units).

    percent: a share (0–1) shown and typed in percent (0,12 → «12»): methodologists think of
    «нижние 12 %», and an integer readout needs no decimal separator. label: short (it fits a
    projector's column); full: the whole wording (the slider's tooltip, the printed page and the
    xlsx header)."""

    name: str
    label: str
    min: float
    max: float
    step: float
    integer: bool = False
    readout: str = ".2f"
    percent: bool = False
    full: str = ""

    def to_slider(self, value: float) -> float:
        """A params value → the slider's value (percent for shares)."""
        return round(float(value) * 100, 6) if self.percent else value

    def from_slider(self, value: float) -> float:
        """The slider's value → the params value (rounded: 12 % is exactly 0.12)."""
        return round(float(value) / 100, 8) if self.percent else value


# The threshold fields of IdentifyParams (of another params model: only those it has are shown).
SLIDER_SPECS: list[SliderSpec] = [
    SliderSpec("bottom_share", "Нижняя группа, %", 0.02, 0.40, 0.01, percent=True,
               full="Доля «нижней группы» по индексу результатов, %"),
    SliderSpec("persist_years", "Лет подряд", 1, 5, 1, True,
               full="Лет подряд в нижней группе до включения в список"),
    SliderSpec("min_n", "Мин. обучающихся", 1, 60, 1, True,
               full="Минимум обучающихся, писавших работы (чел.)"),
    SliderSpec("adverse_share", "Доля НСУ, %", 0.05, 0.50, 0.01, percent=True,
               full="Доля школ в неблагоприятных социальных условиях (по соц. индексу), %"),
    SliderSpec("top_share", "Высокие рез-ты, %", 0.02, 0.40, 0.01, percent=True,
               full="Доля школ с высокими результатами, %"),
    SliderSpec("resilient_percentile", "Резильентные от", 50, 95, 1, readout=".0f",
               full="Резильентные: процентиль результатов не ниже"),
]


def slider_specs(model: type[StrictModel]) -> list[SliderSpec]:
    """The slider specs whose field exists (and is numeric) in the params model."""
    out = []
    for spec in SLIDER_SPECS:
        f = model.model_fields.get(spec.name)
        if f is not None and f.annotation in (int, float, "int", "float"):
            out.append(spec)
    return out


def make_slider(spec: SliderSpec, value: float) -> Any:
    """The slider of one spec at a params value; its range widens to include the value.

    percent: whole percents, one decimal only when the params value has one (12,5 %)."""
    cls = W.IntSlider if spec.integer else W.FloatSlider
    lo, hi, step = (spec.to_slider(v) for v in (spec.min, spec.max, spec.step))
    v = spec.to_slider(value)
    fmt = (".0f" if float(v).is_integer() else ".1f") if spec.percent else spec.readout
    kw = {} if spec.integer else {"readout_format": fmt}
    return cls(value=v, min=min(lo, v), max=max(hi, v), step=step,
               description=spec.label, tooltip=spec.full or spec.label,
               continuous_update=False, style={"description_width": "10.5em"},
               layout=W.Layout(width="98%"), **kw)

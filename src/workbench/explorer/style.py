"""What the explorer looks like: its title and its stylesheet (in an HTML widget).

Every size is relative (rem / em): the base is `explorer.font_size_px` at 100 % browser zoom, so
zooming the browser enlarges everything without clipping; «режим презентации» multiplies the
base by `explorer.presentation_scale`. The list and the chart share a row when the window is
wide enough (1920×1080) and stack below each other otherwise (1280×800); the print stylesheet
keeps the summary of filters and thresholds, the list and the chart.
"""
from __future__ import annotations

APP_TITLE = "ШНОР: обозреватель результатов"


def css(font_px: int = 18, presentation_scale: float = 1.35, chart_max_px: int = 1150,
        extra: str = "") -> str:
    """The explorer's stylesheet (put in an HTML widget); `extra`: more rules (the card's)."""
    base = font_px / 16
    return f"""<style>
.wb-app {{ font-size: {base:.4f}rem; line-height: 1.35; max-width: 100%;
  --jp-widgets-font-size: 1em; --jp-widgets-inline-height: 2em;
  --jp-widgets-inline-label-width: 12em; --jp-widgets-slider-handle-size: 1em; }}
.wb-app.wb-present {{ font-size: {base * presentation_scale:.4f}rem; }}
.wb-app .widget-label, .wb-app .widget-label-basic, .wb-app select, .wb-app input,
.wb-app button, .wb-app .widget-readout, .wb-app .widget-html-content,
.wb-app .widget-inline-hbox, .wb-app .widget-toggle-button {{ font-size: 1em !important; }}
.wb-app .widget-html-content {{ line-height: 1.35; }}
.wb-app .widget-dropdown > select, .wb-app .widget-text input {{ height: 2em; }}
.wb-app h2 {{ font-size: 1.4em; margin: 0.15em 0; }}
.wb-app h3 {{ font-size: 1.3em; margin: 0.3em 0; }}
.wb-app h4 {{ font-size: 1.1em; margin: 0.8em 0 0.3em; }}
.wb-head {{ display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1em; }}
.wb-count {{ font-size: 1.1em; padding: 0.15em 0; }}
.wb-count b {{ color: #b2182b; }}
.wb-summary {{ color: #444; font-size: 0.9em; }}
.wb-main {{ gap: 1em; }}
.wb-list-col {{ min-width: 0; }}
.wb-chart-col {{ min-width: 0; max-width: {chart_max_px}px; }}
.wb-table-wrap {{ max-height: 62vh; overflow: auto; border: 1px solid #dde; }}
.wb-table {{ border-collapse: collapse; font-size: 0.9em; width: 100%; }}
.wb-table th {{ position: sticky; top: 0; background: #eef2f5; text-align: left; z-index: 1; }}
.wb-table th, .wb-table td {{ border: 1px solid #ccd; padding: 0.2em 0.35em;
  vertical-align: top; line-height: 1.3; }}
.wb-table td {{ white-space: nowrap; }}
.wb-table td.wrap {{ white-space: normal; min-width: 7em; }}
.wb-table td.wide {{ white-space: normal; min-width: 14em; }}
.wb-table td.num {{ text-align: right; }}
.wb-table tbody tr {{ cursor: pointer; }}
.wb-table tbody tr:hover, .wb-table tbody tr:focus {{ background: #fff4d6; outline: none; }}
.wb-table .wb-sort {{ all: unset; cursor: pointer; font-weight: bold; display: block; }}
.wb-table .wb-sort:focus-visible {{ outline: 2px solid #2e86c1; }}
.wb-chart {{ width: 100%; position: relative; }}
.wb-chart .wb-chart-plot {{ width: 100%; }}
.wb-chart.wb-drawing::after, .wb-busy {{ opacity: 0;
  animation: wb-appear 0s linear 0.2s forwards; }}
.wb-chart.wb-drawing::after {{ content: "Обновляется…"; position: absolute; top: 0.3em;
  right: 0.5em; background: #fff4d6; padding: 0.1em 0.5em; border-radius: 0.3em; }}
.wb-busy {{ display: inline-block; background: #fff4d6; padding: 0.1em 0.6em;
  border-radius: 0.3em; font-weight: bold; }}
.wb-busy::before {{ content: "⏳ "; }}
@keyframes wb-appear {{ to {{ opacity: 1; }} }}
.wb-app .lm-TabBar-tab, .wb-app .p-TabBar-tab {{ flex: 0 0 auto !important; min-width: 9em;
  max-width: none !important; font-size: 1em; line-height: 2em; height: auto; }}
.wb-app .lm-TabBar, .wb-app .p-TabBar {{ min-height: 2.2em; }}
.wb-small {{ font-size: 0.85em; }}
.wb-card {{ line-height: 1.35; max-width: 70em; }}
.wb-card .wb-figure svg {{ max-width: 36em; }}
.wb-code, .wb-note, .wb-sub {{ color: #555; font-size: 0.85em; }}
.wb-warn {{ color: #b03a2e; font-weight: bold; }}
.wb-download {{ font-weight: bold; }}
.wb-print-summary {{ display: none; }}
@media print {{
  .wb-controls, .wb-tools, .wb-app .lm-TabBar, .wb-app .p-TabBar,
  .wb-download-row, .modebar-container {{ display: none !important; }}
  .wb-print-summary {{ display: block; }}
  .wb-app {{ font-size: 10pt; }}
  .wb-table-wrap {{ max-height: none; overflow: visible; border: 0; }}
  .wb-main {{ display: block !important; }}
  .wb-chart-col {{ max-width: 100%; break-inside: avoid; }}
}}
{extra}
</style>"""

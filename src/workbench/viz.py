"""Display helpers for the stage notebooks: offline plotly and readable tables.

Plotly figures are shown as HTML with plotly.js embedded inline once per kernel, so that the
notebook exported by nbconvert works offline (no CDN, no require.js), with Russian number
separators (decimal comma). Numbers in tables go through the one formatter.
"""
from __future__ import annotations

import html as _html
from typing import Any

import pandas as pd
from IPython.display import HTML, display

from workbench.core.formatting import fmt_num

_PLOTLY_LOADED = False
# text reads left to right; numbers stay right-aligned only where the browser puts them
_TABLE_STYLE = ("<style>table.wb-table td, table.wb-table th {text-align: left; "
                "vertical-align: top;}</style>")


def figure_html(fig: Any, include_js: bool = False) -> str:
    """HTML fragment of a plotly figure; plotly.js inline when include_js; decimal commas."""
    fig.update_layout(separators=", ")
    return fig.to_html(full_html=False, include_plotlyjs=include_js, config={"displaylogo": False},
                       default_width="100%")


def show(fig: Any) -> None:
    """Display a plotly figure in a notebook (inline plotly.js on first use, works offline)."""
    global _PLOTLY_LOADED
    if fig is None:
        display(HTML("<p><i>нет данных для графика</i></p>"))
        return
    display(HTML(figure_html(fig, include_js=not _PLOTLY_LOADED)))
    _PLOTLY_LOADED = True


def table(df: pd.DataFrame, max_rows: int = 50, caption: str | None = None) -> None:
    """Display a DataFrame as a compact HTML table (first max_rows rows, Russian note if cut);
    fractional numbers with two decimals and a decimal comma."""
    if df is None or len(df) == 0:
        display(HTML("<p><i>нет строк</i></p>"))
        return
    shown = df.head(max_rows)
    html = shown.to_html(index=False, escape=True, na_rep="—", float_format=lambda x: fmt_num(x, 2),
                         classes="wb-table", justify="left")
    html = _TABLE_STYLE + html
    head = f"<p><b>{_esc(caption)}</b></p>" if caption else ""
    more = f"<p><i>показано {max_rows} из {len(df)} строк</i></p>" if len(df) > max_rows else ""
    display(HTML(head + html + more))


def _esc(text: str) -> str:
    return _html.escape(str(text))

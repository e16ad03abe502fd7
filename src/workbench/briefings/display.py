"""A saved briefing page shown inside a notebook: its stylesheet and script inlined, in an
<iframe srcdoc> (works offline)."""
from __future__ import annotations

import html
from pathlib import Path

from workbench.briefings.styles import ASSETS_DIR, stylesheet


def inline_page(path: str | Path) -> str:
    """A briefing page with its CSS and JS inlined (to show it inside a notebook)."""
    text = Path(path).read_text(encoding="utf-8")
    css = stylesheet()
    js = (ASSETS_DIR / "briefings.js").read_text(encoding="utf-8")
    for root in ("", "../"):
        text = text.replace(f'<link rel="stylesheet" href="{root}assets/briefings.css">',
                            f"<style>{css}</style>")
        text = text.replace(f'<script src="{root}assets/briefings.js"></script>',
                            f"<script>{js}</script>")
    return text


def iframe_html(path: str | Path, height: int = 900) -> str:
    """An <iframe srcdoc> showing a briefing inline in a notebook (works offline)."""
    return (f'<div class="briefing-frame"><iframe srcdoc="{html.escape(inline_page(path), quote=True)}" '
            f'style="width:100%;height:{height}px;border:1px solid #ccc"></iframe></div>')

"""A briefing shown inside a notebook: stylesheet (with the palette's colours) and script inlined."""
from __future__ import annotations

import html

from support.briefings import hand_made_run
from workbench.briefings import iframe_html, inline_page
from workbench.briefings.styles import stylesheet


def test_page_inlined_for_a_notebook(tmp_path):
    hand_made_run(tmp_path)
    for page in (tmp_path / "briefings" / "region.html",
                 tmp_path / "briefings" / "school" / "S1.html"):
        inlined = inline_page(page)
        assert f"<style>{stylesheet()}</style>" in inlined
        assert "assets/briefings.css" not in inlined and "assets/briefings.js" not in inlined
        assert "<script>" in inlined
    frame = iframe_html(tmp_path / "briefings" / "region.html", height=500)
    assert frame.startswith('<div class="briefing-frame"><iframe srcdoc="')
    assert html.escape(".cat-typical", quote=True) in frame and "height:500px" in frame

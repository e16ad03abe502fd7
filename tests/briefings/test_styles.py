"""One palette: the category badges of the briefings take their colours from core.palette."""
from __future__ import annotations

import re

from support.briefings import hand_made_run, text
from workbench.briefings.styles import ASSETS_DIR, category_rules, stylesheet
from workbench.core.palette import CATEGORY_COLOURS, CATEGORY_TEXT_COLOURS


def test_category_rules_come_from_the_palette():
    css = stylesheet()
    for code, colour in CATEGORY_COLOURS.items():
        rule = re.search(rf"\.cat-{code} {{([^}}]*)}}", css).group(1)
        assert f"background: {colour};" in rule and f"color: {CATEGORY_TEXT_COLOURS[code]};" in rule
    # no category colour written by hand in the stylesheet's source
    source = (ASSETS_DIR / "briefings.css").read_text(encoding="utf-8")
    assert not re.search(r"\.cat-[a-z_]+\s*{", source)
    assert css.count(".cat-") == len(CATEGORY_COLOURS) == category_rules().count("\n")


def test_pages_get_the_generated_stylesheet(tmp_path):
    hand_made_run(tmp_path)
    assert text(tmp_path / "briefings" / "assets" / "briefings.css") == stylesheet()

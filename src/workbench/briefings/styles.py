"""The stylesheet of the briefings: `assets/briefings.css` with the category badges' colours
generated from `workbench.core.palette`, so that a category has one colour in the passports, the
notebooks and the explorer."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from workbench.core.palette import CATEGORY_COLOURS, CATEGORY_TEXT_COLOURS

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
CATEGORY_MARK = "/* @category-colours:"  # the line of briefings.css the rules follow


def category_rules() -> str:
    """One CSS rule per category: `.cat-<code>` with the palette's colour and its text colour."""
    return "".join(f".cat-{code} {{ background: {colour}; "
                   f"color: {CATEGORY_TEXT_COLOURS[code]}; }}\n"
                   for code, colour in CATEGORY_COLOURS.items())


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The text of briefings.css as the pages get it (category rules after the marker line)."""
    css = (ASSETS_DIR / "briefings.css").read_text(encoding="utf-8")
    head, mark, tail = css.partition(CATEGORY_MARK)
    if not mark:
        raise RuntimeError(f"{ASSETS_DIR / 'briefings.css'}: no line «{CATEGORY_MARK}»")
    line, _, rest = tail.partition("\n")
    return f"{head}{mark}{line}\n{category_rules()}{rest}"

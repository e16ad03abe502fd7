"""The one palette: category colours (briefings, notebooks, explorer), risk levels, trends."""
from __future__ import annotations

CATEGORY_COLOURS: dict[str, str] = {
    "low_results_adverse": "#b2182b",
    "low_results": "#ef8a62",
    "watch": "#9970ab",
    "adverse_context": "#f4c542",
    "resilient": "#1b9e77",
    "high_performing": "#2166ac",
    "typical": "#999999",
    "insufficient_data": "#cccccc",
}
# text colour readable on each category colour
CATEGORY_TEXT_COLOURS: dict[str, str] = {
    "low_results_adverse": "#ffffff", "low_results": "#000000", "watch": "#ffffff",
    "adverse_context": "#000000",
    "resilient": "#ffffff", "high_performing": "#ffffff", "typical": "#000000",
    "insufficient_data": "#000000",
}
UNKNOWN_COLOUR = "#dddddd"
LEVEL_COLOURS: dict[str, str] = {"high": "#b2182b", "medium": "#ef8a62", "low": "#67a9cf"}
TREND_COLOURS: dict[str, str] = {"improved": "#2a9d8f", "declined": "#e76f51", "stable": "#999999"}


def category_colour(code: str) -> str:
    """Colour of a category code (a neutral grey for codes the palette does not know)."""
    return CATEGORY_COLOURS.get(code, UNKNOWN_COLOUR)

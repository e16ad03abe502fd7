"""Briefings: risk profiles and technological maps of the listed schools, and HTML briefings —
the region, each municipality, a one-page passport per school (design §1 step 6 and §6).

The steps in order, one module each: `risk_profiles`, `tech_map`, `tech_map_xlsx`, `prepare`
(group-bys once), `school_view` (THE view model of one school:
`school_view.school_view(school_input(prepared, school_id), params)`), `municipality_view`,
`region_view`, `render`; `stage.run` wires them. A module's main function keeps its module's name
and is imported from the module (no name here hides a module).
"""
from workbench.briefings import stage  # noqa: F401  (stage.run(ctx): called by the pipeline)
from workbench.briefings.display import iframe_html, inline_page
from workbench.briefings.prepare import PRODUCED, Prepared, RegionRefs, SchoolInput, school_input
from workbench.briefings.render import environment, render_all
from workbench.briefings.stage import run

__all__ = ["PRODUCED", "Prepared", "RegionRefs", "SchoolInput", "environment", "iframe_html",
           "inline_page", "render_all", "run", "school_input", "stage"]

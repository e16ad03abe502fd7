"""Params section `explorer`: what the explorer shows (identification thresholds belong to
identify) and how `workbench present` serves it to a seminar room."""
from __future__ import annotations

from pydantic import Field

from workbench.config.base import StrictModel


class ExplorerParams(StrictModel):
    """Settings of the explorer and of its seminar server (`workbench present`)."""

    max_table_rows: int = Field(default=50, ge=10,
                                description="rows of the list on one page of the screen (the "
                                            "others behind «Следующие»; the xlsx has all); the "
                                            "reasons are worded for the page shown")
    font_size_px: int = Field(default=18, ge=10, le=40,
                              description="base font size in px at 100 % browser zoom; every "
                                          "other size is relative to it")
    chart_height_px: int = Field(default=560, ge=200, description="height of the charts")
    webgl_above_schools: int = Field(default=3000, ge=0,
                                     description="above this many schools the charts draw WebGL "
                                                 "markers and load the full plotly.js (4.8 MB); "
                                                 "up to it SVG markers and the basic plotly.js "
                                                 "(1.2 MB), which a first view evaluates ~5× "
                                                 "faster")
    chart_width_px: int = Field(default=1150, ge=400,
                                description="largest width of a chart; it fills its column up "
                                            "to this width")
    max_risks_in_card: int = Field(default=5, ge=1,
                                   description="risk factors listed in the school card")
    presentation_scale: float = Field(default=1.35, ge=1.0, le=3.0,
                                      description="type size of «режим презентации» relative "
                                                  "to the normal view")
    server_start_timeout_s: float = Field(default=60.0, gt=0,
                                          description="how long `present` waits for Voilà")
    kernel_pool: int = Field(default=4, ge=0, le=20,
                             description="preheated kernels kept ready: this many participants "
                                         "joining at once get the page without waiting for "
                                         "the notebook to run (0: no pool; ~0,3 GB each)")
    max_kernels: int = Field(default=20, ge=1,
                             description="pages open at a time; one more gets the Russian page "
                                         "«Слишком много участников»")
    disconnect_grace_s: int = Field(default=60, ge=1,
                                    description="a kernel whose page went away without closing "
                                                "it (crashed browser, sleeping laptop) is "
                                                "stopped this long after its connection closed")
    cull_idle_s: int = Field(default=600, ge=1,
                               description="a kernel with no open page and no activity for "
                                           "this long is stopped")
    cull_interval_s: int = Field(default=60, ge=1,
                                   description="how often idle kernels are looked for")
